import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** CPU time (user + system, ms) a process has used so far, from /proc: unlike wall time, it does not grow when other work shares the machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  // After the command name: state is field 3, so utime (14) and stime (15) are at 11 and 12 (clock ticks, 100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Starts the real server process on embedded PGlite and measures start-up time (wall and CPU) and
 * idle memory. The machine's load average is reported beside them: on a shared machine the wall
 * time grows with the load, the CPU time much less.
 */
async function startOnce(dataDir: string, port: number, templateDir: string) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PGLITE_DATA_DIR: dataDir,
      PGLITE_TEMPLATE_DIR: templateDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: 'ignore',
  });
  for (;;) {
    if (performance.now() - t0 > 300_000) {
      child.kill('SIGTERM');
      throw new Error('server did not start in 300 s');
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const startupMs = performance.now() - t0;
  const startupCpuMs = cpuMs(child.pid!);
  const load = loadavg()[0]!;
  // Let start-up garbage settle, then read resident memory as the OS sees it.
  await new Promise((r) => setTimeout(r, 5000));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssMiB = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
  const stopped = new Promise((r) => child.once('exit', r));
  const s0 = performance.now();
  child.kill('SIGTERM');
  await stopped;
  return {
    startupMs: Math.round(startupMs),
    startupCpuMs,
    loadAverage1m: Math.round(load * 10) / 10,
    idleRssMiB: Math.round(rssMiB),
    shutdownMs: Math.round(performance.now() - s0),
  };
}

/** What `npm install` does for Harbour after installing the packages (the postinstall script): makes the migrated template. */
function installTemplate(templateDir: string) {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/db/pglite-template.ts'], {
    env: { ...process.env, PGLITE_TEMPLATE_DIR: templateDir },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`postinstall failed: ${run.stderr}`);
  return { ms: Math.round(performance.now() - t0), output: run.stdout.trim() };
}

const FIRST_START_TARGET_MS = 10_000;

export async function benchStartup() {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-bench-'));
  try {
    // As a new user: a fresh clone, `npm install` (which makes the migrated database template, in a
    // template folder of this run's own), then `npm start` twice.
    const install = installTemplate(join(dir, 'templates'));
    const first = await startOnce(join(dir, 'data'), 3901, join(dir, 'templates'));
    const second = await startOnce(join(dir, 'data'), 3902, join(dir, 'templates'));
    // Without the template (`npm install --ignore-scripts`, or a migration added since): this first
    // start makes the template itself, once.
    const withoutTemplate = await startOnce(join(dir, 'data-2'), 3903, join(dir, 'no-templates'));
    return {
      name: 'startup-pglite',
      installMakesTemplate: { ms: install.ms, output: install.output },
      firstStartWithDemoSeed: first,
      restartOnExistingData: second,
      firstStartWithoutInstalledTemplate: withoutTemplate,
      target: { firstStartMs: FIRST_START_TARGET_MS, met: first.startupMs < FIRST_START_TARGET_MS },
      note: "time from spawning node to /health answering 200 (wall, and the server process's CPU time); RSS read from /proc after 5 s idle; the first start loads the migrated template `npm install` made (no initdb, no migrations) and the demo with its year of history; the last start shows the one-off cost when there is no template",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
