-- Violence at work, second part (issue 5): escalation of a missed meeting, police and prosecution,
-- RIDDOR, serious incidents and the HS160 investigation with its actions, warning flags and legal
-- and service actions raised from an incident, and historic records imported from CSV.

-- A missed meeting deadline escalates to the next manager, exactly once (the job claims the row).
ALTER TABLE incidents ADD COLUMN meeting_escalated_at timestamptz;
ALTER TABLE incidents ADD COLUMN meeting_escalated_to integer REFERENCES staff(id);

-- Police and prosecution (seed 001, Notifying the Police and §12 court attendance).
ALTER TABLE incidents ADD COLUMN police_reported boolean;
ALTER TABLE incidents ADD COLUMN police_reported_on date;
ALTER TABLE incidents ADD COLUMN crime_reference text;
ALTER TABLE incidents ADD COLUMN police_outcome text CHECK (police_outcome IN ('no_further_action', 'community_resolution', 'caution', 'charged'));
ALTER TABLE incidents ADD COLUMN court_outcome text CHECK (court_outcome IN ('pending', 'convicted', 'acquitted', 'discontinued'));
ALTER TABLE incidents ADD COLUMN court_attended boolean;
ALTER TABLE incidents ADD COLUMN court_notes text;

-- RIDDOR 2013: the facts, the outcome worked out from them (kept for the dashboard), and the report to the HSE.
ALTER TABLE incidents ADD COLUMN specified_injury boolean NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN riddor_kind text;
ALTER TABLE incidents ADD COLUMN riddor_report_by date;
ALTER TABLE incidents ADD COLUMN hse_reference text;
ALTER TABLE incidents ADD COLUMN hse_reported_on date;

-- Serious (HS160 investigation): by rule, or marked by a manager.
ALTER TABLE incidents ADD COLUMN major_incident boolean NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN marked_serious boolean NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN serious boolean NOT NULL DEFAULT false;
ALTER TABLE incidents ADD COLUMN closed_at timestamptz;
ALTER TABLE incidents ADD COLUMN closed_by integer REFERENCES staff(id);
-- 'harbour' for reports made here; 'import' for historic records loaded from CSV.
ALTER TABLE incidents ADD COLUMN source text NOT NULL DEFAULT 'harbour';
ALTER TABLE incidents ADD COLUMN import_reference text;
CREATE INDEX incidents_occurred ON incidents (occurred_at) WHERE status <> 'draft';
CREATE INDEX incidents_riddor_due ON incidents (riddor_report_by) WHERE hse_reported_on IS NULL AND riddor_report_by IS NOT NULL;

-- The HS160 investigation: one per incident.
CREATE TABLE incident_investigations (
  incident_id        integer PRIMARY KEY REFERENCES incidents(id),
  statements         text,
  chronology         text,
  triggers           text,
  findings           text,
  risk_review        text,
  team_communicated  text,
  providers_to_warn  text,
  started_by         integer REFERENCES staff(id),
  started_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  closed_at          timestamptz,
  closed_by          integer REFERENCES staff(id)
);

-- Investigation actions, each with an owner and a due date, tracked to done.
CREATE TABLE incident_actions (
  id            serial PRIMARY KEY,
  incident_id   integer NOT NULL REFERENCES incidents(id),
  description   text NOT NULL,
  owner_id      integer NOT NULL REFERENCES staff(id),
  due_on        date NOT NULL,
  done_at       timestamptz,
  done_by       integer REFERENCES staff(id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_actions_incident ON incident_actions (incident_id);
CREATE INDEX incident_actions_open ON incident_actions (due_on) WHERE done_at IS NULL;

-- Warning flags raised from an incident (the flag itself lives in warning_flags, source 'incident').
CREATE TABLE incident_flags (
  incident_id   integer NOT NULL REFERENCES incidents(id),
  flag_id       integer NOT NULL REFERENCES warning_flags(id),
  subject       text NOT NULL CHECK (subject IN ('person', 'case', 'address')),
  reason        text NOT NULL,
  review_on     date NOT NULL,
  raised_by     integer REFERENCES staff(id),
  raised_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, flag_id)
);

-- Legal and service actions against the perpetrator, with dates.
CREATE TABLE incident_legal_actions (
  id            serial PRIMARY KEY,
  incident_id   integer NOT NULL REFERENCES incidents(id),
  kind          text NOT NULL CHECK (kind IN ('warning_letter', 'contact_ban', 'injunction', 'asbo', 'service_withdrawal')),
  action_on     date NOT NULL,
  ends_on       date,
  notes         text,
  recorded_by   integer REFERENCES staff(id),
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_legal_actions_incident ON incident_legal_actions (incident_id);

-- Alerts sent about an incident (RIDDOR deadlines), one row per kind so each is sent exactly once.
CREATE TABLE incident_alerts (
  incident_id   integer NOT NULL REFERENCES incidents(id),
  kind          text NOT NULL,
  sent_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, kind)
);
