import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { londonDate, londonTime, longDate } from '../../time/london.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { allBatches } from './escalation-repository.ts';
import { debriefProblem, escalationTarget, meetingMissed, meetingReminderDue } from './rules.ts';
import type { ResponseForm } from './schema.ts';
import { Rollback, unlessRolledBack, type IncidentsContext } from './context.ts';

/**
 * The manager's response (seed 002): the meeting, support offered, the debrief, and the job that reminds
 * the line manager of the meeting deadline and escalates a missed meeting.
 */
export function buildResponse(ctx: IncidentsContext) {
  const { incidents, staff, audit, now, baseUrl, load } = ctx;
  return {
    /** The manager's response: meeting, support offered, debrief, telling them of their right to report to the police. */
    async respond(actor: Actor, id: number, form: ResponseForm) {
      const { i, r } = await load(actor, id);
      if (!r.manager)
        throw new ForbiddenError('Only the managers of the person the incident happened to can record the response');
      if (i.status === 'draft' || !i.occurred_at)
        throw new ValidationError([{ field: 'form', message: 'The report has not been submitted yet' }]);
      const errors = [];
      if (form.meetingHeldAt && form.meetingHeldAt < i.occurred_at)
        errors.push({ field: 'meeting-day', message: 'The meeting must be after the incident' });
      if (form.meetingHeldAt && form.meetingHeldAt > now())
        errors.push({ field: 'meeting-day', message: 'The meeting date must be today or in the past' });
      const debrief = form.debriefAt ? debriefProblem(i.occurred_at, form.debriefAt) : null;
      if (debrief) errors.push({ field: 'debrief-day', message: debrief });
      if (form.policeRightToldAt && form.policeRightToldAt > now())
        errors.push({ field: 'policeTold-day', message: 'The date you told them must be today or in the past' });
      if (errors.length) throw new ValidationError(errors);
      await incidents.transaction(async (trx) => {
        await incidents.update(trx, id, {
          meeting_held_at: form.meetingHeldAt,
          debrief_at: form.debriefAt,
          police_right_told_at: form.policeRightToldAt,
          support: JSON.stringify(form.support),
          response_notes: form.notes,
          responded_by: actor.staffId,
          responded_at: now(),
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'incident.respond',
          entityType: 'incident',
          entityId: id,
          detail: { support: form.support, debrief: Boolean(form.debriefAt) },
        });
      });
    },

    // ---- Escalation of a missed meeting (job) ----

    /**
     * The job: every open incident whose meeting deadline has passed with no meeting recorded is
     * escalated to the next manager above the line manager (or, with nobody above, to health and
     * safety), exactly once: the claim, the message and the audit entry commit together.
     */
    async escalateMissedMeetings() {
      const at = now();
      let escalated = 0,
        reminded = 0;
      // First the reminders to line managers whose deadline is near (each incident once).
      for await (const candidate of allBatches((after) => incidents.meetingsDueSoon(at, after))) {
        if (!meetingReminderDue(candidate, at)) continue;
        const lineManager = (await staff.chain(candidate.employee_id))[0];
        if (!lineManager) continue;
        const ok = await unlessRolledBack(
          incidents.transaction(async (trx) => {
            if (!(await incidents.recordAlerts(trx, candidate.id, ['meeting.reminder'], at))) throw new Rollback();
            const due = candidate.meeting_due_at!;
            await incidents.notify(trx, {
              recipientId: lineManager.id,
              at,
              link: `${baseUrl}/incidents/${candidate.id}`,
              subject: `Reminder: incident meeting due by ${londonTime(due)} on ${longDate(londonDate(due))}`,
              body: `You have not yet recorded meeting the person who reported incident ${candidate.id}. Meet them by ${londonTime(due)} on ${longDate(londonDate(due))} and record it in Harbour, or it is escalated to your manager.`,
            });
            await audit.appendIn(trx, {
              ...actorFields(null),
              action: 'incident.meeting_reminder',
              entityType: 'incident',
              entityId: candidate.id,
              detail: { to: lineManager.id },
            });
            return true;
          }),
        );
        if (ok) reminded++;
      }
      for await (const candidate of allBatches((after) => incidents.missedMeetings(at, after))) {
        if (!meetingMissed(candidate, at)) continue;
        const chain = await staff.chain(candidate.employee_id);
        const target = escalationTarget(chain);
        const recipients = target !== null ? [target] : await incidents.healthAndSafetyStaff();
        const done = await incidents.transaction(async (trx) => {
          if (!(await incidents.claimEscalation(trx, candidate.id, target, at))) return false;
          const i = (await incidents.get(candidate.id, trx))!;
          const lineManager = chain[0] ? `${chain[0].given_name} ${chain[0].family_name}` : 'Their line manager';
          for (const recipientId of recipients) {
            await incidents.notify(trx, {
              recipientId,
              at,
              link: `${baseUrl}/incidents/${i.id}`,
              subject: `Missed incident meeting: ${i.employee_name}`,
              body: `${lineManager} was due to meet ${i.employee_name} about the incident on ${longDate(londonDate(i.occurred_at!))} by ${londonTime(i.meeting_due_at!)} on ${longDate(londonDate(i.meeting_due_at!))}, and no meeting has been recorded. Please make sure they are met and supported.`,
            });
          }
          await audit.appendIn(trx, {
            ...actorFields(null),
            action: 'incident.meeting_escalated',
            entityType: 'incident',
            entityId: i.id,
            detail: { to: target, recipients },
          });
          return true;
        });
        if (done) escalated++;
      }
      return { escalated, reminded };
    },
  };
}
