import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { derivedFacts } from '../../features/incidents/facts.ts';
import { meetingDeadline, isPhysicalViolence, type Category } from '../../features/incidents/rules.ts';
import type { Random } from './random.ts';
import { type Person, at, plusMinutes, addDays, weekday, insertMany, insertPlain } from './shared.ts';

/** A year of violence-at-work incidents, with responses, investigations and actions; its draws follow the staff's in the one generator. */

const LOCATIONS = [
  'Home visit',
  'Contact centre',
  'Reception',
  'Family home',
  'School meeting',
  'Car park',
  'Supervised contact',
  'Child in care review',
  'Court foyer',
];
const NARRATIVE: Record<string, string> = {
  verbal_abuse: 'The parent became angry about the plan and shouted abuse at me. I ended the conversation and left.',
  threats:
    'The father said he knew where I lived and that I would regret removing the children. I left and told my manager.',
  physical_assault: 'The young person became distressed and pushed me against the door frame before leaving the room.',
  racial_harassment: 'A relative made racist remarks about me during the visit and would not stop when asked.',
  sexual_harassment: 'A member of the household made repeated sexual comments about me.',
  restraint: 'The young person tried to run into the road; I held his arm to stop him, as trained.',
  personal_property_damage: 'The parent kicked my car door as I left, leaving a dent.',
  council_property_damage: 'A visitor threw a chair across the contact room and broke the window.',
  weapon: 'The young person showed a knife during the visit. I left at once and called the police.',
  animal_attack: 'The owner let the dog out of the kitchen and it bit my leg.',
};

