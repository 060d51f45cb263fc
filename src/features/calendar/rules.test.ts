import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CalendarEvent } from './parse.ts';
import {
  defaultDescription,
  extractPostcode,
  importProblem,
  isMarkedVisit,
  occurrenceKey,
  toVisitInput,
  truncate,
  whenText,
} from './rules.ts';

const event = (overrides: Partial<CalendarEvent> = {}): CalendarEvent => ({
  uid: 'abc@google.com',
  recurrenceId: null,
  summary: 'Visit: home visit',
  location: '12 High Street, Ashford TN23 1AA, UK',
  categories: [],
  start: new Date('2026-03-30T08:00:00Z'),
  end: new Date('2026-03-30T09:00:00Z'),
  allDay: false,
  geo: null,
  ...overrides,
});

test('a UK postcode is pulled out of a location, spaced and in capitals', () => {
  assert.equal(extractPostcode('12 High Street, Ashford TN23 1AA, UK'), 'TN23 1AA');
  assert.equal(extractPostcode('Flat 3, 21 Canterbury Road, Ashford, tn248jz, England'), 'TN24 8JZ');
  assert.equal(extractPostcode('10 Downing Street, London SW1A 2AA'), 'SW1A 2AA');
  assert.equal(
    extractPostcode('Unit 4, M1 Business Park, Manchester M1 1AE'),
    'M1 1AE',
    'the last postcode-shaped text wins',
  );
  assert.equal(extractPostcode('Microsoft Teams Meeting'), null);
  assert.equal(extractPostcode('Room B12'), null);
  assert.equal(extractPostcode(null), null);
});

test('the occurrence key is the UID with the occurrence’s original start', () => {
  assert.equal(occurrenceKey(event()), 'abc@google.com#2026-03-30T08:00:00.000Z');
  assert.equal(
    occurrenceKey(event({ recurrenceId: '2026-03-30T07:00:00.000Z', start: new Date('2026-03-30T13:00:00Z') })),
    'abc@google.com#2026-03-30T07:00:00.000Z',
    'a moved occurrence keeps its slot',
  );
  const long = occurrenceKey(event({ uid: 'x'.repeat(5000) }));
  assert.ok(long.length < 120 && long.startsWith('sha256:'));
});

test('events marked as visits: a "Visit:" title or the Harbour visit category', () => {
  assert.ok(isMarkedVisit(event({ summary: 'Visit: R family' })));
  assert.ok(isMarkedVisit(event({ summary: '  visit : R family' })));
  assert.ok(isMarkedVisit(event({ summary: 'R family', categories: ['Blue category', 'harbour visit'] })));
  assert.ok(!isMarkedVisit(event({ summary: 'Visiting hours', categories: [] })));
  assert.ok(!isMarkedVisit(event({ summary: 'Team meeting', categories: ['Harbour'] })));
});

test('what cannot become a visit', () => {
  assert.equal(importProblem(event()), null);
  assert.match(importProblem(event({ allDay: true }))!, /All-day/);
  assert.match(importProblem(event({ end: new Date('2026-03-30T08:00:00Z') }))!, /no end time/);
  assert.match(importProblem(event({ end: new Date('2026-03-31T01:00:00Z') }))!, /16 hours/);
});

test('the description is the title without its marker, at most 120 characters', () => {
  assert.equal(defaultDescription('Visit: weekly contact'), 'weekly contact');
  assert.equal(defaultDescription('Home visit'), 'Home visit');
  const long = defaultDescription(`Visit: ${'a'.repeat(200)}`);
  assert.equal(long.length, 120);
  assert.ok(long.endsWith('…'));
  const emoji = truncate('😀'.repeat(130), 120);
  assert.ok(emoji.length <= 120 && emoji.endsWith('😀…'), 'never cut inside a character');
});

test('a visit from an event: address, postcode, UK coordinates, no risk rating, source ical', () => {
  const v = toVisitInput(event({ geo: { lat: 51.15, lng: 0.88 } }), 7, 'visit', 'home visit');
  assert.deepEqual(v, {
    workerId: 7,
    kind: 'visit',
    startsAt: new Date('2026-03-30T08:00:00Z'),
    endsAt: new Date('2026-03-30T09:00:00Z'),
    address: '12 High Street, Ashford TN23 1AA, UK',
    postcode: 'TN23 1AA',
    latitude: 51.15,
    longitude: 0.88,
    caseSystem: null,
    caseId: null,
    description: 'home visit',
    jointPartnerId: null,
    notes: null,
    buildingId: null,
    referralType: null,
    riskRating: null,
    source: 'ical',
    icalUid: 'abc@google.com#2026-03-30T08:00:00.000Z',
  });
  assert.equal(
    toVisitInput(event({ geo: { lat: 40.7, lng: -74 } }), 7, 'visit', '').latitude,
    null,
    'coordinates outside the UK are dropped',
  );
  assert.equal(toVisitInput(event({ location: 'x'.repeat(400) }), 7, 'visit', '').address!.length, 300);
});

test('dates and times are shown in London time', () => {
  assert.deepEqual(whenText(event()), { date: 'Monday 30 March 2026', time: '09:00 to 10:00' });
  assert.deepEqual(
    whenText(event({ start: new Date('2026-03-27T08:00:00Z'), end: new Date('2026-03-27T09:00:00Z') })),
    { date: 'Friday 27 March 2026', time: '08:00 to 09:00' },
  );
  assert.deepEqual(
    whenText(event({ allDay: true, start: new Date('2026-03-31T23:00:00Z'), end: new Date('2026-04-02T23:00:00Z') })),
    { date: 'Wednesday 1 April 2026 to Thursday 2 April 2026', time: 'All day' },
  );
  assert.deepEqual(
    whenText(event({ allDay: true, start: new Date('2026-10-30T00:00:00Z'), end: new Date('2026-10-31T00:00:00Z') })),
    { date: 'Friday 30 October 2026', time: 'All day' },
  );
});
