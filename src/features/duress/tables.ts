import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in 0008_duress.sql (merged into DB in src/db/schema.ts). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export interface DuressPinsTable {
  staff_id: number;
  duress_pin_hash: string;
  checkout_pin_hash: string | null;
  updated_at: Timestamp;
}
export interface DuressAlarmsTable {
  alert_id: string;
  via: string;
  case_reference: string | null;
  address: string | null;
  location: Json<{ lat: number; lng: number } | null> | null;
  raised_at: Timestamp;
}
export type AnswerValue = 'yes' | 'no' | 'no_answer';
export type Answers = Record<string, { answer: AnswerValue; at: string }>;
export interface PurpleFileCallsTable {
  id: Generated<number>;
  worker_id: number;
  visit_id: number | null;
  alert_id: string | null;
  responder_id: number;
  address: string | null;
  answers: Json<Answers>;
  status: Generated<string>;
  outcome: string | null;
  outcome_notes: string | null;
  managers_notified_at: Date | null;
  started_at: Timestamp;
  closed_at: Date | null;
  closed_by: number | null;
  /** 0020: the reason the police pack was opened for in this call; it stays open until the call closes. */
  pack_reason: Generated<string | null>;
}
export interface PurpleFileCallbacksTable {
  id: Generated<string>;
  call_id: number;
  responder_id: number;
  due_at: Timestamp;
  status: Generated<string>;
  created_at: Timestamp;
  fired_at: Date | null;
}
export interface PurpleFileEventsTable {
  id: Generated<string>;
  call_id: number;
  at: Timestamp;
  actor_id: number | null;
  text: string;
}
export interface MajorIncidentsTable {
  id: Generated<number>;
  category: string;
  summary: string | null;
  alert_id: string | null;
  lockdown_id: number | null;
  purple_file_call_id: number | null;
  worker_id: number | null;
  declared_by: number;
  declared_by_staff: number | null;
  declared_at: Timestamp;
  notified: Json<{ staffId: number; role: string }[]>;
}

export interface DuressTables {
  duress_pins: DuressPinsTable;
  duress_alarms: DuressAlarmsTable;
  purple_file_calls: PurpleFileCallsTable;
  purple_file_callbacks: PurpleFileCallbacksTable;
  purple_file_events: PurpleFileEventsTable;
  major_incidents: MajorIncidentsTable;
}
