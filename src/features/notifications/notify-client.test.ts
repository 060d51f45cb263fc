import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NOTIFY_API_KEY,
  notifyTokenProblem,
  startNotifyStub,
  type NotifyStub,
} from '../../../test/helpers/notifications.ts';
import { buildNotifyApi, notifyToken, parseNotifyKey, sendBudget, THROTTLE_PAUSES_MS } from './notify-client.ts';
import { notifyError } from './notify-sms.ts';

const TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
let stub: NotifyStub;
before(async () => {
  stub = await startNotifyStub();
});
after(() => stub.close());

test('the token is the one Notify checks: HS256 over the service id, iat now', () => {
  const { serviceId, secret } = parseNotifyKey(NOTIFY_API_KEY);
  assert.equal(notifyTokenProblem(`Bearer ${notifyToken(serviceId, secret)}`), null);
  assert.match(notifyTokenProblem(`Bearer ${notifyToken(serviceId, secret, Date.now() - 60_000)}`) ?? '', /clock/);
});

test('texts go to Notify with their reference, and can be found by it', async () => {
  const api = buildNotifyApi({ apiKey: NOTIFY_API_KEY, baseUrl: stub.url });
  try {
    const sent = await api.sendSms(TEMPLATE, '07700900123', {
      personalisation: { subject: 's', body: 'b', link: 'l' },
      reference: 'ref-1',
    });
    assert.equal(stub.requests.at(-1)!.id, sent.data.id);
    assert.equal(stub.requests.at(-1)!.body.reference, 'ref-1');
    const found = await api.getNotifications('sms', undefined, 'ref-1');
    assert.deepEqual(
      found.data.notifications.map((n) => n.id),
      [sent.data.id],
    );
    assert.deepEqual((await api.getNotifications('sms', undefined, 'ref-none')).data.notifications, []);
  } finally {
    api.close();
  }
});

test('many sends share a few kept-alive connections', async () => {
  const api = buildNotifyApi({ apiKey: NOTIFY_API_KEY, baseUrl: stub.url, maxSockets: 4 });
  try {
    const before = stub.requests.length;
    const opened = stub.connections;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.sendSms(TEMPLATE, '07700900123', { personalisation: {}, reference: `many-${i}` }),
      ),
    );
    await api.sendSms(TEMPLATE, '07700900123', { personalisation: {}, reference: 'many-last' });
    assert.equal(stub.requests.length - before, 41);
    assert.ok(stub.connections - opened <= 4, `${stub.connections - opened} connections for 41 texts`);
  } finally {
    api.close();
  }
});

test("Notify's answers become errors notifyError reads: 400 permanent, 500 worth retrying, refused not sent", async () => {
  const api = buildNotifyApi({ apiKey: NOTIFY_API_KEY, baseUrl: stub.url });
  try {
    const missing = await api
      .sendSms(TEMPLATE, '', { personalisation: {}, reference: 'x' })
      .catch((e: unknown) => notifyError(e));
    assert.ok(missing instanceof Error && 'permanent' in missing && missing.permanent, 'a 400 is permanent');
    assert.match(String((missing as Error).message), /400 \(ValidationError: phone_number is a required property\)/);
    stub.failWith = 500;
    const down = await api
      .sendSms(TEMPLATE, '07700900123', { personalisation: {}, reference: 'y' })
      .catch((e: unknown) => notifyError(e));
    assert.ok(
      down instanceof Error && 'permanent' in down && !down.permanent && !down.unknown,
      'a 500 is worth retrying and was not accepted',
    );
  } finally {
    stub.failWith = null;
    api.close();
  }
  const refused = buildNotifyApi({ apiKey: NOTIFY_API_KEY, baseUrl: 'http://127.0.0.1:9' });
  const e = await refused
    .sendSms(TEMPLATE, '07700900123', { personalisation: {}, reference: 'z' })
    .catch((err: unknown) => notifyError(err));
  assert.ok(e instanceof Error && 'unknown' in e && e.unknown === false, 'refused: it never left');
  refused.close();
});

