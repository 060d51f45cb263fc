import { sql, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../db/schema.ts';
import { ZONE, londonToday } from '../time/london.ts';
import { BUNDLED_BANK_HOLIDAYS } from '../time/bank-holidays.ts';
import { complaintsCalendar, foiCalendar, type WorkingDayCalendar } from '../time/working-days.ts';
import { derivedFacts } from '../features/incidents/facts.ts';
import { meetingDeadline, isPhysicalViolence, type Category } from '../features/incidents/rules.ts';
import { ALLEGATION_CATEGORIES, stage2Due, stage1Latest } from '../features/complaints/rules.ts';
import { deadlines, type ClockEvent } from '../features/foi/rules.ts';
import { DEFAULT_POLICIES } from '../features/alerts/policy.ts';
import { DEFAULT_RETENTION } from '../features/retention/rules.ts';

/**
 * A year of plausible history for the demo council (issue 15), so that every dashboard, statistic
 * and home page has something on first start: about 90 staff in eight teams, some 300 incidents
 * (manager responses, support, police reports, RIDDOR where the rules say so, investigations and
 * actions), about 100 complaints about staff at every stage, about 60 FOI requests in every state,
 * a year of finished visits with their check-ins, and a few alerts, all resolved.
 *
 * Deterministic: a fixed-seed generator, dates counted back from today. Set-based: rows are built
 * in memory and written in a few multi-row inserts (visits and their timeline by INSERT … SELECT),
 * so the first start stays quick. The derived facts (RIDDOR, serious, meeting deadline, FOI and
 * complaint deadlines) come from the same rules the services use.
 */

/** mulberry32: small, fast and the same on every machine. */
export function randomSource(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const chance = (p: number) => next() < p;
  /** Picks a key by weight. */
  const weighted = <K extends string>(w: Record<K, number>): K => {
    const total = Object.values<number>(w).reduce((s, v) => s + v, 0);
    let r = next() * total;
    for (const [k, v] of Object.entries<number>(w)) if ((r -= v) < 0) return k as K;
    return Object.keys(w)[0] as K;
  };
  return { next, int, pick, chance, weighted };
}
type Random = ReturnType<typeof randomSource>;

export const HISTORY_SEED = 15;

export interface HistoryContext {
  ids: Map<string, number>;
  teamIds: Map<string, number>;
  services: { cic: number; eh: number };
  buildings: { civic: number; gateway: number };
  passwordHash: string;
  email: (p: { given: string; family: string }) => string;
}

const GIVEN = [
  'Amara',
  'Beth',
  'Callum',
  'Dana',
  'Elliot',
  'Farah',
  'George',
  'Hannah',
  'Imran',
  'Jess',
  'Kieran',
  'Laura',
  'Marcus',
  'Niamh',
  'Oscar',
  'Paula',
  'Rhys',
  'Sana',
  'Theo',
  'Una',
  'Victor',
  'Wendy',
  'Zara',
  'Adam',
  'Bella',
  'Connor',
  'Deepa',
  'Ethan',
  'Fatima',
  'Gemma',
  'Harry',
  'Isla',
  'Joel',
  'Kirsty',
  'Leon',
  'Maya',
];
const FAMILY = [
  'Abbott',
  'Bennett',
  'Clarke',
  'Dixon',
  'Edwards',
  'Fletcher',
  'Gray',
  'Hall',
  'Iqbal',
  'Jackson',
  'Kelly',
  'Lewis',
  'Mitchell',
  'Nolan',
  'Owens',
  'Parker',
  'Quinn',
  'Roberts',
  'Singh',
  'Taylor',
  'Usman',
  'Vaughan',
  'Walker',
  'Young',
  'Ahmed',
  'Bell',
  'Cooper',
  'Doyle',
  'Ellis',
  'Foster',
  'Grant',
  'Hughes',
  'Ibrahim',
];

const NEW_TEAMS = [
  { name: 'Canterbury Children in Care', service: 'cic', manager: 'smcic', building: 'civic' },
  { name: 'Dover Children in Care', service: 'cic', manager: 'smcic', building: 'civic' },
  { name: 'Ashford Leaving Care', service: 'cic', manager: 'smcic', building: 'civic' },
  { name: 'Sittingbourne Early Help', service: 'eh', manager: 'smeh', building: 'gateway' },
  { name: 'Sheppey Early Help', service: 'eh', manager: 'smeh', building: 'gateway' },
] as const;

interface Person {
  id: number;
  team_id: number | null;
  line_manager_id: number | null;
  job_role: string;
  base_building_id: number | null;
}

const at = (date: string, hour: number, minute = 0) =>
  DateTime.fromISO(date, { zone: ZONE }).set({ hour, minute }).toJSDate();
const plusMinutes = (d: Date, m: number) => new Date(d.getTime() + m * 60_000);
/*
 * Calendar-day arithmetic on ISO dates, the same answers as time/london.ts's addDays and a London
 * weekday, without a time-zone lookup each (the history makes thousands of these calls: most of its
 * time was spent in them).
 */
const utcDay = (date: string) =>
  new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))));
