/**
 * Pure rules about people and their relationships. Services load the facts and ask these; unit
 * tests cover them without a database.
 */
export interface StaffFacts {
  id: number;
  teamId: number | null;
  active: boolean;
}

/** Seed 001 §4: every member of staff has a buddy from within their own team. */
export function buddyProblem(person: StaffFacts, buddy: StaffFacts | null): string | null {
  if (!buddy) return null;
  if (buddy.id === person.id) return 'A person cannot be their own buddy';
  if (!buddy.active) return 'The buddy must be a current member of staff';
  if (person.teamId === null) return 'Put the person in a team before allocating a buddy';
  if (buddy.teamId !== person.teamId) return 'The buddy must be from the same team';
  return null;
}

/** A line manager may not be the person, nor anyone who reports to them (no loops in the chain). */
export function lineManagerProblem(
  personId: number | null,
  managerId: number | null,
  reportIdsOfPerson: ReadonlySet<number>,
): string | null {
  if (managerId === null || personId === null) return null;
  if (managerId === personId) return 'A person cannot be their own line manager';
  if (reportIdsOfPerson.has(managerId)) return 'The line manager cannot be someone who reports to this person';
  return null;
}

export interface Visibility {
  all: boolean;
  ownStaffId: number | null;
  ownTeamId: number | null;
  managedTeamIds: readonly number[];
  reportTeamIds: readonly (number | null)[];
}

/** The teams a person may see: their own, the ones they manage, and those of everyone reporting to them. */
export function visibleTeamIds(v: Visibility): Set<number> | 'all' {
  if (v.all) return 'all';
  const ids = new Set<number>();
  if (v.ownTeamId !== null) ids.add(v.ownTeamId);
  for (const id of v.managedTeamIds) ids.add(id);
  for (const id of v.reportTeamIds) if (id !== null) ids.add(id);
  return ids;
}
