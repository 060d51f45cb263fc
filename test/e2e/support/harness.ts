import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { buildRepositories } from '../../../src/composition.ts';
import { loadConfig } from '../../../src/config.ts';
import { openDatabase } from '../../../src/db/database.ts';
import { migrate } from '../../../src/db/migrate.ts';
import { seedDemo } from '../../../src/demo/seed.ts';
import { startHarbour, type Harbour } from '../../../src/runtime.ts';
import { londonToday } from '../../../src/time/london.ts';
import { unpackMigratedPglite } from '../../helpers/database.ts';
import { assertAccessible, checkedPages, checkedPagesReport } from './axe.ts';

const execFileAsync = promisify(execFile);

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/**
 * One Harbour (fresh PGlite directory, demo council, jobs running) and one Chromium for a test
 * file. Each test opens its own session: a browser context with its own cookies.
 */
export class E2E {
  private constructor(
    /** Names the record of checked pages: test-results/e2e/<name>.axe.json. */
    readonly name: string,
    readonly harbour: Harbour,
    readonly browser: Browser,
    private readonly dataDir: string,
    private readonly sessions: BrowserSession[] = [],
  ) {}

  /** `testFile` is the test's import.meta.url; it names the record of pages axe checked. `env` adds or overrides settings. */
  static async start(testFile: string, env: Record<string, string> = {}): Promise<E2E> {
    const name = basename(fileURLToPath(testFile)).replace(/\.test\.ts$/, '');
    const dataDir = await mkdtemp(join(tmpdir(), 'harbour-e2e-'));
    // Chromium starts while Harbour does: they are separate processes' work.
    const [browser, harbour] = await Promise.allSettled([
      chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
      (async () => {
        if (env.SEED_DEMO === 'false') await unpackMigratedPglite(dataDir);
        else await execFileAsync('tar', ['-xf', await demoPgliteTemplate(), '-C', dataDir]);
        return startHarbour(
          loadConfig({
            PORT: '0',
            HOST: '127.0.0.1',
            PGLITE_DATA_DIR: dataDir,
            LOG_LEVEL: 'silent',
            JOBS: 'true',
            SEED_DEMO: 'true',
            COOKIE_SECURE: 'false',
            // Every test signs in from 127.0.0.1; the default limit of 10 is for real people.
            SIGN_IN_RATE_LIMIT: '100',
            ...env,
          }),
        );
      })(),
    ]);
    if (browser.status === 'fulfilled' && harbour.status === 'fulfilled')
      return new E2E(name, harbour.value, browser.value, dataDir);
    if (browser.status === 'fulfilled') await browser.value.close().catch(() => {});
    if (harbour.status === 'fulfilled') await harbour.value.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw browser.status === 'rejected' ? browser.reason : (harbour as PromiseRejectedResult).reason;
  }

  get baseUrl() {
    return this.harbour.url;
  }

  /**
   * The running server's own database (the server is in this process). Tests use it to make time
   * pass, e.g. moving a deadline into the past, and to wait for the escalation loop. PGlite has a
   * single connection, so these queries take turns with the server's.
   */
  get db() {
    return this.harbour.database.db;
  }

  /** A new browser context; `label` names it in the list of checked pages. `timezoneId` sets the device's time zone. */
  async session(
    label: string,
    options: { viewport?: { width: number; height: number }; timezoneId?: string } = {},
  ): Promise<BrowserSession> {
    const context = await this.browser.newContext({
      baseURL: this.baseUrl,
      viewport: options.viewport ?? DESKTOP,
      acceptDownloads: false,
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    });
    const s = new BrowserSession(context, await context.newPage(), label);
    this.sessions.push(s);
    return s;
  }

