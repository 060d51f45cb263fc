import type { Locator } from 'playwright-core';
import { DEMO_PASSWORD, DEMO_SIGN_INS } from '../../../src/demo/seed.ts';
import type { BrowserSession } from './harness.ts';

/** Page objects: what a person sees and does, by label, role and text rather than CSS. */

/** A service navigation link by its text: Alerts and Inbox may carry a count ("Alerts 1 open", "Inbox 2 unread"). */
export function navLinkName(name: string): RegExp {
  return new RegExp(`^${name}( \\d+ (open|unread))?$`);
}

abstract class HarbourPage {
  constructor(protected readonly s: BrowserSession) {}

  get page() {
    return this.s.page;
  }

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  /** The GOV.UK error summary, if there is one. */
  errorSummary(): ErrorSummary {
    return new ErrorSummary(this.s);
  }

  /** The GOV.UK success notification banner's text. */
  successBanner(): Locator {
    return this.page.locator('.govuk-notification-banner--success');
  }

  /** Follows a link in the service navigation (Home, Teams, Admin...), or under its More menu. */
  async openNavItem(name: string): Promise<number> {
    const nav = this.page.getByRole('navigation', { name: 'Menu' });
    const link = nav.getByRole('link', { name: navLinkName(name) });
    if (await link.count()) return this.s.navigate(() => link.click());
    await this.s.navigate(() => nav.getByRole('link', { name: 'More', exact: true }).click());
    return this.s.navigate(() => this.page.getByRole('main').getByRole('link', { name, exact: true }).click());
  }

  async signOut(): Promise<number> {
    return this.s.navigate(() => this.page.getByRole('button', { name: 'Sign out' }).click());
  }
}

export class ErrorSummary {
  constructor(private readonly s: BrowserSession) {}

  get root(): Locator {
    return this.s.page.locator('.govuk-error-summary');
  }

  async title(): Promise<string> {
    return (await this.root.locator('.govuk-error-summary__title').innerText()).trim();
  }

  /** Each message and the field it links to. */
  async links(): Promise<{ text: string; href: string }[]> {
    return this.root
      .locator('.govuk-error-summary__list a')
      .evaluateAll((as) =>
        as.map((a) => ({ text: (a as HTMLAnchorElement).innerText.trim(), href: a.getAttribute('href') ?? '' })),
      );
  }

  /** Clicks a message and reports which element took focus (GOV.UK moves focus to the field). */
  async follow(text: string): Promise<string> {
    await this.root.getByRole('link', { name: text }).click();
    return (await this.s.focused()).id;
  }
}

export class SignInPage extends HarbourPage {
  async open(): Promise<number> {
    return this.s.goto('/sign-in');
  }

  email(): Locator {
    return this.page.getByLabel('Email address');
  }

  password(): Locator {
    return this.page.getByLabel('Password', { exact: true });
  }

  /**
   * Fills in the form and presses the Sign in button. (Filled, not typed key by key: a key press is
   * a round trip to the browser, and typing through the keyboard is the keyboard test's subject.)
   */
  async signIn(email: string, password = DEMO_PASSWORD): Promise<number> {
    await this.email().fill(email);
    await this.password().fill(password);
    return this.s.navigate(() => this.page.getByRole('button', { name: 'Sign in' }).click());
  }
}

export class HomePage extends HarbourPage {
  /** Links in the "My team" / "Teams" column. */
  teamLinks(): Locator {
    return this.page.locator('.govuk-grid-column-one-third').getByRole('link');
  }
}

export class TeamPage extends HarbourPage {
  /** The warning shown when anyone in the team has no buddy. */
  noBuddyWarning(): Locator {
    return this.page.locator('.govuk-warning-text');
  }

  managerLine(): Locator {
    return this.page.getByText(/^Team manager:/);
  }

  /** The staff table as rows of cell text: name, job role, buddy, line manager, work mobile. */
  async staff(): Promise<{ name: string; jobRole: string; buddy: string; lineManager: string }[]> {
    const table = this.page.getByRole('table', { name: /^Staff in / });
    return table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = [...tr.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim());
        return { name: cells[0] ?? '', jobRole: cells[1] ?? '', buddy: cells[2] ?? '', lineManager: cells[3] ?? '' };
      }),
    );
  }

  async openPerson(name: string): Promise<number> {
    return this.s.navigate(() => this.page.getByRole('table').getByRole('link', { name, exact: true }).click());
  }
}

