import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { BUNDLED_BANK_HOLIDAYS } from '../../src/time/bank-holidays.ts';
import { ValidationError } from '../../src/errors.ts';

let ctx: Seeded;
before(async () => {
  ctx = await openSeeded();
});
after(async () => {
  await ctx.database.close();
});

test('the calendars start from the bundled copy', async () => {
  const { complaints, foi, loadedAt } = await ctx.services.holidays.calendars();
  assert.equal(loadedAt, null);
  assert.equal(complaints.isWorkingDay('2026-12-28'), false);
  assert.equal(foi.isWorkingDay('2026-11-30'), false);
});

test('a loaded GOV.UK file changes the calendars for the years it covers, and is audited', async () => {
  const update = structuredClone(BUNDLED_BANK_HOLIDAYS);
  update['england-and-wales'].events = [{ title: 'Extra bank holiday', date: '2030-06-10', notes: '', bunting: true }];
  await ctx.services.holidays.update(update, 'cli:test.json');
  const { complaints, loadedAt } = await ctx.services.holidays.calendars();
  assert.ok(loadedAt);
  assert.equal(complaints.isWorkingDay('2030-06-10'), false);
  assert.equal(
    complaints.isWorkingDay('2030-05-27'),
    true,
    '2030 now comes from the file, which has no spring holiday',
  );
  assert.equal(complaints.isWorkingDay('2026-12-28'), false, 'other years keep the bundled dates');
  const audited = await ctx.repos.db
    .selectFrom('audit_log')
    .select('action')
    .where('action', '=', 'bank_holidays.update')
    .execute();
  assert.equal(audited.length, 1);
});

test('a file in the wrong format is refused and nothing changes', async () => {
  const before = await ctx.repos.db.selectFrom('bank_holiday_updates').select('id').execute();
  await assert.rejects(ctx.services.holidays.update({ events: [] }, 'cli:bad.json'), ValidationError);
  const afterRows = await ctx.repos.db.selectFrom('bank_holiday_updates').select('id').execute();
  assert.equal(afterRows.length, before.length);
});
