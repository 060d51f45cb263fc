import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { BUNDLED_BANK_HOLIDAYS } from '../../time/bank-holidays.ts';
import { complaintsCalendar, type WorkingDayCalendar } from '../../time/working-days.ts';
import { ALLEGATION_CATEGORIES, stage2Due, stage1Latest } from '../../features/complaints/rules.ts';
import type { Random } from './random.ts';
import { type HistoryContext, type Person, at, addDays, remembering, insertMany, insertPlain } from './shared.ts';

/** About 100 complaints about staff at every stage; stage deadlines from complaints/rules.ts. */

const COMPLAINT_SUMMARIES = [
  ['The social worker did not return calls for two weeks.', ['ca_e']],
  ['Records of a home visit are inaccurate.', ['pl_n']],
  ['The worker was rude and dismissive during a meeting.', ['pl_b']],
  ['Information was shared with a relative without consent.', ['kc_disclosure']],
  ['The assessment did not take account of the family’s views.', ['pl_b', 'pl_n']],
  ['Contact arrangements were changed without explanation.', ['ca_e']],
] as const;

export async function complaintHistory(
  trx: Transaction<DB>,
  people: Person[],
  ctx: HistoryContext,
  rnd: Random,
  today: string,
) {
  const cal: WorkingDayCalendar = remembering(complaintsCalendar(BUNDLED_BANK_HOLIDAYS));
  const known = new Set(Object.keys(ALLEGATION_CATEGORIES));
  const subjects = people.filter((p) =>
    ['social_worker', 'senior_practitioner', 'family_support_worker', 'youth_worker', 'team_manager'].includes(
      p.job_role,
    ),
  );
  const serviceOf = new Map(
    (await trx.selectFrom('teams').select(['id', 'service_id']).execute()).map((t) => [t.id, t.service_id]),
  );
  interface Plan {
    subject: Person;
    receivedOn: string;
    allegations: string[];
    stages: Record<string, unknown>[];
    closedOn: string | null;
    withdrawn: string | null;
    outcome: string | null;
    findings: (string | null)[];
    action: string | null;
  }
  const plans: Plan[] = [];
  for (let i = 0; i < 100; i++) {
    // Forced: a few recent complaints so the complaints officer has stages due and one breached.
    const daysAgo = i < 5 ? [3, 8, 12, 16, 30][i]! : rnd.int(1, 364);
    let receivedOn = addDays(today, -daysAgo);
    while (!cal.isWorkingDay(receivedOn)) receivedOn = addDays(receivedOn, -1);
    const [, cats] = rnd.pick(COMPLAINT_SUMMARIES);
    const allegations = cats.filter((c) => known.has(c));
    const stages: Record<string, unknown>[] = [];
    const extended = rnd.chance(0.15) ? stage1Latest(cal, receivedOn) : null;
    // Most answered on time; about one in eight late (a breach).
    const late = rnd.chance(0.12);
    let s1Responded: string | null = cal.addWorkingDays(
      receivedOn,
      late ? rnd.int(11, 18) + (extended ? 4 : 0) : rnd.int(5, 10),
    );
    if (i === 4) s1Responded = null; // past its deadline, not answered: breached
    if (s1Responded && s1Responded > today) s1Responded = null;
    if (i < 4) s1Responded = null;
    stages.push({
      stage: 1,
      started_on: receivedOn,
      extended_to: extended,
      extension_reason: extended ? 'The worker was on leave; the complainant agreed.' : null,
      responded_on: s1Responded,
    });
    let lastResponse = s1Responded;
    const escalate = s1Responded && rnd.chance(0.2);
    if (escalate) {
      const s2Start = addDays(s1Responded!, rnd.int(5, 20));
      if (s2Start < today) {
        const s2Due = stage2Due(cal, s2Start);
        let s2Responded: string | null = cal.addWorkingDays(
          s2Start,
          rnd.chance(0.25) ? rnd.int(26, 40) : rnd.int(18, 25),
        );
        if (s2Responded > today) s2Responded = null;
        stages.push({
          stage: 2,
          started_on: s2Start,
          extended_to:
            !s2Responded && s2Due < addDays(today, 10) && rnd.chance(0.5) ? cal.addWorkingDays(s2Start, 45) : null,
          extension_reason: null,
          investigating_officer: 'Independent investigating officer',
          independent_person: 'Independent person',
          responded_on: s2Responded,
        });
        lastResponse = s2Responded;
        if (s2Responded && rnd.chance(0.15)) {
          const s3Start = addDays(s2Responded, rnd.int(5, 15));
          if (s3Start < today) {
            const held = cal.addWorkingDays(s3Start, rnd.int(20, 30));
            const report = held <= today ? cal.addWorkingDays(held, rnd.int(2, 5)) : null;
            const answered = report && report <= today ? cal.addWorkingDays(report, rnd.int(8, 15)) : null;
            stages.push({
              stage: 3,
              started_on: s3Start,
              panel_held_on: held <= today ? held : null,
              report_on: report && report <= today ? report : null,
              responded_on: answered && answered <= today ? answered : null,
            });
            lastResponse = answered && answered <= today ? answered : null;
          }
        }
      }
    }
    const withdrawn =
      !lastResponse && !escalate && i >= 5 && daysAgo > 30 && rnd.chance(0.3)
        ? addDays(receivedOn, rnd.int(3, 20))
        : null;
    if (withdrawn) stages[0]!.responded_on = null;
    const finished = Boolean(lastResponse) && (!escalate || stages.length > 1) && !withdrawn;
    const findings = allegations.map(() =>
      finished ? rnd.weighted({ upheld: 20, partially_upheld: 25, not_upheld: 55 }) : null,
    );
    const outcome = finished
      ? findings.every((f) => f === 'upheld')
        ? 'upheld'
        : findings.every((f) => f === 'not_upheld')
          ? 'not_upheld'
          : 'partially_upheld'
      : null;
    const closedOn =
      finished && lastResponse && addDays(lastResponse, 21) <= today ? addDays(lastResponse, rnd.int(1, 20)) : null;
    plans.push({
      subject: rnd.pick(subjects),
      receivedOn,
      allegations,
      stages,
      closedOn,
      withdrawn,
      outcome: closedOn ? outcome : null,
      findings: closedOn ? findings : allegations.map(() => null),
      action:
        closedOn && outcome !== 'not_upheld'
          ? rnd.weighted({ apology: 40, practice_change: 20, training: 15, supervision: 25 })
          : null,
    });
  }
  const ids = await insertMany(
    trx,
    'complaints',
    plans.map((p, i) => {
      const [summary] = COMPLAINT_SUMMARIES[i % COMPLAINT_SUMMARIES.length]!;
      return {
        received_on: p.receivedOn,
        channel: rnd.weighted({ email: 40, online_form: 25, letter: 15, telephone: 15, advocate: 5 }),
        procedure: rnd.chance(0.85) ? 'statutory_children' : 'corporate',
        matter_on: addDays(p.receivedOn, -rnd.int(3, 60)),
        late_reason: null,
        complainant_type: rnd.weighted({
          parent_carer: 60,
          family_member: 15,
          child: 10,
          advocate: 10,
          professional: 5,
        }),
        complainant_name: `Demo complainant ${i + 1}`,
        complainant_contact: 'Demo address, Kent',
        household: `Demo household ${1 + (i % 80)}`,
        team_id: p.subject.team_id,
        service_id: p.subject.team_id ? (serviceOf.get(p.subject.team_id) ?? ctx.services.cic) : ctx.services.cic,
        summary,
        withdrawn_on: p.withdrawn,
        withdrawn_reason: p.withdrawn ? 'Resolved informally with the team' : null,
        outcome: p.outcome,
        closed_on: p.closedOn,
        learning: p.closedOn && p.outcome !== 'not_upheld' ? 'Shared at the team meeting.' : null,
      };
    }),
    200,
  );
  await sql`UPDATE complaints SET reference = 'C-' || to_char(received_on, 'YYYY') || '-' || lpad(id::text, 4, '0') WHERE reference IS NULL`.execute(
    trx,
  );
  await insertPlain(
    trx,
    'complaint_staff',
    plans.map((p, i) => ({ complaint_id: ids[i]!, staff_id: p.subject.id, notified_at: at(p.receivedOn, 12) })),
  );
  await insertPlain(
    trx,
    'complaint_allegations',
    plans.flatMap((p, i) =>
      p.allegations.map((category, k) => ({
        complaint_id: ids[i]!,
        category,
        detail: null,
        finding: p.findings[k] ?? null,
        found_on: p.findings[k] ? p.closedOn : null,
      })),
    ),
  );
  await insertPlain(
    trx,
    'complaint_stages',
    plans.flatMap((p, i) => p.stages.map((s) => ({ complaint_id: ids[i]!, ...s }))),
  );
  await insertPlain(
    trx,
    'complaint_actions',
    plans.flatMap((p, i) =>
      p.action
        ? [
            {
              complaint_id: ids[i]!,
              staff_id: p.subject.id,
              kind: p.action,
              detail: null,
              disciplinary_outcome: null,
              outcome_on: p.closedOn,
            },
          ]
        : [],
    ),
  );
  return ids.length;
}
