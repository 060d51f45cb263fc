-- Issue 17: a second factor (TOTP) for password accounts, and one-time set-password links sent by
-- an administrator instead of typing a password for someone.

-- totp_secret is set when a person starts setting up an authenticator app; totp_enabled_at once they
-- have typed a correct code from it. totp_last_step is the time step of the last code accepted, so
-- a code seen over someone's shoulder cannot be used again.
ALTER TABLE accounts ADD COLUMN totp_secret text;
ALTER TABLE accounts ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE accounts ADD COLUMN totp_last_step bigint;

-- A password accepted for an account with a second factor: the browser holds the token (hashed here)
-- until it gives a correct code. Wrong codes are counted.
CREATE TABLE sign_in_challenges (
  id_hash     text PRIMARY KEY,
  account_id  integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  ip          text,
  attempts    integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);

-- A set-password link: single use, expires. Only the hash of its token is kept.
CREATE TABLE password_links (
  id_hash     text PRIMARY KEY,
  account_id  integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_by  integer REFERENCES accounts(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX password_links_account ON password_links (account_id);
