import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';

export interface CourseInput {
  name: string;
  nameKey: string;
  category: string;
  validityMonths: number | null;
  everyone: boolean;
  jobRoles: string[];
  teamIds: number[];
  serviceIds: number[];
  keyHolders: boolean;
  retired: boolean;
}

export interface RecordInput {
  staffId: number;
  courseId: number;
  completedOn: string;
  expiresOn: string | null;
  evidence: string | null;
  source: 'form' | 'import' | 'demo';
}

const courseColumns = [
  'c.id',
  'c.name',
  'c.name_key',
  'c.category',
  'c.validity_months',
  'c.everyone',
  'c.job_roles',
  'c.team_ids',
  'c.service_ids',
  'c.key_holders',
  'c.retired_at',
] as const;

/** Staff facts readiness and the gate read: team, service, key holder, buddy, pack, duress PIN, assessments due. */
function peopleQuery(ex: Executor, dueBy: string) {
  return ex
    .selectFrom('staff as s')
    .leftJoin('teams as t', 't.id', 's.team_id')
    .select([
      's.id',
      's.employee_number',
      's.given_name',
      's.family_name',
      's.job_role',
      's.team_id',
      's.buddy_id',
      's.line_manager_id',
      's.email',
      't.name as team_name',
      't.service_id',
      sql<boolean>`EXISTS (SELECT 1 FROM building_key_holders k WHERE k.staff_id = s.id)`.as('key_holder'),
      sql<Date | null>`(SELECT p.updated_at FROM emergency_packs p WHERE p.staff_id = s.id)`.as('pack_updated_at'),
      sql<boolean>`EXISTS (SELECT 1 FROM duress_pins d WHERE d.staff_id = s.id)`.as('duress_pin'),
      sql<number>`(SELECT count(*)::int FROM risk_assessments r WHERE r.completed_by = s.id AND r.superseded_at IS NULL AND r.review_date <= ${dueBy}::date)`.as(
        'assessments_due',
      ),
      sql<string>`coalesce((SELECT p.policy FROM team_training_policies p WHERE p.team_id = s.team_id), 'warn')`.as(
        'policy',
      ),
    ])
    .where('s.active', '=', true);
}

