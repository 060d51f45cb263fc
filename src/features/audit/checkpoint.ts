import { appendFile, readFile } from 'node:fs/promises';
import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Anchors for the audit trail outside its table (issue 17). The hash chain shows a changed or
 * removed entry in the middle, but not the newest entries cut off, nor a chain recomputed by a
 * superuser. A checkpoint records the head of the chain (id and hash) somewhere the database's
 * users cannot rewrite: a structured log line and, with AUDIT_CHECKPOINT_FILE, a line appended to
 * a file (shipped to append-only storage), signed with AUDIT_CHECKPOINT_KEY when set.
 */
export interface Checkpoint {
  id: string;
  hash: string;
  at: string;
  mac?: string;
}

export interface CheckpointProblem {
  line: number;
  id: string;
  reason: string;
}

function mac(cp: Checkpoint, key: string): string {
  return createHmac('sha256', key).update(`${cp.id}:${cp.hash}:${cp.at}`).digest('hex');
}

export function checkpointLine(head: { id: string; hash: string }, at: Date, key: string | null): string {
  const cp: Checkpoint = { id: head.id, hash: head.hash, at: at.toISOString() };
  return JSON.stringify(key ? { ...cp, mac: mac(cp, key) } : cp);
}

/** Reads a checkpoint file; a line that is not a checkpoint, or whose signature fails, is a problem. */
export function parseCheckpoints(
  text: string,
  key: string | null,
): { checkpoints: (Checkpoint & { line: number })[]; problems: CheckpointProblem[] } {
  const checkpoints: (Checkpoint & { line: number })[] = [];
  const problems: CheckpointProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let cp: Partial<Checkpoint>;
    try {
      cp = JSON.parse(raw) as Partial<Checkpoint>;
    } catch {
      problems.push({ line: i + 1, id: '?', reason: 'is not a checkpoint' });
      return;
    }
    if (typeof cp.id !== 'string' || typeof cp.hash !== 'string' || typeof cp.at !== 'string') {
      problems.push({ line: i + 1, id: String(cp.id ?? '?'), reason: 'is not a checkpoint' });
      return;
    }
    const full = cp as Checkpoint;
    if (key) {
      const expected = Buffer.from(mac(full, key), 'hex');
      const given = Buffer.from(typeof full.mac === 'string' ? full.mac : '', 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        problems.push({
          line: i + 1,
          id: full.id,
          reason: 'its signature does not match AUDIT_CHECKPOINT_KEY (the checkpoint was forged or changed)',
        });
        return;
      }
    }
    checkpoints.push({ ...full, line: i + 1 });
  });
  return { checkpoints, problems };
}

/**
 * Pure: each checkpoint against the chain. `hashes` holds the chain's hash for each checkpointed id
 * it still has; `lastId` is the chain's newest id (null when empty).
 */
export function compareWithCheckpoints(
  checkpoints: (Checkpoint & { line: number })[],
  hashes: Map<string, string>,
  lastId: string | null,
): CheckpointProblem[] {
  const problems: CheckpointProblem[] = [];
  for (const cp of checkpoints) {
    const hash = hashes.get(cp.id);
    if (hash === undefined) {
      const short = lastId === null || BigInt(cp.id) > BigInt(lastId);
      problems.push({
        line: cp.line,
        id: cp.id,
        reason: short
          ? `the chain stops short of it (newest entry ${lastId ?? 'none'}): entries were removed from the end`
          : 'the chain has no entry with its id',
      });
    } else if (hash !== cp.hash) {
      problems.push({
        line: cp.line,
        id: cp.id,
        reason: 'the chain disagrees with it (the entry or those before it were rewritten)',
      });
    }
  }
  return problems;
}

export interface CheckpointWriterDeps {
  head(): Promise<{ id: string; hash: string } | undefined>;
  file: string | null;
  key: string | null;
  log(fields: { auditHeadId: string; auditHeadHash: string }, message: string): void;
  now?: () => Date;
}

/** Writes a checkpoint when the head has moved since the last one; returns it (or null). */
export function buildCheckpointWriter(deps: CheckpointWriterDeps) {
  let last: string | null = null;
  return async function writeCheckpoint(): Promise<Checkpoint | null> {
    const head = await deps.head();
    if (!head || head.id === last) return null;
    const line = checkpointLine(head, deps.now?.() ?? new Date(), deps.key);
    deps.log({ auditHeadId: head.id, auditHeadHash: head.hash }, 'audit checkpoint');
    if (deps.file) await appendFile(deps.file, `${line}\n`, { mode: 0o640 });
    last = head.id;
    return JSON.parse(line) as Checkpoint;
  };
}

export async function readCheckpointFile(file: string): Promise<string> {
  return readFile(file, 'utf8');
}
