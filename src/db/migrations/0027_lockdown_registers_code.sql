-- Issue 21, items 9-17: building lockdown as seed 001 §5 and Appendix K say, and the Kent Code
-- registers (seed 002) as the Code says.

-- Lockdown: the building manager and Appendix K's senior managers (service manager, assistant
-- director) are alerted wherever they are; people based there but checked in elsewhere are alerted
-- (so they do not walk back in) and listed apart from those in the building; the all clear records whether the police attended and
-- gave it, and a senior manager ending it from elsewhere records why.
ALTER TABLE lockdown_recipients DROP CONSTRAINT lockdown_recipients_reason_check;
ALTER TABLE lockdown_recipients ADD CONSTRAINT lockdown_recipients_reason_check
  CHECK (reason IN ('checked_in', 'based', 'based_elsewhere', 'building_manager', 'senior_manager'));
ALTER TABLE lockdowns ADD COLUMN police_attended boolean;
ALTER TABLE lockdowns ADD COLUMN police_all_clear boolean;
ALTER TABLE lockdowns ADD COLUMN ended_as text CHECK (ended_as IN ('runner', 'building_manager', 'key_holder', 'remote_senior'));
ALTER TABLE lockdowns ADD COLUMN remote_reason text;
ALTER TABLE lockdowns ADD CONSTRAINT lockdowns_remote_reason CHECK (ended_as IS DISTINCT FROM 'remote_senior' OR remote_reason IS NOT NULL);

-- Appendix 1: every declaration, nil ones included, is signed by a manager (or the delegate).
ALTER TABLE interest_declarations ADD COLUMN signed_off_by integer REFERENCES staff(id);
ALTER TABLE interest_declarations ADD COLUMN signed_off_name text;
ALTER TABLE interest_declarations ADD COLUMN signed_off_at timestamptz;
-- One declaration per person per year (a change of circumstances adds to it).
CREATE UNIQUE INDEX interest_declarations_one_a_year ON interest_declarations (staff_id, year);

-- The Code's other kinds of interest: E.4 contractors, F.4 applicants, F.5 colleagues, G.5/G.6
-- publishing and lecturing (with fees), H.7 intellectual property. H.5: an interest linked to a
-- contractor or supplier, or to a contract.
ALTER TABLE declared_interests DROP CONSTRAINT declared_interests_kind_check;
ALTER TABLE declared_interests ADD CONSTRAINT declared_interests_kind_check CHECK (kind IN (
  'financial', 'non_financial', 'membership', 'bankruptcy', 'outside_employment',
  'contractor_relationship', 'applicant_relationship', 'colleague_relationship', 'publishing_lecturing', 'intellectual_property'));
ALTER TABLE declared_interests ADD COLUMN supplier_id integer REFERENCES suppliers(id);
ALTER TABLE declared_interests ADD COLUMN contract text;
ALTER TABLE declared_interests ADD COLUMN lecture_fee_pence integer CHECK (lecture_fee_pence >= 0);
ALTER TABLE declared_interests ADD COLUMN lecture_in_council_time boolean;

-- L.1-L.4: who offered it; hospitality's event date and the manager who authorised it in advance;
-- a manager's override (with its reason) to accept a significant gift.
ALTER TABLE gift_entries ADD COLUMN giver_type text NOT NULL DEFAULT 'organisation'
  CHECK (giver_type IN ('client', 'contractor_supplier', 'organisation', 'private_individual'));
ALTER TABLE gift_entries ADD COLUMN event_on date;
ALTER TABLE gift_entries ADD COLUMN authorised_by integer REFERENCES staff(id);
ALTER TABLE gift_entries ADD COLUMN authorised_by_name text;
ALTER TABLE gift_entries ADD COLUMN late boolean NOT NULL DEFAULT false;
ALTER TABLE gift_entries ADD COLUMN needs_override boolean NOT NULL DEFAULT false;
ALTER TABLE gift_entries ADD COLUMN override_reason text;
