import { can } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { ComplaintsService } from '../complaints/index.ts';
import type { FoiService } from '../foi/index.ts';
import { londonToday } from '../../time/london.ts';
import type { WorklistRepository } from './repository.ts';

/** One line of someone's work on their home page: a count, what it is, where to act, and whether it is late. */
export interface WorkItem {
  count: number;
  text: string;
  href: string;
  urgent: boolean;
}

export interface WorkGroup {
  heading: string;
  items: WorkItem[];
}

const plural = (count: number, one: string, many: string) => (count === 1 ? one : many);

/** Only lines with something in them, the late ones first. */
export function orderItems(items: WorkItem[]): WorkItem[] {
  return items.filter((i) => i.count > 0).sort((a, b) => Number(b.urgent) - Number(a.urgent));
}

/**
 * "Your work" on the home page (issue 15): for each role a person holds, the counts of what is
 * waiting for them, most urgent first, each linking to a page they may open.
 */
export function buildWorklistService(deps: {
  repo: WorklistRepository;
  staff: StaffRepository;
  complaints: ComplaintsService;
  foi: FoiService;
  now?: () => Date;
}) {
  const { repo, staff } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async forActor(actor: Actor): Promise<WorkGroup[]> {
      const today = londonToday(now());
      const groups: WorkGroup[] = [];

      if (actor.staffId !== null) {
        const reports = await staff.reports(actor.staffId);
        if (reports.length) {
          const m = await repo.manager(
            reports.map((r) => r.id),
            now(),
          );
          groups.push({
            heading: 'Your people',
            items: orderItems([
              {
                count: m.meetingsOverdue,
                text: plural(m.meetingsOverdue, 'post-incident meeting overdue', 'post-incident meetings overdue'),
                href: '/incidents?status=open',
                urgent: true,
              },
              {
                count: m.awaitingResponse,
                text: plural(
                  m.awaitingResponse,
                  'incident report awaiting your response',
                  'incident reports awaiting your response',
                ),
                href: '/incidents?status=open',
                urgent: false,
              },
            ]),
          });
        }
      }
      if (can(actor, 'incidents.view_all')) {
        const h = await repo.healthAndSafety(today);
        groups.push({
          heading: 'Health and safety',
          items: orderItems([
            {
              count: h.riddorOverdue,
              text: plural(h.riddorOverdue, 'RIDDOR report overdue', 'RIDDOR reports overdue'),
              href: '/incidents/dashboard',
              urgent: true,
            },
            {
              count: h.riddorDue - h.riddorOverdue,
              text: plural(h.riddorDue - h.riddorOverdue, 'RIDDOR report to make', 'RIDDOR reports to make'),
              href: '/incidents/dashboard',
              urgent: false,
            },
            {
              count: h.seriousOpen,
              text: plural(h.seriousOpen, 'serious incident open', 'serious incidents open'),
              href: '/incidents?status=open',
              urgent: false,
            },
            {
              count: h.open,
              text: plural(h.open, 'incident open', 'incidents open'),
              href: '/incidents?status=open',
              urgent: false,
            },
          ]),
        });
      }
      if (can(actor, 'complaints.manage')) {
        const due = await deps.complaints.deadlines(actor);
        const breached = due.filter((d) => d.breached).length;
        groups.push({
          heading: 'Complaints',
          items: orderItems([
            {
              count: breached,
              text: plural(breached, 'complaint stage past its deadline', 'complaint stages past their deadline'),
              href: '/complaints',
              urgent: true,
            },
            {
              count: due.length - breached,
              text: plural(
                due.length - breached,
                'complaint stage due in the next 5 working days',
                'complaint stages due in the next 5 working days',
              ),
              href: '/complaints',
              urgent: false,
            },
          ]),
        });
      }
      if (can(actor, 'foi.manage')) {
        const d = await deps.foi.dashboard(actor);
        groups.push({
          heading: 'Freedom of information',
          items: orderItems([
            {
              count: d.overdue,
              text: plural(d.overdue, 'request overdue', 'requests overdue'),
              href: '/foi',
              urgent: true,
            },
            {
              count: d.dueThisWeek,
              text: plural(d.dueThisWeek, 'request due this week', 'requests due this week'),
              href: '/foi',
              urgent: false,
            },
            {
              count: d.clockStopped,
              text: plural(d.clockStopped, 'request on hold (clock stopped)', 'requests on hold (clock stopped)'),
              href: '/foi',
              urgent: false,
            },
          ]),
        });
      }
      if (can(actor, 'registers.view_all')) {
        const year = Number(today.slice(0, 4));
        const missing = await repo.declarationsMissing(year);
        groups.push({
          heading: 'Registers of interests',
          items: orderItems([
            {
              count: missing,
              text: `${plural(missing, 'member of staff has', 'members of staff have')} not declared for ${year}`,
              href: '/registers',
              urgent: false,
            },
          ]),
        });
      }
      if (can(actor, 'organisation.manage')) {
        const g = await repo.organisationGaps();
        groups.push({
          heading: 'Organisation',
          items: orderItems([
            {
              count: g.noBuddy,
              text: `${plural(g.noBuddy, 'member of staff has', 'members of staff have')} no buddy`,
              href: '/teams',
              urgent: false,
            },
            {
              count: g.noManager,
              text: `${plural(g.noManager, 'member of staff has', 'members of staff have')} no line manager`,
              href: '/people',
              urgent: false,
            },
          ]),
        });
      }
      return groups;
    },
  };
}

export type WorklistService = ReturnType<typeof buildWorklistService>;
