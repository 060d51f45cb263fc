import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boardRank } from './service.ts';

test('alarms and overdue sessions sort to the top, finished ones to the bottom', () => {
  const rows = [
    { state: 'completed', alert_status: null },
    { state: 'planned', alert_status: null },
    { state: 'in_progress', alert_status: null },
    { state: 'in_progress', alert_status: 'open' },
    { state: 'overdue', alert_status: 'acknowledged' },
  ];
  assert.deepEqual(rows.map(boardRank), [3, 2, 1, 0, 0]);
});
