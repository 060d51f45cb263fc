import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { ZONE, londonToday } from '../../time/london.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { RetentionRepository } from './repository.ts';
import {
  DEFAULT_RETENTION,
  HOLDABLE_KINDS,
  complaintDueOn,
  dueGroups,
  flagDueOn,
  incidentDueOn,
  isDue,
  keptBecause,
  registerDueOn,
  schedule,
  type HoldableKind,
  type Kind,
  type RetentionSettings,
} from './rules.ts';

/** One kind's line in a run: how many were due, acted on, and kept (with why). */
export interface KindResult {
  kind: Kind;
  label: string;
  action: string;
  due: number;
  done: number;
  kept: number;
  keptReasons: Record<string, number>;
}
export interface RunSummary {
  dryRun: boolean;
  at: string;
  kinds: KindResult[];
}

const BATCH = 500;
type Who = { actorId: number | null; actorLabel: string; ip: string | null };

export function buildRetentionService(deps: {
  db: Kysely<DB>;
  retention: RetentionRepository;
  audit: AuditRepository;
  settings?: Partial<RetentionSettings>;
  now?: () => Date;
}) {
  const { db, retention: repo, audit } = deps;
  const settings: RetentionSettings = { ...DEFAULT_RETENTION, ...deps.settings };
  const now = deps.now ?? (() => new Date());
  const rows = schedule(settings);
  const label = (k: Kind) => rows.find((r) => r.kind === k)!.label;

  function mustManage(actor: Actor) {
    if (!can(actor, 'retention.manage'))
      throw new ForbiddenError(
        'Only administrators and the information governance officer manage the retention schedule',
      );
  }

  async function act(
    who: Who,
    kind: Kind,
    id: number | string,
    action: 'erase' | 'anonymise',
    detail: Record<string, unknown>,
    fn: (trx: Parameters<Parameters<typeof inTransaction>[1]>[0]) => Promise<void>,
  ) {
    await inTransaction(db, async (trx) => {
      await fn(trx);
      await audit.appendIn(trx, {
        ...who,
        action: `retention.${action}`,
        entityType: kind,
        entityId: String(id),
        detail,
      });
    });
  }

  /**
   * Goes through every kind of record: what is due, what is kept and why; unless a dry run, erases
   * or anonymises each due record in its own transaction with its audit entry.
   */
  async function run(dryRun: boolean, who: Who): Promise<RunSummary> {
    const at = now();
    const today = londonToday(at);
    const result = (kind: Kind): KindResult => ({
      kind,
      label: label(kind),
      action: rows.find((r) => r.kind === kind)!.actionText,
      due: 0,
      done: 0,
      kept: 0,
      keptReasons: {},
    });
    const keep = (r: KindResult, why: string) => {
      r.kept++;
      r.keptReasons[why] = (r.keptReasons[why] ?? 0) + 1;
    };
    const kinds: KindResult[] = [];

    // Sessions: coordinates go the period after the session ended.
    {
      const r = result('session');
      const cutoff = new Date(at.getTime() - settings.locationDays * 86_400_000);
      for (let after = 0; ;) {
        const page = await repo.sessionCandidates(cutoff, after, BATCH);
        if (!page.length) break;
        after = page[page.length - 1]!.id;
        for (const s of page) {
          r.due++;
          const why = keptBecause({ held: s.held, openInvestigation: s.open_incident });
          if (why) {
            keep(r, why);
            continue;
          }
          if (!dryRun) {
            await act(who, 'session', s.id, 'anonymise', { locationDays: settings.locationDays }, (trx) =>
              repo.anonymiseSession(trx, s.id),
            );
            r.done++;
          }
        }
      }
      kinds.push(r);
    }

    // Incidents and investigations.
    {
      const r = result('incident');
      const cutoff = DateTime.fromJSDate(at, { zone: ZONE })
        .minus({ years: Math.min(settings.incidentYears, settings.riddorYears) })
        .toJSDate();
      for (let after = 0; ;) {
        const page = await repo.incidentCandidates(cutoff, after, BATCH);
        if (!page.length) break;
        after = page[page.length - 1]!.id;
        for (const i of page) {
          if (
            !isDue(
              incidentDueOn(settings, {
                closedAt: i.closed_at,
                riddor: i.riddor,
                hseReportedOn: i.hse_reported_on,
                riddorReportBy: i.riddor_report_by,
              }),
              today,
            )
          )
            continue;
          r.due++;
          const why = keptBecause({ held: i.held, openInvestigation: i.open_investigation, openClaim: i.open_claim });
          if (why) {
            keep(r, why);
            continue;
          }
          if (!dryRun) {
            await act(
              who,
              'incident',
              i.id,
              'anonymise',
              { incidentYears: settings.incidentYears, riddor: i.riddor },
              (trx) => repo.anonymiseIncident(trx, i.id),
            );
            r.done++;
          }
        }
      }
      kinds.push(r);
    }

    // Complaints: a whole complainant group at a time.
    {
      const r = result('complaint');
      const cutoff = DateTime.fromISO(today, { zone: ZONE }).minus({ years: settings.complaintYears }).toISODate()!;
      const seen = new Set<string>();
      for (let after = 0; ;) {
        const page = await repo.complaintCandidates(cutoff, after, BATCH);
        if (!page.length) break;
        after = page[page.length - 1]!.id;
        const groups = [...new Set(page.map((c) => c.grp))].filter((g) => !seen.has(g));
        groups.forEach((g) => seen.add(g));
        const members = (await repo.complaintGroups(groups)).filter((c) => !c.done);
        const judged = members.map((c) => {
          // An allegation about staff who work with children waits for each named person's retirement date (from HR); without one it is kept, never erased early.
          const { dueOn, unknownRetirement } = complaintDueOn(settings, {
            closedOn: c.closed_on,
            allegationsAboutStaff: c.allegation && c.staff_count > 0,
            staffRetirementOn: c.retirement_dates,
          });
          const due = isDue(dueOn, today);
          return { ...c, group: c.grp, due: due && !c.held, wasDue: due, unknownRetirement };
        });
        const ready = dueGroups(judged);
        for (const c of judged) {
          if (c.closed_on === null) continue;
          if (c.unknownRetirement) {
            if (
              isDue(
                DateTime.fromISO(c.closed_on, { zone: ZONE }).plus({ years: settings.allegationYears }).toISODate()!,
                today,
              )
            ) {
              r.due++;
              keep(r, 'allegation about staff: retirement date not recorded');
            }
            continue;
          }
          if (!c.wasDue) continue;
          r.due++;
          if (c.held) {
            keep(r, 'legal hold');
            continue;
          }
          if (!ready.has(c.grp)) {
            keep(r, 'another complaint from the same complainant is still kept');
            continue;
          }
          if (!dryRun) {
            await act(who, 'complaint', c.id, 'anonymise', { complaintYears: settings.complaintYears }, (trx) =>
              repo.anonymiseComplaint(trx, c.id),
            );
            r.done++;
          }
        }
      }
      kinds.push(r);
    }

    // Warning flags.
    {
      const r = result('warning_flag');
      const cutoff = DateTime.fromJSDate(at, { zone: ZONE }).minus({ years: settings.flagYears }).toJSDate();
      for (let after = 0; ;) {
        const page = await repo.flagCandidates(cutoff, after, BATCH);
        if (!page.length) break;
        after = page[page.length - 1]!.id;
        for (const f of page) {
          if (!isDue(flagDueOn(settings, { withdrawnAt: f.withdrawn_at, expiresAt: f.expires_at }, at), today))
            continue;
          r.due++;
          const why = keptBecause({ held: f.held, openInvestigation: f.open_incident });
          if (why) {
            keep(r, why);
            continue;
          }
          if (!dryRun) {
            await act(who, 'warning_flag', f.id, 'erase', { flagYears: settings.flagYears }, (trx) =>
              repo.eraseFlag(trx, f.id),
            );
            r.done++;
          }
        }
      }
      kinds.push(r);
    }

    // Register entries.
    {
      const r = result('register_entry');
      const yearBefore = Number(today.slice(0, 4)) - settings.registerYears;
      for (let after = ''; ;) {
        const page = await repo.registerCandidates(yearBefore, after, BATCH);
        if (!page.length) break;
        after = page[page.length - 1]!.record_id;
        for (const e of page) {
          if (!isDue(registerDueOn(settings, e.year), today)) continue;
          r.due++;
          if (e.held) {
            keep(r, 'legal hold');
            continue;
          }
          if (!dryRun) {
            await act(who, 'register_entry', e.record_id, 'erase', { registerYears: settings.registerYears }, (trx) =>
              repo.eraseRegisterEntry(trx, e.record_id),
            );
            r.done++;
          }
        }
      }
      kinds.push(r);
    }

    // Emergency packs of people who have left.
    {
      const r = result('emergency_pack');
      for (let after = 0; ;) {
        const page = await repo.packCandidates(after, BATCH);
        if (!page.length) break;
        after = page[page.length - 1]!.staff_id;
        for (const p of page) {
          r.due++;
          if (p.held) {
            keep(r, 'legal hold');
            continue;
          }
          if (!dryRun) {
            await act(who, 'emergency_pack', p.staff_id, 'erase', { reason: 'left' }, (trx) =>
              repo.erasePack(trx, p.staff_id),
            );
            r.done++;
          }
        }
      }
      kinds.push(r);
    }

    // FOI requester details (the FOI retention job does the same nightly; holds are honoured by both).
    {
      const r = result('foi_request');
      const cutoff = DateTime.fromJSDate(at, { zone: ZONE }).minus({ years: settings.foiYears }).toJSDate();
      for (let after = 0; ;) {
        const page = await repo.foiCandidates(cutoff, after, BATCH);
        if (!page.length) break;
        after = page[page.length - 1]!.id;
        for (const f of page) {
          r.due++;
          if (f.held) {
            keep(r, 'legal hold');
            continue;
          }
          if (!dryRun) {
            await act(
              who,
              'foi_request',
              f.id,
              'erase',
              { reference: f.reference, retentionYears: settings.foiYears },
              (trx) => repo.eraseFoiRequester(trx, f.id),
            );
            r.done++;
          }
        }
      }
      kinds.push(r);
    }

    // Kept as now by their own jobs: counted, not touched here.
    const existing = await repo.existingDue();
    kinds.push({ ...result('idempotency_key'), due: existing.keys });
    kinds.push({ ...result('sign_in_session'), due: existing.sessions });
    return { dryRun, at: at.toISOString(), kinds };
  }

  async function runAndRecord(trigger: 'job' | 'cli' | 'page', who: Who) {
    const id = await repo.startRun(trigger);
    const summary = await run(false, who);
    await repo.finishRun(id, summary);
    await audit.append({
      ...who,
      action: 'retention.run',
      entityType: 'retention_runs',
      entityId: id,
      detail: { trigger, done: Object.fromEntries(summary.kinds.map((k) => [k.kind, k.done])) },
    });
    return summary;
  }

  const system: Who = { actorId: null, actorLabel: 'system', ip: null };

  return {
    settings,
    schedule: () => rows,

    /** The page: the schedule with what is due now (a dry run), open holds and the last run. */
    async overview(actor: Actor) {
      mustManage(actor);
      const [dry, holds, last] = await Promise.all([run(true, system), repo.openHolds(), repo.lastRun()]);
      return {
        rows: rows.map((row) => ({ ...row, result: dry.kinds.find((k) => k.kind === row.kind)! })),
        holds,
        lastRun: last ? toRun(last) : null,
      };
    },

    /** `harbour retention --dry-run`. */
    dryRun: () => run(true, system),
    /** `harbour retention` and the nightly job. */
    runNow: (trigger: 'job' | 'cli') =>
      runAndRecord(trigger, {
        ...system,
        actorLabel: trigger === 'cli' ? 'system (harbour retention)' : 'system (nightly retention job)',
      }),

    /** The newest run's summary, for the administrator's home page. */
    async lastRun(actor: Actor) {
      if (!can(actor, 'retention.manage')) return null;
      const last = await repo.lastRun();
      return { run: last ? toRun(last) : null };
    },

    async placeHold(actor: Actor, input: { kind: string; recordId: string; reason: string }) {
      mustManage(actor);
      const errors: { field: string; message: string }[] = [];
      const kind = (HOLDABLE_KINDS as readonly string[]).includes(input.kind) ? (input.kind as HoldableKind) : null;
      const recordId = input.recordId.trim();
      const reason = input.reason.trim();
      if (!kind) errors.push({ field: 'kind', message: 'Select the kind of record' });
      if (!recordId) errors.push({ field: 'recordId', message: 'Enter the record’s reference number' });
      else if (recordId.length > 60)
        errors.push({ field: 'recordId', message: 'Record reference must be 60 characters or fewer' });
      if (!reason) errors.push({ field: 'reason', message: 'Enter why the record is under legal hold' });
      else if (reason.length > 1000)
        errors.push({ field: 'reason', message: 'Reason must be 1000 characters or fewer' });
      if (kind && recordId && recordId.length <= 60 && !(await repo.recordExists(kind, recordId))) {
        errors.push({
          field: 'recordId',
          message:
            kind === 'register_entry'
              ? 'No register entry has that reference: enter it as gift:123 or declaration:123'
              : 'No record of that kind has that number',
        });
      }
      if (errors.length) throw new ValidationError(errors);
      return inTransaction(db, async (trx) => {
        const id = await repo.placeHold(trx, {
          kind: kind!,
          recordId,
          reason,
          by: actor.accountId,
          byName: actor.displayName,
        });
        if (id === null)
          throw new ValidationError([{ field: 'recordId', message: 'That record is already under legal hold' }]);
        await audit.appendIn(trx, {
          actorId: actor.accountId,
          actorLabel: actor.displayName,
          ip: actor.ip,
          action: 'retention.hold.place',
          entityType: kind!,
          entityId: recordId,
          detail: { holdId: id, reason },
        });
        return id;
      });
    },

    async releaseHold(actor: Actor, id: number, input: { reason: string }) {
      mustManage(actor);
      const hold = await repo.hold(id);
      if (!hold || hold.released_at) throw new NotFoundError('Legal hold');
      const reason = input.reason.trim();
      if (!reason)
        throw new ValidationError([{ field: `reason-${id}`, message: 'Enter why the legal hold is released' }]);
      if (reason.length > 1000)
        throw new ValidationError([{ field: `reason-${id}`, message: 'Reason must be 1000 characters or fewer' }]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.releaseHold(trx, id, actor.accountId, reason))) throw new NotFoundError('Legal hold');
        await audit.appendIn(trx, {
          actorId: actor.accountId,
          actorLabel: actor.displayName,
          ip: actor.ip,
          action: 'retention.hold.release',
          entityType: hold.kind,
          entityId: hold.record_id,
          detail: { holdId: id, reason },
        });
      });
    },
  };
}

function toRun(r: { id: number; started_at: Date; finished_at: Date | null; trigger: string; summary: unknown }) {
  const summary = r.summary as RunSummary;
  return {
    id: r.id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    trigger: r.trigger,
    kinds: summary.kinds ?? [],
  };
}

export type RetentionService = ReturnType<typeof buildRetentionService>;
