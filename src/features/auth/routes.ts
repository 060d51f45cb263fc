import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { registerSecurity } from '../../web/security.ts';
import { requireActor } from '../../web/security.ts';
import { fieldErrors } from '../../web/validation.ts';
import { toErrorMap, toErrorSummary, type FieldError } from '../../errors.ts';

const signInForm = z.object({
  email: z.string().trim().min(1, 'Enter your email address').max(254, 'Enter your email address'),
  password: z.string().min(1, 'Enter your password').max(256, 'Enter your password'),
  returnTo: z.string().optional(),
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

export const authRoutes: FastifyPluginAsync<{ services: Services; security: ReturnType<typeof registerSecurity>; signInRateLimit: number }> = async (app, { services, security, signInRateLimit }) => {
  const render = (reply: import('fastify').FastifyReply, status: number, values: Record<string, unknown>, errors: FieldError[] = []) =>
    reply.code(status).view('auth/sign-in.njk', { title: 'Sign in', values, errorList: toErrorSummary(errors), errors: toErrorMap(errors) });

  app.get<{ Querystring: { returnTo?: string } }>('/sign-in', async (request, reply) => {
    if (request.actor) return reply.redirect(safeReturnTo(request.query.returnTo), 303);
    return render(reply, 200, { returnTo: request.query.returnTo ?? '' });
  });

  app.post('/sign-in', {
    config: { rateLimit: { max: signInRateLimit, timeWindow: '15 minutes', keyGenerator: (r) => r.ip } },
  }, async (request, reply) => {
    const parsed = signInForm.safeParse(request.body ?? {});
    const values = { ...(request.body as Record<string, unknown>), password: '' };
    if (!parsed.success) return render(reply, 400, values, fieldErrors(parsed.error));
    const result = await services.auth.signIn(parsed.data.email, parsed.data.password, request.ip);
    if (!result) return render(reply, 400, values, [{ field: 'email', message: 'Enter a correct email address and password' }]);
    security.startSession(request, reply, result.token);
    return reply.redirect(safeReturnTo(parsed.data.returnTo), 303);
  });

  app.post('/sign-out', async (request, reply) => {
    const actor = requireActor(request);
    if (request.sessionToken) await services.auth.signOut(request.sessionToken, actor);
    security.endSession(reply);
    return reply.redirect('/sign-in', 303);
  });
};
