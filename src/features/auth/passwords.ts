import { hash, verify } from '@node-rs/argon2';

// argon2id (the library default) with OWASP's minimum cost: 19 MiB, 2 iterations.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of nothing, verified against when the email is unknown so timing does not reveal it. */
export const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$JnpUZ4uXBxtjNJ7nv+0DCw$yd28Xcch06Yworpo6+K0VI2347FF0wSRM41rpqkBi5g';

export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'Password must be 12 characters or more';
  if (password.length > 256) return 'Password must be 256 characters or fewer';
  return null;
}
