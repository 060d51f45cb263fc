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
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$JnpUZ4uXBxtjNJ7nv+0DCw$yd28Xcch06Yworpo6+K0VI2347FF0wSRM41rpqkBi5g';

/**
 * Passwords of 12 characters or more that appear near the top of published breach lists (NCSC's
 * "100,000 most common", SecLists), and the words they are built from. Checked case-insensitively,
 * with any trailing digits and symbols removed as well.
 */
const COMMON = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456123456',
  '111111111111',
  '000000000000',
  '123123123123',
  '987654321098',
  'qwertyuiop12',
  'qwertyuiop123',
  'qwerty123456',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'qazwsxedcrfv',
  'asdfghjkl123',
  'zxcvbnm12345',
  'qwertyqwerty',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'p@ssw0rd1234',
  'p@ssword1234',
  'password!123',
  'mypassword123',
  'iloveyou1234',
  'welcome12345',
  'welcome123456',
  'letmein12345',
  'changeme1234',
  'changeme123',
  'administrator',
  'administrator1',
  'football1234',
  'baseball1234',
  'superman1234',
  'sunshine1234',
  'princess1234',
  'starwars1234',
  'trustno11234',
  'monkey123456',
  'liverpool123',
  'chelsea12345',
  'arsenal12345',
  'manchester123',
  'manchesterunited',
  'newcastle123',
  'tottenham123',
  'everton12345',
  'summer2024!!',
  'winter2024!!',
  'spring2025!!',
  'autumn2025!!',
  'january2026!',
  'september2025',
  'december2025',
  'passw0rdpassw0rd',
  'harbourharbour',
  'council12345',
  'council123456',
  'kentcouncil1',
  'socialworker',
  'socialworker1',
  'socialwork123',
  'children1234',
  'password',
  'qwerty',
  'welcome',
  'letmein',
  'changeme',
  'iloveyou',
  'football',
  'liverpool',
  'chelsea',
  'arsenal',
  'council',
  'monkey',
  'dragon',
  'sunshine',
  'princess',
]);

export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'Password must be 12 characters or more';
  if (password.length > 256) return 'Password must be 256 characters or fewer';
  const lower = password.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  if (COMMON.has(lower) || COMMON.has(stem) || new Set(lower).size <= 2)
    return 'Password is too common. Choose one that would be hard to guess, such as three random words';
  return null;
}
