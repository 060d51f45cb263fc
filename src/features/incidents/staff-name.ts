import { sql } from 'kysely';

/** A staff member's full name in SQL, from the staff table under `alias`. */
export const name = (alias: string) =>
  sql<string | null>`${sql.ref(`${alias}.given_name`)} || ' ' || ${sql.ref(`${alias}.family_name`)}`;
