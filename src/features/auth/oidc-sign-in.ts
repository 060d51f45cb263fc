import type { AccountRow } from './repository.ts';
import type { Actor } from './actor.ts';
import type { OidcIdentity } from './oidc.ts';
import type { AuthContext } from './context.ts';

/** Why a person the provider vouched for was not let in: each has its own page. */
export type OidcRefusal = 'unverified' | 'unknown' | 'disabled' | 'linked_elsewhere';

/** Sign-in through the council's OpenID Connect provider: matching, linking and role mapping. */
export function buildOidcSignIn({ db, accounts, audit, forgetAccount, startSession }: AuthContext) {
  return {
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
  };
}
