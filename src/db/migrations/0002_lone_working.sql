-- Lone working: visits and other lone-working periods, their check-in sessions, escalation
-- policies, alerts with their timeline, durable timers, and notification deliveries.

CREATE TABLE escalation_policies (
  id          serial PRIMARY KEY,
  team_id     integer REFERENCES teams(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('overdue', 'duress', 'end_of_day')),
  -- [{ "key": "buddy", "label": "Buddy", "targets": ["buddy"], "delaySeconds": 300 }, ...]
  steps       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  integer REFERENCES accounts(id)
);
CREATE UNIQUE INDEX escalation_policies_team_kind ON escalation_policies (team_id, kind);

CREATE TABLE visits (
  id                 serial PRIMARY KEY,
  worker_id          integer NOT NULL REFERENCES staff(id),
  kind               text NOT NULL DEFAULT 'visit' CHECK (kind IN ('visit', 'office', 'home_working', 'building_lone_working', 'key_holder_callout')),
  starts_at          timestamptz NOT NULL,
  ends_at            timestamptz NOT NULL,
  address            text,
  postcode           text,
  latitude           double precision,
  longitude          double precision,
  case_system        text CHECK (case_system IN ('liberi', 'ehm', 'cdy', 'core_plus', 'synergy', 'other')),
  case_id            text,
  description        text,
  joint_partner_id   integer REFERENCES staff(id),
  notes              text,
  building_id        integer REFERENCES buildings(id),
  referral_type      text,
  risk_rating        text CHECK (risk_rating IN ('RED', 'AMBER', 'GREEN')),
  state              text NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'in_progress', 'overdue', 'completed', 'cancelled')),
  arrived_at         timestamptz,
  -- The current check-in deadline while a session runs; moved by "Extend".
  due_at             timestamptz,
  -- Bumped each time the deadline is re-armed after it has fired, so the next one is a new timer.
  deadline_seq       integer NOT NULL DEFAULT 0,
  ended_at           timestamptz,
  last_check_in_at   timestamptz,
  last_location      jsonb,
  source             text NOT NULL DEFAULT 'manual',
  ical_uid           text,
  created_by         integer REFERENCES accounts(id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX visits_worker_start ON visits (worker_id, starts_at);
CREATE INDEX visits_active ON visits (state) WHERE state IN ('in_progress', 'overdue');

-- "Finished and safe" at the end of the working day (seed 001 §5: the buddy waits for this call).
CREATE TABLE day_confirmations (
  worker_id     integer NOT NULL REFERENCES staff(id),
  work_date     date NOT NULL,
  finish_at     timestamptz NOT NULL,
  confirmed_at  timestamptz,
  PRIMARY KEY (worker_id, work_date)
);

CREATE TABLE alerts (
  id               bigserial PRIMARY KEY,
  visit_id         integer REFERENCES visits(id),
  worker_id        integer NOT NULL REFERENCES staff(id),
  work_date        date,
  kind             text NOT NULL CHECK (kind IN ('overdue', 'duress', 'end_of_day')),
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  -- The policy as it was when the alert opened, so editing a policy never changes a live alert.
  policy           jsonb NOT NULL,
  next_step        integer NOT NULL DEFAULT 0,
  opened_at        timestamptz NOT NULL DEFAULT now(),
  deadline_at      timestamptz NOT NULL,
  acknowledged_by  integer REFERENCES staff(id),
  acknowledged_at  timestamptz,
  paused_until     timestamptz,
  outcome          text CHECK (outcome IN ('safe', 'false_alarm', 'incident')),
  outcome_notes    text,
  resolved_by      integer REFERENCES accounts(id),
  resolved_at      timestamptz,
  CHECK ((status = 'resolved') = (outcome IS NOT NULL))
);
CREATE UNIQUE INDEX alerts_one_open_per_visit ON alerts (visit_id, kind) WHERE status <> 'resolved' AND visit_id IS NOT NULL;
CREATE UNIQUE INDEX alerts_one_per_day ON alerts (worker_id, work_date) WHERE kind = 'end_of_day';
CREATE INDEX alerts_open ON alerts (status) WHERE status <> 'resolved';

-- Each escalation step of an alert fires at most once: the primary key enforces it.
CREATE TABLE alert_steps_fired (
  alert_id   bigint NOT NULL REFERENCES alerts(id),
  step       integer NOT NULL,
  fired_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  fired_by   text NOT NULL,
  PRIMARY KEY (alert_id, step)
);

-- The session's timeline: every step, message, delivery and answer.
CREATE TABLE timeline_events (
  id          bigserial PRIMARY KEY,
  visit_id    integer REFERENCES visits(id),
  alert_id    bigint REFERENCES alerts(id),
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  type        text NOT NULL,
  actor_id    integer REFERENCES staff(id),
  text        text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_visit ON timeline_events (visit_id, at);
CREATE INDEX timeline_alert ON timeline_events (alert_id, at);

-- Durable deadlines. A worker claims due rows with FOR UPDATE SKIP LOCKED, does the work and marks
-- them fired in the same transaction; a crash rolls the claim back and another worker retries.
CREATE TABLE timers (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('visit_due', 'alert_step', 'end_of_day')),
  subject_id  bigint NOT NULL,
  seq         integer NOT NULL,
  fire_at     timestamptz NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
  fired_at    timestamptz,
  UNIQUE (kind, subject_id, seq)
);
CREATE INDEX timers_due ON timers (fire_at) WHERE status = 'pending';

-- One row per message to one person on one channel. Sent by the dispatcher with retries.
CREATE TABLE notifications (
  id              bigserial PRIMARY KEY,
  alert_id        bigint REFERENCES alerts(id),
  step            integer,
  recipient_id    integer NOT NULL REFERENCES staff(id),
  -- The channel being tried now: 'sms', 'email', 'push' or 'inbox'. Every notification also shows
  -- in the recipient's in-app inbox whatever the channel.
  channel         text NOT NULL,
  -- Channels still to try, in order, if this one fails (SMS → email → inbox).
  fallbacks       text[] NOT NULL DEFAULT '{}',
  subject         text NOT NULL,
  body            text NOT NULL,
  link            text,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  handed_at       timestamptz,
  sent_at         timestamptz,
  read_at         timestamptz,
  provider_ref    text,
  last_error      text
);
-- One message per person per escalation step, however often the step is retried.
CREATE UNIQUE INDEX notifications_once ON notifications (alert_id, step, recipient_id) WHERE alert_id IS NOT NULL;
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_inbox ON notifications (recipient_id, created_at DESC);

CREATE TABLE delivery_attempts (
  id               bigserial PRIMARY KEY,
  notification_id  bigint NOT NULL REFERENCES notifications(id),
  at               timestamptz NOT NULL DEFAULT clock_timestamp(),
  channel          text NOT NULL,
  ok               boolean NOT NULL,
  error            text,
  provider_ref     text
);

-- Who should be told at an escalation step. Targets are the words used in escalation policies.
CREATE FUNCTION harbour_recipients(p_worker integer, p_target text) RETURNS SETOF integer
LANGUAGE sql STABLE AS $$
  SELECT s.id FROM staff s WHERE p_target = 'worker' AND s.id = p_worker
  UNION
  SELECT s.buddy_id FROM staff s WHERE p_target = 'buddy' AND s.id = p_worker AND s.buddy_id IS NOT NULL
  UNION
  SELECT s.line_manager_id FROM staff s WHERE p_target = 'line_manager' AND s.id = p_worker AND s.line_manager_id IS NOT NULL
  UNION
  SELECT m.line_manager_id FROM staff s JOIN staff m ON m.id = s.line_manager_id
   WHERE p_target = 'service_manager' AND s.id = p_worker AND m.line_manager_id IS NOT NULL
  UNION
  SELECT b.id FROM staff s JOIN staff b ON b.team_id = s.team_id
   WHERE p_target = 'business_support' AND s.id = p_worker AND b.job_role = 'business_support' AND b.active AND b.id <> p_worker
  UNION
  (WITH RECURSIVE up(id, depth) AS (
     SELECT line_manager_id, 1 FROM staff WHERE id = p_worker AND line_manager_id IS NOT NULL
     UNION ALL
     SELECT s.line_manager_id, up.depth + 1 FROM staff s JOIN up ON s.id = up.id WHERE s.line_manager_id IS NOT NULL AND up.depth < 8
   )
   SELECT up.id FROM up JOIN staff s ON s.id = up.id
    WHERE p_target = 'assistant_director' AND s.job_role = 'assistant_director'
    ORDER BY up.depth LIMIT 1);
$$;
