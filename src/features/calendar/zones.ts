import { IANAZone } from 'luxon';

/**
 * Windows time-zone names (what Outlook and Exchange write as TZID) → IANA zones, from the
 * "001" (default territory) rows of CLDR's windowsZones.xml. Only the common ones: anything else
 * falls back to the VTIMEZONE the file carries.
 */
export const WINDOWS_ZONES: Readonly<Record<string, string>> = {
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  UTC: 'Etc/UTC',
  'Coordinated Universal Time': 'Etc/UTC',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Kyiv',
  'GTB Standard Time': 'Europe/Bucharest',
  'Russian Standard Time': 'Europe/Moscow',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Israel Standard Time': 'Asia/Jerusalem',
  'Egypt Standard Time': 'Africa/Cairo',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'Morocco Standard Time': 'Africa/Casablanca',
  'Azores Standard Time': 'Atlantic/Azores',
  'Cape Verde Standard Time': 'Atlantic/Cape_Verde',
  'Arab Standard Time': 'Asia/Riyadh',
  'Arabian Standard Time': 'Asia/Dubai',
  'Iran Standard Time': 'Asia/Tehran',
  'Afghanistan Standard Time': 'Asia/Kabul',
  'Pakistan Standard Time': 'Asia/Karachi',
  'India Standard Time': 'Asia/Kolkata',
  'Sri Lanka Standard Time': 'Asia/Colombo',
  'Nepal Standard Time': 'Asia/Kathmandu',
  'Bangladesh Standard Time': 'Asia/Dhaka',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Korea Standard Time': 'Asia/Seoul',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'W. Australia Standard Time': 'Australia/Perth',
  'Cen. Australia Standard Time': 'Australia/Adelaide',
  'E. Australia Standard Time': 'Australia/Brisbane',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Alaskan Standard Time': 'America/Anchorage',
  'Pacific Standard Time': 'America/Los_Angeles',
  'US Mountain Standard Time': 'America/Phoenix',
  'Mountain Standard Time': 'America/Denver',
  'Central Standard Time': 'America/Chicago',
  'Central America Standard Time': 'America/Guatemala',
  'Eastern Standard Time': 'America/New_York',
  'SA Pacific Standard Time': 'America/Bogota',
  'Atlantic Standard Time': 'America/Halifax',
  'Newfoundland Standard Time': 'America/St_Johns',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Buenos_Aires',
};

const byLowerName = new Map(Object.entries(WINDOWS_ZONES).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * Older Outlook and Exchange versions write the zone's display name instead of its key, e.g.
 * "(UTC+00:00) Dublin, Edinburgh, Lisbon, London" or "Greenwich Mean Time : Dublin, Edinburgh,
 * Lisbon, London". Recognised by the cities they list.
 */
const DISPLAY_NAMES: [RegExp, string][] = [
  [/Dublin, Edinburgh, Lisbon, London/i, 'Europe/London'],
  [/Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna/i, 'Europe/Berlin'],
  [/Brussels, Copenhagen, Madrid, Paris/i, 'Europe/Paris'],
  [/Monrovia, Reykjavik/i, 'Atlantic/Reykjavik'],
  [/^\(UTC\)|Coordinated Universal Time/i, 'Etc/UTC'],
];

const isIana = (name: string) => (name.includes('/') || name === 'UTC' ? IANAZone.isValidZone(name) : false);

/**
 * The IANA zone a TZID means, or null if it is not recognised (the caller then falls back to the
 * file's VTIMEZONE). Accepts IANA names, Windows names, display names, and the prefixed forms some
 * clients write ("/mozilla.org/20050126_1/Europe/London", "/Europe/London").
 */
export function ianaZoneFor(tzid: string | null | undefined): string | null {
  if (!tzid) return null;
  const name = tzid
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
  if (!name) return null;
  if (isIana(name)) return canonical(name);
  const windows = byLowerName.get(name.toLowerCase());
  if (windows) return windows;
  // "GMT Standard Time 1": Outlook numbers a second copy of a zone it has already written.
  const numbered = byLowerName.get(name.replace(/\s+\d+$/, '').toLowerCase());
  if (numbered) return numbered;
  const parts = name.split('/').filter(Boolean);
  for (let i = Math.max(0, parts.length - 3); i < parts.length - 1; i++) {
    const candidate = parts.slice(i).join('/');
    if (isIana(candidate)) return canonical(candidate);
  }
  for (const [pattern, zone] of DISPLAY_NAMES) if (pattern.test(name)) return zone;
  return null;
}

/** Luxon accepts any casing; Intl reports the canonical spelling ("europe/london" → "Europe/London"). */
function canonical(name: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: name }).resolvedOptions().timeZone;
}
