import { type Insertable, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { buildTrainingCoursesRepository, courseQuery, recordQuery } from './courses-repository.ts';
import { buildTrainingPeopleRepository, peopleQuery } from './people-repository.ts';

export type { CourseInput, RecordInput } from './courses-repository.ts';

/**
 * All the training SQL, one object: courses and records, and the people and teams, are their own
 * modules; the gate's facts and the reminders are here.
 */
export function buildTrainingRepository(db: Kysely<DB>) {
  return {
    ...buildTrainingCoursesRepository(db),
    ...buildTrainingPeopleRepository(db),

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
