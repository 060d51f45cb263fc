-- Risk gate (seed 001 Appendix E traffic lights): warning flags on cases and addresses, individual
-- risk assessments (the 5 steps), and what has been done about a RED or AMBER visit before it starts.

-- A warning about a case or an address. It matches a visit by case (system and id) or by postcode.
-- Live while not withdrawn and not past expires_at. The incidents feature raises them too (source).
CREATE TABLE warning_flags (
  id             serial PRIMARY KEY,
  case_system    text CHECK (case_system IN ('liberi', 'ehm', 'cdy', 'core_plus', 'synergy', 'other')),
  -- Upper case, as typed otherwise.
  case_id        text,
  -- Normalised: upper case, one space before the inward code ("TN23 1PL").
  postcode       text,
  category       text NOT NULL CHECK (category IN ('violence', 'weapons', 'dogs', 'other_high_risk')),
  description    text NOT NULL,
  source         text NOT NULL DEFAULT 'manual',
  raised_by      integer REFERENCES accounts(id),
  raised_at      timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz,
  withdrawn_at   timestamptz,
  withdrawn_by   integer REFERENCES accounts(id),
  CHECK ((case_system IS NULL) = (case_id IS NULL)),
  CHECK (case_id IS NOT NULL OR postcode IS NOT NULL)
);
CREATE INDEX warning_flags_case ON warning_flags (case_system, case_id) WHERE withdrawn_at IS NULL;
CREATE INDEX warning_flags_postcode ON warning_flags (postcode) WHERE withdrawn_at IS NULL;

-- An individual risk assessment ("Risk assessment blank form - 5 steps"), for a case (every visit
-- to it) and/or for one visit. Step 5, review, is the review date: past it, it no longer counts.
CREATE TABLE risk_assessments (
  id              serial PRIMARY KEY,
  case_system     text CHECK (case_system IN ('liberi', 'ehm', 'cdy', 'core_plus', 'synergy', 'other')),
  case_id         text,
  visit_id        integer REFERENCES visits(id),
  -- The team of the worker it was recorded for, so their managers see when it is due for review.
  team_id         integer REFERENCES teams(id),
  hazards         text NOT NULL,
  who_harmed      text NOT NULL,
  controls        text NOT NULL,
  findings        text NOT NULL,
  review_date     date NOT NULL,
  -- Where the full form is held, e.g. a document reference in Liberi or EHM.
  document_ref    text,
  completed_by    integer REFERENCES staff(id),
  completed_by_account integer REFERENCES accounts(id),
  completed_at    timestamptz NOT NULL DEFAULT now(),
  -- Set when a newer assessment for the same case or visit replaces this one.
  superseded_at   timestamptz,
  CHECK ((case_system IS NULL) = (case_id IS NULL)),
  CHECK (case_id IS NOT NULL OR visit_id IS NOT NULL)
);
CREATE INDEX risk_assessments_case ON risk_assessments (case_system, case_id) WHERE superseded_at IS NULL;
CREATE INDEX risk_assessments_visit ON risk_assessments (visit_id) WHERE superseded_at IS NULL;
CREATE INDEX risk_assessments_review ON risk_assessments (review_date) WHERE superseded_at IS NULL;

-- How a RED visit is made safe enough to start: a joint visit, a meeting in a council building, or
-- the approval of the worker's line manager (or someone above them). One per visit; the latest counts.
CREATE TABLE visit_risk_controls (
  visit_id     integer PRIMARY KEY REFERENCES visits(id),
  control      text NOT NULL CHECK (control IN ('joint_visit', 'council_building', 'manager_approval')),
  building_id  integer REFERENCES buildings(id),
  approved_by  integer REFERENCES staff(id),
  approved_by_account integer REFERENCES accounts(id),
  approved_at  timestamptz NOT NULL DEFAULT now(),
  note         text,
  CHECK (control <> 'council_building' OR building_id IS NOT NULL),
  CHECK (control <> 'manager_approval' OR approved_by IS NOT NULL)
);

-- The AMBER checklist: each precaution confirmed, or waived with a reason, before check-in.
CREATE TABLE visit_precautions (
  visit_id     integer NOT NULL REFERENCES visits(id),
  precaution   text NOT NULL,
  status       text NOT NULL CHECK (status IN ('confirmed', 'waived')),
  reason       text,
  recorded_by  integer REFERENCES staff(id),
  recorded_by_account integer REFERENCES accounts(id),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (visit_id, precaution),
  CHECK (status <> 'waived' OR (reason IS NOT NULL AND length(trim(reason)) > 0))
);
