import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { GENESIS_HASH, hashEntry, type AuditFields } from './chain.ts';

export type Executor = Kysely<DB> | Transaction<DB>;

export interface AuditInput {
  actorId: number | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | number | null;
  ip: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEntry extends AuditFields {
  hash: string;
}

function toEntry(r: {
  id: string;
  occurred_at: Date;
  actor_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  ip: string | null;
  detail: unknown;
  prev_hash: string;
  hash: string;
}): AuditEntry {
  return {
    id: String(r.id),
    occurredAt: r.occurred_at,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    ip: r.ip,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function buildAuditRepository(db: Kysely<DB>) {
  /** Appends under a transaction-scoped lock so concurrent writers extend the chain one at a time. */
  async function appendIn(trx: Transaction<DB>, input: AuditInput): Promise<AuditEntry> {
    await sql`SELECT pg_advisory_xact_lock(727275)`.execute(trx);
    const last = await trx.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
    const { rows } = await sql<{ id: string }>`SELECT nextval('audit_log_id_seq')::text AS id`.execute(trx);
    const fields: AuditFields = {
      id: rows[0]!.id,
      // Millisecond precision so the value read back from the database hashes identically.
      occurredAt: new Date(Math.floor(Date.now())),
      actorId: input.actorId,
      actorLabel: input.actorLabel,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId === null ? null : String(input.entityId),
      ip: input.ip,
      detail: input.detail ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = hashEntry(fields);
    await trx
      .insertInto('audit_log')
      .values({
        id: fields.id,
        occurred_at: fields.occurredAt,
        actor_id: fields.actorId,
        actor_label: fields.actorLabel,
        action: fields.action,
        entity_type: fields.entityType,
        entity_id: fields.entityId,
        ip: fields.ip,
        detail: JSON.stringify(fields.detail),
        prev_hash: fields.prevHash,
        hash,
      })
      .execute();
    return { ...fields, hash };
  }

  return {
    /** Record within the caller's transaction (the change and its audit entry commit together). */
    appendIn,
    async append(input: AuditInput): Promise<AuditEntry> {
      return db.transaction().execute((trx) => appendIn(trx, input));
    },
    async list(filter: { entityType?: string; entityId?: string; limit: number; offset: number }) {
      let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit).offset(filter.offset);
      if (filter.entityType) q = q.where('entity_type', '=', filter.entityType);
      if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
      return (await q.execute()).map(toEntry);
    },
    /** Every entry in chain order, read in pages so a long trail never sits in memory at once. */
    /** The newest entry's id and hash: the head of the chain. */
    head() {
      return db
        .selectFrom('audit_log')
        .select(['id', 'hash'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst()
        .then((r) => (r ? { id: String(r.id), hash: r.hash } : undefined));
    },
    async hashesAt(ids: string[]): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = await db
        .selectFrom('audit_log')
        .select(['id', 'hash'])
        .where(sql<boolean>`id = ANY(${ids}::bigint[])`)
        .execute();
      return new Map(rows.map((r) => [String(r.id), r.hash]));
    },
    async *all(pageSize = 5000): AsyncGenerator<AuditEntry> {
      let after = '0';
      for (;;) {
        const page = await db
          .selectFrom('audit_log')
          .selectAll()
          .where(sql<boolean>`id > ${after}::bigint`)
          .orderBy('id')
          .limit(pageSize)
          .execute();
        for (const r of page) yield toEntry(r);
        if (page.length < pageSize) return;
        after = String(page[page.length - 1]!.id);
      }
    },
  };
}

export type AuditRepository = ReturnType<typeof buildAuditRepository>;
