import type { Actor } from '../auth/actor.ts';
import {
  ALLEGATION_GROUPS,
  STAGE_NAMES,
  allegationTheme,
  breached,
  milestones,
  staffWithUnrelatedComplaints,
} from './rules.ts';
import { stageRecord, type ComplaintsContext } from './context.ts';

/** What a reader learns across the complaints they may see: repeat patterns, themes, times to respond, dismissals. */
export function buildPatterns(ctx: ComplaintsContext) {
  const { repo, today, calendar, mustView, visible, within } = ctx;

  return {
    /** Section 4: repeat patterns, themes by team, time to respond, extension and breach rates. */
    async patterns(actor: Actor, f: { from: string; to: string }) {
      mustView(actor);
      const [all, allStages, scope] = await Promise.all([
        repo.summaries({ from: f.from, to: f.to }),
        repo.allStages({ from: f.from, to: f.to }),
        visible(actor),
      ]);
      const rows = within(all, scope);
      const stages = scope ? allStages.filter((st) => scope.has(st.complaint_id)) : allStages;
      const repeat = staffWithUnrelatedComplaints(
        rows.map((r) => ({
          id: r.id,
          receivedOn: r.received_on,
          staffIds: r.staff_ids,
          household: r.household,
          complainantName: r.complainant_name,
        })),
        f,
      );
      const people = new Map((await repo.staffByIds(repeat.map((r) => r.staffId))).map((s) => [s.id, s]));
      const refs = new Map(rows.map((r) => [r.id, r.reference]));
      const themes = new Map<string, Map<string, number>>();
      for (const r of rows) {
        const team = r.team_name ?? 'No team recorded';
        const byTheme = themes.get(team) ?? new Map<string, number>();
        for (const c of r.categories) byTheme.set(allegationTheme(c), (byTheme.get(allegationTheme(c)) ?? 0) + 1);
        themes.set(team, byTheme);
      }
      const themeNames = ALLEGATION_GROUPS.map((g) => g.label);
      const cal = await calendar();
      const t = today();
      const stageStats = ([1, 2, 3] as const).map((n) => {
        const list = stages.filter((s) => s.stage === n);
        const responded = list.filter((s) => s.responded_on);
        const days = responded.map((s) => cal.workingDaysBetween(s.started_on, s.responded_on!)).sort((a, b) => a - b);
        const breachedCount = list.filter((s) =>
          milestones(cal, stageRecord(s)).some((m) => (s.finished && !m.done ? false : breached(m, t))),
        ).length;
        const pct = (k: number) => (list.length ? Math.round((100 * k) / list.length) : 0);
        return {
          stage: n,
          name: STAGE_NAMES[n],
          count: list.length,
          responded: responded.length,
          averageDays: days.length ? Math.round((10 * days.reduce((a, b) => a + b, 0)) / days.length) / 10 : null,
          medianDays: days.length ? days[Math.floor(days.length / 2)]! : null,
          extended: list.filter((s) => s.extended_to).length,
          extensionRate: pct(list.filter((s) => s.extended_to).length),
          breached: breachedCount,
          breachRate: pct(breachedCount),
        };
      });
      return {
        from: f.from,
        to: f.to,
        repeat: repeat.map((r) => ({
          ...r,
          person: people.get(r.staffId),
          references: r.complaintIds.map((id) => ({ id, reference: refs.get(id) })),
        })),
        themeNames,
        themes: [...themes]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([team, m]) => ({ team, counts: themeNames.map((n) => m.get(n) ?? 0) })),
        stageStats,
      };
    },

    async dismissals(actor: Actor, q: { from: string; to: string; jobRoles?: string[] }) {
      mustView(actor);
      const [rows, scope] = await Promise.all([repo.dismissals(q.from, q.to), visible(actor)]);
      return rows.filter(
        (d) => (!scope || scope.has(d.complaint_id)) && (!q.jobRoles?.length || q.jobRoles.includes(d.job_role ?? '')),
      );
    },
  };
}
