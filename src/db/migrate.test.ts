import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listMigrations, splitStatements } from './migrate.ts';

test('splitStatements keeps dollar-quoted function bodies whole', () => {
  const parts = splitStatements(`-- comment
CREATE TABLE a (id int);
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'no';
END;
$$;
ALTER TABLE a ADD COLUMN b int;`);
  assert.equal(parts.length, 3);
  assert.match(parts[1]!, /END;\n\$\$;$/);
});

test('every checked-in migration splits into statements ending with a semicolon', () => {
  for (const m of listMigrations()) {
    const parts = splitStatements(m.sql);
    assert.ok(parts.length > 0, m.version);
    for (const p of parts) assert.ok(p.endsWith(';'), `${m.version}: ${p.slice(0, 60)}`);
  }
});
