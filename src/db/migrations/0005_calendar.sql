-- iCalendar import: the parsed preview kept between upload and confirm, and subscriptions to ICS
-- URLs that a job re-reads.

-- An uploaded file's events in the window, as parsed (CalendarEvent[] with ISO dates). The confirm
-- step reads them from here, never from hidden form fields. The id is random and unguessable, and
-- is only honoured for its owner before it expires.
CREATE TABLE calendar_previews (
  id          text PRIMARY KEY,
  staff_id    integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  file_name   text,
  events      jsonb NOT NULL,
  truncated   boolean NOT NULL DEFAULT false,
  warnings    jsonb NOT NULL DEFAULT '[]',
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX calendar_previews_expiry ON calendar_previews (expires_at);

-- A worker's ICS feed (Outlook "publish calendar", Google "secret address", iCloud public link).
-- The URL is a secret: it is never written to the audit trail or logs, only its host.
CREATE TABLE calendar_subscriptions (
  id               serial PRIMARY KEY,
  staff_id         integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  url              text NOT NULL,
  created_by       integer REFERENCES accounts(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_fetched_at  timestamptz,
  last_error       text,
  -- What the last successful read did, in words ("2 visits added").
  last_result      text,
  etag             text,
  UNIQUE (staff_id, url)
);

-- One visit per calendar occurrence per worker: importing the same file or feed again adds nothing.
CREATE UNIQUE INDEX visits_worker_ical_uid ON visits (worker_id, ical_uid) WHERE ical_uid IS NOT NULL;
