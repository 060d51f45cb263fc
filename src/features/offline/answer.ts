import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActionDone } from './idempotency.ts';

/** Sent by the phone's queue (public/offline.js): answer with a receipt it can check, not a redirect. */
export const QUEUE_HEADER = 'harbour-queue';

/**
 * How an idempotent action answers. A browser posting a form is redirected (post/redirect/get). The
 * phone's queue sends `Harbour-Queue: 1` and gets `{ receipt, location }` as JSON: the receipt (its
 * own idempotency key) proves the effect committed, so only then does it forget the tap. The answer
 * says nothing about what the action did, so a duress tap is as silent here as on the screen.
 */
export function answerAction(request: FastifyRequest, reply: FastifyReply, done: ActionDone): string | FastifyReply {
  if (done.receipt && request.headers[QUEUE_HEADER] === '1') {
    return reply.code(200).header('cache-control', 'no-store').send({ receipt: done.receipt, location: done.location });
  }
  return done.location;
}

/** answerAction for a handler that answers directly (no form to re-render). */
export function replyToAction(request: FastifyRequest, reply: FastifyReply, done: ActionDone): FastifyReply {
  const next = answerAction(request, reply, done);
  return typeof next === 'string' ? reply.redirect(next, 303) : next;
}