const addDays = (date: string, days: number) => {
  const d = utcDay(date);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const weekday = (date: string) => utcDay(date).getUTCDay() % 6 !== 0;

/** The same calendar, remembering its answers: the history asks the same questions many times. */
function remembering(cal: WorkingDayCalendar): WorkingDayCalendar {
  const working = new Map<string, boolean>();
  const added = new Map<string, string>();
  const isWorkingDay = cal.isWorkingDay.bind(cal);
  const addWorkingDays = cal.addWorkingDays.bind(cal);
  cal.isWorkingDay = (date) => {
    let r = working.get(date);
    if (r === undefined) working.set(date, (r = isWorkingDay(date)));
    return r;
  };
  cal.addWorkingDays = (date, n) => {
    const key = `${date}+${n}`;
    let r = added.get(key);
    if (r === undefined) added.set(key, (r = addWorkingDays(date, n)));
    return r;
  };
  return cal;
}

/** Multi-row inserts in chunks that stay far below the 65,535 parameters a statement may carry. */
async function insertMany<T extends keyof DB & string>(
  trx: Transaction<DB>,
  table: T,
  rows: Record<string, unknown>[],
  chunk = 400,
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const out = (await (trx.insertInto(table) as any)
      .values(rows.slice(i, i + chunk))
      .returning('id')
      .execute()) as { id: number | string }[];
    ids.push(...out.map((r) => Number(r.id)));
  }
  return ids;
}
async function insertPlain<T extends keyof DB & string>(
  trx: Transaction<DB>,
  table: T,
  rows: Record<string, unknown>[],
  chunk = 400,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await (trx.insertInto(table) as any).values(rows.slice(i, i + chunk)).execute();
  }
}

export async function seedDemoHistory(
  trx: Transaction<DB>,
  ctx: HistoryContext,
  today = londonToday(),
): Promise<Record<string, number>> {
  const rnd = randomSource(HISTORY_SEED);
  const staffCount = await moreStaff(trx, ctx, rnd);
  const people = (await trx
    .selectFrom('staff')
    .select(['id', 'team_id', 'line_manager_id', 'job_role', 'base_building_id'])
    .orderBy('id')
    .execute()) as Person[];
  const hsOfficer = ctx.ids.get('hs')!;
  const hsAccount = (
    await trx.selectFrom('accounts').select('id').where('staff_id', '=', hsOfficer).executeTakeFirstOrThrow()
  ).id;
  const accounts = new Map(
    (await trx.selectFrom('accounts').select(['id', 'staff_id']).execute()).map((a) => [a.staff_id!, a.id]),
  );
  await trainingAndDeclarations(trx, people, rnd, today);
  const incidents = await incidentHistory(trx, people, accounts, { hsOfficer, hsAccount, demo: ctx.ids }, rnd, today);
  const complaints = await complaintHistory(trx, people, ctx, rnd, today);
  const foi = await foiHistory(trx, ctx.ids.get('ig')!, rnd, today);
  const visits = await visitHistory(trx, today);
  const alerts = await alertHistory(trx, people, rnd, today);
  return { staff: staffCount, incidents, complaints, foi, visits, alerts };
}

