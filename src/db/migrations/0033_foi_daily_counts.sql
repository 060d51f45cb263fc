-- FOI statistics at national scale, issue 16 (speed): every statistic reads only pre-counts.
--
-- 1. The police, prosecution and conviction figures count the assaults the question asks about
--    (issue 16), so the monthly counts of 0015 gain the same three measures over assaults only.
-- 2. A period's part-months at either end were read from the incidents and complaints themselves,
--    which at a million records meant thousands of scattered rows. They are now read from daily
--    counts with the same measures: per London day and member of staff (incidents), and per day
--    of receipt, procedure, set of staff named and key (complaints), as the monthly counts are.
-- 3. "Referred to a regulator" and "referred to the Ombudsman" are counted apart (issue 16): each
--    complaint carries `referred_regulator` and `referred_ombudsman` among its counted facts, beside
--    `referred`, so the monthly and daily counts hold them.
--
-- The same statement-level triggers keep every table exact on insert, update and delete (the
-- functions they call are replaced here, with the same signatures), so every write path (forms,
-- imports, the demo seed, retention anonymising, bulk loads) counts, in the same transaction.

-- ---- Incidents --------------------------------------------------------------------------------------

ALTER TABLE incident_monthly_counts ADD COLUMN assault_police_reported integer NOT NULL DEFAULT 0;
ALTER TABLE incident_monthly_counts ADD COLUMN assault_prosecuted integer NOT NULL DEFAULT 0;
ALTER TABLE incident_monthly_counts ADD COLUMN assault_successful integer NOT NULL DEFAULT 0;

CREATE TABLE incident_daily_counts (
  day                      date NOT NULL,
  employee_id              integer NOT NULL REFERENCES staff(id),
  assaults                 integer NOT NULL DEFAULT 0,
  physical_assault         integer NOT NULL DEFAULT 0,
  verbal_abuse             integer NOT NULL DEFAULT 0,
  threats                  integer NOT NULL DEFAULT 0,
  sexual_harassment        integer NOT NULL DEFAULT 0,
  police_reported          integer NOT NULL DEFAULT 0,
  prosecuted               integer NOT NULL DEFAULT 0,
  successful               integer NOT NULL DEFAULT 0,
  manager_meetings         integer NOT NULL DEFAULT 0,
  police_right_told        integer NOT NULL DEFAULT 0,
  assault_police_reported  integer NOT NULL DEFAULT 0,
  assault_prosecuted       integer NOT NULL DEFAULT 0,
  assault_successful       integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, employee_id)
);

-- One incident's contribution (times sign) by London day: up to three day rows. The first eight
-- measures as in 0015; the last three are the police measures over assaults only.
CREATE FUNCTION incident_daily_contribution(x incident_count_change)
  RETURNS TABLE (day date, assaults integer, physical_assault integer, verbal_abuse integer, threats integer, sexual_harassment integer,
    police_reported integer, prosecuted integer, successful integer, manager_meetings integer, police_right_told integer,
    assault_police_reported integer, assault_prosecuted integer, assault_successful integer)
  LANGUAGE sql IMMUTABLE AS $$
  SELECT (x.occurred_at AT TIME ZONE 'Europe/London')::date,
    x.sign * a,
    x.sign * ('physical_assault' = ANY(x.categories))::int,
    x.sign * ('verbal_abuse' = ANY(x.categories))::int,
    x.sign * ('threats' = ANY(x.categories))::int,
    x.sign * ('sexual_harassment' = ANY(x.categories))::int,
    x.sign * r, x.sign * p, x.sign * s,
    0, 0,
    x.sign * a * r, x.sign * a * p, x.sign * a * s
  FROM (SELECT (x.categories && ARRAY['physical_assault', 'verbal_abuse', 'threats', 'sexual_harassment'])::int AS a,
      coalesce(x.police_reported, false)::int AS r,
      (x.police_outcome IS NOT DISTINCT FROM 'charged' OR x.court_outcome IS NOT NULL)::int AS p,
      (x.court_outcome IS NOT DISTINCT FROM 'convicted')::int AS s) f
  WHERE x.status IN ('open', 'closed') AND x.occurred_at IS NOT NULL
  UNION ALL
  SELECT (x.meeting_held_at AT TIME ZONE 'Europe/London')::date, 0, 0, 0, 0, 0, 0, 0, 0, x.sign, 0, 0, 0, 0
  WHERE x.status IN ('open', 'closed') AND x.meeting_held_at IS NOT NULL
  UNION ALL
  SELECT (x.police_right_told_at AT TIME ZONE 'Europe/London')::date, 0, 0, 0, 0, 0, 0, 0, 0, 0, x.sign, 0, 0, 0
  WHERE x.status IN ('open', 'closed') AND x.police_right_told_at IS NOT NULL