export async function incidentHistory(
  trx: Transaction<DB>,
  people: Person[],
  accounts: Map<number, number>,
  who0: { hsOfficer: number; hsAccount: number; demo: Map<string, number> },
  rnd: Random,
  today: string,
) {
  const { hsOfficer, hsAccount } = who0;
  // The first four happen to the demo's own people, so their managers' homes show the work waiting.
  const forced = ['sw1', 'sw2', 'sw4', 'yw1'].map((k) => people.find((p) => p.id === who0.demo.get(k))!);
  const frontLine = people.filter((p) =>
    [
      'social_worker',
      'senior_practitioner',
      'family_support_worker',
      'youth_worker',
      'team_manager',
      'business_support',
    ].includes(p.job_role),
  );
  const teams = new Map((await trx.selectFrom('teams').select(['id', 'name']).execute()).map((t) => [t.id, t.name]));
  const rows: Record<string, unknown>[] = [];
  const plans: { serious: boolean; closed: boolean; managerId: number | null; occurred: string; physical: boolean }[] =
    [];
  const total = 310;
  for (let i = 0; i < total; i++) {
    // Spread over the year; the first few are forced so the health and safety home has open work.
    const daysAgo = i < 6 ? [2, 4, 6, 9, 12, 20][i]! : rnd.int(1, 364);
    let date = addDays(today, -daysAgo);
    while (!weekday(date)) date = addDays(date, -1);
    const who = i < forced.length ? forced[i]! : rnd.pick(frontLine);
    const main =
      i === 0
        ? 'physical_assault'
        : rnd.weighted({
            verbal_abuse: 46,
            threats: 20,
            physical_assault: 13,
            racial_harassment: 4,
            sexual_harassment: 2,
            restraint: 4,
            personal_property_damage: 4,
            council_property_damage: 3,
            weapon: 2,
            animal_attack: 2,
          } as Record<Category, number>);
    const categories = [
      main,
      ...(main !== 'verbal_abuse' && rnd.chance(0.35) ? ['verbal_abuse'] : []),
      ...(main === 'verbal_abuse' && rnd.chance(0.15) ? ['threats'] : []),
    ];
    const occurredAt = at(date, rnd.int(9, 17), rnd.pick([0, 10, 15, 25, 30, 40, 45, 50]));
    const physical = isPhysicalViolence(categories);
    const injured = i === 0 || (physical && rnd.chance(0.4));
    // RIDDOR: a handful a year. The first incident is over-seven-day and not yet reported, so a report is due.
    const daysOff =
      i === 0 ? 9 : injured ? (rnd.chance(0.12) ? rnd.int(8, 20) : rnd.chance(0.2) ? rnd.int(1, 5) : 0) : null;
    const specified = injured && i !== 0 && rnd.chance(0.03);
    const facts = derivedFacts({
      occurred_at: occurredAt,
      categories,
      injured,
      specified_injury: specified,
      days_off: daysOff,
      major_incident: false,
      marked_serious: false,
    });
    const submitted = plusMinutes(occurredAt, rnd.int(30, 600));
    const meetingDue = meetingDeadline(occurredAt, categories);
    const recent = daysAgo <= 14;
    // Managers meet and respond to almost every report; two recent ones still wait.
    const met = !(recent && (i === 1 || i === 2));
    const meetingHeld = met ? plusMinutes(submitted, rnd.int(60, rnd.chance(0.9) ? 1400 : 4000)) : null;
    const responded = met && !(recent && i === 3);
    const policeEligible = physical || categories.includes('threats') || categories.includes('weapon');
    const police = policeEligible && (categories.includes('weapon') || rnd.chance(physical ? 0.45 : 0.2));
    const policeOutcome =
      police && daysAgo > 40
        ? rnd.weighted({ no_further_action: 45, community_resolution: 15, caution: 20, charged: 20 })
        : null;
    const courtOutcome =
      policeOutcome === 'charged'
        ? daysAgo > 150
          ? rnd.weighted({ convicted: 70, acquitted: 20, discontinued: 10 })
          : 'pending'
        : null;
    const hseReported = facts.riddor_report_by && i !== 0 ? addDays(date, rnd.int(3, 9)) : null;
    const closed = daysAgo > 45 ? rnd.chance(0.93) : daysAgo > 20 && rnd.chance(0.4) && !facts.serious;
    const verbal = categories.includes('verbal_abuse');
    rows.push({
      status: closed ? 'closed' : 'open',
      employee_id: who.id,
      reported_by: who.id,
      reported_by_account: accounts.get(who.id) ?? hsAccount,
      draft: '{}',
      occurred_at: occurredAt,
      location: `${rnd.pick(LOCATIONS)}, ${teams.get(who.team_id ?? -1)?.split(' ')[0] ?? 'Ashford'}`,
      building_id: rnd.chance(0.25) ? who.base_building_id : null,
      lone_working: rnd.chance(0.42),
      categories,
      verbal_channel: verbal
        ? rnd.weighted({ face_to_face: 60, telephone: 25, email: 6, text: 6, social_media: 3 })
        : null,
      perpetrator_type: rnd.weighted({
        parent_carer: 55,
        child: 24,
        family: 11,
        public: 7,
        partner_agency: 2,
        contractor: 1,
      }),
      others_present: rnd.chance(0.3) ? 'A colleague was present' : null,
      witnesses: null,
      injured,
      injury_nature: injured
        ? rnd.pick(['Bruising', 'Scratches', 'Sprained wrist', 'Bite wound', 'Cut to the hand'])
        : null,
      injury_body_part: injured ? rnd.pick(['Arm', 'Hand', 'Shoulder', 'Leg', 'Face']) : null,
      first_aid: injured ? rnd.chance(0.7) : null,
      hospital: injured ? rnd.chance(0.2) : null,
      days_off: daysOff,
      specified_injury: specified,
      narrative: NARRATIVE[main] ?? NARRATIVE.verbal_abuse,
      submitted_at: submitted,
      confirmed_at: submitted,
      meeting_due_at: meetingDue,
      meeting_held_at: meetingHeld,
      support: JSON.stringify(
        met
          ? {
              support_line: rnd.pick(['offered', 'accepted', 'declined']),
              ...(physical ? { occupational_health: rnd.pick(['offered', 'accepted']) } : {}),
            }
          : {},
      ),
      debrief_at: physical && met ? plusMinutes(occurredAt, 60 * 24 * rnd.int(3, 10)) : null,
      police_right_told_at: met ? meetingHeld : null,
      response_notes: responded
        ? rnd.pick([
            'Met the same day. Risk assessment for the address updated; joint visits only for now.',
            'Talked it through in supervision. Support Line offered.',
            'Case discussed with the team; a warning flag raised for the address.',
          ])
        : null,
      responded_by: responded ? who.line_manager_id : null,
      responded_at: responded ? plusMinutes(submitted, rnd.int(120, 2880)) : null,
      police_reported: policeEligible ? police : null,
      police_reported_on: police ? date : null,
      crime_reference: police ? `KE-${date.slice(2, 4)}${String(rnd.int(10000, 99999))}` : null,
      police_outcome: policeOutcome,
      court_outcome: courtOutcome,
      court_attended: courtOutcome && courtOutcome !== 'pending' ? rnd.chance(0.6) : null,
      ...facts,
      hse_reference: hseReported ? `RIDDOR-${rnd.int(1000000, 9999999)}` : null,
      hse_reported_on: hseReported,
      closed_at: closed ? at(addDays(date, rnd.int(20, 44)), 15) : null,
      closed_by: closed ? hsOfficer : null,
      created_at: submitted,
      updated_at: submitted,
    });
    plans.push({ serious: facts.serious, closed, managerId: who.line_manager_id, occurred: date, physical });
  }
  const ids = await insertMany(trx, 'incidents', rows, 200);
  const investigations: Record<string, unknown>[] = [];
  const actions: Record<string, unknown>[] = [];
  ids.forEach((id, i) => {
    const p = plans[i]!;
    const owner = p.managerId ?? hsOfficer;
    if (p.serious) {
      investigations.push({
        incident_id: id,
        statements: 'Statements taken from the worker and the colleague present.',
        chronology: 'See the case record.',
        triggers: 'A change to contact arrangements had been discussed that morning.',
        findings: p.closed ? 'Controls were in place; a joint visit would have helped. Risk assessment updated.' : null,
        risk_review: 'Risk assessment reviewed and countersigned.',
        team_communicated: 'Discussed at the team meeting.',
        providers_to_warn: null,
        started_by: hsOfficer,
        started_at: at(addDays(p.occurred, 2), 10),
        updated_at: at(addDays(p.occurred, 2), 10),
        closed_at: p.closed ? at(addDays(p.occurred, 19), 16) : null,
        closed_by: p.closed ? hsOfficer : null,
      });
    }
    if (p.serious || (p.physical && rnd.chance(0.5)) || rnd.chance(0.08)) {
      const due = addDays(p.occurred, rnd.int(7, 28));
      const done = p.closed || (due < today && rnd.chance(0.7));
      actions.push({
        incident_id: id,
        description: rnd.pick([
          'Review the risk assessment for the address',
          'Joint visits only until the review',
          'Refresher personal safety training',
          'Raise a warning flag on the case record',
        ]),
        owner_id: owner,
        due_on: due,
        done_at: done ? at(due < today ? due : today, 11) : null,
        done_by: done ? owner : null,
        created_at: at(addDays(p.occurred, 1), 12),
      });
    }
  });
  await insertPlain(trx, 'incident_investigations', investigations);
  await insertPlain(trx, 'incident_actions', actions);
  return ids.length;
}
