import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Services } from '../../src/composition.ts';
import { addDays, londonToday } from '../../src/time/london.ts';
import { actorFor } from './lone-working.ts';
import { complaintsCalendar } from '../../src/time/working-days.ts';
import { BUNDLED_BANK_HOLIDAYS } from '../../src/time/bank-holidays.ts';
import { demo } from './app.ts';
import type { ComplaintForm } from '../../src/features/complaints/schema.ts';

/** A valid complaint about the given staff, received on `receivedOn`. */
export function buildComplaintForm(staffIds: number[], overrides: Partial<ComplaintForm> = {}): ComplaintForm {
  return {
    receivedOn: addDays(londonToday(), -10),
    matterOn: null,
    channel: 'letter',
    procedure: 'statutory_children',
    complainantType: 'parent_carer',
    complainantName: 'Matrix Parent',
    complainantContact: '1 Matrix Road',
    household: `Household ${Math.random().toString(36).slice(2)}`,
    teamId: null,
    summary: 'Matrix complaint',
    lateReason: null,
    staffIds,
    allegations: ['pl_b', 'other'],
    ...overrides,
  };
}

/**
 * The complaints rows of the access matrix (test/routes/access.test.ts) and the complaints they need.
 * Only the complaints team records; it and senior managers see; the FOI officer also sees statistics.
 */
const state = {
  name: 0,
  otherNumber: '',
  view: 0,
  extend: 0,
  dates: 0,
  stage2: 0,
  stage3: 0,
  close: 0,
  outcome: 0,
  action: 0,
  attachment: 0,
  allegations: [] as number[],
  employeeNumber: '',
  chloeId: 0,
  extendTo: '',
  referral: 0,
};
let unique = 0;

export async function prepareComplaintsMatrix(db: Kysely<DB>, services: Services) {
  const gareth = await actorFor(db, demo.complaints);
  const chloe = await db
    .selectFrom('staff')
    .select(['id', 'employee_number'])
    .where('email', '=', demo.worker)
    .executeTakeFirstOrThrow();
  const c = services.complaints;
  const day = addDays(londonToday(), -10);
  const make = () => c.record(gareth, buildComplaintForm([chloe.id], { receivedOn: day }));
  state.employeeNumber = chloe.employee_number;
  state.chloeId = chloe.id;
  // Stage 1 may be extended to at most 20 working days: 15 is allowed.
  state.extendTo = complaintsCalendar(BUNDLED_BANK_HOLIDAYS).addWorkingDays(day, 15);
  state.view = await make();
  state.allegations = await c.allegationIds(state.view);
  await c.attach(gareth, state.view, {
    fileName: 'matrix.txt',
    contentType: 'text/plain',
    content: Buffer.from('matrix'),
  });
  state.attachment = (
    await db
      .selectFrom('complaint_attachments')
      .select('id')
      .where('complaint_id', '=', state.view)
      .executeTakeFirstOrThrow()
  ).id;
  await c.addReferral(gareth, state.view, { body: 'lgsco', referredOn: day, decision: null, decidedOn: null });
  state.referral = (
    await db
      .selectFrom('complaint_referrals')
      .select('id')
      .where('complaint_id', '=', state.view)
      .executeTakeFirstOrThrow()
  ).id;
  state.extend = await make();
  state.dates = await make();
  state.close = await make();
  state.stage2 = await make();
  await c.stageDate(gareth, state.stage2, 1, 'responded', day);
  state.stage3 = await make();
  await c.stageDate(gareth, state.stage3, 1, 'responded', day);
  await c.startStage2(gareth, state.stage3, {
    startedOn: day,
    investigatingOfficer: 'Matrix IO',
    independentPerson: 'Matrix IP',
  });
  await c.stageDate(gareth, state.stage3, 2, 'responded', day);
  state.name = await make();
  state.otherNumber = (
    await db
      .selectFrom('staff')
      .select('employee_number')
      .where('email', '=', 'dev.patel@harbour.example')
      .executeTakeFirstOrThrow()
  ).employee_number;
  state.outcome = await make();
  await c.addAction(gareth, state.outcome, { kind: 'disciplinary_investigation', staffId: chloe.id, detail: null });
  state.action = (
    await db
      .selectFrom('complaint_actions')
      .select('id')
      .where('complaint_id', '=', state.outcome)
      .executeTakeFirstOrThrow()
  ).id;
}

const boxes = (name: string, iso: string) => ({
  [`${name}-day`]: String(Number(iso.slice(8, 10))),
  [`${name}-month`]: String(Number(iso.slice(5, 7))),
  [`${name}-year`]: iso.slice(0, 4),
});

interface Builders<W extends string, R> {
  page: (route: string, allow: readonly W[], more?: { url?: () => string }) => R;
  form: (route: string, allow: readonly W[], body: () => Record<string, unknown>, more?: { url?: () => string }) => R;
  upload: (route: string, allow: readonly W[], body: () => Record<string, unknown>, more?: { url?: () => string }) => R;
}