/** Five more teams of a manager and twelve staff each, every one with a buddy in their team and an account. */
async function moreStaff(trx: Transaction<DB>, ctx: HistoryContext, rnd: Random): Promise<number> {
  const used = new Set((await trx.selectFrom('staff').select('email').execute()).map((s) => s.email));
  let employee = 2001;
  const name = () => {
    for (;;) {
      const p = { given: rnd.pick(GIVEN), family: rnd.pick(FAMILY) };
      if (!used.has(ctx.email(p))) {
        used.add(ctx.email(p));
        return p;
      }
    }
  };
  let added = 0;
  for (const t of NEW_TEAMS) {
    const serviceId = ctx.services[t.service];
    const teamId = (
      await trx
        .insertInto('teams')
        .values({ name: t.name, service_id: serviceId })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    ctx.teamIds.set(t.name, teamId);
    const early = t.service === 'eh';
    const roles = [
      'team_manager',
      'senior_practitioner',
      ...Array.from({ length: 10 }, (_, i) =>
        early ? (i % 2 ? 'youth_worker' : 'family_support_worker') : i < 7 ? 'social_worker' : 'family_support_worker',
      ),
      'business_support',
    ];
    const rows = roles.map((jobRole) => {
      const p = name();
      const n = employee++;
      return {
        employee_number: `E${n}`,
        given_name: p.given,
        family_name: p.family,
        email: ctx.email(p),
        job_role: jobRole,
        team_id: teamId,
        work_mobile: `07700 90${String(n).slice(-4)}`,
        personal_mobile: null,
        out_of_hours_phone: null,
        base_building_id: ctx.buildings[t.building],
        line_manager_id: jobRole === 'team_manager' ? ctx.ids.get(t.manager)! : null,
      };
    });
    const ids = await insertMany(trx, 'staff', rows);
    const managerId = ids[0]!;
    await trx
      .updateTable('staff')
      .set({ line_manager_id: managerId })
      .where('team_id', '=', teamId)
      .where('id', '<>', managerId)
      .execute();
    await trx.updateTable('teams').set({ manager_id: managerId }).where('id', '=', teamId).execute();
    // Buddies in pairs: 0–1, 2–3, …; the odd one out buddies the one before.
    const pairs = ids.map((id, i) => [id, ids[i % 2 ? i - 1 : i + 1 < ids.length ? i + 1 : i - 1]!] as const);
    await sql`UPDATE staff SET buddy_id = v.buddy FROM (VALUES ${sql.join(pairs.map(([a, b]) => sql`(${a}::int, ${b}::int)`))}) AS v(id, buddy) WHERE staff.id = v.id`.execute(
      trx,
    );
    await insertPlain(
      trx,
      'accounts',
      rows.map((r, i) => ({
        staff_id: ids[i]!,
        email: r.email,
        display_name: `${r.given_name} ${r.family_name}`,
        password_hash: ctx.passwordHash,
        roles:
          r.job_role === 'team_manager'
            ? ['team_manager', 'worker']
            : r.job_role === 'business_support'
              ? ['business_support']
              : ['worker'],
      })),
    );
    added += ids.length;
  }
  return added;
}

/** Most of the new staff trained in lone working and personal safety; most people have declared their interests this year. */
async function trainingAndDeclarations(trx: Transaction<DB>, people: Person[], rnd: Random, today: string) {
  const courses = await trx
    .selectFrom('training_courses')
    .select(['id', 'category'])
    .where('category', 'in', ['lone_working', 'personal_safety'])
    .execute();
  const trained = new Set(
    (await trx.selectFrom('training_records').select('staff_id').execute()).map((r) => r.staff_id),
  );
  const records = people
    .filter((p) => !trained.has(p.id))
    .flatMap((p) =>
      courses
        .filter(() => rnd.chance(0.9))
        .map((c) => ({
          staff_id: p.id,
          course_id: c.id,
          completed_on: addDays(today, -rnd.int(20, 900)),
          expires_on: null,
          evidence: null,
          source: 'demo',
        })),
    );
  await insertPlain(trx, 'training_records', records);
  const year = Number(today.slice(0, 4));
  const jan1 = `${year}-01-01`;
  const declarations = people
    .filter(() => rnd.chance(0.8))
    .map((p) => {
      const on = addDays(today, -rnd.int(0, 300));
      return {
        staff_id: p.id,
        year,
        no_conflict: rnd.chance(0.85),
        declared_at: at(on < jan1 ? jan1 : on, 10),
        declared_by: p.id,
      };
    });
  await insertPlain(trx, 'interest_declarations', declarations);
}

// ---- Incidents --------------------------------------------------------------------------------------

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

async function incidentHistory(
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

// ---- Complaints about staff -------------------------------------------------------------------------

const COMPLAINT_SUMMARIES = [
  ['The social worker did not return calls for two weeks.', ['ca_e']],
  ['Records of a home visit are inaccurate.', ['pl_n']],
  ['The worker was rude and dismissive during a meeting.', ['pl_b']],
  ['Information was shared with a relative without consent.', ['kc_disclosure']],
  ['The assessment did not take account of the family’s views.', ['pl_b', 'pl_n']],
  ['Contact arrangements were changed without explanation.', ['ca_e']],
] as const;

async function complaintHistory(
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

// ---- FOI requests -----------------------------------------------------------------------------------

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

async function foiHistory(trx: Transaction<DB>, irene: number, rnd: Random, today: string) {
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

// ---- Visits and alerts ------------------------------------------------------------------------------

/**
 * A year of finished visits for everyone who visits families (about three a week each), each with its
 * arrival check-in and "visit over, safe", written by two INSERT … SELECT statements. Pseudo-random
 * but deterministic: every choice hashes the worker and the day.
 */
async function visitHistory(trx: Transaction<DB>, today: string) {
  const from = addDays(today, -365);
  const to = addDays(today, -1);
  const { rows } = await sql<{ n: number }>`
    WITH days AS (
      SELECT d::date AS day FROM generate_series(${from}::date, ${to}::date, interval '1 day') d WHERE extract(isodow FROM d) < 6
    ), slots AS (
      SELECT s.id AS worker_id, days.day, slot, abs(hashtext(s.id || ':' || days.day || ':' || slot)) AS h
      FROM staff s CROSS JOIN days CROSS JOIN generate_series(0, 1) slot
      WHERE s.job_role IN ('social_worker', 'senior_practitioner', 'family_support_worker', 'youth_worker')
    ), made AS (
      INSERT INTO visits (worker_id, kind, starts_at, ends_at, address, postcode, case_system, case_id, description, risk_rating, state,
                          arrived_at, due_at, ended_at, last_check_in_at, source, created_by, created_at, updated_at)
      SELECT worker_id, 'visit', st, st + dur, (10 + h % 90) || ' ' || (ARRAY['Park Road', 'Mill Lane', 'Station Road', 'Church Street', 'The Avenue'])[1 + h % 5],
             (ARRAY['TN23 4', 'ME10 3', 'CT1 2', 'CT16 1', 'ME12 2'])[1 + (h / 7) % 5] || (ARRAY['AB', 'DE', 'FG', 'HJ'])[1 + (h / 11) % 4],
             'liberi', 'DEMO' || (1000 + h % 400), 'Home visit', (ARRAY['GREEN', 'GREEN', 'GREEN', 'AMBER', 'AMBER', 'RED'])[1 + (h / 13) % 6], 'completed',
             st + interval '3 minutes', NULL, st + dur - make_interval(mins => h % 20), st + dur - make_interval(mins => h % 20), 'manual', NULL,
             st - interval '2 days', st + dur
      FROM (SELECT worker_id, h, ((day + time '09:30' + slot * interval '3 hours' + make_interval(mins => (h % 4) * 15)) AT TIME ZONE 'Europe/London') AS st,
                   make_interval(mins => 45 + (h % 4) * 15) AS dur
            FROM slots WHERE h % 10 < 3) v
      RETURNING id, worker_id, arrived_at, ended_at
    ), arrived AS (
      INSERT INTO timeline_events (visit_id, at, type, actor_id, text) SELECT id, arrived_at, 'arrived', worker_id, 'Arrived' FROM made RETURNING 1
    ), ended AS (
      INSERT INTO timeline_events (visit_id, at, type, actor_id, text) SELECT id, ended_at, 'ended', worker_id, 'Visit over, safe' FROM made RETURNING 1
    )
    SELECT (SELECT count(*) FROM made)::int AS n, (SELECT count(*) FROM arrived) + (SELECT count(*) FROM ended) AS events`.execute(
    trx,
  );
  // A year of nightly retention runs has already seen the sessions older than the location period
  // (they hold no coordinates), so the first run after start-up is not a year's backlog.
  await sql`INSERT INTO retention_done (kind, record_id, action, done_at)
    SELECT 'session', id::text, 'anonymise', ended_at + make_interval(days => ${DEFAULT_RETENTION.locationDays + 1}) FROM visits
    WHERE ended_at < now() - make_interval(days => ${DEFAULT_RETENTION.locationDays})`.execute(trx);
  return Number(rows[0]!.n);
}

/** A few alerts over the year, all resolved: overdue visits where the worker was safe (most), a false alarm, one that became an incident. */
async function alertHistory(trx: Transaction<DB>, people: Person[], rnd: Random, today: string) {
  const workers = new Set(
    people
      .filter((p) => ['social_worker', 'family_support_worker', 'youth_worker'].includes(p.job_role))
      .map((p) => p.id),
  );
  const candidates = (
    await trx
      .selectFrom('visits')
      .select(['id', 'worker_id', 'ends_at'])
      .where('state', '=', 'completed')
      .where('source', '=', 'manual')
      .where('ends_at', '<', at(addDays(today, -2), 0))
      .orderBy('id')
      .execute()
  ).filter((v) => workers.has(v.worker_id));
  if (!candidates.length) return 0;
  const chosen = Array.from({ length: 14 }, () => candidates[rnd.int(0, candidates.length - 1)]!).filter(
    (v, i, all) => all.findIndex((w) => w.id === v.id) === i,
  );
  const policy = JSON.stringify(DEFAULT_POLICIES.overdue);
  const plans = chosen.map((v, i) => {
    const opened = new Date(v.ends_at);
    const steps = rnd.int(1, 3);
    const outcome = i === 0 ? 'incident' : i === 1 ? 'false_alarm' : 'safe';
    return { v, opened, steps, outcome, resolved: plusMinutes(opened, 5 * steps + rnd.int(1, 4)) };
  });
  const ids = await insertMany(
    trx,
    'alerts',
    plans.map((p) => ({
      visit_id: p.v.id,
      worker_id: p.v.worker_id,
      work_date: null,
      kind: 'overdue',
      status: 'resolved',
      policy,
      next_step: p.steps,
      opened_at: p.opened,
      deadline_at: p.opened,
      acknowledged_by: null,
      acknowledged_at: null,
      paused_until: null,
      outcome: p.outcome,
      outcome_notes:
        p.outcome === 'safe'
          ? 'Phone battery ran out; called in from the car.'
          : p.outcome === 'false_alarm'
            ? 'Forgot to end the visit.'
            : 'The worker was threatened; an incident report was made.',
      resolved_by: null,
      resolved_at: p.resolved,
    })),
  );
  await insertPlain(
    trx,
    'alert_steps_fired',
    plans.flatMap((p, i) =>
      Array.from({ length: p.steps }, (_, s) => ({
        alert_id: String(ids[i]),
        step: s,
        fired_at: plusMinutes(p.opened, 5 * s),
        fired_by: 'demo',
      })),
    ),
  );
  await insertPlain(
    trx,
    'timeline_events',
    plans.flatMap((p, i) => [
      {
        visit_id: p.v.id,
        alert_id: String(ids[i]),
        at: p.opened,
        type: 'overdue',
        actor_id: null,
        text: 'No check-in by the deadline: alert raised',
      },
      {
        visit_id: p.v.id,
        alert_id: String(ids[i]),
        at: p.resolved,
        type: 'resolved',
        actor_id: null,
        text: `Alert closed: ${p.outcome.replace('_', ' ')}`,
      },
    ]),
  );
  return ids.length;
}
