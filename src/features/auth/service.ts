import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AccountsRepository, AccountRow } from './repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { isRole, type Actor, type Role } from './actor.ts';
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { newSecret, sha256 } from './tokens.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import type { OidcIdentity } from './oidc.ts';
import { buildSecondFactor } from './second-factor.ts';
import type { SecretBox } from '../emergency/crypto.ts';
import { buildSecondFactorRepository, type SecondFactorRepository } from './second-factor-repository.ts';
import { DEFAULT_LIMITS, accountKey, addressKey, afterFailure, waitMs, type SignInLimits } from './limits.ts';

/** `code`: the password was right and the account has a second factor; the browser keeps `challenge` until it gives the code. */
export type PasswordSignIn =
  | { ok: true; token: string; actor: Actor }
  | { ok: false; waitSeconds: number | null }
  | { ok: 'code'; challenge: string };

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

/** Why a person the provider vouched for was not let in: each has its own page. */
export type OidcRefusal = 'unverified' | 'unknown' | 'disabled' | 'linked_elsewhere';

export function buildAuthService(deps: AuthDeps) {
  const { db, accounts, audit } = deps;
  const baseLimits: SignInLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const cacheMs = deps.apiTokenCacheMs ?? 0;
  const tokenCache = new Map<
    string,
    { row: NonNullable<Awaited<ReturnType<AccountsRepository['findToken']>>>; at: number }
  >();
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

  const secondFactor = buildSecondFactor({
    db,
    accounts,
    audit,
    secondFactor: deps.secondFactor ?? buildSecondFactorRepository(db),
    startSession,
    secrets: deps.secrets,
  });

  return {
    ...secondFactor,
    /**
     * A password sign-in. Refused without looking at the password while the email address or the
     * client address is locked or must wait (`waitSeconds`); a wrong email or password never says
     * which. Only failures count; a success clears its email address's count.
     * `adminOnly` (sign-in is OpenID Connect only): only a break-glass administrator may use a password.
     */
    async signIn(
      email: string,
      password: string,
      ip: string | null,
      options: { adminOnly?: boolean; addressFailures?: number } = {},
    ): Promise<PasswordSignIn> {
      const limits: SignInLimits = {
        ...baseLimits,
        ...(options.addressFailures ? { addressFailures: options.addressFailures } : {}),
      };
      const label = email.trim().toLowerCase().slice(0, 200);
      const keys = [accountKey(email), ...(ip ? [addressKey(ip)] : [])];
      const now = new Date();
      const counts = await accounts.signInFailures(keys);
      const wait = waitMs(counts, now, limits);
      if (wait > 0) {
        await audit.append({
          actorId: null,
          actorLabel: label,
          action: 'auth.sign_in_refused',
          entityType: 'account',
          entityId: null,
          ip,
          detail: { waitSeconds: Math.ceil(wait / 1000) },
        });
        return { ok: false, waitSeconds: Math.ceil(wait / 1000) };
      }
      const row = await accounts.findByEmail(email.trim());
      const ok = await verifyPassword(row?.password_hash ?? DUMMY_HASH, password);
      if (!row || !ok || row.disabled_at || (options.adminOnly && !row.roles.includes('admin'))) {
        let accountLocked = false;
        for (const key of keys) {
          const { next, locked } = afterFailure(
            key,
            counts.find((c) => c.key === key),
            now,
            limits,
          );
          await accounts.saveSignInFailure(next);
          if (locked && key === keys[0]) accountLocked = true;
        }
        await db.transaction().execute(async (trx) => {
          await audit.appendIn(trx, {
            actorId: row?.id ?? null,
            actorLabel: label,
            action: 'auth.sign_in_failed',
            entityType: 'account',
            entityId: row?.id ?? null,
            ip,
            ...(accountLocked ? { detail: { locked: true } } : {}),
          });
          if (accountLocked && row?.staff_id) {
            await accounts.tellLocked(
              trx,
              row.staff_id,
              'Your Harbour sign-in has been locked',
              `There were ${limits.accountFailures} wrong passwords for your Harbour account in a row, so password sign-in is locked for ${Math.round(limits.lockMs / 60_000)} minutes. If this was not you, tell the Harbour administrator.`,
            );
          }
        });
        return { ok: false, waitSeconds: null };
      }
      await accounts.clearSignInFailures(keys[0]!);
      if (await secondFactor.needsCode(row.id))
        return { ok: 'code', challenge: await secondFactor.openChallenge(row, ip) };
      return { ok: true, ...(await startSession(row, ip)) };
    },

    /**
     * A person the OpenID Connect provider vouched for. Later sign-ins match issuer and subject; the
     * first links the account found by employee number (when that claim is configured) or by a
     * verified email, and records issuer and subject. With a role map, the account's roles follow it.
     */
    async signInOidc(
      identity: OidcIdentity,
      ip: string | null,
    ): Promise<{ ok: true; token: string; actor: Actor } | { ok: false; reason: OidcRefusal }> {
      const refuse = async (reason: OidcRefusal, row?: AccountRow) => {
        await audit.append({
          actorId: row?.id ?? null,
          actorLabel: (identity.email ?? identity.subject).slice(0, 200),
          action: 'auth.sign_in_failed',
          entityType: 'account',
          entityId: row?.id ?? null,
          ip,
          detail: { via: 'oidc', reason, issuer: identity.issuer, subject: identity.subject },
        });
        return { ok: false as const, reason };
      };
      let row = await accounts.findByOidc(identity.issuer, identity.subject);
      const linking = !row;
      let by = 'employee_number';
      if (!row && identity.employeeNumber) row = await accounts.findByEmployeeNumber(identity.employeeNumber);
      if (!row) {
        by = 'email';
        if (identity.email && !identity.emailVerified) return refuse('unverified');
        if (identity.email) row = await accounts.findByEmail(identity.email);
      }
      if (!row) return refuse('unknown');
      if (linking && (await accounts.oidcLink(row.id)).oidc_subject) return refuse('linked_elsewhere', row);
      if (row.disabled_at) return refuse('disabled', row);
      const roles = identity.roles;
      const held = row.roles;
      const rolesChange = roles !== null && (roles.length !== held.length || roles.some((r) => !held.includes(r)));
      if (linking || rolesChange) {
        const account = row;
        await db.transaction().execute(async (trx) => {
          const who = {
            actorId: account.id,
            actorLabel: account.email,
            ip,
            entityType: 'account',
            entityId: account.id,
          };
          if (linking) {
            await accounts.linkOidc(trx, account.id, identity.issuer, identity.subject);
            await audit.appendIn(trx, {
              ...who,
              action: 'account.oidc_link',
              detail: { issuer: identity.issuer, subject: identity.subject, by },
            });
          }
          if (roles !== null && rolesChange) {
            await accounts.setRoles(trx, account.id, roles);
            forgetAccount(account.id);
            await audit.appendIn(trx, {
              ...who,
              action: 'account.set_roles',
              detail: { from: account.roles, to: roles, via: 'oidc' },
            });
          }
        });
        if (roles !== null) row = { ...row, roles };
      }
      return { ok: true, ...(await startSession(row, ip, true)) };
    },

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

    async createAccount(
      actor: Actor | null,
      input: { email: string; displayName: string; password: string | null; roles: Role[]; staffId: number | null },
    ) {
      if (input.password !== null) {
        const problem = passwordProblem(input.password);
        if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
      }
      if (await accounts.findByEmail(input.email))
        throw new ValidationError([{ field: 'email', message: 'An account with that email address already exists' }]);
      const passwordHash = input.password === null ? null : await hashPassword(input.password);
      return db.transaction().execute(async (trx) => {
        const id = await accounts.create(trx, { ...input, passwordHash });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'account.create',
          entityType: 'account',
          entityId: id,
          detail: { email: input.email, roles: input.roles },
        });
        return id;
      });
    },

    async setRoles(actor: Actor, accountId: number, roles: Role[]) {
      const row = await accounts.findById(accountId);
      if (!row) throw new NotFoundError('Account');
      if (actor.accountId === accountId && !roles.includes('admin') && row.roles.includes('admin')) {
        throw new ValidationError([{ field: 'roles', message: 'You cannot remove your own administrator role' }]);
      }
      await db.transaction().execute(async (trx) => {
        await accounts.setRoles(trx, accountId, roles);
        forgetAccount(accountId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'account.set_roles',
          entityType: 'account',
          entityId: accountId,
          detail: { from: row.roles, to: roles },
        });
      });
    },

    /**
     * Changes the actor's own password: the current one, then a new one of 12 characters or more that
     * is not a common password, typed twice. Every session of the account ends; a new one is
     * returned for the browser that made the change.
     */
    async changePassword(
      actor: Actor,
      input: { current: string; password: string; confirm: string },
      ip: string | null,
    ) {
      const row = await accounts.findById(actor.accountId);
      if (!row) throw new NotFoundError('Account');
      if (!row.password_hash)
        throw new ValidationError([
          {
            field: 'current',
            message: 'Your account signs in with your council account, which has no Harbour password to change',
          },
        ]);
      const errors: { field: string; message: string }[] = [];
      if (!input.current) errors.push({ field: 'current', message: 'Enter your current password' });
      else if (!(await verifyPassword(row.password_hash, input.current)))
        errors.push({ field: 'current', message: 'Your current password is not right' });
      const problem = input.password ? passwordProblem(input.password) : 'Enter a new password';
      if (problem) errors.push({ field: 'password', message: problem });
      else if (input.password === input.current)
        errors.push({ field: 'password', message: 'Your new password must be different from your current one' });
      if (!problem && input.confirm !== input.password)
        errors.push({ field: 'confirm', message: 'Enter the same new password again' });
      if (errors.length) throw new ValidationError(errors);
      const hash = await hashPassword(input.password);
      const ended = await db.transaction().execute(async (trx) => {
        await accounts.setPassword(trx, row.id, hash);
        const n = await accounts.deleteSessionsOf(trx, row.id);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'account.password_change',
          entityType: 'account',
          entityId: row.id,
          detail: { sessionsEnded: n },
        });
        return n;
      });
      await accounts.clearSignInFailures(accountKey(row.email));
      return { ended, ...(await startSession(row, ip)) };
    },

    /** Turns an account off (every session ends; its API tokens stop working) or back on. */
    async setDisabled(actor: Actor, accountId: number, disabled: boolean) {
      const row = await accounts.findById(accountId);
      if (!row) throw new NotFoundError('Account');
      if (disabled && actor.accountId === accountId)
        throw new ValidationError([{ field: 'disabled', message: 'You cannot turn off your own account' }]);
      await db.transaction().execute(async (trx) => {
        await accounts.setDisabled(trx, accountId, disabled);
        const n = disabled ? await accounts.deleteSessionsOf(trx, accountId) : 0;
        forgetAccount(accountId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: disabled ? 'account.disable' : 'account.enable',
          entityType: 'account',
          entityId: accountId,
          ...(disabled ? { detail: { sessionsEnded: n } } : {}),
        });
      });
    },

    listAccounts: accounts.list,

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
    deleteExpiredSessions: () => accounts.deleteExpiredSessions(),
  };
}

export type AuthService = ReturnType<typeof buildAuthService>;
