-- Covert duress alarm (seed 001 Appendix B), the Purple File phone screen and major incidents
-- (Appendix C).

-- A worker's PINs for ending a visit, hashed with argon2id like passwords. Entering the duress PIN
-- ends the visit exactly as usual and raises a silent alarm. The check-out PIN is optional: when
-- set, every "Visit over" asks for a PIN, so typing one is what the worker always does.
CREATE TABLE duress_pins (
  staff_id           integer PRIMARY KEY REFERENCES staff(id) ON DELETE CASCADE,
  duress_pin_hash    text NOT NULL,
  checkout_pin_hash  text,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- What a duress alarm carried beyond its alerts row: how it was raised, the case reference and
-- the device location (only if the worker allowed it).
CREATE TABLE duress_alarms (
  alert_id        bigint PRIMARY KEY REFERENCES alerts(id),
  via             text NOT NULL CHECK (via IN ('pin', 'control', 'api')),
  case_reference  text,
  address         text,
  location        jsonb,
  raised_at       timestamptz NOT NULL DEFAULT now()
);

-- The designated safeguarding lead told after a Purple File call (Appendix B), per service.
ALTER TABLE services ADD COLUMN safeguarding_lead_id integer REFERENCES staff(id);

-- One Purple File call: someone rang the office and said the phrase. The answers are
-- { "<question key>": { "answer": "yes" | "no" | "no_answer", "at": "<ISO instant>" } }.
CREATE TABLE purple_file_calls (
  id                    serial PRIMARY KEY,
  worker_id             integer NOT NULL REFERENCES staff(id),
  visit_id              integer REFERENCES visits(id),
  alert_id              bigint REFERENCES alerts(id),
  responder_id          integer NOT NULL REFERENCES staff(id),
  address               text,
  answers               jsonb NOT NULL DEFAULT '{}',
  status                text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  outcome               text CHECK (outcome IN ('safe', 'police_attended', 'staff_attended', 'false_alarm', 'other')),
  outcome_notes         text,
  managers_notified_at  timestamptz,
  started_at            timestamptz NOT NULL DEFAULT now(),
  closed_at             timestamptz,
  closed_by             integer REFERENCES accounts(id),
  CHECK ((status = 'closed') = (outcome IS NOT NULL))
);
CREATE INDEX purple_file_calls_open ON purple_file_calls (started_at) WHERE status = 'open';

-- The "call you back in 5 minutes" timer. A poller claims due rows with FOR UPDATE SKIP LOCKED,
-- queues the reminder to the responder and marks the row fired in one transaction.
CREATE TABLE purple_file_callbacks (
  id            bigserial PRIMARY KEY,
  call_id       integer NOT NULL REFERENCES purple_file_calls(id),
  responder_id  integer NOT NULL REFERENCES staff(id),
  due_at        timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  fired_at      timestamptz
);
CREATE INDEX purple_file_callbacks_due ON purple_file_callbacks (due_at) WHERE status = 'pending';
-- At most one running call-back timer per call.
CREATE UNIQUE INDEX purple_file_callbacks_one_pending ON purple_file_callbacks (call_id) WHERE status = 'pending';

-- The call's own timeline: each answer, the timer, who was told, the outcome.
CREATE TABLE purple_file_events (
  id        bigserial PRIMARY KEY,
  call_id   integer NOT NULL REFERENCES purple_file_calls(id),
  at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id  integer REFERENCES staff(id),
  text      text NOT NULL
);
CREATE INDEX purple_file_events_call ON purple_file_events (call_id, at);

-- A major incident (Appendix C), declared from an alert, a lockdown or a Purple File call.
-- lockdown_id has no foreign key here: building lockdowns are another migration's table.
CREATE TABLE major_incidents (
  id                   serial PRIMARY KEY,
  category             text NOT NULL CHECK (category IN ('significant_injury', 'road_accident', 'lost_person', 'excessive_vandalism',
                                                        'drug_or_alcohol_abuse', 'police_arrest', 'hospitalisation', 'negative_media')),
  summary              text,
  alert_id             bigint REFERENCES alerts(id),
  lockdown_id          integer,
  purple_file_call_id  integer REFERENCES purple_file_calls(id),
  worker_id            integer REFERENCES staff(id),
  declared_by          integer NOT NULL REFERENCES accounts(id),
  declared_by_staff    integer REFERENCES staff(id),
  declared_at          timestamptz NOT NULL DEFAULT now(),
  -- Who was told at once: [{ "staffId": 1, "role": "assistant_director" }, ...]
  notified             jsonb NOT NULL DEFAULT '[]'
);
