import { verify } from 'otplib';
import { KeyError, type SecretBox } from '../emergency/crypto.ts';

/** A code as people type it: spaces and dashes dropped. Six digits, or null. */
export function normaliseCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/** The secret in groups of four, easier to type into an app by hand than 32 characters in one run. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * Checks a code against a secret: the current 30-second step or the one before or after (a phone's
 * clock a little out), and only a step later than the last one accepted, so a code cannot be reused.
 */
export async function checkCode(secret: string, input: string, lastStep: number | null): Promise<number | null> {
  const token = normaliseCode(input);
  if (!token) return null;
  const result = await verify({
    secret,
    token,
    epochTolerance: 30,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** Binds a sealed key to its account, so a value copied onto another account does not open. */
export const totpAad = (accountId: number) => `totp:${accountId}`;

/** The key, or null when no configured key opens it (a key removed before rotation, or a value moved between accounts). */
export async function readTotpSecret(secrets: SecretBox, accountId: number, stored: string): Promise<string | null> {
  try {
    return await secrets.open(stored, totpAad(accountId));
  } catch (e) {
    if (e instanceof KeyError) return null;
    throw e;
  }
}
