import { test } from 'node:test';
import assert from 'node:assert/strict';
import { londonDate, londonDayBounds, londonTime, londonToUtc } from './london.ts';

test('winter: London is UTC', () => {
  assert.equal(londonToUtc('2026-01-15', '09:30')!.toISOString(), '2026-01-15T09:30:00.000Z');
});

test('summer: London is UTC+1', () => {
  assert.equal(londonToUtc('2026-07-15', '09:30')!.toISOString(), '2026-07-15T08:30:00.000Z');
});

test('the hour skipped when clocks go forward is refused', () => {
  assert.equal(londonToUtc('2026-03-29', '01:30'), null);
  assert.equal(londonToUtc('2026-03-29', '02:30')!.toISOString(), '2026-03-29T01:30:00.000Z');
});

test('the repeated hour when clocks go back takes the first', () => {
  assert.equal(londonToUtc('2026-10-25', '01:30')!.toISOString(), '2026-10-25T00:30:00.000Z');
});

test('nonsense is refused', () => {
  assert.equal(londonToUtc('2026-02-30', '10:00'), null);
  assert.equal(londonToUtc('2026-02-10', '25:00'), null);
});

test('round trip and day bounds across the change', () => {
  const i = new Date('2026-07-15T23:30:00Z');
  assert.equal(londonDate(i), '2026-07-16');
  assert.equal(londonTime(i), '00:30');
  const b = londonDayBounds('2026-10-25');
  assert.equal((b.end.getTime() - b.start.getTime()) / 3600_000, 25);
});

test('londonToUtc gives the same answer when asked again, as a Date of its own', () => {
  for (const [date, time] of [
    ['2026-03-29', '01:30'],
    ['2026-10-25', '01:30'],
    ['2026-07-15', '09:30'],
  ] as const) {
    const first = londonToUtc(date, time);
    first?.setTime(0); // a caller changing its Date must not change the next caller's
    assert.deepEqual(londonToUtc(date, time), londonToUtc(date, time));
    assert.notEqual(londonToUtc(date, time)?.getTime(), 0);
  }
  assert.equal(londonToUtc('2026-03-29', '01:30'), null);
});
