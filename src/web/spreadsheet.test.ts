import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as XLSX from 'xlsx';
import { cellText, toOds } from './spreadsheet.ts';
import { zipEntries } from '../../test/helpers/zip.ts';

test('toOds: the mimetype entry comes first, stored, with no extra field (ODF 1.2 Part 3 §3.3)', () => {
  const buffer = toOds('Gifts and hospitality', [
    ['Name', 'Value'],
    ['Helen Ward', 60],
  ]);
  // What `file` and other tools look for: "PK\3\4", then at byte 30 "mimetype" followed by the type itself.
  assert.equal(buffer.subarray(30, 38).toString(), 'mimetype');
  assert.equal(buffer.subarray(38, 38 + 46).toString(), 'application/vnd.oasis.opendocument.spreadsheet');
  const entries = zipEntries(buffer);
  assert.deepEqual(
    entries.map((e) => e.name),
    ['mimetype', 'content.xml', 'styles.xml', 'meta.xml', 'META-INF/manifest.xml'],
  );
  assert.equal(entries[0]!.method, 0, 'stored, not deflated');
  assert.equal(entries[0]!.extra, 0);
  assert.ok(
    entries.slice(1).every((e) => e.method === 8),
    'the rest deflated',
  );
  assert.ok(entries[4]!.data.toString().includes('manifest:full-path="/"'));
});

test('toOds: numbers, days, pounds and yes/no are typed cells; text is escaped', () => {
  const buffer = toOds('Declarations', [
    ['Name', 'Year', 'Declared', 'Value', 'Consent'],
    ['A & <B>', 2027, { date: '2027-03-31' }, { gbp: 1250.5 }, true],
    ['Empty', null, null, null, false],
  ]);
  const content = zipEntries(buffer)
    .find((e) => e.name === 'content.xml')!
    .data.toString('utf8');
  assert.ok(content.includes('<table:table table:name="Declarations">'));
  assert.ok(content.includes('office:value-type="float" office:value="2027"'));
  assert.ok(content.includes('office:value-type="date" office:date-value="2027-03-31"'));
  assert.ok(content.includes('office:value-type="currency" office:currency="GBP" office:value="1250.5"'));
  assert.ok(content.includes('office:value-type="boolean" office:boolean-value="true"'));
  assert.ok(content.includes('<text:p>A &amp; &lt;B&gt;</text:p>'));
  assert.ok(!content.includes('office:value-type="float" office:value="A'));
  // Other readers get the same values back (SheetJS reads ODS).
  const book = XLSX.read(buffer, { type: 'buffer', cellDates: true });
  const sheet = book.Sheets[book.SheetNames[0]!]!;
  assert.equal(book.SheetNames[0], 'Declarations');
  assert.equal(sheet.B2!.t, 'n');
  assert.equal(sheet.B2!.v, 2027);
  assert.equal(sheet.D2!.t, 'n');
  assert.equal(sheet.D2!.v, 1250.5);
  assert.equal(sheet.A2!.v, 'A & <B>');
  assert.equal(sheet.C2!.t, 'd');
  assert.equal(sheet.E2!.t, 'b');
});

test('toOds keeps what the other exports passed: rows of text and numbers read back the same', () => {
  const buffer = toOds('Gifts and hospitality', [
    ['Name', 'Value (£)'],
    ['Helen Ward', 60],
    ['Tom Baker', null],
  ]);
  const book = XLSX.read(buffer, { type: 'buffer' });
  const rows = XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[book.SheetNames[0]!]!, { header: 1 });
  assert.deepEqual(rows.slice(0, 2), [
    ['Name', 'Value (£)'],
    ['Helen Ward', 60],
  ]);
  assert.equal(book.SheetNames[0], 'Gifts and hospitality');
});

test('cellText: how a typed cell reads in a CSV', () => {
  assert.deepEqual(
    [
      cellText({ date: '2027-01-02' }),
      cellText({ gbp: 120 }),
      cellText({ gbp: 12.5 }),
      cellText(true),
      cellText(null),
      cellText(3),
    ],
    ['2027-01-02', '£120', '£12.50', 'Yes', '', '3'],
  );
});
