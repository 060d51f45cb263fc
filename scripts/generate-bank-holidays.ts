/**
 * Writes src/time/bank-holidays.json, in the format of the GOV.UK bank holidays feed, from 2010 to
 * 2030. The dates follow the Banking and Financial Dealings Act 1971 pattern for each division, the
 * substitute-day convention GOV.UK uses, and the one-off holidays proclaimed since 2010. Once
 * GOV.UK's own file is to hand, `harbour bank-holidays update <file>` loads it over this copy.
 *
 * Run: node --import tsx scripts/generate-bank-holidays.ts
 */
import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';

type Division = 'england-and-wales' | 'scotland' | 'northern-ireland';
interface Event {
  title: string;
  date: string;
  notes: string;
  bunting: boolean;
}

const FIRST = 2010;
const LAST = 2030;

const iso = (d: DateTime) => d.toISODate()!;
const day = (y: number, m: number, d: number) => DateTime.utc(y, m, d);
const isWeekend = (d: DateTime) => d.weekday >= 6;

/** Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easterSunday(y: number): DateTime {
  const a = y % 19,
    b = Math.floor(y / 100),
    c = y % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30,
    i = Math.floor(c / 4),
    k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31),
    dom = ((h + l - 7 * m + 114) % 31) + 1;
  return day(y, month, dom);
}
function firstMonday(y: number, m: number) {
  let d = day(y, m, 1);
  while (d.weekday !== 1) d = d.plus({ days: 1 });
  return d;
}
function lastMonday(y: number, m: number) {
  let d = day(y, m, 1).endOf('month').startOf('day');
  while (d.weekday !== 1) d = d.minus({ days: 1 });
  return d;
}
function nextMonday(d: DateTime) {
  let x = d;
  while (x.weekday !== 1) x = x.plus({ days: 1 });
  return x;
}

/** A fixed-date holiday on a weekend moves to the next weekday not already taken. */
function fixed(events: Event[], taken: Set<string>, title: string, date: DateTime, bunting = true) {
  let d = date,
    notes = '';
  if (isWeekend(d)) {
    d = nextMonday(d);
    notes = 'Substitute day';
  }
  while (taken.has(iso(d)) || isWeekend(d)) {
    d = d.plus({ days: 1 });
    notes = 'Substitute day';
  }
  taken.add(iso(d));
  events.push({ title, date: iso(d), notes, bunting });
}

function year(division: Division, y: number): Event[] {
  const events: Event[] = [];
  const taken = new Set<string>();
  const add = (title: string, d: DateTime, bunting = true) => {
    taken.add(iso(d));
    events.push({ title, date: iso(d), notes: '', bunting });
  };

  fixed(events, taken, 'New Year’s Day', day(y, 1, 1));
  if (division === 'scotland') fixed(events, taken, '2nd January', day(y, 1, 2));
  if (division === 'northern-ireland') fixed(events, taken, 'St Patrick’s Day', day(y, 3, 17));
  const easter = easterSunday(y);
  add('Good Friday', easter.minus({ days: 2 }), false);
  if (division !== 'scotland') add('Easter Monday', easter.plus({ days: 1 }));
  if (y === 2011) add('Royal wedding', day(2011, 4, 29));
  if (y === 2020) add('Early May bank holiday (VE day)', day(2020, 5, 8));
  else add('Early May bank holiday', firstMonday(y, 5));
  if (y === 2023) add('Bank holiday for the coronation of King Charles III', day(2023, 5, 8));
  if (y === 2012) {
    add('Spring bank holiday', day(2012, 6, 4));
    add('Queen’s Diamond Jubilee', day(2012, 6, 5));
  } else if (y === 2022) {
    add('Spring bank holiday', day(2022, 6, 2));
    add('Platinum Jubilee bank holiday', day(2022, 6, 3));
  } else add('Spring bank holiday', lastMonday(y, 5));
  if (division === 'northern-ireland') fixed(events, taken, 'Battle of the Boyne (Orangemen’s Day)', day(y, 7, 12));
  add('Summer bank holiday', division === 'scotland' ? firstMonday(y, 8) : lastMonday(y, 8));
  if (y === 2022) add('Bank Holiday for the State Funeral of Queen Elizabeth II', day(2022, 9, 19), false);
  if (division === 'scotland') fixed(events, taken, 'St Andrew’s Day', day(y, 11, 30));
  // Christmas on a Sunday: Boxing Day keeps the Monday and Christmas moves to the Tuesday.
  const christmas = day(y, 12, 25);
  if (christmas.weekday === 7) {
    taken.add(`${y}-12-26`);
    events.push({ title: 'Boxing Day', date: `${y}-12-26`, notes: '', bunting: true });
    fixed(events, taken, 'Christmas Day', christmas);
  } else {
    fixed(events, taken, 'Christmas Day', christmas);
    fixed(events, taken, 'Boxing Day', day(y, 12, 26));
  }
  return events.sort((a, b) => a.date.localeCompare(b.date));
}

const divisions: Division[] = ['england-and-wales', 'scotland', 'northern-ireland'];
const out: Record<string, { division: Division; events: Event[] }> = {};
for (const division of divisions) {
  const events: Event[] = [];
  for (let y = FIRST; y <= LAST; y++) events.push(...year(division, y));
  out[division] = { division, events };
}
writeFileSync(new URL('../src/time/bank-holidays.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(divisions.map((d) => `${d}: ${out[d]!.events.length}`).join(', '));
