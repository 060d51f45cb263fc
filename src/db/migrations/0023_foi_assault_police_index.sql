-- Issue 16: the police, prosecution and conviction figures count the assaults the FOI question asks
-- about, read from the incidents themselves (the monthly counts of 0015 cover every incident). This
-- partial index holds only assaults that reached the police, so the period's few are found directly.
CREATE INDEX incidents_assault_police ON incidents (occurred_at)
  WHERE status IN ('open', 'closed') AND categories && ARRAY['physical_assault', 'verbal_abuse', 'threats', 'sexual_harassment']::text[]
    AND (police_reported OR police_outcome = 'charged' OR court_outcome IS NOT NULL);
