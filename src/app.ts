import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import './web/types.ts';
import type { Services } from './composition.ts';
import { createNunjucks, govukDist } from './web/nunjucks.ts';
import { navigationFor } from './web/navigation.ts';
import { registerSecurity } from './web/security.ts';
import { registerErrorHandling } from './web/error-handling.ts';
import { authRoutes } from './features/auth/routes.ts';
import { secondFactorRoutes } from './features/auth/second-factor-routes.ts';
import { homeRoutes } from './features/people/home-routes.ts';
import { peopleRoutes } from './features/people/routes.ts';
import { buildingsRoutes } from './features/buildings/routes.ts';
import { riskRoutes } from './features/risk/routes.ts';
import { adminRoutes } from './features/organisation/admin-routes.ts';
import { accountsRoutes } from './features/accounts/routes.ts';
import { auditRoutes } from './features/audit/routes.ts';
import { apiRoutes } from './features/api/routes.ts';
import { healthRoutes, type HealthInfo } from './features/health/routes.ts';
import { metricsRoutes } from './features/metrics/routes.ts';
import { loadConfig, type MonitoringConfig, type OidcConfig } from './config.ts';
import { buildOidcClient } from './features/auth/oidc.ts';
import { menuRoutes } from './features/menu/routes.ts';
import { helpRoutes } from './features/help/routes.ts';
import { notificationsRoutes } from './features/notifications/routes.ts';
import { visitsRoutes } from './features/visits/routes.ts';
import { calendarRoutes } from './features/calendar/routes.ts';
import { alertsRoutes } from './features/alerts/routes.ts';
import { policyRoutes } from './features/alerts/policy-routes.ts';
import { boardRoutes } from './features/board/routes.ts';
import { registersRoutes } from './features/registers/routes.ts';
import { incidentsRoutes } from './features/incidents/routes.ts';
import { complaintsRoutes } from './features/complaints/routes.ts';
import { importsRoutes } from './features/imports/routes.ts';
import { emergencyRoutes } from './features/emergency/routes.ts';
import { lockdownRoutes } from './features/lockdown/routes.ts';
import { offlineRoutes } from './features/offline/routes.ts';
import { duressRoutes } from './features/duress/routes.ts';
import { foiRoutes } from './features/foi/routes.ts';
import { retentionRoutes } from './features/retention/routes.ts';
import { subjectAccessRoutes } from './features/subject-access/routes.ts';
import { trainingRoutes } from './features/training/routes.ts';
import { readinessRoutes } from './features/readiness/routes.ts';
import { alarmsRoutes, navigationWithCounts, registerAlarmBar } from './features/alarms/routes.ts';

export function singleValueQuery(text: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) if (!Object.hasOwn(query, k)) query[k] = v;
  return query;
}

const publicDir = join(dirname(fileURLToPath(import.meta.url)), 'web', 'public');

export interface AppOptions {
  /** A pino logger to use for request logs; none in tests. */
  logger?: import('pino').Logger;
  cookieSecure?: boolean | 'auto';
  signInRateLimit?: number;
  health?: () => Promise<HealthInfo>;
  /** Lag limit for /health and the /metrics token; read from the environment when not given. */
  monitoring?: MonitoringConfig;
  /** The council's OpenID Connect provider (issue 17); off when null or not given. */
  oidc?: OidcConfig | null;
  /** Where people reach Harbour (the OpenID Connect redirect starts with it). */
  publicBaseUrl?: string;
  /** Administrators signing in with a password must set up an authenticator app first (production, unless OpenID Connect only). */
  requireAdminTwoFactor?: boolean;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); none when empty or not given. */
  trustProxy?: string[];
}

