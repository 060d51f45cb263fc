import type { Actor } from '../auth/actor.ts';
import { openMilestone, reminderKind } from './rules.ts';
import { stageRecord, type ComplaintsContext } from './context.ts';

/** The open stages' deadlines: on the dashboard, and in the daily reminders to the complaints team. */
export function buildDeadlines(ctx: ComplaintsContext) {
  const { repo, now, today, calendar, mustView, visible } = ctx;

  return {
    /** Open deadlines that are breached or due within 5 working days, for the dashboard. */
    async deadlines(actor: Actor) {
      mustView(actor);
      const cal = await calendar();
      const t = today();
      const scope = await visible(actor);
      return (await repo.allStages())
        .filter((s) => !s.finished && (!scope || scope.has(s.complaint_id)))
        .flatMap((s) => {
          const m = openMilestone(cal, stageRecord(s));
          if (!m) return [];
          const left = t > m.due ? -cal.workingDaysBetween(m.due, t) : cal.workingDaysBetween(t, m.due);
          return left <= 5
            ? [
                {
                  complaintId: s.complaint_id,
                  reference: s.reference,
                  stage: s.stage,
                  label: m.label,
                  due: m.due,
                  breached: t > m.due,
                  workingDaysLeft: left,
                },
              ]
            : [];
        })
        .sort((a, b) => a.due.localeCompare(b.due));
    },

    /** The daily job: remind the complaints team of deadlines 2 working days ahead, and of breaches. */
    async sendReminders() {
      const cal = await calendar();
      const t = today();
      const at = now();
      const team = await repo.complaintsTeam();
      let sent = 0;
      for (const s of (await repo.allStages()).filter((x) => !x.finished)) {
        const m = openMilestone(cal, stageRecord(s));
        if (!m) continue;
        const kind = reminderKind(cal, m.due, t);
        if (!kind) continue;
        await repo.transaction(async (trx) => {
          if (!(await repo.recordReminder(trx, { stageId: s.id, milestone: m.key, dueOn: m.due, kind }))) return;
          for (const recipientId of team) {
            await repo.notify(trx, {
              recipientId,
              at,
              link: `/complaints/${s.complaint_id}`,
              subject:
                kind === 'breached'
                  ? `Deadline missed: ${s.reference ?? ''} ${m.label}`
                  : `Deadline soon: ${s.reference ?? ''} ${m.label} by ${m.due}`,
              body:
                kind === 'breached'
                  ? `The ${m.label.toLowerCase()} for complaint ${s.reference ?? ''} was due by ${m.due} and has not been recorded.`
                  : `The ${m.label.toLowerCase()} for complaint ${s.reference ?? ''} is due by ${m.due}. Record it, or record an extension with its reason.`,
            });
            sent++;
          }
        });
      }
      return { sent };
    },
  };
}
