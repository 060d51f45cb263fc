import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Services } from '../../src/composition.ts';
import { actorFor } from './lone-working.ts';
import { demo } from './app.ts';

/** Factories for the FOI tests: incidents, alerts and complaints straight into their tables. */
export async function buildIncident(
  db: Kysely<DB>,
  o: {
    employeeId: number;
    occurredAt: string;
    categories: string[];
    policeReported?: boolean;
    policeOutcome?: string | null;
    courtOutcome?: string | null;
    status?: string;
  },
) {
  const account = await db.selectFrom('accounts').select('id').orderBy('id').executeTakeFirstOrThrow();
  const row = await db
    .insertInto('incidents')
    .values({
      employee_id: o.employeeId,
      reported_by_account: account.id,
      status: o.status ?? 'open',
      occurred_at: new Date(o.occurredAt),
      categories: o.categories,
      police_reported: o.policeReported ?? null,
      police_outcome: o.policeOutcome ?? null,
      court_outcome: o.courtOutcome ?? null,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function buildComplaint(
  db: Kysely<DB>,
  o: {
    receivedOn: string;
    staffIds: number[];
    household?: string | null;
    outcome?: string | null;
    withdrawnOn?: string | null;
    procedure?: string;
    dismissal?: { staffId: number; on: string };
  },
) {
  const row = await db
    .insertInto('complaints')
    .values({
      received_on: o.receivedOn,
      channel: 'email',
      procedure: o.procedure ?? 'statutory_children',
      complainant_type: 'parent_carer',
      household: o.household ?? null,
      outcome: o.outcome ?? null,
      withdrawn_on: o.withdrawnOn ?? null,
      summary: 'Factory complaint',
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const staffId of o.staffIds)
    await db
      .insertInto('complaint_staff')
      .values({ complaint_id: row.id, staff_id: staffId } as never)
      .execute();
  if (o.dismissal) {
    await db
      .insertInto('complaint_actions')
      .values({
        complaint_id: row.id,
        staff_id: o.dismissal.staffId,
        kind: 'disciplinary_investigation',
        disciplinary_outcome: 'dismissal',
        outcome_on: o.dismissal.on,
      } as never)
      .execute();
  }
  return row.id;
}

/** The request form for seed 003 (sent on Saturday 4 February 2012). */
export function seed003Form(o: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Children’s social services, complaints of misconduct',
    requesterName: 'Sheila Hersom',
    requesterContact: 'sheila@example.org',
    receivedOn: '2012-02-04',
    receivedTime: '10:15',
    channel: 'web',
    regime: 'foi',
    assigneeId: '',
    questions:
      'Please can you supply statistics for the last 5 years where concerns or complaints have been raised on a social worker?\nHave any of the social workers had two or more complaints from unrelated service users?',
    ...o,
  };
}

// ---- The access matrix (test/routes/access.test.ts) -------------------------------------------------

const matrixState = { open: 0, openQuestion: 0, openStatQuestion: 0, sent: 0, sentQuestion: 0, receivedOn: '' };

/** An open request, and a sent one with a statistic attached and published to the disclosure log. */
export async function prepareFoiMatrix(db: Kysely<DB>, services: Services) {
  const irene = await actorFor(db, demo.foi);
  const receivedOn = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
  const form = {
    title: 'Matrix request',
    requesterName: 'Matrix Requester',
    requesterContact: 'matrix@example.org',
    receivedOn,
    receivedTime: '09:00',
    channel: 'email' as const,
    regime: 'foi' as const,
    assigneeId: null,
    questions: ['How many?', 'Why?'],
  };
  matrixState.receivedOn = receivedOn;
  matrixState.open = await services.foi.create(irene, form);
  matrixState.openQuestion = (
    await db
      .selectFrom('foi_questions')
      .select('id')
      .where('request_id', '=', matrixState.open)
      .orderBy('position')
      .executeTakeFirstOrThrow()
  ).id;
  // The open request's second answer has saved figures (for a new version of them).
  matrixState.openStatQuestion = (
    await db
      .selectFrom('foi_questions')
      .select('id')
      .where('request_id', '=', matrixState.open)
      .orderBy('position', 'desc')
      .executeTakeFirstOrThrow()
  ).id;
  await services.foi.answer(irene, matrixState.open, matrixState.openStatQuestion, {
    outcome: 'provided',
    answer: 'See the table',
    advice: null,
    exemption: null,
    exemptionReasons: null,
    statistic: 'staff-dismissed',
    statFilter: { period: { period: 'last_years', years: 2 }, teamId: null, serviceId: null, jobRole: null },
  });
  matrixState.sent = await services.foi.create(irene, { ...form, title: 'Matrix published request' });
  matrixState.sentQuestion = (
    await db
      .selectFrom('foi_questions')
      .select('id')
      .where('request_id', '=', matrixState.sent)
      .orderBy('position')
      .executeTakeFirstOrThrow()
  ).id;
  await services.foi.answer(irene, matrixState.sent, matrixState.sentQuestion, {
    outcome: 'provided',
    answer: 'See the table',
    advice: null,
    exemption: null,
    exemptionReasons: null,
    statistic: 'staff-assaulted',
    statFilter: { period: { period: 'last_years', years: 2 }, teamId: null, serviceId: null, jobRole: null },
  });
  await services.foi.recordEvent(irene, matrixState.sent, {
    kind: 'response_sent',
    on: receivedOn,
    targetDate: null,
    notes: null,
  });
  await services.foi.publish(irene, matrixState.sent);
}

interface FoiBuilders<W extends string, R> {
  page: (route: string, allow: readonly W[], more?: { url?: () => string }) => R;
  form: (route: string, allow: readonly W[], body: () => Record<string, unknown>, more?: { url?: () => string }) => R;
  api: (route: string, allow: readonly W[], more?: { url?: () => string }) => R;
  everyone: readonly W[];
  team: readonly W[];
}

/** FOI: the FOI team alone sees requests (personal data) and statistics; the disclosure log is public. */
export function foiMatrixRows<W extends string, R>({ page, form, api, everyone, team }: FoiBuilders<W, R>): R[] {
  const s = matrixState;
  return [
    page('GET /foi', team),
    page('GET /foi/requests/new', team),
    form('POST /foi/requests', team, () => ({
      title: 'Matrix new',
      requesterName: 'M',
      requesterContact: 'm@example.org',
      receivedOn: s.receivedOn,
      receivedTime: '10:00',
      channel: 'web',
      regime: 'foi',
      questions: 'One?',
    })),
    page('GET /foi/requests/:id', team, { url: () => `/foi/requests/${s.open}` }),
    form(
      'POST /foi/requests/:id/questions/:questionId',
      team,
      () => ({ outcome: 'not_held', advice: 'Ask the police' }),
      { url: () => `/foi/requests/${s.open}/questions/${s.openQuestion}` },
    ),
    form('POST /foi/requests/:id/questions/:questionId/version', team, () => ({}), {
      url: () => `/foi/requests/${s.open}/questions/${s.openStatQuestion}/version`,
    }),
    form('POST /foi/requests/:id/events', team, () => ({ kind: 'ico_complaint', on: s.receivedOn }), {
      url: () => `/foi/requests/${s.open}/events`,
    }),
    form(
      'POST /foi/requests/:id/cost',
      team,
      () => ({ determining: '1', locating: '2', retrieving: '3', extracting: '4' }),
      { url: () => `/foi/requests/${s.open}/cost` },
    ),
    form('POST /foi/requests/:id/assignee', team, () => ({ assigneeId: '' }), {
      url: () => `/foi/requests/${s.open}/assignee`,
    }),
    page('GET /foi/requests/:id/response', team, { url: () => `/foi/requests/${s.open}/response` }),
    page('GET /foi/requests/:id/response.docx', team, { url: () => `/foi/requests/${s.open}/response.docx` }),
    form('POST /foi/requests/:id/publish', team, () => ({}), { url: () => `/foi/requests/${s.sent}/publish` }),
    page('GET /foi/statistics', team),
    page('GET /foi/statistics/:name', team, { url: () => '/foi/statistics/staff-assaulted?period=last_years&years=2' }),
    page('GET /foi/statistics/:name/data.csv', team, { url: () => '/foi/statistics/assaults-by-type/data.csv' }),
    page('GET /foi/statistics/:name/data.ods', team, { url: () => '/foi/statistics/complaints-by-year/data.ods' }),
    api('GET /api/v1/statistics/:name', team, { url: () => '/api/v1/statistics/police-and-prosecutions' }),
    page('GET /foi/disclosure-log', everyone),
    page('GET /foi/disclosure-log/:id', everyone, { url: () => `/foi/disclosure-log/${s.sent}` }),
    page('GET /foi/disclosure-log/:id/datasets/:questionId/data.csv', everyone, {
      url: () => `/foi/disclosure-log/${s.sent}/datasets/${s.sentQuestion}/data.csv`,
    }),
    page('GET /foi/disclosure-log/:id/datasets/:questionId/data.ods', everyone, {
      url: () => `/foi/disclosure-log/${s.sent}/datasets/${s.sentQuestion}/data.ods`,
    }),
  ];
}
