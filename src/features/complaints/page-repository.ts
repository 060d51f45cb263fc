import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { complaintWithTeam, day, dayNN } from './repository-sql.ts';

const complaintColumns = [
  'c.id',
  'c.reference',
  dayNN('c.received_on', 'received_on'),
  'c.channel',
  'c.procedure',
  day('c.matter_on', 'matter_on'),
  'c.late_reason',
  'c.complainant_type',
  'c.complainant_name',
  'c.complainant_contact',
  'c.household',
  'c.team_id',
  'c.service_id',
  'c.summary',
  day('c.withdrawn_on', 'withdrawn_on'),
  'c.withdrawn_reason',
  day('c.not_investigated_on', 'not_investigated_on'),
  'c.not_investigated_reason',
  'c.outcome',
  day('c.closed_on', 'closed_on'),
  'c.learning',
  'c.source',
  'c.created_at',
  't.name as team_name',
  'sv.name as service_name',
] as const;

/** One complaint's page: the complaint and everything recorded against it. */
export function buildComplaintPageRepository(db: Kysely<DB>) {
  return {
    complaint(id: number) {
      return complaintWithTeam(db)
        .select([...complaintColumns])
        .where('c.id', '=', id)
        .executeTakeFirst();
    },
    staffOn(complaintId: number) {
      return db
        .selectFrom('complaint_staff as cs')
        .innerJoin('staff as s', 's.id', 'cs.staff_id')
        .leftJoin('teams as t', 't.id', 's.team_id')
        .select(['s.id', 's.given_name', 's.family_name', 's.job_role', 't.name as team_name', 'cs.notified_at'])
        .where('cs.complaint_id', '=', complaintId)
        .orderBy('s.family_name')
        .execute();
    },
    allegations(complaintId: number) {
      return db
        .selectFrom('complaint_allegations as a')
        .select(['a.id', 'a.category', 'a.detail', 'a.finding', day('a.found_on', 'found_on')])
        .where('a.complaint_id', '=', complaintId)
        .orderBy('a.id')
        .execute();
    },
    stages(complaintId: number) {
      return db
        .selectFrom('complaint_stages as s')
        .select([
          's.id',
          's.stage',
          dayNN('s.started_on', 'started_on'),
          day('s.extended_to', 'extended_to'),
          's.extension_reason',
          's.investigating_officer',
          's.independent_person',
          day('s.panel_held_on', 'panel_held_on'),
          day('s.report_on', 'report_on'),
          day('s.responded_on', 'responded_on'),
        ])
        .where('s.complaint_id', '=', complaintId)
        .orderBy('s.stage')
        .execute();
    },
    actions(complaintId: number) {
      return db
        .selectFrom('complaint_actions as a')
        .leftJoin('staff as s', 's.id', 'a.staff_id')
        .select([
          'a.id',
          'a.staff_id',
          'a.kind',
          'a.detail',
          'a.disciplinary_outcome',
          day('a.outcome_on', 'outcome_on'),
          's.given_name',
          's.family_name',
        ])
        .where('a.complaint_id', '=', complaintId)
        .orderBy('a.id')
        .execute();
    },
    referrals(complaintId: number) {
      return db
        .selectFrom('complaint_referrals as r')
        .select([
          'r.id',
          'r.body',
          dayNN('r.referred_on', 'referred_on'),
          'r.decision',
          day('r.decided_on', 'decided_on'),
        ])
        .where('r.complaint_id', '=', complaintId)
        .orderBy('r.id')
        .execute();
    },
    attachments(complaintId: number) {
      return db
        .selectFrom('complaint_attachments')
        .select(['id', 'file_name', 'content_type', 'size_bytes', 'uploaded_at'])
        .where('complaint_id', '=', complaintId)
        .orderBy('id')
        .execute();
    },
    attachment(complaintId: number, id: number) {
      return db
        .selectFrom('complaint_attachments')
        .select(['id', 'file_name', 'content_type', 'content'])
        .where('complaint_id', '=', complaintId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
  };
}
