import type { Actor } from '../auth/actor.ts';
import { inTransaction } from '../../db/transaction.ts';
import { packProblem, reminderDue } from './rules.ts';
import { fullName as name, type EmergencyContext } from './context.ts';

/** Whether a manager's people have current packs (never the contents), and the line managers' reminders. */
export function buildTeamStatus({ db, repo, staff, now }: EmergencyContext) {
  return {
    /** Pack status (missing, out of date, current) of the people the actor manages. Never the contents. */
    async teamStatus(actor: Actor) {
      if (actor.staffId === null) return [];
      const reports = await staff.reports(actor.staffId);
      const at = now();
      return (await repo.teamStatus(reports.map((r) => r.id))).map((p) => ({
        ...p,
        name: name(p),
        problem: packProblem(p.updated_at, at),
      }));
    },

    /** The daily job: tell each line manager whose team member's pack is missing or over 12 months old (monthly at most). */
    async sendReminders() {
      const at = now();
      let missing = 0,
        stale = 0;
      for (const p of await repo.reminderCandidates()) {
        const problem = packProblem(p.updated_at, at);
        if (!problem || !reminderDue(p.last_reminded, at)) continue;
        const who = name(p);
        await inTransaction(db, (trx) =>
          repo.recordReminder(trx, {
            staffId: p.id,
            recipientId: p.line_manager_id!,
            kind: problem,
            at,
            link: '/emergency-pack/team',
            subject:
              problem === 'missing'
                ? `${who} has no emergency contact and medical details`
                : `${who}’s emergency contact and medical details are over 12 months old`,
            body:
              problem === 'missing'
                ? `${who} has not filled in their emergency contact and medical details (Appendix A). Please ask them to complete them in Harbour under “Emergency details”.`
                : `${who} last updated their emergency contact and medical details (Appendix A) more than 12 months ago. Please ask them to check and update them in Harbour.`,
          }),
        );
        if (problem === 'missing') missing++;
        else stale++;
      }
      return { missing, stale };
    },
  };
}
