import { sql } from 'kysely';
import type { Executor } from '../audit/repository.ts';

/** Calendar dates come back as text, never as JS Dates (which would shift with the process time zone). */
export const day = <A extends string>(ref: string, alias: A) => sql<string | null>`${sql.ref(ref)}::text`.as(alias);
export const dayNN = <A extends string>(ref: string, alias: A) => sql<string>`${sql.ref(ref)}::text`.as(alias);

/** A complaint with the names of its team and service, for the page and the lists. */
export const complaintWithTeam = (ex: Executor) =>
  ex
    .selectFrom('complaints as c')
    .leftJoin('teams as t', 't.id', 'c.team_id')
    .leftJoin('services as sv', 'sv.id', 'c.service_id');
