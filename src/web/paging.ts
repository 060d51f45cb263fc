import { sql, type SelectQueryBuilder } from 'kysely';
/**
 * Lists that page: 50 rows a page, "Showing 51 to 100 of 4,001", and the GOV.UK pagination
 * component's items (first, last, the pages around this one, ellipses between). No list stops
 * silently at a cap: the total is always counted and shown.
 */
export const PER_PAGE = 50;
const MAX_PAGE = 100_000;

/** The page asked for in a query string; anything that is not a page number is page 1. */
export function pageFrom(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return Math.min(MAX_PAGE, Math.max(1, n));
}

export interface Paging {
  page: number;
  pages: number;
  total: number;
  /** "Showing 51 to 100 of 4,001 incidents", or "No incidents" for an empty list. */
  showing: string;
  /** govukPagination parameters, or null when everything fits on one page. */
  pagination: {
    previous?: { href: string };
    next?: { href: string };
    items: ({ number: string; href: string; current: boolean } | { ellipsis: true })[];
  } | null;
}

/** The plural noun of a list for one row: people → person, entries → entry, open alerts → open alert. */
export function singular(noun: string): string {
  if (noun.endsWith('people')) return `${noun.slice(0, -6)}person`;
  if (noun.endsWith('ies')) return `${noun.slice(0, -3)}y`;
  return noun.endsWith('s') ? noun.slice(0, -1) : noun;
}

export function paging(
  page: number,
  total: number,
  noun: string,
  href: (page: number) => string,
  perPage = PER_PAGE,
): Paging {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const current = Math.min(page, pages);
  const first = total === 0 ? 0 : (current - 1) * perPage + 1;
  const last = Math.min(total, current * perPage);
  const n = (x: number) => x.toLocaleString('en-GB');
  const showing =
    total === 0
      ? `No ${noun}`
      : total === 1
        ? `Showing 1 ${singular(noun)}`
        : `Showing ${n(first)} to ${n(last)} of ${n(total)} ${noun}`;
  if (pages === 1) return { page: current, pages, total, showing, pagination: null };
  const wanted = [...new Set([1, current - 1, current, current + 1, pages])]
    .filter((p) => p >= 1 && p <= pages)
    .sort((a, b) => a - b);
  const items: NonNullable<Paging['pagination']>['items'] = [];
  wanted.forEach((p, i) => {
    if (i > 0 && p - wanted[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: String(p), href: href(p), current: p === current });
  });
  return {
    page: current,
    pages,
    total,
    showing,
    pagination: {
      ...(current > 1 ? { previous: { href: href(current - 1) } } : {}),
      ...(current < pages ? { next: { href: href(current + 1) } } : {}),
      items,
    },
  };
}

/** A query string for a list's links: its filters (empty ones left out) and a page. */
export function listHref(path: string, filters: Record<string, string | null | undefined>, page: number): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  if (page > 1) q.set('page', String(page));
  const text = q.toString();
  return text ? `${path}?${text}` : path;
}

/** One page of a list query and its total, the page kept within the list (past the end shows the last page). */
export async function fetchPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: number,
  perPage = PER_PAGE,
): Promise<{ rows: O[]; total: number; page: number }> {
  const counted = (await query
    .clearOrderBy()
    .clearSelect()
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirst()) as { n: string | number } | undefined;
  const total = Number(counted?.n ?? 0);
  const current = Math.min(Math.max(1, page), Math.max(1, Math.ceil(total / perPage)));
  const rows =
    total === 0
      ? []
      : await query
          .limit(perPage)
          .offset((current - 1) * perPage)
          .execute();
  return { rows, total, page: current };
}

/** A text filter from a query string: trimmed and cut to `max`; a repeated or missing one is empty. */
export function textParam(query: unknown, name: string, max = 100): string {
  const value = (query as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** A choice from a query string: one of `allowed`, or null for anything else. */
export function choiceParam<K extends string>(
  query: unknown,
  name: string,
  allowed: Readonly<Record<K, unknown>>,
): K | null {
  const value = (query as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' && Object.hasOwn(allowed, value) ? (value as K) : null;
}
