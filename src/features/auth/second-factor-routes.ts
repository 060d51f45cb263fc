import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { requireActor, type registerSecurity } from '../../web/security.ts';
import { handleForm } from '../../web/error-handling.ts';
import { ForbiddenError, NotFoundError, toErrorMap, toErrorSummary, type FieldError } from '../../errors.ts';
import { can } from './access.ts';
import { idParam } from '../people/routes.ts';
import { safeReturnTo } from './routes.ts';

const codeForm = z.object({ code: z.string().max(64).catch(''), returnTo: z.string().max(2000).optional() });
const removeForm = z.object({ password: z.string().max(256).catch('') });
const setPasswordForm = z.object({ password: z.string().max(1024).catch(''), confirm: z.string().max(1024).catch('') });

export interface SecondFactorRouteOptions {
  services: Services;
  security: ReturnType<typeof registerSecurity>;
  /** Administrators must keep a second factor (production, unless sign-in is OpenID Connect only). */
  requireAdminTwoFactor: boolean;
  publicBaseUrl: string;
}

/**
 * The code from an authenticator app after the password, setting one up and taking it off, and the
 * set-password links administrators send instead of typing someone's password.
 */
export const secondFactorRoutes: FastifyPluginAsync<SecondFactorRouteOptions> = async (
  app,
  { services, security, requireAdminTwoFactor, publicBaseUrl },
) => {
  const { auth } = services;

  const codePage = (reply: FastifyReply, status: number, returnTo: string, errors: FieldError[] = []) =>
    reply.code(status).view('auth/code.njk', {
      title: 'Enter the code from your authenticator app',
      returnTo,
      errorList: toErrorSummary(errors),
      errors: toErrorMap(errors),
    });

  app.get<{ Querystring: { returnTo?: string } }>('/sign-in/code', async (request, reply) => {
    if (request.actor) return reply.redirect(safeReturnTo(request.query.returnTo), 303);
    if (!security.challenge(request)) return reply.redirect('/sign-in', 303);
    return codePage(reply, 200, safeReturnTo(request.query.returnTo));
  });

  app.post('/sign-in/code', async (request, reply) => {
    const form = codeForm.parse(request.body ?? {});
    const returnTo = safeReturnTo(form.returnTo);
    const token = security.challenge(request);
    if (!token) return reply.redirect('/sign-in', 303);
    if (!form.code.trim())
      return codePage(reply, 400, returnTo, [
        { field: 'code', message: 'Enter the 6-digit code from your authenticator app' },
      ]);
    const result = await auth.answerChallenge(token, form.code, request.ip);
    if (result.ok) {
      security.clearChallenge(reply);
      security.startSession(request, reply, result.token);
      return reply.redirect(returnTo, 303);
    }
    if (result.expired) {
      security.clearChallenge(reply);
      return reply.code(400).view('auth/sign-in.njk', {
        title: 'Sign in',
        values: { returnTo },
        oidc: false,
        oidcOnly: false,
        oidcHref: '/sign-in/oidc',
        ...(() => {
          const e = [
            {
              field: 'email',
              message: 'Sign in again: the code was wrong too many times, or took longer than 5 minutes',
            },
          ];
          return { errorList: toErrorSummary(e), errors: toErrorMap(e) };
        })(),
      });
    }
    return codePage(reply, 400, returnTo, [
      { field: 'code', message: 'The code is not right. Enter the 6-digit code shown in your authenticator app now' },
    ]);
  });

  const setupContext = async (
    request: Parameters<typeof requireActor>[0],
    query: { required?: string; done?: string },
  ) => {
    const actor = requireActor(request);
    const status = await auth.twoFactorStatus(actor);
    const setup = status.enabled || !status.hasPassword ? null : await auth.startTwoFactor(actor);
    return {
      title: 'Second factor for signing in',
      status,
      setup,
      required: query.required === '1',
      done: query.done,
      mustKeep: requireAdminTwoFactor && actor.roles.includes('admin'),
    };
  };

  app.get<{ Querystring: { required?: string; done?: string } }>('/account/two-factor', async (request, reply) => {
    return reply.view('auth/two-factor.njk', { ...(await setupContext(request, request.query)), values: {} });
  });

  app.post('/account/two-factor', async (request, reply) => {
    const actor = requireActor(request);
    const form = codeForm.parse(request.body ?? {});
    return handleForm(
      reply,
      () => auth.confirmTwoFactor(actor, form.code),
      { template: 'auth/two-factor.njk', values: {}, context: () => setupContext(request, {}) },
      () => '/account/two-factor?done=on',
    );
  });

  app.post('/account/two-factor/remove', async (request, reply) => {
    const actor = requireActor(request);
    const form = removeForm.parse(request.body ?? {});
    return handleForm(
      reply,
      () => auth.removeTwoFactor(actor, form.password, requireAdminTwoFactor),
      { template: 'auth/two-factor.njk', values: {}, context: () => setupContext(request, {}) },
      () => '/account/two-factor?done=off',
    );
  });

  const linkPage = (reply: FastifyReply, status: number, token: string, email: string, errors: FieldError[] = []) =>
    reply.code(status).view('auth/set-password.njk', {
      title: 'Set your password',
      token,
      email,
      errorList: toErrorSummary(errors),
      errors: toErrorMap(errors),
    });

  app.get<{ Params: { token: string } }>('/set-password/:token', async (request, reply) => {
    const link = await auth.passwordLink(request.params.token);
    if (!link) return reply.code(404).view('auth/link-expired.njk', { title: 'This link has expired or been used' });
    return linkPage(reply, 200, request.params.token, link.email);
  });

  app.post<{ Params: { token: string } }>('/set-password/:token', async (request, reply) => {
    const link = await auth.passwordLink(request.params.token);
    if (!link) return reply.code(404).view('auth/link-expired.njk', { title: 'This link has expired or been used' });
    const form = setPasswordForm.parse(request.body ?? {});
    return handleForm(
      reply,
      () => auth.setPasswordFromLink(request.params.token, form, request.ip),
      {
        template: 'auth/set-password.njk',
        values: {},
        context: () => ({ title: 'Set your password', token: request.params.token, email: link.email }),
      },
      () => '/sign-in?passwordSet=1',
    );
  });

  const requireAdmin = (request: Parameters<typeof requireActor>[0]) => {
    const actor = requireActor(request);
    if (!can(actor, 'accounts.manage')) throw new ForbiddenError('Only administrators can manage accounts');
    return actor;
  };

  app.post<{ Params: { id: string } }>('/admin/accounts/:id/password-link', async (request, reply) => {
    const actor = requireAdmin(request);
    const created = await auth.createPasswordLink(actor, idParam(request.params.id), publicBaseUrl);
    // The link is shown on this response only; Harbour keeps just its hash.
    return reply.view('accounts/password-link.njk', {
      title: 'Set-password link',
      backLink: '/admin/accounts',
      ...created,
    });
  });

  app.post<{ Params: { id: string } }>('/admin/accounts/:id/two-factor/reset', async (request, reply) => {
    const actor = requireAdmin(request);
    const id = idParam(request.params.id);
    if (id === actor.accountId) throw new ForbiddenError('Another administrator must reset your second factor');
    if (!(await auth.resetTwoFactor(actor, id))) throw new NotFoundError('Account');
    return reply.redirect('/admin/accounts', 303);
  });
};
