import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { SignInPage, demoEmailOf } from './support/pages.ts';
import { actorFor, buildVisitForm, expireDeadline } from '../helpers/lone-working.ts';

// Covert duress end to end. Chloe (a worker, on her phone) sets her PINs, ends one visit with her
// check-out PIN and another with her duress PIN: the two screens are the same, and nothing was
// played, vibrated or said. Her buddy, line manager and business support are alerted by the
// server's own escalation loop. The "Request purple file" link raises the alarm without changing
// the page. Then Emma (business support) takes a Purple File call: she follows the script, sees
// "Dial 999 now" with the police pack, and the 5-minute call-back fires (made to pass in SQL).

const chloe = { name: 'Chloe Davies', email: demoEmailOf('Chloe Davies') };
const emma = { name: 'Emma Green', email: demoEmailOf('Emma Green') };
const WAIT_MS = 15_000;

async function until<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signIn(s: BrowserSession, email: string): Promise<void> {
  const page = new SignInPage(s);
  assert.equal(await page.open(), 200);
  assert.equal(await page.signIn(email), 200);
}

/**
 * Records every attempt to make a sound, vibrate, speak or notify, in sessionStorage so it
 * survives page loads. Runs before any of the page's own scripts. A string, not a function: the
 * test runner's transpiler adds helpers to functions that do not exist in the browser.
 */
const INSTRUMENT = `(() => {
  const record = (what) => {
    const list = JSON.parse(sessionStorage.getItem('__trace') || '[]');
    list.push(what);
    sessionStorage.setItem('__trace', JSON.stringify(list));
  };
  Object.defineProperty(Navigator.prototype, 'vibrate', { configurable: true, value: () => { record('vibrate'); return true; } });
  for (const name of ['Audio', 'AudioContext', 'webkitAudioContext', 'Notification']) {
    const Original = window[name];
    window[name] = function (...args) { record(name); return Original ? new Original(...args) : {}; };
  }
  HTMLMediaElement.prototype.play = function () { record('play'); return Promise.resolve(); };
  if (window.speechSynthesis) window.speechSynthesis.speak = () => { record('speak'); };
})();`;
const traces = (s: BrowserSession) =>
  s.page.evaluate(() => JSON.parse(sessionStorage.getItem('__trace') ?? '[]') as string[]);

/** What someone in the room could read: the title and the page's text, with clock times and ids set aside. */
async function visible(s: BrowserSession) {
  const [title, body] = await Promise.all([s.page.title(), s.page.locator('body').innerText()]);
  const norm = (t: string) =>
    t
      .replace(/\d{1,2}:\d{2}/g, 'HH:MM')
      .replace(/\d+ (min|h)\b/g, 'N $1')
      .replace(/\s+/g, ' ')
      .trim();
  return { title: norm(title), body: norm(body) };
}

