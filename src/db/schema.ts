import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in src/db/migrations. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface DirectoratesTable { id: Generated<number>; name: string; created_at: Timestamp }
export interface ServicesTable { id: Generated<number>; directorate_id: number; name: string; created_at: Timestamp }
export interface TeamsTable {
  id: Generated<number>;
  service_id: number;
  name: string;
  manager_id: number | null;
  created_at: Timestamp;
}
export interface BuildingsTable {
  id: Generated<number>;
  name: string;
  address: string;
  postcode: string;
  site_phone: string | null;
  facilities_helpdesk_phone: string | null;
  community_safety_phone: string | null;
  building_manager_id: number | null;
  created_at: Timestamp;
}
export interface StaffTable {
  id: Generated<number>;
  employee_number: string;
  given_name: string;
  family_name: string;
  email: string;
  job_role: string;
  team_id: number | null;
  line_manager_id: number | null;
  buddy_id: number | null;
  work_mobile: string | null;
  personal_mobile: string | null;
  out_of_hours_phone: string | null;
  base_building_id: number | null;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface BuildingKeyHoldersTable { building_id: number; staff_id: number }
export interface AccountsTable {
  id: Generated<number>;
  staff_id: number | null;
  email: string;
  display_name: string;
  password_hash: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  roles: ColumnType<string[], string[] | undefined, string[]>;
  disabled_at: Date | null;
  last_sign_in_at: Date | null;
  created_at: Timestamp;
}
export interface SessionsTable {
  id_hash: string;
  account_id: number;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
}
export interface ApiTokensTable {
  id: Generated<number>;
  account_id: number;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
export interface AuditLogTable {
  id: Generated<string>;
  occurred_at: Timestamp;
  actor_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  ip: string | null;
  detail: ColumnType<unknown, string, string>;
  prev_hash: string;
  hash: string;
}
export interface SchemaMigrationsTable { version: string; applied_at: Timestamp }

export interface DB {
  directorates: DirectoratesTable;
  services: ServicesTable;
  teams: TeamsTable;
  buildings: BuildingsTable;
  staff: StaffTable;
  building_key_holders: BuildingKeyHoldersTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  schema_migrations: SchemaMigrationsTable;
}
