import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, unzipSync } from 'fflate';
import { buildExportZip, markForReview, sectionCsv, type Section } from './export.ts';

const subject = {
  kind: 'staff' as const,
  name: 'Ben Carter',
  reference: 'E1001',
  requestedBy: 'Iona Governance',
  at: new Date('2026-03-01T09:30:00Z'),
};
const incidents: Section = {
  file: 'incidents',
  title: 'Incidents',
  description: 'Reported or involved',
  thirdParty: ['witnesses', 'perpetrator_case_id'],
  rows: [
    {
      id: 1,
      occurred_at: new Date('2025-01-02T10:00:00Z'),
      witnesses: 'Ann Other',
      perpetrator_case_id: null,
      categories: ['verbal_abuse'],
    },
    { id: 2, occurred_at: new Date('2025-02-02T10:00:00Z'), witnesses: null, perpetrator_case_id: '', categories: [] },
  ],
};

test('rows holding third parties’ data are marked for redaction review, naming the fields', () => {
  const marked = markForReview(incidents);
  assert.deepEqual(marked[0]!.redaction_review, ['witnesses']);
  assert.deepEqual(marked[1]!.redaction_review, []);
});

test('the CSV has a redaction_review column and neutralises formula cells', () => {
  const csv = sectionCsv({ ...incidents, rows: [{ id: 1, witnesses: '=HYPERLINK("x")', perpetrator_case_id: null }] });
  const [head, row] = csv.trim().split('\n');
  assert.equal(head, 'id,witnesses,perpetrator_case_id,redaction_review');
  assert.ok(row!.includes(`'=HYPERLINK`), row);
  assert.ok(row!.endsWith(',witnesses'), row);
});

test('the zip opens and holds a readable index, and a CSV and JSON per section', () => {
  const files = unzipSync(
    buildExportZip(subject, [
      incidents,
      { file: 'gifts', title: 'Gifts', description: 'None', rows: [], thirdParty: [] },
    ]),
  );
  assert.deepEqual(Object.keys(files).sort(), [
    'gifts.csv',
    'gifts.json',
    'incidents.csv',
    'incidents.json',
    'index.html',
    'index.json',
  ]);
  const index = strFromU8(files['index.html']!);
  assert.match(index, /<h1>Subject access export: Ben Carter<\/h1>/);
  assert.match(index, /incidents\.csv/);
  assert.match(index, /redaction review/i);
  const json = JSON.parse(strFromU8(files['incidents.json']!)) as {
    records: { redaction_review: string[] }[];
    thirdPartyFields: string[];
  };
  assert.equal(json.records.length, 2);
  assert.deepEqual(json.thirdPartyFields, ['witnesses', 'perpetrator_case_id']);
  const idx = JSON.parse(strFromU8(files['index.json']!)) as {
    sections: { file: string; count: number; review: number }[];
  };
  assert.deepEqual(
    idx.sections.map((s) => [s.file, s.count, s.review]),
    [
      ['incidents', 2, 1],
      ['gifts', 0, 0],
    ],
  );
});

test('the index escapes names (no markup from the data)', () => {
  const files = unzipSync(buildExportZip({ ...subject, name: '<script>x</script>' }, []));
  assert.ok(!strFromU8(files['index.html']!).includes('<script>x'));
});
