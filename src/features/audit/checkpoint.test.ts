import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointLine, compareWithCheckpoints, parseCheckpoints } from './checkpoint.ts';

const at = new Date('2026-12-05T12:00:00Z');
const h = (c: string) => c.repeat(64);

test('signed checkpoints read back; a changed or unsigned line is refused with the key', () => {
  const text =
    [checkpointLine({ id: '10', hash: h('a') }, at, 'key'), checkpointLine({ id: '20', hash: h('b') }, at, 'key')].join(
      '\n',
    ) + '\n';
  assert.equal(parseCheckpoints(text, 'key').checkpoints.length, 2);
  const changed = text.replace(h('b'), h('c'));
  assert.deepEqual(
    parseCheckpoints(changed, 'key').problems.map((p) => p.line),
    [2],
  );
  const unsigned = checkpointLine({ id: '30', hash: h('d') }, at, null);
  assert.match(parseCheckpoints(unsigned, 'key').problems[0]!.reason, /signature/);
  assert.equal(parseCheckpoints(unsigned, null).problems.length, 0, 'without a key, unsigned files are read');
  assert.match(parseCheckpoints('not json\n', null).problems[0]!.reason, /not a checkpoint/);
});

test('compare: agrees, stops short, disagrees, or missing from the middle', () => {
  const { checkpoints } = parseCheckpoints(
    [
      checkpointLine({ id: '10', hash: h('a') }, at, null),
      checkpointLine({ id: '20', hash: h('b') }, at, null),
      checkpointLine({ id: '30', hash: h('c') }, at, null),
      checkpointLine({ id: '40', hash: h('d') }, at, null),
    ].join('\n'),
    null,
  );
  const problems = compareWithCheckpoints(
    checkpoints,
    new Map([
      ['10', h('a')],
      ['30', h('x')],
    ]),
    '35',
  );
  assert.deepEqual(
    problems.map((p) => [p.id, p.reason.split(' (')[0]]),
    [
      ['20', 'the chain has no entry with its id'],
      ['30', 'the chain disagrees with it'],
      ['40', 'the chain stops short of it'],
    ],
  );
});
