import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from './actor.ts';
import type { AccountsRepository } from './repository.ts';
import type { SecondFactorRepository } from './second-factor-repository.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { newSecret, sha256 } from './tokens.ts';
import { accountKey } from './limits.ts';

/** How long a set-password link works. Long enough for someone starting on Monday to get it on Friday. */
export const PASSWORD_LINK_MS = 72 * 3600_000;

/** Set-password links: made by an administrator, used once by the person to set their own password. */
export function buildPasswordLinks(deps: {
  db: Kysely<DB>;
  accounts: AccountsRepository;
  secondFactor: SecondFactorRepository;
  audit: AuditRepository;
}) {
  const { db, accounts, secondFactor: repo, audit } = deps;
  return {
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
