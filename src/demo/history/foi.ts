import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { BUNDLED_BANK_HOLIDAYS } from '../../time/bank-holidays.ts';
import { foiCalendar } from '../../time/working-days.ts';
import { deadlines, type ClockEvent } from '../../features/foi/rules.ts';
import type { Random } from './random.ts';
import { at, addDays, remembering, insertMany, insertPlain } from './shared.ts';

/** About 60 FOI requests in every state; deadlines from foi/rules.ts. */

const FOI_TITLES = [
  'Children in care placed out of area',
  'Agency social worker spend',
  'Staff assaults',
  'Social worker caseloads',
  'Complaints about social workers',
  'Use of bed and breakfast for care leavers',
  'Foster carer recruitment',
  'Unregistered children’s homes',
  'Early help assessments',
  'Lone working policy',
];

export async function foiHistory(trx: Transaction<DB>, irene: number, rnd: Random, today: string) {
  const cal = remembering(foiCalendar(BUNDLED_BANK_HOLIDAYS));
  const requests: Record<string, unknown>[] = [];
  const extra: { events: ClockEvent[]; answered: boolean; questions: number }[] = [];
  const seqByYear = new Map<number, number>();
  for (let i = 0; i < 60; i++) {
    // Forced: two overdue, one on hold, three due soon; the rest spread over the year.
    const daysAgo = i < 6 ? [40, 35, 15, 22, 24, 26][i]! : rnd.int(10, 364);
    let received = addDays(today, -daysAgo);
    while (!cal.isWorkingDay(received)) received = addDays(received, -1);
    const events: ClockEvent[] = [];
    let answered = i >= 6 && daysAgo > 32;
    if (i === 2) events.push({ kind: 'clarification_sought', on: cal.addWorkingDays(received, 2) });
    if (i >= 6 && rnd.chance(0.06)) {
      const sought = cal.addWorkingDays(received, 3);
      events.push(
        { kind: 'clarification_sought', on: sought },
        { kind: 'clarification_received', on: cal.addWorkingDays(sought, rnd.int(3, 8)) },
      );
    }
    if (answered || (i >= 6 && rnd.chance(0.5))) {
      const d = deadlines(received, events, cal, 'council');
      // Most on time; about one in ten late.
      const on = cal.addWorkingDays(d.dayZero, rnd.chance(0.1) ? rnd.int(21, 30) : rnd.int(8, 20));
      if (on < today) {
        events.push({ kind: 'response_sent', on });
        answered = true;
        if (rnd.chance(0.1)) {
          const asked = cal.addWorkingDays(on, rnd.int(5, 30));
          if (asked < today) {
            events.push({ kind: 'review_requested', on: asked });
            const done = cal.addWorkingDays(asked, rnd.int(10, 20));
            if (done < today) events.push({ kind: 'review_completed', on: done });
          }
        }
      } else answered = false;
    }
    const d = deadlines(received, events, cal, 'council');
    const year = Number(received.slice(0, 4));
    const seq = (seqByYear.get(year) ?? 0) + 1;
    seqByYear.set(year, seq);
    requests.push({
      reference: `FOI/${String(year).slice(-2)}/${String(seq).padStart(4, '0')}`,
      ref_year: year,
      ref_seq: seq,
      regime: 'foi',
      title: FOI_TITLES[i % FOI_TITLES.length]!,
      requester_name: `Demo requester ${i + 1}`,
      requester_contact: `requester${i + 1}@demo.example`,
      received_at: at(received, 10),
      received_on: received,
      channel: rnd.weighted({ email: 60, web: 30, letter: 10 }),
      assignee_id: irene,
      status: answered ? 'responded' : 'open',
      due_on: d.due,
      response_due_on: d.responseDue,
      responded_on: d.responded,
      requester_erased_at: null,
      closed_at: null,
      cost_estimate: null,
      created_by: null,
    });
    extra.push({ events, answered, questions: rnd.int(1, 3) });
  }
  const ids = await insertMany(trx, 'foi_requests', requests);
  await insertPlain(
    trx,
    'foi_questions',
    extra.flatMap((e, i) =>
      Array.from({ length: e.questions }, (_, k) => {
        const outcome = e.answered ? rnd.weighted({ provided: 70, not_held: 15, partly_provided: 8, exempt: 7 }) : null;
        return {
          request_id: ids[i]!,
          position: k + 1,
          text: `Question ${k + 1} about ${String(requests[i]!.title).toLowerCase()}.`,
          outcome,
          answer: outcome === 'provided' || outcome === 'partly_provided' ? 'Please see the attached table.' : null,
          advice: outcome === 'not_held' ? 'The council does not hold this information.' : null,
          exemption: outcome === 'exempt' ? 's40' : null,
          exemption_reasons: outcome === 'exempt' ? 'The figures are small enough to identify individuals.' : null,
          statistic: null,
          statistic_params: null,
          snapshot: null,
          snapshot_at: null,
        };
      }),
    ),
  );
  await insertPlain(
    trx,
    'foi_events',
    extra.flatMap((e, i) =>
      e.events.map((ev) => ({
        request_id: ids[i]!,
        kind: ev.kind,
        on_date: ev.on,
        target_date: ev.targetDate ?? null,
        notes: null,
        recorded_by: irene,
      })),
    ),
  );
  return ids.length;
}
