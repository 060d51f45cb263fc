-- Issue 14: the Purple File follows the break-glass rule.
-- A call started about a worker with no silent alarm open raises one, so the worker's chain knows
-- at once: its duress_alarms row says it came from a Purple File call.
ALTER TABLE duress_alarms DROP CONSTRAINT duress_alarms_via_check;
ALTER TABLE duress_alarms ADD CONSTRAINT duress_alarms_via_check CHECK (via IN ('pin', 'control', 'api', 'purple_file'));

-- The police information pack, once opened with a reason during a call, stays open for the rest of
-- that call (each showing is a recorded, audited break-glass view). The reason it was opened for:
ALTER TABLE purple_file_calls ADD COLUMN pack_reason text;
