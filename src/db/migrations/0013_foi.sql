-- Freedom of Information (issue 7): the request register, its clock events, the answer to each
-- question (with the statistic attached and its snapshot as sent), reminders sent, and the
-- disclosure log. Requester details are personal data: they are erased after the retention period.
CREATE TABLE foi_requests (
  id                   serial PRIMARY KEY,
  reference            text NOT NULL UNIQUE,
  ref_year             integer NOT NULL,
  ref_seq              integer NOT NULL,
  regime               text NOT NULL DEFAULT 'foi' CHECK (regime IN ('foi', 'eir')),
  title                text NOT NULL,
  requester_name       text,
  requester_contact    text,
  requester_erased_at  timestamptz,
  received_at          timestamptz NOT NULL,
  received_on          date NOT NULL,
  channel              text NOT NULL CHECK (channel IN ('email', 'web', 'letter', 'phone', 'in_person', 'social_media')),
  assignee_id          integer REFERENCES staff(id),
  status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'responded', 'closed', 'redirected_sar')),
  -- The s10 clock as last worked out (kept for the dashboard and the reminders job).
  due_on               date,
  response_due_on      date,
  responded_on         date,
  closed_at            timestamptz,
  -- s12 estimate: hours per permitted activity.
  cost_estimate        jsonb,
  created_by           integer REFERENCES accounts(id),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ref_year, ref_seq)
);
CREATE INDEX foi_requests_open_due ON foi_requests (response_due_on) WHERE status = 'open';
CREATE INDEX foi_requests_closed ON foi_requests (closed_at) WHERE requester_erased_at IS NULL;

CREATE TABLE foi_questions (
  id                 serial PRIMARY KEY,
  request_id         integer NOT NULL REFERENCES foi_requests(id),
  position           integer NOT NULL,
  text               text NOT NULL,
  outcome            text CHECK (outcome IN ('provided', 'not_held', 'exempt', 'partly_provided')),
  answer             text,
  advice             text,
  exemption          text,
  exemption_reasons  text,
  statistic          text,
  statistic_params   jsonb,
  -- The statistic's published (suppressed) table as it was when the response was sent.
  snapshot           jsonb,
  snapshot_at        timestamptz,
  UNIQUE (request_id, position)
);

CREATE TABLE foi_events (
  id            serial PRIMARY KEY,
  request_id    integer NOT NULL REFERENCES foi_requests(id),
  kind          text NOT NULL CHECK (kind IN ('clarification_sought', 'clarification_received', 'fees_notice', 'fee_paid', 'pi_extension',
                  'response_sent', 'review_requested', 'review_exceptional', 'review_completed', 'ico_complaint', 'decision_notice')),
  on_date       date NOT NULL,
  target_date   date,
  notes         text,
  recorded_by   integer REFERENCES accounts(id),
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX foi_events_request ON foi_events (request_id);

-- One row per reminder sent to the assignee, so each is sent once per deadline.
CREATE TABLE foi_reminders (
  request_id   integer NOT NULL REFERENCES foi_requests(id),
  kind         text NOT NULL,
  due_on       date NOT NULL,
  sent_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, kind, due_on)
);

-- The disclosure log: the response and datasets with the requester's details removed.
CREATE TABLE foi_disclosures (
  request_id    integer PRIMARY KEY REFERENCES foi_requests(id),
  reference     text NOT NULL,
  title         text NOT NULL,
  responded_on  date,
  letter        jsonb NOT NULL,
  datasets      jsonb NOT NULL DEFAULT '[]',
  published_at  timestamptz NOT NULL DEFAULT now(),
  published_by  integer REFERENCES accounts(id)
);
