import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { SignInPage, demoUsers } from './support/pages.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';

const QUEUE = 'harbour.offline-queue.v1';

describe('offline-first worker app', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('installs as an app, and a check-in tapped without signal is kept, shown as not sent, and sent once when the signal returns', async () => {
    const actor = await actorFor(e2e.db, demoUsers.worker);
    const visitId = await e2e.harbour.services.visits.plan(actor, buildVisitForm());
    const s = await e2e.session('Chloe checks in without signal, phone', { viewport: PHONE });
    await new SignInPage(s).open();
    assert.equal(await new SignInPage(s).signIn(demoUsers.worker), 200);
    assert.equal(await s.goto(`/visits/${visitId}`), 200);
    const page = s.page;

    // The PWA: a manifest, and one service worker for the whole site that also shows push messages.
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel="manifest"]')?.getAttribute('href');
      return href ? (await fetch(href)).json() : null;
    });
    assert.equal(manifest?.start_url, '/visits');
    assert.equal(manifest?.display, 'standalone');
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { scope: registration.scope, script: registration.active?.scriptURL ?? '' };
    });
    assert.equal(new URL(worker.scope).pathname, '/');
    assert.ok(worker.script.endsWith('/sw.js'));
    const sw = await (await fetch(`${e2e.baseUrl}/sw.js`)).text();
    assert.ok(sw.includes("importScripts('/public/push-sw.js')"), 'the service worker keeps handling push');

    // No signal: "I've arrived" is kept on the phone and the page says what is not yet sent.
    await s.context.setOffline(true);
    await page.getByRole('button', { name: "I've arrived" }).click();
    const status = page.locator('#harbour-offline');
    await status.waitFor();
    const text = await status.innerText();
    assert.ok(text.includes('No signal'), text);
    assert.match(text, /Not sent yet, kept on this phone:\s*I’ve arrived, tapped at \d\d:\d\d/);
    assert.ok(text.includes('your check-in deadline still runs on the server'), text);
    assert.equal(await status.getAttribute('role'), 'status');
    const queued = (await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]'), QUEUE)) as {
      key: string;
      url: string;
    }[];
    assert.equal(queued.length, 1);
    assert.match(queued[0]!.key, /^[0-9a-f-]{36}$/);
    assert.equal(queued[0]!.url, `/visits/${visitId}/arrive`);
    const state = async () =>
      (await e2e.db.selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state;
    assert.equal(await state(), 'planned', 'nothing reached Harbour while offline');

    // Signal returns: the queue is sent, the page reloads and says what was sent.
    assert.equal(await s.navigate(() => s.context.setOffline(false)), 200);
    assert.equal(await state(), 'in_progress');
    assert.match(
      await page.locator('#harbour-offline').innerText(),
      /Sent now that you have signal: I’ve arrived \(tapped at \d\d:\d\d\)/,
    );
    assert.ok((await page.locator('main').innerText()).includes('Visit over, I'));
    assert.deepEqual(await page.evaluate((key) => localStorage.getItem(key), QUEUE), '[]');

    // The same queued action sent again (a second replay) changes nothing: one arrival, one key.
    assert.equal(
      await s.navigate(() =>
        page.evaluate(
          ([key, items]) => {
            localStorage.setItem(key, JSON.stringify(items));
            window.dispatchEvent(new Event('online'));
          },
          [QUEUE, queued] as const,
        ),
      ),
      200,
    );
    const arrivals = await e2e.db
      .selectFrom('timeline_events')
      .select('id')
      .where('visit_id', '=', visitId)
      .where('type', '=', 'arrived')
      .execute();
    assert.equal(arrivals.length, 1, 'the replay did not check in twice');
    const keys = await e2e.db.selectFrom('idempotency_keys').select(['key', 'status']).execute();
    assert.deepEqual(keys, [{ key: queued[0]!.key, status: 'done' }]);
    assert.ok(!(await page.locator('#harbour-offline').innerText()).includes('could not accept'));
    await s.close();
  });

  it('weak signal (the phone thinks it is online, nothing gets through): the duress tap and "Visit over" are kept and sent once when requests get through', async () => {
    const actor = await actorFor(e2e.db, demoUsers.worker);
    const visitId = await e2e.harbour.services.visits.plan(actor, buildVisitForm());
    await e2e.harbour.services.visits.arrive(actor, visitId);
    const s = await e2e.session('Chloe on a weak signal, phone', { viewport: PHONE });
    await new SignInPage(s).open();
    assert.equal(await new SignInPage(s).signIn(demoUsers.worker), 200);
    assert.equal(await s.goto(`/visits/${visitId}`), 200);
    const page = s.page;
    // Requests leave the phone and fail, while navigator.onLine stays true.
    const failing = /\/visits\/\d+\/(request-file|end)$/;
    await page.route(failing, (route) => route.abort('failed'));
    const queue = () =>
      page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]'), QUEUE) as Promise<{ url: string }[]>;
    const alarms = async () =>
      (
        await e2e.db
          .selectFrom('alerts')
          .select('id')
          .where('visit_id', '=', visitId)
          .where('kind', '=', 'duress')
          .execute()
      ).length;

    await page.getByRole('button', { name: 'Request purple file' }).click();
    await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key) ?? '[]').length === 1, QUEUE);
    await page.getByRole('button', { name: "Visit over, I'm safe" }).click();
    await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key) ?? '[]').length === 2, QUEUE);
    assert.deepEqual(
      (await queue()).map((q) => q.url),
      [`/visits/${visitId}/request-file`, `/visits/${visitId}/end`],
    );
    assert.match(
      await page.locator('#harbour-offline').innerText(),
      /Not sent yet, kept on this phone:\s*Request purple file, tapped at \d\d:\d\d\s*Visit over, tapped at/,
    );
    assert.equal(await alarms(), 0, 'nothing reached Harbour yet');

    // Requests get through again: within seconds the queue is sent, in order, each once.
    await page.unroute(failing);
    await page.waitForFunction((key) => localStorage.getItem(key) === '[]', QUEUE, { timeout: 20_000 });
    await page.waitForLoadState('load');
    assert.equal(await alarms(), 1, 'one alarm');
    assert.equal(
      (await e2e.db.selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state,
      'completed',
    );
    await s.close();
  });

  it("a tap leaves the phone only on Harbour's receipt: a page in its place (a Wi-Fi sign-in, a proxy) or a 409 keeps it, and it is sent again", async () => {
    const actor = await actorFor(e2e.db, demoUsers.worker);
    const visitId = await e2e.harbour.services.visits.plan(actor, buildVisitForm());
    const s = await e2e.session('Chloe behind a captive portal, phone', { viewport: PHONE });
    await new SignInPage(s).open();
    assert.equal(await new SignInPage(s).signIn(demoUsers.worker), 200);
    assert.equal(await s.goto(`/visits/${visitId}`), 200);
    const page = s.page;
    const arrive = new RegExp(`/visits/${visitId}/arrive$`);
    let answered = 0;
    // First a portal's 200 page, then a 409: neither is a receipt.
    await page.route(arrive, (route) => {
      answered++;
      return answered === 1
        ? route.fulfill({
            status: 200,
            contentType: 'text/html',
            body: '<html><body>Sign in to the Wi-Fi</body></html>',
          })
        : route.fulfill({ status: 409, contentType: 'text/html', body: '<html><body>busy</body></html>' });
    });
    await page.getByRole('button', { name: "I've arrived" }).click();
    await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key) ?? '[]').length === 1, QUEUE);
    await page.waitForFunction(() => document.querySelector('#harbour-offline')?.textContent?.includes('Not sent yet'));
    const state = async () =>
      (await e2e.db.selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state;
    assert.equal(await state(), 'planned');
    // The queue retries every 5 s: the 409 comes next, and the tap still stays.
    for (let i = 0; i < 100 && answered < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(answered >= 2, 'sent again');
    assert.equal(
      ((await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]'), QUEUE)) as unknown[]).length,
      1,
      'still kept after a 409',
    );
    // Harbour answers for real: the receipt comes back and only then the tap is forgotten.
    await page.unroute(arrive);
    await page.waitForFunction((key) => localStorage.getItem(key) === '[]', QUEUE, { timeout: 20_000 });
    await page.waitForLoadState('load');
    assert.equal(await state(), 'in_progress');
    await s.close();
  });
});
