import type { Actor } from '../features/auth/actor.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string;
    sessionToken: string | null;
  }
  interface FastifyReply {
    /** Renders a Nunjucks view with the page context (actor, navigation, CSRF token, CSP nonce). */
    view(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}

export {};
