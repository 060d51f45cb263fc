import { isIP } from 'node:net';
import { isRole, type Role } from '../features/auth/actor.ts';

/** Parsers for settings whose text has a shape of its own; the schema in src/config.ts refines with them. */

/** "Harbour.Admin=admin,Harbour.Workers=worker+team_manager" → { 'Harbour.Admin': ['admin'], … }; null when malformed. */
export function parseRoleMap(text: string): Record<string, Role[]> | null {
  const map: Record<string, Role[]> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    if (at <= 0) return null;
    const roles = pair
      .slice(at + 1)
      .split('+')
      .map((r) => r.trim());
    if (!roles.every(isRole)) return null;
    const value = pair.slice(0, at).trim();
    map[value] = [...new Set([...(map[value] ?? []), ...roles.filter(isRole)])];
  }
  return Object.keys(map).length ? map : null;
}

/** An IPv4 or IPv6 address, optionally with a /prefix. */
export function isAddressOrCidr(value: string): boolean {
  const [address, prefix, extra] = value.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (!family) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}
