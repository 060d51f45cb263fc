import type { AuditRepository, AuditInput } from './repository.ts';
import { verifyChain, type ChainResult } from './chain.ts';
import type { Actor } from '../auth/actor.ts';

export function buildAuditService(repo: AuditRepository) {
  return {
    record(actor: Actor | null, input: Omit<AuditInput, 'actorId' | 'actorLabel' | 'ip'>) {
      return repo.append({ ...input, ...actorFields(actor) });
    },
    list: repo.list,
    /** Streams the whole trail through the chain check; stops at the first broken entry. */
    verify(): Promise<ChainResult> {
      return verifyChain(repo.all());
    },
  };
}

export function actorFields(actor: Actor | null): { actorId: number | null; actorLabel: string; ip: string | null } {
  return actor ? { actorId: actor.accountId, actorLabel: actor.email, ip: actor.ip } : { actorId: null, actorLabel: 'system', ip: null };
}

export type AuditService = ReturnType<typeof buildAuditService>;
