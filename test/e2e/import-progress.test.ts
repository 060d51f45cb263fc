/**
 * Issue 15: a historic import's progress page (/imports/:id), in the browser. The upload goes to the
 * page, its script follows the background job without a timed refresh, and the finished page says
 * what was imported. axe checks the page as it loads and again when the import has finished.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { SignInPage } from './support/pages.ts';

describe('following a historic incidents import', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  for (const [label, viewport] of [
    ['desktop', undefined],
    ['phone 360×740', PHONE],
  ] as const) {
    it(`the upload goes to a progress page that ends with what was imported (${label})`, async () => {
      const worker = await e2e.db
        .selectFrom('staff')
        .select('employee_number')
        .where('email', '=', 'chloe.davies@harbour.example')
        .executeTakeFirstOrThrow();
      const rows = Array.from(
        { length: 300 },
        (_, i) =>
          `E2E-${label.length}-${i},2024-0${1 + (i % 9)}-1${i % 10},${worker.employee_number},Somewhere ${i},threats,Threatened at the door`,
      );
      const csv = `reference,occurred_date,employee_number,location,categories,narrative\n${rows.join('\n')}\n`;

      const s = await e2e.session(`import progress ${label}`, viewport ? { viewport } : {});
      await new SignInPage(s).open();
      assert.equal(await new SignInPage(s).signIn('fiona.reid@harbour.example'), 200);
      assert.equal(await s.goto('/incidents/import'), 200);
      await s.page
        .locator('input[type="file"]')
        .setInputFiles({ name: 'history.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Import' }).click()), 200);
      assert.match(s.path, /^\/imports\/\d+$/);
      // While the job runs, the page's script checks every 2 s (no timed refresh) and loads the page
      // once when the import has finished; axe checks that load too.
      if (await s.page.locator('[data-import-progress="running"]').count()) {
        assert.match(await s.page.locator('#import-count').innerText(), /Waiting to start|Imported [\d,]+ of 300 rows/);
        assert.equal(await s.navigate((page) => page.getByText('Import complete').waitFor({ timeout: 60_000 })), 200);
      }
      assert.match(await s.page.locator('main').innerText(), /Import complete[\s\S]*300 incidents imported/);
      const { scrollWidth } = await s.pageScrollWidth();
      assert.ok(scrollWidth <= (viewport?.width ?? 1280), `no sideways scrolling (${scrollWidth})`);
      await s.close();
    });
  }
});
