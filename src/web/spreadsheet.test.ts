import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as XLSX from 'xlsx';
import { toOds } from './spreadsheet.ts';

test('toOds writes an OpenDocument spreadsheet that reads back the same cells', () => {
  const buffer = toOds('Gifts and hospitality', [['Name', 'Value (£)'], ['Helen Ward', 60], ['Tom Baker', null]]);
  // An ODS file is a zip whose first entry is the uncompressed mimetype.
  assert.equal(buffer.subarray(0, 2).toString(), 'PK');
  assert.ok(buffer.includes(Buffer.from('application/vnd.oasis.opendocument.spreadsheet')));
  const book = XLSX.read(buffer, { type: 'buffer' });
  const rows = XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[book.SheetNames[0]!]!, { header: 1 });
  assert.deepEqual(rows.slice(0, 2), [['Name', 'Value (£)'], ['Helen Ward', 60]]);
  assert.equal(book.SheetNames[0], 'Gifts and hospitality');
});
