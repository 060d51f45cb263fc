import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Locator } from 'playwright-core';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { SignInPage, demoEmailOf, navLinkName } from './support/pages.ts';
import { assertAccessible } from './support/axe.ts';
import { actorFor, buildVisitForm, expireDeadline, expireNextStep } from '../helpers/lone-working.ts';
import { londonDate, londonTime } from '../../src/time/london.ts';

// The lone-working issue end to end, in three browsers: Chloe (a worker, on her phone) plans a
// visit and arrives; the visit goes overdue; Dev (her buddy) is alerted and says he is handling
// it, then escalates; Aisha (their line manager) is alerted and closes it as safe. Time passes by
// moving deadlines into the past in the server's database; the server's own escalation loop (every
// 250 ms) does the rest. Every page load goes through the harness, so axe checks each one.

const chloe = { name: 'Chloe Davies', email: demoEmailOf('Chloe Davies') };
const dev = { name: 'Dev Patel', email: demoEmailOf('Dev Patel') };
const aisha = { name: 'Aisha Khan', email: demoEmailOf('Aisha Khan') };
const ben = { name: 'Ben Carter', email: demoEmailOf('Ben Carter') };
const emma = { name: 'Emma Green', email: demoEmailOf('Emma Green') };

const DESCRIPTION = 'Visit to Mum’s address';
const WAIT_MS = 15_000;

/** Polls `check` until it returns something truthy; fails after `timeoutMs` saying what it waited for. */
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

/** Follows a link in the service navigation, opening the "Menu" toggle first on a phone. */
async function openMenuItem(s: BrowserSession, name: string): Promise<number> {
  const nav = s.page.getByRole('navigation', { name: 'Menu' });
  const toggle = nav.getByRole('button', { name: 'Menu' });
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  return s.navigate(() => nav.getByRole('link', { name: navLinkName(name) }).click());
}

async function signIn(s: BrowserSession, email: string): Promise<void> {
  const page = new SignInPage(s);
  assert.equal(await page.open(), 200);
  assert.equal(await page.signIn(email), 200);
  assert.equal(s.path, '/');
}

async function assertNoSidewaysScroll(s: BrowserSession) {
  const { scrollWidth, clientWidth } = await s.pageScrollWidth();
  assert.ok(scrollWidth <= clientWidth, `${s.path} scrolls sideways at ${clientWidth}px: ${scrollWidth}px wide`);
}

const h1 = (s: BrowserSession) => s.page.getByRole('heading', { level: 1 }).innerText();
const text = async (l: Locator) => (await l.innerText()).replace(/\s+/g, ' ').trim();

/** The lines of a page's timeline, without their times. */
async function timeline(s: BrowserSession): Promise<string[]> {
  return s.page.locator('.harbour-timeline li').evaluateAll((lis) =>
    lis.map((li) =>
      [...li.childNodes]
        .filter((n) => !(n instanceof HTMLElement && n.classList.contains('harbour-nowrap')))
        .map((n) => n.textContent)
        .join('')
        .trim(),
    ),
  );
}

/** Asserts `expected` appear in `lines` in this order (other lines, such as deliveries, may come between). */
function assertInOrder(lines: string[], expected: (string | RegExp)[]) {
  let from = 0;
  for (const e of expected) {
    const i = lines.findIndex((l, n) => n >= from && (typeof e === 'string' ? l === e : e.test(l)));
    assert.ok(
      i >= 0,
      `timeline should have ${String(e)} after line ${from}:\n  ${lines.map((l, n) => `${n}. ${l}`).join('\n  ')}`,
    );
    from = i + 1;
  }
}

/** The board's rows: who, status tag, and whether the row is marked as an alarm. */
async function boardRows(s: BrowserSession) {
  return s.page.locator('#board tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({
      who: (tr.querySelector('th a') as HTMLElement | null)?.innerText.trim() ?? '',
      status: (tr.querySelector('.govuk-tag') as HTMLElement | null)?.innerText.trim() ?? '',
      red: tr.classList.contains('harbour-board-row--alarm') && !!tr.querySelector('.govuk-tag--red'),
      background: getComputedStyle(tr).backgroundColor,
    })),
  );
}

