-- Harbour foundation: organisation, people, sign-in and the audit trail.
-- Instants are timestamptz (UTC); the UI shows them in Europe/London.

CREATE TABLE directorates (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE services (
  id              serial PRIMARY KEY,
  directorate_id  integer NOT NULL REFERENCES directorates(id),
  name            text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (directorate_id, name)
);

CREATE TABLE buildings (
  id                          serial PRIMARY KEY,
  name                        text NOT NULL UNIQUE,
  address                     text NOT NULL,
  postcode                    text NOT NULL,
  site_phone                  text,
  facilities_helpdesk_phone   text,
  community_safety_phone      text,
  building_manager_id         integer,
  created_at                  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
  id          serial PRIMARY KEY,
  service_id  integer NOT NULL REFERENCES services(id),
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff (
  id                  serial PRIMARY KEY,
  employee_number     text NOT NULL UNIQUE,
  given_name          text NOT NULL,
  family_name         text NOT NULL,
  email               text NOT NULL UNIQUE,
  job_role            text NOT NULL CHECK (job_role IN (
                        'social_worker','senior_practitioner','family_support_worker','youth_worker',
                        'business_support','team_manager','service_manager','assistant_director',
                        'health_and_safety_officer','complaints_officer','information_governance_officer',
                        'administrator','other')),
  team_id             integer REFERENCES teams(id),
  line_manager_id     integer REFERENCES staff(id),
  buddy_id            integer REFERENCES staff(id),
  work_mobile         text,
  personal_mobile     text,
  out_of_hours_phone  text,
  base_building_id    integer REFERENCES buildings(id),
  active              boolean NOT NULL DEFAULT true,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (buddy_id IS NULL OR buddy_id <> id),
  CHECK (line_manager_id IS NULL OR line_manager_id <> id)
);
CREATE INDEX staff_team_idx ON staff (team_id);
CREATE INDEX staff_line_manager_idx ON staff (line_manager_id);
CREATE INDEX staff_buddy_idx ON staff (buddy_id);

ALTER TABLE buildings ADD CONSTRAINT buildings_manager_fk FOREIGN KEY (building_manager_id) REFERENCES staff(id);

CREATE TABLE building_key_holders (
  building_id  integer NOT NULL REFERENCES buildings(id) ON DELETE CASCADE,
  staff_id     integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  PRIMARY KEY (building_id, staff_id)
);

CREATE TABLE accounts (
  id                serial PRIMARY KEY,
  staff_id          integer UNIQUE REFERENCES staff(id),
  email             text NOT NULL UNIQUE,
  display_name      text NOT NULL,
  password_hash     text,
  -- Seam for single sign-on: an OpenID Connect issuer and subject identify the same account.
  oidc_issuer       text,
  oidc_subject      text,
  roles             text[] NOT NULL DEFAULT '{}',
  disabled_at       timestamptz,
  last_sign_in_at   timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE sessions (
  id_hash       text PRIMARY KEY,
  account_id    integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ip            text
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
  id            serial PRIMARY KEY,
  account_id    integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  name          text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Append-only, hash-chained audit trail. Each row's hash covers its own fields and the
-- previous row's hash, so editing or deleting any row breaks the chain from that point.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  occurred_at   timestamptz NOT NULL,
  actor_id      integer,
  actor_label   text NOT NULL,
  action        text NOT NULL,
  entity_type   text NOT NULL,
  entity_id     text,
  ip            text,
  detail        jsonb NOT NULL DEFAULT '{}',
  prev_hash     text NOT NULL,
  hash          text NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- The team manager who allocates buddies and answers escalations for the team.
ALTER TABLE teams ADD COLUMN manager_id integer REFERENCES staff(id);
