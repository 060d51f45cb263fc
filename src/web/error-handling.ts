import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
  toErrorMap,
  toErrorSummary,
} from '../errors.ts';

function isApi(request: FastifyRequest) {
  return request.url.startsWith('/api/');
}

/**
 * Maps errors to responses. Known errors get their status and a plain message; anything else is
 * logged in full and answered with a 500 page (or JSON) that reveals nothing about the cause.
 */
export function registerErrorHandling(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) => {
    if (isApi(request))
      return reply
        .code(404)
        .send({ error: 'Not Found', message: `No route ${request.method} ${request.url.split('?')[0]}` });
    return reply.code(404).view('pages/404.njk');
  });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown; code?: string }, request, reply) => {
    if (error instanceof UnauthenticatedError) {
      if (isApi(request))
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'Unauthorized', message: 'Send a valid API token as "Authorization: Bearer <token>"' });
      const returnTo = request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/sign-in${returnTo}`, 303);
    }
    if (error instanceof ForbiddenError) {
      if (isApi(request)) return reply.code(403).send({ error: 'Forbidden', message: error.message });
      return reply.code(403).view('pages/403.njk', { message: error.message });
    }
    if (error instanceof NotFoundError) {
      if (isApi(request)) return reply.code(404).send({ error: 'Not Found', message: error.message });
      return reply.code(404).view('pages/404.njk');
    }
    if (error instanceof ConflictError) {
      if (isApi(request)) return reply.code(409).send({ error: 'Conflict', message: error.message });
      return reply.code(409).view('pages/problem.njk', { status: 409, message: error.message });
    }
    if (error instanceof ValidationError) {
      if (isApi(request))
        return reply.code(400).send({ error: 'Bad Request', message: error.message, errors: error.errors });
      return reply.code(400).view('pages/400.njk', { errorList: toErrorSummary(error.errors) });
    }
    if (isMalformedUpload(error)) {
      // A multipart body without a boundary, or cut short: the upload never arrived whole.
      request.log.warn({ err: error }, 'malformed upload');
      const message =
        'The upload could not be read: it was incomplete or was not sent from the upload form. Choose the file and upload it again.';
      if (isApi(request)) return reply.code(400).send({ error: 'Bad Request', message });
      return reply.code(400).view('pages/problem.njk', { status: 400, message });
    }
    if (isRefusedInput(error)) {
      // PostgreSQL refused a value taken from the request: a number out of range or a NUL character
      // (class 22, data exception), or an id that refers to nothing (23503). Bad input, not a fault.
      request.log.warn({ err: error }, 'input refused by the database');
      const message =
        error.code === '23503'
          ? 'Something you selected does not exist. Go back, refresh the page and try again.'
          : 'Something you entered cannot be saved. Go back, check it and try again.';
      if (isApi(request)) return reply.code(400).send({ error: 'Bad Request', message });
      return reply.code(400).view('pages/problem.njk', { status: 400, message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own: schema validation, body too large, bad content type, rate limit.
      const message = status === 429 ? 'Too many attempts. Wait a few minutes and try again.' : error.message;
      if (isApi(request)) return reply.code(status).send({ error: httpReason(status), message });
      return reply.code(status).view('pages/problem.njk', { status, message });
    }
    request.log.error({ err: error }, 'unhandled error');
    if (isApi(request))
      return reply
        .code(500)
        .send({ error: 'Internal Server Error', message: 'Sorry, there is a problem with the service' });
    return reply.code(500).view('pages/500.njk');
  });
}

function isMalformedUpload(error: { message?: unknown }): boolean {
  return (
    typeof error.message === 'string' &&
    /^(Multipart: Boundary not found|Unexpected end of multipart data|Unsupported Content-Type\.|Malformed part header)|terminated early due to unexpected end of multipart data/.test(
      error.message,
    )
  );
}

function isRefusedInput(error: { code?: unknown }): error is { code: string } {
  return typeof error.code === 'string' && /^(22[0-9A-Z]{3}|23503)$/.test(error.code);
}

function httpReason(status: number): string {
  return (
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        406: 'Not Acceptable',
        409: 'Conflict',
        413: 'Payload Too Large',
        415: 'Unsupported Media Type',
        429: 'Too Many Requests',
      } as Record<number, string>
    )[status] ?? 'Error'
  );
}

/**
 * The form pattern: run the action; on a ValidationError re-render the same page with status 400,
 * the GOV.UK error summary, and what the user typed.
 */
export async function handleForm(
  reply: FastifyReply,
  action: () => Promise<unknown>,
  onInvalid: {
    template: string;
    context: () => Promise<Record<string, unknown>> | Record<string, unknown>;
    values: unknown;
  },
  onSuccess: (result: unknown) => string | FastifyReply,
) {
  try {
    const result = await action();
    const next = onSuccess(result);
    // A string is where to go next (post/redirect/get); otherwise onSuccess has answered itself.
    return typeof next === 'string' ? reply.redirect(next, 303) : next;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const context = await onInvalid.context();
    return reply.code(400).view(onInvalid.template, {
      ...context,
      values: onInvalid.values,
      errorList: toErrorSummary(e.errors),
      errors: toErrorMap(e.errors),
    });
  }
}
