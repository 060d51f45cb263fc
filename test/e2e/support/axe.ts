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
  const lines = [`axe found ${violations.length} accessibility ${violations.length === 1 ? 'violation' : 'violations'} on ${url}:`];
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

/** Runs axe on the page as it is now; throws with a readable list if anything fails. */
export async function assertAccessible(page: Page, info: { status: number | null; context: string }): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const url = page.url();
  checkedPages.push({ url, status: info.status, title: await page.title(), context: info.context, violations: results.violations.length });
  if (results.violations.length) throw new AccessibilityError(formatViolations(url, results.violations as Violation[]));
}

/** A short report of the pages checked, for the end of a test file. */
export function checkedPagesReport(): string {
  const rows = checkedPages.map((p) => {
    const path = new URL(p.url).pathname + new URL(p.url).search;
    return `  ${String(p.status ?? '---')} ${path}  (${p.context})${p.violations ? `  ${p.violations} VIOLATIONS` : ''}`;
  });
  return [`axe checked ${checkedPages.length} page loads:`, ...rows].join('\n');
}