test('a send with no answer is given up after the timeout and its connection closed (a hanging Notify keeps no sockets)', async () => {
  const api = buildNotifyApi({ apiKey: NOTIFY_API_KEY, baseUrl: stub.url, timeoutMs: 300 });
  stub.mode = 'hang';
  try {
    const started = Date.now();
    const e = await api
      .sendSms(TEMPLATE, '07700900123', { personalisation: {}, reference: 'hang' })
      .catch((err: unknown) => notifyError(err));
    assert.ok(Date.now() - started < 2_000);
    assert.ok(e instanceof Error && 'unknown' in e && e.unknown === true, 'outcome unknown: Notify may have it');
    for (let i = 0; i < 20 && stub.hanging > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(stub.hanging, 0, 'the connection was closed, not left hanging');
  } finally {
    stub.mode = 'ok';
    api.close();
  }
});

test("the send budget keeps Notify's limit: a burst of 1,001, then 50 a second; none kept when the limit is off", () => {
  let now = 1_000_000;
  const budget = sendBudget(3_000, () => now);
  assert.equal(budget.available(), 1_001, 'Notify lets a 3,000-a-minute key burst to 1,001');
  budget.take(1_001);
  assert.equal(budget.available(), 0);
  assert.equal(budget.msUntilAvailable(), 20, 'one token every 20 ms');
  now += 1_000;
  assert.equal(budget.available(), 50, '50 a second');
  assert.equal(sendBudget(null, () => now).available(), Infinity);
  assert.equal(sendBudget(0, () => now).msUntilAvailable(), 0);
});

test('after a 429 the budget pauses, longer each time in a row, and a success starts the pauses again', () => {
  let now = 5_000_000;
  const budget = sendBudget(3_000, () => now);
  assert.equal(budget.throttled(), THROTTLE_PAUSES_MS[0]);
  now += 300;
  assert.equal(
    budget.throttled(),
    THROTTLE_PAUSES_MS[0] - 300,
    'the rest of the same wave of 429s does not lengthen the pause',
  );
  now -= 300;
  assert.equal(budget.available(), 0, 'nothing may start during the pause');
  assert.equal(budget.msUntilAvailable(), THROTTLE_PAUSES_MS[0]);
  now += THROTTLE_PAUSES_MS[0];
  assert.equal(budget.available(), 50, 'the bucket refills from empty, not from full');
  assert.equal(budget.throttled(), THROTTLE_PAUSES_MS[1], 'a second 429 in a row waits longer');
  budget.ok();
  now += 60_000;
  assert.equal(budget.throttled(), THROTTLE_PAUSES_MS[0]);
  const unlimited = sendBudget(null, () => now);
  unlimited.throttled();
  assert.equal(unlimited.available(), 0, 'a 429 pauses even when no limit is kept here (Notify keeps one)');
});

test('Notify over its rate limit answers 429 RateLimitError: throttled, not a failure; the daily limit is an ordinary failure', async () => {
  const api = buildNotifyApi({ apiKey: NOTIFY_API_KEY, baseUrl: stub.url, ratePerMinute: null });
  stub.limitRate(60, 2);
  try {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        api.sendSms(TEMPLATE, '07700900123', { personalisation: {}, reference: `rate-${i}` }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status).sort(),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected'],
      'two within the burst, two refused',
    );
    const e = notifyError((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason);
    assert.ok(
      e.throttled && !e.permanent && !e.unknown,
      'throttled: worth sending again after a pause, and Notify did not keep it',
    );
    assert.match(
      e.message,
      /429 \(RateLimitError: Exceeded rate limit for key type LIVE of 60 requests per 60 seconds\)/,
    );
    assert.equal(stub.rateLimited, 2);
    const daily = notifyError({
      response: {
        status: 429,
        data: { errors: [{ error: 'TooManyRequestsError', message: 'Exceeded send limits (250000) for today' }] },
      },
    });
    assert.ok(
      !daily.throttled && !daily.permanent,
      'the daily limit will not clear in seconds: the next channel is tried',
    );
  } finally {
    stub.limitRate(null);
    api.close();
  }
});
