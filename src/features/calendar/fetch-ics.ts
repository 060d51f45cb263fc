import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import dns from 'node:dns';

/**
 * Reads a calendar feed over HTTP(S) for the subscription job. The URL is the user's, so the
 * request is fenced: http(s) only, a time limit, a size cap, a few redirects each checked again,
 * and no connection to the machine itself or a private network (checked on the address actually
 * connected to, so a DNS name that points inside is refused too).
 */
export interface FetchPolicy {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Tests only: allow http:// and loopback addresses (a fixture server on 127.0.0.1). */
  allowLoopback: boolean;
}

export const DEFAULT_FETCH_POLICY: FetchPolicy = {
  timeoutMs: 10_000,
  maxBytes: 2 * 1024 * 1024,
  maxRedirects: 3,
  allowLoopback: false,
};

/** A failure to show the worker on their subscriptions page. */
export class FeedError extends Error {}

export type FetchResult = { notModified: true } | { notModified: false; text: string; etag: string | null };

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2002::', 16],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Why a connection to this IP address is refused, or null. Exported for tests. */
export function addressProblem(address: string, allowLoopback: boolean): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? mapped[1]! : address;
  const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(ip, family)) return allowLoopback ? null : 'it points at this server';
  if (PRIVATE.check(ip, family)) return 'it points at a private network address';
  return null;
}

const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Checks a calendar address as typed and returns it normalised (webcal:// → https://), or says
 * what is wrong with it in words for the form.
 */
export function normaliseFeedUrl(raw: string, allowLoopback = false): { url: string } | { problem: string } {
  const typed = raw.trim().replace(/^webcals?:\/\//i, 'https://');
  if (!typed) return { problem: 'Enter the calendar’s web address' };
  if (typed.length > 2000) return { problem: 'The web address must be 2,000 characters or fewer' };
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    return {
      problem:
        'Enter a web address starting with https://, like https://outlook.office365.com/owa/calendar/…/calendar.ics',
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { problem: 'The web address must start with https://' };
  if (url.username || url.password) return { problem: 'The web address must not include a user name or password' };
  const host = url.hostname.toLowerCase();
  const loopback = isLoopbackHost(host);
  if (url.protocol === 'http:' && !(allowLoopback && loopback))
    return { problem: 'The web address must start with https://, so the calendar is fetched securely' };
  if (loopback && !allowLoopback)
    return { problem: 'The web address must be a calendar on the internet, not on this server' };
  const literal = host.replace(/^\[|\]$/g, '');
  if (isIP(literal)) {
    const problem = addressProblem(literal, allowLoopback);
    if (problem) return { problem: `That web address cannot be used: ${problem}` };
  }
  if (!literal.includes('.') && !loopback) return { problem: 'Enter the full web address of the calendar' };
  url.hash = '';
  return { url: url.toString() };
}

/** DNS lookup that refuses private and loopback addresses, used for the connection itself. */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return ((
    hostname: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => addressProblem(a.address, allowLoopback));
      if (bad || addresses.length === 0) {
        const e = Object.assign(new Error(`refused address for ${hostname}`), { code: 'EHARBOURBLOCKED' });
        return callback(e, '', 0);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}

export async function fetchFeed(
  rawUrl: string,
  etag: string | null,
  policy: FetchPolicy = DEFAULT_FETCH_POLICY,
): Promise<FetchResult> {
  const deadline = Date.now() + policy.timeoutMs;
  let current = rawUrl;
  for (let redirects = 0; ; redirects++) {
    const checked = normaliseFeedUrl(current, policy.allowLoopback);
    if ('problem' in checked) throw new FeedError(checked.problem);
    const res = await get(checked.url, etag, policy, deadline);
    if (res.kind === 'redirect') {
      if (redirects >= policy.maxRedirects) throw new FeedError('The calendar server redirected too many times');
      current = new URL(res.location, checked.url).toString();
      continue;
    }
    return res.result;
  }
}

type GetResult = { kind: 'redirect'; location: string } | { kind: 'done'; result: FetchResult };

function get(url: string, etag: string | null, policy: FetchPolicy, deadline: number): Promise<GetResult> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      return reject(
        new FeedError(`The calendar server did not answer within ${Math.round(policy.timeoutMs / 1000)} seconds`),
      );
    const headers: Record<string, string> = {
      'user-agent': 'Harbour calendar import',
      accept: 'text/calendar, text/plain;q=0.9, */*;q=0.5',
    };
    if (etag) headers['if-none-match'] = etag;
    const req = client.request(target, { method: 'GET', headers, lookup: guardedLookup(policy.allowLoopback) });
    const timeout = new FeedError(
      `The calendar server did not answer within ${Math.round(policy.timeoutMs / 1000)} seconds`,
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(timeout);
    }, remaining);
    const fail = (e: unknown) => {
      clearTimeout(timer);
      if (timedOut) return reject(timeout);
      if (e instanceof FeedError) return reject(e);
      const code = (e as { code?: string }).code;
      if (code === 'EHARBOURBLOCKED')
        return reject(new FeedError('That web address cannot be used: it points at a private network address'));
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
        return reject(new FeedError('The calendar’s server could not be found'));
      return reject(new FeedError('The calendar could not be fetched'));
    };
    req.on('error', fail);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        clearTimeout(timer);
        res.resume();
        return resolve({ kind: 'redirect', location: res.headers.location });
      }
      if (status === 304) {
        clearTimeout(timer);
        res.resume();
        return resolve({ kind: 'done', result: { notModified: true } });
      }
      if (status < 200 || status >= 300) {
        res.resume();
        return fail(
          new FeedError(
            status === 401 || status === 403 || status === 404
              ? `The calendar server answered ${status}: check the address is the calendar’s current published (public or secret) address`
              : `The calendar server answered ${status}`,
          ),
        );
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > policy.maxBytes) {
        res.destroy();
        return fail(new FeedError(`The calendar is larger than ${Math.round(policy.maxBytes / 1024 / 1024)}MB`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > policy.maxBytes) {
          res.destroy();
          fail(new FeedError(`The calendar is larger than ${Math.round(policy.maxBytes / 1024 / 1024)}MB`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        if (size > policy.maxBytes) return;
        const tag = res.headers.etag;
        resolve({
          kind: 'done',
          result: {
            notModified: false,
            text: Buffer.concat(chunks).toString('utf8'),
            etag: typeof tag === 'string' ? tag.slice(0, 500) : null,
          },
        });
      });
    });
    req.end();
  });
}
