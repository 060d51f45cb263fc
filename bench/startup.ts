import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Starts the real server process on embedded PGlite and measures start-up time and idle memory. */
async function startOnce(dataDir: string, port: number) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PGLITE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: 'ignore',
  });
  for (;;) {
    if (performance.now() - t0 > 60_000) throw new Error('server did not start in 60 s');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
  const startupMs = performance.now() - t0;
  // Let start-up garbage settle, then read resident memory as the OS sees it.
  await new Promise((r) => setTimeout(r, 5000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssMiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
  const stopped = new Promise((r) => child.once('exit', r));
  const s0 = performance.now();
  child.kill('SIGTERM');
  await stopped;
  return { startupMs: Math.round(startupMs), idleRssMiB: Math.round(rssMiB), shutdownMs: Math.round(performance.now() - s0) };
}

export async function benchStartup() {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-bench-'));
  try {
    const first = await startOnce(join(dir, 'data'), 3901);
    const second = await startOnce(join(dir, 'data'), 3902);
    return {
      name: 'startup-pglite',
      firstStartWithDemoSeed: first,
      restartOnExistingData: second,
      note: 'time from spawning node to /health answering 200; RSS read from /proc after 5 s idle',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
