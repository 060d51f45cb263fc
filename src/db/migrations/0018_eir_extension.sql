-- EIR regulation 7(1): a request for environmental information that is complex and voluminous may
-- be answered within 40 working days instead of 20, if the requester is told within the first 20.
ALTER TABLE foi_events DROP CONSTRAINT foi_events_kind_check;
ALTER TABLE foi_events ADD CONSTRAINT foi_events_kind_check CHECK (kind IN ('clarification_sought', 'clarification_received', 'fees_notice',
  'fee_paid', 'pi_extension', 'eir_extension', 'response_sent', 'review_requested', 'review_exceptional', 'review_completed', 'ico_complaint',
  'decision_notice'));
