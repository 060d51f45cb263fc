import type { ColumnType, Generated } from 'kysely';
import type { Actor } from '../auth/actor.ts';

/** Kysely's view of migration 0032_import_jobs.sql (merged into DB in src/db/schema.ts). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface ImportJobsTable {
  id: Generated<number>;
  kind: 'incidents' | 'complaints';
  account_id: number;
  actor: Json<Actor>;
  file_name: string;
  content: string | null;
  status: ColumnType<'queued' | 'running' | 'done' | 'failed', 'queued' | 'running' | 'done' | 'failed' | undefined, 'queued' | 'running' | 'done' | 'failed'>;
  total: number;
  done: ColumnType<number, number | undefined, number>;
  imported: number | null;
  errors: ColumnType<{ line: number; message: string }[] | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  started_at: Date | null;
  finished_at: Date | null;
}
export interface ImportTables { import_jobs: ImportJobsTable }