describe('lone working in the browser: overdue, buddy, escalation, closed as safe', () => {
  let e2e: E2E;
  let worker: BrowserSession;
  let buddy: BrowserSession;
  let manager: BrowserSession;
  let visitId = 0;
  let alertId = '';
  const startedAt = Date.now();

  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
    console.log(`lone-working e2e: ${((Date.now() - startedAt) / 1000).toFixed(1)} s including start and stop`);
  });

  const alertRow = () =>
    e2e.db
      .selectFrom('alerts')
      .select(['id', 'status', 'next_step', 'outcome'])
      .where('visit_id', '=', visitId)
      .executeTakeFirst();
  const stepsFired = async () =>
    (
      await e2e.db
        .selectFrom('alert_steps_fired')
        .select('step')
        .where('alert_id', '=', alertId)
        .orderBy('step')
        .execute()
    ).map((r) => r.step);

  it('Chloe plans a green visit on her phone and taps "I\'ve arrived"', async () => {
    // Someone else in the team is out too, due back sooner, so the board has an order to change.
    const benActor = await actorFor(e2e.db, ben.email);
    const benEnd = new Date(Date.now() + 30 * 60_000);
    const benVisit = await e2e.harbour.services.visits.plan(
      benActor,
      buildVisitForm({
        description: 'Visit to a foster home',
        postcode: 'TN24 8AB',
        caseId: null,
        caseSystem: null,
        endTime: londonDate(benEnd) === londonDate(new Date()) ? londonTime(benEnd) : '23:58',
      }),
    );
    await e2e.harbour.services.visits.arrive(benActor, benVisit);

    worker = await e2e.session('Chloe, worker, phone 360×740', { viewport: PHONE });
    await signIn(worker, chloe.email);

    assert.equal(await openMenuItem(worker, 'My visits'), 200);
    assert.equal(worker.path, '/visits');
    assert.equal(await h1(worker), 'My visits today');
    assert.equal(await worker.page.getByText('You have no visits planned today.').count(), 1);
    await assertNoSidewaysScroll(worker);

    assert.equal(await worker.navigate((p) => p.getByRole('button', { name: 'Plan a visit' }).click()), 200);
    assert.equal(worker.path, '/visits/new');
    assert.equal(await h1(worker), 'Plan a visit');
    await assertNoSidewaysScroll(worker);

    // Start now, end in an hour (near midnight that end is after midnight, which the form takes as the next day).
    const v = buildVisitForm();
    const page = worker.page;
    assert.equal(await page.getByLabel('Home or community visit').isChecked(), true, 'a home visit is the default');
    await page.getByLabel('Day').fill(v['date-day']);
    await page.getByLabel('Month').fill(v['date-month']);
    await page.getByLabel('Year').fill(v['date-year']);
    await page.getByLabel('Start time').fill(v.startTime);
    await page.getByLabel('Expected end time').fill(v.endTime);
    await page.getByLabel('Address', { exact: true }).fill('12 Example Road, Ashford');
    await page.getByLabel('Postcode', { exact: true }).fill('TN23 1AA');
    await page.getByLabel('Previously known, no history of violence').check();
    await page.getByLabel('Description', { exact: true }).fill(DESCRIPTION);
    await page.getByLabel('Notes for your buddy (optional)').fill('Parking on the street outside.');
    assert.equal(await worker.navigate((p) => p.getByRole('button', { name: 'Save visit' }).click()), 200);

    const m = /^\/visits\/(\d+)\?done=planned$/.exec(worker.path);
    assert.ok(m, `after saving, on the session page, not ${worker.path}`);
    visitId = Number(m[1]);
    assert.match(
      await text(page.locator('.govuk-notification-banner--success')),
      /planned/i,
      'a success banner says the visit is planned',
    );
    assert.equal(await h1(worker), DESCRIPTION);
    assert.equal(await text(page.locator('.harbour-rag')), 'GREEN');
    await assertNoSidewaysScroll(worker);

    // The one-tap button fills the phone's width and is big enough for a thumb.
    const arrive = page.getByRole('button', { name: "I've arrived" });
    const box = await arrive.boundingBox();
    assert.ok(box && box.width >= PHONE.width - 40 && box.height >= 48, `"I've arrived" is ${JSON.stringify(box)}`);
    assert.equal(await worker.navigate(() => arrive.click()), 200);
    assert.equal(worker.path, `/visits/${visitId}?done=arrived`);
    assert.match(
      await text(page.locator('.govuk-notification-banner--success')),
      /Session started\. Your buddy can see you are on a visit\./,
    );
    assert.match(
      await text(page.locator('.harbour-countdown')),
      /^Due to check in by \d\d:\d\d (\d+ h )?\d+ min left Harbour reminds you at the deadline, then alerts Buddy at \d\d:\d\d, then Line manager at \d\d:\d\d unless you say you are safe or extend\.$/,
    );
    assert.equal(await page.getByRole('button', { name: "Visit over, I'm safe" }).count(), 1);
    assertInOrder(await timeline(worker), ['Planned by Chloe Davies', 'Arrived']);
    await assertNoSidewaysScroll(worker);
  });

  it('on the live board, Chloe rises to the top in red when she goes overdue, without a reload', async () => {
    // Her laptop's clock is in another time zone: Harbour still speaks London time.
    manager = await e2e.session('Aisha, line manager, desktop', { timezoneId: 'Europe/Helsinki' });
    await signIn(manager, aisha.email);
    assert.equal(await openMenuItem(manager, 'Live board'), 200);
    assert.equal(await h1(manager), 'Live board');
    const before = await boardRows(manager);
    assert.deepEqual(
      before.map((r) => [r.who, r.status, r.red]),
      [
        [ben.name, 'In progress', false],
        [chloe.name, 'In progress', false],
      ],
    );
    assert.equal(await manager.page.locator('[data-board-alarm]').count(), 0);
    // A mark on this document: if the page reloaded, it would be gone.
    await manager.page.evaluate(() => {
      document.body.dataset.sameDocument = 'yes';
    });
    // A keyboard user is on Chloe's row when the board changes; focus must not jump to the top.
    await manager.tabUntil((f) => f.tag === 'a' && f.text === chloe.name, 'Chloe Davies on the board', 40);

    // Time passes: the deadline is now in the past, and the server's own loop raises the alert.
    await expireDeadline(e2e.db, visitId);
    const raised = await until('the engine to raise the alert and prompt Chloe', async () => {
      const a = await alertRow();
      return a && a.next_step >= 1 ? a : null;
    });
    alertId = raised.id;
    assert.equal(raised.status, 'open');

    // The Server-Sent Events stream re-renders the table (every 3 s when it has changed).
    await manager.page.waitForFunction(
      (name) => {
        const first = document.querySelector('#board tbody tr');
        return (
          first?.querySelector('th a')?.textContent?.trim() === name &&
          first.classList.contains('harbour-board-row--alarm')
        );
      },
      chloe.name,
      { timeout: WAIT_MS },
    );
    assert.equal(
      await manager.page.evaluate(() => document.body.dataset.sameDocument),
      'yes',
      'the board changed without a reload',
    );
    assert.equal(manager.path, '/board');
    const afterRows = await boardRows(manager);
    assert.deepEqual(
      afterRows.map((r) => [r.who, r.status, r.red]),
      [
        [chloe.name, 'Missed check-in', true],
        [ben.name, 'In progress', false],
      ],
    );
    assert.equal(afterRows[0]!.background, 'rgb(253, 230, 227)', 'the alarm row is tinted red');
    assert.equal(await text(manager.page.locator('[data-board-alarm] h2')), '1 person needs a response now');
    assert.equal(
      await text(manager.page.locator('[data-board-alarm] li')),
      chloe.name,
      'the board lists who, with a link',
    );
    assert.deepEqual(
      await manager.focused().then((f) => [f.tag, f.text]),
      ['a', chloe.name],
      'focus stays on Chloe’s link through the update',
    );
    // A status message (role="status") says when, in London time like the rest of the page.
    const updated = await text(manager.page.getByRole('status'));
    const londonNow = [new Date(Date.now() - 60_000), new Date()].map((d) => `Updated ${londonTime(d)}.`);
    assert.ok(londonNow.includes(updated), `"${updated}" should be one of ${londonNow.join(' / ')}`);
    // The live-updated board is a new state of the page: axe checks it too.
    await assertAccessible(manager.page, { status: 200, context: 'Aisha, board after a live update' });
  });

  it('Chloe sees she is overdue on her phone', async () => {
    assert.equal(await worker.goto(`/visits/${visitId}`), 200);
    const countdown = worker.page.locator('.harbour-countdown');
    assert.match(await text(countdown), /^Overdue since \d\d:\d\d \d+ min overdue Harbour reminds you at the deadline/);
    assert.equal(await countdown.evaluate((el) => el.classList.contains('harbour-countdown--overdue')), true);
    assert.equal(
      await text(worker.page.locator('.govuk-summary-list__row', { hasText: 'Status' }).locator('dd')),
      'Overdue',
    );
    assertInOrder(await timeline(worker), [
      'Arrived',
      'No check-in by the deadline: alert raised',
      'Step 1 of 5 (Prompt the worker): Chloe Davies',
    ]);
    await assertNoSidewaysScroll(worker);

    assert.equal(await openMenuItem(worker, 'My visits'), 200);
    assert.equal(await text(worker.page.locator('.govuk-error-summary__title')), 'You are overdue');
    await assertNoSidewaysScroll(worker);
  });

  it('Dev, her buddy, is alerted, opens the alert and says he is handling it', async () => {
    await expireNextStep(e2e.db, alertId);
    await until('step 2 (the buddy) to fire', async () => (await stepsFired()).includes(1));

    buddy = await e2e.session('Dev, buddy, phone 360×740', { viewport: PHONE });
    await signIn(buddy, dev.email);
    // The count on Alerts, and the alarm bar on the page he was on, say there is one.
    assert.equal(
      await buddy.page
        .getByRole('navigation', { name: 'Menu' })
        .getByRole('link', { name: 'Alerts 1 open', includeHidden: true })
        .count(),
      1,
    );
    assert.match(await text(buddy.page.locator('.harbour-alarm-bar')), /Chloe Davies: missed check-in since \d\d:\d\d/);
    assert.equal(await openMenuItem(buddy, 'Alerts'), 200);
    assert.equal(buddy.path, '/alerts');
    const item = buddy.page.locator('.harbour-session-list__item', { hasText: chloe.name });
    assert.equal(await item.count(), 1);
    assert.match(await text(item), /^Chloe Davies Missed check-in since \d\d:\d\d, TN23 1AA$/);
    await assertNoSidewaysScroll(buddy);

    assert.equal(await buddy.navigate(() => item.getByRole('link', { name: chloe.name }).click()), 200);
    assert.equal(buddy.path, `/alerts/${alertId}`);
    assert.equal(await h1(buddy), 'Chloe Davies has not checked in');
    assert.equal(
      await text(buddy.page.locator('.govuk-summary-list__row', { hasText: 'Should be at' }).locator('dd')),
      '12 Example Road, Ashford, TN23 1AA',
    );
    assert.equal(
      await text(buddy.page.locator('.govuk-summary-list__row', { hasText: 'Risk rating' }).locator('dd')),
      'GREEN',
    );
    await assertNoSidewaysScroll(buddy);

    assert.equal(await buddy.navigate((p) => p.getByRole('button', { name: "I'm handling it" }).click()), 200);
    assert.equal(buddy.path, `/alerts/${alertId}?done=acknowledged`);
    assert.match(
      await text(buddy.page.locator('.govuk-notification-banner--success')),
      /You are handling it\. The next step \(Line manager\) fires at \d\d:\d\d unless the alert is closed\./,
    );
    assert.match(
      await text(buddy.page.getByText('Dev Patel is handling it.')),
      /^Dev Patel is handling it\. Escalation resumes at \d\d:\d\d unless the alert is closed\.$/,
    );
    assert.equal(await buddy.page.getByRole('button', { name: "I'm handling it" }).count(), 0);
    assert.equal((await alertRow())?.status, 'acknowledged');
    await assertNoSidewaysScroll(buddy);
  });

  it('Dev cannot reach her and escalates now: the line manager is alerted', async () => {
    assert.equal(
      await buddy.navigate((p) => p.getByRole('button', { name: "Can't reach them, escalate now" }).click()),
      200,
    );
    assert.equal(buddy.path, `/alerts/${alertId}?done=escalated`);
    assert.match(
      await text(buddy.page.locator('.govuk-notification-banner--success')),
      /Escalated: the next people on the route have been told\. The next step \(Service manager\) fires at \d\d:\d\d/,
    );
    assert.deepEqual(await stepsFired(), [0, 1, 2]);
    assertInOrder(await timeline(buddy), [
      'Dev Patel is handling it; escalation paused for 15 minutes',
      'Dev Patel could not reach them and escalated now',
      'Step 3 of 5 (Line manager): Aisha Khan',
    ]);
    const route = await buddy.page
      .getByRole('heading', { name: 'Escalation route' })
      .locator('xpath=following-sibling::ol[1]/li')
      .allInnerTexts();
    assert.deepEqual(
      route.map((r) => r.replace(/\s+/g, ' ').trim()),
      ['Prompt the worker Done', 'Buddy Done', 'Line manager Done', 'Service manager', 'Assistant director'],
    );

    // Dev's inbox has the message that alerted him (if the inbox exists in this build).
    const status = await openInbox(buddy);
    if (status === 200) {
      const message = buddy.page.locator('.harbour-inbox__message', {
        hasText: 'Harbour: Chloe Davies has not checked in',
      });
      assert.equal(await message.count(), 1);
      assert.match(await text(message), /Chloe Davies was due to check in by \d\d:\d\d at TN23 1AA and has not\./);
      assert.equal(
        await message.getByRole('link', { name: /^Open the alert/ }).getAttribute('href'),
        `/alerts/${alertId}`,
      );
      await assertNoSidewaysScroll(buddy);
    }
  });

  it('Aisha opens the alert, must choose an outcome, and closes it as safe', async () => {
    assert.equal(await openMenuItem(manager, 'Alerts'), 200);
    assert.equal(
      await manager.navigate((p) => p.getByRole('main').getByRole('link', { name: chloe.name, exact: true }).click()),
      200,
    );
    assert.equal(manager.path, `/alerts/${alertId}`);
    assert.equal(await h1(manager), 'Chloe Davies has not checked in');

    // No outcome chosen: the GOV.UK error summary, linked to the radios.
    assert.equal(await manager.navigate((p) => p.getByRole('button', { name: 'Close alert' }).click()), 400);
    assert.match(await manager.page.title(), /^Error: /);
    const summary = new SignInPage(manager).errorSummary();
    assert.equal(await summary.title(), 'There is a problem');
    assert.deepEqual(await summary.links(), [{ text: 'Select what happened', href: '#outcome' }]);
    assert.equal(await text(manager.page.locator('#outcome-error')), 'Error: Select what happened');
    assert.equal(await summary.follow('Select what happened'), 'outcome');
    assert.equal((await alertRow())?.status, 'open', 'nothing was closed');

    await manager.page.getByLabel('Safe', { exact: true }).check();
    await manager.page.getByLabel('Notes (optional)').fill('Phone battery had died; she is back at the office.');
    assert.equal(await manager.navigate((p) => p.getByRole('button', { name: 'Close alert' }).click()), 200);
    assert.equal(manager.path, `/alerts/${alertId}`);
    assert.equal(
      await text(manager.page.locator('.govuk-notification-banner--success')),
      'Success Closed: Safe – Phone battery had died; she is back at the office.',
    );
    assert.equal(await h1(manager), 'Chloe Davies');
    assert.equal(await manager.page.getByRole('button', { name: 'Close alert' }).count(), 0);
    assert.deepEqual(await alertRow().then((a) => [a?.status, a?.outcome]), ['resolved', 'safe']);

    // The whole story, in order.
    assertInOrder(await timeline(manager), [
      'Planned by Chloe Davies',
      'Arrived',
      'No check-in by the deadline: alert raised',
      'Step 1 of 5 (Prompt the worker): Chloe Davies',
      'Step 2 of 5 (Buddy): Dev Patel',
      'Dev Patel is handling it; escalation paused for 15 minutes',
      'Dev Patel could not reach them and escalated now',
      'Step 3 of 5 (Line manager): Aisha Khan',
      'Closed by Aisha Khan: Safe – Phone battery had died; she is back at the office.',
    ]);
    // No further steps are waiting.
    const pending = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM timers WHERE status = 'pending' AND kind = 'alert_step' AND subject_id = ${alertId}::bigint`.execute(
      e2e.db,
    );
    assert.equal(pending.rows[0]?.n, 0);

    // Back on the board, Chloe is safe and no longer at the top.
    assert.equal(await openMenuItem(manager, 'Live board'), 200);
    assert.deepEqual(
      (await boardRows(manager)).map((r) => [r.who, r.status, r.red]),
      [
        [ben.name, 'In progress', false],
        [chloe.name, 'Finished safely', false],
      ],
    );
    assert.equal(await manager.page.locator('[data-board-alarm]').count(), 0);
  });

  it("Chloe's phone shows the visit closed as safe; the outbox shows who was told", async () => {
    assert.equal(await worker.goto(`/visits/${visitId}`), 200);
    assert.equal(await worker.page.locator('.harbour-countdown').count(), 0);
    assert.equal(
      await text(worker.page.locator('.govuk-summary-list__row', { hasText: 'Status' }).locator('dd')),
      'Finished safely',
    );
    assertInOrder(await timeline(worker), [
      'Arrived',
      'No check-in by the deadline: alert raised',
      /^Closed by Aisha Khan: Safe/,
    ]);
    await assertNoSidewaysScroll(worker);

    if ((await openInbox(worker)) === 200) {
      assert.equal(
        await worker.page.locator('.harbour-inbox__message', { hasText: 'Harbour: are you safe?' }).count(),
        1,
      );
      await assertNoSidewaysScroll(worker);
    }

    // The outbox is for business support, health and safety and administrators.
    const support = await e2e.session('Emma, business support, desktop');
    await signIn(support, emma.email);
    const status = await support.goto('/outbox');
    if (status !== 404) {
      assert.equal(status, 200);
      const rows = await support.page
        .getByRole('table')
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => {
            const cells = [...tr.querySelectorAll('td, th')].map((c) => (c as HTMLElement).innerText.trim());
            return `${cells[1]}: ${cells[2]}`;
          }),
        );
      for (const expected of [
        'Chloe Davies: Harbour: are you safe?',
        'Dev Patel: Harbour: Chloe Davies has not checked in',
        'Aisha Khan: Harbour: Chloe Davies has not checked in',
      ]) {
        assert.ok(rows.includes(expected), `outbox should list "${expected}": ${JSON.stringify(rows)}`);
      }
    }
    await support.close();
    await buddy.close();
    await manager.close();
    await worker.close();
  });
});

/** Opens the inbox from the menu when the menu has it; otherwise tries the address. 404 means not built yet. */
async function openInbox(s: BrowserSession): Promise<number> {
  const link = s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: navLinkName('Inbox') });
  if (await link.count()) return openMenuItem(s, 'Inbox');
  return s.goto('/inbox');
}
