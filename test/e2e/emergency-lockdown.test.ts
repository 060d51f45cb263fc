import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { SignInPage, demoUsers } from './support/pages.ts';
import { actorFor, buildVisitForm, expireDeadline } from '../helpers/lone-working.ts';

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
const main = (s: BrowserSession) => s.page.locator('main').innerText();

describe('emergency details and building lockdown in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  async function signedIn(label: string, email: string, phone = false) {
    const s = await e2e.session(label, phone ? { viewport: PHONE } : {});
    await new SignInPage(s).open();
    assert.equal(await new SignInPage(s).signIn(email), 200);
    return s;
  }

  it('break-glass: a responder opens the worker’s details during an alert; it is audited and the worker sees who and why', async () => {
    const chloe = await signedIn('Chloe keeps her emergency details, phone', demoUsers.worker, true);
    assert.equal(await chloe.goto('/emergency-pack'), 200);
    const p = chloe.page;
    await p.locator('#contact1Name').fill('Sam Davies');
    await p.locator('#contact1Relationship').fill('Partner');
    await p.locator('#contact1Mobile').fill('07700 900 222');
    await p.getByLabel('Make and model').fill('Ford Fiesta');
    await p.getByLabel('Registration').fill('ab12 cde');
    await p.getByLabel('Medication').fill('Salbutamol inhaler');
    assert.equal(
      await chloe.navigate((page) => page.getByRole('button', { name: 'Save my emergency details' }).click()),
      200,
    );
    assert.ok((await main(chloe)).includes('Your emergency details are saved'));
    assert.ok((await main(chloe)).includes('Nobody else has opened your emergency details'));
    const { scrollWidth, clientWidth } = await chloe.pageScrollWidth();
    assert.ok(scrollWidth <= clientWidth, `no sideways scrolling at 360px (${scrollWidth} > ${clientWidth})`);

    // Chloe misses a check-in: the server's own loop opens the alert.
    const actor = await actorFor(e2e.db, demoUsers.worker);
    const visitId = await e2e.harbour.services.visits.plan(actor, buildVisitForm());
    await e2e.harbour.services.visits.arrive(actor, visitId);
    await expireDeadline(e2e.db, visitId);
    const alert = await until('the alert to open', () =>
      e2e.db.selectFrom('alerts').select('id').where('visit_id', '=', visitId).executeTakeFirst(),
    );

    // Aisha, her manager, responds: from the alert, break glass with a reason.
    const aisha = await signedIn('Aisha responds to the alert', demoUsers.teamManager);
    assert.equal(await aisha.goto(`/alerts/${alert.id}`), 200);
    assert.equal(
      await aisha.navigate((page) =>
        page
          .getByRole('link', { name: 'Open Chloe Davies’s emergency contacts and medical details (break glass)' })
          .click(),
      ),
      200,
    );
    assert.equal(
      await aisha.navigate((page) => page.getByRole('button', { name: 'Open emergency details' }).click()),
      400,
      'a reason is needed',
    );
    await aisha.page
      .getByLabel('Why do you need their emergency details?')
      .fill('No answer after escalation: calling her partner');
    assert.equal(
      await aisha.navigate((page) => page.getByRole('button', { name: 'Open emergency details' }).click()),
      200,
    );
    const shown = await main(aisha);
    for (const s of [
      'Sam Davies (Partner) – call first',
      '07700 900 222',
      'Salbutamol inhaler',
      'AB12 CDE',
      'Ford Fiesta',
    ])
      assert.ok(shown.includes(s), `shows ${s}`);

    const trail = await e2e.db
      .selectFrom('audit_log')
      .select(['actor_label', 'detail'])
      .where('action', '=', 'emergency_pack.break_glass')
      .execute();
    assert.equal(trail.length, 1);
    assert.equal(trail[0]!.actor_label, demoUsers.teamManager);
    assert.equal((trail[0]!.detail as { reason: string }).reason, 'No answer after escalation: calling her partner');

    // Chloe sees who opened her details, when, and why.
    assert.equal(await chloe.goto('/emergency-pack'), 200);
    const views = await chloe.page.locator('table').innerText();
    assert.ok(views.includes('Aisha Khan') && views.includes('No answer after escalation: calling her partner'), views);
    // Aisha's list of her team's details shows only whether each is up to date.
    assert.equal(await aisha.goto('/emergency-pack/team'), 200);
    const team = await main(aisha);
    assert.ok(team.includes('Chloe Davies') && team.includes('Up to date') && team.includes('Missing'));
    assert.ok(!team.includes('Salbutamol'));
    await chloe.close();
    await aisha.close();
  });

  it('a lockdown reaches everyone in the building; they acknowledge; the all clear ends it', async () => {
    // Jamal (based at Sittingbourne) is checked in at the Civic Centre today.
    const jamalActor = await actorFor(e2e.db, 'jamal.brown@harbour.example');
    const civic = (
      await e2e.db.selectFrom('buildings').select('id').where('name', '=', 'Civic Centre').executeTakeFirstOrThrow()
    ).id;
    const session = await e2e.harbour.services.visits.plan(
      jamalActor,
      buildVisitForm({ kind: 'office', buildingId: civic, referralType: null, caseId: null, caseSystem: null }),
    );
    await e2e.harbour.services.visits.arrive(jamalActor, session);

    const emma = await signedIn('Emma, building manager, starts a lockdown', 'emma.green@harbour.example');
    assert.equal(await emma.goto('/lockdowns'), 200);
    assert.equal(await emma.navigate((page) => page.getByRole('button', { name: 'Start a lockdown' }).click()), 200);
    await emma.page.getByLabel('Building', { exact: true }).selectOption({ label: 'Civic Centre' });
    await emma.page.getByLabel('Incident inside the building').check();
    await emma.page.getByLabel('What is happening (optional)').fill('Man with a knife in reception');
    assert.equal(
      await emma.navigate((page) => page.getByRole('button', { name: 'Start lockdown and alert everyone' }).click()),
      200,
    );
    const id = Number(/\/lockdowns\/(\d+)/.exec(emma.path)![1]);
    const page = await main(emma);
    for (const s of [
      'The building is locked down',
      'Move staff and service users to the agreed safe place.',
      'Tannery Lane, Ashford',
      'Helen Ward',
      'Priya Shah',
      '01632 960 300',
    ])
      assert.ok(page.includes(s), `the lockdown page shows ${s}`);

    // Everyone based at the Civic Centre, and Jamal, gets the alert (the dispatcher delivers it).
    const based = await e2e.db
      .selectFrom('staff')
      .select('id')
      .where('base_building_id', '=', civic)
      .where('active', '=', true)
      .execute();
    const expected = new Set([...based.map((b) => b.id), jamalActor.staffId!]);
    const delivered = await until('every alert to be delivered', async () => {
      const rows = await e2e.db
        .selectFrom('notifications')
        .select(['recipient_id', 'status'])
        .where('subject', '=', 'LOCKDOWN at Civic Centre: incident inside the building')
        .execute();
      return rows.length === expected.size && rows.every((r) => r.status === 'sent') ? rows : null;
    });
    assert.deepEqual(new Set(delivered.map((r) => r.recipient_id)), expected);

    // Chloe (based there) and Jamal (checked in there) read it on their phones and acknowledge.
    for (const [label, email] of [
      ['Chloe, phone', demoUsers.worker],
      ['Jamal, checked in at the Civic Centre, phone', 'jamal.brown@harbour.example'],
    ] as const) {
      const s = await signedIn(label, email, true);
      assert.equal(await s.goto('/inbox'), 200);
      assert.ok((await main(s)).includes('LOCKDOWN at Civic Centre'));
      assert.equal(await s.goto(`/lockdowns/${id}`), 200);
      assert.equal(
        await s.navigate((pg) => pg.getByRole('button', { name: 'I have seen this lockdown alert' }).click()),
        200,
      );
      assert.ok((await main(s)).includes('your acknowledgement is recorded'));
      const { scrollWidth, clientWidth } = await s.pageScrollWidth();
      assert.ok(scrollWidth <= clientWidth, `no sideways scrolling at 360px (${scrollWidth} > ${clientWidth})`);
      await s.close();
    }

    // Emma gives the all clear; the timeline and acknowledgements are kept.
    assert.equal(await emma.goto(`/lockdowns/${id}`), 200);
    assert.ok((await main(emma)).includes(`Who was alerted (2 of ${expected.size} acknowledged)`));
    await emma.page.getByRole('group', { name: 'Did the police attend?' }).getByLabel('Yes').check();
    await emma.page.getByLabel('The police have given the all clear').check();
    await emma.page.getByLabel('Note for everyone alerted (optional)').fill('Police have arrested the man');
    assert.equal(await emma.navigate((pg) => pg.getByRole('button', { name: 'All clear' }).click()), 200);
    const after = await main(emma);
    assert.ok(
      after.includes('All clear given') &&
        after.includes('Police have arrested the man') &&
        after.includes('The police attended and gave the all clear'),
    );
    assert.ok(
      !after.includes('What to do now') && !after.includes('Move staff and service users to the agreed safe place.'),
      'no lockdown instructions after the all clear',
    );
    for (const line of [
      'Emma Green started a Dynamic Lock Down',
      'Chloe Davies acknowledged',
      'Jamal Brown acknowledged',
      'Emma Green gave the all clear',
    ])
      assert.ok(after.includes(line), `timeline: ${line}`);
    const clear = await e2e.db
      .selectFrom('notifications')
      .select('recipient_id')
      .where('subject', '=', 'All clear at Civic Centre')
      .execute();
    assert.equal(clear.length, expected.size);
    await emma.close();
  });
});
