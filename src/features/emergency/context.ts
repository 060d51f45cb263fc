import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError } from '../../errors.ts';
import { KeyError, buildKeyring, newKey, parseKey, unseal, type Keyring } from './crypto.ts';
import type { EmergencyRepository } from './repository.ts';
import type { EmergencyPack } from './schema.ts';

export interface EmergencySettings {
  /** EMERGENCY_PACK_KEY: base64 of 32 bytes. Unset: a development key is made once and kept in app_settings. */
  key: string | null;
  /** EMERGENCY_PACK_PREVIOUS_KEYS: keys that sealed packs before a rotation; they only open. */
  previousKeys: string[];
}

export interface EmergencyDeps {
  db: Kysely<DB>;
  emergency: EmergencyRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  settings?: EmergencySettings;
  now?: () => Date;
}

/** Additional authenticated data: a pack sealed for one person does not open as another's. */
export const aad = (staffId: number) => `emergency_pack:${staffId}`;
export const fullName = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;

/**
 * What every capability of the emergency service shares: the clock, the keyring (made once, from
 * the configured keys or the development key), a pack opened, and the worker the actor is.
 */
export function buildEmergencyContext(deps: EmergencyDeps) {
  const { db, emergency: repo, staff, audit } = deps;
  const settings = deps.settings ?? { key: null, previousKeys: [] };
  const now = deps.now ?? (() => new Date());
  let ring: Promise<{ keyring: Keyring; development: boolean }> | null = null;

  function keyring() {
    ring ??= (async () => {
      const previous = settings.previousKeys.map(parseKey);
      if (settings.key) {
        // A development key that sealed packs before production set its own still opens them until rotation.
        const dev = await repo.existingDevKey();
        return {
          keyring: buildKeyring(parseKey(settings.key), dev ? [...previous, parseKey(dev)] : previous),
          development: false,
        };
      }
      const dev = parseKey(await repo.devKey(() => newKey().toString('base64')));
      return { keyring: buildKeyring(dev, previous), development: true };
    })();
    ring.catch(() => {
      ring = null;
    });
    return ring;
  }

  /** The pack, or unreadable when no configured key opens it (a key was removed before rotation): said, never guessed. */
  async function decrypt(
    staffId: number,
  ): Promise<{ pack: EmergencyPack | null; updatedAt: Date | null; unreadable: boolean }> {
    const row = await repo.pack(staffId);
    if (!row) return { pack: null, updatedAt: null, unreadable: false };
    const { keyring: k } = await keyring();
    try {
      return {
        pack: JSON.parse(unseal(k, { keyId: row.key_id, ciphertext: row.ciphertext }, aad(staffId))) as EmergencyPack,
        updatedAt: row.updated_at,
        unreadable: false,
      };
    } catch (e) {
      if (!(e instanceof KeyError)) throw e;
      return { pack: null, updatedAt: row.updated_at, unreadable: true };
    }
  }

  function mustBeStaff(actor: Actor): number {
    if (actor.staffId === null)
      throw new ForbiddenError(
        'Your sign-in account is not linked to a member of staff, so you have no emergency details to keep',
      );
    return actor.staffId;
  }

  return { db, repo, staff, audit, now, keyring, decrypt, mustBeStaff };
}

export type EmergencyContext = ReturnType<typeof buildEmergencyContext>;
