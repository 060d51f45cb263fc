import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { accountKey, addressKey, afterFailure, waitMs, type SignInLimits } from './limits.ts';
import type { Actor } from './actor.ts';
import type { AuthContext } from './context.ts';
import type { SecondFactorService } from './second-factor.ts';

/** `code`: the password was right and the account has a second factor; the browser keeps `challenge` until it gives the code. */
export type PasswordSignIn =
  | { ok: true; token: string; actor: Actor }
  | { ok: false; waitSeconds: number | null }
  | { ok: 'code'; challenge: string };

/** Sign-in with a password, under the limits on failures per email address and per client address. */
export function buildPasswordSignIn(
  { db, accounts, audit, baseLimits, startSession }: AuthContext,
  secondFactor: Pick<SecondFactorService, 'needsCode' | 'openChallenge'>,
) {
  return {
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
  };
}
