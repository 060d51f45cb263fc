import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKeyring, keyId, newKey, parseKey, seal, secretBox, unseal, KeyError } from './crypto.ts';

test('a sealed value opens with its key and hides the plaintext', () => {
  const ring = buildKeyring(newKey());
  const sealed = seal(ring, '{"name":"Chloe Davies"}', 'emergency_pack:7');
  assert.equal(sealed.keyId, ring.currentId);
  assert.ok(!Buffer.from(sealed.ciphertext, 'base64').toString('utf8').includes('Chloe'));
  assert.equal(unseal(ring, sealed, 'emergency_pack:7'), '{"name":"Chloe Davies"}');
  // A fresh IV each time: the same text seals differently.
  assert.notEqual(seal(ring, 'x', 'a').ciphertext, seal(ring, 'x', 'a').ciphertext);
});

test('a value moved to another row, or altered, does not open', () => {
  const ring = buildKeyring(newKey());
  const sealed = seal(ring, 'secret', 'emergency_pack:7');
  assert.throws(() => unseal(ring, sealed, 'emergency_pack:8'), KeyError);
  const raw = Buffer.from(sealed.ciphertext, 'base64');
  raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
  assert.throws(() => unseal(ring, { ...sealed, ciphertext: raw.toString('base64') }, 'emergency_pack:7'), KeyError);
});

test('after rotation the old key still opens old values; new values use the new key', () => {
  const oldKey = newKey();
  const before = seal(buildKeyring(oldKey), 'old', 'aad');
  const rotated = buildKeyring(newKey(), [oldKey]);
  assert.equal(unseal(rotated, before, 'aad'), 'old');
  assert.notEqual(seal(rotated, 'new', 'aad').keyId, keyId(oldKey));
  assert.throws(() => unseal(buildKeyring(newKey()), before, 'aad'), /no key with id/);
});

test('configuration keys must be 32 bytes of base64', () => {
  assert.equal(parseKey(Buffer.alloc(32, 1).toString('base64')).length, 32);
  assert.throws(() => parseKey(Buffer.alloc(16).toString('base64')), /32 bytes/);
  assert.throws(() => parseKey('not base64!'), /base64/);
});

test('a secret box seals to one text value bound to its row, reads values kept in clear, and knows the current key', async () => {
  const oldKey = newKey();
  let ring = buildKeyring(oldKey);
  const box = secretBox(async () => ring);
  const stored = await box.seal('JBSWY3DPEHPK3PXP', 'totp:7');
  assert.match(stored, /^sealed:k[0-9a-f]{16}:/);
  assert.ok(!stored.includes('JBSWY3DPEHPK3PXP'));
  assert.equal(await box.open(stored, 'totp:7'), 'JBSWY3DPEHPK3PXP');
  await assert.rejects(box.open(stored, 'totp:8'), KeyError);
  assert.equal(await box.open('JBSWY3DPEHPK3PXP', 'totp:7'), 'JBSWY3DPEHPK3PXP', 'kept in clear before sealing began');
  assert.equal(await box.isCurrent(stored), true);
  ring = buildKeyring(newKey(), [oldKey]);
  assert.equal(await box.isCurrent(stored), false);
  assert.equal(await box.open(stored, 'totp:7'), 'JBSWY3DPEHPK3PXP', 'an older key in the ring still opens it');
});
