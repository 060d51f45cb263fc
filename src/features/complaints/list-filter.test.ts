/** The complaints list's filter parsing (issue 15): date boxes or an older ISO link, every error at once, odd input ignored. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../errors.ts';
import { listFilterBoxes, parseListFilter } from './schema.ts';

const fields = (query: unknown) => {
  try {
    parseListFilter(query);
  } catch (e) {
    if (e instanceof ValidationError) return e.errors.map((x) => x.field);
    throw e;
  }
  return [];
};

test('the period from date boxes or an ISO link; the rest ignored when not one of the choices', () => {
  assert.deepEqual(
    parseListFilter({
      'from-day': '2',
      'from-month': '1',
      'from-year': '2020',
      to: '2020-01-11',
      status: 'closed',
      stage: '2',
      deadline: 'breached',
      q: '  LIST ',
    }),
    { from: '2020-01-02', to: '2020-01-11', teamId: null, status: 'closed', stage: 2, breached: true, q: 'LIST' },
  );
  assert.deepEqual(
    parseListFilter({
      q: ['a', 'b'],
      status: ['open', 'closed'],
      stage: '9',
      deadline: 'x',
      from: ['2020-01-01', '2020-02-01'],
    }),
    { from: null, to: null, teamId: null, status: null, stage: null, breached: false, q: '' },
  );
});

test('every date error at once, each on its day box; the order error names the start date in words', () => {
  assert.deepEqual(
    fields({ 'from-day': '31', 'from-month': '2', 'from-year': '2026', to: '2026-13-01', teamId: 'x' }),
    ['from-day', 'to-day', 'teamId'],
  );
  try {
    parseListFilter({ from: '2026-12-01', 'to-day': '1', 'to-month': '11', 'to-year': '2026' });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(e.errors, [
      { field: 'to-day', message: 'The end of the period must be on or after 1 December 2026' },
    ]);
  }
});

test("the boxes show an ISO link's date, or what was typed", () => {
  assert.equal(listFilterBoxes({ from: '2020-01-02' })['from-day'], '2');
  assert.equal(listFilterBoxes({ from: '2020-01-02', 'from-day': '9' })['from-day'], '9');
});
