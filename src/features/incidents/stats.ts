import { DateTime } from 'luxon';
import { ZONE } from '../../time/london.ts';
import { CATEGORIES, CATEGORY_KEYS, prosecuted, successfulProsecution } from './rules.ts';

/** One submitted incident as the statistics need it (see IncidentsRepository.statisticsRows). */
export interface StatsRow {
  id: number;
  employee_id: number;
  occurred_at: Date;
  categories: string[];
  team_name: string | null;
  building_name: string | null;
  lone_working: boolean | null;
  police_reported: boolean | null;
  police_outcome: string | null;
  court_outcome: string | null;
  serious: boolean;
  status: string;
  riddor_kind: string | null;
  riddor_report_by: string | null;
  hse_reported_on: string | null;
  investigation_open: boolean;
  open_actions: number;
  overdue_actions: number;
}

/** percent: of all incidents; width: of the longest bar, for drawing. */
export interface Bar {
  key: string;
  label: string;
  count: number;
  percent: number;
  width: number;
}

export interface Statistics {
  total: number;
  /** Different members of staff it happened to. */
  staffAffected: number;
  byMonth: Bar[];
  byCategory: Bar[];
  byTeam: Bar[];
  byBuilding: Bar[];
  loneWorking: { count: number; percent: number };
  /** Reported to police; resulted in prosecution (charged); successful prosecution (convicted). */
  police: { reported: number; prosecuted: number; successful: number };
  serious: number;
  openInvestigations: number;
  overdueActions: number;
  riddorDue: { id: number; kind: string; reportBy: string; overdue: boolean }[];
  /** How many RIDDOR reports are due in all: the list may show only the earliest (no silent cap). */
  riddorDueTotal: number;
  riddorReportable: number;
}

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 100));

function bars(counts: Map<string, { label: string; count: number }>, total: number, sortByKey: boolean): Bar[] {
  const max = Math.max(0, ...[...counts.values()].map((v) => v.count));
  const out = [...counts].map(([key, v]) => ({
    key,
    label: v.label,
    count: v.count,
    percent: pct(v.count, total),
    width: pct(v.count, max),
  }));
  return sortByKey
    ? out.sort((a, b) => a.key.localeCompare(b.key))
    : out.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/**
 * The health and safety statistics from submitted incidents: by month (London), category (an
 * incident counts once in each of its categories), team and building; the lone-working share;
 * police and prosecution; open investigations, overdue actions and RIDDOR reports due. Pure.
 */
export function summarise(rows: readonly StatsRow[], today: string): Statistics {
  const month = new Map<string, { label: string; count: number }>();
  const category = new Map<string, { label: string; count: number }>(
    CATEGORY_KEYS.map((k) => [k, { label: CATEGORIES[k], count: 0 }]),
  );
  const team = new Map<string, { label: string; count: number }>();
  const building = new Map<string, { label: string; count: number }>();
  const bump = (m: Map<string, { label: string; count: number }>, key: string, label: string) => {
    const v = m.get(key) ?? { label, count: 0 };
    v.count++;
    m.set(key, v);
  };
  let lone = 0,
    reported = 0,
    pros = 0,
    successful = 0,
    serious = 0,
    openInvestigations = 0,
    overdueActions = 0,
    riddorReportable = 0;
  const riddorDue: Statistics['riddorDue'] = [];
  for (const r of rows) {
    const at = DateTime.fromJSDate(r.occurred_at, { zone: ZONE });
    bump(month, at.toFormat('yyyy-MM'), at.toFormat('MMMM yyyy'));
    for (const c of new Set(r.categories)) bump(category, c, (CATEGORIES as Record<string, string>)[c] ?? c);
    bump(team, r.team_name ?? '', r.team_name ?? 'No team');
    bump(building, r.building_name ?? '', r.building_name ?? 'Not in a council building');
    if (r.lone_working) lone++;
    if (r.police_reported) reported++;
    if (prosecuted(r)) pros++;
    if (successfulProsecution(r)) successful++;
    if (r.serious) serious++;
    if (r.investigation_open) openInvestigations++;
    overdueActions += r.overdue_actions;
    if (r.riddor_kind === 'specified_injury' || r.riddor_kind === 'over_seven_day') {
      riddorReportable++;
      if (!r.hse_reported_on && r.riddor_report_by)
        riddorDue.push({
          id: r.id,
          kind: r.riddor_kind,
          reportBy: r.riddor_report_by,
          overdue: r.riddor_report_by < today,
        });
    }
  }
  const total = rows.length;
  return {
    total,
    staffAffected: new Set(rows.map((r) => r.employee_id)).size,
    byMonth: bars(month, total, true),
    byCategory: bars(category, total, false),
    byTeam: bars(team, total, false),
    byBuilding: bars(building, total, false),
    loneWorking: { count: lone, percent: pct(lone, total) },
    police: { reported, prosecuted: pros, successful },
    serious,
    openInvestigations,
    overdueActions,
    riddorReportable,
    riddorDue: riddorDue.sort((a, b) => a.reportBy.localeCompare(b.reportBy) || a.id - b.id),
    riddorDueTotal: riddorDue.length,
  };
}

/** What IncidentsRepository.aggregate returns: the same figures, counted by the database. */
export interface Aggregates {
  total: number;
  staffAffected: number;
  loneWorking: number;
  policeReported: number;
  prosecuted: number;
  successful: number;
  serious: number;
  riddorReportable: number;
  openInvestigations: number;
  overdueActions: number;
  categories: { key: string; count: number }[];
  months: { key: string; count: number }[];
  teams: { key: string | null; count: number }[];
  buildings: { key: string | null; count: number }[];
  riddorDue: { id: number; kind: string; reportBy: string }[];
  riddorDueTotal: number;
}

/** The statistics from database aggregates: the same result as `summarise` over the rows. Pure. */
export function fromAggregates(a: Aggregates, today: string): Statistics {
  const total = a.total;
  const map = (entries: { key: string; label: string; count: number }[]) =>
    new Map(entries.map((e) => [e.key, { label: e.label, count: e.count }]));
  const category = new Map<string, { label: string; count: number }>(
    CATEGORY_KEYS.map((k) => [k, { label: CATEGORIES[k], count: 0 }]),
  );
  for (const c of a.categories)
    category.set(c.key, { label: (CATEGORIES as Record<string, string>)[c.key] ?? c.key, count: c.count });
  return {
    total,
    staffAffected: a.staffAffected,
    byMonth: bars(
      map(
        a.months.map((m) => ({
          key: m.key,
          label: DateTime.fromFormat(m.key, 'yyyy-MM', { zone: ZONE }).toFormat('MMMM yyyy'),
          count: m.count,
        })),
      ),
      total,
      true,
    ),
    byCategory: bars(category, total, false),
    byTeam: bars(
      map(a.teams.map((t) => ({ key: t.key ?? '', label: t.key ?? 'No team', count: t.count }))),
      total,
      false,
    ),
    byBuilding: bars(
      map(a.buildings.map((b) => ({ key: b.key ?? '', label: b.key ?? 'Not in a council building', count: b.count }))),
      total,
      false,
    ),
    loneWorking: { count: a.loneWorking, percent: pct(a.loneWorking, total) },
    police: { reported: a.policeReported, prosecuted: a.prosecuted, successful: a.successful },
    serious: a.serious,
    openInvestigations: a.openInvestigations,
    overdueActions: a.overdueActions,
    riddorReportable: a.riddorReportable,
    riddorDue: a.riddorDue.map((r) => ({ ...r, overdue: r.reportBy < today })),
    riddorDueTotal: a.riddorDueTotal,
  };
}
