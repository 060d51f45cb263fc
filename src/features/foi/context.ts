import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { HolidaysService } from '../holidays/service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { londonDate } from '../../time/london.ts';
import type { WorkingDayCalendar } from '../../time/working-days.ts';
import type { FoiRepository } from './repository.ts';
import { DEFAULT_THRESHOLD, protect, redacted, toRows, unprotected, type ProtectedTable } from './disclosure.ts';
import {
  deadlines,
  reviewRequestBy,
  type ClockEvent,
  type CostEstimate,
  type EventKind,
  type Exemption,
  type Outcome,
  type ReceiptReading,
  type Regime,
} from './rules.ts';
import {
  questionCoversStaff,
  resolvePeriod,
  statistic,
  type StatParams,
  type StatSources,
  type StatisticDefinition,
} from './statistics.ts';
import { buildLetter, type Letter } from './letter.ts';
import type { StatFilter } from './schema.ts';
import { JOB_ROLES } from '../people/job-roles.ts';

export interface FoiSettings {
  /** How a request received on a non-working day is counted. */
  receiptReading: ReceiptReading;
  /** Reference pattern, e.g. `FOI/{yy}/{seq:4}`. */
  referencePattern: string;
  /** Requester details are erased this many years after closure. */
  retentionYears: number;
  /** Counts from 1 to this are published as "fewer than N+1". */
  suppressionThreshold: number;
  /** The council's name in the response letter. */
  council: string;
}
export const DEFAULT_FOI_SETTINGS: FoiSettings = {
  receiptReading: 'council',
  referencePattern: 'FOI/{yy}/{seq:4}',
  retentionYears: 3,
  suppressionThreshold: DEFAULT_THRESHOLD,
  council: 'The Council',
};

export interface FoiDeps {
  db: Kysely<DB>;
  foi: FoiRepository;
  audit: AuditRepository;
  holidays: Pick<HolidaysService, 'calendars'>;
  /** The complaints feature's statistics (`services.complaints.statistics`), when it is wired. */
  complaints?: StatSources['complaints'];
  settings?: Partial<FoiSettings>;
  now?: () => Date;
}

/** A saved answer's figures: the published table, when its data was read, and any earlier versions. */
export type FrozenAnswer = ProtectedTable & { dataAt?: string; versions?: (ProtectedTable & { dataAt?: string })[] };

/** The same period (as dates, not "last N years" from today) and filters as a frozen answer. */
export function frozenFilter(t: ProtectedTable): StatFilter {
  const s = t.scope!;
  return {
    period: { period: 'custom', from: s.from, to: s.to },
    teamId: s.teamId,
    serviceId: s.serviceId,
    jobRole: s.jobRole,
    staffConcerns: s.staffConcerns ?? null,
  };
}

/** Whether today's published figures differ from a frozen answer's. */
export function figuresChanged(frozen: ProtectedTable, current: ProtectedTable): boolean {
  const figures = (t: ProtectedTable) => JSON.stringify([toRows(t), t.notes]);
  return figures(frozen) !== figures(current);
}

export interface PublishedDataset {
  questionId: number;
  position: number;
  statistic: string;
  table: ProtectedTable;
}

