import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { JOB_ROLES } from '../features/people/job-roles.ts';
import { ROLE_LABELS, type Role } from '../features/auth/actor.ts';
import { VISIT_KINDS } from '../features/visits/schema.ts';

const STATE_LABELS: Record<string, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  overdue: 'Overdue',
  completed: 'Finished safely',
  cancelled: 'Cancelled',
};
const STATE_COLOURS: Record<string, string> = {
  planned: 'grey',
  in_progress: 'blue',
  overdue: 'red',
  completed: 'green',
  cancelled: 'grey',
};

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const govukDist = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');

const london = (options: Intl.DateTimeFormatOptions) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', ...options });
const dateFormat = london({ day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = london({ hour: '2-digit', minute: '2-digit', hour12: false });
const dateTimeFormat = london({
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});

export function createNunjucks(): nunjucks.Environment {
  const env = nunjucks.configure([join(here, 'views'), join(here, '..', 'features'), govukDist], {
    autoescape: true,
    throwOnUndefined: false,
    noCache: false,
  });
  env.addFilter('date', (v: Date | string | null | undefined) => (v ? dateFormat.format(new Date(v)) : ''));
  env.addFilter('dateTime', (v: Date | string | null | undefined) =>
    v ? dateTimeFormat.format(new Date(v)).replace(' am', 'am').replace(' pm', 'pm') : '',
  );
  env.addFilter('time', (v: Date | string | null | undefined) => (v ? timeFormat.format(new Date(v)) : ''));
  // Today's times alone ("since 14:05"), as people say them; any other day with its date.
  env.addFilter('timeOrDateTime', (v: Date | string | null | undefined) => {
    if (!v) return '';
    const d = new Date(v);
    return dateFormat.format(d) === dateFormat.format(new Date())
      ? timeFormat.format(d)
      : dateTimeFormat.format(d).replace(' am', 'am').replace(' pm', 'pm');
  });
  env.addFilter('timeLeft', (v: Date | string | null | undefined) => {
    if (!v) return '';
    const ms = new Date(v).getTime() - Date.now();
    const mins = Math.round(Math.abs(ms) / 60000);
    const text = mins >= 60 ? `${Math.floor(mins / 60)} h ${mins % 60} min` : `${mins} min`;
    return ms >= 0 ? `${text} left` : `${text} overdue`;
  });
  env.addFilter('visitKind', (v: string) => (VISIT_KINDS as Record<string, string>)[v] ?? v);
  env.addFilter('stateLabel', (v: string) => STATE_LABELS[v] ?? v);
  env.addFilter('stateColour', (v: string) => STATE_COLOURS[v] ?? 'grey');
  env.addFilter(
    'alertKind',
    (v: string) =>
      (
        ({ overdue: 'Missed check-in', duress: 'Duress alarm', end_of_day: 'No end-of-day call' }) as Record<
          string,
          string
        >
      )[v] ?? v,
  );
  env.addFilter(
    'outcomeLabel',
    (v: string) =>
      (({ safe: 'Safe', false_alarm: 'False alarm', incident: 'Incident' }) as Record<string, string>)[v] ?? v,
  );
  env.addFilter('jobRole', (v: string) => (JOB_ROLES as Record<string, string>)[v] ?? v);
  env.addFilter('roleLabel', (v: string) => ROLE_LABELS[v as Role] ?? v);
  env.addFilter('fullName', (p: { given_name?: string; family_name?: string } | null | undefined) =>
    p ? `${p.given_name ?? ''} ${p.family_name ?? ''}`.trim() : '',
  );
  /** Options for govukSelect from a list, with the current value selected. */
  env.addFilter(
    'toOptions',
    (items: { id: number; name?: string; label?: string }[], selected: unknown, blank = 'Select') => [
      { value: '', text: blank },
      ...items.map((i) => ({
        value: String(i.id),
        text: i.label ?? i.name ?? String(i.id),
        selected: String(selected ?? '') === String(i.id),
      })),
    ],
  );
  return env;
}
