import { sql, type Kysely, type Updateable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { name } from './staff-name.ts';

/** After the report: the investigation (HS160), its actions, the warning flags raised from it and legal actions. */
export function buildIncidentInvestigationRepository(db: Kysely<DB>) {
  return {
    investigation: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_investigations as v')
        .leftJoin('staff as s', 's.id', 'v.closed_by')
        .selectAll('v')
        .select(name('s').as('closed_by_name'))
        .where('v.incident_id', '=', id)
        .executeTakeFirst(),

    async saveInvestigation(
      ex: Executor,
      id: number,
      patch: Omit<Updateable<DB['incident_investigations']>, 'incident_id'>,
      by: number | null,
    ) {
      const at = new Date();
      await ex
        .insertInto('incident_investigations')
        .values({ incident_id: id, ...(patch as object), started_by: by, started_at: at, updated_at: at } as never)
        .onConflict((oc) => oc.column('incident_id').doUpdateSet({ ...(patch as object), updated_at: at } as never))
        .execute();
    },

    /** Closes the incident's investigation, with who closed it and when. */
    async closeInvestigation(ex: Executor, incidentId: number, by: number | null, at: Date) {
      await ex
        .updateTable('incident_investigations')
        .set({ closed_at: at, closed_by: by })
        .where('incident_id', '=', incidentId)
        .execute();
    },

    actions: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_actions as a')
        .innerJoin('staff as o', 'o.id', 'a.owner_id')
        .select([
          'a.id',
          'a.description',
          'a.owner_id',
          sql<string>`a.due_on::text`.as('due_on'),
          'a.done_at',
          name('o').as('owner_name'),
        ])
        .where('a.incident_id', '=', id)
        .orderBy('a.due_on')
        .orderBy('a.id')
        .execute(),

    async addAction(ex: Executor, id: number, a: { description: string; ownerId: number; dueOn: string }) {
      return (
        await ex
          .insertInto('incident_actions')
          .values({ incident_id: id, description: a.description, owner_id: a.ownerId, due_on: a.dueOn })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    /** Marks an action of this incident done; false if it is not one of its actions. Done stays done. */
    async actionDone(ex: Executor, incidentId: number, actionId: number, by: number | null, at: Date) {
      const row = await ex
        .selectFrom('incident_actions')
        .select(['id', 'done_at'])
        .where('id', '=', actionId)
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      if (!row) return false;
      if (!row.done_at)
        await ex.updateTable('incident_actions').set({ done_at: at, done_by: by }).where('id', '=', actionId).execute();
      return true;
    },

    flags: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_flags as l')
        .innerJoin('warning_flags as f', 'f.id', 'l.flag_id')
        .select([
          'f.id',
          'l.subject',
          'l.reason',
          sql<string>`l.review_on::text`.as('review_on'),
          'f.case_system',
          'f.case_id',
          'f.postcode',
          'f.category',
          'f.expires_at',
          'f.withdrawn_at',
          'l.raised_at',
        ])
        .where('l.incident_id', '=', id)
        .orderBy('l.raised_at')
        .execute(),

    async linkFlag(
      ex: Executor,
      l: {
        incidentId: number;
        flagId: number;
        subject: string;
        reason: string;
        reviewOn: string;
        raisedBy: number | null;
      },
    ) {
      await ex
        .insertInto('incident_flags')
        .values({
          incident_id: l.incidentId,
          flag_id: l.flagId,
          subject: l.subject,
          reason: l.reason,
          review_on: l.reviewOn,
          raised_by: l.raisedBy,
        })
        .execute();
    },

    /** Active staff in the employee's team (the team is told about flags), excluding nobody. */
    teamOf: async (employeeId: number, ex: Executor = db) =>
      (
        await ex
          .selectFrom('staff as s')
          .innerJoin('staff as e', 'e.team_id', 's.team_id')
          .select('s.id')
          .where('e.id', '=', employeeId)
          .where('s.active', '=', true)
          .execute()
      ).map((r) => r.id),

    /** Live flags raised from incidents, with what review alerts have been sent. */
    flagsForReview: (now: Date, ex: Executor = db) =>
      ex
        .selectFrom('incident_flags as l')
        .innerJoin('warning_flags as f', 'f.id', 'l.flag_id')
        .innerJoin('incidents as i', 'i.id', 'l.incident_id')
        .select([
          'l.incident_id',
          'l.flag_id',
          'l.reason',
          sql<string>`l.review_on::text`.as('review_on'),
          'l.raised_by',
          'i.employee_id',
          'f.case_system',
          'f.case_id',
          'f.postcode',
          sql<
            string[]
          >`coalesce((SELECT array_agg(a.kind) FROM incident_alerts a WHERE a.incident_id = l.incident_id AND a.kind LIKE 'flag.%'), '{}')`.as(
            'sent',
          ),
        ])
        .where('f.withdrawn_at', 'is', null)
        // Live, or expired within the last 30 days (to say so once).
        .where((eb) =>
          eb.or([eb('f.expires_at', 'is', null), eb('f.expires_at', '>', new Date(now.getTime() - 30 * 86_400_000))]),
        )
        .orderBy('l.review_on')
        .execute(),

    async setFlagReview(ex: Executor, incidentId: number, flagId: number, reviewOn: string) {
      const row = await ex
        .updateTable('incident_flags')
        .set({ review_on: reviewOn })
        .where('incident_id', '=', incidentId)
        .where('flag_id', '=', flagId)
        .returning('flag_id')
        .executeTakeFirst();
      return row !== undefined;
    },

    legalActions: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('incident_legal_actions as a')
        .leftJoin('staff as s', 's.id', 'a.recorded_by')
        .select([
          'a.id',
          'a.kind',
          sql<string>`a.action_on::text`.as('action_on'),
          sql<string | null>`a.ends_on::text`.as('ends_on'),
          'a.notes',
          'a.recorded_at',
          name('s').as('recorded_by_name'),
        ])
        .where('a.incident_id', '=', id)
        .orderBy('a.action_on')
        .orderBy('a.id')
        .execute(),

    async addLegalAction(
      ex: Executor,
      id: number,
      a: { kind: string; actionOn: string; endsOn: string | null; notes: string | null },
      by: number | null,
    ) {
      return (
        await ex
          .insertInto('incident_legal_actions')
          .values({
            incident_id: id,
            kind: a.kind,
            action_on: a.actionOn,
            ends_on: a.endsOn,
            notes: a.notes,
            recorded_by: by,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    /** Open actions of an incident (for closing). */
    openActionCount: async (id: number, ex: Executor = db) =>
      Number(
        (
          await ex
            .selectFrom('incident_actions')
            .select(sql<string>`count(*)`.as('n'))
            .where('incident_id', '=', id)
            .where('done_at', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      ),
  };
}
