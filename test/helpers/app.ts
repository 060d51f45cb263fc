import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.ts';
import {
  buildRepositories,
  buildServices,
  type Repositories,
  type ServiceSettings,
  type Services,
} from '../../src/composition.ts';
import { seedDemo, DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { openTestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  repos: Repositories;
  close(): Promise<void>;
  /** A browser-like client: keeps cookies and sends the page's CSRF token with each form. */
  agent(): Agent;
  signIn(email: string, password?: string): Promise<Agent>;
}

export interface StartOptions {
  seed?: boolean;
  signInRateLimit?: number;
  /** Registers extra routes or hooks (a route that throws, a route recorder) on the built app before it is made ready. */
  beforeReady?: (app: FastifyInstance) => void | Promise<void>;
  /** More app options (OpenID Connect, trusted proxies, public base URL). */
  app?: Partial<AppOptions>;
  /** Service settings (for example the registers' REGISTERS_* settings). */
  settings?: Partial<ServiceSettings>;
}

export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  if (options.seed ?? true) await seedDemo(database.db, repos.audit);
  const services = options.settings
    ? buildServices(repos, { sessionTtlHours: 12, ...options.settings })
    : buildServices(repos);
  const app = await buildApp(services, {
    cookieSecure: false,
    signInRateLimit: options.signInRateLimit ?? 1000,
    ...options.app,
  });
  if (options.beforeReady) await options.beforeReady(app);
  await app.ready();
  const t: TestApp = {
    app,
    services,
    repos,
    async close() {
      await app.close();
      await database.drop();
    },
    agent: () => new Agent(app),
    async signIn(email, password = DEMO_PASSWORD) {
      const agent = new Agent(app);
      const res = await agent.submit('/sign-in', '/sign-in', { email, password });
      if (res.statusCode !== 303) throw new Error(`sign-in as ${email} failed: ${res.statusCode}`);
      return agent;
    },
  };
  return t;
}

export class Agent {
  private cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** A cookie this browser holds (tests that tamper with one). */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string) {
    this.cookies.set(name, value);
  }

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0)
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async get(url: string, headers: Record<string, string> = {}) {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } });
    this.remember(res);
    return res;
  }

  async post(url: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(res);
    return res;
  }

  /** Loads the form page first (as a browser would) to pick up the CSRF token, then posts. */
  async submit(pageUrl: string, action: string, form: Record<string, string | string[]>) {
    const page = await this.get(pageUrl);
    return this.post(action, { _csrf: csrfFrom(page.body), ...form });
  }

  async csrf(pageUrl = '/') {
    return csrfFrom((await this.get(pageUrl)).body);
  }

  async upload(url: string, csrf: string, fileName: string, content: string) {
    const boundary = '----harbourtest' + Math.random().toString(16).slice(2);
    const payload = [
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { cookie: this.cookieHeader(), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    this.remember(res);
    return res;
  }
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
}

export const demo = {
  admin: 'alex.morganadmin@harbour.example',
  teamManager: 'aisha.khan@harbour.example',
  otherTeamManager: 'mark.evans@harbour.example',
  serviceManager: 'helen.ward@harbour.example',
  assistantDirector: 'priya.shah@harbour.example',
  worker: 'chloe.davies@harbour.example',
  noBuddyWorker: 'ola.adeyemi@harbour.example',
  businessSupport: 'emma.green@harbour.example',
  healthAndSafety: 'fiona.reid@harbour.example',
  complaints: 'gareth.price@harbour.example',
  foi: 'irene.cole@harbour.example',
  otherServiceWorker: 'jamal.brown@harbour.example',
};
