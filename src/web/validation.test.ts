import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import {
  email,
  fieldLabel,
  optionalId,
  optionalPhone,
  optionalText,
  parseWith,
  postcode,
  requiredText,
} from './validation.ts';

const schema = z.object({
  name: requiredText('Enter a name'),
  email: email(),
  phone: optionalPhone(),
  team: optionalId(),
  postcode: postcode(),
});

test('valid input is cleaned', () => {
  const v = parseWith(schema, { name: ' Ann ', email: 'ANN@Example.org', phone: '', team: '3', postcode: 'me14 1xq' });
  assert.deepEqual(v, { name: 'Ann', email: 'ann@example.org', phone: null, team: 3, postcode: 'ME14 1XQ' });
});

test('every bad field gets its own message and href', () => {
  try {
    parseWith(schema, { name: '', email: 'nope', phone: '12', team: 'x', postcode: 'zzz' });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(
      e.errors.map((x) => x.field),
      ['name', 'email', 'phone', 'team', 'postcode'],
    );
    assert.equal(e.errors[0]!.message, 'Enter a name');
  }
});

test('a length error names its field, whichever shared shape made it', () => {
  assert.equal(fieldLabel('perpetratorName'), 'Perpetrator name');
  assert.equal(fieldLabel('given_name'), 'Given name');
  assert.throws(
    () => parseWith(z.object({ jobTitle: optionalText(5) }), { jobTitle: 'far too long' }),
    (e: { errors: { field: string; message: string }[] }) =>
      e.errors[0]!.message === 'Job title must be 5 characters or fewer',
  );
});
