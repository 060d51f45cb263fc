import { actorFields } from '../audit/service.ts';
import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { londonToday } from '../../time/london.ts';
import { dueSoon, reminderDue, type Policy } from './rules.ts';
import { MANAGER_ROLES, type TrainingContext } from './context.ts';

/** Readiness to work alone across a manager's line, the team policy, the home page's items and the reminders. */
export function buildReadiness({ db, repo, audit, now, scope, readinessFor, mayChangePolicy }: TrainingContext) {
  return {
    /** /readiness: one row per person in the actor's line, team counts, filters. */
    async readiness(actor: Actor, filter: { teamId: number | null; show: 'all' | 'not_ready' | 'ready' }) {
      if (!hasRole(actor, 'admin', 'health_and_safety_officer', ...MANAGER_ROLES))
        throw new ForbiddenError('Readiness is for managers');
      const rows = await readinessFor(await scope(actor));
      const teamIds = [...new Set(rows.map((r) => r.teamId).filter((t): t is number => t !== null))];
      const teams = (await repo.teams(teamIds)).map((t) => {
        const members = rows.filter((r) => r.teamId === t.id);
        return { ...t, total: members.length, ready: members.filter((r) => r.ready).length, mayChangePolicy: false };
      });
      for (const t of teams) t.mayChangePolicy = await mayChangePolicy(actor, t.manager_id);
      const shown = rows.filter(
        (r) =>
          (filter.teamId === null || r.teamId === filter.teamId) &&
          (filter.show === 'all' || (filter.show === 'ready') === r.ready),
      );
      return { rows: shown, total: rows.length, teams };
    },

    /** The team's manager, anyone above them, or an administrator sets the team's policy. */
    async setPolicy(actor: Actor, teamId: number, policy: Policy) {
      const team = await repo.team(teamId);
      if (!team) throw new NotFoundError('Team');
      if (!(await mayChangePolicy(actor, team.manager_id)))
        throw new ForbiddenError(
          'Only the team’s manager, their managers or an administrator can set its training policy',
        );
      await inTransaction(db, async (trx) => {
        await repo.setPolicy(trx, teamId, policy, actor.accountId);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'training.policy',
          entityType: 'team',
          entityId: teamId,
          detail: { policy },
        });
      });
      return team;
    },

    /** The home page: what the person lacks; for a manager, their people's items due in the next 30 days. */
    async home(actor: Actor) {
      if (actor.staffId === null) return { mine: [], team: [] };
      const today = londonToday(now());
      const [me] = await readinessFor([actor.staffId]);
      const mine = me ? dueSoon(me.training, today) : [];
      let team: { id: number; name: string; items: { text: string; on: string | null }[] }[] = [];
      if (hasRole(actor, ...MANAGER_ROLES, 'admin')) {
        const s = await scope(actor);
        if (s !== 'all' && s.length) {
          team = (await readinessFor(s))
            .map((r) => ({ id: r.id, name: r.name, items: dueSoon(r.training, today) }))
            .filter((r) => r.items.length);
        }
      }
      return { mine, team };
    },

    /** Daily job: tell each person whose training falls due within 30 days, at most once a week. */
    async sendReminders() {
      const at = now();
      const today = londonToday(at);
      const rows = await readinessFor('all');
      const last = await repo.lastReminders(rows.map((r) => r.id));
      let sent = 0;
      for (const r of rows) {
        const items = dueSoon(r.training, today);
        if (!items.length || !reminderDue(last.get(r.id) ?? null, at)) continue;
        await inTransaction(db, (trx) =>
          repo.recordReminder(trx, {
            staffId: r.id,
            at,
            link: '/training',
            subject: items.length === 1 ? 'Training due' : `${items.length} training items due`,
            body: `Training you need for lone working:\n${items.map((i) => `- ${i.text}`).join('\n')}\nBook it with your manager. Your training record is in Harbour under “My training”.`,
          }),
        );
        sent++;
      }
      return { sent };
    },
  };
}
