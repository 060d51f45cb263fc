import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLetter, letterDocx, type LetterInput } from './letter.ts';
import { protect, redacted } from './disclosure.ts';

const dismissals = redacted(
  await protect({
    title: 'Dismissals',
    rowHeader: 'Period',
    columns: ['Dismissals'],
    rows: [{ label: 'Since 2008', cells: [4] }],
    rowTotals: false,
    columnTotals: false,
  }),
);

const input = (o: Partial<LetterInput> = {}): LetterInput => ({
  reference: 'FOI/12/0179',
  regime: 'foi',
  title: 'complaints about social workers',
  requesterName: 'Ms Hersom',
  date: '2012-03-05',
  reviewBy: '2012-05-02',
  council: 'Kent County Council',
  officer: 'Irene Cole',
  cost: null,
  questions: [
    {
      position: 2,
      text: 'Second?',
      outcome: 'not_held',
      answer: null,
      advice: 'Please ask the police.',
      exemption: null,
      exemptionReasons: null,
      table: null,
    },
    {
      position: 1,
      text: 'First?',
      outcome: 'provided',
      answer: 'Please see below.',
      advice: null,
      exemption: null,
      exemptionReasons: null,
      table: dismissals,
    },
    {
      position: 3,
      text: 'Third?',
      outcome: 'exempt',
      answer: null,
      advice: null,
      exemption: 's12',
      exemptionReasons: null,
      table: null,
    },
  ],
  ...o,
});

test('answers come in question order, with the reference, the review date, the ICO route and the OGL line', () => {
  const l = buildLetter(input());
  assert.deepEqual(
    l.answers.map((a) => a.number),
    [1, 2, 3],
  );
  assert.equal(l.reference, 'FOI/12/0179');
  assert.equal(l.salutation, 'Dear Ms Hersom');
  assert.match(l.review, /40 working days.*2 May 2012.*FOI\/12\/0179/);
  assert.match(l.ico, /Information Commissioner/);
  assert.match(l.licence, /Open Government Licence/);
});

test('not held: s17 wording and the advice to go elsewhere (seed 000)', () => {
  const q2 = buildLetter(input()).answers[1]!;
  assert.match(q2.paragraphs.join(' '), /does not hold this information.*section 17/);
  assert.match(q2.paragraphs.join(' '), /Please ask the police/);
});

test('small numbers in an attached statistic are explained as a s40(2) refusal (seed 004)', () => {
  const l = buildLetter(input());
  assert.equal(l.answers[0]!.table!.rows[0]!.cells[0]!.text, '[c]');
  assert.match(l.answers[0]!.paragraphs.join(' '), /section 40\(2\)/);
  assert.match(l.answers[0]!.paragraphs.join(' '), /shown as "\[c\]"/);
  // The letter's own words carry no count from 1 to 4.
  assert.doesNotMatch(l.answers[0]!.paragraphs.join(' '), /fewer than 5|from 1 to 4/);
  assert.ok(l.refusal.some((r) => r.startsWith('Question 1: small numbers')));
});

test('a s12 refusal shows the cost arithmetic when an estimate is recorded', () => {
  const l = buildLetter(input({ cost: { determining: 4, locating: 8, retrieving: 4, extracting: 4 } }));
  assert.match(l.answers[2]!.paragraphs.join(' '), /20 hours.*£500.*£450/);
  assert.ok(l.refusal.some((r) => r.includes('section 12')));
});

test('the published version has no requester name', () => {
  assert.equal(buildLetter(input({ requesterName: null })).salutation, 'Dear Requester');
});

test('the .docx is a Word document (a zip) with the letter in it', async () => {
  const buf = await letterDocx(buildLetter(input()));
  assert.equal(buf.subarray(0, 2).toString(), 'PK');
  assert.ok(buf.length > 2000);
});

test('EIR: not held is regulation 12(4)(a) under a regulation 14 refusal; small numbers are regulation 13', () => {
  const l = buildLetter(input({ regime: 'eir' }));
  assert.match(l.heading, /^Environmental Information Regulations 2004/);
  assert.equal(l.refusalHeading, 'Refusal notice (regulation 14)');
  assert.match(l.answers[1]!.paragraphs.join(' '), /refusal notice under regulation 14 .*regulation 12\(4\)\(a\)/);
  assert.doesNotMatch(l.answers[1]!.paragraphs.join(' '), /section 17/);
  assert.match(l.answers[0]!.paragraphs.join(' '), /regulation 13 of the Regulations/);
  assert.ok(l.refusal.some((r) => r.includes('regulation 12(4)(a)')));
  assert.equal(buildLetter(input()).refusalHeading, 'Refusal notice (section 17)');
});
