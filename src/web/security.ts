import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../features/auth/index.ts';
import { newSecret, safeEqual } from '../features/auth/tokens.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors.ts';
import type { OidcPending } from '../features/auth/oidc.ts';

export const SESSION_COOKIE = 'harbour_session';
export const PRESESSION_COOKIE = 'harbour_presession';
export const OIDC_COOKIE = 'harbour_oidc';

export const CHALLENGE_COOKIE = 'harbour_challenge';
export interface SecurityOptions {
  cookieSecure: boolean | 'auto';
  /** Administrators signed in with a password must set up an authenticator app before anything else (production, unless sign-in is OpenID Connect only). */
  requireAdminTwoFactor?: boolean;
}

/** What an administrator without a second factor may still reach when one is required. */
const TWO_FACTOR_SETUP_PATHS = ['/account/two-factor', '/sign-out'];

export class CsrfError extends ForbiddenError {
  constructor() {
    super('Your form has expired. Go back, refresh the page and try again.');
  }
}

/**
 * Resolves who is asking (session cookie for pages, bearer token for the API) and holds the CSRF
 * token for the request: the session's, or before sign-in a random per-browser cookie.
 */
export function registerSecurity(app: FastifyInstance, auth: AuthService, options: SecurityOptions) {
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', '');
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('sessionOidc', false);

  const cookieOptions = (request: FastifyRequest) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    path: '/',
    secure: options.cookieSecure === 'auto' ? request.protocol === 'https' : options.cookieSecure,
  });

  app.addHook('onRequest', async (request, reply) => {
    const ip = request.ip ?? null;
    if (request.url.startsWith('/api/')) {
      const header = request.headers.authorization;
      if (header?.startsWith('Bearer ')) request.actor = await auth.resolveApiToken(header.slice(7).trim(), ip);
      return;
    }
    if (request.url.startsWith('/assets/') || request.url.startsWith('/public/')) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const session = await auth.resolveSession(token, ip);
      if (session) {
        request.actor = session.actor;
        request.csrfToken = session.csrfToken;
        request.sessionToken = token;
        request.sessionOidc = session.oidc;
        if (
          options.requireAdminTwoFactor &&
          !session.oidc &&
          !session.twoFactor &&
          session.actor.roles.includes('admin') &&
          !TWO_FACTOR_SETUP_PATHS.some(
            (p) => request.url === p || request.url.startsWith(`${p}?`) || request.url.startsWith(`${p}/`),
          )
        ) {
          return reply.redirect('/account/two-factor?required=1', 303);
        }
        return;
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    let pre = request.cookies[PRESESSION_COOKIE];
    if (!pre || pre.length < 20) {
      pre = newSecret();
      reply.setCookie(PRESESSION_COOKIE, pre, cookieOptions(request));
    }
    request.csrfToken = pre;
  });

  app.addHook('preHandler', async (request) => {
    if (request.url.startsWith('/api/')) return;
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method)) return;
    if (request.isMultipart()) return; // checked by the handler once the fields are read
    const body = request.body as Record<string, unknown> | undefined;
    assertCsrf(request, typeof body?._csrf === 'string' ? body._csrf : undefined);
  });

  return {
    startSession(request: FastifyRequest, reply: FastifyReply, token: string) {
      reply.setCookie(SESSION_COOKIE, token, cookieOptions(request));
      reply.clearCookie(PRESESSION_COOKIE, { path: '/' });
    },
    endSession(reply: FastifyReply) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    },
    /** Keeps the sign-in challenge (password right, code still to come) for the five minutes it lasts. */
    rememberChallenge(request: FastifyRequest, reply: FastifyReply, token: string) {
      reply.setCookie(CHALLENGE_COOKIE, token, { ...cookieOptions(request), path: '/sign-in/code', maxAge: 300 });
    },
    challenge(request: FastifyRequest): string | null {
      return request.cookies[CHALLENGE_COOKIE] ?? null;
    },
    clearChallenge(reply: FastifyReply) {
      reply.clearCookie(CHALLENGE_COOKIE, { path: '/sign-in/code' });
    },
    /** Keeps state, nonce and PKCE verifier in the browser for the ten minutes a provider sign-in may take. */
    rememberOidc(request: FastifyRequest, reply: FastifyReply, pending: OidcPending) {
      reply.setCookie(OIDC_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
        ...cookieOptions(request),
        path: '/sign-in/oidc',
        maxAge: 600,
      });
    },
    /** The pending provider sign-in, once: the cookie is cleared whatever it holds. */
    takeOidc(request: FastifyRequest, reply: FastifyReply): OidcPending | null {
      const raw = request.cookies[OIDC_COOKIE];
      reply.clearCookie(OIDC_COOKIE, { path: '/sign-in/oidc' });
      if (!raw) return null;
      try {
        const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<OidcPending>;
        if ([value.state, value.nonce, value.verifier, value.returnTo].every((v) => typeof v === 'string'))
          return value as OidcPending;
      } catch {
        /* not ours */
      }
      return null;
    },
  };
}

export function assertCsrf(request: FastifyRequest, submitted: string | undefined) {
  if (!submitted || !request.csrfToken || !safeEqual(submitted, request.csrfToken)) throw new CsrfError();
}

/** Guards a page: signed in, or off to the sign-in page. */
export function requireActor(request: FastifyRequest) {
  if (!request.actor) throw new UnauthenticatedError();
  return request.actor;
}
