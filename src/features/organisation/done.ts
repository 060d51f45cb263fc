/**
 * What the page after an administrator's change says happened ("Team added"): the change's form
 * redirects with `?done=<kind>-added` or `?done=<kind>-changed`, and the page it lands on (the
 * admin page, the team, the person or the building) shows it in a success banner.
 */
export const ADMIN_KINDS = {
  directorates: 'directorate',
  services: 'service',
  teams: 'team',
  staff: 'member of staff',
  buildings: 'building',
} as const;
export type AdminKind = keyof typeof ADMIN_KINDS;

export const adminDone = (kind: AdminKind, added: boolean) => `done=${kind}-${added ? 'added' : 'changed'}`;

/** The banner for a `done` query value, or undefined; `extra` adds a page's own ones (e.g. a buddy allocated). */
export function adminFlash(query: unknown, extra: Record<string, string> = {}): string | undefined {
  const done = (query as { done?: unknown } | null | undefined)?.done;
  if (typeof done !== 'string') return undefined;
  if (Object.hasOwn(extra, done)) return extra[done];
  const match = /^(\w+)-(added|changed)$/.exec(done);
  if (!match || !Object.hasOwn(ADMIN_KINDS, match[1]!)) return undefined;
  const noun = ADMIN_KINDS[match[1] as AdminKind];
  return match[2] === 'added' ? `${noun[0]!.toUpperCase()}${noun.slice(1)} added` : `Changes to the ${noun} saved`;
}
