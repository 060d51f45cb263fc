import { csrfFrom } from './app.ts';

/**
 * A browser-like client for a Harbour running as a real server (a child process): keeps its
 * cookies, picks up the CSRF token from a page before it posts a form, and does not follow
 * redirects, so a test sees each answer as the phone's fetch would before following it.
 */
export class HttpAgent {
  private cookies = new Map<string, string>();
  constructor(public baseUrl: string) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim(),
        value = pair!.slice(eq + 1).trim();
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private headers(extra: Record<string, string> = {}) {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...extra };
  }

  async get(path: string) {
    const res = await fetch(this.baseUrl + path, { headers: this.headers(), redirect: 'manual' });
    this.remember(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(this.baseUrl + path, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams(form).toString(),
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', ...headers }),
    });
    this.remember(res);
    const text = await res.text();
    return {
      status: res.status,
      location: res.headers.get('location'),
      body: text,
      json: res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : null,
    };
  }

  async csrf(page = '/') {
    return csrfFrom((await this.get(page)).body);
  }

  /** Signs in; the session cookie is kept, so the agent can be pointed at another instance (PostgreSQL). */
  async signIn(email: string, password: string) {
    const res = await this.post('/sign-in', { _csrf: await this.csrf('/sign-in'), email, password });
    if (res.status !== 303) throw new Error(`sign-in as ${email} failed: ${res.status}`);
    return this;
  }
}
