import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/**
 * A lean client for the parts of GOV.UK Notify's REST API Harbour uses: send a text or an email,
 * and list notifications by reference. It speaks the same protocol as the official client
 * (notifications-node-client), but over a keep-alive agent (connections are reused, not opened per
 * message) and with the bearer token (an HS256 JWT whose `iat` Notify accepts within 30 s) made once
 * every few seconds instead of once per request. That official client goes through axios and measured
 * about 600 texts a second here against the local stub; this one about 2,500 (bench/alarm.ts).
 *
 * Errors look like the official client's (axios): `response.status` and `response.data` when Notify
 * answered, `code` ('ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT') when it did not, so `notifyError`
 * reads both alike.
 */
export interface NotifyApi {
  sendSms(
    templateId: string,
    phoneNumber: string,
    options: { personalisation: Record<string, string>; reference: string },
  ): Promise<{ data: { id: string } }>;
  sendEmail(
    templateId: string,
    emailAddress: string,
    options: { personalisation: Record<string, string>; reference: string },
  ): Promise<{ data: { id: string } }>;
  getNotifications(
    type: 'sms' | 'email',
    status: string | undefined,
    reference: string,
  ): Promise<{ data: { notifications: { id: string; reference: string | null }[] } }>;
  /**
   * The sends this key may start now without going over Notify's rate limit (a token bucket like
   * Notify's own), shared by text and email since Notify counts every request made with the key.
   */
  budget: SendBudget;
  close(): void;
}

export const NOTIFY_PRODUCTION_API = 'https://api.notifications.service.gov.uk';

/** How long one bearer token is used for; Notify accepts a token whose `iat` is within 30 s of its clock. */
const TOKEN_REUSE_MS = 5_000;

export interface NotifyClientOptions {
  apiKey: string;
  baseUrl?: string | null;
  /**
   * Connections open to Notify at most. As many as the dispatcher's sends in flight per channel, so
   * a send's request leaves when send() is called and never waits in the agent's queue, where its
   * claim could not be re-checked.
   */
  maxSockets?: number;
  /** A request with no answer for this long is abandoned (its socket destroyed; outcome unknown). */
  timeoutMs?: number;
  /**
   * Requests per minute this key may make: GOV.UK Notify allows 3,000 a minute per API key (a token
   * bucket refilled at 50 a second, holding up to 1,001), and answers 429 RateLimitError beyond it.
   * 0 or null: no limit kept here (a stub, or a service whose limit Notify has raised).
   */
  ratePerMinute?: number | null;
}

/** GOV.UK Notify's default rate limit, per API key: 3,000 requests a minute. */
export const NOTIFY_RATE_PER_MINUTE = 3_000;

/**
 * How many sends may start now. The dispatcher claims no more rows for a channel than its budget
 * allows, so messages wait as 'pending' (visible to every instance) rather than being sent into a
 * 429; after a 429 anyway (several instances share the key), the budget pauses, for longer after
 * each 429 in a row, and a success resets the pause.
 */
export interface SendBudget {
  /** Sends that may start now (Infinity when no limit is kept). */
  available(nowMs?: number): number;
  /** Milliseconds until at least one send may start (0 if one may now). */
  msUntilAvailable(nowMs?: number): number;
  take(n: number, nowMs?: number): void;
  /**
   * Notify answered 429: stop for a while. Returns how long from now (ms), which is also when to
   * send the message again. A 429 during the pause (the rest of the same wave) does not lengthen it.
   */
  throttled(nowMs?: number): number;
  /** A request got through: the next 429 starts the pause again from the shortest. */
  ok(): void;
}

/** Pauses after the 1st, 2nd, 3rd… 429 in a row (the last repeats). */
export const THROTTLE_PAUSES_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;

