import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * Stand-ins for the providers the notification channels talk to, each a real server on 127.0.0.1:
 * GOV.UK Notify's REST API, an SMTP server, and a Web Push service.
 */

export const NOTIFY_SERVICE_ID = '26785a09-ab16-4eb0-8407-a37497a57506';
export const NOTIFY_SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
/** Notify keys are "name-serviceId-secret". */
export const NOTIFY_API_KEY = `harbour_test-${NOTIFY_SERVICE_ID}-${NOTIFY_SECRET}`;

async function listen(server: Server | SMTPServer): Promise<number> {
  await new Promise<void>((resolve) => (server as Server).listen(0, '127.0.0.1', () => resolve()));
  const address = ((server as unknown as { server?: Server }).server ?? (server as Server)).address() as AddressInfo;
  return address.port;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

const b64url = (buf: Buffer) => buf.toString('base64url');

/**
 * Checks a Notify bearer token as Notify does: an HS256 JWT signed with the key's secret, whose
 * `iss` is the service id and whose `iat` is within 30 seconds of now. Returns the problem, if any.
 */
export function notifyTokenProblem(
  header: string | undefined,
  secret = NOTIFY_SECRET,
  serviceId = NOTIFY_SERVICE_ID,
): string | null {
  if (!header?.startsWith('Bearer ')) return 'Unauthorized: authentication token must be provided';
  const [h, p, s] = header.slice(7).split('.');
  if (!h || !p || !s) return 'Invalid token: not a JWT';
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; typ?: string };
  if (head.alg !== 'HS256') return 'Invalid token: algorithm must be HS256';
  const expected = Buffer.from(b64url(createHmac('sha256', secret).update(`${h}.${p}`).digest()));
  const given = Buffer.from(s);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return 'Invalid token: signature, api token not found';
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: string; iat?: number };
  if (claims.iss !== serviceId) return 'Invalid token: service not found';
  if (typeof claims.iat !== 'number' || Math.abs(Date.now() / 1000 - claims.iat) > 30)
    return 'Error: Your system clock must be accurate to within 30 seconds';
  return null;
}

export interface NotifyRequest {
  path: string;
  body: Record<string, unknown>;
  id: string;
}

/**
 * How the stub answers sends: 'ok' (201), 'hang' (never answers, keeps nothing), 'slow' (answers
 * 201 after `slowMs`), 'accept-then-hang' (keeps the message, as Notify would, but never answers:
 * the sender cannot know it was accepted). `failWith` (500, 429…) wins over the mode.
 */
export type NotifyMode = 'ok' | 'hang' | 'slow' | 'accept-then-hang';

export interface NotifyStub {
  url: string;
  /** Every message the stub accepted (kept), in order. */
  requests: NotifyRequest[];
  /** Answer every send (and every listing) with this status (500, 429…) instead. */
  failWith: number | null;
  mode: NotifyMode;
  slowMs: number;
  /** GET /v2/notifications calls, with their query. */
  lookups: string[];
  /** Requests the stub has not answered (hang modes). */
  hanging: number;
  /** TCP connections opened to the stub so far (a keep-alive client reuses them). */
  connections: number;
  /**
   * Keeps GOV.UK Notify's rate limit on sends: a token bucket refilled at perMinute / 60 a second
   * holding `burst` (Notify: min(ceil(perMinute / 3) + 1, 1001)); a send with no token is answered
   * 429 RateLimitError and not kept. null: no limit (the default).
   */
  limitRate(perMinute: number | null, burst?: number): void;
  /** Sends answered 429 because of limitRate. */
  rateLimited: number;
  close(): Promise<void>;
}

/**
 * POST /v2/notifications/sms and /email, and GET /v2/notifications (filtered by template_type and
 * reference, newest first), answered like GOV.UK Notify.
 */
