import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Every route the app has registered, as "METHOD /pattern" (HEAD routes Fastify adds for each GET
 * are left out). Read from app.printRoutes(), the radix tree one method at a time: each line's
 * depth is its indent in 4-character steps, and a route's path is its ancestors' segments joined.
 */
export function registeredRoutes(app: FastifyInstance): string[] {
  const found = new Set<string>();
  for (const method of ROUTE_METHODS) {
    const stack: string[] = [];
    for (const line of app.printRoutes({ method }).split('\n')) {
      const m = /^((?:│ {3}| {4})*)[├└]── (.*)$/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      const node = /^(.*) \(([A-Z, ]+)\)$/.exec(m[2]!);
      stack.length = depth;
      stack.push(node ? node[1]! : m[2]!);
      if (node && node[2]!.split(', ').includes(method)) found.add(`${method} ${stack.join('')}`);
    }
  }
  return [...found].sort();
}

/** The ids of the demo council's records that the route tests point at. */
export async function demoIds(db: Kysely<DB>) {
  const teams = new Map((await db.selectFrom('teams').select(['id', 'name']).execute()).map((t) => [t.name, t.id]));
  const staff = new Map((await db.selectFrom('staff').select(['id', 'email']).execute()).map((s) => [s.email, s.id]));
  const accounts = new Map(
    (await db.selectFrom('accounts').select(['id', 'email']).execute()).map((a) => [a.email, a.id]),
  );
  const buildings = new Map(
    (await db.selectFrom('buildings').select(['id', 'name']).execute()).map((b) => [b.name, b.id]),
  );
  const services = new Map(
    (await db.selectFrom('services').select(['id', 'name']).execute()).map((s) => [s.name, s.id]),
  );
  const directorate = await db.selectFrom('directorates').select('id').orderBy('id').executeTakeFirstOrThrow();
  const get = <K, V>(map: Map<K, V>, key: K): V => {
    const v = map.get(key);
    if (v === undefined) throw new Error(`demo data has no ${String(key)}`);
    return v;
  };
  const person = (given: string, family: string) => get(staff, `${given}.${family}@harbour.example`.toLowerCase());
  return {
    team: {
      ashford: get(teams, 'Ashford Children in Care'),
      maidstone: get(teams, 'Maidstone Children in Care'),
      swale: get(teams, 'Swale Early Help'),
    },
    service: {
      childrenInCare: get(services, 'Children in Care'),
      earlyHelp: get(services, 'Early Help and Preventative Services'),
    },
    directorate: directorate.id,
    building: { civic: get(buildings, 'Civic Centre'), gateway: get(buildings, 'Sittingbourne Gateway') },
    person: {
      aisha: person('Aisha', 'Khan'),
      chloe: person('Chloe', 'Davies'),
      dev: person('Dev', 'Patel'),
      ola: person('Ola', 'Adeyemi'),
      ben: person('Ben', 'Carter'),
      nadia: person('Nadia', 'Hussain'),
      owen: person('Owen', 'Jones'),
      jamal: person('Jamal', 'Brown'),
      katie: person('Katie', 'Wilson'),
      helen: person('Helen', 'Ward'),
    },
    account: (email: string) => get(accounts, email),
  };
}
export type DemoIds = Awaited<ReturnType<typeof demoIds>>;

export async function auditCount(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The GOV.UK form pattern after a bad submission: 400, an error summary, and each error linked to its field. */
export function errorLinks(res: LightMyRequestResponse): string[] {
  return [...res.body.matchAll(/<a href="#([^"]+)"/g)].map((m) => m[1]!);
}

/** The value attribute of the input with this id, decoded as a browser would. */
export function inputValue(html: string, id: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  if (!tag) return undefined;
  const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
  return value === undefined ? undefined : unescapeHtml(value);
}

/** The value of the option selected in the select with this id. */
export function selectedOption(html: string, id: string): string | undefined {
  const select = new RegExp(`<select[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1];
  if (!select) return undefined;
  return /<option value="([^"]*)" selected/.exec(select)?.[1];
}

export function textareaValue(html: string, id: string): string | undefined {
  const m = new RegExp(`<textarea[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return m ? unescapeHtml(m[1]!) : undefined;
}

export function unescapeHtml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
