import { z } from 'zod';

/**
 * Every setting Harbour reads, validated once at start so a bad value stops the process with a
 * clear message instead of failing later. Each variable is listed in .env.example and the README.
 */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  PGLITE_DATA_DIR: z.string().default('./data'),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  SIGN_IN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  JOBS: z.enum(['true', 'false']).default('true'),
  NODE_ENV: z.string().default('development'),
});

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
  production: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
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
    production: c.NODE_ENV === 'production',
  };
}
