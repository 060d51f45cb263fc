import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressProblem, guardedLookup, normaliseFeedUrl } from './fetch-ics.ts';

const ok = (raw: string, allowLoopback = false) => {
  const r = normaliseFeedUrl(raw, allowLoopback);
  assert.ok('url' in r, `${raw} should be accepted, got ${'problem' in r ? r.problem : ''}`);
  return r.url;
};
const refused = (raw: string, allowLoopback = false) => {
  const r = normaliseFeedUrl(raw, allowLoopback);
  assert.ok('problem' in r, `${raw} should be refused`);
  return r.problem;
};

test('the published-calendar addresses Outlook, Google and iCloud give are accepted', () => {
  ok('https://outlook.office365.com/owa/calendar/0123abcd@council.gov.uk/4567efab/calendar.ics');
  ok('https://calendar.google.com/calendar/ical/chloe%40example.org/private-0123456789abcdef/basic.ics');
  assert.equal(
    ok('webcal://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5'),
    'https://p52-caldav.icloud.com/published/2/MTIzNDU2Nzg5',
  );
  assert.equal(ok('  https://calendar.example.org/feed.ics#top  '), 'https://calendar.example.org/feed.ics');
});

test('only https; http only to this machine, and only when allowed (tests)', () => {
  assert.match(refused('http://calendar.example.org/feed.ics'), /https/);
  assert.match(refused('ftp://calendar.example.org/feed.ics'), /https/);
  assert.match(refused('file:///etc/passwd'), /https/);
  assert.match(refused('http://127.0.0.1:8080/feed.ics'), /https/);
  ok('http://127.0.0.1:8080/feed.ics', true);
  ok('http://localhost:8080/feed.ics', true);
  assert.match(
    refused('http://calendar.example.org/feed.ics', true),
    /https/,
    'allowing loopback does not allow http elsewhere',
  );
});

test('addresses on this machine or a private network are refused', () => {
  refused('https://localhost/feed.ics');
  refused('https://127.0.0.1/feed.ics');
  refused('https://[::1]/feed.ics');
  refused('https://10.1.2.3/feed.ics');
  refused('https://192.168.0.10/feed.ics');
  refused('https://169.254.169.254/latest/meta-data');
  refused('https://intranet/feed.ics');
});

test('credentials in the address, and nonsense, are refused', () => {
  refused('https://user:pass@calendar.example.org/feed.ics');
  refused('not a url');
  refused('');
  refused(`https://calendar.example.org/${'a'.repeat(2001)}`);
});

test('private, loopback, link-local and mapped addresses are refused at connection time', () => {
  for (const a of [
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    'fc00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::ffff:127.0.0.1',
    '::',
  ]) {
    assert.ok(addressProblem(a, false), `${a} should be refused`);
  }
  assert.ok(addressProblem('127.0.0.1', false));
  assert.equal(addressProblem('127.0.0.1', true), null);
  assert.equal(addressProblem('::1', true), null);
  for (const a of ['81.2.69.160', '2a00:1450:4009:81f::200e', '::ffff:81.2.69.160'])
    assert.equal(addressProblem(a, false), null, `${a} is public`);
});

test('the DNS guard refuses a name that resolves to this machine', async () => {
  const lookup = (allowLoopback: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => {
      guardedLookup(allowLoopback)('localhost', { all: false }, (err, address) => resolve({ err, address }));
    });
  const refusedLookup = await lookup(false);
  assert.equal(refusedLookup.err?.code, 'EHARBOURBLOCKED');
  const allowed = await lookup(true);
  assert.equal(allowed.err, null);
  assert.match(String(allowed.address), /^(127\.0\.0\.1|::1)$/);
});
