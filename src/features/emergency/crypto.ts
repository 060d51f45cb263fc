import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for the emergency information pack. A sealed value is base64 of
 * IV (12 bytes) | authentication tag (16 bytes) | ciphertext, stored with the id of the key that
 * sealed it, so keys can rotate: the keyring opens anything sealed by a key it holds and seals
 * only with the current one. The additional authenticated data binds a value to its row, so a
 * ciphertext copied onto another person's row does not open.
 */
export interface Keyring {
  currentId: string;
  keys: ReadonlyMap<string, Buffer>;
}
export interface Sealed {
  keyId: string;
  ciphertext: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class KeyError extends Error {}

/** A key from configuration: base64 of exactly 32 random bytes. */
export function parseKey(base64: string): Buffer {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed))
    throw new KeyError('must be base64 (make one with: openssl rand -base64 32)');
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32)
    throw new KeyError(`must be 32 bytes of base64 (it is ${key.length}); make one with: openssl rand -base64 32`);
  return key;
}

/** A key's id: a short SHA-256 fingerprint, safe to store and to log (it does not reveal the key). */
export function keyId(key: Buffer): string {
  return `k${createHash('sha256').update('harbour-emergency-pack-key').update(key).digest('hex').slice(0, 16)}`;
}

export function newKey(): Buffer {
  return randomBytes(32);
}

/** The current key seals; it and every other key given open. */
export function buildKeyring(current: Buffer, others: Buffer[] = []): Keyring {
  const keys = new Map<string, Buffer>();
  for (const k of [current, ...others]) keys.set(keyId(k), k);
  return { currentId: keyId(current), keys };
}

export function seal(keyring: Keyring, plaintext: string, aad: string): Sealed {
  const key = keyring.keys.get(keyring.currentId)!;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: keyring.currentId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
}

/** Opens a sealed value; throws KeyError when the key is not in the keyring or the value was altered. */
export function unseal(keyring: Keyring, sealed: Sealed, aad: string): string {
  const key = keyring.keys.get(sealed.keyId);
  if (!key) throw new KeyError(`no key with id ${sealed.keyId} is configured (set it in EMERGENCY_PACK_PREVIOUS_KEYS)`);
  const raw = Buffer.from(sealed.ciphertext, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new KeyError('the sealed value is too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new KeyError('the sealed value does not open with its key (altered, or moved from another row)');
  }
}

/**
 * A small secret kept in one text column, sealed with the emergency-pack keyring: used for the
 * authenticator-app (TOTP) keys, so a copy of the database alone gives no one a second factor.
 * Stored as `sealed:<keyId>:<ciphertext>`. A value without that prefix was stored before sealing
 * began and is read as it is, until `harbour emergency rotate-key` seals it.
 */
export interface SecretBox {
  seal(plain: string, aad: string): Promise<string>;
  open(stored: string, aad: string): Promise<string>;
  /** Whether the stored value is sealed with the current key (rotation skips it). */
  isCurrent(stored: string): Promise<boolean>;
}

const SEALED_PREFIX = 'sealed:';

export function secretBox(keyring: () => Promise<Keyring>): SecretBox {
  return {
    async seal(plain, aad) {
      const s = seal(await keyring(), plain, aad);
      return `${SEALED_PREFIX}${s.keyId}:${s.ciphertext}`;
    },
    async open(stored, aad) {
      if (!stored.startsWith(SEALED_PREFIX)) return stored;
      const rest = stored.slice(SEALED_PREFIX.length);
      const colon = rest.indexOf(':');
      return unseal(await keyring(), { keyId: rest.slice(0, colon), ciphertext: rest.slice(colon + 1) }, aad);
    },
    async isCurrent(stored) {
      return stored.startsWith(`${SEALED_PREFIX}${(await keyring()).currentId}:`);
    },
  };
}
