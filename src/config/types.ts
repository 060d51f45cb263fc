import type { Role } from '../features/auth/actor.ts';
import type { RetentionSettings } from '../features/retention/rules.ts';

/** What the rest of Harbour reads: the settings loadConfig() (src/config.ts) has validated, by area. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  pgliteDataDir: string;
  sessionTtlHours: number;
  cookieSecure: boolean | 'auto';
  logLevel: string;
  seedDemo: boolean;
  signInRateLimit: number;
  jobsEnabled: boolean;
  /** Benchmarks only: adds POST /api/bench/bare, an unauthenticated route that inserts one row. */
  benchBareRoute: boolean;
  /** Tests only: failpoints to arm at start, as `name=exit|throw|sleep:MS,…` (src/failpoints.ts). */
  failpoints: string | null;
  /** Seconds a resolved API token is remembered per process; a revocation elsewhere takes this long to apply here. */
  apiTokenCacheSeconds: number;
  production: boolean;
  notifications: NotificationsConfig;
  /** Declarations of interest and the gifts register (seed 002). */
  registers: {
    publicationThresholdPence: number;
    reminderIntervalDays: number;
    escalateAfterDays: number;
    publish: boolean;
    significantGiftPence: number;
    delegateEmail: string | null;
  };
  /** FOI requests (issue 7). */
  foi: {
    receiptReading: 'council' | 'ico';
    referencePattern: string;
    retentionYears: number;
    suppressionThreshold: number;
    council: string;
  };
  /** Retention schedule (issue 20): periods per kind of record. */
  retention: RetentionSettings;
  /** Emergency information pack (seed 001 Appendix A): AES-256-GCM key, and earlier keys kept to open packs until rotated. */
  emergency: { key: string | null; previousKeys: string[] };
  /** /health and /metrics (issue 13). */
  monitoring: MonitoringConfig;
  /** Sign-in with the council's OpenID Connect provider (issue 17); null when not configured. */
  oidc: OidcConfig | null;
  /** Addresses and CIDR ranges of proxies whose X-Forwarded-For is believed; empty: none. */
  trustProxy: string[];
  /** Where the audit trail's head is written every minute and at shutdown, and the key that signs it. */
  auditCheckpoint: { file: string | null; key: string | null };
}

export interface OidcConfig {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  /** The claim holding role or group values (Entra ID: `roles` or `groups`). */
  roleClaim: string;
  /** Claim value → Harbour roles; null leaves roles to Harbour's administrators. */
  roleMap: Record<string, Role[]> | null;
  /** A claim holding the employee number, to link a first sign-in to a staff record. */
  employeeNumberClaim: string | null;
  /** Password sign-in is off for everyone but the break-glass administrators. */
  only: boolean;
  breakGlassAdmins: string[];
}

export interface MonitoringConfig {
  /** /health answers 503 when a due timer or message has waited longer than this. */
  engineLagLimitSeconds: number;
  /** GET /metrics is served only when this is set, to `Authorization: Bearer <token>`. */
  metricsToken: string | null;
}

export interface NotificationsConfig {
  /** Where Harbour is reached from outside; links in messages start with it. No trailing slash. */
  publicBaseUrl: string;
  /** GOV.UK Notify: SMS when smsTemplateId is set, email when emailTemplateId is set. */
  notify: {
    apiKey: string;
    baseUrl: string | null;
    smsTemplateId: string | null;
    emailTemplateId: string | null;
    ratePerMinute?: number | null;
  } | null;
  /** SMTP email (used when Notify has no email template). */
  smtp: { url: string; from: string } | null;
  /** Web Push is on when this is set; the VAPID keys are made on first start and kept in the database. */
  vapidSubject: string | null;
  /** Seconds every external channel may fail for everyone at an alert step before the next step fires early (0: never). */
  externalFailureEscalateSeconds?: number;
  /** Operations contact told once per incident when a channel keeps failing or the engine is behind. */
  opsAlert?: { email: string | null; sms: string | null };
}
