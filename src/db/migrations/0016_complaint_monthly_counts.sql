-- FOI statistics at national scale (issue 7), complaints half (seeds 003 and 004): complaints counted
-- per calendar month of receipt, procedure, outcome or action, and the set of staff complained about.
-- By the set, not per member of staff, so a complaint naming two people in the chosen team or role is
-- still counted once (the statistics filter with `staff_ids && <matching staff>`). Whole months are
-- read from here, part-months at either end of a period from the complaints (see foi/statistics.ts).
--
-- Each complaint carries its counted facts on its own row (the staff named, the actions taken and any
-- referral), copied there by triggers on complaint_staff, complaint_actions and complaint_referrals.
-- So every change reaches the counts as an UPDATE of complaints, and one statement-level trigger
-- there nets the old contribution against the new, in the same transaction.
ALTER TABLE complaints ADD COLUMN stat_staff_ids integer[] NOT NULL DEFAULT '{}';
ALTER TABLE complaints ADD COLUMN stat_action_keys text[] NOT NULL DEFAULT '{}';
-- Seed 003's "unrelated complainants": the household, else the complainant, normalised (as complaints/rules.ts).
ALTER TABLE complaints ADD COLUMN complainant_group text GENERATED ALWAYS AS (coalesce(
  'household:' || nullif(trim(regexp_replace(lower(household), '[^a-z0-9]+', ' ', 'g')), ''),
  'person:' || nullif(trim(regexp_replace(lower(complainant_name), '[^a-z0-9]+', ' ', 'g')), ''))) STORED;

CREATE TABLE complaint_monthly_counts (
  month      date NOT NULL,
  procedure  text NOT NULL,
  staff_ids  integer[] NOT NULL,
  -- withdrawn, not_investigated, upheld, partially_upheld, not_upheld or open (exactly one per
  -- complaint), and action_<kind> and referred (each at most once per complaint).
  key        text NOT NULL,
  n          integer NOT NULL,
  PRIMARY KEY (month, procedure, key, staff_ids)
);

-- Seed 003 Q10 (two or more complaints from unrelated complainants): per member of staff, the day
-- each complaint was received and its complainant group, so the question is two index probes per
-- person ("the first group in the period; any other group in it?") instead of a join of every complaint.
CREATE TABLE complaint_staff_groups (
  staff_id     integer NOT NULL REFERENCES staff(id),
  received_on  date NOT NULL,
  group_key    text NOT NULL,
  n            integer NOT NULL,
  PRIMARY KEY (staff_id, received_on, group_key)
);

