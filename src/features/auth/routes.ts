import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { registerSecurity } from '../../web/security.ts';
import { requireActor } from '../../web/security.ts';
import { fieldErrors } from '../../web/validation.ts';
import { handleForm } from '../../web/error-handling.ts';
import { NotFoundError, toErrorMap, toErrorSummary, type FieldError } from '../../errors.ts';
import { OidcFailure, type OidcClient } from './oidc.ts';
import type { OidcRefusal } from './index.ts';

const signInForm = z.object({
  email: z.string().trim().min(1, 'Enter your email address').max(254, 'Enter your email address'),
  password: z.string().min(1, 'Enter your password').max(256, 'Enter your password'),
  returnTo: z.string().optional(),
});

/** Each field checked in the service so every problem is shown at once; here only their shape. */
const passwordForm = z.object({
  current: z.string().max(256).catch(''),
  password: z.string().max(1024).catch(''),
  confirm: z.string().max(1024).catch(''),
});

/**
 * Only same-site paths, so a crafted link cannot send someone elsewhere after signing in. Browsers
 * drop tabs and newlines from a URL and read a backslash as "/", so "/\t/evil.example" would leave the site:
 * any control character or backslash is refused outright.
 */
export function safeReturnTo(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//')) return '/';
  if ([...value].some((c) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return '/';
  return value;
}

function waitText(seconds: number): string {
  if (seconds <= 90) return `Wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;
  return `Wait ${Math.ceil(seconds / 60)} minutes and try again.`;
}

export interface AuthRouteOptions {
  services: Services;
  security: ReturnType<typeof registerSecurity>;
  /** Failed sign-ins from one client address (15 minutes) before it is locked. */
  signInRateLimit: number;
  /** The council's OpenID Connect provider, when configured. */
  oidc: OidcClient | null;
  publicBaseUrl: string;
}

type Problem = OidcRefusal | 'expired' | 'failed' | 'unavailable';
const PROBLEM_STATUS: Record<Problem, number> = {
  expired: 400,
  failed: 400,
  unavailable: 503,
  unverified: 403,
  unknown: 403,
  disabled: 403,
  linked_elsewhere: 403,
};

export const authRoutes: FastifyPluginAsync<AuthRouteOptions> = async (
  app,
  { services, security, signInRateLimit, oidc, publicBaseUrl },
) => {
  const oidcOnly = oidc?.settings.only ?? false;
  const render = (
    reply: FastifyReply,
    status: number,
    values: Record<string, unknown>,
    errors: FieldError[] = [],
    extra: Record<string, unknown> = {},
  ) =>
    reply.code(status).view('auth/sign-in.njk', {
      ...extra,
      title: 'Sign in',
      values,
      errorList: toErrorSummary(errors),
      errors: toErrorMap(errors),
      oidc: oidc !== null,
      oidcOnly,
      oidcHref: `/sign-in/oidc${typeof values.returnTo === 'string' && values.returnTo ? `?returnTo=${encodeURIComponent(values.returnTo)}` : ''}`,
    });
  const problem = (reply: FastifyReply, reason: Problem) =>
    reply.code(PROBLEM_STATUS[reason]).view('auth/oidc-problem.njk', { title: 'You could not be signed in', reason });

  app.get<{ Querystring: { returnTo?: string; passwordSet?: string } }>('/sign-in', async (request, reply) => {
    if (request.actor) return reply.redirect(safeReturnTo(request.query.returnTo), 303);
    return render(reply, 200, { returnTo: request.query.returnTo ?? '' }, [], {
      passwordSet: request.query.passwordSet === '1',
    });
  });

  app.post('/sign-in', async (request, reply) => {
    const parsed = signInForm.safeParse(request.body ?? {});
    const values = { ...(request.body as Record<string, unknown>), password: '' };
    if (!parsed.success) return render(reply, 400, values, fieldErrors(parsed.error));
    if (oidcOnly && !oidc?.settings.breakGlassAdmins.includes(parsed.data.email.toLowerCase())) {
      return render(reply, 400, values, [{ field: 'email', message: 'Sign in with your council account' }]);
    }
    const result = await services.auth.signIn(parsed.data.email, parsed.data.password, request.ip, {
      adminOnly: oidcOnly,
      addressFailures: signInRateLimit,
    });
    if (!result.ok && result.waitSeconds !== null) {
      reply.header('retry-after', String(result.waitSeconds));
      return render(reply, 429, values, [
        { field: 'email', message: `Too many attempts. ${waitText(result.waitSeconds)}` },
      ]);
    }
    if (!result.ok)
      return render(reply, 400, values, [{ field: 'email', message: 'Enter a correct email address and password' }]);
    if (result.ok === 'code') {
      security.rememberChallenge(request, reply, result.challenge);
      const returnTo = safeReturnTo(parsed.data.returnTo);
      return reply.redirect(`/sign-in/code${returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`, 303);
    }
    security.startSession(request, reply, result.token);
    return reply.redirect(safeReturnTo(parsed.data.returnTo), 303);
  });

  app.get<{ Querystring: { returnTo?: string } }>('/sign-in/oidc', async (request, reply) => {
    if (!oidc) throw new NotFoundError('Page');
    let start;
    try {
      start = await oidc.start(safeReturnTo(request.query.returnTo));
    } catch (err) {
      request.log.error({ err }, 'OpenID Connect provider unreachable');
      return problem(reply, 'unavailable');
    }
    security.rememberOidc(request, reply, start.pending);
    return reply.redirect(start.url, 303);
  });

  app.get('/sign-in/oidc/callback', async (request, reply) => {
    if (!oidc) throw new NotFoundError('Page');
    const pending = security.takeOidc(request, reply);
    if (!pending) return problem(reply, 'expired');
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    let identity;
    try {
      identity = await oidc.finish(new URL(`${publicBaseUrl}/sign-in/oidc/callback${query}`), pending);
    } catch (err) {
      if (!(err instanceof OidcFailure)) throw err;
      request.log.warn({ reason: err.message }, 'OpenID Connect sign-in refused');
      return problem(reply, 'failed');
    }
    const result = await services.auth.signInOidc(identity, request.ip);
    if (!result.ok) return problem(reply, result.reason);
    security.startSession(request, reply, result.token);
    return reply.redirect(pending.returnTo, 303);
  });

  app.get<{ Querystring: { changed?: string } }>('/account/password', async (request, reply) => {
    requireActor(request);
    return reply.view('auth/password.njk', {
      title: 'Change your password',
      values: {},
      changed: request.query.changed === '1',
    });
  });

  app.post('/account/password', async (request, reply) => {
    const actor = requireActor(request);
    const form = passwordForm.parse(request.body ?? {});
    return handleForm(
      reply,
      async () => {
        const result = await services.auth.changePassword(actor, form, request.ip);
        security.startSession(request, reply, result.token);
      },
      { template: 'auth/password.njk', values: {}, context: () => ({ title: 'Change your password' }) },
      () => '/account/password?changed=1',
    );
  });

  app.post('/sign-out', async (request, reply) => {
    const actor = requireActor(request);
    if (request.sessionToken) await services.auth.signOut(request.sessionToken, actor);
    security.endSession(reply);
    // RP-initiated logout: a session from the provider ends there too, which then returns to /sign-in.
    const providerSignOut = request.sessionOidc && oidc ? await oidc.endSessionUrl().catch(() => null) : null;
    return reply.redirect(providerSignOut ?? '/sign-in', 303);
  });
};
