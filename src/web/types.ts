import type { Actor } from '../features/auth/actor.ts';
import type { AlarmBar } from '../features/alarms/service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string;
    sessionToken: string | null;
    /** The session was started through the OpenID Connect provider (sign-out also ends the provider's). */
    sessionOidc: boolean;
    /** Open alarms for the layout's alarm bar (features/alarms), worked out before a page's handler runs. */
    alarmBar: AlarmBar | null;
  }
  interface FastifyInstance {
    /** Renders a Nunjucks template to a string (for fragments sent over Server-Sent Events). */
    renderFragment(template: string, context: Record<string, unknown>): string;
  }
  interface FastifyReply {
    /** Renders a Nunjucks view with the page context (actor, navigation, CSRF token, CSP nonce). */
    view(template: string, context?: Record<string, unknown>): FastifyReply;
  }
}

export {};
