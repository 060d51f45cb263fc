-- Violence at work: HS157 incident reports and the manager's response (seed 001 §12–13; seed 002
-- Violence and Reporting). A draft keeps exactly what was typed (draft jsonb) so nothing is lost;
-- submitting parses it into the columns below.
CREATE TABLE incidents (
  id                    serial PRIMARY KEY,
  status                text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'awaiting_confirmation', 'open', 'closed')),
  -- The employee the incident happened to; a manager may report on their behalf.
  employee_id           integer NOT NULL REFERENCES staff(id),
  reported_by           integer REFERENCES staff(id),
  reported_by_account   integer NOT NULL REFERENCES accounts(id),
  draft                 jsonb NOT NULL DEFAULT '{}',
  occurred_at           timestamptz,
  location              text,
  visit_id              integer REFERENCES visits(id),
  alert_id              bigint REFERENCES alerts(id),
  building_id           integer REFERENCES buildings(id),
  lone_working          boolean,
  categories            text[] NOT NULL DEFAULT '{}',
  verbal_channel        text,
  perpetrator_type      text,
  perpetrator_case_system text,
  perpetrator_case_id   text,
  others_present        text,
  witnesses             text,
  injured               boolean,
  injury_nature         text,
  injury_body_part      text,
  first_aid             boolean,
  hospital              boolean,
  days_off              integer CHECK (days_off IS NULL OR days_off >= 0),
  narrative             text,
  submitted_at          timestamptz,
  confirmed_at          timestamptz,
  -- The manager's response (seed 002): meet within 24 hours or 3 days.
  meeting_due_at        timestamptz,
  meeting_held_at       timestamptz,
  support               jsonb NOT NULL DEFAULT '{}',
  debrief_at            timestamptz,
  police_right_told_at  timestamptz,
  response_notes        text,
  responded_by          integer REFERENCES staff(id),
  responded_at          timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK (status = 'draft' OR occurred_at IS NOT NULL)
);
CREATE INDEX incidents_employee ON incidents (employee_id);
CREATE INDEX incidents_reporter ON incidents (reported_by);
CREATE INDEX incidents_meeting_due ON incidents (meeting_due_at) WHERE meeting_held_at IS NULL AND status = 'open';
