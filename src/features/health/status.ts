import { londonDate, londonTime, longDate } from '../../time/london.ts';
import type { ConfiguredChannels } from '../notifications/routing.ts';
import type { EngineReport } from './service.ts';

/** What the runtime reports of itself (a subset of HealthInfo, kept here so the page needs no route types). */
interface BaseHealth {
  database: string;
  jobs?: string;
  channels?: ConfiguredChannels;
}

/** The loops that beat into `heartbeats`, in words. */
const LOOPS: Record<string, string> = {
  escalation: 'Escalation engine: visit deadlines and alarm steps',
  notifications: 'Message dispatcher: texts, push, email and the inbox',
};
const CHANNELS: [keyof ConfiguredChannels, string][] = [
  ['sms', 'Text message'],
  ['push', 'Push notification'],
  ['email', 'Email'],
];
const QUEUE_NAMES: Record<string, string> = {
  sms: 'text messages',
  push: 'push notifications',
  email: 'emails',
  inbox: 'inbox messages',
};

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** "4 seconds", "3 minutes", "2 hours": how long, as people say it. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return plural(s, 'second', 'seconds');
  if (s < 2 * 3600) return plural(Math.round(s / 60), 'minute', 'minutes');
  return plural(Math.round(s / 3600), 'hour', 'hours');
}
const when = (d: Date) => `${londonTime(d)} on ${longDate(londonDate(d))}`;
const sentence = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;

/**
 * The readable service status (/status): the reading /health makes, in plain English. Nothing
 * confidential: no names, no instance or host names, no case details; only ages and counts.
 */
export function statusPage(r: { base: BaseHealth | null; report: EngineReport | null; reasons: string[]; now: Date }) {
  const { base, report } = r;
  const probe = report?.probe ?? null;
  const ok = r.reasons.length === 0 && base !== null;
  // The engine's own reasons say which part is behind (service.ts words them).
  const behind = (part: string) => r.reasons.some((x) => x.startsWith(part));
  const lag = (seconds: number, what: string, late: boolean) =>
    seconds < 1
      ? `On time: no ${what} is waiting`
      : `${late ? 'Behind' : 'On time'}: the oldest ${what} due has waited ${duration(seconds)}`;
  const rows: { key: string; value: string }[] = [
    { key: 'Database', value: base ? 'Answering' : 'Did not answer in time' },
  ];
  if (report) {
    if (!probe)
      rows.push({
        key: 'Alarm processing',
        value: 'The database did not answer the checks in time, so alarms may be late',
      });
    else {
      rows.push(
        {
          key: 'Escalation engine',
          value: lag(report.engineLagSeconds, 'deadline or alarm step', behind('the escalation engine is')),
        },
        { key: 'Message delivery', value: lag(report.dispatcherLagSeconds, 'message', behind('the dispatcher is')) },
        {
          key: 'Alarm messages not yet accepted by a text, push or email provider',
          value:
            probe.oldestUnacceptedAlarmSeconds < 1
              ? 'None'
              : `The oldest has waited ${duration(probe.oldestUnacceptedAlarmSeconds)}`,
        },
        {
          key: 'People with an open alert whom no text, push or email has reached',
          value: probe.unreachedRecipients ? plural(probe.unreachedRecipients, 'person', 'people') : 'None',
        },
        {
          key: 'Messages waiting to be sent',
          value: Object.keys(probe.queued).length
            ? Object.entries(probe.queued)
                .map(([c, n]) => `${n.toLocaleString('en-GB')} ${QUEUE_NAMES[c] ?? c}`)
                .join(', ')
            : 'None',
        },
      );
    }
  }
  const seen = new Map<string, { at: Date; instances: number }>();
  for (const l of probe?.loops ?? []) {
    const entry = seen.get(l.loop);
    if (!entry) seen.set(l.loop, { at: l.at, instances: 1 });
    else {
      entry.instances++;
      if (l.at > entry.at) entry.at = l.at;
    }
  }
  const loops = [...new Set([...Object.keys(LOOPS), ...seen.keys()])].map((key) => {
    const s = seen.get(key);
    return {
      name: LOOPS[key] ?? key,
      last: s ? when(s.at) : 'No pass in the last 24 hours',
      ago: s ? `${duration((r.now.getTime() - s.at.getTime()) / 1000)} ago` : '',
      servers: s ? String(s.instances) : '0',
    };
  });
  const channels = base?.channels
    ? [...CHANNELS.map(([k, name]) => ({ name, on: base.channels![k] })), { name: 'Harbour inbox', on: true }]
    : null;
  return {
    ok,
    headline: ok ? 'Alarms are being processed on time' : 'Alarms may be delayed',
    reasons: r.reasons.map(sentence),
    rows: rows.map((x) => ({ key: { text: x.key }, value: { text: x.value } })),
    loops,
    jobsOff: base?.jobs === 'off',
    channels,
    checkedAt: when(r.now),
  };
}
