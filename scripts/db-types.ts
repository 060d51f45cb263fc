import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, PostgresDialect } from 'kysely-codegen';
import { format, resolveConfig } from 'prettier';
import { openMigratedDatabase } from '../src/db/pglite-template.ts';

/**
 * `npm run db:types` writes src/db/schema.ts, Kysely's view of the tables, from a database built by
 * running every migration (embedded PGlite, from the migrated template when there is one, so no
 * server is needed). `--check` (lint and
 * CI) fails when the committed file differs, so the types cannot drift from the SQL. Column types
 * that SQL cannot express (text columns limited by a CHECK, JSON with a known shape) are in
 * .kysely-codegenrc.json.
 */
const OUT = 'src/db/schema.ts';
const config = JSON.parse(readFileSync('.kysely-codegenrc.json', 'utf8')) as {
  dateParser: 'string' | 'timestamp';
  typeMapping: Record<string, string>;
  overrides: { columns: Record<string, string> };
};

const dir = mkdtempSync(join(tmpdir(), 'harbour-db-types-'));
const { database } = await openMigratedDatabase({ pgliteDataDir: join(dir, 'data') });
let text: string;
try {
  const raw = await generate({
    // kysely-codegen brings its own copy of Kysely; the instance is only read through its introspector.
    db: database.db as never,
    dialect: new PostgresDialect({ dateParser: config.dateParser }),
    typeMapping: config.typeMapping,
    overrides: config.overrides,
    // Harbour's tables only: pg-boss keeps its own in the template's `pgboss` schema.
    includePattern: 'public.*',
    outFile: null,
    print: false,
    logger: undefined,
  });
  text = await format(raw, { ...(await resolveConfig(OUT)), filepath: OUT });
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--check')) {
  const committed = readFileSync(OUT, 'utf8');
  if (committed !== text) {
    console.error(`${OUT} is not what the migrations give. Run \`npm run db:types\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${OUT} matches the migrations.`);
} else {
  writeFileSync(OUT, text);
  console.log(`Wrote ${OUT} from the migrations.`);
}
