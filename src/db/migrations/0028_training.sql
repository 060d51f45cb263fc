-- Issue 19: training records and lone-working readiness (seed 001 §11).
-- Courses an administrator keeps: who needs each (everyone, job roles, teams, services, key holders)
-- and how long a completion stays current. name_key is the name without case, spaces or punctuation,
-- which is how imported files name courses.
CREATE TABLE training_courses (
  id serial PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  name_key text NOT NULL UNIQUE,
  -- What the course counts as: the risk gate reads lone_working and personal_safety (the team's
  -- 'require' policy) and key_holder (key-holder call-outs); the FOI statistic reads the first two.
  category text NOT NULL DEFAULT 'other' CHECK (category IN ('lone_working', 'personal_safety', 'key_holder', 'physical_intervention', 'other')),
  validity_months integer CHECK (validity_months IS NULL OR validity_months BETWEEN 1 AND 240),
  everyone boolean NOT NULL DEFAULT false,
  job_roles text[] NOT NULL DEFAULT '{}',
  team_ids integer[] NOT NULL DEFAULT '{}',
  service_ids integer[] NOT NULL DEFAULT '{}',
  key_holders boolean NOT NULL DEFAULT false,
  retired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One completion of a course by a member of staff. expires_on is given only when the certificate
-- says so; otherwise the expiry is completed_on + the course's validity (none: it does not expire).
CREATE TABLE training_records (
  id serial PRIMARY KEY,
  staff_id integer NOT NULL REFERENCES staff(id),
  course_id integer NOT NULL REFERENCES training_courses(id),
  completed_on date NOT NULL,
  expires_on date CHECK (expires_on IS NULL OR expires_on > completed_on),
  evidence text CHECK (evidence IS NULL OR length(evidence) <= 200),
  source text NOT NULL DEFAULT 'form' CHECK (source IN ('form', 'import', 'demo')),
  recorded_by integer REFERENCES staff(id),
  recorded_by_account integer REFERENCES accounts(id),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_records_staff_course ON training_records (staff_id, course_id, completed_on DESC);
CREATE INDEX training_records_course ON training_records (course_id, completed_on);

-- Training someone must do that is not (only) a course requirement: "refresher training advised" at
-- an incident debrief. Outstanding until a completion of the course on or after created_on.
CREATE TABLE training_due_items (
  id serial PRIMARY KEY,
  staff_id integer NOT NULL REFERENCES staff(id),
  course_id integer NOT NULL REFERENCES training_courses(id),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  incident_id integer,
  created_on date NOT NULL,
  due_on date NOT NULL,
  created_by_account integer REFERENCES accounts(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_due_items_staff ON training_due_items (staff_id);

-- A team's training policy, set by its manager: 'warn' (the default, when there is no row) shows
-- missing lone-working training; 'require' stops RED and AMBER lone visits without it.
CREATE TABLE team_training_policies (
  team_id integer PRIMARY KEY REFERENCES teams(id),
  policy text NOT NULL CHECK (policy IN ('warn', 'require')),
  set_by_account integer REFERENCES accounts(id),
  set_at timestamptz NOT NULL DEFAULT now()
);

-- When each person was last reminded of training falling due (at most once a week).
CREATE TABLE training_reminders (
  staff_id integer PRIMARY KEY REFERENCES staff(id),
  sent_at timestamptz NOT NULL
);
