import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** WCAG 2.2 AA as axe-core tags it: everything at levels A and AA up to 2.2. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface CheckedPage {
  url: string;
  status: number | null;
  title: string;
  /** Which test and viewport the page was checked in. */
  context: string;
  violations: number;
  /** True when the page was in exactly the state of an earlier check in this file, so axe's result was reused. */
  repeat?: boolean;
}

/** Every page axe has looked at in this test file, in order. */
export const checkedPages: CheckedPage[] = [];

interface Violation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown; failureSummary?: string; html: string }[];
}

export class AccessibilityError extends Error {
  override name = 'AccessibilityError';
}

/** A list a person can act on: rule, impact, what to fix, and each failing element. */
export function formatViolations(url: string, violations: Violation[]): string {
  const lines = [
    `axe found ${violations.length} accessibility ${violations.length === 1 ? 'violation' : 'violations'} on ${url}:`,
  ];
  for (const v of violations) {
    lines.push(`\n- [${v.impact ?? 'unknown'}] ${v.id}: ${v.help}\n  ${v.helpUrl}`);
    for (const node of v.nodes.slice(0, 5)) {
      lines.push(`    at ${JSON.stringify(node.target)}\n      ${node.html.slice(0, 200)}`);
      if (node.failureSummary) lines.push(...node.failureSummary.split('\n').map((l) => `      ${l}`));
    }
    if (v.nodes.length > 5) lines.push(`    ...and ${v.nodes.length - 5} more elements`);
  }
  return lines.join('\n');
}

/**
 * axe-core's minified build, the very version @axe-core/playwright injects (resolved through it).
 * Minified it is under half the size to send and parse on every page load.
 */
const AXE_SOURCE = readFileSync(
  createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright')).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * axe's result for each page state already checked in this file (the state's hash → violations).
 * The same state gives the same result, so checking it again would only repeat the work: the
 * sign-in page each session opens, each person's home page after signing in.
 */
const resultsByState = new Map<string, Violation[]>();

/**
 * Everything axe's result depends on, read from the page: the document as it is now (with the
 * session's CSRF token left out, which differs per session and is a hidden input's value), the
 * live values of form fields, the viewport, scroll position, URL fragment, and which element has
 * focus or the pointer over it (focus and hover styles change colours). Two checks share a result
 * only when all of these are identical.
 */
async function pageState(page: Page): Promise<string> {
  const state = await page.evaluate(() => {
    const all = [...document.querySelectorAll('*')];
    const hovered = [...document.querySelectorAll(':hover')].pop();
    const active = document.activeElement;
    return JSON.stringify({
      html: document.documentElement.outerHTML.replace(/(name="_csrf"[^>]*?value=")[^"]*/g, '$1'),
      fields: [...document.querySelectorAll('input:not([name="_csrf"]), select, textarea')].map((el) => {
        const f = el as HTMLInputElement;
        return `${f.value}|${f.checked}`;
      }),
      viewport: [window.innerWidth, window.innerHeight, window.devicePixelRatio, window.scrollX, window.scrollY],
      hash: location.hash,
      focus: active ? [all.indexOf(active), active.matches(':focus-visible')] : null,
      hover: hovered ? all.indexOf(hovered) : null,
      frames: window.frames.length,
    });
  });
  return createHash('sha256').update(state).digest('hex');
}

/**
 * Runs axe (WCAG 2.2 AA tags) in the page itself, injecting axe-core once per document. Pages with
 * frames go through @axe-core/playwright, which injects axe into every frame.
 */
async function runAxe(page: Page): Promise<Violation[]> {
  if (page.frames().length > 1)
    return (await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()).violations as Violation[];
  const injected = await page.evaluate(
    () => typeof (window as unknown as { axe?: { run?: unknown } }).axe?.run === 'function',
  );
  if (!injected) await page.evaluate(AXE_SOURCE);
  // Only violations are wanted: axe then skips building the lists of passes and incomplete checks.
  return page.evaluate(
    (tags) =>
      (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: Violation[] }> } }).axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((r) => r.violations),
    AXE_TAGS,
  );
}

/** Runs axe on the page as it is now; throws with a readable list if anything fails. */
export async function assertAccessible(page: Page, info: { status: number | null; context: string }): Promise<void> {
  const state = await pageState(page);
  const known = resultsByState.get(state);
  const violations = known ?? (await runAxe(page));
  resultsByState.set(state, violations);
  const url = page.url();
  checkedPages.push({
    url,
    status: info.status,
    title: await page.title(),
    context: info.context,
    violations: violations.length,
    ...(known ? { repeat: true } : {}),
  });
  if (violations.length) throw new AccessibilityError(formatViolations(url, violations));
}

/** A short report of the pages checked, for the end of a test file. */
export function checkedPagesReport(): string {
  const rows = checkedPages.map((p) => {
    const path = new URL(p.url).pathname + new URL(p.url).search;
    return `  ${String(p.status ?? '---')} ${path}  (${p.context})${p.repeat ? '  same state as an earlier check' : ''}${p.violations ? `  ${p.violations} VIOLATIONS` : ''}`;
  });
  const repeats = checkedPages.filter((p) => p.repeat).length;
  return [
    `axe checked ${checkedPages.length} page loads (${checkedPages.length - repeats} distinct page states):`,
    ...rows,
  ].join('\n');
}
