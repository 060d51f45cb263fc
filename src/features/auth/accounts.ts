import { actorFields } from '../audit/service.ts';
import type { Actor, Role } from './actor.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { accountKey } from './limits.ts';
import type { AuthContext } from './context.ts';

/** Sign-in accounts: created, given roles, turned off or on, and a person's own password changed. */
export function buildAccounts({ db, accounts, audit, forgetAccount, startSession }: AuthContext) {
  return {
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
  };
}
