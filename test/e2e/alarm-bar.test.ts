import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { SignInPage, demoEmailOf } from './support/pages.ts';
import { assertAccessible } from './support/axe.ts';
import { sql } from 'kysely';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';

// Issue 14: a responder with any Harbour page open sees a new alarm within 2 seconds, without
// reloading. Chloe (a worker) raises a silent alarm from her phone; Aisha (her line manager, on a
// desktop, reading the people list) and Emma (her team's business support, on a phone, on her
// home page) see it appear in the alarm bar, with the count on Alerts; a screen reader hears it
// from a live region and focus stays where it was. The worker's own screen shows nothing.

const chloe = demoEmailOf('Chloe Davies');
const TARGET_MS = 2000;

async function signIn(s: BrowserSession, email: string): Promise<void> {
  const page = new SignInPage(s);
  assert.equal(await page.open(), 200);
  assert.equal(await page.signIn(email), 200);
}

describe('the alarm bar', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('shows a new alarm on a responder’s open page within 2 s, without a reload, and announces it', async () => {
    const aisha = await e2e.session('Aisha (desktop)');
    const emma = await e2e.session('Emma (phone)', { viewport: PHONE });
    const emmaInbox = await e2e.session('Emma (desktop, inbox)');
    const dev = await e2e.session('Dev (phone, on his own visit)', { viewport: PHONE });
    const worker = await e2e.session('Chloe (phone)', { viewport: PHONE });
    await signIn(aisha, demoEmailOf('Aisha Khan'));
    await signIn(emma, demoEmailOf('Emma Green'));
    await signIn(emmaInbox, demoEmailOf('Emma Green'));
    await signIn(dev, demoEmailOf('Dev Patel'));
    await signIn(worker, chloe);
    assert.equal(await aisha.goto('/people'), 200);
    assert.equal(await emma.goto('/'), 200);
    assert.equal(await emmaInbox.goto('/inbox'), 200);
    // Dev, Chloe's buddy, is on a visit of his own: its page (taps kept without signal) is live too.
    const devActor = await actorFor(e2e.db, demoEmailOf('Dev Patel'));
    const devVisit = await e2e.harbour.services.visits.plan(devActor, buildVisitForm({ description: 'Dev’s visit' }));
    await e2e.harbour.services.visits.arrive(devActor, devVisit);
    assert.equal(await dev.goto(`/visits/${devVisit}`), 200);
    assert.doesNotMatch(await emmaInbox.page.locator('#inbox-messages').innerText(), /Chloe Davies/);
    for (const s of [aisha, emma, emmaInbox, dev]) {
      assert.equal(await s.page.locator('.harbour-alarm-bar').count(), 0, `${s.label}: no alarm yet`);
      await s.page.evaluate(() => {
        document.body.dataset.sameDocument = 'yes';
      });
    }
    // Focus on a link of Aisha's page: the bar must not take it.
    await aisha.page.getByRole('link', { name: 'Ben Carter' }).focus();

    const actor = await actorFor(e2e.db, chloe);
    const visitId = await e2e.harbour.services.visits.plan(actor, buildVisitForm());
    await e2e.harbour.services.visits.arrive(actor, visitId);
    assert.equal(await worker.goto(`/visits/${visitId}`), 200);

    const raisedAt = Date.now();
    await e2e.harbour.services.duress.raise(actor, {
      workerId: actor.staffId!,
      visitId,
      via: 'control',
      location: null,
    });
    const seen = await Promise.all([
      ...[aisha, emma, dev].map(async (s) => {
        await s.page.locator('.harbour-alarm-bar strong', { hasText: 'Chloe Davies' }).waitFor({ timeout: 10_000 });
        return { who: s.label, ms: Date.now() - raisedAt };
      }),
      // The inbox open on Emma's desk: the message arrives in the list itself.
      emmaInbox.page
        .locator('#inbox-messages', { hasText: 'Chloe Davies' })
        .waitFor({ timeout: 10_000 })
        .then(() => ({ who: `${emmaInbox.label}, message in the list`, ms: Date.now() - raisedAt })),
    ]);
    console.log(
      `alarm raised → shown on the responder's open page: ${seen.map((x) => `${x.who} ${x.ms} ms`).join(', ')}`,
    );
    // The target is for the bar; the inbox's list is fetched again after it, so it is reported, not held to it.
    for (const x of seen.slice(0, 3))
      assert.ok(x.ms < TARGET_MS, `${x.who}: ${x.ms} ms (target under ${TARGET_MS} ms)`);

    for (const s of [aisha, emma, dev]) {
      assert.equal(await s.page.evaluate(() => document.body.dataset.sameDocument), 'yes', `${s.label}: no reload`);
      assert.match(await s.page.locator('.harbour-alarm-bar h2').innerText(), /1 person needs a response now/);
      assert.match(await s.page.locator('[data-live-announce]').innerText(), /New alarm: Chloe Davies: duress alarm/);
      assert.equal(await s.page.locator('[data-nav-count="alerts"]').innerText(), '1');
      // The page as it now is, with the bar, checked with axe (WCAG 2.2 AA).
      await assertAccessible(s.page, { status: 200, context: `${s.label}, alarm bar shown live` });
    }
    assert.deepEqual(
      await aisha.focused().then((f) => [f.tag, f.text]),
      ['a', 'Ben Carter'],
      'focus stays where it was',
    );
    // The inbox: the new message in the list without a reload, unread, counted in the navigation.
    assert.equal(await emmaInbox.page.evaluate(() => document.body.dataset.sameDocument), 'yes', 'inbox: no reload');
    assert.match(await emmaInbox.page.locator('#inbox-messages').innerText(), /Unread/);
    assert.notEqual(await emmaInbox.page.locator('[data-nav-count="inbox"]').innerText(), '0');
    await assertAccessible(emmaInbox.page, { status: 200, context: 'Emma (desktop, inbox), new message shown live' });
    // On a 360 px phone the bar fits: no sideways scrolling.
    const width = await emma.pageScrollWidth();
    assert.ok(
      width.scrollWidth <= width.clientWidth,
      `no horizontal scroll on a phone (${width.scrollWidth} > ${width.clientWidth})`,
    );

    // One link to act, reached by keyboard.
    assert.equal(
      await emma.navigate((p) =>
        p
          .locator('.harbour-alarm-bar')
          .getByRole('link', { name: /Respond/ })
          .click(),
      ),
      200,
    );
    assert.match(
      await emma.page.getByRole('heading', { level: 1 }).innerText(),
      /Chloe Davies has raised a silent alarm/,
    );

    // The worker's own screen: nothing.
    await worker.page.waitForTimeout(1500);
    assert.equal(await worker.page.locator('.harbour-alarm-bar').count(), 0);
    assert.doesNotMatch(await worker.page.locator('main').innerText(), /alarm|duress/i);

    // Closed: the bar goes from the responder's page, again without a reload.
    const aishaActor = await actorFor(e2e.db, demoEmailOf('Aisha Khan'));
    const alert = await e2e.db
      .selectFrom('alerts')
      .select('id')
      .where('visit_id', '=', visitId)
      .where('kind', '=', 'duress')
      .executeTakeFirstOrThrow();
    await e2e.harbour.services.alerts.resolve(aishaActor, String(alert.id), 'false_alarm', 'e2e');
    await aisha.page.locator('.harbour-alarm-bar').waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await aisha.page.locator('[data-nav-count="alerts"]').isHidden(), true);
    await assertAccessible(aisha.page, { status: 200, context: 'Aisha (desktop), alarm bar cleared live' });
  });

  it('the worker’s home on a phone is their visit: countdown turning overdue live, one-tap actions, the covert control’s cue, the offline note beside the tap', async () => {
    const s = await e2e.session('Chloe (phone, home)', { viewport: PHONE });
    await signIn(s, chloe);
    const actor = await actorFor(e2e.db, chloe);
    const id = await e2e.harbour.services.visits.plan(actor, buildVisitForm({ description: 'Home visit' }));
    await e2e.harbour.services.visits.arrive(actor, id);
    // Her session page, open on a second tab: its status and timeline follow the server live.
    const tab = await e2e.session('Chloe (phone, her session page)', { viewport: PHONE });
    await signIn(tab, chloe);
    assert.equal(await tab.goto(`/visits/${id}`), 200);
    await tab.page.evaluate(() => {
      document.body.dataset.sameDocument = 'yes';
    });
    // The deadline 12 s from now, in the database (the engine fires it there).
    await sql`UPDATE visits SET due_at = now() + interval '12 seconds' WHERE id = ${id}`.execute(e2e.db);
    await sql`UPDATE timers SET fire_at = now() + interval '12 seconds' WHERE kind = 'visit_due' AND subject_id = ${id} AND status = 'pending'`.execute(
      e2e.db,
    );
    assert.equal(await s.goto('/'), 200);
    await s.page.evaluate(() => {
      document.body.dataset.sameDocument = 'yes';
    });
    const card = s.page.locator('.harbour-today').first();
    assert.match(await card.locator('h2').innerText(), /Your visit now: Home visit/);
    assert.match(await card.locator('.harbour-countdown__due').innerText(), /Due to check in by/);
    // At the deadline the page turns overdue by itself, and says so through its status region.
    await card.locator('.harbour-countdown__due', { hasText: 'Overdue since' }).waitFor({ timeout: 25_000 });
    assert.equal(await s.page.evaluate(() => document.body.dataset.sameDocument), 'yes', 'no reload');
    assert.match(await card.locator('.harbour-countdown__now').innerText(), /You are overdue/);
    assert.equal(await card.locator('.harbour-countdown--overdue').count(), 1);
    await assertAccessible(s.page, { status: 200, context: 'Chloe (phone, home), turned overdue live' });
    const width = await s.pageScrollWidth();
    assert.ok(width.scrollWidth <= width.clientWidth, 'no sideways scrolling at 360 px');
    // The escalation engine raised the alert: the session page says so without a reload.
    await tab.page.locator('#visit-timeline', { hasText: 'No check-in by the deadline' }).waitFor({ timeout: 15_000 });
    assert.match(await tab.page.locator('#visit-facts').innerText(), /Overdue/);
    assert.equal(await tab.page.evaluate(() => document.body.dataset.sameDocument), 'yes', 'session page: no reload');
    await assertAccessible(tab.page, { status: 200, context: 'Chloe (phone, her session page), alert raised live' });
    await tab.close();

    // The covert control: at least 24 px, and its only cue reads as paperwork.
    const control = card.getByRole('button', { name: 'Request purple file' });
    const box = (await control.boundingBox())!;
    assert.ok(box.height >= 24 && box.width >= 24, `target ${box.width}×${box.height} px`);
    await control.click();
    await card.getByRole('button', { name: /^Purple file requested \d\d:\d\d$/ }).waitFor({ timeout: 5000 });
    await assertAccessible(s.page, { status: 200, context: 'Chloe (phone, home), after the covert control' });

    // Without signal, "Extend" is kept on the phone, and the note says so next to the button tapped.
    await s.context.setOffline(true);
    await card.getByRole('button', { name: 'Extend by 30 minutes' }).click();
    await s.page.locator('#harbour-offline').waitFor();
    assert.equal(
      await s.page.evaluate(() =>
        document.getElementById('harbour-offline')?.previousElementSibling?.getAttribute('action'),
      ),
      `/visits/${id}/extend`,
    );
    assert.ok(await s.page.locator('#harbour-offline').isVisible());
    await assertAccessible(s.page, { status: 200, context: 'Chloe (phone, home), offline note beside Extend' });
    // Signal back: the queue is sent and the page reloads to say so.
    assert.equal(await s.navigate(() => s.context.setOffline(false)), 200);
    assert.match(await s.page.locator('#harbour-offline').innerText(), /Sent now that you have signal: Extend/);
    const due = await e2e.db
      .selectFrom('visits')
      .select(['state', 'due_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(due.state, 'in_progress', 'extended: running again');
  });
});
