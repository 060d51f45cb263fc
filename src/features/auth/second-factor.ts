import type { Kysely } from 'kysely';
import { generateSecret, generateURI } from 'otplib';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from './actor.ts';
import type { AccountRow, AccountsRepository } from './repository.ts';
import type { SecondFactorRepository } from './second-factor-repository.ts';
import { verifyPassword } from './passwords.ts';
import { newSecret, sha256 } from './tokens.ts';
import type { SecretBox } from '../emergency/crypto.ts';
import { checkCode, groupSecret, readTotpSecret, totpAad } from './totp.ts';
import { buildPasswordLinks } from './password-links.ts';

/** How long a browser has, after a correct password, to type the code from the authenticator app. */
export const CHALLENGE_MS = 5 * 60_000;
/** Wrong codes allowed for one challenge; then the person starts again with their password. */
export const CHALLENGE_ATTEMPTS = 5;

export { checkCode, groupSecret, normaliseCode } from './totp.ts';
export { PASSWORD_LINK_MS } from './password-links.ts';

export interface SecondFactorDeps {
  db: Kysely<DB>;
  accounts: AccountsRepository;
  secondFactor: SecondFactorRepository;
  audit: AuditRepository;
  startSession(row: AccountRow, ip: string | null): Promise<{ token: string; actor: Actor }>;
  /** Seals the authenticator-app keys with the emergency-pack keyring: never stored in clear. */
  secrets: SecretBox;
}

export function buildSecondFactor(deps: SecondFactorDeps) {
  const { db, accounts, secondFactor: repo, audit, secrets } = deps;
  const readSecret = (accountId: number, stored: string) => readTotpSecret(secrets, accountId, stored);

  const wrongCode = (field: string, message = 'Enter the 6-digit code shown in your authenticator app now') =>
    new ValidationError([{ field, message }]);

  return {
    ...buildPasswordLinks(deps),

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
  };
}

export type SecondFactorService = ReturnType<typeof buildSecondFactor>;
