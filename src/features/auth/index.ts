import { buildAuthContext, type AuthDeps } from './context.ts';
import { buildSecondFactor } from './second-factor.ts';
import { buildSecondFactorRepository } from './second-factor-repository.ts';
import { buildPasswordSignIn } from './password-sign-in.ts';
import { buildOidcSignIn } from './oidc-sign-in.ts';
import { buildSessions } from './sessions.ts';
import { buildApiTokens } from './api-tokens.ts';
import { buildAccounts } from './accounts.ts';

export { toActor, type AuthDeps } from './context.ts';
export type { PasswordSignIn } from './password-sign-in.ts';
export type { OidcRefusal } from './oidc-sign-in.ts';

/**
 * The auth service (`services.auth`), assembled from its capabilities: the second factor and
 * set-password links, password and OpenID Connect sign-in, sessions, API tokens and accounts.
 */
export function buildAuthService(deps: AuthDeps) {
  const ctx = buildAuthContext(deps);
  const secondFactor = buildSecondFactor({
    db: ctx.db,
    accounts: ctx.accounts,
    audit: ctx.audit,
    secondFactor: deps.secondFactor ?? buildSecondFactorRepository(ctx.db),
    startSession: ctx.startSession,
    secrets: deps.secrets,
  });
  return {
    ...secondFactor,
    ...buildPasswordSignIn(ctx, secondFactor),
    ...buildOidcSignIn(ctx),
    ...buildSessions(ctx),
    ...buildApiTokens(ctx),
    ...buildAccounts(ctx),
  };
}

export type AuthService = ReturnType<typeof buildAuthService>;
