import { actorFields } from '../audit/service.ts';
import type { Actor } from './actor.ts';
import { newSecret, sha256 } from './tokens.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { toActor, type AuthContext } from './context.ts';

/** API tokens: a bearer token resolved (remembered a short while in this process), created, listed, revoked. */
export function buildApiTokens({ db, accounts, audit, cacheMs, tokenCache, forgetAccount }: AuthContext) {
  return {
    async resolveApiToken(token: string, ip: string | null): Promise<Actor | null> {
      const hash = sha256(token);
      const cached = cacheMs > 0 ? tokenCache.get(hash) : undefined;
      let t = cached && Date.now() - cached.at < cacheMs ? cached.row : undefined;
      if (!t) {
        t = await accounts.findToken(hash);
        if (t && cacheMs > 0) {
          if (tokenCache.size > 10_000) tokenCache.clear();
          tokenCache.set(hash, { row: t, at: Date.now() });
        }
      }
      if (!t || t.revoked_at || t.disabled_at || (t.expires_at && t.expires_at <= new Date())) return null;
      // Record use at most once a minute, so an API call does not cost a write.
      if (!t.token_last_used_at || Date.now() - new Date(t.token_last_used_at).getTime() > 60_000) {
        await accounts.touchToken(t.token_id);
        t.token_last_used_at = new Date();
      }
      return toActor(t, ip, 'token');
    },

    /** A new API token for the actor's own account. The secret is shown once and only its hash kept. */
    async createApiToken(actor: Actor | null, accountId: number, name: string, expiresAt: Date | null) {
      if (actor && actor.accountId !== accountId && !actor.roles.includes('admin')) throw new ForbiddenError();
      if (!name.trim()) throw new ValidationError([{ field: 'name', message: 'Enter a name for the token' }]);
      const token = newSecret('hbr_');
      const id = await db.transaction().execute(async (trx) => {
        const tokenId = await accounts.createToken(trx, {
          accountId,
          name: name.trim(),
          tokenHash: sha256(token),
          expiresAt,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'api_token.create',
          entityType: 'api_token',
          entityId: tokenId,
          detail: { accountId, name },
        });
        return tokenId;
      });
      return { id, token };
    },
    listTokens: (actor: Actor) => accounts.listTokens(actor.accountId),
    async revokeToken(actor: Actor, id: number) {
      const done = await db.transaction().execute(async (trx) => {
        const ok = await accounts.revokeToken(trx, actor.accountId, id);
        if (ok)
          await audit.appendIn(trx, {
            ...actorFields(actor),
            action: 'api_token.revoke',
            entityType: 'api_token',
            entityId: id,
          });
        return ok;
      });
      if (!done) throw new NotFoundError('Token');
      forgetAccount(actor.accountId);
    },
  };
}
