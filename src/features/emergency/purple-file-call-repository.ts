import { sql } from 'kysely';
import type { Executor } from '../audit/repository.ts';

/**
 * The open Purple File call about a worker that a break-glass names: who took it, or undefined when
 * no open call with that id is about them. Kept apart from repository.ts, which reads the packs.
 */
export async function openPurpleFileCallOf(ex: Executor, callId: number, workerId: number) {
  const { rows } = await sql<{
    responder_id: number;
  }>`SELECT responder_id FROM purple_file_calls WHERE id = ${callId} AND worker_id = ${workerId} AND status = 'open'`.execute(
    ex,
  );
  return rows[0];
}