export function buildTrainingRepository(db: Kysely<DB>) {
  const courseQuery = (ex: Executor = db) => ex.selectFrom('training_courses as c').select(courseColumns);
  const recordQuery = (ex: Executor = db) =>
    ex
      .selectFrom('training_records as r')
      .innerJoin('training_courses as c', 'c.id', 'r.course_id')
      .leftJoin('staff as b', 'b.id', 'r.recorded_by')
      .select([
        'r.id',
        'r.staff_id',
        'r.course_id',
        'c.name as course_name',
        sql<string>`r.completed_on::text`.as('completed_on'),
        sql<string | null>`r.expires_on::text`.as('expires_on'),
        'r.evidence',
        'r.source',
        'r.recorded_at',
        sql<string | null>`b.given_name || ' ' || b.family_name`.as('recorded_by_name'),
      ]);
  const dueQuery = (ex: Executor = db) =>
    ex
      .selectFrom('training_due_items as d')
      .innerJoin('training_courses as c', 'c.id', 'd.course_id')
      .select([
        'd.id',
        'd.staff_id',
        'd.course_id',
        'c.name as course_name',
        'd.reason',
        'd.incident_id',
        sql<string>`d.created_on::text`.as('created_on'),
        sql<string>`d.due_on::text`.as('due_on'),
      ]);

  return {
    courses: (opts: { includeRetired?: boolean } = {}, ex: Executor = db) => {
      let q = courseQuery(ex).orderBy('c.name');
      if (!opts.includeRetired) q = q.where('c.retired_at', 'is', null);
      return q.execute();
    },
    course: (id: number) => courseQuery().where('c.id', '=', id).executeTakeFirst(),
    courseByKey: (key: string, ex: Executor = db) =>
      ex.selectFrom('training_courses').select('id').where('name_key', '=', key).executeTakeFirst(),
    async createCourse(ex: Executor, c: CourseInput) {
      const row = await ex
        .insertInto('training_courses')
        .values({
          name: c.name,
          name_key: c.nameKey,
          category: c.category,
          validity_months: c.validityMonths,
          everyone: c.everyone,
          job_roles: c.jobRoles,
          team_ids: c.teamIds,
          service_ids: c.serviceIds,
          key_holders: c.keyHolders,
          retired_at: c.retired ? new Date() : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async updateCourse(ex: Executor, id: number, c: CourseInput) {
      await ex
        .updateTable('training_courses')
        .set({
          name: c.name,
          name_key: c.nameKey,
          category: c.category,
          validity_months: c.validityMonths,
          everyone: c.everyone,
          job_roles: c.jobRoles,
          team_ids: c.teamIds,
          service_ids: c.serviceIds,
          key_holders: c.keyHolders,
          retired_at: c.retired ? sql<Date>`coalesce(retired_at, now())` : null,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
    },

    records: (staffIds: number[], ex: Executor = db) =>
      staffIds.length === 0
        ? Promise.resolve([])
        : recordQuery(ex)
            .where('r.staff_id', 'in', staffIds)
            .orderBy('r.completed_on', 'desc')
            .orderBy('r.id', 'desc')
            .execute(),
    async addRecords(ex: Executor, rows: RecordInput[], by: { staffId: number | null; accountId: number | null }) {
      for (let i = 0; i < rows.length; i += 1000) {
        await ex
          .insertInto('training_records')
          .values(
            rows.slice(i, i + 1000).map((r) => ({
              staff_id: r.staffId,
              course_id: r.courseId,
              completed_on: r.completedOn,
              expires_on: r.expiresOn,
              evidence: r.evidence,
              source: r.source,
              recorded_by: by.staffId,
              recorded_by_account: by.accountId,
            })),
          )
          .execute();
      }
    },

    dueItems: (staffIds: number[], ex: Executor = db) =>
      staffIds.length === 0
        ? Promise.resolve([])
        : dueQuery(ex).where('d.staff_id', 'in', staffIds).orderBy('d.due_on').execute(),
    async addDueItem(
      ex: Executor,
      d: {
        staffId: number;
        courseId: number;
        reason: string;
        incidentId: number | null;
        createdOn: string;
        dueOn: string;
        accountId: number | null;
      },
    ) {
      const row = await ex
        .insertInto('training_due_items')
        .values({
          staff_id: d.staffId,
          course_id: d.courseId,
          reason: d.reason,
          incident_id: d.incidentId,
          created_on: d.createdOn,
          due_on: d.dueOn,
          created_by_account: d.accountId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** Active staff with everything readiness needs; `ids` limits to those people ('all' for everyone). */
    people(ids: number[] | 'all', dueBy: string, ex: Executor = db) {
      if (ids !== 'all' && ids.length === 0) return Promise.resolve([]);
      let q = peopleQuery(ex, dueBy).orderBy('t.name').orderBy('s.family_name').orderBy('s.given_name');
      if (ids !== 'all') q = q.where('s.id', 'in', ids);
      return q.execute();
    },
    /** Members of these teams (active). */
    teamMembers: async (teamIds: number[]) =>
      teamIds.length === 0
        ? []
        : (
            await db
              .selectFrom('staff')
              .select('id')
              .where('team_id', 'in', teamIds)
              .where('active', '=', true)
              .execute()
          ).map((r) => r.id),
    teams: (ids: number[] | 'all') => {
      if (ids !== 'all' && ids.length === 0) return Promise.resolve([]);
      let q = db
        .selectFrom('teams as t')
        .select([
          't.id',
          't.name',
          't.manager_id',
          sql<string>`coalesce((SELECT p.policy FROM team_training_policies p WHERE p.team_id = t.id), 'warn')`.as(
            'policy',
          ),
        ])
        .orderBy('t.name');
      if (ids !== 'all') q = q.where('t.id', 'in', ids);
      return q.execute();
    },
    team: (id: number) =>
      db.selectFrom('teams').select(['id', 'name', 'manager_id']).where('id', '=', id).executeTakeFirst(),
    async setPolicy(ex: Executor, teamId: number, policy: string, accountId: number) {
      await ex
        .insertInto('team_training_policies')
        .values({ team_id: teamId, policy, set_by_account: accountId, set_at: new Date() })
        .onConflict((oc) => oc.column('team_id').doUpdateSet({ policy, set_by_account: accountId, set_at: new Date() }))
        .execute();
    },
    allServices: () => db.selectFrom('services').select(['id', 'name']).orderBy('name').execute(),
    allTeams: () => db.selectFrom('teams').select(['id', 'name']).orderBy('name').execute(),
    staffNumbers: () => db.selectFrom('staff').select(['id', 'employee_number']).execute(),

    /** What the risk gate needs about a session, through the caller's transaction. */
    async gateFacts(ex: Executor, visitId: number, today: string) {
      const visit = await ex
        .selectFrom('visits as v')
        .leftJoin('visit_risk_controls as c', 'c.visit_id', 'v.id')
        .select(['v.id', 'v.kind', 'v.worker_id', 'v.joint_partner_id', 'v.risk_rating', 'c.control'])
        .where('v.id', '=', visitId)
        .executeTakeFirst();
      if (!visit) return null;
      const person = await peopleQuery(ex, today).where('s.id', '=', visit.worker_id).executeTakeFirst();
      const courses = await courseQuery(ex).where('c.retired_at', 'is', null).execute();
      const records = await recordQuery(ex).where('r.staff_id', '=', visit.worker_id).execute();
      const assessment = await ex
        .selectFrom('risk_assessments')
        .select('id')
        .where('visit_id', '=', visitId)
        .where('superseded_at', 'is', null)
        .where('review_date', '>=', today)
        .executeTakeFirst();
      return { visit, person, courses, records, assessmentCurrent: assessment !== undefined };
    },

    /** When each of these people was last reminded. */
    lastReminders: async (staffIds: number[]) =>
      new Map(
        staffIds.length === 0
          ? []
          : (
              await db
                .selectFrom('training_reminders')
                .select(['staff_id', 'sent_at'])
                .where('staff_id', 'in', staffIds)
                .execute()
            ).map((r) => [r.staff_id, r.sent_at] as const),
      ),
    async recordReminder(ex: Executor, r: { staffId: number; subject: string; body: string; link: string; at: Date }) {
      await ex
        .insertInto('training_reminders')
        .values({ staff_id: r.staffId, sent_at: r.at })
        .onConflict((oc) => oc.column('staff_id').doUpdateSet({ sent_at: r.at }))
        .execute();
      await insertInboxMessages(ex, [
        { recipientId: r.staffId, subject: r.subject, body: r.body, link: r.link, at: r.at },
      ]);
    },
  };
}
export type TrainingRepository = ReturnType<typeof buildTrainingRepository>;

/** The demo's courses and completions (src/features/training/demo.ts), written in the seed's transaction. */
export async function insertDemoCourse(ex: Executor, course: Insertable<DB['training_courses']>) {
  return (await ex.insertInto('training_courses').values(course).returning('id').executeTakeFirstOrThrow()).id;
}
export async function insertDemoRecords(ex: Executor, records: Insertable<DB['training_records']>[]) {
  await ex.insertInto('training_records').values(records).execute();
}
