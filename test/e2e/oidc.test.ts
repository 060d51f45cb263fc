/**
 * A real OpenID Connect provider (oidc-provider on 127.0.0.1) signs a person into Harbour end to end
 * in the browser, and signing out of Harbour signs them out there too (issue 17). Harbour's pages
 * on the way are checked with axe; the provider's are not Harbour's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { E2E } from './support/harness.ts';
import { SignInPage, demoUsers } from './support/pages.ts';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('council sign-in in the browser', () => {
  let e2e: E2E;
  let idp: TestProvider;
  let harbour: string;

  before(async () => {
    const port = await freePort();
    harbour = `http://127.0.0.1:${port}`;
    idp = await startTestProvider(harbour);
    idp.people.set('entra-chloe', { email: demoUsers.worker, email_verified: true });
    e2e = await E2E.start(import.meta.url, {
      PORT: String(port),
      PUBLIC_BASE_URL: harbour,
      OIDC_ISSUER_URL: idp.config.issuerUrl,
      OIDC_CLIENT_ID: idp.config.clientId,
      OIDC_CLIENT_SECRET: idp.config.clientSecret,
    });
  });
  after(async () => {
    await e2e?.stop();
    await idp?.close();
  });

  it('signs Chloe in with her council account and out of both', async () => {
    const s = await e2e.session('council sign-in');
    const signIn = new SignInPage(s);
    assert.equal(await signIn.open(), 200);
    const council = s.page.getByRole('button', { name: 'Sign in with your council account' });
    assert.equal(await council.count(), 1);

    const onHarbour = (path: string) => (url: URL) => url.origin === harbour && url.pathname === path;
    const status = await s.throughOtherSite(async (page) => {
      await council.click();
      await page.waitForURL((url) => url.origin === idp.issuer);
      await page.locator('input[name="login"]').fill('entra-chloe');
      await page.locator('input[name="password"]').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    }, onHarbour('/'));
    assert.equal(status, 200);
    await s.page.getByText('Chloe Davies').first().waitFor();
    const account = await e2e.db
      .selectFrom('accounts')
      .select(['oidc_issuer', 'oidc_subject'])
      .where('email', '=', demoUsers.worker)
      .executeTakeFirstOrThrow();
    assert.deepEqual(account, { oidc_issuer: idp.issuer, oidc_subject: 'entra-chloe' });

    // Sign out: Harbour's session ends, then the provider asks and ends its own, and sends her back.
    assert.equal(
      await s.throughOtherSite(async (page) => {
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL((url) => url.origin === idp.issuer);
        await page.getByRole('button', { name: 'Yes, sign me out' }).click();
      }, onHarbour('/sign-in')),
      200,
    );
    assert.equal(await s.goto('/'), 200);
    assert.equal(s.path, '/sign-in?returnTo=%2F');
  });
});
