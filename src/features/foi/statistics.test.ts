import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STATISTICS,
  financialYear,
  financialYears,
  fyLabel,
  questionCoversStaff,
  resolvePeriod,
  wholeMonths,
} from './statistics.ts';
import { filterQuery, parseStatFilter } from './schema.ts';
import { ValidationError } from '../../errors.ts';

test('financial years run April to March', () => {
  assert.equal(financialYear('2016-03-31'), 2015);
  assert.equal(financialYear('2016-04-01'), 2016);
  assert.equal(fyLabel(2009), '2009/10');
  assert.equal(fyLabel(1999), '1999/00');
  assert.deepEqual(financialYears('2015-01-01', '2016-09-16'), [2014, 2015, 2016]);
});

test('periods: last N years, financial years, custom', () => {
  assert.deepEqual(resolvePeriod({ period: 'last_years', years: 2 }, '2020-01-17'), {
    from: '2018-01-18',
    to: '2020-01-17',
  });
  assert.deepEqual(resolvePeriod({ period: 'financial_years', fromYear: 2009, toYear: 2015 }, '2020-01-17'), {
    from: '2009-04-01',
    to: '2016-03-31',
  });
  assert.deepEqual(resolvePeriod({ period: 'custom', from: '2016-04-01', to: '2016-09-16' }, '2020-01-17'), {
    from: '2016-04-01',
    to: '2016-09-16',
  });
});

test('the filter round-trips through the query string', () => {
  const f = parseStatFilter({
    period: 'financial_years',
    fromYear: '2009',
    toYear: '2015',
    jobRole: 'social_workers',
    teamId: '3',
  });
  assert.deepEqual(f, {
    period: { period: 'financial_years', fromYear: 2009, toYear: 2015 },
    teamId: 3,
    serviceId: null,
    jobRole: 'social_workers',
  });
  assert.deepEqual(parseStatFilter(filterQuery(f)), f);
  assert.deepEqual(parseStatFilter({}).period, { period: 'last_years', years: 2 });
});

test('a bad filter names the field', () => {
  assert.throws(
    () => parseStatFilter({ period: 'custom', from: '2020-02-01', to: '2020-01-01' }),
    (e) => e instanceof ValidationError && e.errors[0]!.field === 'to',
  );
  assert.throws(
    () => parseStatFilter({ period: 'financial_years' }),
    (e) => e instanceof ValidationError && e.errors[0]!.field === 'fromYear',
  );
  assert.throws(() => parseStatFilter({ jobRole: 'astronaut' }), ValidationError);
});

test('every seed question has a statistic, and names are unique', () => {
  assert.equal(new Set(STATISTICS.map((s) => s.name)).size, STATISTICS.length);
  for (const seed of ['000', '003', '004'])
    assert.ok(
      STATISTICS.some((s) => s.seed === seed),
      seed,
    );
});

test('whole months inside a period: the seed 000 statistics read these from the monthly counts', () => {
  assert.deepEqual(wholeMonths('2019-04-01', '2022-03-31'), { from: '2019-04-01', toExclusive: '2022-04-01' });
  assert.deepEqual(wholeMonths('2019-03-15', '2020-10-17'), { from: '2019-04-01', toExclusive: '2020-10-01' });
  assert.deepEqual(
    wholeMonths('2020-02-01', '2020-02-29'),
    { from: '2020-02-01', toExclusive: '2020-03-01' },
    'a leap February',
  );
  assert.equal(wholeMonths('2020-06-05', '2020-06-20'), null);
  assert.equal(wholeMonths('2020-03-31', '2020-04-01'), null);
  assert.equal(wholeMonths('2020-06-01', '2020-06-29'), null, 'a month missing its last day is not whole');
});

test('concerns raised by staff: on by default where the question says "staff or service users"', () => {
  assert.equal(
    questionCoversStaff(
      'Have any of the social workers had two or more complaints from unrelated service users or staff?',
    ),
    true,
  );
  assert.equal(questionCoversStaff('Concerns raised by staff or service users about social workers'), true);
  assert.equal(
    questionCoversStaff('Statistics where concerns or complaints have been raised on a social worker'),
    false,
  );
  // The choice travels in the filter, and back out to links and forms.
  assert.equal(parseStatFilter({ staffConcerns: 'no' }).staffConcerns, false);
  assert.equal(parseStatFilter({}).staffConcerns, undefined);
  assert.equal(filterQuery(parseStatFilter({ staffConcerns: 'yes' })).staffConcerns, 'yes');
  assert.throws(() => parseStatFilter({ staffConcerns: 'maybe' }), ValidationError);
});