/** A token bucket the way Notify keeps one: refilled at ratePerMinute / 60 a second, up to min(ceil(rate / 3) + 1, 1001). */
export function sendBudget(ratePerMinute: number | null | undefined, now: () => number = Date.now): SendBudget {
  const limited = Boolean(ratePerMinute && ratePerMinute > 0);
  const perMs = limited ? ratePerMinute! / 60_000 : 0;
  const capacity = limited ? Math.min(Math.ceil(ratePerMinute! / 3) + 1, 1001) : Infinity;
  let tokens = capacity;
  let at = now();
  let pausedUntil = 0;
  let strikes = 0;
  function refill(t: number) {
    if (t <= at) return;
    if (limited) tokens = Math.min(capacity, tokens + (t - at) * perMs);
    at = t;
  }
  return {
    available(t = now()) {
      if (t < pausedUntil) return 0;
      refill(t);
      return limited ? Math.max(0, Math.floor(tokens)) : Infinity;
    },
    msUntilAvailable(t = now()) {
      if (t < pausedUntil) return pausedUntil - t;
      refill(t);
      return !limited || tokens >= 1 ? 0 : Math.ceil((1 - tokens) / perMs);
    },
    take(n, t = now()) {
      refill(t);
      if (limited) tokens -= n;
    },
    throttled(t = now()) {
      // The other 429s of the same wave of sends (answered during the pause) do not lengthen it.
      if (t < pausedUntil) return pausedUntil - t;
      const pause = THROTTLE_PAUSES_MS[Math.min(strikes, THROTTLE_PAUSES_MS.length - 1)]!;
      strikes++;
      pausedUntil = t + pause;
      refill(t);
      if (limited) tokens = Math.min(tokens, 0);
      return pause;
    },
    ok() {
      strikes = 0;
    },
  };
}

export class NotifyHttpError extends Error {
  constructor(
    message: string,
    readonly response?: { status: number; data: unknown },
    readonly code?: string,
  ) {
    super(message);
    this.name = 'NotifyHttpError';
  }
}

/** Notify keys read "name-serviceId-secret": both ids are UUIDs (36 characters) at the end. */
export function parseNotifyKey(apiKey: string): { serviceId: string; secret: string } {
  return {
    serviceId: apiKey.substring(apiKey.length - 73, apiKey.length - 37),
    secret: apiKey.substring(apiKey.length - 36),
  };
}

export function notifyToken(serviceId: string, secret: string, nowMs = Date.now()): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ iss: serviceId, iat: Math.floor(nowMs / 1000) })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export function buildNotifyApi(options: NotifyClientOptions): NotifyApi {
  const base = new URL(options.baseUrl || NOTIFY_PRODUCTION_API);
  const secure = base.protocol === 'https:';
  const prefix = base.pathname.replace(/\/$/, '');
  const { serviceId, secret } = parseNotifyKey(options.apiKey);
  // A bounded pool: every socket opened is kept for reuse (up to maxSockets), so a burst of sends
  // does not close most of its connections after each wave and open them again for the next.
  const maxSockets = options.maxSockets ?? 512;
  const agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const budget = sendBudget(options.ratePerMinute === undefined ? NOTIFY_RATE_PER_MINUTE : options.ratePerMinute);
  let token = { value: '', at: 0 };

  function bearer(): string {
    const now = Date.now();
    if (now - token.at >= TOKEN_REUSE_MS) token = { value: notifyToken(serviceId, secret, now), at: now };
    return token.value;
  }

  function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ data: T }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port || (secure ? 443 : 80),
          path: prefix + path,
          method,
          agent,
          headers: {
            authorization: `Bearer ${bearer()}`,
            'user-agent': 'harbour-notify-client',
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err: NodeJS.ErrnoException) =>
            reject(new NotifyHttpError(err.message, undefined, err.code ?? 'ECONNRESET')),
          );
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let data: unknown = text;
            try {
              data = text ? JSON.parse(text) : {};
            } catch {
              /* not JSON: kept as text */
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve({ data: data as T });
            else reject(new NotifyHttpError(`Request failed with status code ${status}`, { status, data }));
          });
        },
      );
      // No answer in time: the socket is destroyed (not left to hold a connection) and the
      // outcome is unknown to the caller (the request may have reached Notify).
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(new NotifyHttpError(err.message, undefined, err.code ?? 'ECONNRESET')),
      );
      req.end(payload);
    });
  }

  return {
    sendSms: (templateId, phoneNumber, o) =>
      request('POST', '/v2/notifications/sms', {
        template_id: templateId,
        phone_number: phoneNumber,
        personalisation: o.personalisation,
        reference: o.reference,
      }),
    sendEmail: (templateId, emailAddress, o) =>
      request('POST', '/v2/notifications/email', {
        template_id: templateId,
        email_address: emailAddress,
        personalisation: o.personalisation,
        reference: o.reference,
      }),
    getNotifications(type, status, reference) {
      const q = new URLSearchParams({ template_type: type, ...(status ? { status } : {}), reference });
      return request('GET', `/v2/notifications?${q.toString()}`);
    },
    budget,
    close: () => agent.destroy(),
  };
}
