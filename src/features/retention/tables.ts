import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of migration 0029_retention.sql (merged into DB in src/db/schema.ts). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface LegalHoldsTable {
  id: Generated<number>;
  kind: string;
  record_id: string;
  reason: string;
  placed_by: number | null;
  placed_by_name: string;
  placed_at: Timestamp;
  released_at: Date | null;
  released_by: number | null;
  release_reason: string | null;
}
export interface RetentionDoneTable { kind: string; record_id: string; action: 'erase' | 'anonymise'; done_at: Timestamp }
export interface RetentionRunsTable {
  id: Generated<number>;
  started_at: Timestamp;
  finished_at: Date | null;
  trigger: 'job' | 'cli' | 'page';
  summary: ColumnType<unknown, string | undefined, string>;
}

export interface RetentionTables {
  legal_holds: LegalHoldsTable;
  retention_done: RetentionDoneTable;
  retention_runs: RetentionRunsTable;
}
