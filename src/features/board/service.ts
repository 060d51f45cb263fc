import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PeopleService } from '../people/service.ts';
import type { VisitsRepository } from '../visits/repository.ts';
import { buildAlertsRepository } from '../alerts/repository.ts';
import { buildDayRepository } from '../visits/day-repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { londonDate, londonDayBounds } from '../../time/london.ts';

/** Order on the board: alarms and overdue first, then running sessions by due time, then the rest. */
export function boardRank(row: { state: string; alert_status: string | null }): number {
  if (row.alert_status && row.alert_status !== 'resolved') return 0;
  if (row.state === 'overdue') return 0;
  if (row.state === 'in_progress') return 1;
  if (row.state === 'planned') return 2;
  return 3;
}

export function buildBoardService(deps: {
  db: Kysely<DB>;
  people: PeopleService;
  staff: StaffRepository;
  visits: VisitsRepository;
}) {
  const { people, staff, visits } = deps;
  const alertsRepo = buildAlertsRepository(deps.db);
  const days = buildDayRepository(deps.db);
  return {
    /** Team whereabouts for today plus every running session, for the teams the actor may see. */
    async board(actor: Actor) {
      const teamIds = await people.teamIdsFor(actor);
      const workerIds = teamIds === 'all' ? ('all' as const) : (await staff.list({ teamIds })).map((s) => s.id);
      const { start, end } = londonDayBounds(londonDate(new Date()));
      const [today, active] = await Promise.all([visits.between(workerIds, start, end), visits.active(workerIds)]);
      const byId = new Map([...today, ...active].map((v) => [v.id, v]));
      const ids = [...byId.keys()];
      const alerts = (ids.length ? await alertsRepo.openForVisits(ids) : [])
        // A silent alarm never shows on the worker's own screen.
        .filter((a) => !(a.kind === 'duress' && a.worker_id === actor.staffId));
      const alertFor = new Map(alerts.map((a) => [a.visit_id, a]));
      const rows = [...byId.values()].map((v) => ({
        ...v,
        alert_id: alertFor.get(v.id)?.id ?? null,
        alert_status: alertFor.get(v.id)?.status ?? null,
        alert_kind: alertFor.get(v.id)?.kind ?? null,
      }));
      rows.sort(
        (a, b) =>
          boardRank(a) - boardRank(b) ||
          new Date(a.due_at ?? a.starts_at).getTime() - new Date(b.due_at ?? b.starts_at).getTime(),
      );
      // Who has said "Finished and safe" today: what the buddy used to wait for by phone.
      const finishedToday = await days.confirmedOn(londonDate(new Date()), workerIds);
      // People, not alerts or sessions: two alarms about one person are one person to respond to.
      const needing = new Map<number, { name: string; href: string }>();
      for (const r of rows.filter((x) => boardRank(x) === 0)) {
        if (!needing.has(r.worker_id))
          needing.set(r.worker_id, {
            name: r.worker_name,
            href: r.alert_id ? `/alerts/${r.alert_id}` : `/visits/${r.id}`,
          });
      }
      return {
        rows,
        finishedToday,
        needing: [...needing.values()],
        counts: {
          alarms: needing.size,
          out: rows.filter((r) => r.state === 'in_progress').length,
          planned: rows.filter((r) => r.state === 'planned').length,
        },
      };
    },
  };
}

export type BoardService = ReturnType<typeof buildBoardService>;
