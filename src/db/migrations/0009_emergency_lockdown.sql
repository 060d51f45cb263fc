-- The confidential emergency information pack (seed 001 Appendix A), building lockdown (§5 and
-- Appendix K), and idempotency keys for actions a phone queued while it had no signal.

-- One pack per member of staff, encrypted with AES-256-GCM. `ciphertext` is base64 of
-- IV (12 bytes) | tag (16 bytes) | encrypted JSON; `key_id` names the key that sealed it so keys
-- can rotate (`harbour emergency rotate-key` re-encrypts every pack with the current key).
CREATE TABLE emergency_packs (
  staff_id    integer PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
  key_id      text NOT NULL,
  ciphertext  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emergency_packs_key ON emergency_packs (key_id);

-- Every time someone other than the worker opened a pack (break-glass), with the reason and the
-- open alert or escalation it was opened for. The worker sees this list.
CREATE TABLE emergency_pack_views (
  id                 bigserial PRIMARY KEY,
  staff_id           integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  viewer_account_id  integer REFERENCES accounts(id),
  viewer_staff_id    integer REFERENCES staff(id),
  viewer_name        text NOT NULL,
  alert_id           bigint REFERENCES alerts(id),
  reason             text NOT NULL,
  viewed_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emergency_pack_views_staff ON emergency_pack_views (staff_id, viewed_at DESC);

-- Reminders to managers about a missing or out-of-date pack (at most one per person a month).
CREATE TABLE emergency_pack_reminders (
  id            bigserial PRIMARY KEY,
  staff_id      integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  recipient_id  integer NOT NULL REFERENCES staff(id),
  kind          text NOT NULL CHECK (kind IN ('missing', 'stale')),
  sent_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emergency_pack_reminders_staff ON emergency_pack_reminders (staff_id, sent_at DESC);

-- A Dynamic Lock Down of one building. At most one runs per building at a time.
CREATE TABLE lockdowns (
  id                serial PRIMARY KEY,
  building_id       integer NOT NULL REFERENCES buildings(id),
  location          text NOT NULL CHECK (location IN ('inside', 'outside')),
  details           text,
  started_by        integer REFERENCES staff(id),
  started_by_name   text NOT NULL,
  started_at        timestamptz NOT NULL DEFAULT now(),
  ended_at          timestamptz,
  ended_by          integer REFERENCES staff(id),
  ended_by_name     text,
  end_note          text,
  CHECK ((ended_at IS NULL) = (ended_by_name IS NULL))
);
CREATE UNIQUE INDEX lockdowns_one_running ON lockdowns (building_id) WHERE ended_at IS NULL;

-- Everyone alerted: checked in at the building, or based there, when the lockdown started.
CREATE TABLE lockdown_recipients (
  lockdown_id      integer NOT NULL REFERENCES lockdowns(id),
  staff_id         integer NOT NULL REFERENCES staff(id),
  reason           text NOT NULL CHECK (reason IN ('checked_in', 'based')),
  acknowledged_at  timestamptz,
  PRIMARY KEY (lockdown_id, staff_id)
);

-- The lockdown's timeline: started, who was alerted, acknowledgements, all clear.
CREATE TABLE lockdown_events (
  id           bigserial PRIMARY KEY,
  lockdown_id  integer NOT NULL REFERENCES lockdowns(id),
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id     integer REFERENCES staff(id),
  text         text NOT NULL
);
CREATE INDEX lockdown_events_lockdown ON lockdown_events (lockdown_id, at);

-- An action sent with an idempotency key (a phone replaying what it queued offline) is done once:
-- the same key from the same account answers with the first result and writes nothing.
CREATE TABLE idempotency_keys (
  account_id   integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  key          text NOT NULL,
  action       text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
  location     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
