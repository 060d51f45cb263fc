import { DateTime } from 'luxon';
import { ZONE } from '../../time/london.ts';
import { complaintDueOn, dueGroups, isDue } from './rules.ts';
import type { KindResult, RetentionContext } from './context.ts';
import { pages, type Sweep } from './sweep.ts';

/** Complaints: a whole complainant group at a time. */
export async function sweepComplaints({ repo, settings }: RetentionContext, s: Sweep): Promise<KindResult> {
  const r = s.result('complaint');
  const { today } = s;
  const cutoff = DateTime.fromISO(today, { zone: ZONE }).minus({ years: settings.complaintYears }).toISODate()!;
  const seen = new Set<string>();
  for await (const page of pages(
    0,
    (after, n) => repo.complaintCandidates(cutoff, after, n),
    (c) => c.id,
  )) {
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
          s.keep(r, 'allegation about staff: retirement date not recorded');
        }
        continue;
      }
      if (!c.wasDue) continue;
      const why = c.held
        ? 'legal hold'
        : ready.has(c.grp)
          ? null
          : 'another complaint from the same complainant is still kept';
      await s.dispose(r, why, c.id, 'anonymise', { complaintYears: settings.complaintYears }, (trx) =>
        repo.anonymiseComplaint(trx, c.id),
      );
    }
  }
  return r;
}
