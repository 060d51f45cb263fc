/**
 * Failpoints: named places in an action where a test can make the process die, the action throw, or
 * the action pause, to prove that a crash between two steps loses nothing and repeats nothing.
 * All are off unless a test arms them (HARBOUR_FAILPOINTS, refused when NODE_ENV=production, or
 * `armFailpoints` in-process); an unarmed failpoint costs one Map lookup.
 *
 * The places:
 * - `action.claimed`: an idempotent action has claimed its key, nothing else is done yet;
 * - `action.done`: the action's effect is written, not yet committed;
 * - `duress.raised`: "Visit over" with the duress PIN has raised the alarm, the visit is not yet ended.
 */
export type FailpointAction = { kind: 'exit' } | { kind: 'throw' } | { kind: 'sleep'; ms: number };

const armed = new Map<string, FailpointAction>();

export class FailpointError extends Error {}

/** Arms failpoints from `name=exit|throw|sleep:MS,…`; an empty string disarms all. */
export function armFailpoints(spec: string | null) {
  armed.clear();
  for (const part of (spec ?? '').split(',').filter(Boolean)) {
    const [name, action] = part.split('=') as [string, string];
    armed.set(
      name,
      action === 'exit'
        ? { kind: 'exit' }
        : action === 'throw'
          ? { kind: 'throw' }
          : { kind: 'sleep', ms: Number(action.slice(6)) },
    );
  }
}

export async function failpoint(name: string): Promise<void> {
  const action = armed.get(name);
  if (!action) return;
  if (action.kind === 'sleep') return new Promise((r) => setTimeout(r, action.ms));
  if (action.kind === 'throw') throw new FailpointError(`failpoint ${name}`);
  // As sudden as a power cut: no handlers, no clean shutdown, the open transaction never commits.
  process.kill(process.pid, 'SIGKILL');
  await new Promise(() => {});
}