/** What every FOI capability shares: settings, the clock, finding a request, computing and freezing statistics, the response letter. */
export function buildFoiContext(deps: FoiDeps) {
  const { db, foi: repo, audit } = deps;
  const settings: FoiSettings = { ...DEFAULT_FOI_SETTINGS, ...deps.settings };
  const now = deps.now ?? (() => new Date());
  const today = () => londonDate(now());
  const calendar = async (): Promise<WorkingDayCalendar> => (await deps.holidays.calendars()).foi;

  function mustManage(actor: Actor) {
    if (!can(actor, 'foi.manage'))
      throw new ForbiddenError('Only the information governance (FOI) team can see FOI requests and their statistics');
  }

  async function mustFind(id: number) {
    const r = await repo.request(id);
    if (!r) throw new NotFoundError('No such FOI request');
    return r;
  }

  const regimeOf = (regime: string): Regime => (regime === 'eir' ? 'eir' : 'foi');
  const toEvents = (rows: { kind: string; on_date: string | null; target_date: string | null }[]): ClockEvent[] =>
    rows
      .filter((e) => e.on_date)
      .map((e) => ({ kind: e.kind as EventKind, on: e.on_date!, targetDate: e.target_date }));

  /** Works out the clock from the events and stores it on the request. Inside the caller's transaction. */
  async function recomputeClock(
    trx: Parameters<FoiRepository['setClock']>[0],
    id: number,
    receivedOn: string,
    regime: string,
    cal: WorkingDayCalendar,
    extra: { status?: string; closed?: boolean } = {},
  ) {
    const d = deadlines(
      receivedOn,
      toEvents(await repo.events(id, trx)),
      cal,
      settings.receiptReading,
      regimeOf(regime),
    );
    await repo.setClock(trx, id, { dueOn: d.due, responseDueOn: d.responseDue, respondedOn: d.responded, ...extra });
    return d;
  }

  /**
   * The statistic's parameters from the filter, with the period resolved as of today and, where the
   * statistic offers it, whether concerns raised by staff count: as chosen, else as the FOI question
   * answered asks ("staff or service users"), else (the statistic on its own) they count.
   */
  function statParams(def: StatisticDefinition, f: StatFilter, question?: string): StatParams {
    const { from, to } = resolvePeriod(f.period, today());
    const p: StatParams = { from, to, teamId: f.teamId, serviceId: f.serviceId, jobRole: f.jobRole };
    return def.staffConcernsOption
      ? { ...p, staffConcerns: f.staffConcerns ?? (question === undefined || questionCoversStaff(question)) }
      : p;
  }

  /**
   * A statistic, protected for publication. The disclosure audit links it to every table already
   * released from the same statistic (sent answers and the disclosure log) and to `alongside`, the
   * tables going out in the same response, so none can be subtracted from another.
   */
  async function computeStatistic(
    actor: Actor,
    name: string,
    f: StatFilter,
    alongside: ProtectedTable[] = [],
    question?: string,
  ) {
    const def = statistic(name);
    if (!def) throw new NotFoundError(`No statistic called ${name}`);
    const params = statParams(def, f, question);
    const table = await def.compute({ db, complaints: deps.complaints ?? null, actor }, params);
    const prior = [...((await repo.releasedTables(name)) as ProtectedTable[]), ...alongside];
    const teamServiceId = params.teamId === null ? null : await repo.serviceOfTeam(params.teamId);
    const scope = { statistic: name, ...params, teamServiceId };
    return {
      definition: def,
      params,
      raw: await unprotected(table),
      published: redacted(await protect(table, { threshold: settings.suppressionThreshold, scope, prior })),
    };
  }

  /** A question's figures as saved: the published table (with its scope and notes) and the time of the data. */
  async function freeze(
    actor: Actor,
    requestId: number,
    questionId: number,
    name: string,
    f: StatFilter,
  ): Promise<FrozenAnswer> {
    // Linked with the request's other saved answers, so none can be subtracted from another.
    const alongside = (await repo.questions(requestId))
      .filter((x) => x.id !== questionId && x.snapshot)
      .map((x) => x.snapshot as ProtectedTable);
    const { published } = await computeStatistic(actor, name, f, alongside);
    return { ...published, dataAt: now().toISOString() };
  }

  /** The protected table for a question: the snapshot once sent, else computed live. */
  async function questionTable(
    actor: Actor,
    q: { text: string; statistic: string | null; statistic_params: unknown; snapshot: unknown },
    alongside: ProtectedTable[] = [],
  ): Promise<ProtectedTable | null> {
    if (q.snapshot) return q.snapshot as ProtectedTable;
    if (!q.statistic) return null;
    return (await computeStatistic(actor, q.statistic, q.statistic_params as unknown as StatFilter, alongside, q.text))
      .published;
  }

  async function letterFor(
    actor: Actor,
    id: number,
    forPublication: boolean,
  ): Promise<{ letter: Letter; datasets: PublishedDataset[] }> {
    const r = await mustFind(id);
    const cal = await calendar();
    const questions = await repo.questions(id);
    const datasets: PublishedDataset[] = [];
    const lq = [];
    for (const q of questions) {
      const table = await questionTable(
        actor,
        q,
        datasets.map((d) => d.table),
      );
      if (table && q.statistic)
        datasets.push({ questionId: q.id, position: q.position, statistic: q.statistic, table });
      lq.push({
        position: q.position,
        text: q.text,
        outcome: q.outcome as Outcome | null,
        answer: q.answer,
        advice: q.advice,
        exemption: q.exemption as Exemption | null,
        exemptionReasons: q.exemption_reasons,
        table,
      });
    }
    const date = r.responded_on ?? today();
    const letter = buildLetter({
      reference: r.reference,
      regime: r.regime as 'foi' | 'eir',
      title: r.title,
      requesterName: forPublication ? null : r.requester_name,
      date,
      questions: lq,
      cost: r.cost_estimate as CostEstimate | null,
      reviewBy: reviewRequestBy(date, cal),
      council: settings.council,
      officer: r.assignee_name,
    });
    return { letter, datasets };
  }

  /** Requester details are personal data: every read of them is in the audit trail. */
  async function auditRequesterRead(
    actor: Actor,
    r: { id: number; reference: string; requester_name: string | null; requester_contact: string | null },
    via: string,
  ) {
    if (!r.requester_name && !r.requester_contact) return;
    await audit.append({
      ...actorFields(actor),
      action: 'foi.requester.read',
      entityType: 'foi_requests',
      entityId: r.id,
      detail: { reference: r.reference, via },
    });
  }

  const labelled = <T extends Record<string, string>>(m: T) =>
    Object.entries(m).map(([value, text]) => ({ value, text }));

  return {
    db,
    repo,
    audit,
    settings,
    now,
    today,
    calendar,
    mustManage,
    mustFind,
    regimeOf,
    toEvents,
    recomputeClock,
    statParams,
    computeStatistic,
    freeze,
    questionTable,
    letterFor,
    auditRequesterRead,
    labelled,
  };
}

export type FoiContext = ReturnType<typeof buildFoiContext>;

/** The job roles a statistic can be filtered by. */
export function jobRoleOptions() {
  return [
    { value: 'social_workers', text: 'Social workers and senior practitioners' },
    ...Object.entries(JOB_ROLES).map(([value, text]) => ({ value, text })),
  ];
}
