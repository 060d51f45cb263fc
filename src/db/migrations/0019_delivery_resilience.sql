-- Issue 13: every alarm reaches a person.
--
-- At most one text per step and recipient: every attempt is recorded as 'sending' (with its time and
-- the claim that made it) before the provider is called, and finished with its outcome. A row whose
-- last attempt never finished (the process died mid-send) or timed out has an unknown outcome: before
-- sending again, GOV.UK Notify is asked by reference whether it already has the message.
ALTER TABLE delivery_attempts ALTER COLUMN ok DROP NOT NULL;
-- 'sending' (started, no answer yet), 'accepted', 'failed', 'unknown' (no answer in time: the
-- provider may have it), 'found' (Notify already had it when asked by reference: not sent again).
ALTER TABLE delivery_attempts ADD COLUMN outcome text CHECK (outcome IN ('sending', 'accepted', 'failed', 'unknown', 'found'));
ALTER TABLE delivery_attempts ADD COLUMN claim text;
ALTER TABLE delivery_attempts ADD COLUMN finished_at timestamptz;

-- The inbox is never the last word for an alarm. An alert message keeps trying its external channels
-- (text, push, email) with capped backoff until the alert is acknowledged or resolved.
--   lane:            NULL for the message itself; a channel name for the copy sent on that channel at
--                    the same time (duress and the last step of a policy go to every channel at once).
--                    Copies are not listed in the inbox.
--   accepted_at:     when an external provider accepted it (what "delivered" means).
--   inbox_copy_at:   when every external channel had failed once and the inbox copy was pointed out.
--   unreached_since: when every external channel had failed; cleared when one accepts it.
--   cycles:          times every external channel has been tried and failed.
--   due_at:          the deadline the message answers (latency is measured from it).
ALTER TABLE notifications ADD COLUMN lane text;
ALTER TABLE notifications ADD COLUMN accepted_at timestamptz;
ALTER TABLE notifications ADD COLUMN inbox_copy_at timestamptz;
ALTER TABLE notifications ADD COLUMN unreached_since timestamptz;
ALTER TABLE notifications ADD COLUMN cycles integer NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN due_at timestamptz;
DROP INDEX notifications_once;
CREATE UNIQUE INDEX notifications_once ON notifications (alert_id, step, recipient_id, (coalesce(lane, ''))) WHERE alert_id IS NOT NULL;
CREATE INDEX notifications_unreached ON notifications (alert_id) WHERE unreached_since IS NOT NULL AND accepted_at IS NULL;

-- Each instance's last successful pass of each loop ('escalation', 'notifications').
CREATE TABLE heartbeats (
  instance  text NOT NULL,
  loop      text NOT NULL,
  at        timestamptz NOT NULL,
  PRIMARY KEY (instance, loop)
);

-- Operations incidents (a channel that keeps failing, an engine that is behind): the operations
-- contact is told once per incident, which stays open until the condition clears.
CREATE TABLE ops_incidents (
  id         bigserial PRIMARY KEY,
  kind       text NOT NULL,
  detail     text NOT NULL,
  opened_at  timestamptz NOT NULL DEFAULT now(),
  told_at    timestamptz,
  told_by    text,
  closed_at  timestamptz
);
CREATE UNIQUE INDEX ops_incidents_open ON ops_incidents (kind) WHERE closed_at IS NULL;
