import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { PER_PAGE } from '../../web/paging.ts';
import type { ComplaintsRepository } from './repository.ts';
import type { ListFilter } from './lists-repository.ts';
import {
  ACTION_KINDS,
  CHANNELS,
  COMPLAINANT_TYPES,
  DISCIPLINARY_OUTCOMES,
  FINDINGS,
  PROCEDURES,
  REFERRAL_BODIES,
  STAGE_NAMES,
  allegationLabel,
  allegationTheme,
  breached,
  isLateComplaint,
  milestones,
  openMilestone,
  overallOutcome,
  stage3RequestBy,
  type Procedure,
  type StageNumber,
} from './rules.ts';
import type { PeriodForm } from './schema.ts';
import { stageRecord, type ComplaintsContext } from './context.ts';

/** The complaints list and a complaint's page, as the reader may see them. */
export function buildReading(ctx: ComplaintsContext) {
  const { repo, audit, today, calendar, mustView, mustSee, load, visible, within, finished } = ctx;

  async function stageViews(stages: Awaited<ReturnType<ComplaintsRepository['stages']>>) {
    const cal = await calendar();
    const t = today();
    return stages.map((s) => {
      const rec = stageRecord(s);
      const ms = milestones(cal, rec).map((m) => ({ ...m, breached: breached(m, t) }));
      return {
        ...s,
        name: STAGE_NAMES[s.stage as StageNumber],
        milestones: ms,
        open: openMilestone(cal, rec),
        breached: ms.some((m) => m.breached),
        stage3RequestBy: s.stage === 2 && s.responded_on ? stage3RequestBy(cal, s.responded_on) : null,
      };
    });
  }

  return {
    /**
     * One page of the complaints the reader may see, newest first, and how many match in all.
     * Search covers the reference and the names of the staff (the columns the list shows); the
     * complainant's name only for the complaints team. "Breached" needs the working-day calendar,
     * so every matching complaint is weighed here and then the page is cut: nothing is capped.
     */
    async list(actor: Actor, f: PeriodForm & ListFilter & { breached?: boolean }, page = 1) {
      mustView(actor);
      const canManage = can(actor, 'complaints.manage');
      const [all, stages, teams, scope] = await Promise.all([
        repo.summaries({ ...f, searchComplainant: canManage }),
        repo.allStages({ from: f.from, to: f.to }),
        repo.teams(),
        visible(actor),
      ]);
      const rows = within(all, scope);
      const cal = await calendar();
      const t = today();
      const byComplaint = new Map<number, { due: string | null; breached: boolean }>();
      for (const s of stages) {
        const rec = stageRecord(s);
        const open = s.finished ? null : openMilestone(cal, rec);
        const anyBreach = milestones(cal, rec).some((m) => breached(m, t));
        const prev = byComplaint.get(s.complaint_id);
        byComplaint.set(s.complaint_id, {
          due: open?.due ?? prev?.due ?? null,
          breached: anyBreach || (prev?.breached ?? false),
        });
      }
      const matching = f.breached ? rows.filter((r) => byComplaint.get(r.id)?.breached) : rows;
      const total = matching.length;
      const current = Math.min(Math.max(1, page), Math.max(1, Math.ceil(total / PER_PAGE)));
      return {
        teams,
        total,
        page: current,
        complaints: matching.slice((current - 1) * PER_PAGE, current * PER_PAGE).map((r) => ({
          ...r,
          procedureLabel: PROCEDURES[r.procedure as Procedure] ?? r.procedure,
          outcomeLabel: r.outcome ? FINDINGS[r.outcome as keyof typeof FINDINGS] : null,
          status: r.withdrawn_on
            ? 'Withdrawn'
            : r.not_investigated_on
              ? 'Not investigated'
              : r.closed_on
                ? 'Closed'
                : r.stage
                  ? `Stage ${r.stage}`
                  : 'Open',
          due: finished(r) ? null : (byComplaint.get(r.id)?.due ?? null),
          breached: byComplaint.get(r.id)?.breached ?? false,
        })),
        canManage,
      };
    },

    /** The complaint's page. Contact details are personal data: every read is audited. */
    async detail(actor: Actor, id: number) {
      await mustSee(actor, id);
      const c = await load(id);
      const [staff, allegations, stages, actions, referrals, attachments] = await Promise.all([
        repo.staffOn(id),
        repo.allegations(id),
        repo.stages(id),
        repo.actions(id),
        repo.referrals(id),
        repo.attachments(id),
      ]);
      await audit.append({
        ...actorFields(actor),
        action: 'complaint.view',
        entityType: 'complaint',
        entityId: id,
        detail: {},
      });
      const views = await stageViews(stages);
      const current = views.at(-1) ?? null;
      const derived = overallOutcome(allegations.map((a) => a.finding));
      return {
        complaint: {
          ...c,
          procedureLabel: PROCEDURES[c.procedure as Procedure] ?? c.procedure,
          channelLabel: CHANNELS[c.channel as keyof typeof CHANNELS] ?? c.channel,
          complainantTypeLabel:
            COMPLAINANT_TYPES[c.complainant_type as keyof typeof COMPLAINANT_TYPES] ?? c.complainant_type,
          late: isLateComplaint(c.matter_on, c.received_on),
        },
        staff,
        stages: views,
        current,
        allegations: allegations.map((a) => ({
          ...a,
          label: allegationLabel(a.category),
          theme: allegationTheme(a.category),
          findingLabel: a.finding ? FINDINGS[a.finding as keyof typeof FINDINGS] : null,
        })),
        outcome: derived,
        outcomeLabel: derived ? FINDINGS[derived] : null,
        actions: actions.map((a) => ({
          ...a,
          kindLabel: ACTION_KINDS[a.kind as keyof typeof ACTION_KINDS] ?? a.kind,
          outcomeLabel: a.disciplinary_outcome
            ? DISCIPLINARY_OUTCOMES[a.disciplinary_outcome as keyof typeof DISCIPLINARY_OUTCOMES]
            : null,
        })),
        referrals: referrals.map((r) => ({
          ...r,
          bodyLabel: REFERRAL_BODIES[r.body as keyof typeof REFERRAL_BODIES] ?? r.body,
        })),
        attachments,
        finished: finished(c),
        canManage: can(actor, 'complaints.manage'),
        nextStage: !finished(c) && current?.responded_on && current.stage < 3 ? current.stage + 1 : null,
        options: {
          findings: FINDINGS,
          actionKinds: ACTION_KINDS,
          disciplinaryOutcomes: DISCIPLINARY_OUTCOMES,
          referralBodies: REFERRAL_BODIES,
        },
      };
    },
  };
}
