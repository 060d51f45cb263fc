-- Risk gate, issue 21 items 1-8: no one-person bypass of RED.

-- Canonical case key: letters and digits only, upper case ("AB 12345", "ab-12345", "AB  12345" → "AB12345").
-- Kept by the database on both sides (flags, visits, assessments) so every writer stores the same key.
ALTER TABLE warning_flags ADD COLUMN case_key text GENERATED ALWAYS AS (nullif(upper(regexp_replace(coalesce(case_id, ''), '[^A-Za-z0-9]', '', 'g')), '')) STORED;
ALTER TABLE visits ADD COLUMN case_key text GENERATED ALWAYS AS (nullif(upper(regexp_replace(coalesce(case_id, ''), '[^A-Za-z0-9]', '', 'g')), '')) STORED;
ALTER TABLE risk_assessments ADD COLUMN case_key text GENERATED ALWAYS AS (nullif(upper(regexp_replace(coalesce(case_id, ''), '[^A-Za-z0-9]', '', 'g')), '')) STORED;
CREATE INDEX warning_flags_case_key ON warning_flags (case_key) WHERE withdrawn_at IS NULL;
CREATE INDEX visits_case_key ON visits (case_key) WHERE state = 'planned';
CREATE INDEX risk_assessments_case_key ON risk_assessments (case_system, case_key) WHERE superseded_at IS NULL;

-- "Meet in a council building" moves the session there: the home address it was planned at is kept
-- here (for the rating and to move it back if the control changes), the session's own address becomes the building's.
ALTER TABLE visits ADD COLUMN home_address text;
ALTER TABLE visits ADD COLUMN home_postcode text;
-- The joint visit partner confirmed they are going (a partner changed in an edit must confirm again).
ALTER TABLE visits ADD COLUMN joint_confirmed_at timestamptz;

-- A RED visit's individual risk assessment is completed or countersigned by a manager of the worker.
ALTER TABLE risk_assessments ADD COLUMN countersigned_by integer REFERENCES staff(id);
ALTER TABLE risk_assessments ADD COLUMN countersigned_at timestamptz;
