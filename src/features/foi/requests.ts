import { DateTime } from 'luxon';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { ZONE, londonToUtc, longDate } from '../../time/london.ts';
import type { FoiListFilter } from './repository.ts';
import type { ProtectedTable } from './disclosure.ts';
import {
  COST_ACTIVITIES,
  EVENT_KINDS,
  EXEMPTIONS,
  OUTCOMES,
  RECEIPT_READINGS,
  answeredOnTime,
  costLimit,
  deadlines,
  formatReference,
  onTimeByMonth,
  type CostEstimate,
  type EventKind,
  type Exemption,
  type Outcome,
} from './rules.ts';
import { STATISTICS, questionCoversStaff, statistic } from './statistics.ts';
import {
  CHANNELS,
  REGIMES,
  PERIODS,
  filterQuery,
  withDateBoxes,
  type EventForm,
  type NewRequestForm,
  type StatFilter,
} from './schema.ts';
import { frozenFilter, figuresChanged, jobRoleOptions, type FrozenAnswer, type FoiContext } from './context.ts';

/** The register and each request: logging it, its clock events and deadlines, the cost estimate and who handles it. */
export function buildFoiRequests(ctx: FoiContext) {
  const {
    db,
    repo,
    audit,
    settings,
    today,
    calendar,
    mustManage,
    mustFind,
    regimeOf,
    toEvents,
    recomputeClock,
    computeStatistic,
    auditRequesterRead,
    labelled,
  } = ctx;
  return {
    /**
     * The register (one page of it, searched and filtered) and the dashboard: due this week, overdue,
     * on hold, percentage answered on time by month.
     */
    async dashboard(actor: Actor, filter: Partial<Omit<FoiListFilter, 'today'>> = {}) {
      mustManage(actor);
      const t = today();
      const weekEnd = DateTime.fromISO(t, { zone: ZONE }).endOf('week').toISODate()!;
      const found = await repo.listPage({
        q: filter.q ?? '',
        status: filter.status ?? null,
        assigneeId: filter.assigneeId ?? null,
        page: filter.page ?? 1,
        today: t,
      });
      const decorated = found.rows.map((r) => ({
        ...r,
        overdue: r.status === 'open' && !!r.response_due_on && r.response_due_on < t,
        dueLabel: r.response_due_on ? longDate(r.response_due_on) : 'Clock stopped',
        onTime: answeredOnTime({ responded: r.responded_on, responseDue: r.response_due_on }),
      }));
      return {
        requests: decorated,
        total: found.total,
        page: found.page,
        ...(await repo.openCounts(t, weekEnd)),
        staff: await repo.activeStaff(),
        onTime: onTimeByMonth(await repo.timeliness()).map((m) => ({
          ...m,
          label: DateTime.fromISO(`${m.month}-01`).toFormat('MMMM yyyy'),
        })),
      };
    },
    async newRequestContext(actor: Actor) {
      mustManage(actor);
      return {
        channels: labelled(CHANNELS),
        regimes: labelled(REGIMES),
        staff: await repo.activeStaff(),
        defaultAssignee: actor.staffId,
        readingLabel: RECEIPT_READINGS[settings.receiptReading],
      };
    },
    /** Logs a request: reference from the pattern, questions split into parts, the clock started. */
    async create(actor: Actor, f: NewRequestForm): Promise<number> {
      mustManage(actor);
      const receivedAt = londonToUtc(f.receivedOn, f.receivedTime);
      if (!receivedAt)
        throw new ValidationError([
          {
            field: 'receivedTime',
            message: 'That time does not exist on that day (the clocks changed): enter another',
          },
        ]);
      if (f.receivedOn > today())
        throw new ValidationError([{ field: 'receivedOn', message: 'The date received must be today or in the past' }]);
      const cal = await calendar();
      return inTransaction(db, async (trx) => {
        const year = Number(f.receivedOn.slice(0, 4));
        const seq = await repo.nextSeq(trx, year);
        const reference = formatReference(settings.referencePattern, year, seq);
        const id = await repo.create(trx, {
          refYear: year,
          refSeq: seq,
          reference,
          regime: f.regime,
          title: f.title,
          requesterName: f.requesterName,
          requesterContact: f.requesterContact,
          receivedAt,
          receivedOn: f.receivedOn,
          channel: f.channel,
          assigneeId: f.assigneeId ?? actor.staffId,
          createdBy: actor.accountId,
          questions: f.questions,
        });
        const d = await recomputeClock(trx, id, f.receivedOn, f.regime, cal);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'foi.create',
          entityType: 'foi_requests',
          entityId: id,
          detail: { reference, questions: f.questions.length, due: d.due },
        });
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
        const live =
          q.statistic && (!frozen || frozen.scope)
            ? await computeStatistic(actor, q.statistic, filter, [], q.text).catch(() => null)
            : null;
        questions.push({
          frozen: frozen
            ? {
                dataAt: frozen.dataAt ?? null,
                versions: frozen.versions?.length ?? 0,
                changed: live ? figuresChanged(frozen, live.published) : false,
                currentQuery: filterQuery(filter),
              }
            : null,
          ...q,
          outcomeLabel: q.outcome ? OUTCOMES[q.outcome as Outcome] : 'Not yet answered',
          exemptionLabel: q.exemption ? EXEMPTIONS[q.exemption as Exemption] : null,
          published: (q.snapshot as ProtectedTable | null) ?? live?.published ?? null,
          raw: live?.raw ?? null,
          statisticTitle: q.statistic ? (statistic(q.statistic)?.title ?? q.statistic) : null,
          statFilter: (q.statistic_params as unknown as StatFilter | null)
            ? withDateBoxes(filterQuery(q.statistic_params as unknown as StatFilter), ['from', 'to'])
            : {},
          staffConcernsDefault: questionCoversStaff(q.text) ? 'yes' : 'no',
        });
      }
      const cost = r.cost_estimate ? costLimit(r.cost_estimate as CostEstimate) : null;
      return {
        request: {
          ...r,
          channelLabel: CHANNELS[r.channel as keyof typeof CHANNELS] ?? r.channel,
          regimeLabel: REGIMES[r.regime as keyof typeof REGIMES] ?? r.regime,
        },
        deadlines: d,
        readingLabel: RECEIPT_READINGS[settings.receiptReading],
        events: events.map((e) => ({ ...e, label: EVENT_KINDS[e.kind as EventKind] ?? e.kind })),
        questions,
        cost,
        costActivities: labelled(COST_ACTIVITIES),
        costValues: r.cost_estimate ?? {},
        eventKinds: [
          ...labelled(EVENT_KINDS).filter((k) => k.value !== (r.regime === 'eir' ? 'pi_extension' : 'eir_extension')),
          { value: 'close', text: 'Close the request' },
          { value: 'redirect_sar', text: 'Redirected: a subject access request' },
        ],
        outcomes: labelled(OUTCOMES),
        exemptions: labelled(EXEMPTIONS),
        statistics: STATISTICS.map((s) => ({ value: s.name, text: s.title })),
        periods: labelled(PERIODS),
        teams: await repo.teams(),
        services: await repo.services(),
        jobRoles: jobRoleOptions(),
        staff: await repo.activeStaff(),
      };
    },
    /** Clock events (clarification, fees, extension, response, review, ICO), closing, or SAR redirection. */
    async recordEvent(actor: Actor, id: number, f: EventForm) {
      mustManage(actor);
      const r = await mustFind(id);
      const cal = await calendar();
      if (f.on < r.received_on!)
        throw new ValidationError([
          {
            field: 'on-day',
            message: `The date it happened must be on or after the day the request was received, ${longDate(r.received_on!)}`,
          },
        ]);
      if (f.on > today())
        throw new ValidationError([{ field: 'on-day', message: 'The date it happened must be today or in the past' }]);
      if (f.kind === 'pi_extension' && r.regime === 'eir')
        throw new ValidationError([
          {
            field: 'kind',
            message:
              'The EIR have no public interest extension: for a complex and voluminous request, use the regulation 7 extension',
          },
        ]);
      if (f.kind === 'eir_extension') {
        if (r.regime !== 'eir')
          throw new ValidationError([
            {
              field: 'kind',
              message: 'The regulation 7 extension is for environmental information (EIR) requests only',
            },
          ]);
        const now = deadlines(r.received_on!, toEvents(await repo.events(id)), cal, settings.receiptReading, 'eir');
        if (now.due && f.on > now.due)
          throw new ValidationError([
            {
              field: 'on',
              message: `The requester must be told of a regulation 7 extension within 20 working days, by ${longDate(now.due)}`,
            },
          ]);
      }
      // The answers as they were when sent: every attached statistic, protected. Computed before the
      // transaction (the complaints statistics read through their own service, outside it).
      const snapshots: { id: number; table: ProtectedTable }[] = [];
      if (f.kind === 'response_sent') {
        for (const q of await repo.questions(id)) {
          if (!q.statistic || q.snapshot || !statistic(q.statistic)) continue;
          snapshots.push({
            id: q.id,
            table: (
              await computeStatistic(
                actor,
                q.statistic,
                q.statistic_params as unknown as StatFilter,
                snapshots.map((x) => x.table),
                q.text,
              )
            ).published,
          });
        }
      }
      await inTransaction(db, async (trx) => {
        if (f.kind === 'close' || f.kind === 'redirect_sar') {
          await recomputeClock(trx, id, r.received_on!, r.regime, cal, {
            status: f.kind === 'close' ? 'closed' : 'redirected_sar',
            closed: true,
          });
        } else {
          await repo.addEvent(trx, {
            requestId: id,
            kind: f.kind,
            on: f.on,
            targetDate: f.targetDate,
            notes: f.notes,
            by: actor.accountId,
          });
          const status = f.kind === 'response_sent' ? 'responded' : undefined;
          await recomputeClock(trx, id, r.received_on!, r.regime, cal, { status });
          for (const snap of snapshots) await repo.snapshot(trx, snap.id, snap.table);
        }
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: `foi.${f.kind}`,
          entityType: 'foi_requests',
          entityId: id,
          detail: { on: f.on, targetDate: f.targetDate },
        });
      });
    },
    async setCost(actor: Actor, id: number, estimate: CostEstimate) {
      mustManage(actor);
      await mustFind(id);
      const result = costLimit(estimate);
      await inTransaction(db, async (trx) => {
        await repo.setCost(trx, id, estimate);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'foi.cost',
          entityType: 'foi_requests',
          entityId: id,
          detail: { hours: result.hours, cost: result.cost, exceeds: result.exceeds },
        });
      });
    },
    async setAssignee(actor: Actor, id: number, assigneeId: number | null) {
      mustManage(actor);
      await mustFind(id);
      await inTransaction(db, async (trx) => {
        await repo.setAssignee(trx, id, assigneeId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'foi.assign',
          entityType: 'foi_requests',
          entityId: id,
          detail: { assigneeId },
        });
      });
    },
  };
}
