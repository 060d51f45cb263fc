import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

/** Kysely's view of the tables in 0012_complaints.sql (merged into DB in src/db/schema.ts). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Calendar dates: always selected as text (`::text`) by the repository; written as ISO strings. */
type DateCol = ColumnType<string, string, string>;
type OptionalDateCol = ColumnType<string | null, string | null | undefined, string | null>;

export interface ComplaintsTable {
  id: Generated<number>;
  reference: string | null;
  received_on: DateCol;
  channel: string;
  procedure: string;
  matter_on: OptionalDateCol;
  late_reason: string | null;
  complainant_type: string;
  complainant_name: string | null;
  complainant_contact: string | null;
  household: string | null;
  team_id: number | null;
  service_id: number | null;
  summary: Generated<string>;
  withdrawn_on: OptionalDateCol;
  withdrawn_reason: string | null;
  not_investigated_on: OptionalDateCol;
  not_investigated_reason: string | null;
  outcome: string | null;
  closed_on: OptionalDateCol;
  learning: string | null;
  source: Generated<string>;
  created_by: number | null;
  created_at: Timestamp;
  /** Counted facts copied from complaint_staff, complaint_actions and complaint_referrals by triggers (migration 0016). */
  stat_staff_ids: Generated<number[]>;
  stat_action_keys: Generated<string[]>;
  complainant_group: GeneratedAlways<string | null>;
}
export interface ComplaintStaffTable { complaint_id: number; staff_id: number; notified_at: Date | null }
export interface ComplaintAllegationsTable { id: Generated<number>; complaint_id: number; category: string; detail: string | null; finding: string | null; found_on: OptionalDateCol }
export interface ComplaintStagesTable {
  id: Generated<number>;
  complaint_id: number;
  stage: number;
  started_on: DateCol;
  extended_to: OptionalDateCol;
  extension_reason: string | null;
  investigating_officer: string | null;
  independent_person: string | null;
  panel_held_on: OptionalDateCol;
  report_on: OptionalDateCol;
  responded_on: OptionalDateCol;
}
export interface ComplaintActionsTable {
  id: Generated<number>;
  complaint_id: number;
  staff_id: number | null;
  kind: string;
  detail: string | null;
  disciplinary_outcome: string | null;
  outcome_on: OptionalDateCol;
  created_at: Timestamp;
}
export interface ComplaintReferralsTable { id: Generated<number>; complaint_id: number; body: string; referred_on: DateCol; decision: string | null; decided_on: OptionalDateCol }
export interface ComplaintAttachmentsTable {
  id: Generated<number>;
  complaint_id: number;
  file_name: string;
  content_type: string;
  size_bytes: number;
  content: Buffer;
  uploaded_by: number | null;
  uploaded_at: Timestamp;
}
export interface ComplaintRemindersTable { id: Generated<number>; stage_id: number; milestone: string; due_on: DateCol; kind: string; sent_at: Timestamp }

export interface ComplaintTables {
  complaints: ComplaintsTable;
  complaint_staff: ComplaintStaffTable;
  complaint_allegations: ComplaintAllegationsTable;
  complaint_stages: ComplaintStagesTable;
  complaint_actions: ComplaintActionsTable;
  complaint_referrals: ComplaintReferralsTable;
  complaint_attachments: ComplaintAttachmentsTable;
  complaint_reminders: ComplaintRemindersTable;
}
