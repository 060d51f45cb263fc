-- Notification delivery: Web Push subscriptions, settings Harbour makes for itself (the VAPID keys),
-- and what the dispatcher needs to claim rows safely from several processes.

-- One row per browser that asked for Web Push. A 404 or 410 from the push service deletes it.
CREATE TABLE push_subscriptions (
  id          serial PRIMARY KEY,
  staff_id    integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  endpoint    text NOT NULL UNIQUE,
  -- The browser's keys as PushSubscription.toJSON() gives them: { "p256dh": "...", "auth": "..." }.
  keys        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_staff ON push_subscriptions (staff_id);

-- Values Harbour generates once and keeps (key 'vapid': the Web Push key pair). Never regenerated:
-- a new VAPID key would orphan every browser's subscription.
CREATE TABLE app_settings (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL
);

-- Which dispatcher claim holds a row in 'sending'. While a row is 'sending', next_attempt_at is the
-- end of the claim's lease: a row still 'sending' after it (the process died) is claimed again.
ALTER TABLE notifications ADD COLUMN claimed_by text;
-- Due rows, split the way the dispatcher claims them: inbox rows in bulk, the rest one by one.
CREATE INDEX notifications_claimable_inbox ON notifications (next_attempt_at) WHERE status IN ('pending', 'sending') AND channel = 'inbox';
CREATE INDEX notifications_claimable_send ON notifications (next_attempt_at) WHERE status IN ('pending', 'sending') AND channel <> 'inbox';
CREATE INDEX delivery_attempts_notification ON delivery_attempts (notification_id, at);
