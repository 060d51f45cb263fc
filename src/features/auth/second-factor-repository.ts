import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';

/** The SQL behind authenticator-app codes (TOTP), sign-in challenges and set-password links. */
export function buildSecondFactorRepository(db: Kysely<DB>) {
  return {
    totp(accountId: number) {
      return db
        .selectFrom('accounts')
        .select(['totp_secret', 'totp_enabled_at', 'totp_last_step'])
        .where('id', '=', accountId)
        .executeTakeFirst();
    },
    async setPendingTotp(accountId: number, secret: string) {
      await db
        .updateTable('accounts')
        .set({ totp_secret: secret, totp_enabled_at: null, totp_last_step: null })
        .where('id', '=', accountId)
        .execute();
    },
    /** Every stored authenticator-app key (sealed or from before sealing), for key rotation. */
    async totpSecrets() {
      const rows = await db
        .selectFrom('accounts')
        .select(['id', 'totp_secret'])
        .where('totp_secret', 'is not', null)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, secret: r.totp_secret! }));
    },
    /** Replaces a stored key only if it is still the one read (a person may be setting theirs up at the same moment). */
    async resealTotp(accountId: number, from: string, to: string): Promise<boolean> {
      const r = await db
        .updateTable('accounts')
        .set({ totp_secret: to })
        .where('id', '=', accountId)
        .where('totp_secret', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async enableTotp(ex: Executor, accountId: number, step: number) {
      await ex
        .updateTable('accounts')
        .set({ totp_enabled_at: new Date(), totp_last_step: String(step) })
        .where('id', '=', accountId)
        .execute();
    },
    async clearTotp(ex: Executor, accountId: number) {
      await ex
        .updateTable('accounts')
        .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
        .where('id', '=', accountId)
        .execute();
    },
    /** Records the time step of an accepted code, only if it is later than the last one (no replays, even from two browsers at once). */
    async useStep(accountId: number, step: number): Promise<boolean> {
      const r = await db
        .updateTable('accounts')
        .set({ totp_last_step: String(step) })
        .where('id', '=', accountId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async createChallenge(c: { idHash: string; accountId: number; ip: string | null; expiresAt: Date }) {
      await db
        .insertInto('sign_in_challenges')
        .values({ id_hash: c.idHash, account_id: c.accountId, ip: c.ip, expires_at: c.expiresAt })
        .execute();
    },
    findChallenge(idHash: string) {
      return db
        .selectFrom('sign_in_challenges')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('expires_at', '>', new Date())
        .executeTakeFirst();
    },
    async countWrongCode(idHash: string) {
      const r = await db
        .updateTable('sign_in_challenges')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id_hash', '=', idHash)
        .returning('attempts')
        .executeTakeFirst();
      return r?.attempts ?? Number.MAX_SAFE_INTEGER;
    },
    async deleteChallenge(idHash: string) {
      await db.deleteFrom('sign_in_challenges').where('id_hash', '=', idHash).execute();
    },

    async createPasswordLink(
      ex: Executor,
      l: { idHash: string; accountId: number; createdBy: number; expiresAt: Date },
    ) {
      // A new link replaces any earlier one still unused.
      await ex
        .updateTable('password_links')
        .set({ used_at: new Date() })
        .where('account_id', '=', l.accountId)
        .where('used_at', 'is', null)
        .execute();
      await ex
        .insertInto('password_links')
        .values({ id_hash: l.idHash, account_id: l.accountId, created_by: l.createdBy, expires_at: l.expiresAt })
        .execute();
    },
    findPasswordLink(idHash: string) {
      return db
        .selectFrom('password_links')
        .innerJoin('accounts', 'accounts.id', 'password_links.account_id')
        .select([
          'password_links.account_id',
          'password_links.expires_at',
          'password_links.used_at',
          'accounts.email',
          'accounts.disabled_at',
        ])
        .where('password_links.id_hash', '=', idHash)
        .executeTakeFirst();
    },
    /** Marks the link used; false when another request used it first. */
    async usePasswordLink(ex: Executor, idHash: string): Promise<boolean> {
      const r = await ex
        .updateTable('password_links')
        .set({ used_at: new Date() })
        .where('id_hash', '=', idHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', new Date())
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** Emails the link to the account's member of staff through the normal outbox (SMTP or GOV.UK Notify). */
    async emailLink(ex: Executor, staffId: number, subject: string, body: string, link: string) {
      await insertInboxMessages(ex, [{ recipientId: staffId, channel: 'email', subject, body, link }]);
    },
  };
}

export type SecondFactorRepository = ReturnType<typeof buildSecondFactorRepository>;
