-- Issue 17: sign-in with the council's OpenID Connect provider, and sign-in limits that count failures.

-- A session started through the provider: sign-out also ends the provider's session (RP-initiated logout).
ALTER TABLE sessions ADD COLUMN oidc boolean NOT NULL DEFAULT false;

-- Failed sign-ins, per account ('account:<id>') and per client address ('ip:<address>'). A success
-- clears its account's row; nothing else is counted. locked_until is set once failures reach the lock.
CREATE TABLE sign_in_failures (
  key              text PRIMARY KEY,
  failures         integer NOT NULL,
  first_failed_at  timestamptz NOT NULL,
  last_failed_at   timestamptz NOT NULL,
  locked_until     timestamptz
);
