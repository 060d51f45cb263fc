import { actorFields } from '../audit/service.ts';
import type { Actor } from './actor.ts';
import { sha256 } from './tokens.ts';
import { toActor, type AuthContext } from './context.ts';

/** A page's signed-in session: resolved from its cookie, ended at sign-out, cleared once expired. */
export function buildSessions({ accounts, audit }: AuthContext) {
  return {
    async resolveSession(token: string, ip: string | null) {
      const s = await accounts.findSession(sha256(token));
      if (!s || s.disabled_at) return null;
      // Record activity at most once a minute to keep page loads read-only.
      if (Date.now() - new Date(s.last_seen_at).getTime() > 60_000) await accounts.touchSession(s.id_hash);
      return {
        actor: toActor(s, ip, 'session'),
        csrfToken: s.csrf_token,
        oidc: s.oidc,
        twoFactor: s.totp_enabled_at !== null,
      };
    },

    async signOut(token: string, actor: Actor) {
      await accounts.deleteSession(sha256(token));
      await audit.append({
        ...actorFields(actor),
        action: 'auth.sign_out',
        entityType: 'account',
        entityId: actor.accountId,
      });
    },

    deleteExpiredSessions: () => accounts.deleteExpiredSessions(),
  };
}