describe('covert duress and the Purple File', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  async function runningVisit(): Promise<number> {
    const actor = await actorFor(e2e.db, chloe.email);
    const id = await e2e.harbour.services.visits.plan(actor, buildVisitForm());
    await e2e.harbour.services.visits.arrive(actor, id);
    return id;
  }
  const duressAlert = (visitId: number) =>
    e2e.db
      .selectFrom('alerts')
      .select(['id'])
      .where('visit_id', '=', visitId)
      .where('kind', '=', 'duress')
      .executeTakeFirst();

  it("the duress PIN leaves no alarm trace on the worker's phone, and the responders are alerted", async () => {
    const s = await e2e.session('Chloe (phone)', { viewport: PHONE });
    await s.context.addInitScript({ content: INSTRUMENT });
    await signIn(s, chloe.email);

    // Her PINs, on the settings page linked from "My visits".
    assert.equal(await s.goto('/visits'), 200);
    assert.equal(await s.navigate((p) => p.getByRole('link', { name: 'Check-out PIN' }).click()), 200);
    await s.page.getByLabel('Duress PIN').fill('9111');
    await s.page.getByLabel('Check-out PIN (optional)').fill('2468');
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Save PINs' }).click()), 200);

    const ordinary = await runningVisit();
    const duress = await runningVisit();

    assert.equal(await s.goto(`/visits/${ordinary}`), 200);
    await s.page.getByLabel('Your PIN').fill('2468');
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: "Visit over, I'm safe" }).click()), 200);
    const normalScreen = await visible(s);
    assert.match(normalScreen.body, /Visit over: you are marked as safe/);

    assert.equal(await s.goto(`/visits/${duress}`), 200);
    await s.page.getByLabel('Your PIN').fill('9111');
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: "Visit over, I'm safe" }).click()), 200);
    const duressScreen = await visible(s);

    assert.deepEqual(duressScreen, normalScreen, 'the screen after the duress PIN reads exactly like an ordinary end');
    assert.doesNotMatch(duressScreen.title + duressScreen.body, /alarm|duress|alert|help is/i);
    assert.equal(await s.page.evaluate(() => document.querySelectorAll('audio, video').length), 0);

    // The server's escalation loop tells buddy, line manager and business support, once each.
    const alert = await until('the duress alarm', () => duressAlert(duress));
    const told = await until('three responders told', async () => {
      const rows = await e2e.db
        .selectFrom('notifications as n')
        .innerJoin('staff as st', 'st.id', 'n.recipient_id')
        .select(['st.given_name'])
        .where('n.alert_id', '=', alert.id)
        .execute();
      return rows.length >= 3 ? rows.map((r) => r.given_name).sort() : null;
    });
    assert.deepEqual(told, ['Aisha', 'Dev', 'Emma']);

    // The worker's other pages still show nothing.
    for (const path of ['/visits', '/alerts', `/visits/${duress}`]) {
      assert.equal(await s.goto(path), 200);
      assert.doesNotMatch(await s.page.locator('main').innerText(), /duress|silent alarm/i, path);
    }

    // The disguised control: a small link on a running session, a target at least 24 px high. The
    // page stays; the only change is the control's own words, as a paperwork request reads once made.
    const running = await runningVisit();
    assert.equal(await s.goto(`/visits/${running}`), 200);
    const before = await visible(s);
    const control = s.page.getByRole('button', { name: 'Request purple file' });
    const box = (await control.boundingBox())!;
    assert.ok(box.height >= 24 && box.width >= 24, `target ${box.width}×${box.height} px`);
    await control.click();
    await until('the alarm from the disguised control', () => duressAlert(running));
    assert.equal(s.path, `/visits/${running}`);
    const after = await visible(s);
    assert.deepEqual(
      after,
      { ...before, body: before.body.replace('Request purple file', 'Purple file requested HH:MM') },
      'nothing else on the screen changed',
    );

    assert.deepEqual(await traces(s), [], 'no sound, vibration, speech or notification was ever attempted');
    // The instruments work: the same calls made on purpose are caught.
    await s.page.evaluate(() => {
      navigator.vibrate(50);
      new AudioContext();
    });
    assert.deepEqual(await traces(s), ['vibrate', 'AudioContext']);
    await s.close();
  });

  it('the responder runs the Purple File script, gets "Dial 999 now" with the police pack, and the call-back fires', async () => {
    const s = await e2e.session('Emma (business support)');
    await signIn(s, emma.email);
    assert.equal(
      await s.navigate((p) =>
        p.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Purple File', exact: true }).click(),
      ),
      200,
    );
    assert.equal(await s.page.getByRole('heading', { level: 1 }).innerText(), 'Purple File');
    // Chloe is on a visit (the one from the disguised control), so she is listed first with the address.
    const first = s.page.locator('.govuk-radios__item').first();
    assert.match(await first.innerText(), /Chloe Davies[\s\S]*On a visit now: 12 Example Road, Ashford, TN23 1AA/);
    await s.page.getByLabel('Chloe Davies').check();
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Start the Purple File script' }).click()), 200);
    const callId = Number(/\/purple-file\/(\d+)/.exec(s.path)![1]);

    const answer = async (question: string, button: 'Yes' | 'No' | 'No answer') => {
      const group = s.page.getByRole('group', { name: question });
      assert.equal(await s.navigate(() => group.getByRole('button', { name: button, exact: true }).click()), 200);
    };
    await answer('Are you at 12 Example Road, Ashford, TN23 1AA?', 'Yes');
    await answer('Are you in danger?', 'Yes');
    await answer('Do you need the police?', 'No');
    await answer('Is there a weapon?', 'Yes');
    assert.equal(await s.page.locator('#dial-999').count(), 0);
    await answer('Do you need a member of staff?', 'No answer');
    await s.page.getByRole('heading', { name: 'Dial 999 now' }).waitFor();
    const pack = await s.page.locator('#police-pack + .govuk-summary-list').innerText();
    assert.match(pack, /Chloe Davies/);
    assert.match(pack, /12 Example Road, Ashford, TN23 1AA/);
    assert.match(pack, /Yes: a weapon was mentioned/);
    const script = await s.page.locator('.harbour-script').innerText();
    assert.match(script, /Are you in danger\? Yes \(\d\d:\d\d\)/, 'each answer with its time');

    await answer('Do you want me to call you back in 5 minutes?', 'Yes');
    const left = await s.page.locator('.harbour-callback__left').innerText();
    assert.match(left, /^[45] min \d\d s left$/, `a real 5-minute countdown: ${left}`);

    // Make the five minutes pass: due in 2 seconds. The page counts down; the server's poller alerts Emma.
    await sql`UPDATE purple_file_callbacks SET due_at = now() + interval '2 seconds' WHERE call_id = ${callId} AND status = 'pending'`.execute(
      e2e.db,
    );
    assert.equal(await s.goto(`/purple-file/${callId}`), 200);
    await s.page.getByText('Call back now. If they do not answer, dial 999.').waitFor({ timeout: WAIT_MS });
    await until('the call-back message to Emma', async () => {
      const row = await e2e.db
        .selectFrom('notifications')
        .select('id')
        .where('link', 'like', `%/purple-file/${callId}`)
        .where('subject', 'like', '%back now%')
        .executeTakeFirst();
      return row ?? null;
    });
    assert.equal(await s.goto('/inbox'), 200);
    assert.match(await s.page.locator('main').innerText(), /call Chloe Davies back now/);
    assert.equal(await s.goto(`/purple-file/${callId}`), 200);
    assert.match(await s.page.locator('main').innerText(), /Call Chloe Davies back now/);

    // Close only with an outcome.
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Close the call' }).click()), 400);
    await s.page.getByLabel('The worker is safe').check();
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Close the call' }).click()), 200);
    assert.match(await s.page.locator('.govuk-notification-banner').innerText(), /Call closed/);

    // The incident report starts pre-filled from the call.
    assert.equal(await s.navigate((p) => p.getByRole('link', { name: 'Start incident report' }).click()), 200);
    assert.match(
      await s.page.locator('#narrative').inputValue(),
      /Chloe Davies rang the office[\s\S]*Is there a weapon\? Yes/,
    );
    await s.close();
  });

  it('the line manager sees the silent alarm, declares a major incident from it, and is told media enquiries go to communications', async () => {
    const aisha = { email: demoEmailOf('Aisha Khan') };
    const worker = await actorFor(e2e.db, chloe.email);
    const visitId = await runningVisit();
    const alertId = await e2e.harbour.services.duress.raise(worker, {
      workerId: worker.staffId!,
      visitId,
      via: 'control',
      location: { lat: 51.14, lng: 0.87 },
    });
    const s = await e2e.session('Aisha (line manager, phone)', { viewport: PHONE });
    await signIn(s, aisha.email);
    assert.equal(await s.goto(`/alerts/${alertId}`), 200);
    assert.match(await s.page.getByRole('heading', { level: 1 }).innerText(), /Chloe Davies has raised a silent alarm/);
    const main = await s.page.locator('main').innerText();
    assert.match(main, /Liberi C123/);
    assert.match(main, /51\.14, 0\.87/);
    assert.equal(await s.navigate((p) => p.getByRole('link', { name: 'Declare a major incident' }).click()), 200);
    assert.equal(
      await s.navigate((p) => p.getByRole('button', { name: 'Declare major incident' }).click()),
      400,
      'a category is needed',
    );
    await s.page.getByLabel('Police arrest').check();
    await s.page.getByLabel('What has happened (optional)').fill('Arrest at the address');
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Declare major incident' }).click()), 200);
    const page = await s.page.locator('main').innerText();
    assert.match(page, /Media enquiries go to the communications team/);
    assert.match(page, /Assistant director: Priya Shah/);
    assert.match(page, /Line manager: Aisha Khan/);
    const { scrollWidth, clientWidth } = await s.pageScrollWidth();
    assert.ok(scrollWidth <= clientWidth, `no sideways scroll on a phone (${scrollWidth}px)`);
    assert.equal(await s.goto('/major-incidents'), 200);
    assert.equal(await s.goto('/purple-file'), 200);
    assert.ok((await s.pageScrollWidth()).scrollWidth <= PHONE.width, 'Purple File fits a phone');
    // Chloe's PIN page with an error.
    const c = await e2e.session('Chloe (PIN errors)', { viewport: PHONE });
    await signIn(c, chloe.email);
    assert.equal(await c.goto('/account/pin'), 200);
    await c.page.getByLabel('Duress PIN').fill('12');
    assert.equal(await c.navigate((p) => p.getByRole('button', { name: 'Save PINs' }).click()), 400);
    assert.match(await c.page.locator('.govuk-error-summary').innerText(), /The duress PIN must be 4 to 8 digits/);
    await c.close();
    await s.close();
  });
  it('the Purple File page states, each checked with axe: open alarms first and marked, "Recorded – open to read out", a reason needed, the pack open for the rest of the call, closing the call closing its alarms', async () => {
    const worker = await actorFor(e2e.db, chloe.email);
    const helen = await actorFor(e2e.db, demoEmailOf('Helen Ward'));
    for (const a of await e2e.db.selectFrom('alerts').select('id').where('status', '<>', 'resolved').execute())
      await e2e.harbour.services.alerts.resolve(helen, String(a.id), 'false_alarm', 'e2e tidy');
    await e2e.harbour.services.emergency.save(worker, {
      name: 'Chloe Davies',
      dateOfBirth: null,
      address: null,
      homePhone: null,
      mobilePhone: '07700 900 123',
      homeEmail: null,
      workEmail: null,
      description: 'Tall, red coat',
      car: { makeModel: 'Ford Fiesta', colour: 'Red', registration: 'AB12 CDE' },
      contacts: [
        { name: 'Sam Davies', relationship: 'Partner', homePhone: null, mobilePhone: '07700 900 456', workPhone: null },
      ],
      preferredContact: 1,
      medical: { conditions: null, medication: null, adviceIfUnwell: null },
    } as Parameters<typeof e2e.harbour.services.emergency.save>[1]);
    // A missed check-in: the escalation loop raises the alarm.
    const visitId = await runningVisit();
    await expireDeadline(e2e.db, visitId);
    await until('the missed check-in alarm', () =>
      e2e.db
        .selectFrom('alerts')
        .select('id')
        .where('visit_id', '=', visitId)
        .where('status', '=', 'open')
        .executeTakeFirst(),
    );

    const s = await e2e.session('Emma (business support, Purple File states)', { viewport: PHONE });
    await signIn(s, emma.email);
    // The person list (axe checks every page load): Chloe first, marked with her open alarm.
    assert.equal(await s.goto('/purple-file'), 200);
    const first = s.page.locator('.govuk-radios__item').first();
    assert.match(
      await first.innerText(),
      /^Chloe Davies\s+Missed check-in open since \d{1,2}:\d\d · On a visit now: 12 Example Road/,
    );
    await s.page.getByLabel('Chloe Davies').check();
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Start the Purple File script' }).click()), 200);
    const callId = Number(/\/purple-file\/(\d+)/.exec(s.path)![1]);

    // The call page: both alarms linked (the missed check-in and the silent alarm the call raised).
    const alarms = await e2e.db
      .selectFrom('alerts')
      .select(['id', 'kind'])
      .where('worker_id', '=', worker.staffId!)
      .where('status', '<>', 'resolved')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      alarms.map((a) => a.kind),
      ['overdue', 'duress'],
    );
    const linked = await s.page
      .locator('a[href^="/alerts/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const a of alarms) assert.ok(linked.includes(`/alerts/${a.id}`), `the call links alert ${a.id}`);
    // No answer: "Dial 999 now" and the police pack, its description and car "Recorded – open to read out".
    const group = s.page.getByRole('group', { name: 'Are you at 12 Example Road, Ashford, TN23 1AA?' });
    assert.equal(await s.navigate(() => group.getByRole('button', { name: 'No answer', exact: true }).click()), 200);
    await s.page.getByRole('heading', { name: 'Dial 999 now' }).waitFor();
    const pack = () => s.page.locator('#police-pack + .govuk-summary-list').innerText();
    assert.match(await pack(), /Description\s+Recorded – open to read out/);
    assert.match(await pack(), /Car\s+Recorded – open to read out/);
    assert.doesNotMatch(await pack(), /Not recorded/);

    // Opening it needs a reason in her own words: the error state.
    const openPack = (p: import('playwright-core').Page) =>
      p.getByRole('button', { name: 'Open their description and car from the emergency information pack' }).click();
    assert.equal(await s.navigate(openPack), 400);
    assert.match(await s.page.locator('.govuk-error-summary').innerText(), /own words|Enter why/);
    await s.page
      .getByLabel('Why you are opening their emergency details')
      .fill('Police asked for her car and description');
    assert.equal(await s.navigate(openPack), 200);
    assert.match(await pack(), /Red Ford Fiesta, registration AB12 CDE/);
    assert.match(await pack(), /Tall, red coat/);
    // The next answer: the pack stays open for the rest of the call.
    const next = s.page.getByRole('group', { name: 'Are you in danger?' });
    assert.equal(await s.navigate(() => next.getByRole('button', { name: 'Yes', exact: true }).click()), 200);
    assert.match(await pack(), /Red Ford Fiesta, registration AB12 CDE/);

    // Closing the call offers to close both alarms with its outcome (ticked), and does.
    const offer = s.page.getByLabel('Close all 2 open alarms about Chloe Davies with this outcome');
    assert.equal(await offer.isChecked(), true);
    await s.page.getByLabel('The worker is safe').check();
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Close the call' }).click()), 200);
    assert.match(await s.page.locator('.govuk-notification-banner').innerText(), /Call closed/);
    const closed = await e2e.db
      .selectFrom('alerts')
      .select(['status', 'outcome'])
      .where(
        'id',
        'in',
        alarms.map((a) => a.id),
      )
      .execute();
    assert.deepEqual(
      closed.map((c) => [c.status, c.outcome]),
      [
        ['resolved', 'safe'],
        ['resolved', 'safe'],
      ],
    );
    // Closed: the pack is shut, and the alarm bar has gone.
    assert.doesNotMatch(await s.page.locator('main').innerText(), /Red Ford Fiesta/);
    assert.equal(await s.goto(`/purple-file/${callId}`), 200);
    assert.equal(await s.page.locator('.harbour-alarm-bar').count(), 0);
    await s.close();
  });
});
