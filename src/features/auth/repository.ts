import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';

export interface AccountRow {
  id: number;
  staff_id: number | null;
  email: string;
  display_name: string;
  password_hash: string | null;
  roles: string[];
  disabled_at: Date | null;
  last_sign_in_at: Date | null;
  totp_enabled_at: Date | null;
}

const accountColumns = [
  'id',
  'staff_id',
  'email',
  'display_name',
  'password_hash',
  'roles',
  'disabled_at',
  'last_sign_in_at',
  'totp_enabled_at',
] as const;

export function buildAccountsRepository(db: Kysely<DB>) {
  return {
    findByEmail(email: string): Promise<AccountRow | undefined> {
      return db
        .selectFrom('accounts')
        .select(accountColumns)
        .where(sql`lower(email)`, '=', email.toLowerCase())
        .executeTakeFirst();
    },
    findById(id: number): Promise<AccountRow | undefined> {
      return db.selectFrom('accounts').select(accountColumns).where('id', '=', id).executeTakeFirst();
    },
    findByOidc(issuer: string, subject: string): Promise<AccountRow | undefined> {
      return db
        .selectFrom('accounts')
        .select(accountColumns)
        .where('oidc_issuer', '=', issuer)
        .where('oidc_subject', '=', subject)
        .executeTakeFirst();
    },
    findByEmployeeNumber(employeeNumber: string): Promise<AccountRow | undefined> {
      return db
        .selectFrom('accounts')
        .innerJoin('staff', 'staff.id', 'accounts.staff_id')
        .select(accountColumns.map((c) => `accounts.${c}` as const))
        .where('staff.employee_number', '=', employeeNumber)
        .executeTakeFirst();
    },
    oidcLink(id: number) {
      return db
        .selectFrom('accounts')
        .select(['oidc_issuer', 'oidc_subject'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    },
    async linkOidc(ex: Executor, id: number, issuer: string, subject: string) {
      await ex
        .updateTable('accounts')
        .set({ oidc_issuer: issuer, oidc_subject: subject })
        .where('id', '=', id)
        .execute();
    },
    list() {
      return db.selectFrom('accounts').select(accountColumns).orderBy('display_name').execute();
    },
    async create(
      ex: Executor,
      a: { email: string; displayName: string; passwordHash: string | null; roles: string[]; staffId: number | null },
    ) {
      const row = await ex
        .insertInto('accounts')
        .values({
          email: a.email.toLowerCase(),
          display_name: a.displayName,
          password_hash: a.passwordHash,
          roles: a.roles,
          staff_id: a.staffId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async setRoles(ex: Executor, id: number, roles: string[]) {
      await ex.updateTable('accounts').set({ roles }).where('id', '=', id).execute();
    },
    async setPassword(ex: Executor, id: number, passwordHash: string) {
      await ex.updateTable('accounts').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    },
    async touchSignIn(id: number) {
      await db.updateTable('accounts').set({ last_sign_in_at: new Date() }).where('id', '=', id).execute();
    },

    async createSession(s: {
      idHash: string;
      accountId: number;
      csrfToken: string;
      expiresAt: Date;
      ip: string | null;
      oidc?: boolean;
    }) {
      await db
        .insertInto('sessions')
        .values({
          id_hash: s.idHash,
          account_id: s.accountId,
          csrf_token: s.csrfToken,
          expires_at: s.expiresAt,
          ip: s.ip,
          oidc: s.oidc ?? false,
        })
        .execute();
    },
    findSession(idHash: string) {
      return db
        .selectFrom('sessions')
        .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
        .select([
          'sessions.id_hash',
          'sessions.csrf_token',
          'sessions.expires_at',
          'sessions.last_seen_at',
          'sessions.oidc',
          ...accountColumns.map((c) => `accounts.${c}` as const),
        ])
        .where('sessions.id_hash', '=', idHash)
        .where('sessions.expires_at', '>', new Date())
        .executeTakeFirst();
    },
    async touchSession(idHash: string) {
      await db.updateTable('sessions').set({ last_seen_at: new Date() }).where('id_hash', '=', idHash).execute();
    },
    async deleteSession(idHash: string) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    /** Ends every session of an account (password changed, account turned off). */
    async deleteSessionsOf(ex: Executor, accountId: number) {
      const r = await ex.deleteFrom('sessions').where('account_id', '=', accountId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async setDisabled(ex: Executor, id: number, disabled: boolean) {
      await ex
        .updateTable('accounts')
        .set({ disabled_at: disabled ? new Date() : null })
        .where('id', '=', id)
        .execute();
    },
    async deleteExpiredSessions(now = new Date()) {
      const r = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    signInFailures(keys: string[]) {
      return db.selectFrom('sign_in_failures').selectAll().where('key', 'in', keys).execute();
    },
    async saveSignInFailure(row: {
      key: string;
      failures: number;
      first_failed_at: Date;
      last_failed_at: Date;
      locked_until: Date | null;
    }) {
      await db
        .insertInto('sign_in_failures')
        .values(row)
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: row.failures,
            first_failed_at: row.first_failed_at,
            last_failed_at: row.last_failed_at,
            locked_until: row.locked_until,
          }),
        )
        .execute();
    },
    async clearSignInFailures(key: string) {
      await db.deleteFrom('sign_in_failures').where('key', '=', key).execute();
    },
    /** Tells the holder of a locked account in their Harbour inbox. */
    async tellLocked(ex: Executor, staffId: number, subject: string, body: string) {
      await insertInboxMessages(ex, [{ recipientId: staffId, subject, body, link: '/sign-in' }]);
    },

    async createToken(ex: Executor, t: { accountId: number; name: string; tokenHash: string; expiresAt: Date | null }) {
      const row = await ex
        .insertInto('api_tokens')
        .values({ account_id: t.accountId, name: t.name, token_hash: t.tokenHash, expires_at: t.expiresAt })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    findToken(tokenHash: string) {
      return db
        .selectFrom('api_tokens')
        .innerJoin('accounts', 'accounts.id', 'api_tokens.account_id')
        .select([
          'api_tokens.id as token_id',
          'api_tokens.expires_at',
          'api_tokens.revoked_at',
          'api_tokens.last_used_at as token_last_used_at',
          ...accountColumns.map((c) => `accounts.${c}` as const),
        ])
        .where('api_tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    async touchToken(id: number) {
      await db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', id).execute();
    },
    listTokens(accountId: number) {
      return db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'created_at', 'expires_at', 'last_used_at', 'revoked_at'])
        .where('account_id', '=', accountId)
        .orderBy('created_at', 'desc')
        .execute();
    },
    async revokeToken(ex: Executor, accountId: number, id: number) {
      const r = await ex
        .updateTable('api_tokens')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .where('account_id', '=', accountId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type AccountsRepository = ReturnType<typeof buildAccountsRepository>;
