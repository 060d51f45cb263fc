-- Seed 002, the Kent Code: annual declarations of interest (H, G, Appendix 1), political
-- restriction (D.3), and the register of gifts, hospitality, legacies and sponsorship (L).

-- D.3: a post can be politically restricted; its holder sees the extra guidance.
ALTER TABLE staff ADD COLUMN politically_restricted boolean NOT NULL DEFAULT false;

-- Contractors and suppliers; entries from one in a live tender are highlighted (J, L.1).
CREATE TABLE suppliers (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  live_tender boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One Appendix 1 form: made once a year, and again whenever circumstances change.
CREATE TABLE interest_declarations (
  id           serial PRIMARY KEY,
  staff_id     integer NOT NULL REFERENCES staff(id),
  year         integer NOT NULL,
  no_conflict  boolean NOT NULL,
  declared_at  timestamptz NOT NULL DEFAULT now(),
  declared_by  integer REFERENCES accounts(id)
);
CREATE INDEX interest_declarations_staff ON interest_declarations (staff_id, year);

-- Each interest declared, and the manager's "management action to prevent conflict of interest".
CREATE TABLE declared_interests (
  id                serial PRIMARY KEY,
  declaration_id    integer NOT NULL REFERENCES interest_declarations(id),
  kind              text NOT NULL CHECK (kind IN ('financial', 'non_financial', 'membership', 'bankruptcy', 'outside_employment')),
  description       text NOT NULL,
  consent_needed    boolean NOT NULL DEFAULT false,
  consent_reference text,
  management_action text,
  signed_off_by     integer REFERENCES staff(id),
  signed_off_name   text,
  signed_off_at     timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX declared_interests_declaration ON declared_interests (declaration_id);

-- Reminders to declare, and escalations to the manager, so each is sent once.
CREATE TABLE declaration_reminders (
  id           serial PRIMARY KEY,
  staff_id     integer NOT NULL REFERENCES staff(id),
  year         integer NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('reminder', 'escalation')),
  recipient_id integer NOT NULL REFERENCES staff(id),
  sent_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX declaration_reminders_staff ON declaration_reminders (staff_id, year);

-- Gifts, hospitality, legacies and sponsorship (Code L).
CREATE TABLE gift_entries (
  id                   serial PRIMARY KEY,
  staff_id             integer NOT NULL REFERENCES staff(id),
  kind                 text NOT NULL CHECK (kind IN ('gift', 'hospitality', 'legacy', 'sponsorship')),
  offered_on           date NOT NULL,
  description          text NOT NULL,
  offered_by           text NOT NULL,
  supplier_id          integer REFERENCES suppliers(id),
  value_pence          integer NOT NULL CHECK (value_pence >= 0),
  response             text NOT NULL CHECK (response IN ('accepted', 'refused', 'returned')),
  refusal_letter       text,
  authorised_in_advance boolean NOT NULL DEFAULT false,
  reason               text NOT NULL,
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
  decided_by           integer REFERENCES staff(id),
  decided_by_name      text,
  decided_at           timestamptz,
  decision_note        text,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gift_entries_staff ON gift_entries (staff_id, offered_on);
