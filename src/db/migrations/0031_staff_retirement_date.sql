-- Issue 20: complaints with allegations about staff who work with children are kept until the
-- member of staff's normal retirement date or 10 years, whichever is longer. Harbour keeps the
-- retirement date (from HR's staff import), not a date of birth: it is all the rule needs.
ALTER TABLE staff ADD COLUMN normal_retirement_on date;
