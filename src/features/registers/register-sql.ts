import type { SelectQueryBuilder } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

export interface RegisterFilter {
  staffIds: number[] | 'all';
  directorateId?: number | null;
  teamId?: number | null;
  /** yyyy-mm-dd, inclusive. */
  from?: string | null;
  to?: string | null;
  /** One gift entry only. */
  giftId?: number;
  /** H.6 interests (bankruptcy, wound-up directorships): left out unless asked for. */
  includeConfidential?: boolean;
}

/** Staff with their team, service and directorate (s, t, sv, d): the registers' people and their place. */
export const people = (ex: Executor) =>
  ex
    .selectFrom('staff as s')
    .leftJoin('teams as t', 't.id', 's.team_id')
    .leftJoin('services as sv', 'sv.id', 't.service_id')
    .leftJoin('directorates as d', 'd.id', 'sv.directorate_id');

/** Narrows a query over `people` to the filter's staff, directorate and team. */
export const scoped = <Q extends { where: (...a: never[]) => Q }>(q: Q, f: RegisterFilter): Q => {
  let out = q as unknown as SelectQueryBuilder<
    DB & { s: DB['staff']; t: DB['teams']; sv: DB['services']; d: DB['directorates'] },
    's' | 't' | 'sv' | 'd',
    object
  >;
  if (f.staffIds !== 'all') out = out.where('s.id', 'in', f.staffIds.length ? f.staffIds : [-1]);
  if (f.directorateId) out = out.where('d.id', '=', f.directorateId);
  if (f.teamId) out = out.where('t.id', '=', f.teamId);
  return out as unknown as Q;
};