  async stop(): Promise<void> {
    for (const s of this.sessions) await s.close().catch(() => {});
    await Promise.all([this.browser.close().catch(() => {}), this.harbour.stop()]);
    await rm(this.dataDir, { recursive: true, force: true });
    const dir = join(process.cwd(), 'test-results', 'e2e');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${this.name}.axe.json`), JSON.stringify(checkedPages, null, 2) + '\n');
    console.log(checkedPagesReport());
  }
}

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/**
 * What the demo council's data is made from: every file of the application (the migrations, the
 * seed and the code it calls), the PGlite build, and London's date (the demo's complaints and FOI
 * requests are dated relative to today).
 */
function demoTemplateKey(): string {
  const hash = createHash('sha256');
  hash.update(
    JSON.parse(
      readFileSync(new URL('../../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'),
    ).version as string,
  );
  hash.update(londonToday());
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => join(f.parentPath, f.name))
    .sort();
  for (const file of files) hash.update(file.slice(SRC.length)).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

let demoTemplate: Promise<string> | undefined;

/**
 * A PGlite data directory, migrated and with the demo council loaded, as a tarball in the temporary
 * folder, made once and then unpacked by each test file instead of seeding its own (several seconds
 * each). Harbour then starts on it exactly as on a database it seeded itself: `seedDemo` finds the
 * data and does nothing. Written to a unique name and renamed, so files starting together never
 * read half a file.
 */
function demoPgliteTemplate(): Promise<string> {
  demoTemplate ??= (async () => {
    const file = join(tmpdir(), `harbour-e2e-demo-${demoTemplateKey()}.tar`);
    if (existsSync(file)) return file;
    const dir = await mkdtemp(join(tmpdir(), 'harbour-e2e-demo-'));
    try {
      await unpackMigratedPglite(dir);
      const database = await openDatabase({ pgliteDataDir: dir });
      await migrate(database);
      await seedDemo(database.db, buildRepositories(database.db).audit);
      const dump = await database.dumpPgliteDataDir!();
      await database.close();
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
      renameSync(partial, file);
      // Templates of earlier source trees or days are not used again (45 MB each): remove the ones
      // older than an hour, which no test file starting now can be about to unpack.
      for (const old of readdirSync(tmpdir())
        .filter((f) => /^harbour-e2e-demo-[0-9a-f]{16}\.tar$/.test(f))
        .map((f) => join(tmpdir(), f))) {
        if (old !== file && statSync(old).mtimeMs < Date.now() - 3_600_000) rmSync(old, { force: true });
      }
      return file;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return demoTemplate;
}

/**
 * A page that runs axe on every document it loads. Anything that may navigate goes through
 * goto() or navigate(); a load that was not checked fails the next step and close().
 */
export class BrowserSession {
  private loads = 0;
  private checks = 0;
  private lastStatus: number | null = null;
  private closed = false;

  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly label: string,
  ) {
    page.setDefaultTimeout(10_000);
    page.on('load', () => {
      this.loads++;
    });
    page.on('response', (response: Response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame())
        this.lastStatus = response.status();
    });
  }

  /** Opens a path as if typed into the address bar; returns the HTTP status. */
  async goto(path: string): Promise<number> {
    this.assertNothingUnchecked();
    const response = await this.page.goto(path, { waitUntil: 'load' });
    return this.checkCurrentPage(response?.status() ?? null);
  }

  /** Does something that loads a new page (click a link, submit a form, press Enter); returns the status. */
  async navigate(action: (page: Page) => Promise<unknown>): Promise<number> {
    this.assertNothingUnchecked();
    const loaded = this.page.waitForEvent('load');
    await action(this.page);
    await loaded;
    return this.checkCurrentPage(this.lastStatus);
  }

  /**
   * An action that leaves Harbour for another site (the council's sign-in service) and comes back:
   * waits until the browser is on a page `home` accepts, and checks that page with axe. The other
   * site's pages are not Harbour's, so they are not checked.
   */
  async throughOtherSite(action: (page: Page) => Promise<unknown>, home: (url: URL) => boolean): Promise<number> {
    this.assertNothingUnchecked();
    await action(this.page);
    await this.page.waitForURL(home, { waitUntil: 'load' });
    return this.checkCurrentPage(this.lastStatus);
  }

  /** Path and query of the current page. */
  get path(): string {
    const url = new URL(this.page.url());
    return url.pathname + url.search;
  }

  /** What has keyboard focus: tag, id, accessible-ish text. */
  async focused(): Promise<{ tag: string; id: string; text: string; classes: string }> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return { tag: '', id: '', text: '', classes: '' };
      return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        text: (el.getAttribute('aria-label') ?? el.innerText ?? '').trim(),
        classes: el.className,
      };
    });
  }

  /** Presses Tab until `match` holds for the focused element; fails after `max` presses. Returns the presses taken. */
  async tabUntil(
    match: (f: { tag: string; id: string; text: string; classes: string }) => boolean,
    what: string,
    max = 25,
  ): Promise<number> {
    const seen: string[] = [];
    for (let i = 1; i <= max; i++) {
      await this.page.keyboard.press('Tab');
      const f = await this.focused();
      if (match(f)) return i;
      seen.push(`${f.tag}${f.id ? `#${f.id}` : ''} "${f.text.slice(0, 30)}"`);
    }
    throw new Error(`Tab did not reach ${what} in ${max} presses. Focus went: ${seen.join(' → ')}`);
  }

  /** Horizontal scroll of the whole page, in CSS pixels. */
  async pageScrollWidth(): Promise<{ scrollWidth: number; clientWidth: number }> {
    return this.page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const unchecked = this.loads - this.checks;
    await this.context.close();
    if (unchecked > 0)
      throw new Error(
        `${unchecked} page load(s) in "${this.label}" were not checked with axe; use goto() or navigate()`,
      );
  }

  private async checkCurrentPage(status: number | null): Promise<number> {
    this.checks = this.loads;
    await assertAccessible(this.page, { status, context: this.label });
    return status ?? 0;
  }

  private assertNothingUnchecked() {
    if (this.loads > this.checks)
      throw new Error(
        `A page load in "${this.label}" (${this.page.url()}) was not checked with axe; wrap the action that caused it in navigate()`,
      );
  }
}
