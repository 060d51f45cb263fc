import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { HolidaysService } from '../holidays/service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { ZONE, londonDate, londonToUtc, longDate } from '../../time/london.ts';
import type { WorkingDayCalendar } from '../../time/working-days.ts';
import type { FoiListFilter, FoiRepository } from './repository.ts';
import { DEFAULT_THRESHOLD, protect, redacted, toRows, unprotected, type ProtectedTable } from './disclosure.ts';
import {
  COST_ACTIVITIES, EVENT_KINDS, EXEMPTIONS, OUTCOMES, RECEIPT_READINGS, answeredOnTime, costLimit, deadlines, formatReference, onTimeByMonth, reminderDue,
  reviewRequestBy, type ClockEvent, type CostEstimate, type EventKind, type Exemption, type Outcome, type ReceiptReading, type Regime, type ReminderKind,
} from './rules.ts';
import { STATISTICS, questionCoversStaff, resolvePeriod, statistic, type StatParams, type StatSources, type StatisticDefinition } from './statistics.ts';
import { buildLetter, letterDocx, type Letter } from './letter.ts';
import { CHANNELS, REGIMES, PERIODS, filterQuery, withDateBoxes, type AnswerForm, type EventForm, type NewRequestForm, type StatFilter } from './schema.ts';
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
  receiptReading: 'council', referencePattern: 'FOI/{yy}/{seq:4}', retentionYears: 3, suppressionThreshold: DEFAULT_THRESHOLD, council: 'The Council',
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
  return { period: { period: 'custom', from: s.from, to: s.to }, teamId: s.teamId, serviceId: s.serviceId, jobRole: s.jobRole, staffConcerns: s.staffConcerns ?? null };
}

/** Whether today's published figures differ from a frozen answer's. */
export function figuresChanged(frozen: ProtectedTable, current: ProtectedTable): boolean {
  const figures = (t: ProtectedTable) => JSON.stringify([toRows(t), t.notes]);
  return figures(frozen) !== figures(current);
}

export interface PublishedDataset { questionId: number; position: number; statistic: string; table: ProtectedTable }

const DEADLINE_TEXT = { response: 'the response', s17: 'the refusal notice (s17)', review: 'the internal review' } as const;

/** The deadlines still ahead of a request: the response (or the s17 notice before a PI extension's target), the internal review. */
function deadlinesToRemind(d: ReturnType<typeof deadlines>): { what: keyof typeof DEADLINE_TEXT; due: string }[] {
  const out: { what: keyof typeof DEADLINE_TEXT; due: string }[] = [];
  if (!d.responded && d.responseDue) out.push({ what: 'response', due: d.responseDue });
  if (!d.responded && d.s17Due && d.responseDue && d.s17Due !== d.responseDue) out.push({ what: 's17', due: d.s17Due });
  if (d.reviewRequested && !d.reviewCompleted && d.reviewDue) out.push({ what: 'review', due: d.reviewDue });
  return out;
}

const REMINDER_TEXT: Record<ReminderKind, string> = {
  due_in_5_days: 'is due in 5 working days',
  due_tomorrow: 'is due by the next working day',
  overdue: 'is overdue',
};

