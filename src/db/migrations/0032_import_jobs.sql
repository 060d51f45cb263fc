-- Issue 15: historic incidents and complaints imports run as a background job after the file has
-- been checked, with a page the uploader can follow. The file is kept only until the job ends.
CREATE TABLE import_jobs (
  id           serial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('incidents', 'complaints')),
  account_id   integer NOT NULL REFERENCES accounts(id),
  -- Who uploaded it, as they were signed in: the job acts as them (their roles are checked again).
  actor        jsonb NOT NULL,
  file_name    text NOT NULL,
  content      text,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  total        integer NOT NULL,
  -- Rows written so far inside the import's one transaction (nothing is kept unless every row is).
  done         integer NOT NULL DEFAULT 0,
  imported     integer,
  errors       jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz
);
CREATE INDEX import_jobs_account ON import_jobs (account_id, created_at DESC);