export async function startNotifyStub(): Promise<NotifyStub> {
  let bucket: { perMs: number; capacity: number; tokens: number; at: number; perMinute: number } | null = null;
  const stub: NotifyStub = {
    url: '',
    requests: [],
    failWith: null,
    mode: 'ok',
    slowMs: 3_000,
    lookups: [],
    hanging: 0,
    connections: 0,
    rateLimited: 0,
    limitRate(perMinute, burst) {
      const capacity = burst ?? Math.min(Math.ceil((perMinute ?? 0) / 3) + 1, 1001);
      bucket = perMinute ? { perMs: perMinute / 60_000, capacity, tokens: capacity, at: Date.now(), perMinute } : null;
    },
    close: async () => {},
  };
  /** Takes a token for a send; false when the bucket is empty (answer 429). */
  const withinRate = (): boolean => {
    if (!bucket) return true;
    const now = Date.now();
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (now - bucket.at) * bucket.perMs);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
  const held = new Set<import('node:http').ServerResponse>();
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const hang = () => {
      stub.hanging++;
      held.add(res);
      res.on('close', () => {
        held.delete(res);
        stub.hanging--;
      });
    };
    const error = (status: number, error: string, message: string) =>
      send(status, { status_code: status, errors: [{ error, message }] });
    const [path, query = ''] = (req.url ?? '').split('?') as [string, string?];
    const type = /^\/v2\/notifications\/(sms|email)$/.exec(path)?.[1];
    const authProblem = notifyTokenProblem(req.headers.authorization);
    if (req.method === 'GET' && path === '/v2/notifications') {
      if (authProblem) return error(403, 'AuthError', authProblem);
      stub.lookups.push(query);
      if (stub.failWith) return error(stub.failWith, 'Exception', 'Internal server error');
      if (stub.mode === 'hang' || stub.mode === 'accept-then-hang') return hang();
      const q = new URLSearchParams(query);
      const list = stub.requests
        .filter(
          (r) =>
            (!q.get('reference') || r.body.reference === q.get('reference')) &&
            (!q.get('template_type') || r.path.endsWith(`/${q.get('template_type')}`)),
        )
        .reverse();
      return send(200, {
        notifications: list.map((r) => ({
          id: r.id,
          reference: r.body.reference ?? null,
          type: r.path.split('/').pop(),
          status: 'sending',
        })),
        links: { current: `${stub.url}/v2/notifications?${query}` },
      });
    }
    if (req.method !== 'POST' || !type) return error(404, 'NotFoundError', 'Not found');
    if (authProblem) return error(403, 'AuthError', authProblem);
    const body = (await readJson(req)) as Record<string, unknown>;
    if (stub.failWith)
      return error(
        stub.failWith,
        stub.failWith === 429 ? 'RateLimitError' : 'Exception',
        stub.failWith === 429 ? 'Exceeded rate limit' : 'Internal server error',
      );
    if (!withinRate()) {
      stub.rateLimited++;
      return error(
        429,
        'RateLimitError',
        `Exceeded rate limit for key type LIVE of ${bucket!.perMinute} requests per 60 seconds`,
      );
    }
    if (stub.mode === 'hang') return hang();
    if (typeof body.template_id !== 'string')
      return error(400, 'ValidationError', 'template_id is a required property');
    const to = type === 'sms' ? body.phone_number : body.email_address;
    if (typeof to !== 'string' || !to)
      return error(
        400,
        'ValidationError',
        `${type === 'sms' ? 'phone_number' : 'email_address'} is a required property`,
      );
    const id = randomUUID();
    stub.requests.push({ path, body, id });
    if (stub.mode === 'accept-then-hang') return hang();
    if (stub.mode === 'slow') await new Promise((r) => setTimeout(r, stub.slowMs));
    const p = (body.personalisation ?? {}) as Record<string, string>;
    const template = { id: body.template_id, version: 1, uri: `${stub.url}/v2/template/${String(body.template_id)}` };
    send(201, {
      id,
      reference: body.reference ?? null,
      uri: `${stub.url}/v2/notifications/${id}`,
      template,
      content:
        type === 'sms'
          ? { body: `${p.subject}\n${p.body}\n${p.link}`, from_number: 'Harbour' }
          : { body: `${p.body}\n${p.link}`, subject: p.subject, from_email: 'harbour@notifications.service.gov.uk' },
    });
  });
  server.on('connection', () => {
    stub.connections++;
  });
  const port = await listen(server);
  stub.url = `http://127.0.0.1:${port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpStub {
  url: string;
  messages: ReceivedMail[];
  /** Refuse recipients with this reply code (550 permanent, 451 temporary). */
  rejectWith: number | null;
  /** Down: every connection and command is refused with 421 (service not available) until set false. */
  down: boolean;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) in this process, keeping what it receives. */
export async function startSmtpStub(): Promise<SmtpStub> {
  const stub: SmtpStub = { url: '', messages: [], rejectWith: null, down: false, close: async () => {} };
  const unavailable = () =>
    Object.assign(new Error('Service not available, closing transmission channel'), { responseCode: 421 });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, callback) {
      callback(stub.down ? unavailable() : undefined);
    },
    onMailFrom(_address, _session, callback) {
      callback(stub.down ? unavailable() : undefined);
    },
    onRcptTo(address, _session, callback) {
      if (stub.down) return callback(unavailable());
      if (!stub.rejectWith) return callback();
      const err = new Error(`Mailbox ${address.address} unavailable`) as Error & { responseCode: number };
      err.responseCode = stub.rejectWith;
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        stub.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  const port = await listen(server);
  stub.url = `smtp://127.0.0.1:${port}`;
  stub.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return stub;
}

export interface PushStub {
  url: string;
  requests: { path: string; headers: IncomingMessage['headers']; bytes: number }[];
  close(): Promise<void>;
}

/** A Web Push service: /push/gone/* answers 410, /push/missing/* 404, /push/broken/* 500, anything else 201. */
export async function startPushStub(): Promise<PushStub> {
  const stub: PushStub = { url: '', requests: [], close: async () => {} };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? '';
    stub.requests.push({ path, headers: req.headers, bytes: Buffer.concat(chunks).length });
    const status = path.startsWith('/push/gone/')
      ? 410
      : path.startsWith('/push/missing/')
        ? 404
        : path.startsWith('/push/broken/')
          ? 500
          : 201;
    res.writeHead(status, status === 201 ? { location: `${stub.url}/messages/${randomUUID()}` } : {});
    res.end();
  });
  const port = await listen(server);
  stub.url = `http://127.0.0.1:${port}`;
  stub.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return stub;
}
