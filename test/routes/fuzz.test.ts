/**
 * No 5xx on any input. Every registered route is sent malformed input, signed in as an
 * administrator and as a worker: repeated query parameters, odd ids, JSON bodies with values that
 * are not text, multipart without a boundary or cut short, and form bodies with repeated fields.
 * Each answer must be below 500. The inputs come from a seeded generator, so a failure repeats.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { registeredRoutes } from './support.ts';

const IDS = ['1', '0', '-1', '99999999999999999999', 'abc', '1.5', '%00', '%E2%80%AE'];
const QUERIES = [
  'q=a&q=b&page=2&page=x&returnTo=/a&returnTo=/b',
  'q[]=a&q[x]=b&status=open&status=closed&from=2026-13-45&to=yesterday&sort=__proto__',
  'page=-1&perPage=1000000&year=99999&team=abc&service=1&service=2',
  'q=%00&done=arrived&done=ended&kind=visit&kind=duress',
];

/** A tiny seeded generator (mulberry32), so the same run is made every time. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz: no 5xx on malformed input', () => {
  let t: TestApp;
  let agents: { who: string; agent: Agent; csrf: string }[];

  before(async () => {
    t = await startTestApp();
    agents = [];
    for (const who of [demo.admin, demo.worker]) {
      const agent = await t.signIn(who);
      agents.push({ who, agent, csrf: await agent.csrf('/') });
    }
  });
  after(() => t.close());

  test('every route, bounded: answers below 500', { timeout: 600_000 }, async () => {
    const random = rng(20261205);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    // Routes that end the session or stream for ever are left out; everything else is tried.
    const routes = registeredRoutes(t.app).filter(
      (r) => !/ \/(sign-out|live\/events|board\/events)/.test(r) && !r.includes('/events'),
    );
    const failures: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as [string, string];
      for (const { who, agent, csrf } of agents) {
        const url = () => pattern.replace(/:(\w+)/g, () => pick(IDS)).replace(/\*$/, 'x');
        const cookie = (agent as unknown as { cookieHeader(): string }).cookieHeader();
        const tries: { label: string; run: () => Promise<{ statusCode: number; body: string }> }[] = [];
        if (method === 'GET') {
          for (const q of [pick(QUERIES), pick(QUERIES)])
            tries.push({
              label: `?${q}`,
              run: () => t.app.inject({ method: 'GET', url: `${url()}?${q}`, headers: { cookie } }),
            });
        } else {
          const u = url();
          tries.push(
            {
              label: 'json with non-text values',
              run: () =>
                t.app.inject({
                  method: method as 'POST',
                  url: u,
                  headers: { cookie, 'content-type': 'application/json' },
                  payload: JSON.stringify({
                    _csrf: csrf,
                    q: ['a', 'b'],
                    id: { $ne: 1 },
                    n: 1e308,
                    b: true,
                    nothing: null,
                    nested: { a: [1, { b: 2 }] },
                  }),
                }),
            },
            {
              label: 'json that is not an object',
              run: () =>
                t.app.inject({
                  method: method as 'POST',
                  url: u,
                  headers: { cookie, 'content-type': 'application/json' },
                  payload: '[1,2,3]',
                }),
            },
            {
              label: 'broken json',
              run: () =>
                t.app.inject({
                  method: method as 'POST',
                  url: u,
                  headers: { cookie, 'content-type': 'application/json' },
                  payload: '{"_csrf": ',
                }),
            },
            {
              label: 'multipart without a boundary',
              run: () =>
                t.app.inject({
                  method: method as 'POST',
                  url: u,
                  headers: { cookie, 'content-type': 'multipart/form-data' },
                  payload: 'x',
                }),
            },
            {
              label: 'multipart cut short',
              run: () =>
                t.app.inject({
                  method: method as 'POST',
                  url: u,
                  headers: { cookie, 'content-type': 'multipart/form-data; boundary=XyZ' },
                  payload: `--XyZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nname,email\r\n`,
                }),
            },
            {
              label: 'repeated form fields',
              run: () =>
                t.app.inject({
                  method: method as 'POST',
                  url: u,
                  headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
                  payload: `_csrf=${csrf}&_csrf=${csrf}&id=1&id=2&date-day=31&date-day=x&email=a&email=b&q=${'x'.repeat(5000)}`,
                }),
            },
            {
              label: 'an unknown content type',
              run: () =>
                t.app.inject({
                  method: method as 'POST',
                  url: u,
                  headers: { cookie, 'content-type': 'application/x-evil' },
                  payload: 'x',
                }),
            },
          );
        }
        for (const { label, run } of tries) {
          const res = await run();
          sent++;
          if (res.statusCode >= 500) failures.push(`${route} as ${who}, ${label}: ${res.statusCode}`);
        }
      }
    }
    assert.ok(sent > 800, `sent ${sent} requests`);
    assert.deepEqual(failures, [], `${failures.length} server errors in ${sent} requests`);
  });
});
