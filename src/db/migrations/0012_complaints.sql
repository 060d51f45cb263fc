-- Complaints about staff (issue 6; seeds 003 and 004): the statutory children's complaints procedure
-- (Children Act 1989 Representations Procedure (England) Regulations 2006), the corporate procedure
-- and staff grievances; stages with working-day deadlines, findings, actions, referrals, learning.

CREATE TABLE complaints (
  id                 serial PRIMARY KEY,
  reference          text UNIQUE,
  received_on        date NOT NULL,
  channel            text NOT NULL,
  procedure          text NOT NULL CHECK (procedure IN ('statutory_children', 'corporate', 'staff_grievance')),
  matter_on          date,
  late_reason        text,
  complainant_type   text NOT NULL CHECK (complainant_type IN ('child', 'parent_carer', 'family_member', 'professional', 'staff', 'advocate')),
  complainant_name   text,
  complainant_contact text,
  household          text,
  team_id            integer REFERENCES teams(id),
  service_id         integer REFERENCES services(id),
  summary            text NOT NULL DEFAULT '',
  withdrawn_on       date,
  withdrawn_reason   text,
  not_investigated_on date,
  not_investigated_reason text,
  outcome            text CHECK (outcome IN ('upheld', 'partially_upheld', 'not_upheld')),
  closed_on          date,
  learning           text,
  source             text NOT NULL DEFAULT 'harbour' CHECK (source IN ('harbour', 'import')),
  created_by         integer REFERENCES accounts(id),
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaints_received ON complaints (received_on);

-- The staff complained about; notified_at once the named person has been told.
CREATE TABLE complaint_staff (
  complaint_id integer NOT NULL REFERENCES complaints(id),
  staff_id     integer NOT NULL REFERENCES staff(id),
  notified_at  timestamptz,
  PRIMARY KEY (complaint_id, staff_id)
);
CREATE INDEX complaint_staff_staff ON complaint_staff (staff_id);

CREATE TABLE complaint_allegations (
  id           serial PRIMARY KEY,
  complaint_id integer NOT NULL REFERENCES complaints(id),
  category     text NOT NULL,
  detail       text,
  finding      text CHECK (finding IN ('upheld', 'partially_upheld', 'not_upheld')),
  found_on     date
);
CREATE INDEX complaint_allegations_complaint ON complaint_allegations (complaint_id);

-- Stage 1, 2 or 3. started_on is day 0 of the working-day clock (stage 3: the request for a panel).
CREATE TABLE complaint_stages (
  id                   serial PRIMARY KEY,
  complaint_id         integer NOT NULL REFERENCES complaints(id),
  stage                integer NOT NULL CHECK (stage IN (1, 2, 3)),
  started_on           date NOT NULL,
  extended_to          date,
  extension_reason     text,
  investigating_officer text,
  independent_person   text,
  panel_held_on        date,
  report_on            date,
  responded_on         date,
  UNIQUE (complaint_id, stage)
);

CREATE TABLE complaint_actions (
  id                   serial PRIMARY KEY,
  complaint_id         integer NOT NULL REFERENCES complaints(id),
  staff_id             integer REFERENCES staff(id),
  kind                 text NOT NULL CHECK (kind IN ('no_further_action', 'apology', 'practice_change', 'training', 'supervision', 'disciplinary_investigation')),
  detail               text,
  disciplinary_outcome text CHECK (disciplinary_outcome IN ('none', 'warning', 'final_warning', 'dismissal')),
  outcome_on           date,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX complaint_actions_complaint ON complaint_actions (complaint_id);

CREATE TABLE complaint_referrals (
  id           serial PRIMARY KEY,
  complaint_id integer NOT NULL REFERENCES complaints(id),
  body         text NOT NULL CHECK (body IN ('swe', 'gscc', 'hcpc', 'lgsco')),
  referred_on  date NOT NULL,
  decision     text,
  decided_on   date
);

CREATE TABLE complaint_attachments (
  id           serial PRIMARY KEY,
  complaint_id integer NOT NULL REFERENCES complaints(id),
  file_name    text NOT NULL,
  content_type text NOT NULL,
  size_bytes   integer NOT NULL,
  content      bytea NOT NULL,
  uploaded_by  integer REFERENCES accounts(id),
  uploaded_at  timestamptz NOT NULL DEFAULT now()
);

-- Reminders sent, so each is sent once per deadline.
CREATE TABLE complaint_reminders (
  id        serial PRIMARY KEY,
  stage_id  integer NOT NULL REFERENCES complaint_stages(id),
  milestone text NOT NULL,
  due_on    date NOT NULL,
  kind      text NOT NULL CHECK (kind IN ('due_soon', 'breached')),
  sent_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stage_id, milestone, due_on, kind)
);
