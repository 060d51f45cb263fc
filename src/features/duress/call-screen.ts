import type { Actor } from '../auth/actor.ts';
import { ForbiddenError } from '../../errors.ts';
import { normaliseCaseId, normalisePostcode, categoryLabel } from '../risk/rules.ts';
import { londonDate, londonDayBounds } from '../../time/london.ts';
import {
  ANSWERS,
  CALL_OUTCOMES,
  QUESTIONS,
  needs999,
  nextQuestion,
  weaponMentioned,
  type CallOutcome,
} from './rules.ts';
import type { CallAccess, LoadedCall } from './call-access.ts';
import { addressOf, fullName, when, type DuressContext, type Location, type OpenedPack } from './shared.ts';

const ALARM_LABELS: Record<string, string> = {
  duress: 'Silent alarm',
  overdue: 'Missed check-in',
  end_of_day: 'No end-of-day call',
};

type VisitFacts = {
  id: number;
  address: string | null;
  postcode: string | null;
  case_system: string | null;
  case_id: string | null;
  last_location: unknown;
  last_check_in_at: Date | null;
  state: string;
  due_at: Date | null;
};

/** What the Purple File screens show: who the responder may take a call about, and the call with its police pack. */
export function buildCallScreen({ deps, repo }: DuressContext, access: CallAccess) {
  const { risk } = deps;
  const { mustRespond, coverageOf, mayViewCall, loadCall } = access;

  /** Break-glass for the police pack, through the emergency service (it checks, records and audits). */
  async function readPack(actor: Actor, workerId: number, callId: number, reason: string): Promise<OpenedPack> {
    const result = await deps.emergency!.breakGlass(actor, workerId, { reason, purpleFileCallId: callId });
    return {
      car: result.pack?.car ?? null,
      description: result.pack?.description ?? null,
      missing: result.pack === null && !result.unreadable,
      unreadable: result.unreadable,
    };
  }

  async function policePack(c: LoadedCall, visit: VisitFacts | null, opened: OpenedPack | null) {
    const flags = visit
      ? await risk.flagsAt(
          {
            caseSystem: visit.case_system,
            caseId: normaliseCaseId(visit.case_id),
            postcode: normalisePostcode(visit.postcode),
          },
          new Date(),
        )
      : [];
    const location = (visit?.last_location as Location | null) ?? null;
    const alarm = c.alert_id ? await repo.duressAlarmLocation(c.alert_id) : null;
    const last = (alarm?.location as Location | null) ?? location;
    const car =
      opened?.car && (opened.car.makeModel || opened.car.colour || opened.car.registration) ? opened.car : null;
    // Whether the worker filled in a pack, without opening it: "Recorded — open to read out", not "Not recorded".
    const packRecorded = await repo.hasEmergencyPack(c.worker_id);
    return {
      name: fullName(c),
      // From the emergency information pack, once a responder has opened it (break-glass).
      description: opened?.description ?? null,
      address: c.address,
      car: car ? { makeModel: car.makeModel, colour: car.colour, registration: car.registration } : null,
      mobile: c.work_mobile ?? c.personal_mobile,
      lastLocation: last ? `${last.lat.toFixed(5)}, ${last.lng.toFixed(5)}` : null,
      lastCheckIn: visit?.last_check_in_at ?? null,
      risks: flags.map((f) => `${categoryLabel(f.category)}: ${f.description}`),
      weapon: weaponMentioned(c.answers),
      emergencyPackAvailable: Boolean(deps.emergency),
      packRecorded,
      opened,
    };
  }

  return {
    /**
     * Worker list for the Purple File screen: only the people the responder covers (the duty officer:
     * everyone), those with an open alarm first and marked, then people with an open session, then the rest.
     */
    async candidates(actor: Actor, search: string | null) {
      const me = mustRespond(actor);
      const covered = await coverageOf(actor, me);
      const { start, end } = londonDayBounds(londonDate(new Date()));
      const like = search ? `%${search.replace(/[%_\\]/g, (m) => `\\${m}`)}%` : null;
      const rows = await repo.candidates(covered, start, end, like);
      const open = await repo.openCalls(covered);
      return {
        people: rows.map((r) => ({
          ...r,
          name: `${r.given_name} ${r.family_name}`,
          where:
            addressOf(r.visit_id ? r : null) ??
            addressOf({ address: r.calendar_address, postcode: r.calendar_postcode }),
          inSession: r.visit_id !== null,
          alarm: r.alarm_kind ? `${ALARM_LABELS[r.alarm_kind] ?? 'Alarm'} open since ${when(r.alarm_since!)}` : null,
        })),
        openCalls: open,
      };
    },

    async view(actor: Actor, callId: number) {
      await mayViewCall(actor, callId);
      const c = await loadCall(callId);
      // Opened in this call with a reason, the pack stays open until the call closes: each showing is
      // a break-glass view, recorded for the worker and audited. Someone who may read the call but
      // not break glass (a manager told afterwards) sees it closed.
      let opened: OpenedPack | null = null;
      if (c.pack_reason && c.status === 'open' && deps.emergency) {
        try {
          opened = await readPack(actor, c.worker_id, callId, c.pack_reason);
        } catch (e) {
          if (!(e instanceof ForbiddenError)) throw e;
        }
      }
      const visit = c.visit_id ? ((await repo.callVisit(c.visit_id)) ?? null) : null;
      const [events, callback, lastFired, managers, pack, majorIncidents] = await Promise.all([
        repo.callEvents(callId),
        repo.pendingCallback(callId),
        repo.lastFiredCallback(callId),
        repo.managers(c.worker_id),
        policePack(c, visit, opened),
        repo.majorIncidentsOfCall(callId),
      ]);
      const next = nextQuestion(c.answers);
      return {
        call: c,
        workerName: fullName(c),
        visit,
        questions: QUESTIONS.map((q) => ({
          key: q.key,
          text: q.text(c.address),
          answer: c.answers[q.key] ?? null,
          answerLabel: c.answers[q.key] ? ANSWERS[c.answers[q.key]!.answer] : null,
          next: q.key === next,
        })),
        next,
        dial999: needs999(c.answers),
        pack,
        callback: callback ?? null,
        lastFired: lastFired ?? null,
        managers,
        events,
        majorIncidents,
        openAlerts: await repo.openAlertsAbout(c.worker_id),
        isOpen: c.status === 'open',
        outcomeLabel: c.outcome ? (CALL_OUTCOMES[c.outcome as CallOutcome] ?? c.outcome) : null,
      };
    },
  };
}
