import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ROLES } from './features/auth/actor.ts';
import type { Config } from './config/types.ts';
import { isAddressOrCidr, parseRoleMap } from './config/values.ts';

export type { Config, MonitoringConfig, NotificationsConfig, OidcConfig } from './config/types.ts';
export { isAddressOrCidr, parseRoleMap } from './config/values.ts';

/**
 * Every setting Harbour reads, validated once at start so a bad value stops the process with a
 * clear message instead of failing later. Each variable is listed in .env.example and the README.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A Notify API key ends with the service id and the secret, both UUIDs.
const NOTIFY_KEY =
  /^.+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// An AES-256 key: base64 of 32 bytes (openssl rand -base64 32).
const AES_KEY = z
  .string()
  .trim()
  .refine(
    (v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32,
    'must be 32 bytes of base64; make one with: openssl rand -base64 32',
  );

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // Only this machine by default: the demo's passwords are published. Set HOST=0.0.0.0 (or an
    // address) to serve others, as a deployment behind a proxy does.
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z.string().url().optional(),
    PGLITE_DATA_DIR: z.string().default('./data'),
    SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
    COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SEED_DEMO: z.enum(['true', 'false']).default('true'),
    SIGN_IN_RATE_LIMIT: z.coerce.number().int().positive().default(30),
    JOBS: z.enum(['true', 'false']).default('true'),
    BENCH_BARE_ROUTE: z.enum(['true', 'false']).default('false'),
    // Tests only: makes named points in an action kill the process, throw or pause (src/failpoints.ts).
    HARBOUR_FAILPOINTS: z
      .string()
      .trim()
      .regex(
        /^[a-z.-]+=(exit|throw|sleep:\d{1,6})(,[a-z.-]+=(exit|throw|sleep:\d{1,6}))*$/,
        'must be name=exit|throw|sleep:MS, comma-separated',
      )
      .optional(),
    API_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
    NODE_ENV: z.string().default('development'),
    // Notifications. A channel is active only when what it needs is set; with none, messages go to
    // the in-app inbox and the Outbox page.
    NOTIFY_API_KEY: z
      .string()
      .trim()
      .regex(NOTIFY_KEY, 'must be a GOV.UK Notify API key (name-serviceid-secret)')
      .optional(),
    NOTIFY_BASE_URL: z.string().url().optional(),
    // Requests a minute the Notify key may make (Notify's limit is 3,000; 0: keep no limit here).
    NOTIFY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(3000),
    NOTIFY_SMS_TEMPLATE_ID: z.string().trim().regex(UUID, 'must be a template id (a UUID)').optional(),
    NOTIFY_EMAIL_TEMPLATE_ID: z.string().trim().regex(UUID, 'must be a template id (a UUID)').optional(),
    SMTP_URL: z
      .string()
      .url()
      .refine((v) => /^smtps?:\/\//.test(v), 'must start smtp:// or smtps://')
      .optional(),
    SMTP_FROM: z.string().trim().min(3).optional(),
    PUBLIC_BASE_URL: z
      .string()
      .url()
      .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL')
      .default('http://localhost:3000'),
    REGISTERS_PUBLICATION_THRESHOLD: z.coerce.number().min(0).max(1_000_000).default(50),
    REGISTERS_REMINDER_INTERVAL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    REGISTERS_ESCALATE_AFTER_DAYS: z.coerce.number().int().min(1).max(365).default(14),
    // Issue 21: the Kent Code does not ask for a published register, so it is off unless turned on.
    REGISTERS_PUBLISH: z.enum(['true', 'false']).default('false'),
    REGISTERS_SIGNIFICANT_GIFT: z.coerce.number().min(0).max(1_000_000).default(25),
    REGISTERS_DELEGATE_EMAIL: z.string().trim().email().optional(),
    // FOI (issue 7): how a request received on a non-working day counts; the reference pattern; requester
    // details kept this many years after closure; counts 1..threshold published as "fewer than threshold+1".
    FOI_RECEIPT_READING: z.enum(['council', 'ico']).default('council'),
    FOI_REFERENCE_PATTERN: z
      .string()
      .trim()
      .min(1)
      .max(60)
      .refine((v) => v.includes('{seq'), 'must contain {seq} or {seq:N}')
      .default('FOI/{yy}/{seq:4}'),
    FOI_RETENTION_YEARS: z.coerce.number().int().min(1).max(50).default(3),
    FOI_SUPPRESSION_THRESHOLD: z.coerce.number().int().min(0).max(100).default(4),
    FOI_COUNCIL_NAME: z.string().trim().min(1).max(200).default('The Council'),
    // Retention schedule (issue 20): how long each kind of record is kept (README lists each source).
    RETENTION_LOCATION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    RETENTION_INCIDENT_YEARS: z.coerce.number().int().min(1).max(100).default(6),
    RETENTION_RIDDOR_YEARS: z.coerce.number().int().min(3).max(100).default(3),
    RETENTION_COMPLAINT_YEARS: z.coerce.number().int().min(1).max(100).default(6),
    RETENTION_ALLEGATION_YEARS: z.coerce.number().int().min(1).max(100).default(10),
    RETENTION_RETIREMENT_AGE: z.coerce.number().int().min(50).max(80).default(67),
    RETENTION_FLAG_YEARS: z.coerce.number().int().min(0).max(100).default(1),
    RETENTION_REGISTER_YEARS: z.coerce.number().int().min(1).max(100).default(6),
    // Issue 13: alarms that reach a person, and an engine that says when it is behind.
    ENGINE_LAG_LIMIT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters (openssl rand -hex 24)').optional(),
    ALERT_EXTERNAL_FAILURE_ESCALATE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    OPS_ALERT_EMAIL: z.string().trim().email().optional(),
    OPS_ALERT_SMS: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ]{10,16}$/, 'must be a mobile number')
      .optional(),
    VAPID_SUBJECT: z
      .string()
      .refine((v) => /^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/.test(v), 'must be a mailto: address or an https: URL')
      .optional(),
    EMERGENCY_PACK_KEY: AES_KEY.optional(),
    // The same key in a file (a secret mounted from a vault); read once at start.
    EMERGENCY_PACK_KEY_FILE: z.string().trim().min(1).optional(),
    EMERGENCY_PACK_PREVIOUS_KEYS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      )
      .pipe(z.array(AES_KEY)),
    // Issue 17: sign-in with the council's OpenID Connect provider, proxies trusted, keys outside the database.
    OIDC_ISSUER_URL: z.string().url().optional(),
    OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().trim().min(1).optional(),
    OIDC_ROLE_CLAIM: z.string().trim().min(1).default('roles'),
    OIDC_ROLE_MAP: z.string().trim().optional(),
    OIDC_EMPLOYEE_NUMBER_CLAIM: z.string().trim().min(1).optional(),
    OIDC_ONLY: z.enum(['true', 'false']).default('false'),
    OIDC_BREAK_GLASS_ADMINS: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((e) => e.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().email('must be a comma-separated list of email addresses'))),
    AUDIT_CHECKPOINT_FILE: z.string().trim().min(1).optional(),
    AUDIT_CHECKPOINT_KEY: z
      .string()
      .trim()
      .min(32, 'must be at least 32 characters (openssl rand -base64 32); keep it outside the database')
      .optional(),
    TRUST_PROXY: z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine(isAddressOrCidr, 'must be a comma-separated list of IP addresses or CIDR ranges, like 10.0.0.0/8'),
        ),
      ),
  })
  .superRefine((c, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.NOTIFY_API_KEY && !c.NOTIFY_SMS_TEMPLATE_ID && !c.NOTIFY_EMAIL_TEMPLATE_ID)
      problem('NOTIFY_API_KEY', 'set NOTIFY_SMS_TEMPLATE_ID and/or NOTIFY_EMAIL_TEMPLATE_ID too');
    if (!c.NOTIFY_API_KEY && c.NOTIFY_SMS_TEMPLATE_ID) problem('NOTIFY_SMS_TEMPLATE_ID', 'needs NOTIFY_API_KEY');
    if (!c.NOTIFY_API_KEY && c.NOTIFY_EMAIL_TEMPLATE_ID) problem('NOTIFY_EMAIL_TEMPLATE_ID', 'needs NOTIFY_API_KEY');
    if (!c.NOTIFY_API_KEY && c.NOTIFY_BASE_URL) problem('NOTIFY_BASE_URL', 'needs NOTIFY_API_KEY');
    if (c.SMTP_URL && !c.SMTP_FROM)
      problem('SMTP_FROM', 'set the From address for SMTP_URL, like "Harbour <harbour@council.gov.uk>"');
    if (c.SMTP_FROM && !c.SMTP_URL) problem('SMTP_FROM', 'needs SMTP_URL');
    if (c.EMERGENCY_PACK_KEY && c.EMERGENCY_PACK_KEY_FILE)
      problem('EMERGENCY_PACK_KEY_FILE', 'set EMERGENCY_PACK_KEY or EMERGENCY_PACK_KEY_FILE, not both');
    if (c.NODE_ENV === 'production' && !c.EMERGENCY_PACK_KEY && !c.EMERGENCY_PACK_KEY_FILE) {
      problem(
        'EMERGENCY_PACK_KEY',
        'must be set in production (or EMERGENCY_PACK_KEY_FILE): without it the key that opens staff emergency contact and medical details is kept in the database beside them, so anyone with a copy of the database can read them all. Make one with: openssl rand -base64 32',
      );
    }
    const oidcParts = [c.OIDC_ISSUER_URL, c.OIDC_CLIENT_ID, c.OIDC_CLIENT_SECRET].filter(Boolean).length;
    if (oidcParts > 0 && oidcParts < 3)
      problem(
        c.OIDC_ISSUER_URL ? (c.OIDC_CLIENT_ID ? 'OIDC_CLIENT_SECRET' : 'OIDC_CLIENT_ID') : 'OIDC_ISSUER_URL',
        'set OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together',
      );
    if (c.OIDC_ONLY === 'true' && !c.OIDC_ISSUER_URL)
      problem('OIDC_ONLY', 'needs OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
    if (c.OIDC_ROLE_MAP && parseRoleMap(c.OIDC_ROLE_MAP) === null)
      problem(
        'OIDC_ROLE_MAP',
        `must be claim-value=role pairs separated by commas, like "Harbour.Admin=admin,Harbour.Worker=worker" (roles: ${ROLES.join(', ')})`,
      );
    if (c.HARBOUR_FAILPOINTS && c.NODE_ENV === 'production')
      problem('HARBOUR_FAILPOINTS', 'is for tests only and must not be set in production');
  });

export class ConfigError extends Error {}

/** EMERGENCY_PACK_KEY_FILE: the file must exist and hold the key (base64 of 32 bytes), nothing else. */
function readKeyFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      `Invalid configuration: EMERGENCY_PACK_KEY_FILE: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const parsed = AES_KEY.safeParse(text);
  if (!parsed.success)
    throw new ConfigError(
      `Invalid configuration: EMERGENCY_PACK_KEY_FILE: ${path} ${parsed.error.issues[0]?.message ?? 'is not a key'}`,
    );
  return parsed.data;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  const emergencyKey = c.EMERGENCY_PACK_KEY_FILE
    ? readKeyFile(c.EMERGENCY_PACK_KEY_FILE)
    : (c.EMERGENCY_PACK_KEY ?? null);
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    pgliteDataDir: c.PGLITE_DATA_DIR,
    sessionTtlHours: c.SESSION_TTL_HOURS,
    cookieSecure: c.COOKIE_SECURE === 'auto' ? 'auto' : c.COOKIE_SECURE === 'true',
    logLevel: c.LOG_LEVEL,
    seedDemo: c.SEED_DEMO === 'true',
    signInRateLimit: c.SIGN_IN_RATE_LIMIT,
    jobsEnabled: c.JOBS === 'true',
    benchBareRoute: c.BENCH_BARE_ROUTE === 'true',
    failpoints: c.HARBOUR_FAILPOINTS ?? null,
    apiTokenCacheSeconds: c.API_TOKEN_CACHE_SECONDS,
    production: c.NODE_ENV === 'production',
    registers: {
      publicationThresholdPence: Math.round(c.REGISTERS_PUBLICATION_THRESHOLD * 100),
      reminderIntervalDays: c.REGISTERS_REMINDER_INTERVAL_DAYS,
      escalateAfterDays: c.REGISTERS_ESCALATE_AFTER_DAYS,
      publish: c.REGISTERS_PUBLISH === 'true',
      significantGiftPence: Math.round(c.REGISTERS_SIGNIFICANT_GIFT * 100),
      delegateEmail: c.REGISTERS_DELEGATE_EMAIL ?? null,
    },
    foi: {
      receiptReading: c.FOI_RECEIPT_READING,
      referencePattern: c.FOI_REFERENCE_PATTERN,
      retentionYears: c.FOI_RETENTION_YEARS,
      suppressionThreshold: c.FOI_SUPPRESSION_THRESHOLD,
      council: c.FOI_COUNCIL_NAME,
    },
    retention: {
      locationDays: c.RETENTION_LOCATION_DAYS,
      incidentYears: c.RETENTION_INCIDENT_YEARS,
      riddorYears: c.RETENTION_RIDDOR_YEARS,
      complaintYears: c.RETENTION_COMPLAINT_YEARS,
      allegationYears: c.RETENTION_ALLEGATION_YEARS,
      retirementAge: c.RETENTION_RETIREMENT_AGE,
      flagYears: c.RETENTION_FLAG_YEARS,
      registerYears: c.RETENTION_REGISTER_YEARS,
      foiYears: c.FOI_RETENTION_YEARS,
    },
    emergency: { key: emergencyKey, previousKeys: c.EMERGENCY_PACK_PREVIOUS_KEYS },
    monitoring: { engineLagLimitSeconds: c.ENGINE_LAG_LIMIT_SECONDS, metricsToken: c.METRICS_TOKEN ?? null },
    oidc:
      c.OIDC_ISSUER_URL && c.OIDC_CLIENT_ID && c.OIDC_CLIENT_SECRET
        ? {
            issuerUrl: c.OIDC_ISSUER_URL,
            clientId: c.OIDC_CLIENT_ID,
            clientSecret: c.OIDC_CLIENT_SECRET,
            roleClaim: c.OIDC_ROLE_CLAIM,
            roleMap: c.OIDC_ROLE_MAP ? parseRoleMap(c.OIDC_ROLE_MAP) : null,
            employeeNumberClaim: c.OIDC_EMPLOYEE_NUMBER_CLAIM ?? null,
            only: c.OIDC_ONLY === 'true',
            breakGlassAdmins: c.OIDC_BREAK_GLASS_ADMINS,
          }
        : null,
    trustProxy: c.TRUST_PROXY,
    auditCheckpoint: { file: c.AUDIT_CHECKPOINT_FILE ?? null, key: c.AUDIT_CHECKPOINT_KEY ?? null },
    notifications: {
      publicBaseUrl: c.PUBLIC_BASE_URL.replace(/\/+$/, ''),
      notify: c.NOTIFY_API_KEY
        ? {
            apiKey: c.NOTIFY_API_KEY,
            baseUrl: c.NOTIFY_BASE_URL?.replace(/\/+$/, '') ?? null,
            smsTemplateId: c.NOTIFY_SMS_TEMPLATE_ID ?? null,
            emailTemplateId: c.NOTIFY_EMAIL_TEMPLATE_ID ?? null,
            ratePerMinute: c.NOTIFY_RATE_LIMIT_PER_MINUTE || null,
          }
        : null,
      smtp: c.SMTP_URL && c.SMTP_FROM ? { url: c.SMTP_URL, from: c.SMTP_FROM } : null,
      vapidSubject: c.VAPID_SUBJECT ?? null,
      externalFailureEscalateSeconds: c.ALERT_EXTERNAL_FAILURE_ESCALATE_SECONDS,
      ...(c.OPS_ALERT_EMAIL || c.OPS_ALERT_SMS
        ? { opsAlert: { email: c.OPS_ALERT_EMAIL ?? null, sms: c.OPS_ALERT_SMS ?? null } }
        : {}),
    },
  };
}