export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger as unknown as import('fastify').FastifyBaseLogger }
      : { logger: false }),
    // Only named proxies may say who the client is; otherwise request.ip is the connecting address.
    trustProxy: options.trustProxy?.length ? options.trustProxy : false,
    bodyLimit: 2 * 1024 * 1024,
    // One value per query parameter: a repeated one (?q=a&q=b) keeps its first value, so no handler
    // meets an array where it expects text.
    routerOptions: { querystringParser: singleValueQuery },
    // Fastify's own validation answers 400 with the reason; our handler shapes it.
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: true } },
  });

  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 1 } });
  await app.register(rateLimit, { global: false });
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        // Signing out of a council sign-in is a form post redirected to the provider's sign-out (RP-initiated logout).
        formAction: ["'self'", ...(options.oidc ? [new URL(options.oidc.issuerUrl).origin] : [])],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Off so the demo works over plain http://localhost; production sits behind TLS and HSTS.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  });

  await app.register(fastifyStatic, {
    root: join(govukDist, 'govuk', 'assets'),
    prefix: '/assets/',
    maxAge: '1d',
    decorateReply: false,
  });
  await app.register(fastifyStatic, { root: publicDir, prefix: '/public/', maxAge: '1h', decorateReply: false });
  for (const file of ['govuk-frontend.min.css', 'govuk-frontend.min.js']) {
    const path = join(govukDist, 'govuk', file);
    app.get(`/public/govuk/${file}`, (_req, reply) =>
      sendFile(reply, path, file.endsWith('.css') ? 'text/css' : 'text/javascript'),
    );
  }

  const env = createNunjucks();
  app.decorate('renderFragment', (template: string, context: Record<string, unknown>) => env.render(template, context));
  app.decorateReply(
    'view',
    function (this: import('fastify').FastifyReply, template: string, context: Record<string, unknown> = {}) {
      const request = this.request;
      const nonce = (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script;
      const html = env.render(template, {
        actor: request.actor,
        csrfToken: request.csrfToken,
        cspNonce: nonce,
        navigation: navigationWithCounts(
          navigationFor(request.actor, request.url.split('?')[0] ?? '/'),
          request.alarmBar,
        ),
        alarmBar: request.alarmBar,
        currentPath: request.url,
        ...context,
      });
      return this.type('text/html; charset=utf-8').send(html);
    },
  );

  const security = registerSecurity(app, services.auth, {
    cookieSecure: options.cookieSecure ?? 'auto',
    requireAdminTwoFactor: options.requireAdminTwoFactor ?? false,
  });
  registerErrorHandling(app);
  registerAlarmBar(app, services);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Harbour API',
        version: '1',
        description:
          'Staff safety and accountability. Authenticate with `Authorization: Bearer <token>`; create a token on the API tokens page or with `harbour token create`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Only the JSON API takes bearer tokens; the HTML pages are not part of the API document.
    transform: ({ schema, url }) => ({ schema: url.startsWith('/api/v1/') ? schema : { ...schema, hide: true }, url }),
  });

  const monitoring = options.monitoring ?? monitoringFromEnvironment();
  const engine = services.engineHealth(monitoring.engineLagLimitSeconds);
  await app.register(healthRoutes, { health: options.health, engine });
  if (monitoring.metricsToken) await app.register(metricsRoutes, { engine, token: monitoring.metricsToken });
  const publicBaseUrl = (options.publicBaseUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
  const oidc = options.oidc
    ? buildOidcClient(options.oidc, `${publicBaseUrl}/sign-in/oidc/callback`, `${publicBaseUrl}/sign-in`)
    : null;
  await app.register(authRoutes, {
    services,
    security,
    signInRateLimit: options.signInRateLimit ?? 30,
    oidc,
    publicBaseUrl,
  });
  await app.register(secondFactorRoutes, {
    services,
    security,
    requireAdminTwoFactor: options.requireAdminTwoFactor ?? false,
    publicBaseUrl,
  });
  await app.register(homeRoutes, { services });
  await app.register(menuRoutes);
  await app.register(helpRoutes, {
    council: services.foi.settings.council,
    retentionYears: services.foi.settings.retentionYears,
    retention: services.retention.settings,
  });
  await app.register(peopleRoutes, { services });
  await app.register(buildingsRoutes, { services });
  await app.register(adminRoutes, { services });
  await app.register(accountsRoutes, { services });
  await app.register(auditRoutes, { services });
  await app.register(visitsRoutes, { services });
  await app.register(calendarRoutes, { services });
  await app.register(riskRoutes, { services });
  await app.register(alertsRoutes, { services });
  await app.register(policyRoutes, { services });
  await app.register(boardRoutes, { services });
  await app.register(alarmsRoutes, { services });
  await app.register(notificationsRoutes, { services });
  await app.register(registersRoutes, { services });
  await app.register(incidentsRoutes, { services });
  await app.register(complaintsRoutes, { services });
  await app.register(importsRoutes, { services });
  await app.register(emergencyRoutes, { services });
  await app.register(lockdownRoutes, { services });
  await app.register(offlineRoutes);
  await app.register(duressRoutes, { services });
  await app.register(foiRoutes, { services });
  await app.register(retentionRoutes, { services });
  await app.register(subjectAccessRoutes, { services });
  await app.register(trainingRoutes, { services });
  await app.register(readinessRoutes, { services });
  await app.register(apiRoutes, { services, prefix: '/api/v1' });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

async function sendFile(reply: import('fastify').FastifyReply, path: string, type: string) {
  const { createReadStream } = await import('node:fs');
  return reply.type(type).header('cache-control', 'public, max-age=86400').send(createReadStream(path));
}

/** ENGINE_LAG_LIMIT_SECONDS and METRICS_TOKEN as the server validated them at start (defaults if unreadable). */
function monitoringFromEnvironment(): MonitoringConfig {
  try {
    return loadConfig().monitoring;
  } catch {
    return { engineLagLimitSeconds: 30, metricsToken: null };
  }
}
