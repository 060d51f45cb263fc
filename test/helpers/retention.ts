import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Services } from '../../src/composition.ts';
import { actorFor } from './lone-working.ts';
import { demo } from './app.ts';

/**
 * The retention schedule and subject access rows of the access matrix (test/routes/access.test.ts).
 * Administrators and the information governance officer (Irene, who also holds the FOI role) run
 * the schedule; only the information governance officer exports.
 */
const state = { hold: { admin: 0, foi: 0 }, incident: { admin: 0, foi: 0 }, chloe: 0 };

export async function prepareRetentionMatrix(db: Kysely<DB>, services: Services) {
  const irene = await actorFor(db, demo.foi);
  const chloe = await actorFor(db, demo.worker);
  state.chloe = chloe.staffId!;
  const account = (await db.selectFrom('accounts').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  const incident = async () =>
    (
      await db
        .insertInto('incidents')
        .values({
          employee_id: chloe.staffId!,
          reported_by_account: account,
          status: 'open',
          occurred_at: new Date(),
          categories: ['threats'],
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  for (const who of ['admin', 'foi'] as const) {
    state.incident[who] = await incident();
    state.hold[who] = await services.retention.placeHold(irene, {
      kind: 'incident',
      recordId: String(await incident()),
      reason: `Matrix hold to release (${who})`,
    });
  }
  await db
    .insertInto('foi_requests')
    .values({
      reference: 'FOI/MATRIX/SAR',
      ref_year: 2026,
      ref_seq: 9999,
      regime: 'foi',
      title: 'Matrix',
      requester_name: 'Matrix Subject',
      requester_contact: 'subject@example.org',
      received_at: new Date(),
      received_on: new Date().toISOString().slice(0, 10),
      channel: 'email',
    } as never)
    .execute();
}

interface Builders<W extends string, R> {
  page: (route: string, allow: readonly W[], more?: { url?: () => string }) => R;
  form: (
    route: string,
    allow: readonly W[],
    body: (c: unknown, who: W) => Record<string, unknown>,
    more?: { url?: (c: unknown, who: W) => string },
  ) => R;
}

export function retentionMatrixRows<W extends string, R>({ page, form }: Builders<W, R>): R[] {
  const managers = ['admin', 'foi'] as unknown as readonly W[];
  const pick = (who: W) => (who === ('foi' as W) ? 'foi' : 'admin');
  return [
    page('GET /admin/retention', managers),
    form('POST /admin/retention/holds', managers, (_c, who) => ({
      kind: 'incident',
      recordId: String(state.incident[pick(who)]),
      reason: 'Matrix legal hold',
    })),
    form('POST /admin/retention/holds/:id/release', managers, () => ({ reason: 'Matrix release' }), {
      url: (_c, who) => `/admin/retention/holds/${state.hold[pick(who)] || 1}/release`,
    }),
    page('GET /subject-access', ['foi'] as unknown as readonly W[]),
    form('POST /subject-access/staff', ['foi'] as unknown as readonly W[], () => ({ staffId: String(state.chloe) })),
    form('POST /subject-access/public', ['foi'] as unknown as readonly W[], () => ({
      kind: 'foi_requester',
      name: 'Matrix Subject',
      reference: 'FOI/MATRIX/SAR',
    })),
  ];
}
