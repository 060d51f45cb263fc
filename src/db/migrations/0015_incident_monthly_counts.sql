-- FOI statistics at national scale (issue 7): the seed 000 questions (staff assaulted, assaults by
-- type, reported to the police, prosecutions, actions taken) counted per member of staff per London
-- calendar month, so a ten-year answer reads a few thousand rows instead of a million incidents. Per
-- member of staff, because the statistics filter by the staff member's team, service and job role,
-- and "staff assaulted" counts people, not incidents. Months sit wholly inside one financial year
-- (April to March), so a month row never straddles two answers. The queries read whole months from
-- here and the part-months at either end of a period from the incidents themselves (foi/statistics.ts).
--
-- Each measure is counted in the month it happened: the incident's month for the first eight, the
-- month of the manager's meeting and of telling the employee of their right to go to the police for
-- the last two (as the "actions taken" statistic counts them).
--
-- Kept in step by statement-level triggers over the changed rows (transition tables), so every write
-- path (the HS157 form, the CSV import, bulk loads) is counted, in the same transaction. Only reports
-- that count (status open or closed) contribute, as in the health and safety dashboard.
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
  manager_meetings   integer NOT NULL DEFAULT 0,
  police_right_told  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (month, employee_id)
);

CREATE TYPE incident_count_change AS (sign integer, employee_id integer, status text, occurred_at timestamptz, categories text[],
  police_reported boolean, police_outcome text, court_outcome text, meeting_held_at timestamptz, police_right_told_at timestamptz);

-- One incident's contribution (times sign: +1 added, -1 taken away): up to three month rows.
CREATE FUNCTION incident_monthly_contribution(x incident_count_change)
  RETURNS TABLE (month date, assaults integer, physical_assault integer, verbal_abuse integer, threats integer, sexual_harassment integer,
    police_reported integer, prosecuted integer, successful integer, manager_meetings integer, police_right_told integer)
  LANGUAGE sql IMMUTABLE AS $$
  SELECT date_trunc('month', x.occurred_at AT TIME ZONE 'Europe/London')::date,
    x.sign * (x.categories && ARRAY['physical_assault', 'verbal_abuse', 'threats', 'sexual_harassment'])::int,
    x.sign * ('physical_assault' = ANY(x.categories))::int,
    x.sign * ('verbal_abuse' = ANY(x.categories))::int,
    x.sign * ('threats' = ANY(x.categories))::int,
    x.sign * ('sexual_harassment' = ANY(x.categories))::int,
    x.sign * coalesce(x.police_reported, false)::int,
    x.sign * (x.police_outcome IS NOT DISTINCT FROM 'charged' OR x.court_outcome IS NOT NULL)::int,
    x.sign * (x.court_outcome IS NOT DISTINCT FROM 'convicted')::int,
    0, 0
  WHERE x.status IN ('open', 'closed') AND x.occurred_at IS NOT NULL
  UNION ALL
  SELECT date_trunc('month', x.meeting_held_at AT TIME ZONE 'Europe/London')::date, 0, 0, 0, 0, 0, 0, 0, 0, x.sign, 0
  WHERE x.status IN ('open', 'closed') AND x.meeting_held_at IS NOT NULL
  UNION ALL
  SELECT date_trunc('month', x.police_right_told_at AT TIME ZONE 'Europe/London')::date, 0, 0, 0, 0, 0, 0, 0, 0, 0, x.sign
  WHERE x.status IN ('open', 'closed') AND x.police_right_told_at IS NOT NULL
$$;

CREATE FUNCTION incident_monthly_counts_add(changes incident_count_change[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO incident_monthly_counts AS m (month, employee_id, assaults, physical_assault, verbal_abuse, threats, sexual_harassment,
      police_reported, prosecuted, successful, manager_meetings, police_right_told)
    SELECT c.month, x.employee_id, sum(c.assaults), sum(c.physical_assault), sum(c.verbal_abuse), sum(c.threats), sum(c.sexual_harassment),
      sum(c.police_reported), sum(c.prosecuted), sum(c.successful), sum(c.manager_meetings), sum(c.police_right_told)
    FROM unnest(changes) x CROSS JOIN LATERAL incident_monthly_contribution(x) c
    GROUP BY c.month, x.employee_id
    -- Old and new are netted, so an update that changes nothing counted (most of them) writes nothing.
    HAVING sum(c.assaults) <> 0 OR sum(c.physical_assault) <> 0 OR sum(c.verbal_abuse) <> 0 OR sum(c.threats) <> 0 OR sum(c.sexual_harassment) <> 0
        OR sum(c.police_reported) <> 0 OR sum(c.prosecuted) <> 0 OR sum(c.successful) <> 0 OR sum(c.manager_meetings) <> 0 OR sum(c.police_right_told) <> 0
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
      successful = m.successful + excluded.successful,
      manager_meetings = m.manager_meetings + excluded.manager_meetings,
      police_right_told = m.police_right_told + excluded.police_right_told
$$;

CREATE FUNCTION incident_monthly_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Transition tables exist only for the operation that fired, so each branch names its own.
  IF TG_OP = 'INSERT' THEN
    PERFORM incident_monthly_counts_add(ARRAY(SELECT ROW(1, employee_id, status, occurred_at, categories, police_reported, police_outcome,
      court_outcome, meeting_held_at, police_right_told_at)::incident_count_change FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM incident_monthly_counts_add(ARRAY(SELECT ROW(-1, employee_id, status, occurred_at, categories, police_reported, police_outcome,
      court_outcome, meeting_held_at, police_right_told_at)::incident_count_change FROM old_rows));
  ELSE
    PERFORM incident_monthly_counts_add(ARRAY(
      SELECT ROW(1, employee_id, status, occurred_at, categories, police_reported, police_outcome, court_outcome, meeting_held_at,
        police_right_told_at)::incident_count_change FROM new_rows
      UNION ALL
      SELECT ROW(-1, employee_id, status, occurred_at, categories, police_reported, police_outcome, court_outcome, meeting_held_at,
        police_right_told_at)::incident_count_change FROM old_rows));
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
SELECT incident_monthly_counts_add(ARRAY(SELECT ROW(1, employee_id, status, occurred_at, categories, police_reported, police_outcome,
  court_outcome, meeting_held_at, police_right_told_at)::incident_count_change FROM incidents));

-- The part-months of "actions taken" find meetings and right-to-report conversations by their own dates.
CREATE INDEX incidents_meeting_held ON incidents (meeting_held_at) WHERE meeting_held_at IS NOT NULL;
CREATE INDEX incidents_police_right_told ON incidents (police_right_told_at) WHERE police_right_told_at IS NOT NULL;
