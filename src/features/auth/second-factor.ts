import type { Kysely } from 'kysely';
import { generateSecret, generateURI, verify } from 'otplib';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from './actor.ts';
import type { AccountRow, AccountsRepository } from './repository.ts';
import type { SecondFactorRepository } from './second-factor-repository.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { newSecret, sha256 } from './tokens.ts';
import { accountKey } from './limits.ts';
import { KeyError, type SecretBox } from '../emergency/crypto.ts';

/** How long a browser has, after a correct password, to type the code from the authenticator app. */
export const CHALLENGE_MS = 5 * 60_000;
/** Wrong codes allowed for one challenge; then the person starts again with their password. */
export const CHALLENGE_ATTEMPTS = 5;
/** How long a set-password link works. Long enough for someone starting on Monday to get it on Friday. */
export const PASSWORD_LINK_MS = 72 * 3600_000;

/** A code as people type it: spaces and dashes dropped. Six digits, or null. */
export function normaliseCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/** The secret in groups of four, easier to type into an app by hand than 32 characters in one run. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * Checks a code against a secret: the current 30-second step or the one before or after (a phone's
 * clock a little out), and only a step later than the last one accepted, so a code cannot be reused.
 */
export async function checkCode(secret: string, input: string, lastStep: number | null): Promise<number | null> {
  const token = normaliseCode(input);
  if (!token) return null;
  const result = await verify({
    secret,
    token,
    epochTolerance: 30,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

export interface SecondFactorDeps {
  db: Kysely<DB>;
  accounts: AccountsRepository;
  secondFactor: SecondFactorRepository;
  audit: AuditRepository;
  startSession(row: AccountRow, ip: string | null): Promise<{ token: string; actor: Actor }>;
  /** Seals the authenticator-app keys with the emergency-pack keyring: never stored in clear. */
  secrets: SecretBox;
}

/** Binds a sealed key to its account, so a value copied onto another account does not open. */
const totpAad = (accountId: number) => `totp:${accountId}`;

export function buildSecondFactor(deps: SecondFactorDeps) {
  const { db, accounts, secondFactor: repo, audit, secrets } = deps;
  const openSecret = (accountId: number, stored: string) => secrets.open(stored, totpAad(accountId));
  /** The key, or null when no configured key opens it (a key removed before rotation, or a value moved between accounts). */
  const readSecret = async (accountId: number, stored: string) => {
    try {
      return await openSecret(accountId, stored);
    } catch (e) {
      if (e instanceof KeyError) return null;
      throw e;
    }
  };

  const wrongCode = (field: string, message = 'Enter the 6-digit code shown in your authenticator app now') =>
    new ValidationError([{ field, message }]);

  return {
    /** Whether the account has a second factor, and the secret being set up when it has not. */
    async twoFactorStatus(actor: Actor) {
      const row = await accounts.findById(actor.accountId);
      if (!row) throw new NotFoundError('Account');
      const t = await repo.totp(actor.accountId);
      return {
        hasPassword: row.password_hash !== null,
        enabled: Boolean(t?.totp_enabled_at),
        enabledAt: t?.totp_enabled_at ?? null,
      };
    },

    /** A new secret for the authenticator app, kept until a code from it is typed back. */
    async startTwoFactor(actor: Actor) {
      const row = await accounts.findById(actor.accountId);
      if (!row) throw new NotFoundError('Account');
      const t = await repo.totp(actor.accountId);
      if (t?.totp_enabled_at) return null;
      // A half-set-up key that no longer opens is replaced: nothing depends on it yet.
      const pending = t?.totp_secret ? await readSecret(actor.accountId, t.totp_secret) : null;
      const secret = pending ?? generateSecret();
      if (!pending) await repo.setPendingTotp(actor.accountId, await secrets.seal(secret, totpAad(actor.accountId)));
      return {
        secret,
        grouped: groupSecret(secret),
        uri: generateURI({ issuer: 'Harbour', label: row.email, secret }),
      };
    },

    async confirmTwoFactor(actor: Actor, code: string) {
      const t = await repo.totp(actor.accountId);
      if (!t?.totp_secret || t.totp_enabled_at)
        throw new ValidationError([{ field: 'code', message: 'Start setting up your authenticator app again' }]);
      const secret = await readSecret(actor.accountId, t.totp_secret);
      const step = secret === null ? null : await checkCode(secret, code, null);
      if (step === null) throw wrongCode('code');
      await db.transaction().execute(async (trx) => {
        await repo.enableTotp(trx, actor.accountId, step);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'account.two_factor_on',
          entityType: 'account',
          entityId: actor.accountId,
        });
      });
    },

    /** Turns the second factor off, with the password. Refused where it is required (administrators in production). */
    async removeTwoFactor(actor: Actor, password: string, required: boolean) {
      if (required && actor.roles.includes('admin'))
        throw new ValidationError([
          {
            field: 'password',
            message:
              'Administrators must keep a second factor. Set up a new authenticator app instead by asking another administrator to reset it',
          },
        ]);
      const row = await accounts.findById(actor.accountId);
      if (!row?.password_hash) throw new NotFoundError('Account');
      if (!password || !(await verifyPassword(row.password_hash, password)))
        throw new ValidationError([
          { field: 'password', message: password ? 'Your password is not right' : 'Enter your password' },
        ]);
      await db.transaction().execute(async (trx) => {
        await repo.clearTotp(trx, actor.accountId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'account.two_factor_off',
          entityType: 'account',
          entityId: actor.accountId,
        });
      });
    },

    /** An administrator takes another account's authenticator app off (a lost phone); it is set up again at the next sign-in. */
    async resetTwoFactor(actor: Actor, accountId: number): Promise<boolean> {
      const row = await accounts.findById(accountId);
      if (!row) return false;
      await db.transaction().execute(async (trx) => {
        await repo.clearTotp(trx, accountId);
        await accounts.deleteSessionsOf(trx, accountId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'account.two_factor_reset',
          entityType: 'account',
          entityId: accountId,
        });
      });
      return true;
    },

    /**
     * Seals every authenticator-app key not yet sealed with the current emergency-pack key (keys kept
     * in clear before sealing began, or sealed with an older key); part of `harbour emergency rotate-key`.
     */
    async resealTotpSecrets() {
      let resealed = 0;
      const unreadable: number[] = [];
      for (const r of await repo.totpSecrets()) {
        if (await secrets.isCurrent(r.secret)) continue;
        const plain = await readSecret(r.id, r.secret);
        if (plain === null) {
          unreadable.push(r.id);
          continue;
        }
        if (await repo.resealTotp(r.id, r.secret, await secrets.seal(plain, totpAad(r.id)))) resealed++;
      }
      return { resealed, unreadable };
    },

    /** Whether an account signing in with its password must also give a code. */
    async needsCode(accountId: number): Promise<boolean> {
      return Boolean((await repo.totp(accountId))?.totp_enabled_at);
    },

    /** Whether the account has a second factor turned on (administrators must, in production). */
    hasTwoFactor: async (accountId: number) => Boolean((await repo.totp(accountId))?.totp_enabled_at),

    /** After a correct password: a token the browser keeps until it gives the code. */
    async openChallenge(row: AccountRow, ip: string | null): Promise<string> {
      const token = newSecret();
      await repo.createChallenge({
        idHash: sha256(token),
        accountId: row.id,
        ip,
        expiresAt: new Date(Date.now() + CHALLENGE_MS),
      });
      return token;
    },

    /**
     * The code for a challenge. Right: the session starts. Wrong: counted; after CHALLENGE_ATTEMPTS
     * the challenge ends and the person starts again with their password (`expired`).
     */
    async answerChallenge(
      token: string,
      code: string,
      ip: string | null,
    ): Promise<{ ok: true; token: string; actor: Actor } | { ok: false; expired: boolean }> {
      const idHash = sha256(token);
      const challenge = await repo.findChallenge(idHash);
      if (!challenge) return { ok: false, expired: true };
      const row = await accounts.findById(challenge.account_id);
      const t = await repo.totp(challenge.account_id);
      if (!row || row.disabled_at || !t?.totp_secret || !t.totp_enabled_at) {
        await repo.deleteChallenge(idHash);
        return { ok: false, expired: true };
      }
      // A key that no longer opens refuses every code, as a wrong code does: an administrator resets it.
      const secret = await readSecret(row.id, t.totp_secret);
      const step =
        secret === null
          ? null
          : await checkCode(secret, code, t.totp_last_step === null ? null : Number(t.totp_last_step));
      if (step === null || !(await repo.useStep(row.id, step))) {
        const attempts = await repo.countWrongCode(idHash);
        await audit.append({
          actorId: row.id,
          actorLabel: row.email,
          action: 'auth.second_factor_failed',
          entityType: 'account',
          entityId: row.id,
          ip,
          detail: { attempts },
        });
        if (attempts >= CHALLENGE_ATTEMPTS) {
          await repo.deleteChallenge(idHash);
          return { ok: false, expired: true };
        }
        return { ok: false, expired: false };
      }
      await repo.deleteChallenge(idHash);
      return { ok: true, ...(await deps.startSession(row, ip)) };
    },

    /**
     * A one-time link for someone to set their own password, so an administrator never types or
     * knows it. Any earlier unused link stops working. Emailed to the member of staff when the
     * account belongs to one; also shown once to the administrator to pass on.
     */
    async createPasswordLink(actor: Actor, accountId: number, publicBaseUrl: string) {
      const row = await accounts.findById(accountId);
      if (!row) throw new NotFoundError('Account');
      if (row.disabled_at)
        throw new ValidationError([
          { field: 'link', message: 'Turn the account back on before sending a set-password link' },
        ]);
      const token = newSecret();
      const expiresAt = new Date(Date.now() + PASSWORD_LINK_MS);
      const path = `/set-password/${token}`;
      const emailed = await db.transaction().execute(async (trx) => {
        await repo.createPasswordLink(trx, { idHash: sha256(token), accountId, createdBy: actor.accountId, expiresAt });
        if (row.staff_id) {
          await repo.emailLink(
            trx,
            row.staff_id,
            'Set your Harbour password',
            'Use this link to set your password for Harbour. It works once and stops working in 3 days. If you did not expect it, tell the Harbour administrator.',
            path,
          );
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'account.password_link',
          entityType: 'account',
          entityId: accountId,
          detail: { emailed: Boolean(row.staff_id), expiresAt: expiresAt.toISOString() },
        });
        return Boolean(row.staff_id);
      });
      return { url: `${publicBaseUrl.replace(/\/$/, '')}${path}`, expiresAt, emailed, email: row.email };
    },

    /** The link's account, when the link still works. */
    async passwordLink(token: string) {
      const link = await repo.findPasswordLink(sha256(token));
      if (!link || link.used_at || link.expires_at <= new Date() || link.disabled_at) return null;
      return { email: link.email };
    },

    /** Sets the password from a link: the link is used up and every session of the account ends. */
    async setPasswordFromLink(token: string, input: { password: string; confirm: string }, ip: string | null) {
      const idHash = sha256(token);
      const link = await repo.findPasswordLink(idHash);
      if (!link || link.used_at || link.expires_at <= new Date() || link.disabled_at) throw new NotFoundError('Link');
      const problem = input.password ? passwordProblem(input.password) : 'Enter a new password';
      const errors = problem
        ? [{ field: 'password', message: problem }]
        : input.confirm !== input.password
          ? [{ field: 'confirm', message: 'Enter the same new password again' }]
          : [];
      if (errors.length) throw new ValidationError(errors);
      const hash = await hashPassword(input.password);
      const used = await db.transaction().execute(async (trx) => {
        if (!(await repo.usePasswordLink(trx, idHash))) return false;
        await accounts.setPassword(trx, link.account_id, hash);
        const ended = await accounts.deleteSessionsOf(trx, link.account_id);
        await audit.appendIn(trx, {
          actorId: link.account_id,
          actorLabel: link.email,
          action: 'account.password_set_from_link',
          entityType: 'account',
          entityId: link.account_id,
          ip,
          detail: { sessionsEnded: ended },
        });
        return true;
      });
      if (!used) throw new NotFoundError('Link');
      await accounts.clearSignInFailures(accountKey(link.email));
    },
  };
}

export type SecondFactorService = ReturnType<typeof buildSecondFactor>;
