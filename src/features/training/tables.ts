import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in 0028_training.sql (merged into DB in src/db/schema.ts). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateText = ColumnType<string, string, string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type IntArray = ColumnType<number[], number[] | undefined, number[]>;

export interface TrainingCoursesTable {
  id: Generated<number>;
  name: string;
  name_key: string;
  category: Generated<string>;
  validity_months: number | null;
  everyone: Generated<boolean>;
  job_roles: TextArray;
  team_ids: IntArray;
  service_ids: IntArray;
  key_holders: Generated<boolean>;
  retired_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface TrainingRecordsTable {
  id: Generated<number>;
  staff_id: number;
  course_id: number;
  completed_on: DateText;
  expires_on: DateText | null;
  evidence: string | null;
  source: Generated<string>;
  recorded_by: number | null;
  recorded_by_account: number | null;
  recorded_at: Timestamp;
}
export interface TrainingDueItemsTable {
  id: Generated<number>;
  staff_id: number;
  course_id: number;
  reason: string;
  incident_id: number | null;
  created_on: DateText;
  due_on: DateText;
  created_by_account: number | null;
  created_at: Timestamp;
}
export interface TeamTrainingPoliciesTable { team_id: number; policy: string; set_by_account: number | null; set_at: Timestamp }
export interface TrainingRemindersTable { staff_id: number; sent_at: Timestamp }

export interface TrainingTables {
  training_courses: TrainingCoursesTable;
  training_records: TrainingRecordsTable;
  training_due_items: TrainingDueItemsTable;
  team_training_policies: TeamTrainingPoliciesTable;
  training_reminders: TrainingRemindersTable;
}
