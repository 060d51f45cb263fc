import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of migration 0013_foi.sql. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateColumn = ColumnType<string, string, string>;
type Json<T> = ColumnType<T, string, string>;

export interface FoiRequestsTable {
  id: Generated<number>;
  reference: string;
  ref_year: number;
  ref_seq: number;
  regime: string;
  title: string;
  requester_name: string | null;
  requester_contact: string | null;
  requester_erased_at: Date | null;
  received_at: Timestamp;
  received_on: DateColumn;
  channel: string;
  assignee_id: number | null;
  status: Generated<string>;
  due_on: ColumnType<string | null, string | null | undefined, string | null>;
  response_due_on: ColumnType<string | null, string | null | undefined, string | null>;
  responded_on: ColumnType<string | null, string | null | undefined, string | null>;
  closed_at: Date | null;
  cost_estimate: Json<Record<string, number> | null> | null;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface FoiQuestionsTable {
  id: Generated<number>;
  request_id: number;
  position: number;
  text: string;
  outcome: string | null;
  answer: string | null;
  advice: string | null;
  exemption: string | null;
  exemption_reasons: string | null;
  statistic: string | null;
  statistic_params: Json<Record<string, unknown> | null> | null;
  snapshot: Json<unknown> | null;
  snapshot_at: Date | null;
}

export interface FoiEventsTable {
  id: Generated<number>;
  request_id: number;
  kind: string;
  on_date: DateColumn;
  target_date: ColumnType<string | null, string | null | undefined, string | null>;
  notes: string | null;
  recorded_by: number | null;
  recorded_at: Generated<Date>;
}

export interface FoiRemindersTable { request_id: number; kind: string; due_on: DateColumn; sent_at: Generated<Date> }

export interface FoiDisclosuresTable {
  request_id: number;
  reference: string;
  title: string;
  responded_on: ColumnType<string | null, string | null | undefined, string | null>;
  letter: Json<unknown>;
  datasets: Json<unknown>;
  published_at: Generated<Date>;
  published_by: number | null;
}

export interface FoiTables {
  foi_requests: FoiRequestsTable;
  foi_questions: FoiQuestionsTable;
  foi_events: FoiEventsTable;
  foi_reminders: FoiRemindersTable;
  foi_disclosures: FoiDisclosuresTable;
}
