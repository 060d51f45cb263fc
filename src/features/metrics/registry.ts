import { Counter, Histogram, Registry } from 'prom-client';

/**
 * What the dispatcher observes as it happens, for GET /metrics: process-wide, like prom-client's own
 * default registry, so every dispatcher in the process counts into the same series.
 */
export const deliveryRegistry = new Registry();

export const deliveriesTotal = new Counter({
  name: 'harbour_deliveries_total',
  help: 'Delivery attempts by channel and outcome (accepted, failed, unknown: no answer in time, found: Notify already had it)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [deliveryRegistry],
});

export const alarmLatency = new Histogram({
  name: 'harbour_alarm_latency_seconds',
  help: 'Alarm messages: from the deadline to the message handed to a channel (stage="handed") and to the channel accepting it (stage="accepted")',
  labelNames: ['stage', 'channel'] as const,
  buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
  registers: [deliveryRegistry],
});
