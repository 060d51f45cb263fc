-- Retention schedule (issue 20): records kept only as long as the law allows.
--
-- legal_holds: a record under legal hold is never erased or anonymised by the retention job. A hold
-- names the kind of record and its id (as text: incidents and complaints have integer ids, alerts
-- bigint), has a reason, and is released (with a reason) rather than deleted. Placing and releasing
-- are audited.
CREATE TABLE legal_holds (
  id              serial PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('session', 'incident', 'complaint', 'warning_flag', 'register_entry', 'emergency_pack', 'foi_request')),
  record_id       text NOT NULL,
  reason          text NOT NULL CHECK (length(trim(reason)) > 0),
  placed_by       integer REFERENCES accounts(id),
  placed_by_name  text NOT NULL,
  placed_at       timestamptz NOT NULL DEFAULT now(),
  released_at     timestamptz,
  released_by     integer REFERENCES accounts(id),
  release_reason  text
);
-- One open hold per record.
CREATE UNIQUE INDEX legal_holds_open ON legal_holds (kind, record_id) WHERE released_at IS NULL;

-- What the retention job has already done to a record, so a record is erased or anonymised once
-- and the count "due now" falls to zero after a run.
CREATE TABLE retention_done (
  kind       text NOT NULL,
  record_id  text NOT NULL,
  action     text NOT NULL CHECK (action IN ('erase', 'anonymise')),
  done_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, record_id)
);

-- Each run of the retention job (nightly, or `harbour retention`): what it did, by kind of record.
-- The newest is shown on the administrator's home page.
CREATE TABLE retention_runs (
  id           serial PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  trigger      text NOT NULL CHECK (trigger IN ('job', 'cli', 'page')),
  summary      jsonb NOT NULL DEFAULT '[]'
);

-- Finding sessions whose locations are due: ended sessions by when they ended.
CREATE INDEX visits_ended_at ON visits (ended_at) WHERE ended_at IS NOT NULL;
