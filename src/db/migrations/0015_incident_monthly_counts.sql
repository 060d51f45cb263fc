-- FOI statistics at national scale (issue 7): the seed 000 questions (staff assaulted, assaults by
-- type, reported to the police, prosecutions) counted per member of staff per London calendar month,
-- so a ten-year answer reads a few thousand rows instead of a million incidents. Per member of staff,
-- because the statistics filter by the staff member's team, service and job role, and "staff
-- assaulted" counts people, not incidents. Months sit wholly inside one financial year (April to
-- March), so a month row never straddles two answers. The query reads whole months from here and the
-- part-months at either end of a period from the incidents themselves (see foi/statistics.ts).
--
-- Kept in step by statement-level triggers over the changed rows (transition tables), so every write
-- path (the HS157 form, the CSV import, bulk loads) is counted, and in the same transaction.
-- Only reports that count (status open or closed) contribute, as in the health and safety dashboard.
CREATE TABLE incident_monthly_counts (
  month              date NOT NULL,
  employee_id        integer NOT NULL REFERENCES staff(id),
  assaults           integer NOT NULL DEFAULT 0,
  physical_assault   integer NOT NULL DEFAULT 0,
  verbal_abuse       integer NOT NULL DEFAULT 0,
  threats            integer NOT NULL DEFAULT 0,
  sexual_harassment  integer NOT NULL DEFAULT 0,
  police_reported    integer NOT NULL DEFAULT 0,
  prosecuted         integer NOT NULL DEFAULT 0,
  successful         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (month, employee_id)
);

-- One incident's contribution, as a row of 0/1 (times sign: +1 added, -1 taken away).
CREATE FUNCTION incident_monthly_contribution(sign integer, status text, occurred_at timestamptz, categories text[],
    police_reported boolean, police_outcome text, court_outcome text)
  RETURNS TABLE (month date, assaults integer, physical_assault integer, verbal_abuse integer, threats integer,
    sexual_harassment integer, police_reported_n integer, prosecuted integer, successful integer)
  LANGUAGE sql IMMUTABLE AS $$
  SELECT date_trunc('month', occurred_at AT TIME ZONE 'Europe/London')::date,
    sign * (categories && ARRAY['physical_assault', 'verbal_abuse', 'threats', 'sexual_harassment'])::int,
    sign * ('physical_assault' = ANY(categories))::int,
    sign * ('verbal_abuse' = ANY(categories))::int,
    sign * ('threats' = ANY(categories))::int,
    sign * ('sexual_harassment' = ANY(categories))::int,
    sign * coalesce(police_reported, false)::int,
    sign * (police_outcome IS NOT DISTINCT FROM 'charged' OR court_outcome IS NOT NULL)::int,
    sign * (court_outcome IS NOT DISTINCT FROM 'convicted')::int
  WHERE status IN ('open', 'closed') AND occurred_at IS NOT NULL
$$;

-- A set of changed incidents (sign +1 for rows added, -1 for rows taken away), added into the counts.
CREATE TYPE incident_count_change AS (sign integer, employee_id integer, status text, occurred_at timestamptz, categories text[],
  police_reported boolean, police_outcome text, court_outcome text);

CREATE FUNCTION incident_monthly_counts_add(changes incident_count_change[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO incident_monthly_counts AS m (month, employee_id, assaults, physical_assault, verbal_abuse, threats, sexual_harassment, police_reported, prosecuted, successful)
    SELECT c.month, x.employee_id, sum(c.assaults), sum(c.physical_assault), sum(c.verbal_abuse), sum(c.threats), sum(c.sexual_harassment),
      sum(c.police_reported_n), sum(c.prosecuted), sum(c.successful)
    FROM unnest(changes) x
    CROSS JOIN LATERAL incident_monthly_contribution(x.sign, x.status, x.occurred_at, x.categories, x.police_reported, x.police_outcome, x.court_outcome) c
    GROUP BY c.month, x.employee_id
    -- An update that changes nothing counted (most of them: drafts, the manager's response) writes nothing.
    HAVING sum(c.assaults) <> 0 OR sum(c.physical_assault) <> 0 OR sum(c.verbal_abuse) <> 0 OR sum(c.threats) <> 0 OR sum(c.sexual_harassment) <> 0
        OR sum(c.police_reported_n) <> 0 OR sum(c.prosecuted) <> 0 OR sum(c.successful) <> 0
    -- Rows in key order, so two transactions touching the same months cannot deadlock.
    ORDER BY c.month, x.employee_id
    ON CONFLICT (month, employee_id) DO UPDATE SET
      assaults = m.assaults + excluded.assaults,
      physical_assault = m.physical_assault + excluded.physical_assault,
      verbal_abuse = m.verbal_abuse + excluded.verbal_abuse,
      threats = m.threats + excluded.threats,
      sexual_harassment = m.sexual_harassment + excluded.sexual_harassment,
      police_reported = m.police_reported + excluded.police_reported,
      prosecuted = m.prosecuted + excluded.prosecuted,
      successful = m.successful + excluded.successful
$$;

CREATE FUNCTION incident_monthly_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables exist only for the operation that fired, so each branch names its own.
  IF TG_OP = 'INSERT' THEN
    PERFORM incident_monthly_counts_add(ARRAY(SELECT ROW(1, employee_id, status, occurred_at, categories, police_reported, police_outcome, court_outcome)::incident_count_change FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM incident_monthly_counts_add(ARRAY(SELECT ROW(-1, employee_id, status, occurred_at, categories, police_reported, police_outcome, court_outcome)::incident_count_change FROM old_rows));
  ELSE
    -- Old and new netted in one pass, so an update that changes nothing counted writes nothing.
    PERFORM incident_monthly_counts_add(ARRAY(
      SELECT ROW(1, employee_id, status, occurred_at, categories, police_reported, police_outcome, court_outcome)::incident_count_change FROM new_rows
      UNION ALL
      SELECT ROW(-1, employee_id, status, occurred_at, categories, police_reported, police_outcome, court_outcome)::incident_count_change FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER incident_monthly_counts_insert AFTER INSERT ON incidents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_monthly_counts_apply();
CREATE TRIGGER incident_monthly_counts_update AFTER UPDATE ON incidents
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_monthly_counts_apply();
CREATE TRIGGER incident_monthly_counts_delete AFTER DELETE ON incidents
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_monthly_counts_apply();

-- Existing records.
INSERT INTO incident_monthly_counts (month, employee_id, assaults, physical_assault, verbal_abuse, threats, sexual_harassment, police_reported, prosecuted, successful)
  SELECT c.month, i.employee_id, sum(c.assaults), sum(c.physical_assault), sum(c.verbal_abuse), sum(c.threats), sum(c.sexual_harassment),
    sum(c.police_reported_n), sum(c.prosecuted), sum(c.successful)
  FROM incidents i
  CROSS JOIN LATERAL incident_monthly_contribution(1, i.status, i.occurred_at, i.categories, i.police_reported, i.police_outcome, i.court_outcome) c
  GROUP BY 1, 2;
