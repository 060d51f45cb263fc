import type { AuditRepository, AuditInput } from './repository.ts';
import { verifyChain, type ChainResult } from './chain.ts';
import { compareWithCheckpoints, parseCheckpoints, type CheckpointProblem } from './checkpoint.ts';
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
    /** The chain, then every checkpoint against it (`checkpoints`: the text of an AUDIT_CHECKPOINT_FILE). */
    async verifyWithCheckpoints(
      checkpoints: string,
      key: string | null,
    ): Promise<{ chain: ChainResult; problems: CheckpointProblem[]; checkpoints: number }> {
      const chain = await verifyChain(repo.all());
      const parsed = parseCheckpoints(checkpoints, key);
      const [hashes, head] = await Promise.all([repo.hashesAt(parsed.checkpoints.map((c) => c.id)), repo.head()]);
      const problems = [
        ...parsed.problems,
        ...compareWithCheckpoints(parsed.checkpoints, hashes, head?.id ?? null),
      ].sort((a, b) => a.line - b.line);
      return { chain, problems, checkpoints: parsed.checkpoints.length };
    },
    head: repo.head,
  };
}

export function actorFields(actor: Actor | null): { actorId: number | null; actorLabel: string; ip: string | null } {
  return actor
    ? { actorId: actor.accountId, actorLabel: actor.email, ip: actor.ip }
    : { actorId: null, actorLabel: 'system', ip: null };
}

export type AuditService = ReturnType<typeof buildAuditService>;