$$;

-- The changes by day and by month (a day's month start), netted, into both tables; rows in key order.
CREATE OR REPLACE FUNCTION incident_monthly_counts_add(changes incident_count_change[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO incident_daily_counts AS m (day, employee_id, assaults, physical_assault, verbal_abuse, threats, sexual_harassment,
      police_reported, prosecuted, successful, manager_meetings, police_right_told, assault_police_reported, assault_prosecuted, assault_successful)
    SELECT c.day, x.employee_id, sum(c.assaults), sum(c.physical_assault), sum(c.verbal_abuse), sum(c.threats), sum(c.sexual_harassment),
      sum(c.police_reported), sum(c.prosecuted), sum(c.successful), sum(c.manager_meetings), sum(c.police_right_told),
      sum(c.assault_police_reported), sum(c.assault_prosecuted), sum(c.assault_successful)
    FROM unnest(changes) x CROSS JOIN LATERAL incident_daily_contribution(x) c
    GROUP BY c.day, x.employee_id
    HAVING sum(c.assaults) <> 0 OR sum(c.physical_assault) <> 0 OR sum(c.verbal_abuse) <> 0 OR sum(c.threats) <> 0 OR sum(c.sexual_harassment) <> 0
        OR sum(c.police_reported) <> 0 OR sum(c.prosecuted) <> 0 OR sum(c.successful) <> 0 OR sum(c.manager_meetings) <> 0 OR sum(c.police_right_told) <> 0
        OR sum(c.assault_police_reported) <> 0 OR sum(c.assault_prosecuted) <> 0 OR sum(c.assault_successful) <> 0
    ORDER BY c.day, x.employee_id
    ON CONFLICT (day, employee_id) DO UPDATE SET
      assaults = m.assaults + excluded.assaults,
      physical_assault = m.physical_assault + excluded.physical_assault,
      verbal_abuse = m.verbal_abuse + excluded.verbal_abuse,
      threats = m.threats + excluded.threats,
      sexual_harassment = m.sexual_harassment + excluded.sexual_harassment,
      police_reported = m.police_reported + excluded.police_reported,
      prosecuted = m.prosecuted + excluded.prosecuted,
      successful = m.successful + excluded.successful,
      manager_meetings = m.manager_meetings + excluded.manager_meetings,
      police_right_told = m.police_right_told + excluded.police_right_told,
      assault_police_reported = m.assault_police_reported + excluded.assault_police_reported,
      assault_prosecuted = m.assault_prosecuted + excluded.assault_prosecuted,
      assault_successful = m.assault_successful + excluded.assault_successful;
  INSERT INTO incident_monthly_counts AS m (month, employee_id, assaults, physical_assault, verbal_abuse, threats, sexual_harassment,
      police_reported, prosecuted, successful, manager_meetings, police_right_told, assault_police_reported, assault_prosecuted, assault_successful)
    SELECT date_trunc('month', c.day)::date, x.employee_id, sum(c.assaults), sum(c.physical_assault), sum(c.verbal_abuse), sum(c.threats), sum(c.sexual_harassment),
      sum(c.police_reported), sum(c.prosecuted), sum(c.successful), sum(c.manager_meetings), sum(c.police_right_told),
      sum(c.assault_police_reported), sum(c.assault_prosecuted), sum(c.assault_successful)
    FROM unnest(changes) x CROSS JOIN LATERAL incident_daily_contribution(x) c
    GROUP BY 1, x.employee_id
    HAVING sum(c.assaults) <> 0 OR sum(c.physical_assault) <> 0 OR sum(c.verbal_abuse) <> 0 OR sum(c.threats) <> 0 OR sum(c.sexual_harassment) <> 0
        OR sum(c.police_reported) <> 0 OR sum(c.prosecuted) <> 0 OR sum(c.successful) <> 0 OR sum(c.manager_meetings) <> 0 OR sum(c.police_right_told) <> 0
        OR sum(c.assault_police_reported) <> 0 OR sum(c.assault_prosecuted) <> 0 OR sum(c.assault_successful) <> 0
    ORDER BY 1, x.employee_id
    ON CONFLICT (month, employee_id) DO UPDATE SET
      assaults = m.assaults + excluded.assaults,
      physical_assault = m.physical_assault + excluded.physical_assault,
      verbal_abuse = m.verbal_abuse + excluded.verbal_abuse,
      threats = m.threats + excluded.threats,
      sexual_harassment = m.sexual_harassment + excluded.sexual_harassment,
      police_reported = m.police_reported + excluded.police_reported,
      prosecuted = m.prosecuted + excluded.prosecuted,
      successful = m.successful + excluded.successful,
      manager_meetings = m.manager_meetings + excluded.manager_meetings,
      police_right_told = m.police_right_told + excluded.police_right_told,
      assault_police_reported = m.assault_police_reported + excluded.assault_police_reported,
      assault_prosecuted = m.assault_prosecuted + excluded.assault_prosecuted,
      assault_successful = m.assault_successful + excluded.assault_successful
$$;

-- Existing records, counted afresh into both tables.
DELETE FROM incident_monthly_counts;
SELECT incident_monthly_counts_add(ARRAY(SELECT ROW(1, employee_id, status, occurred_at, categories, police_reported, police_outcome,
  court_outcome, meeting_held_at, police_right_told_at)::incident_count_change FROM incidents));

-- ---- Complaints -------------------------------------------------------------------------------------

CREATE TABLE complaint_daily_counts (
  day        date NOT NULL,
  procedure  text NOT NULL,
  staff_ids  integer[] NOT NULL,
  key        text NOT NULL,
  n          integer NOT NULL,
  PRIMARY KEY (day, procedure, key, staff_ids)
);

CREATE OR REPLACE FUNCTION complaint_monthly_counts_add(changes complaint_count_change[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO complaint_monthly_counts AS m (month, procedure, staff_ids, key, n)
    SELECT make_date(extract(year FROM x.received_on)::int, extract(month FROM x.received_on)::int, 1), x.procedure, x.staff_ids, k.key, sum(x.sign)
    FROM unnest(changes) x
    CROSS JOIN LATERAL unnest(complaint_outcome_key(x.withdrawn_on, x.not_investigated_on, x.outcome) || x.action_keys) AS k(key)
    GROUP BY 1, 2, 3, 4
    HAVING sum(x.sign) <> 0
    ORDER BY 1, 2, 4, 3
    ON CONFLICT (month, procedure, key, staff_ids) DO UPDATE SET n = m.n + excluded.n;
  INSERT INTO complaint_daily_counts AS m (day, procedure, staff_ids, key, n)
    SELECT x.received_on, x.procedure, x.staff_ids, k.key, sum(x.sign)
    FROM unnest(changes) x
    CROSS JOIN LATERAL unnest(complaint_outcome_key(x.withdrawn_on, x.not_investigated_on, x.outcome) || x.action_keys) AS k(key)
    GROUP BY 1, 2, 3, 4
    HAVING sum(x.sign) <> 0
    ORDER BY 1, 2, 4, 3
    ON CONFLICT (day, procedure, key, staff_ids) DO UPDATE SET n = m.n + excluded.n;
  INSERT INTO complaint_staff_groups AS g (staff_id, received_on, group_key, n)
    SELECT sid, x.received_on, x.group_key, sum(x.sign)
    FROM unnest(changes) x CROSS JOIN LATERAL unnest(x.staff_ids) AS sid
    GROUP BY 1, 2, 3
    HAVING sum(x.sign) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (staff_id, received_on, group_key) DO UPDATE SET n = g.n + excluded.n
$$;

-- Existing complaints into the daily counts (from the facts they carry now).
INSERT INTO complaint_daily_counts (day, procedure, staff_ids, key, n)
  SELECT c.received_on, c.procedure, c.stat_staff_ids, k.key, count(*)
  FROM complaints c CROSS JOIN LATERAL unnest(complaint_outcome_key(c.withdrawn_on, c.not_investigated_on, c.outcome) || c.stat_action_keys) AS k(key)
  GROUP BY 1, 2, 3, 4;

-- The referral's kind among the counted facts: the Local Government and Social Care Ombudsman, or a regulator.
CREATE OR REPLACE FUNCTION complaint_stat_facts_refresh(ids integer[]) RETURNS void LANGUAGE sql AS $$
  UPDATE complaints c SET
    stat_staff_ids = coalesce((SELECT array_agg(DISTINCT cs.staff_id ORDER BY cs.staff_id) FROM complaint_staff cs WHERE cs.complaint_id = c.id), '{}'),
    stat_action_keys = coalesce((SELECT array_agg(k ORDER BY k) FROM (
        SELECT DISTINCT 'action_' || a.kind AS k FROM complaint_actions a WHERE a.complaint_id = c.id
        UNION SELECT 'referred' FROM complaint_referrals r WHERE r.complaint_id = c.id
        UNION SELECT CASE WHEN r.body = 'lgsco' THEN 'referred_ombudsman' ELSE 'referred_regulator' END FROM complaint_referrals r WHERE r.complaint_id = c.id) ks), '{}')
  WHERE c.id = ANY(ids)
$$;

-- Complaints already referred gain the new facts; the triggers move them into every count.
SELECT complaint_stat_facts_refresh(ARRAY(SELECT DISTINCT complaint_id FROM complaint_referrals));
