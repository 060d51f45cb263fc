import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/** Harbour as a real server in a child process, for tests that kill it, cut its database or start two. */
export function startServer(env: NodeJS.ProcessEnv, port: number, extra: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...env, PORT: String(port), ...extra },
    stdio: process.env.CRASH_DEBUG ? 'inherit' : ['ignore', 'ignore', 'pipe'],
  });
  // The last of what it wrote to stderr, for the message when it does not start.
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  stderrTails.set(child, () => tail);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/**
 * Every server this test process started and has not seen exit. A test that fails or times out
 * midway must not leave one running: it would keep the test file's process (and the whole run)
 * alive for ever. Files call killAllServers() in `after`; exit kills any left as a last resort.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function killAllServers() {
  await Promise.all([...running].map((c) => kill(c)));
}

const stderrTails = new WeakMap<ChildProcess, () => string>();
const tailOf = (child?: ChildProcess) => (child ? (stderrTails.get(child)?.() ?? '') : '');

/**
 * A port nobody is listening on, for a child server. Fixed numbers clashed: test files running side
 * by side (two at a time, or the PGlite and PostgreSQL tiers together) used the same ones, and a
 * file's health check could be answered by another file's server.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `n` different free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  await Promise.all(
    servers.map((s) => new Promise<void>((resolve, reject) => s.once('error', reject).listen(0, '127.0.0.1', resolve))),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Waits until the server answers /health at all (started), or throws with its stderr. */
export async function waitForHealth(port: number, timeoutMs = 60_000, child?: ChildProcess) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(
        `server on ${port} exited (${child.exitCode ?? child.signalCode}) while starting: ${tailOf(child)}`,
      );
    try {
      // Listening is enough: /health may rightly say 503 (an engine that is off, or behind, while
      // alarms are due) and the server is still up and answering.
      const status = (await fetch(`http://127.0.0.1:${port}/health`)).status;
      if (status === 200 || status === 503) return;
    } catch {
      /* starting */
    }
    await sleep(50);
  }
  throw new Error(`server on ${port} did not start in ${timeoutMs / 1000} s: ${tailOf(child)}`);
}

/** Waits for a child to exit; resolves with its exit code or signal. */
export function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode!);
    child.once('exit', (code, signal) => resolve(code ?? signal!));
  });
}

/** Asks a server to shut down in order, and waits for it to exit. */
export function stop(child: ChildProcess): Promise<number | string> {
  const done = exited(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  return done;
}

export function kill(child: ChildProcess): Promise<number | string> {
  const done = exited(child);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  return done;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