-- The outcome key of a complaint: withdrawn first, then not investigated, then the outcome.
CREATE FUNCTION complaint_outcome_key(withdrawn_on date, not_investigated_on date, outcome text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN withdrawn_on IS NOT NULL THEN 'withdrawn' WHEN not_investigated_on IS NOT NULL THEN 'not_investigated'
    WHEN outcome IS NOT NULL THEN outcome ELSE 'open' END
$$;

CREATE TYPE complaint_count_change AS (sign integer, received_on date, procedure text, withdrawn_on date, not_investigated_on date,
  outcome text, staff_ids integer[], action_keys text[], group_key text);

CREATE FUNCTION complaint_monthly_counts_add(changes complaint_count_change[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO complaint_monthly_counts AS m (month, procedure, staff_ids, key, n)
    SELECT make_date(extract(year FROM x.received_on)::int, extract(month FROM x.received_on)::int, 1), x.procedure, x.staff_ids, k.key, sum(x.sign)
    FROM unnest(changes) x
    CROSS JOIN LATERAL unnest(complaint_outcome_key(x.withdrawn_on, x.not_investigated_on, x.outcome) || x.action_keys) AS k(key)
    GROUP BY 1, 2, 3, 4
    HAVING sum(x.sign) <> 0
    ORDER BY 1, 2, 4, 3
    ON CONFLICT (month, procedure, key, staff_ids) DO UPDATE SET n = m.n + excluded.n;
  INSERT INTO complaint_staff_groups AS g (staff_id, received_on, group_key, n)
    SELECT sid, x.received_on, x.group_key, sum(x.sign)
    FROM unnest(changes) x CROSS JOIN LATERAL unnest(x.staff_ids) AS sid
    GROUP BY 1, 2, 3
    HAVING sum(x.sign) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (staff_id, received_on, group_key) DO UPDATE SET n = g.n + excluded.n
$$;

CREATE FUNCTION complaint_monthly_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM complaint_monthly_counts_add(ARRAY(SELECT ROW(1, received_on, procedure, withdrawn_on, not_investigated_on, outcome, stat_staff_ids, stat_action_keys, coalesce(complainant_group, 'complaint:' || id))::complaint_count_change FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM complaint_monthly_counts_add(ARRAY(SELECT ROW(-1, received_on, procedure, withdrawn_on, not_investigated_on, outcome, stat_staff_ids, stat_action_keys, coalesce(complainant_group, 'complaint:' || id))::complaint_count_change FROM old_rows));
  ELSE
    PERFORM complaint_monthly_counts_add(ARRAY(
      SELECT ROW(1, received_on, procedure, withdrawn_on, not_investigated_on, outcome, stat_staff_ids, stat_action_keys, coalesce(complainant_group, 'complaint:' || id))::complaint_count_change FROM new_rows
      UNION ALL
      SELECT ROW(-1, received_on, procedure, withdrawn_on, not_investigated_on, outcome, stat_staff_ids, stat_action_keys, coalesce(complainant_group, 'complaint:' || id))::complaint_count_change FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;

-- Looked up per complaint by the facts below (it had no index).
CREATE INDEX complaint_referrals_complaint ON complaint_referrals (complaint_id);

-- The counted facts copied onto the complaint row, for the complaints given.
CREATE FUNCTION complaint_stat_facts_refresh(ids integer[]) RETURNS void LANGUAGE sql AS $$
  UPDATE complaints c SET
    stat_staff_ids = coalesce((SELECT array_agg(DISTINCT cs.staff_id ORDER BY cs.staff_id) FROM complaint_staff cs WHERE cs.complaint_id = c.id), '{}'),
    stat_action_keys = coalesce((SELECT array_agg(k ORDER BY k) FROM (
        SELECT DISTINCT 'action_' || a.kind AS k FROM complaint_actions a WHERE a.complaint_id = c.id
        UNION SELECT 'referred' FROM complaint_referrals r WHERE r.complaint_id = c.id) ks), '{}')
  WHERE c.id = ANY(ids)
$$;

CREATE FUNCTION complaint_stat_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM complaint_stat_facts_refresh(ARRAY(SELECT DISTINCT complaint_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM complaint_stat_facts_refresh(ARRAY(SELECT DISTINCT complaint_id FROM old_rows));
  ELSE
    PERFORM complaint_stat_facts_refresh(ARRAY(SELECT complaint_id FROM new_rows UNION SELECT complaint_id FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER complaint_staff_facts_insert AFTER INSERT ON complaint_staff
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_staff_facts_update AFTER UPDATE ON complaint_staff
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_staff_facts_delete AFTER DELETE ON complaint_staff
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_actions_facts_insert AFTER INSERT ON complaint_actions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_actions_facts_update AFTER UPDATE ON complaint_actions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_actions_facts_delete AFTER DELETE ON complaint_actions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_referrals_facts_insert AFTER INSERT ON complaint_referrals
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_referrals_facts_update AFTER UPDATE ON complaint_referrals
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();
CREATE TRIGGER complaint_referrals_facts_delete AFTER DELETE ON complaint_referrals
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_stat_facts_changed();

-- Existing records: the facts onto each complaint, then the counts from them; only then do the
-- counts follow every change to a complaint.
SELECT complaint_stat_facts_refresh(ARRAY(SELECT id FROM complaints));
SELECT complaint_monthly_counts_add(ARRAY(
  SELECT ROW(1, received_on, procedure, withdrawn_on, not_investigated_on, outcome, stat_staff_ids, stat_action_keys, coalesce(complainant_group, 'complaint:' || id))::complaint_count_change FROM complaints));

CREATE TRIGGER complaint_monthly_counts_insert AFTER INSERT ON complaints
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_monthly_counts_apply();
CREATE TRIGGER complaint_monthly_counts_update AFTER UPDATE ON complaints
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_monthly_counts_apply();
CREATE TRIGGER complaint_monthly_counts_delete AFTER DELETE ON complaints
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION complaint_monthly_counts_apply();
