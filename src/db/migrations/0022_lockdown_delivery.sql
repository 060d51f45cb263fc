-- Issue 13: a lockdown alert is an alarm too. Its messages keep trying text, push and email (like an
-- alert's steps) until the lockdown ends or the recipient acknowledges it.
ALTER TABLE notifications ADD COLUMN lockdown_id integer REFERENCES lockdowns(id);
