import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, canonicalJson, hashEntry, verifyChain, type AuditFields } from './chain.ts';

function chain(n: number) {
  const out: (AuditFields & { hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e: AuditFields = {
      id: String(i),
      occurredAt: new Date(Date.UTC(2026, 0, i)),
      actorId: 1,
      actorLabel: 'a@example.org',
      action: 'staff.update',
      entityType: 'staff',
      entityId: String(i),
      ip: '127.0.0.1',
      detail: { b: 1, a: [i] },
      prevHash: prev,
    };
    const hash = hashEntry(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

test('canonicalJson sorts keys at every depth', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } }),
    '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}',
  );
});

test('an intact chain verifies', async () => {
  assert.deepEqual(await verifyChain(chain(5)), { ok: true, checked: 5 });
});

test('an altered entry is named', async () => {
  const c = chain(5);
  c[2] = { ...c[2]!, action: 'staff.delete' };
  const r = await verifyChain(c);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.brokenId, '3');
});

test('a removed entry breaks the link of the next one', async () => {
  const c = chain(5);
  c.splice(1, 1);
  const r = await verifyChain(c);
  assert.equal(!r.ok && r.brokenId, '3');
});
