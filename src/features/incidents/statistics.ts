import type { Actor } from '../auth/actor.ts';
import { londonDate, londonTime, londonToday } from '../../time/london.ts';
import type { StatsFilter } from './statistics-repository.ts';
import { CATEGORIES, COURT_OUTCOMES, PERPETRATOR_TYPES, POLICE_OUTCOMES, VERBAL_CHANNELS } from './rules.ts';
import { fromAggregates } from './stats.ts';
import { label, options, type IncidentsContext } from './context.ts';

/** Monitoring for health and safety: the dashboard, the statistics other features publish, and the export. */
export function buildStatistics(ctx: IncidentsContext) {
  const { incidents, now, requireMonitor } = ctx;
  return {
    /** Throws ForbiddenError unless the actor monitors incidents (health and safety). */
    assertMonitor: (actor: Actor) => requireMonitor(actor),

    /** The dashboard: statistics for the filter, the choices for the filter form. Health and safety only. */
    async dashboard(actor: Actor, filter: StatsFilter) {
      requireMonitor(actor);
      const today = londonToday(now());
      const [aggregates, teams, buildings] = await Promise.all([
        incidents.aggregate(filter, today),
        incidents.teams(),
        incidents.buildings(),
      ]);
      return { stats: fromAggregates(aggregates, today), teams, buildings, categories: options(CATEGORIES) };
    },

    /**
     * The statistics without an actor check, for other features that publish aggregates (FOI
     * answers): counts by category, police-reported, prosecuted, successful prosecutions, and more.
     */
    async statistics(filter: StatsFilter & { jobRole?: string | null }) {
      const today = londonToday(now());
      return fromAggregates(await incidents.aggregate(filter, today), today);
    },

    /** The filtered incidents as a table (header first) for CSV and ODS. Health and safety only. */
    async exportTable(actor: Actor, filter: StatsFilter): Promise<string[][]> {
      requireMonitor(actor);
      const rows = await incidents.statisticsRows(filter, londonToday(now()));
      const yn = (b: boolean | null) => (b === null ? '' : b ? 'yes' : 'no');
      return [
        [
          'Incident',
          'Date',
          'Time',
          'Happened to',
          'Team',
          'Building',
          'Location',
          'Working alone',
          'Categories',
          'Verbal channel',
          'Perpetrator',
          'Injured',
          'Days off',
          'Serious',
          'RIDDOR',
          'RIDDOR report by',
          'HSE reference',
          'HSE reported on',
          'Reported to police',
          'Police reported on',
          'Crime reference',
          'Police outcome',
          'Court outcome',
          'Court attended',
          'Status',
          'Open actions',
          'Overdue actions',
          'Source',
        ],
        ...rows.map((r) => [
          String(r.id),
          londonDate(r.occurred_at),
          londonTime(r.occurred_at),
          r.employee_name ?? '',
          r.team_name ?? '',
          r.building_name ?? '',
          r.location ?? '',
          yn(r.lone_working),
          r.categories.map((c) => label(CATEGORIES, c)).join('; '),
          label(VERBAL_CHANNELS, r.verbal_channel) ?? '',
          label(PERPETRATOR_TYPES, r.perpetrator_type) ?? '',
          yn(r.injured),
          r.days_off === null ? '' : String(r.days_off),
          yn(r.serious),
          r.riddor_kind === 'specified_injury' || r.riddor_kind === 'over_seven_day' ? 'Reportable' : 'Not reportable',
          r.riddor_report_by ?? '',
          r.hse_reference ?? '',
          r.hse_reported_on ?? '',
          yn(r.police_reported),
          r.police_on ?? '',
          r.crime_reference ?? '',
          label(POLICE_OUTCOMES, r.police_outcome) ?? '',
          label(COURT_OUTCOMES, r.court_outcome) ?? '',
          yn(r.court_attended),
          r.status === 'closed' ? 'Closed' : 'Open',
          String(r.open_actions),
          String(r.overdue_actions),
          r.source === 'import' ? 'Imported' : 'Harbour',
        ]),
      ];
    },
  };
}
