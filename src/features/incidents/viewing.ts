import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { FLAG_CATEGORIES } from '../risk/rules.ts';
import { londonToday } from '../../time/london.ts';
import { PER_PAGE } from '../../web/paging.ts';
import type { IncidentListStatus } from './repository.ts';
import {
  CATEGORIES,
  COURT_OUTCOMES,
  FLAG_SUBJECTS,
  LEGAL_ACTIONS,
  PERPETRATOR_TYPES,
  POLICE_OUTCOMES,
  SUPPORT_ITEMS,
  SUPPORT_KEYS,
  SUPPORT_STATUSES,
  VERBAL_CHANNELS,
  actionOverdue,
  debriefWindow,
  isUrgent,
  riddor,
  seriousReasons,
} from './rules.ts';
import { dateBoxes, label, options, type IncidentsContext } from './context.ts';

/** One incident's page, with what the actor may do and the rule outcomes, and the list of incidents they may see. */
export function buildViewing(ctx: IncidentsContext) {
  const { incidents, staff, now, load, mayManage } = ctx;
  return {
    /** One incident for its page, with what the actor may do and the rule outcomes. */
    async view(actor: Actor, id: number) {
      const { i, r } = await load(actor, id);
      const at = now();
      const respondValues: Record<string, unknown> = { notes: i.response_notes ?? '' };
      for (const [k, v] of Object.entries(i.support ?? {})) respondValues[`support-${k}`] = v;
      if (i.meeting_held_at) Object.assign(respondValues, dateBoxes('meeting', i.meeting_held_at));
      if (i.debrief_at) Object.assign(respondValues, dateBoxes('debrief', i.debrief_at));
      if (i.police_right_told_at) Object.assign(respondValues, dateBoxes('policeTold', i.police_right_told_at));
      const yn = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');
      const day = (prefix: string, iso: string | null) => {
        if (!iso) return {};
        const [y, m, d] = iso.split('-');
        return { [`${prefix}-day`]: String(Number(d)), [`${prefix}-month`]: String(Number(m)), [`${prefix}-year`]: y! };
      };
      Object.assign(respondValues, {
        policeReported: yn(i.police_reported),
        crimeReference: i.crime_reference ?? '',
        policeOutcome: i.police_outcome ?? '',
        courtOutcome: i.court_outcome ?? '',
        courtAttended: yn(i.court_attended),
        courtNotes: i.court_notes ?? '',
        ...day('policeOn', i.police_on),
        specifiedInjury: i.specified_injury ? 'yes' : 'no',
        riddorDaysOff: i.days_off === null ? '' : String(i.days_off),
        hseReference: i.hse_reference ?? '',
        ...day('hseOn', i.hse_on),
        serious: [...(i.marked_serious ? ['marked'] : []), ...(i.major_incident ? ['major'] : [])],
        flagSubject: i.perpetrator_case_id ? 'person' : '',
        flagCaseSystem: i.perpetrator_case_system ?? '',
        flagCaseId: i.perpetrator_case_id ?? '',
        flagCategory: 'violence',
      });
      const managing = mayManage(r) && i.status !== 'draft' && i.status !== 'awaiting_confirmation';
      const [flags, legalActions, investigation, actions] = managing
        ? await Promise.all([
            incidents.flags(id),
            incidents.legalActions(id),
            incidents.investigation(id),
            incidents.actions(id),
          ])
        : [[], [], undefined, await incidents.actions(id)];
      const riddorOutcome = i.occurred_at
        ? riddor(i.occurred_at, {
            categories: i.categories,
            specifiedInjury: i.specified_injury,
            daysIncapacitated: i.days_off,
          })
        : null;
      return {
        managing,
        mayRecordPolice: (r.employee || mayManage(r)) && i.status !== 'draft' && i.status !== 'awaiting_confirmation',
        mayFlag: managing && can(actor, 'risk.flags.manage'),
        seriousReasons: seriousReasons({
          categories: i.categories,
          injured: Boolean(i.injured),
          riddorReportable: Boolean(riddorOutcome?.reportable),
          majorIncident: i.major_incident,
          markedSerious: i.marked_serious,
        }),
        policeOutcomeLabel: label(POLICE_OUTCOMES, i.police_outcome),
        courtOutcomeLabel: label(COURT_OUTCOMES, i.court_outcome),
        policeOutcomes: options(POLICE_OUTCOMES),
        courtOutcomes: options(COURT_OUTCOMES),
        flags: flags.map((f) => ({
          ...f,
          subjectLabel: label(FLAG_SUBJECTS, f.subject),
          categoryLabel: (FLAG_CATEGORIES as Record<string, { label: string }>)[f.category]?.label ?? f.category,
          live: !f.withdrawn_at && (!f.expires_at || f.expires_at > at),
        })),
        flagSubjects: options(FLAG_SUBJECTS),
        caseSystems: options(CASE_SYSTEMS),
        flagCategories: Object.entries(FLAG_CATEGORIES).map(([value, c]) => ({ value, text: c.label })),
        legalActions: legalActions.map((a) => ({ ...a, kindLabel: label(LEGAL_ACTIONS, a.kind) })),
        legalKinds: options(LEGAL_ACTIONS),
        investigation: investigation ?? null,
        yourActions: actions
          .filter((a) => a.owner_id === actor.staffId && !a.done_at)
          .map((a) => ({ ...a, overdue: actionOverdue(a, londonToday(at)) })),
        openActions: actions.filter((a) => !a.done_at).length,
        overdueActions: actions.filter((a) => actionOverdue(a, londonToday(at))).length,
        incident: i,
        categoryLabels: i.categories.map((c) => (CATEGORIES as Record<string, string>)[c] ?? c),
        verbalChannelLabel: i.verbal_channel
          ? ((VERBAL_CHANNELS as Record<string, string>)[i.verbal_channel] ?? i.verbal_channel)
          : null,
        perpetratorLabel: i.perpetrator_type
          ? ((PERPETRATOR_TYPES as Record<string, string>)[i.perpetrator_type] ?? i.perpetrator_type)
          : null,
        caseSystemLabel: i.perpetrator_case_system
          ? ((CASE_SYSTEMS as Record<string, string>)[i.perpetrator_case_system] ?? i.perpetrator_case_system)
          : null,
        urgent: isUrgent(i.categories),
        meetingOverdue: Boolean(i.meeting_due_at && !i.meeting_held_at && i.meeting_due_at < at),
        debriefWindow: i.occurred_at ? debriefWindow(i.occurred_at) : null,
        riddor: riddorOutcome,
        support: SUPPORT_KEYS.map((k) => ({
          key: k,
          text: SUPPORT_ITEMS[k],
          status: (i.support ?? {})[k] ?? null,
          statusText: (SUPPORT_STATUSES as Record<string, string>)[(i.support ?? {})[k] ?? ''] ?? 'Not offered',
        })),
        supportStatuses: options(SUPPORT_STATUSES),
        mayConfirm: r.employee && i.status === 'awaiting_confirmation',
        mayRespond: r.manager && i.status !== 'draft',
        respondValues,
      };
    },

    /**
     * A page of the incidents the actor may see, filtered, with the total. Someone who sees every
     * submitted report also sees their own drafts, above the list on its first page.
     */
    async list(actor: Actor, filter: { q?: string | null; status?: IncidentListStatus | null; page?: number } = {}) {
      const scope = can(actor, 'incidents.view_all')
        ? ('all' as const)
        : actor.staffId === null
          ? null
          : { staffId: actor.staffId, reportIds: (await staff.reports(actor.staffId)).map((r) => r.id) };
      const page = filter.page ?? 1;
      const found =
        scope === null
          ? { rows: [], total: 0 }
          : await incidents.list(scope, {
              q: filter.q ?? null,
              status: filter.status ?? null,
              limit: PER_PAGE,
              offset: (page - 1) * PER_PAGE,
            });
      const ownDrafts =
        page === 1 && scope === 'all' && actor.staffId !== null && (!filter.status || filter.status === 'draft')
          ? (
              await incidents.list(
                { staffId: actor.staffId, reportIds: [] },
                { q: filter.q ?? null, status: 'draft', limit: PER_PAGE },
              )
            ).rows
          : [];
      const at = now();
      return {
        incidents: [...ownDrafts, ...found.rows].map((i) => ({
          ...i,
          categoryLabels: i.categories.map((c) => (CATEGORIES as Record<string, string>)[c] ?? c),
          meetingOverdue: Boolean(
            i.meeting_due_at && !i.meeting_held_at && i.meeting_due_at < at && i.status === 'open',
          ),
        })),
        total: found.total,
        ownDrafts: ownDrafts.length,
        mayReport: actor.staffId !== null,
        mayMonitor: can(actor, 'incidents.view_all'),
      };
    },
  };
}