/** FOI requests: register, s10 clock, answers from statistics with disclosure control, draft response, disclosure log, retention. */
export function buildFoiService(deps: FoiDeps) {
  const { db, foi: repo, audit } = deps;
  const settings: FoiSettings = { ...DEFAULT_FOI_SETTINGS, ...deps.settings };
  const now = deps.now ?? (() => new Date());
  const today = () => londonDate(now());
  const calendar = async (): Promise<WorkingDayCalendar> => (await deps.holidays.calendars()).foi;

  function mustManage(actor: Actor) {
    if (!can(actor, 'foi.manage')) throw new ForbiddenError('Only the information governance (FOI) team can see FOI requests and their statistics');
  }

  async function mustFind(id: number) {
    const r = await repo.request(id);
    if (!r) throw new NotFoundError('No such FOI request');
    return r;
  }

  const regimeOf = (regime: string): Regime => (regime === 'eir' ? 'eir' : 'foi');
  const toEvents = (rows: { kind: string; on_date: string | null; target_date: string | null }[]): ClockEvent[] =>
    rows.filter((e) => e.on_date).map((e) => ({ kind: e.kind as EventKind, on: e.on_date!, targetDate: e.target_date }));

  /** Works out the clock from the events and stores it on the request. Inside the caller's transaction. */
  async function recomputeClock(trx: Parameters<FoiRepository['setClock']>[0], id: number, receivedOn: string, regime: string, cal: WorkingDayCalendar, extra: { status?: string; closed?: boolean } = {}) {
    const d = deadlines(receivedOn, toEvents(await repo.events(id, trx)), cal, settings.receiptReading, regimeOf(regime));
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
    return def.staffConcernsOption ? { ...p, staffConcerns: f.staffConcerns ?? (question === undefined || questionCoversStaff(question)) } : p;
  }

  /**
   * A statistic, protected for publication. The disclosure audit links it to every table already
   * released from the same statistic (sent answers and the disclosure log) and to `alongside`, the
   * tables going out in the same response, so none can be subtracted from another.
   */
  async function computeStatistic(actor: Actor, name: string, f: StatFilter, alongside: ProtectedTable[] = [], question?: string) {
    const def = statistic(name);
    if (!def) throw new NotFoundError(`No statistic called ${name}`);
    const params = statParams(def, f, question);
    const table = await def.compute({ db, complaints: deps.complaints ?? null, actor }, params);
    const prior = [...(await repo.releasedTables(name)) as ProtectedTable[], ...alongside];
    const scope = { statistic: name, ...params };
    return { definition: def, params, raw: await unprotected(table), published: redacted(await protect(table, { threshold: settings.suppressionThreshold, scope, prior })) };
  }

  /** A question's figures as saved: the published table (with its scope and notes) and the time of the data. */
  async function freeze(actor: Actor, requestId: number, questionId: number, name: string, f: StatFilter): Promise<FrozenAnswer> {
    // Linked with the request's other saved answers, so none can be subtracted from another.
    const alongside = (await repo.questions(requestId)).filter((x) => x.id !== questionId && x.snapshot).map((x) => x.snapshot as ProtectedTable);
    const { published } = await computeStatistic(actor, name, f, alongside);
    return { ...published, dataAt: now().toISOString() };
  }

  /** The protected table for a question: the snapshot once sent, else computed live. */
  async function questionTable(actor: Actor, q: { text: string; statistic: string | null; statistic_params: unknown; snapshot: unknown }, alongside: ProtectedTable[] = []): Promise<ProtectedTable | null> {
    if (q.snapshot) return q.snapshot as ProtectedTable;
    if (!q.statistic) return null;
    return (await computeStatistic(actor, q.statistic, q.statistic_params as unknown as StatFilter, alongside, q.text)).published;
  }

  async function letterFor(actor: Actor, id: number, forPublication: boolean): Promise<{ letter: Letter; datasets: PublishedDataset[] }> {
    const r = await mustFind(id);
    const cal = await calendar();
    const questions = await repo.questions(id);
    const datasets: PublishedDataset[] = [];
    const lq = [];
    for (const q of questions) {
      const table = await questionTable(actor, q, datasets.map((d) => d.table));
      if (table && q.statistic) datasets.push({ questionId: q.id, position: q.position, statistic: q.statistic, table });
      lq.push({ position: q.position, text: q.text, outcome: q.outcome as Outcome | null, answer: q.answer, advice: q.advice, exemption: q.exemption as Exemption | null, exemptionReasons: q.exemption_reasons, table });
    }
    const date = r.responded_on ?? today();
    const letter = buildLetter({
      reference: r.reference, regime: r.regime as 'foi' | 'eir', title: r.title, requesterName: forPublication ? null : r.requester_name, date,
      questions: lq, cost: r.cost_estimate as CostEstimate | null, reviewBy: reviewRequestBy(date, cal), council: settings.council,
      officer: r.assignee_name,
    });
    return { letter, datasets };
  }

  /** Requester details are personal data: every read of them is in the audit trail. */
  async function auditRequesterRead(actor: Actor, r: { id: number; reference: string; requester_name: string | null; requester_contact: string | null }, via: string) {
    if (!r.requester_name && !r.requester_contact) return;
    await audit.append({ ...actorFields(actor), action: 'foi.requester.read', entityType: 'foi_requests', entityId: r.id, detail: { reference: r.reference, via } });
  }

  const labelled = <T extends Record<string, string>>(m: T) => Object.entries(m).map(([value, text]) => ({ value, text }));

  return {
    settings,
    /** Throws Forbidden unless the actor is in the FOI team. */
    authorise: mustManage,

    /**
     * The register (one page of it, searched and filtered) and the dashboard: due this week, overdue,
     * on hold, percentage answered on time by month.
     */
    async dashboard(actor: Actor, filter: Partial<Omit<FoiListFilter, 'today'>> = {}) {
      mustManage(actor);
      const t = today();
      const weekEnd = DateTime.fromISO(t, { zone: ZONE }).endOf('week').toISODate()!;
      const found = await repo.listPage({ q: filter.q ?? '', status: filter.status ?? null, assigneeId: filter.assigneeId ?? null, page: filter.page ?? 1, today: t });
      const decorated = found.rows.map((r) => ({
        ...r, overdue: r.status === 'open' && !!r.response_due_on && r.response_due_on < t, dueLabel: r.response_due_on ? longDate(r.response_due_on) : 'Clock stopped',
        onTime: answeredOnTime({ responded: r.responded_on, responseDue: r.response_due_on }),
      }));
      return {
        requests: decorated, total: found.total, page: found.page,
        ...(await repo.openCounts(t, weekEnd)),
        staff: await repo.activeStaff(),
        onTime: onTimeByMonth(await repo.timeliness()).map((m) => ({ ...m, label: DateTime.fromISO(`${m.month}-01`).toFormat('MMMM yyyy') })),
      };
    },

    async newRequestContext(actor: Actor) {
      mustManage(actor);
      return {
        channels: labelled(CHANNELS), regimes: labelled(REGIMES), staff: await repo.activeStaff(), defaultAssignee: actor.staffId,
        readingLabel: RECEIPT_READINGS[settings.receiptReading],
      };
    },

    /** Logs a request: reference from the pattern, questions split into parts, the clock started. */
    async create(actor: Actor, f: NewRequestForm): Promise<number> {
      mustManage(actor);
      const receivedAt = londonToUtc(f.receivedOn, f.receivedTime);
      if (!receivedAt) throw new ValidationError([{ field: 'receivedTime', message: 'That time does not exist on that day (the clocks changed): enter another' }]);
      if (f.receivedOn > today()) throw new ValidationError([{ field: 'receivedOn', message: 'The date received must be today or in the past' }]);
      const cal = await calendar();
      return inTransaction(db, async (trx) => {
        const year = Number(f.receivedOn.slice(0, 4));
        const seq = await repo.nextSeq(trx, year);
        const reference = formatReference(settings.referencePattern, year, seq);
        const id = await repo.create(trx, {
          refYear: year, refSeq: seq, reference, regime: f.regime, title: f.title, requesterName: f.requesterName, requesterContact: f.requesterContact,
          receivedAt, receivedOn: f.receivedOn, channel: f.channel, assigneeId: f.assigneeId ?? actor.staffId, createdBy: actor.accountId, questions: f.questions,
        });
        const d = await recomputeClock(trx, id, f.receivedOn, f.regime, cal);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'foi.create', entityType: 'foi_requests', entityId: id, detail: { reference, questions: f.questions.length, due: d.due } });
        return id;
      });
    },

    /** One request with its deadlines and answers. Reading the requester's details is audited. */
    async request(actor: Actor, id: number) {
      mustManage(actor);
      const r = await mustFind(id);
      const cal = await calendar();
      const events = await repo.events(id);
      const d = deadlines(r.received_on!, toEvents(events), cal, settings.receiptReading, regimeOf(r.regime));
      await auditRequesterRead(actor, r, 'request page');
      const questions = [];
      for (const q of await repo.questions(id)) {
        const frozen = q.snapshot as FrozenAnswer | null;
        // Live figures: for an unsaved statistic, and for a saved one over its frozen period (to say whether they changed).
        const filter = frozen?.scope ? frozenFilter(frozen) : (q.statistic_params as unknown as StatFilter);
        const live = q.statistic && (!frozen || frozen.scope) ? await computeStatistic(actor, q.statistic, filter, [], q.text).catch(() => null) : null;
        questions.push({
          frozen: frozen ? { dataAt: frozen.dataAt ?? null, versions: frozen.versions?.length ?? 0, changed: live ? figuresChanged(frozen, live.published) : false, currentQuery: filterQuery(filter) } : null,
          ...q, outcomeLabel: q.outcome ? OUTCOMES[q.outcome as Outcome] : 'Not yet answered', exemptionLabel: q.exemption ? EXEMPTIONS[q.exemption as Exemption] : null,
          published: (q.snapshot as ProtectedTable | null) ?? live?.published ?? null, raw: live?.raw ?? null,
          statisticTitle: q.statistic ? statistic(q.statistic)?.title ?? q.statistic : null,
          statFilter: (q.statistic_params as unknown as StatFilter | null) ? withDateBoxes(filterQuery(q.statistic_params as unknown as StatFilter), ['from', 'to']) : {},
          staffConcernsDefault: questionCoversStaff(q.text) ? 'yes' : 'no',
        });
      }
      const cost = r.cost_estimate ? costLimit(r.cost_estimate as CostEstimate) : null;
      return {
        request: { ...r, channelLabel: CHANNELS[r.channel as keyof typeof CHANNELS] ?? r.channel, regimeLabel: REGIMES[r.regime as keyof typeof REGIMES] ?? r.regime },
        deadlines: d,
        readingLabel: RECEIPT_READINGS[settings.receiptReading],
        events: events.map((e) => ({ ...e, label: EVENT_KINDS[e.kind as EventKind] ?? e.kind })),
        questions,
        cost, costActivities: labelled(COST_ACTIVITIES), costValues: r.cost_estimate ?? {},
        eventKinds: [...labelled(EVENT_KINDS).filter((k) => k.value !== (r.regime === 'eir' ? 'pi_extension' : 'eir_extension')), { value: 'close', text: 'Close the request' }, { value: 'redirect_sar', text: 'Redirected: a subject access request' }],
        outcomes: labelled(OUTCOMES), exemptions: labelled(EXEMPTIONS),
        statistics: STATISTICS.map((s) => ({ value: s.name, text: s.title })),
        periods: labelled(PERIODS), teams: await repo.teams(), services: await repo.services(), jobRoles: jobRoleOptions(),
        staff: await repo.activeStaff(),
      };
    },

    /** Records a question's outcome, answer and attached statistic. */
    async answer(actor: Actor, id: number, questionId: number, f: AnswerForm) {
      mustManage(actor);
      const r = await mustFind(id);
      if (r.status !== 'open') throw new ValidationError([{ field: 'outcome', message: 'The response has been sent: answers can no longer change' }]);
      if (f.statistic && !statistic(f.statistic)) throw new ValidationError([{ field: 'statistic', message: 'Select a statistic from the list' }]);
      const q = await repo.question(id, questionId);
      if (!q) throw new NotFoundError('No such question');
      // The answer is frozen as saved: the published table with its period, filters, definitions and the
      // time of the data. Later records never change it; the request page offers a new version instead.
      // Where the statistic offers it, whether concerns raised by staff count is kept as decided (the default from the question's words).
      const statFilter = f.statFilter && statistic(f.statistic ?? '')?.staffConcernsOption ? { ...f.statFilter, staffConcerns: f.statFilter.staffConcerns ?? questionCoversStaff(q.text) } : f.statFilter;
      const frozen = f.statistic && statFilter ? await freeze(actor, id, questionId, f.statistic, statFilter) : null;
      await inTransaction(db, async (trx) => {
        await repo.updateQuestion(trx, questionId, {
          outcome: f.outcome, answer: f.answer, advice: f.advice, exemption: f.exemption, exemptionReasons: f.exemptionReasons,
          statistic: f.statistic, statisticParams: statFilter as unknown as Record<string, unknown> | null,
        }, frozen);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'foi.answer', entityType: 'foi_questions', entityId: questionId, detail: { request: id, outcome: f.outcome, exemption: f.exemption, statistic: f.statistic } });
      });
    },

    /**
     * A new version of a saved answer's figures, from today's records over the same period and filters.
     * The earlier versions are kept with it, never overwritten. Only before the response is sent.
     */
    async newVersion(actor: Actor, id: number, questionId: number) {
      mustManage(actor);
      const r = await mustFind(id);
      if (r.status !== 'open') throw new ValidationError([{ field: 'version', message: 'The response has been sent: the figures sent stay as they were' }]);
      const q = await repo.question(id, questionId);
      if (!q?.statistic || !q.snapshot) throw new NotFoundError('No saved figures for this question');
      const old = q.snapshot as FrozenAnswer;
      const { versions: earlier, ...previous } = old;
      const next = await freeze(actor, id, questionId, q.statistic, frozenFilter(old));
      await inTransaction(db, async (trx) => {
        await repo.snapshot(trx, questionId, { ...next, versions: [...(earlier ?? []), previous] } satisfies FrozenAnswer);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'foi.answer_version', entityType: 'foi_questions', entityId: questionId, detail: { request: id, statistic: q.statistic, versions: (earlier?.length ?? 0) + 2 } });
      });
    },

    /** Clock events (clarification, fees, extension, response, review, ICO), closing, or SAR redirection. */
    async recordEvent(actor: Actor, id: number, f: EventForm) {
      mustManage(actor);
      const r = await mustFind(id);
      const cal = await calendar();
      if (f.on < r.received_on!) throw new ValidationError([{ field: 'on-day', message: `The date it happened must be on or after the day the request was received, ${longDate(r.received_on!)}` }]);
      if (f.on > today()) throw new ValidationError([{ field: 'on-day', message: 'The date it happened must be today or in the past' }]);
      if (f.kind === 'pi_extension' && r.regime === 'eir') throw new ValidationError([{ field: 'kind', message: 'The EIR have no public interest extension: for a complex and voluminous request, use the regulation 7 extension' }]);
      if (f.kind === 'eir_extension') {
        if (r.regime !== 'eir') throw new ValidationError([{ field: 'kind', message: 'The regulation 7 extension is for environmental information (EIR) requests only' }]);
        const now = deadlines(r.received_on!, toEvents(await repo.events(id)), cal, settings.receiptReading, 'eir');
        if (now.due && f.on > now.due) throw new ValidationError([{ field: 'on', message: `The requester must be told of a regulation 7 extension within 20 working days, by ${longDate(now.due)}` }]);
      }
      // The answers as they were when sent: every attached statistic, protected. Computed before the
      // transaction (the complaints statistics read through their own service, outside it).
      const snapshots: { id: number; table: ProtectedTable }[] = [];
      if (f.kind === 'response_sent') {
        for (const q of await repo.questions(id)) {
          if (!q.statistic || q.snapshot || !statistic(q.statistic)) continue;
          snapshots.push({ id: q.id, table: (await computeStatistic(actor, q.statistic, q.statistic_params as unknown as StatFilter, snapshots.map((x) => x.table), q.text)).published });
        }
      }
      await inTransaction(db, async (trx) => {
        if (f.kind === 'close' || f.kind === 'redirect_sar') {
          await recomputeClock(trx, id, r.received_on!, r.regime, cal, { status: f.kind === 'close' ? 'closed' : 'redirected_sar', closed: true });
        } else {
          await repo.addEvent(trx, { requestId: id, kind: f.kind, on: f.on, targetDate: f.targetDate, notes: f.notes, by: actor.accountId });
          const status = f.kind === 'response_sent' ? 'responded' : undefined;
          await recomputeClock(trx, id, r.received_on!, r.regime, cal, { status });
          for (const snap of snapshots) await repo.snapshot(trx, snap.id, snap.table);
        }
        await audit.appendIn(trx, { ...actorFields(actor), action: `foi.${f.kind}`, entityType: 'foi_requests', entityId: id, detail: { on: f.on, targetDate: f.targetDate } });
      });
    },

    async setCost(actor: Actor, id: number, estimate: CostEstimate) {
      mustManage(actor);
      await mustFind(id);
      const result = costLimit(estimate);
      await inTransaction(db, async (trx) => {
        await repo.setCost(trx, id, estimate);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'foi.cost', entityType: 'foi_requests', entityId: id, detail: { hours: result.hours, cost: result.cost, exceeds: result.exceeds } });
      });
    },

    async setAssignee(actor: Actor, id: number, assigneeId: number | null) {
      mustManage(actor);
      await mustFind(id);
      await inTransaction(db, async (trx) => {
        await repo.setAssignee(trx, id, assigneeId);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'foi.assign', entityType: 'foi_requests', entityId: id, detail: { assigneeId } });
      });
    },

    /** The draft response as a letter model (HTML preview and .docx). Nothing is sent. */
    async draft(actor: Actor, id: number) {
      mustManage(actor);
      const r = await mustFind(id);
      await auditRequesterRead(actor, r, 'draft response');
      return { request: r, ...(await letterFor(actor, id, false)) };
    },
    async draftDocx(actor: Actor, id: number) {
      mustManage(actor);
      const r = await mustFind(id);
      await auditRequesterRead(actor, r, 'draft response download');
      const { letter } = await letterFor(actor, id, false);
      return { file: `${r.reference.replace(/[^A-Za-z0-9]+/g, '-')}-response.docx`, content: await letterDocx(letter) };
    },

    /** Puts the response and its datasets in the public disclosure log, without the requester's details. */
    async publish(actor: Actor, id: number) {
      mustManage(actor);
      const r = await mustFind(id);
      if (!r.responded_on) throw new ValidationError([{ field: 'publish', message: 'Record the response as sent before publishing it' }]);
      const { letter, datasets } = await letterFor(actor, id, true);
      await inTransaction(db, async (trx) => {
        await repo.publish(trx, { requestId: id, reference: r.reference, title: r.title, respondedOn: r.responded_on, letter, datasets, by: actor.accountId });
        await audit.appendIn(trx, { ...actorFields(actor), action: 'foi.publish', entityType: 'foi_requests', entityId: id, detail: { reference: r.reference, datasets: datasets.length } });
      });
    },

    // ---- Statistics ----
    catalogue(actor: Actor) {
      mustManage(actor);
      return STATISTICS.map((s) => ({ name: s.name, title: s.title, seed: s.seed, question: s.question, source: s.source }));
    },
    /** The filter a statistic page opens with: the job role its question names. */
    presetQuery(name: string): Record<string, string> {
      const role = statistic(name)?.jobRole;
      return role ? { jobRole: role } : {};
    },
    async statistic(actor: Actor, name: string, f: StatFilter) {
      mustManage(actor);
      const result = await computeStatistic(actor, name, f);
      return { ...result, filter: filterQuery(f) };
    },
    async statisticOptions() {
      return { periods: labelled(PERIODS), teams: await repo.teams(), services: await repo.services(), jobRoles: jobRoleOptions() };
    },

    // ---- Public disclosure log ----
    async disclosureLog(page = 1) {
      const found = await repo.disclosures(page);
      return { entries: found.rows, total: found.total, page: found.page };
    },
    async disclosure(id: number) {
      const d = await repo.disclosure(id);
      if (!d) throw new NotFoundError('No such disclosure');
      return { disclosure: d, letter: d.letter as Letter, datasets: d.datasets as PublishedDataset[] };
    },
    async disclosureDataset(id: number, questionId: number) {
      const d = await repo.disclosure(id);
      const ds = (d?.datasets as PublishedDataset[] | undefined)?.find((x) => x.questionId === questionId);
      if (!d || !ds) throw new NotFoundError('No such dataset');
      return { reference: d.reference, dataset: ds };
    },

    // ---- Jobs ----
    /** Reminds each assignee before the response is due (5 working days, the day before) and once overdue. */
    async sendReminders() {
      const cal = await calendar();
      const t = today();
      const at = now();
      let sent = 0;
      for (const r of await repo.remindable()) {
        const d = deadlines(r.received_on!, toEvents(r.events), cal, settings.receiptReading, regimeOf(r.regime));
        for (const dl of deadlinesToRemind(d)) {
          const kind = reminderDue(dl.due, t, cal, r.sent.filter((x) => x.due_on === dl.due && x.kind.startsWith(`${dl.what}.`)).map((x) => x.kind.slice(dl.what.length + 1) as ReminderKind));
          if (!kind) continue;
          const what = DEADLINE_TEXT[dl.what];
          const done = await inTransaction(db, async (trx) => {
            const ok = await repo.recordReminder(trx, {
              requestId: r.id, kind: `${dl.what}.${kind}`, dueOn: dl.due, recipientId: r.assignee_id!, at, link: `/foi/requests/${r.id}`,
              subject: `FOI ${r.reference}: ${what} ${REMINDER_TEXT[kind]}`, body: `${what[0]!.toUpperCase()}${what.slice(1)} for ${r.reference} (${r.title}) ${REMINDER_TEXT[kind]}: ${longDate(dl.due)}.`,
            });
            if (ok) await audit.appendIn(trx, { actorId: null, actorLabel: 'system', ip: null, action: 'foi.reminder', entityType: 'foi_requests', entityId: r.id, detail: { deadline: dl.what, kind, due: dl.due } });
            return ok;
          });
          if (done) sent++;
        }
      }
      return { sent };
    },

    /** Erases requester details the configured years after closure; each erasure is audited. */
    async eraseExpired() {
      const cutoff = DateTime.fromJSDate(now(), { zone: ZONE }).minus({ years: settings.retentionYears }).toJSDate();
      let erased = 0;
      for (const r of await repo.dueForErasure(cutoff)) {
        await inTransaction(db, async (trx) => {
          await repo.erase(trx, r.id);
          await audit.appendIn(trx, { actorId: null, actorLabel: 'system', ip: null, action: 'foi.requester.erase', entityType: 'foi_requests', entityId: r.id, detail: { reference: r.reference, retentionYears: settings.retentionYears } });
        });
        erased++;
      }
      return { erased };
    },
  };
}

function jobRoleOptions() {
  return [{ value: 'social_workers', text: 'Social workers and senior practitioners' }, ...Object.entries(JOB_ROLES).map(([value, text]) => ({ value, text }))];
}

export type FoiService = ReturnType<typeof buildFoiService>;
