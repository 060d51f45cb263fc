-- Bank holiday files loaded over the bundled copy (src/time/bank-holidays.json), in GOV.UK's
-- format. The newest row wins; each is kept so a change to the statutory clocks can be traced.
CREATE TABLE bank_holiday_updates (
  id         serial PRIMARY KEY,
  loaded_at  timestamptz NOT NULL DEFAULT now(),
  loaded_by  text NOT NULL,
  content    jsonb NOT NULL
);
