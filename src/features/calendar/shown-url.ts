/** A URL for display: the host and a file name like calendar.ics; the rest (often a secret token) hidden. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    const file = u.pathname.split('/').filter(Boolean).at(-1) ?? '';
    return `${u.protocol}//${u.host}/…${/^[\w-]{1,24}\.ics$/i.test(file) ? `/${file}` : ''}`;
  } catch {
    return '…';
  }
}
