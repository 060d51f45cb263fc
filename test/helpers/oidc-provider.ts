import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { OidcConfig } from '../../src/config.ts';

/** A person the test provider can sign in: their login is the subject. */
export interface ProviderPerson {
  email?: string;
  email_verified?: boolean;
  roles?: string[];
  employee_number?: string;
}

export interface TestProvider {
  issuer: string;
  config: OidcConfig;
  /** Test people by login (= subject); change between tests. */
  people: Map<string, ProviderPerson>;
  close(): Promise<void>;
}

export const CLIENT_ID = 'harbour';
export const CLIENT_SECRET = 'harbour-test-secret-0123456789abcdef';

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1, with one client for Harbour at
 * `harbourBaseUrl` and its development login form (any password; the login is the account id).
 * Consent is granted automatically, as a council's admin consent would.
 */
export async function startTestProvider(
  harbourBaseUrl: string,
  overrides: Partial<OidcConfig> = {},
): Promise<TestProvider> {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => res.end();
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const people = new Map<string, ProviderPerson>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${harbourBaseUrl}/sign-in/oidc/callback`],
        post_logout_redirect_uris: [`${harbourBaseUrl}/sign-in`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    async findAccount(_ctx, id) {
      const person = people.get(id);
      if (!person) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...person }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['roles', 'employee_number'] },
    // Entra ID puts these in the ID token; so does this provider.
    conformIdTokenClaims: false,
    cookies: { keys: ['harbour-test-cookie-key'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'email_verified', 'roles', 'employee_number']);
      await grant.save();
      return grant;
    },
  });
  handler = provider.callback();
  return {
    issuer,
    people,
    config: {
      issuerUrl: issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      roleClaim: 'roles',
      roleMap: null,
      employeeNumberClaim: null,
      only: false,
      breakGlassAdmins: [],
      ...overrides,
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser's cookie jar for the provider's pages, driven with fetch. */
export class ProviderBrowser {
  private cookies = new Map<string, string>();

  async get(url: string) {
    return this.request(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>) {
    return this.request(url, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  private async request(url: string, init: { method: string; body?: string; headers?: Record<string, string> }) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (!value || /expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }

  /**
   * From the authorisation URL through the provider's login form as `login`, following the provider's
   * redirects; returns the address it finally sends the browser to (Harbour's callback).
   */
  async signIn(authorizationUrl: string, login: string): Promise<string> {
    let res = await this.get(authorizationUrl);
    for (let i = 0; i < 10; i++) {
      if (res.status >= 300 && res.status < 400 && res.location) {
        const next = new URL(res.location, authorizationUrl).href;
        if (!next.startsWith(new URL(authorizationUrl).origin)) return next;
        res = await this.get(next);
        continue;
      }
      const action = /<form[^>]*action="([^"]+)"/.exec(res.body)?.[1];
      if (!action || !res.body.includes('name="login"'))
        throw new Error(`unexpected provider page ${res.status}: ${res.body.slice(0, 300)}`);
      res = await this.post(new URL(action, authorizationUrl).href, { prompt: 'login', login, password: 'any' });
    }
    throw new Error('too many provider redirects');
  }
}
