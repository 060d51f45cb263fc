import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choiceParam, listHref, pageFrom, paging, singular, textParam } from './paging.ts';

test('pageFrom: only page numbers; anything else is page 1', () => {
  assert.equal(pageFrom('3'), 3);
  for (const v of [undefined, '', '0', '-1', 'x', '1.5', ['2'], '9999999']) assert.equal(pageFrom(v), 1, String(v));
});

test('paging says what is shown out of how many, with no silent cap', () => {
  const href = (p: number) => `/incidents?page=${p}`;
  const p = paging(2, 4001, 'incidents', href);
  assert.equal(p.showing, 'Showing 51 to 100 of 4,001 incidents');
  assert.equal(p.pages, 81);
  assert.deepEqual(p.pagination?.previous, { href: '/incidents?page=1' });
  assert.deepEqual(p.pagination?.next, { href: '/incidents?page=3' });
  assert.deepEqual(
    p.pagination?.items.map((i) => ('ellipsis' in i ? '…' : `${i.number}${i.current ? '*' : ''}`)),
    ['1', '2*', '3', '…', '81'],
  );
  assert.equal(paging(81, 4001, 'incidents', href).showing, 'Showing 4,001 to 4,001 of 4,001 incidents');
  assert.equal(paging(500, 4001, 'incidents', href).page, 81, 'past the end shows the last page');
  assert.deepEqual(paging(1, 0, 'incidents', href), {
    page: 1,
    pages: 1,
    total: 0,
    showing: 'No incidents',
    pagination: null,
  });
  assert.equal(paging(1, 50, 'incidents', href).pagination, null, 'one page needs no pagination');
  assert.equal(
    paging(1, 1, 'complaints', href).showing,
    'Showing 1 complaint',
    'one row: not "1 to 1 of 1 complaints"',
  );
  assert.deepEqual(['people', 'gifts and hospitality entries', 'open alerts', 'responses'].map(singular), [
    'person',
    'gifts and hospitality entry',
    'open alert',
    'response',
  ]);
});

test('listHref keeps the filters and leaves out empty ones and page 1', () => {
  assert.equal(listHref('/incidents', { q: 'Ben', status: '' }, 1), '/incidents?q=Ben');
  assert.equal(listHref('/incidents', { q: null }, 2), '/incidents?page=2');
});

test('query filters: one text value, trimmed and cut; a choice only from its list; repeats and arrays are ignored', () => {
  assert.equal(textParam({ q: '  Ben  ' }, 'q'), 'Ben');
  assert.equal(textParam({ q: 'x'.repeat(300) }, 'q').length, 100);
  assert.equal(textParam({ q: ['a', 'b'] }, 'q'), '');
  assert.equal(textParam(undefined, 'q'), '');
  const kinds = { open: 'Open', closed: 'Closed' } as const;
  assert.equal(choiceParam({ s: 'closed' }, 's', kinds), 'closed');
  for (const v of ['toString', 'nonsense', '', ['open']])
    assert.equal(choiceParam({ s: v }, 's', kinds), null, String(v));
});
