-- The worker's "are you safe?" prompt, prepared before the deadline and released at it.
--
-- At the deadline of a running session the first message (step 0 of the overdue policy, to the
-- worker) must reach its channel at once, even when thousands of deadlines pass together. So it is
-- written up to a minute or two ahead as a 'scheduled' notification, tied to the session and the
-- deadline it was made for (visit_id, release_at); at the deadline one UPDATE hands it over. It is
-- never shown (inbox, outbox) while scheduled, and is released only if the session is still running
-- with that same deadline; a prompt left behind by a check-out or an extension is deleted.
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('scheduled', 'pending', 'sending', 'sent', 'failed'));
ALTER TABLE notifications ADD COLUMN visit_id integer REFERENCES visits(id);
ALTER TABLE notifications ADD COLUMN release_at timestamptz;
-- One prepared prompt per session deadline, however many engines prepare it.
CREATE UNIQUE INDEX notifications_prompt_once ON notifications (visit_id, release_at) WHERE visit_id IS NOT NULL;
CREATE INDEX notifications_scheduled ON notifications (release_at) WHERE status = 'scheduled';
