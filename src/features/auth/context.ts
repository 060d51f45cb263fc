import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AccountsRepository, AccountRow } from './repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { isRole, type Actor } from './actor.ts';
import { newSecret, sha256 } from './tokens.ts';
import type { SecretBox } from '../emergency/crypto.ts';
import type { SecondFactorRepository } from './second-factor-repository.ts';
import { DEFAULT_LIMITS, type SignInLimits } from './limits.ts';

export interface AuthDeps {
  db: Kysely<DB>;
  /** Sign-in limits; the defaults unless a test or SIGN_IN_RATE_LIMIT changes them. */
  limits?: Partial<SignInLimits>;
  accounts: AccountsRepository;
  /** Authenticator-app codes and set-password links; built over `db` when not given. */
  secondFactor?: SecondFactorRepository;
  /** Seals authenticator-app keys (the emergency-pack keyring). */
  secrets: SecretBox;
  audit: AuditRepository;
  sessionTtlHours: number;
  /**
   * How long a resolved API token is remembered in this process (0 = not at all). Saves a query
   * per API call; the cost is that a token revoked on another instance works here for up to this long.
   */
  apiTokenCacheMs?: number;
}

export function toActor(row: AccountRow, ip: string | null, via: Actor['via']): Actor {
  return {
    accountId: row.id,
    staffId: row.staff_id,
    email: row.email,
    displayName: row.display_name,
    roles: row.roles.filter(isRole),
    ip,
    via,
  };
}

type TokenRow = NonNullable<Awaited<ReturnType<AccountsRepository['findToken']>>>;

/**
 * What every capability of the auth service shares: the sign-in limits, starting a session, and
 * this process's cache of resolved API tokens, which any change to an account's access must empty.
 */
export function buildAuthContext(deps: AuthDeps) {
  const { db, accounts, audit } = deps;
  const baseLimits: SignInLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const cacheMs = deps.apiTokenCacheMs ?? 0;
  const tokenCache = new Map<string, { row: TokenRow; at: number }>();
  const forgetAccount = (accountId: number) => {
    for (const [k, v] of tokenCache) if (v.row.id === accountId) tokenCache.delete(k);
  };

  async function startSession(row: AccountRow, ip: string | null, oidc = false) {
    const token = newSecret();
    const csrfToken = newSecret();
    await accounts.createSession({
      idHash: sha256(token),
      accountId: row.id,
      csrfToken,
      ip,
      oidc,
      expiresAt: new Date(Date.now() + deps.sessionTtlHours * 3600_000),
    });
    await accounts.touchSignIn(row.id);
    await audit.append({
      actorId: row.id,
      actorLabel: row.email,
      action: 'auth.sign_in',
      entityType: 'account',
      entityId: row.id,
      ip,
      ...(oidc ? { detail: { via: 'oidc' } } : {}),
    });
    return { token, actor: toActor(row, ip, 'session') };
  }

  return { db, accounts, audit, baseLimits, cacheMs, tokenCache, forgetAccount, startSession };
}

export type AuthContext = ReturnType<typeof buildAuthContext>;
