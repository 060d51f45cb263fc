import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Agent } from './app.ts';

/**
 * After an upload that passed its checks: the 303 to the import's page, then that page asked for
 * again (as its "Check progress" link does) until the job has finished. Returns the page and its URL.
 */
export async function followImport(agent: Agent, upload: LightMyRequestResponse, timeoutMs = 60_000) {
  assert.equal(upload.statusCode, 303, upload.body.slice(0, 500));
  const url = String(upload.headers.location);
  assert.match(url, /^\/imports\/\d+$/);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const page = await agent.get(url);
    assert.equal(page.statusCode, 200);
    if (page.body.includes('data-import-progress="finished"')) return { page, url };
    assert.match(page.body, /Waiting to start: [\d,]+ rows? to import|Imported [\d,]+ of [\d,]+ rows/);
    assert.match(
      page.body,
      new RegExp(`<a class="govuk-link" href="${url}" data-import-check>Check progress</a>`),
      'a link to check again, for people without JavaScript',
    );
    if (Date.now() > until) assert.fail(`the import at ${url} did not finish in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
