import * as client from 'openid-client';
import type { OidcConfig } from '../../config.ts';
import type { Role } from './actor.ts';

/** What Harbour keeps in the browser between sending someone to the provider and their return. */
export interface OidcPending {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

/** A person the provider vouched for: the claims Harbour uses to find (or link) their account. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  employeeNumber: string | null;
  /** Roles from OIDC_ROLE_MAP, or null when roles are not mapped. */
  roles: Role[] | null;
}

export class OidcFailure extends Error {}

/**
 * The relying party (openid-client, certified): authorisation code flow with PKCE, state and nonce.
 * Discovery happens on first use and is cached; a failed discovery is tried again next time.
 */
export function buildOidcClient(settings: OidcConfig, redirectUri: string, postLogoutRedirectUri: string) {
  let configuration: Promise<client.Configuration> | null = null;
  const discover = () => {
    configuration ??= (async () => {
      const issuer = new URL(settings.issuerUrl);
      const options = issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
      return client.discovery(issuer, settings.clientId, settings.clientSecret, undefined, options);
    })().catch((err: unknown) => {
      configuration = null;
      throw err;
    });
    return configuration;
  };

  return {
    settings,
    async start(returnTo: string): Promise<{ url: string; pending: OidcPending }> {
      const config = await discover();
      const pending: OidcPending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        returnTo,
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },

    /** Exchanges the code, checking state, nonce and PKCE; throws OidcFailure for anything amiss. */
    async finish(currentUrl: URL, pending: OidcPending): Promise<OidcIdentity> {
      const config = await discover();
      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (err) {
        throw new OidcFailure(err instanceof Error ? err.message : 'the provider answer was not accepted');
      }
      if (!claims) throw new OidcFailure('no ID token');
      return identityFrom(claims, settings);
    },

    /** The provider's sign-out address (RP-initiated logout), or null when it has none. */
    async endSessionUrl(): Promise<string | null> {
      const config = await discover();
      if (!config.serverMetadata().end_session_endpoint) return null;
      return client.buildEndSessionUrl(config, {
        client_id: settings.clientId,
        post_logout_redirect_uri: postLogoutRedirectUri,
      }).href;
    },
  };
}

export type OidcClient = ReturnType<typeof buildOidcClient>;

/** Pure: the claims of a verified ID token → the identity Harbour matches on. */
export function identityFrom(
  claims: Record<string, unknown>,
  settings: Pick<OidcConfig, 'roleClaim' | 'roleMap' | 'employeeNumberClaim'>,
): OidcIdentity {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const values = claims[settings.roleClaim];
  const held = Array.isArray(values)
    ? values.filter((v): v is string => typeof v === 'string')
    : typeof values === 'string'
      ? [values]
      : [];
  const roles = settings.roleMap ? [...new Set(held.flatMap((v) => settings.roleMap?.[v] ?? []))] : null;
  return {
    issuer: String(claims.iss),
    subject: String(claims.sub),
    email: text(claims.email)?.toLowerCase() ?? null,
    // Entra ID marks a domain-owner-verified email with the optional claim xms_edov.
    emailVerified: claims.email_verified === true || claims.xms_edov === true || claims.xms_edov === '1',
    employeeNumber: settings.employeeNumberClaim ? text(claims[settings.employeeNumberClaim]) : null,
    roles,
  };
}
