import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { ForbiddenError } from '../../errors.ts';
import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { RetentionRepository } from './repository.ts';
import { DEFAULT_RETENTION, schedule, type Kind, type RetentionSettings } from './rules.ts';

export interface RetentionDeps {
  db: Kysely<DB>;
  retention: RetentionRepository;
  audit: AuditRepository;
  settings?: Partial<RetentionSettings>;
  now?: () => Date;
}

/** One kind's line in a run: how many were due, acted on, and kept (with why). */
export interface KindResult {
  kind: Kind;
  label: string;
  action: string;
  due: number;
  done: number;
  kept: number;
  keptReasons: Record<string, number>;
}
export interface RunSummary {
  dryRun: boolean;
  at: string;
  kinds: KindResult[];
}

export type Who = { actorId: number | null; actorLabel: string; ip: string | null };
export type Trx = Parameters<Parameters<typeof inTransaction>[1]>[0];

export const system: Who = { actorId: null, actorLabel: 'system', ip: null };

/**
 * What every capability of the retention service shares: the settings and the schedule they give,
 * the clock, who may manage retention, and one record erased or anonymised with its audit entry.
 */
export function buildRetentionContext(deps: RetentionDeps) {
  const { db, retention: repo, audit } = deps;
  const settings: RetentionSettings = { ...DEFAULT_RETENTION, ...deps.settings };
  const now = deps.now ?? (() => new Date());
  const rows = schedule(settings);
  const label = (k: Kind) => rows.find((r) => r.kind === k)!.label;

  function mustManage(actor: Actor) {
    if (!can(actor, 'retention.manage'))
      throw new ForbiddenError(
        'Only administrators and the information governance officer manage the retention schedule',
      );
  }

  async function act(
    who: Who,
    kind: Kind,
    id: number | string,
    action: 'erase' | 'anonymise',
    detail: Record<string, unknown>,
    fn: (trx: Trx) => Promise<void>,
  ) {
    await inTransaction(db, async (trx) => {
      await fn(trx);
      await audit.appendIn(trx, {
        ...who,
        action: `retention.${action}`,
        entityType: kind,
        entityId: String(id),
        detail,
      });
    });
  }

  return { db, repo, audit, settings, now, rows, label, mustManage, act };
}

export type RetentionContext = ReturnType<typeof buildRetentionContext>;
