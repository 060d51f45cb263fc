import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

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

export const courseQuery = (ex: Executor) => ex.selectFrom('training_courses as c').select(courseColumns);
export const recordQuery = (ex: Executor) =>
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
export const dueQuery = (ex: Executor) =>
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

/** Courses, the training records against them and the refresher items due. */
export function buildTrainingCoursesRepository(db: Kysely<DB>) {
  return {
    courses: (opts: { includeRetired?: boolean } = {}, ex: Executor = db) => {
      let q = courseQuery(ex).orderBy('c.name');
      if (!opts.includeRetired) q = q.where('c.retired_at', 'is', null);
      return q.execute();
    },
    course: (id: number) => courseQuery(db).where('c.id', '=', id).executeTakeFirst(),
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
  };
}
