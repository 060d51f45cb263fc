import { DateTime } from 'luxon';
import { inTransaction } from '../../db/transaction.ts';
import { ZONE, longDate } from '../../time/london.ts';
import { deadlines, reminderDue, type ReminderKind } from './rules.ts';
import type { FoiContext } from './context.ts';

const DEADLINE_TEXT = {
  response: 'the response',
  s17: 'the refusal notice (s17)',
  review: 'the internal review',
} as const;

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

/** The daily jobs: reminding assignees of deadlines, and erasing requester details after the retention period. */
export function buildFoiJobs(ctx: FoiContext) {
  const { db, repo, audit, settings, now, today, calendar, regimeOf, toEvents } = ctx;
  return {
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
          const kind = reminderDue(
            dl.due,
            t,
            cal,
            r.sent
              .filter((x) => x.due_on === dl.due && x.kind.startsWith(`${dl.what}.`))
              .map((x) => x.kind.slice(dl.what.length + 1) as ReminderKind),
          );
          if (!kind) continue;
          const what = DEADLINE_TEXT[dl.what];
          const done = await inTransaction(db, async (trx) => {
            const ok = await repo.recordReminder(trx, {
              requestId: r.id,
              kind: `${dl.what}.${kind}`,
              dueOn: dl.due,
              recipientId: r.assignee_id!,
              at,
              link: `/foi/requests/${r.id}`,
              subject: `FOI ${r.reference}: ${what} ${REMINDER_TEXT[kind]}`,
              body: `${what[0]!.toUpperCase()}${what.slice(1)} for ${r.reference} (${r.title}) ${REMINDER_TEXT[kind]}: ${longDate(dl.due)}.`,
            });
            if (ok)
              await audit.appendIn(trx, {
                actorId: null,
                actorLabel: 'system',
                ip: null,
                action: 'foi.reminder',
                entityType: 'foi_requests',
                entityId: r.id,
                detail: { deadline: dl.what, kind, due: dl.due },
              });
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
          await audit.appendIn(trx, {
            actorId: null,
            actorLabel: 'system',
            ip: null,
            action: 'foi.requester.erase',
            entityType: 'foi_requests',
            entityId: r.id,
            detail: { reference: r.reference, retentionYears: settings.retentionYears },
          });
        });
        erased++;
      }
      return { erased };
    },
  };
}