export function complaintsMatrixRows<W extends string, R>(b: Builders<W, R>): R[] {
  const VIEW = ['serviceManager', 'assistantDirector', 'complaints'] as W[];
  const MANAGE = ['complaints'] as W[];
  const STATS = ['serviceManager', 'assistantDirector', 'complaints', 'foi'] as W[];
  const today = () => londonToday();
  const on = (id: () => number, path = '') => ({ url: () => `/complaints/${id()}${path}` });
  return [
    b.page('GET /complaints', VIEW),
    b.page('GET /complaints/new', MANAGE),
    b.form(
      'POST /complaints',
      MANAGE,
      () => ({
        ...boxes('receivedOn', today()),
        channel: 'email',
        procedure: 'corporate',
        complainantType: 'professional',
        summary: 'Matrix',
        staffIds: String(state.chloeId),
        allegations: 'other',
      }),
      { url: () => '/complaints' },
    ),
    b.page(
      'GET /complaints/:id',
      VIEW,
      on(() => state.view),
    ),
    b.form(
      'POST /complaints/:id/staff',
      MANAGE,
      () => ({ staffNumber: state.otherNumber }),
      on(() => state.name, '/staff'),
    ),
    b.form(
      'POST /complaints/:id/stage-2',
      MANAGE,
      () => ({ ...boxes('stage2StartedOn', today()), investigatingOfficer: 'IO', independentPerson: 'IP' }),
      on(() => state.stage2, '/stage-2'),
    ),
    b.form(
      'POST /complaints/:id/stage-3',
      MANAGE,
      () => ({ ...boxes('stage3RequestedOn', today()) }),
      on(() => state.stage3, '/stage-3'),
    ),
    b.form(
      'POST /complaints/:id/stages/:stage/extension',
      MANAGE,
      () => ({ ...boxes('extendTo', state.extendTo), extensionReason: 'Matrix' }),
      on(() => state.extend, '/stages/1/extension'),
    ),
    b.form(
      'POST /complaints/:id/stages/:stage/dates',
      MANAGE,
      () => ({ what: 'responded', ...boxes('milestoneOn', today()) }),
      on(() => state.dates, '/stages/1/dates'),
    ),
    b.form(
      'POST /complaints/:id/close',
      MANAGE,
      () => ({ closeKind: 'withdrawn', closeReason: 'Matrix', ...boxes('closeOn', today()) }),
      on(() => state.close, '/close'),
    ),
    b.form(
      'POST /complaints/:id/findings',
      MANAGE,
      () => ({
        ...Object.fromEntries(state.allegations.map((a) => [`finding-${a}`, 'not_upheld'])),
        ...boxes('findingsOn', today()),
      }),
      on(() => state.view, '/findings'),
    ),
    b.form(
      'POST /complaints/:id/actions',
      MANAGE,
      () => ({ actionKind: 'apology', actionStaffId: '' }),
      on(() => state.view, '/actions'),
    ),
    b.form(
      'POST /complaints/:id/actions/:actionId/outcome',
      MANAGE,
      () => ({ [`outcome-${state.action}`]: 'warning', ...boxes(`outcomeOn-${state.action}`, today()) }),
      { url: () => `/complaints/${state.outcome}/actions/${state.action}/outcome` },
    ),
    b.form(
      'POST /complaints/:id/referrals',
      MANAGE,
      () => ({ referralBody: 'swe', ...boxes('referredOn', today()) }),
      on(() => state.view, '/referrals'),
    ),
    b.form(
      'POST /complaints/:id/referrals/:referralId/decision',
      MANAGE,
      () => ({ [`decision-${state.referral}`]: 'No fault', ...boxes(`decidedOn-${state.referral}`, today()) }),
      { url: () => `/complaints/${state.view}/referrals/${state.referral}/decision` },
    ),
    b.form(
      'POST /complaints/:id/learning',
      MANAGE,
      () => ({ learning: 'Matrix learning' }),
      on(() => state.view, '/learning'),
    ),
    b.upload(
      'POST /complaints/:id/attachments',
      MANAGE,
      () => ({ csv: 'matrix attachment' }),
      on(() => state.view, '/attachments'),
    ),
    b.page('GET /complaints/:id/attachments/:attachmentId', VIEW, {
      url: () => `/complaints/${state.view}/attachments/${state.attachment}`,
    }),
    b.page('GET /complaints/patterns', VIEW),
    b.page('GET /complaints/statistics', STATS),
    b.page('GET /complaints/statistics.csv', STATS),
    b.page('GET /complaints/statistics.ods', STATS),
    b.page('GET /complaints/import', MANAGE),
    b.page('GET /complaints/import/template.csv', MANAGE),
    b.upload('POST /complaints/import', MANAGE, () => ({
      csv: `reference,received_on,complainant_type,staff_employee_numbers,allegations\nMATRIX-${Date.now()}-${++unique},2015-05-01,child,${state.employeeNumber},other\n`,
    })),
  ];
}
