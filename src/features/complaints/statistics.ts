import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError } from '../../errors.ts';
import { financialYearBands, staffWithUnrelatedComplaints, type Procedure } from './rules.ts';
import { fullName, type ComplaintsContext } from './context.ts';

/** What `statistics` answers: seed 004's yearly table and seed 003 Q10's repeat-complaints question. */
export interface ComplaintStatisticsQuery {
  /** Inclusive ISO dates (London calendar days) of the period; complaints count by the date received. */
  from: string;
  to: string;
  /** Which procedure's complaints to count. Default 'statutory_children' (seed 004 counts statutory complaints). */
  procedure?: Procedure | 'all';
  /** Count only complaints naming staff in these job roles (e.g. ['social_worker']). Default: any. */
  jobRoles?: string[];
  /** Staff with at least this many complaints from unrelated complainants (default 2, seed 003 Q10). */
  repeatThreshold?: number;
}
export interface ComplaintYearRow {
  /** "2015/16", or a part-year cut short by the period, like "Apr–Sep 2016". */
  label: string;
  from: string;
  to: string;
  partYear: boolean;
  received: number;
  /** Received less withdrawn and not investigated (e.g. refused during an active police investigation). */
  investigated: number;
  withdrawn: number;
  notInvestigated: number;
  upheldOrPartiallyUpheld: number;
}
export interface ComplaintStatistics {
  from: string;
  to: string;
  procedure: Procedure | 'all';
  years: ComplaintYearRow[];
  totals: Omit<ComplaintYearRow, 'label' | 'from' | 'to' | 'partYear'>;
  repeatStaff: {
    count: number;
    /** `name` is null unless the caller may see complaints naming staff (complaints team, senior managers). */
    staff: {
      staffId: number;
      name: string | null;
      jobRole: string;
      teamName: string | null;
      complaints: number;
      unrelatedComplainants: number;
    }[];
  };
  /** Disciplinary outcomes of dismissal dated within the period, for staff in `jobRoles` (all when not given). */
  dismissals: number;
}

/** Seed 004's yearly table and seed 003 Q10's repeat complaints about staff, for FOI and the complaints team. */
export function buildStatistics(ctx: ComplaintsContext) {
  const { repo, lineOf } = ctx;

  async function statistics(actor: Actor, q: ComplaintStatisticsQuery): Promise<ComplaintStatistics> {
    if (!can(actor, 'complaints.statistics')) throw new ForbiddenError('You cannot see complaint statistics');
    const procedure = q.procedure ?? 'statutory_children';
    const rows = (await repo.summaries({ from: q.from, to: q.to })).filter(
      (r) => procedure === 'all' || r.procedure === procedure,
    );
    const allStaff = await repo.staffByIds([...new Set(rows.flatMap((r) => r.staff_ids))]);
    const roleOf = new Map(allStaff.map((s) => [s.id, s.job_role]));
    const inRoles = (staffIds: number[]) =>
      !q.jobRoles?.length || staffIds.some((s) => q.jobRoles!.includes(roleOf.get(s) ?? ''));
    const counted = rows.filter((r) => inRoles(r.staff_ids));
    const count = (list: typeof counted) => {
      const withdrawn = list.filter((r) => r.withdrawn_on).length;
      const notInvestigated = list.filter((r) => !r.withdrawn_on && r.not_investigated_on).length;
      return {
        received: list.length,
        withdrawn,
        notInvestigated,
        investigated: list.length - withdrawn - notInvestigated,
        upheldOrPartiallyUpheld: list.filter(
          (r) =>
            !r.withdrawn_on && !r.not_investigated_on && (r.outcome === 'upheld' || r.outcome === 'partially_upheld'),
        ).length,
      };
    };
    const years = financialYearBands(q.from, q.to).map((b) => ({
      ...b,
      ...count(counted.filter((r) => r.received_on >= b.from && r.received_on <= b.to)),
    }));
    const repeat = staffWithUnrelatedComplaints(
      counted.map((r) => ({
        id: r.id,
        receivedOn: r.received_on,
        staffIds: r.staff_ids.filter((s) => !q.jobRoles?.length || q.jobRoles.includes(roleOf.get(s) ?? '')),
        household: r.household,
        complainantName: r.complainant_name,
      })),
      { from: q.from, to: q.to },
      q.repeatThreshold ?? 2,
    );
    // Names only for the complaints team, and for a senior manager only of people in their own line
    // (or its teams). Others with statistics (FOI officers) get figures without names.
    const line = can(actor, 'complaints.view') ? await lineOf(actor) : null;
    const byId = new Map(allStaff.map((s) => [s.id, s]));
    const named = (staffId: number) =>
      can(actor, 'complaints.manage') ||
      (line !== null &&
        staffId !== actor.staffId &&
        (line.staff.has(staffId) || line.teams.has(byId.get(staffId)?.team_id ?? -1)));
    const dismissals = (await repo.dismissals(q.from, q.to)).filter(
      (d) => !q.jobRoles?.length || q.jobRoles.includes(d.job_role ?? ''),
    );
    return {
      from: q.from,
      to: q.to,
      procedure,
      years,
      totals: count(counted),
      repeatStaff: {
        count: repeat.length,
        staff: repeat.map((r) => {
          const s = byId.get(r.staffId);
          return {
            staffId: r.staffId,
            name: named(r.staffId) && s ? fullName(s) : null,
            jobRole: s?.job_role ?? '',
            teamName: s?.team_name ?? null,
            complaints: r.complaints,
            unrelatedComplainants: r.unrelatedComplainants,
          };
        }),
      },
      dismissals: dismissals.length,
    };
  }

  return {
    statistics,

    /** Seed 004's table for the screen and the CSV/ODS export. */
    async yearlyTable(actor: Actor, q: ComplaintStatisticsQuery): Promise<(string | number)[][]> {
      const s = await statistics(actor, q);
      return [
        [
          'Year',
          'Statutory complaints received',
          'Number investigated',
          'Number withdrawn by complainants',
          'Number not investigated',
          'Number upheld or partially upheld',
        ],
        ...s.years.map((y) => [
          y.label,
          y.received,
          y.investigated,
          y.withdrawn,
          y.notInvestigated,
          y.upheldOrPartiallyUpheld,
        ]),
        [
          'Total',
          s.totals.received,
          s.totals.investigated,
          s.totals.withdrawn,
          s.totals.notInvestigated,
          s.totals.upheldOrPartiallyUpheld,
        ],
      ];
    },
  };
}
