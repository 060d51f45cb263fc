-- The check-in, the busiest write in Harbour (every worker, every few minutes), as one function:
-- a timeline row for a running session, nothing else (see visits/last-contact.ts). PL/pgSQL keeps the
-- statement's plan for the life of the connection, where a query sent from the app is parsed and
-- planned on every call; on the embedded engine that planning was most of a check-in's cost.
-- Returns whether the session was running (and, with only_worker, whether it is that worker's).
CREATE FUNCTION harbour_check_in(p_visit_id integer, p_actor_id integer, p_text text, p_location jsonb, p_only_worker integer)
  RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO timeline_events (visit_id, type, actor_id, text, detail)
  SELECT v.id, 'check_in', p_actor_id, p_text, CASE WHEN p_location IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('location', p_location) END
  FROM visits v
  WHERE v.id = p_visit_id AND v.state IN ('in_progress', 'overdue') AND (p_only_worker IS NULL OR v.worker_id = p_only_worker);
  RETURN FOUND;
END
$$;
