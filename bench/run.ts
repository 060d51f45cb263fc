import { benchStartup } from './startup.ts';
import { benchAlarmLatency } from './alarm.ts';
import { benchAlarmKill, benchAlarmOutage } from './alarm-faults.ts';
import { benchCheckIn } from './checkin.ts';
import { benchFoiStatistics } from './foi.ts';
import { benchDisclosureLinked } from './disclosure.ts';

/**
 * `npm run bench`: runs every benchmark and prints one JSON document. Pick some with
 * `npm run bench -- startup`.
 */
const benches: Record<string, () => Promise<unknown>> = {
  startup: benchStartup,
  'checkin-pglite': () => benchCheckIn('pglite'),
  'checkin-postgres': () => benchCheckIn('postgres'),
  'alarm-pglite': () => benchAlarmLatency('pglite', Number(process.env.BENCH_PGLITE_SESSIONS ?? 10_000)),
  'alarm-postgres': () => benchAlarmLatency('postgres', Number(process.env.BENCH_POSTGRES_SESSIONS ?? 100_000)),
  'alarm-notify-pglite': () =>
    benchAlarmLatency('pglite', Number(process.env.BENCH_NOTIFY_PGLITE_SESSIONS ?? 1_000), { notify: true }),
  'alarm-notify-postgres': () =>
    benchAlarmLatency('postgres', Number(process.env.BENCH_NOTIFY_POSTGRES_SESSIONS ?? 100_000), { notify: true }),
  // Faults (issue 13): two servers, one SIGKILLed every 10 s; both providers down for 4 minutes
  // (BENCH_OUTAGE_SECONDS=30 for a quick run).
  'alarm-kill-postgres': () => benchAlarmKill(),
  'alarm-outage-postgres': () => benchAlarmOutage(),
  'foi-statistics-pglite': () => benchFoiStatistics('pglite'),
  'foi-statistics-postgres': () => benchFoiStatistics('postgres'),
  'foi-disclosure-linked': () => benchDisclosureLinked(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const results: unknown[] = [];
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  results.push(await run());
}
console.log(
  JSON.stringify(
    { machine: { node: process.version, cpus: (await import('node:os')).cpus().length }, results },
    null,
    2,
  ),
);
