import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { neutraliseCell, toCsv, toCsvDownload } from './csv.ts';

test('cells a spreadsheet would run are shown as text (OWASP CSV injection)', () => {
  for (const bad of [
    '=HYPERLINK("http://evil.example","click")',
    '+1+cmd|calc',
    '-2+3',
    '@SUM(A1:A2)',
    '\t=1+1',
    '\r=1+1',
    '=1+2";=1+2',
  ]) {
    assert.equal(neutraliseCell(bad), `'${bad}`, JSON.stringify(bad));
  }
});

test('numbers stay numbers, negative ones too; ordinary text is untouched', () => {
  assert.equal(neutraliseCell(-5), -5);
  assert.equal(neutraliseCell('-5'), '-5');
  assert.equal(neutraliseCell('-12.50'), '-12.50');
  assert.equal(neutraliseCell('0'), '0');
  assert.equal(neutraliseCell('Ben Carter'), 'Ben Carter');
  assert.equal(neutraliseCell('a=b'), 'a=b');
  assert.equal(neutraliseCell(null), null);
});

test('toCsv: every cell of every row, and the file still parses to the same shape', () => {
  const csv = toCsv([
    ['name', 'amount'],
    ['=cmd', -3],
    ['@x', '4'],
  ]);
  assert.deepEqual(parse(csv), [
    ['name', 'amount'],
    ["'=cmd", '-3'],
    ["'@x", '4'],
  ]);
});

test('every CSV Harbour writes goes through toCsv: nothing else imports csv-stringify', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const offenders = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter(
      (f) =>
        f.endsWith('.ts') &&
        !f.endsWith('.test.ts') &&
        join(root, f) !== fileURLToPath(new URL('./csv.ts', import.meta.url)),
    )
    .filter((f) => /from 'csv-stringify/.test(readFileSync(join(root, f), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('toCsvDownload starts with the UTF-8 byte order mark, so Excel shows "£"; the cells are as toCsv writes them', () => {
  const csv = toCsvDownload([['Value'], ['£120']]);
  assert.deepEqual([...Buffer.from(csv, 'utf8').subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.equal(csv.slice(1), toCsv([['Value'], ['£120']]));
});
