import type { ColumnType, Generated } from 'kysely';
import type { DuressTables } from '../features/duress/tables.ts';
import type { ComplaintTables } from '../features/complaints/tables.ts';
import type { FoiTables } from '../features/foi/tables.ts';
import type { RetentionTables } from '../features/retention/tables.ts';
import type { TrainingTables } from '../features/training/tables.ts';
import type { ImportTables } from '../features/imports/tables.ts';

/** Kysely's view of the tables in src/db/migrations. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface DirectoratesTable { id: Generated<number>; name: string; created_at: Timestamp }
export interface ServicesTable {
  id: Generated<number>; directorate_id: number; name: string; created_at: Timestamp;
  // 0008_duress.sql: told after a Purple File call (seed 001 Appendix B).
  safeguarding_lead_id: ColumnType<number | null, number | null | undefined, number | null>;
}
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
  /** Code D.3 (migration 0007): the post is politically restricted. */
  politically_restricted: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Migration 0031: from HR, for how long allegations about them are kept (issue 20). */
  normal_retirement_on: ColumnType<string | null, string | null | undefined, string | null>;
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
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
}
export interface SignInChallengesTable {
  id_hash: string;
  account_id: number;
  ip: string | null;
  attempts: Generated<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
}
export interface PasswordLinksTable {
  id_hash: string;
  account_id: number;
  created_by: number | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
}
export interface SessionsTable {
  id_hash: string;
  account_id: number;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  oidc: Generated<boolean>;
}
export interface SignInFailuresTable {
  key: string;
  failures: number;
  first_failed_at: Timestamp;
  last_failed_at: Timestamp;
  locked_until: Timestamp | null;
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
export interface EscalationPoliciesTable {
  id: Generated<number>;
  team_id: number | null;
  kind: string;
  steps: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
  updated_by: number | null;
}
export interface VisitsTable {
  id: Generated<number>;
  worker_id: number;
  kind: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  address: string | null;
  postcode: string | null;
  latitude: number | null;
  longitude: number | null;
  case_system: string | null;
  case_id: string | null;
  description: string | null;
  joint_partner_id: number | null;
  notes: string | null;
  building_id: number | null;
  referral_type: string | null;
  risk_rating: string | null;
  state: Generated<string>;
  arrived_at: Date | null;
  due_at: Date | null;
  deadline_seq: Generated<number>;
  ended_at: Date | null;
  last_check_in_at: Date | null;
  last_location: ColumnType<unknown, string | null, string | null>;
  source: Generated<string>;
  ical_uid: string | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0026: canonical case key; the home address of a visit moved to a council building; the joint partner's confirmation. */
  case_key: Generated<string | null>;
  home_address: string | null;
  home_postcode: string | null;
  joint_confirmed_at: Date | null;
}
export interface DayConfirmationsTable { worker_id: number; work_date: ColumnType<string, string, string>; finish_at: Timestamp; confirmed_at: Date | null }
export interface AlertsTable {
  id: Generated<string>;
  visit_id: number | null;
  worker_id: number;
  work_date: ColumnType<string | null, string | null, string | null>;
  kind: string;
  status: Generated<string>;
  policy: ColumnType<unknown, string, string>;
  next_step: Generated<number>;
  opened_at: Timestamp;
  deadline_at: Timestamp;
  acknowledged_by: number | null;
  acknowledged_at: Date | null;
  paused_until: Date | null;
  outcome: string | null;
  outcome_notes: string | null;
  resolved_by: number | null;
  resolved_at: Date | null;
}
export interface AlertStepsFiredTable { alert_id: string; step: number; fired_at: Timestamp; fired_by: string }
export interface TimersTable {
  id: Generated<string>;
  kind: string;
  subject_id: ColumnType<string, string | number | bigint, string | number | bigint>;
  seq: number;
  fire_at: Timestamp;
  status: Generated<string>;
  fired_at: Date | null;
}
export interface SchemaMigrationsTable { version: string; applied_at: Timestamp }

// Lone working (0002) and notifications (0004): the tables the notification dispatcher uses.
export interface NotificationsTable {
  id: Generated<string>;
  alert_id: string | number | null;
  step: number | null;
  recipient_id: number;
  channel: string;
  fallbacks: ColumnType<string[], string[] | undefined, string[]>;
  subject: string;
  body: string;
  link: string | null;
  status: Generated<'scheduled' | 'pending' | 'sending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  /** 0014: a worker's prompt prepared ahead for this session and deadline. */
  visit_id: number | null;
  release_at: Date | null;
  created_at: Timestamp;
  handed_at: Date | null;
  sent_at: Date | null;
  read_at: Date | null;
  provider_ref: string | null;
  last_error: string | null;
  claimed_by: string | null;
  /** 0019: NULL for the message itself; a channel for the copy sent on it at once (duress, last step). */
  lane: Generated<string | null>;
  accepted_at: Generated<Date | null>;
  inbox_copy_at: Generated<Date | null>;
  unreached_since: Generated<Date | null>;
  cycles: Generated<number>;
  due_at: Generated<Date | null>;
  /** 0022: a lockdown's alert: kept trying until the lockdown ends or the recipient acknowledges. */
  lockdown_id: Generated<number | null>;
}
export interface DeliveryAttemptsTable {
  id: Generated<string>;
  notification_id: string | number;
  at: Timestamp;
  channel: string;
  /** NULL while the attempt is still 'sending' (0019). */
  ok: boolean | null;
  error: string | null;
  provider_ref: string | null;
  outcome: Generated<'sending' | 'accepted' | 'failed' | 'unknown' | 'found' | null>;
  claim: Generated<string | null>;
  finished_at: Generated<Date | null>;
}
/** 0019: each instance's last successful pass of each loop. */
export interface HeartbeatsTable {
  instance: string;
  loop: string;
  at: Date;
}
/** 0019: operations incidents; the operations contact is told once per incident. */
export interface OpsIncidentsTable {
  id: Generated<string>;
  kind: string;
  detail: string;
  opened_at: Generated<Date>;
  told_at: Date | null;
  told_by: string | null;
  closed_at: Date | null;
}
export interface TimelineEventsTable {
  id: Generated<string>;
  visit_id: number | null;
  alert_id: string | number | null;
  at: Timestamp;
  type: string;
  actor_id: number | null;
  text: string;
  detail: ColumnType<unknown, string | undefined, string>;
}
export interface PushSubscriptionsTable {
  id: Generated<number>;
  staff_id: number;
  endpoint: string;
  keys: ColumnType<{ p256dh: string; auth: string }, string, string>;
  created_at: Timestamp;
}
export interface AppSettingsTable { key: string; value: ColumnType<unknown, string, string> }

// Risk gate (0003): warning flags, individual risk assessments, controls and AMBER precautions.
export interface WarningFlagsTable {
  id: Generated<number>;
  case_system: string | null;
  case_id: string | null;
  postcode: string | null;
  category: string;
  description: string;
  source: Generated<string>;
  raised_by: number | null;
  raised_at: Timestamp;
  expires_at: Date | null;
  withdrawn_at: Date | null;
  withdrawn_by: number | null;
  /** 0026: canonical case key (letters and digits, upper case), kept by the database. */
  case_key: Generated<string | null>;
}
export interface RiskAssessmentsTable {
  id: Generated<number>;
  case_system: string | null;
  case_id: string | null;
  visit_id: number | null;
  team_id: number | null;
  hazards: string;
  who_harmed: string;
  controls: string;
  findings: string;
  review_date: ColumnType<string, string, string>;
  document_ref: string | null;
  completed_by: number | null;
  completed_by_account: number | null;
  completed_at: Timestamp;
  superseded_at: Date | null;
  /** 0026: canonical case key; the manager who completed or countersigned it. */
  case_key: Generated<string | null>;
  countersigned_by: number | null;
  countersigned_at: Date | null;
}
export interface VisitRiskControlsTable {
  visit_id: number;
  control: string;
  building_id: number | null;
  approved_by: number | null;
  approved_by_account: number | null;
  approved_at: Timestamp;
  note: string | null;
}
export interface VisitPrecautionsTable {
  visit_id: number;
  precaution: string;
  status: string;
  reason: string | null;
  recorded_by: number | null;
  recorded_by_account: number | null;
  recorded_at: Timestamp;
}

export interface CalendarPreviewsTable {
  id: string;
  staff_id: number;
  file_name: string | null;
  events: ColumnType<unknown, string, string>;
  truncated: Generated<boolean>;
  warnings: ColumnType<unknown, string | undefined, string>;
  created_at: Timestamp;
  expires_at: Timestamp;
}
export interface CalendarSubscriptionsTable {
  id: Generated<number>;
  staff_id: number;
  url: string;
  created_by: number | null;
  created_at: Timestamp;
  last_fetched_at: Date | null;
  last_error: string | null;
  last_result: string | null;
  etag: string | null;
}

// Registers (migration 0007): declarations of interest; gifts, hospitality, legacies, sponsorship.
export interface SuppliersTable { id: Generated<number>; name: string; live_tender: Generated<boolean>; created_at: Timestamp }
export interface InterestDeclarationsTable {
  id: Generated<number>;
  staff_id: number;
  year: number;
  no_conflict: boolean;
  declared_at: Timestamp;
  declared_by: number | null;
  signed_off_by: number | null;
  signed_off_name: string | null;
  signed_off_at: Date | null;
}
export interface DeclaredInterestsTable {
  id: Generated<number>;
  declaration_id: number;
  kind: string;
  description: string;
  consent_needed: Generated<boolean>;
  consent_reference: string | null;
  management_action: string | null;
  signed_off_by: number | null;
  signed_off_name: string | null;
  signed_off_at: Date | null;
  created_at: Timestamp;
  supplier_id: number | null;
  contract: string | null;
  lecture_fee_pence: number | null;
  lecture_in_council_time: boolean | null;
}
export interface DeclarationRemindersTable {
  id: Generated<number>;
  staff_id: number;
  year: number;
  kind: 'reminder' | 'escalation';
  recipient_id: number;
  sent_at: Timestamp;
}
export interface GiftEntriesTable {
  id: Generated<number>;
  staff_id: number;
  kind: string;
  offered_on: ColumnType<string, string, string>;
  description: string;
  offered_by: string;
  supplier_id: number | null;
  value_pence: number;
  response: string;
  refusal_letter: string | null;
  authorised_in_advance: Generated<boolean>;
  reason: string;
  status: Generated<'pending' | 'approved' | 'declined'>;
  decided_by: number | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  created_at: Timestamp;
  giver_type: Generated<'client' | 'contractor_supplier' | 'organisation' | 'private_individual'>;
  event_on: ColumnType<string | null, string | null, string | null>;
  authorised_by: number | null;
  authorised_by_name: string | null;
  late: Generated<boolean>;
  needs_override: Generated<boolean>;
  override_reason: string | null;
}

export interface IncidentsTable {
  id: Generated<number>;
  status: Generated<string>;
  employee_id: number;
  reported_by: number | null;
  reported_by_account: number;
  draft: ColumnType<Record<string, unknown>, string | undefined, string>;
  occurred_at: Date | null;
  location: string | null;
  visit_id: number | null;
  alert_id: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  building_id: number | null;
  lone_working: boolean | null;
  categories: ColumnType<string[], string[] | undefined, string[]>;
  verbal_channel: string | null;
  perpetrator_type: string | null;
  perpetrator_case_system: string | null;
  perpetrator_case_id: string | null;
  others_present: string | null;
  witnesses: string | null;
  injured: boolean | null;
  injury_nature: string | null;
  injury_body_part: string | null;
  first_aid: boolean | null;
  hospital: boolean | null;
  days_off: number | null;
  narrative: string | null;
  submitted_at: Date | null;
  confirmed_at: Date | null;
  meeting_due_at: Date | null;
  meeting_held_at: Date | null;
  support: ColumnType<Record<string, string>, string | undefined, string>;
  debrief_at: Date | null;
  police_right_told_at: Date | null;
  response_notes: string | null;
  responded_by: number | null;
  responded_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  // 0010_incidents_more.sql
  meeting_escalated_at: Date | null;
  meeting_escalated_to: number | null;
  police_reported: boolean | null;
  police_reported_on: ColumnType<string | null, string | null | undefined, string | null>;
  crime_reference: string | null;
  police_outcome: string | null;
  court_outcome: string | null;
  court_attended: boolean | null;
  court_notes: string | null;
  specified_injury: Generated<boolean>;
  riddor_kind: string | null;
  riddor_report_by: ColumnType<string | null, string | null | undefined, string | null>;
  hse_reference: string | null;
  hse_reported_on: ColumnType<string | null, string | null | undefined, string | null>;
  major_incident: Generated<boolean>;
  marked_serious: Generated<boolean>;
  serious: Generated<boolean>;
  closed_at: Date | null;
  closed_by: number | null;
  source: Generated<string>;
  import_reference: string | null;
}
export interface IncidentInvestigationsTable {
  incident_id: number;
  statements: string | null;
  chronology: string | null;
  triggers: string | null;
  findings: string | null;
  risk_review: string | null;
  team_communicated: string | null;
  providers_to_warn: string | null;
  started_by: number | null;
  started_at: Timestamp;
  updated_at: Timestamp;
  closed_at: Date | null;
  closed_by: number | null;
}
export interface IncidentActionsTable {
  id: Generated<number>;
  incident_id: number;
  description: string;
  owner_id: number;
  due_on: ColumnType<string, string, string>;
  done_at: Date | null;
  done_by: number | null;
  created_at: Timestamp;
}
export interface IncidentFlagsTable {
  incident_id: number;
  flag_id: number;
  subject: string;
  reason: string;
  review_on: ColumnType<string, string, string>;
  raised_by: number | null;
  raised_at: Timestamp;
}
export interface IncidentLegalActionsTable {
  id: Generated<number>;
  incident_id: number;
  kind: string;
  action_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string | null, string | null | undefined, string | null>;
  notes: string | null;
  recorded_by: number | null;
  recorded_at: Timestamp;
}
export interface IncidentAlertsTable { incident_id: number; kind: string; sent_at: Timestamp }
export interface BankHolidayUpdatesTable { id: Generated<number>; loaded_at: Timestamp; loaded_by: string; content: unknown }

// Emergency information pack, building lockdown and idempotency keys (0009).
export interface EmergencyPacksTable { staff_id: number; key_id: string; ciphertext: string; created_at: Timestamp; updated_at: Timestamp }
export interface EmergencyPackViewsTable {
  id: Generated<string>;
  staff_id: number;
  viewer_account_id: number | null;
  viewer_staff_id: number | null;
  viewer_name: string;
  alert_id: string | number | null;
  reason: string;
  viewed_at: Timestamp;
}
export interface EmergencyPackRemindersTable { id: Generated<string>; staff_id: number; recipient_id: number; kind: 'missing' | 'stale'; sent_at: Timestamp }
export interface LockdownsTable {
  id: Generated<number>;
  building_id: number;
  location: 'inside' | 'outside';
  details: string | null;
  started_by: number | null;
  started_by_name: string;
  started_at: Timestamp;
  ended_at: Date | null;
  ended_by: number | null;
  ended_by_name: string | null;
  end_note: string | null;
  police_attended: boolean | null;
  police_all_clear: boolean | null;
  ended_as: 'runner' | 'building_manager' | 'key_holder' | 'remote_senior' | null;
  remote_reason: string | null;
}
export interface LockdownRecipientsTable { lockdown_id: number; staff_id: number; reason: 'checked_in' | 'based' | 'based_elsewhere' | 'building_manager' | 'senior_manager'; acknowledged_at: Date | null }
export interface LockdownEventsTable { id: Generated<string>; lockdown_id: number; at: Timestamp; actor_id: number | null; text: string }
export interface IdempotencyKeysTable {
  account_id: number;
  key: string;
  action: string;
  status: Generated<'pending' | 'done'>;
  location: string | null;
  created_at: Timestamp;
}

/** The duress, Purple File and major incident tables are declared in src/features/duress/tables.ts. */
export interface DB extends DuressTables, ComplaintTables, FoiTables, TrainingTables, RetentionTables, ImportTables {
  bank_holiday_updates: BankHolidayUpdatesTable;
  directorates: DirectoratesTable;
  services: ServicesTable;
  teams: TeamsTable;
  buildings: BuildingsTable;
  staff: StaffTable;
  building_key_holders: BuildingKeyHoldersTable;
  accounts: AccountsTable;
  sign_in_challenges: SignInChallengesTable;
  password_links: PasswordLinksTable;
  sessions: SessionsTable;
  sign_in_failures: SignInFailuresTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  schema_migrations: SchemaMigrationsTable;
  notifications: NotificationsTable;
  delivery_attempts: DeliveryAttemptsTable;
  heartbeats: HeartbeatsTable;
  ops_incidents: OpsIncidentsTable;
  timeline_events: TimelineEventsTable;
  push_subscriptions: PushSubscriptionsTable;
  app_settings: AppSettingsTable;
  escalation_policies: EscalationPoliciesTable;
  visits: VisitsTable;
  day_confirmations: DayConfirmationsTable;
  alerts: AlertsTable;
  alert_steps_fired: AlertStepsFiredTable;
  timers: TimersTable;
  warning_flags: WarningFlagsTable;
  risk_assessments: RiskAssessmentsTable;
  visit_risk_controls: VisitRiskControlsTable;
  visit_precautions: VisitPrecautionsTable;
  calendar_previews: CalendarPreviewsTable;
  calendar_subscriptions: CalendarSubscriptionsTable;
  suppliers: SuppliersTable;
  interest_declarations: InterestDeclarationsTable;
  declared_interests: DeclaredInterestsTable;
  declaration_reminders: DeclarationRemindersTable;
  gift_entries: GiftEntriesTable;
  incidents: IncidentsTable;
  incident_investigations: IncidentInvestigationsTable;
  incident_actions: IncidentActionsTable;
  incident_flags: IncidentFlagsTable;
  incident_legal_actions: IncidentLegalActionsTable;
  incident_alerts: IncidentAlertsTable;
  emergency_packs: EmergencyPacksTable;
  emergency_pack_views: EmergencyPackViewsTable;
  emergency_pack_reminders: EmergencyPackRemindersTable;
  lockdowns: LockdownsTable;
  lockdown_recipients: LockdownRecipientsTable;
  lockdown_events: LockdownEventsTable;
  idempotency_keys: IdempotencyKeysTable;
}
