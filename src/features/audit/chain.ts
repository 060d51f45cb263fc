import { createHash } from 'node:crypto';

/** The fields of an audit entry that its hash covers. */
export interface AuditFields {
  id: string;
  occurredAt: Date;
  actorId: number | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  ip: string | null;
  detail: unknown;
  prevHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so the same entry always hashes the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function hashEntry(e: AuditFields): string {
  const body = canonicalJson({
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorId: e.actorId,
    actorLabel: e.actorLabel,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    ip: e.ip,
    detail: e.detail,
    prevHash: e.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

export type ChainResult =
  { ok: true; checked: number } | { ok: false; checked: number; brokenId: string; reason: string };

/** Walks entries in id order and names the first one whose link or hash does not hold. */
export async function verifyChain(
  entries: AsyncIterable<AuditFields & { hash: string }> | Iterable<AuditFields & { hash: string }>,
  startPrev = GENESIS_HASH,
): Promise<ChainResult> {
  let prev = startPrev;
  let checked = 0;
  for await (const e of entries) {
    if (e.prevHash !== prev) {
      return {
        ok: false,
        checked,
        brokenId: e.id,
        reason: 'does not link to the entry before it (an entry was removed or reordered)',
      };
    }
    if (hashEntry(e) !== e.hash) {
      return {
        ok: false,
        checked,
        brokenId: e.id,
        reason: 'its contents do not match its hash (the entry was altered)',
      };
    }
    prev = e.hash;
    checked++;
  }
  return { ok: true, checked };
}