export class PersonPage extends HarbourPage {
  /** The value of a row in the summary list ("Buddy", "Team"...). */
  async summary(key: string): Promise<string> {
    const row = this.page
      .locator('.govuk-summary-list__row')
      .filter({ has: this.page.locator('.govuk-summary-list__key', { hasText: new RegExp(`^\\s*${key}\\s*$`) }) });
    return (await row.locator('.govuk-summary-list__value').innerText()).trim();
  }

  buddySelect(): Locator {
    return this.page.getByLabel(/Buddy from /);
  }

  /** The names offered in the buddy select, without the blank choice. */
  async buddyChoices(): Promise<string[]> {
    return (await this.buddySelect().locator('option').allTextContents())
      .map((t) => t.trim())
      .filter((t) => t !== 'No buddy');
  }

  async allocateBuddy(name: string): Promise<number> {
    await selectOptionStartingWith(this.buddySelect(), name);
    return this.s.navigate(() => this.page.getByRole('button', { name: 'Save buddy' }).click());
  }
}

export class AdminPage extends HarbourPage {
  async open(): Promise<number> {
    return this.s.goto('/admin');
  }

  async follow(linkName: string): Promise<number> {
    return this.s.navigate(() =>
      this.page.getByRole('main').getByRole('link', { name: linkName, exact: true }).click(),
    );
  }
}

export class TeamFormPage extends HarbourPage {
  name(): Locator {
    return this.page.getByLabel('Team name');
  }

  service(): Locator {
    return this.page.getByLabel('Service', { exact: true });
  }

  manager(): Locator {
    return this.page.getByLabel('Team manager (optional)');
  }

  async save(): Promise<number> {
    return this.s.navigate(() => this.page.getByRole('button', { name: 'Save team' }).click());
  }
}

export class ImportPage extends HarbourPage {
  async open(): Promise<number> {
    return this.s.goto('/admin/import');
  }

  templateLink(): Locator {
    return this.page.getByRole('link', { name: 'Download the CSV template' });
  }

  /** Chooses a file in the GOV.UK file upload and presses Import. */
  async upload(fileName: string, csv: string): Promise<number> {
    await this.page
      .getByLabel('CSV file')
      .setInputFiles({ name: fileName, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    return this.s.navigate(() => this.page.getByRole('button', { name: 'Import' }).click());
  }

  /** The "Rows with problems" table: line number and reason. */
  async rowProblems(): Promise<{ line: number; problem: string }[]> {
    return this.page
      .getByRole('table', { name: 'Rows with problems' })
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => {
          const cells = [...tr.querySelectorAll('th, td')].map((c) => (c as HTMLElement).innerText.trim());
          return { line: Number(cells[0]), problem: cells[1] ?? '' };
        }),
      );
  }

  panel(): Locator {
    return this.page.locator('.govuk-panel');
  }
}

export class PeopleListPage extends HarbourPage {
  async search(q: string): Promise<number> {
    return this.s.goto(`/people?q=${encodeURIComponent(q)}`);
  }

  /** Names in the results table (empty when "No people found"). */
  async names(): Promise<string[]> {
    const table = this.page.getByRole('table');
    if (!(await table.count())) return [];
    return (await table.locator('tbody tr th, tbody tr td:first-child').allInnerTexts()).map((t) => t.trim());
  }
}

/** Selects the option whose text starts with `text` (options carry a role or employee number after the name). */
export async function selectOptionStartingWith(select: Locator, text: string): Promise<string> {
  const options = await select
    .locator('option')
    .evaluateAll((os) =>
      os.map((o) => ({ value: (o as HTMLOptionElement).value, text: (o as HTMLOptionElement).text.trim() })),
    );
  const match = options.find((o) => o.text.startsWith(text));
  if (!match) throw new Error(`No option starting "${text}". Options: ${options.map((o) => o.text).join(', ')}`);
  await select.selectOption(match.value);
  return match.value;
}

/** A demo account's email, from the seed itself so it cannot drift from the data. */
export function demoEmailOf(name: string): string {
  const user = DEMO_SIGN_INS.find((u) => u.name === name);
  if (!user) throw new Error(`No demo account for ${name}`);
  return user.email;
}

/** The demo people these tests sign in as. */
export const demoUsers = {
  teamManager: demoEmailOf('Aisha Khan'),
  admin: demoEmailOf('Alex Morgan-Admin'),
  worker: demoEmailOf('Chloe Davies'),
};
