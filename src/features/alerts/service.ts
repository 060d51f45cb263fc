import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { maySee, relationTo } from '../visits/access.ts';
import { timers } from './timers.ts';
import type { EscalationEngine } from './engine.ts';
import { DEFAULT_PAUSE_MINUTES, DEFAULT_POLICIES, policySchema, stepOffsets, type AlertKind, type Step } from './policy.ts';
import { londonTime } from '../../time/london.ts';
import { can } from '../auth/access.ts';
import { lastCheckInAt, lastLocation } from '../visits/last-contact.ts';
import { fetchPage } from '../../web/paging.ts';

export const OUTCOMES = { safe: 'Safe', false_alarm: 'False alarm', incident: 'Incident' } as const;
export type Outcome = keyof typeof OUTCOMES;

export function buildAlertsService(deps: { db: Kysely<DB>; staff: StaffRepository; audit: AuditRepository; engine: EscalationEngine }) {
  const { db, staff, audit, engine } = deps;

  async function load(alertId: string) {
    if (!/^\d{1,18}$/.test(alertId)) throw new NotFoundError('Alert');
    const a = await db.selectFrom('alerts as a').innerJoin('staff as w', 'w.id', 'a.worker_id')
      .leftJoin('visits as v', 'v.id', 'a.visit_id')
      .leftJoin('staff as b', 'b.id', 'w.buddy_id')
      .leftJoin('staff as ack', 'ack.id', 'a.acknowledged_by')
      .leftJoin('emergency_packs as ep', 'ep.staff_id', 'a.worker_id')
      .select([
        'a.id', 'a.kind', 'a.status', 'a.policy', 'a.next_step', 'a.opened_at', 'a.deadline_at', 'a.acknowledged_at', 'a.paused_until',
        'a.outcome', 'a.outcome_notes', 'a.resolved_at', 'a.worker_id', 'a.visit_id',
        sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'), 'w.work_mobile', 'w.personal_mobile', 'w.team_id', 'w.updated_at as staff_record_updated_at', 'ep.updated_at as pack_updated_at',
        sql<string | null>`b.given_name || ' ' || b.family_name`.as('buddy_name'), 'b.work_mobile as buddy_mobile',
        sql<string | null>`ack.given_name || ' ' || ack.family_name`.as('acknowledged_by_name'),
        'v.address', 'v.postcode', 'v.latitude', 'v.longitude', 'v.case_system', 'v.case_id', 'v.description', 'v.kind as visit_kind',
        'v.starts_at', 'v.ends_at', lastCheckInAt('v').as('last_check_in_at'), lastLocation('v').as('last_location'), 'v.risk_rating', 'v.joint_partner_id',
      ])
      .where('a.id', '=', alertId).executeTakeFirst();
    if (!a) throw new NotFoundError('Alert');
    return a;
  }

  /**
   * Acting on an alert: never its subject. A silent alarm's subject gets the same 404 as its page
   * (someone else may be holding the phone, and alert ids are sequential); an overdue worker acts
   * on their session instead ("Visit over" or "Extend" close the alert).
   */
  async function mustAct(actor: Actor, alert: { id: string; kind: string; worker_id: number }) {
    if (actor.staffId === alert.worker_id) {
      if (alert.kind === 'duress') throw new NotFoundError('Alert');
      throw new ForbiddenError('An alert about you is answered by the people alerted: end or extend your session to say you are safe');
    }
    await mustRespond(actor, alert.id, alert.worker_id);
  }

  /** Responders: anyone the alert was sent to, and anyone who may see the worker (buddy, managers, team business support). */
  async function mustRespond(actor: Actor, alertId: string, workerId: number) {
    if (maySee(await relationTo(staff, actor, workerId))) return;
    if (actor.staffId !== null) {
      const sent = await db.selectFrom('notifications').select('id').where('alert_id', '=', alertId).where('recipient_id', '=', actor.staffId).executeTakeFirst();
      if (sent) return;
    }
    throw new ForbiddenError('Only the people alerted, and the worker’s buddy and managers, can see this alert');
  }

  async function note(trx: Transaction<DB>, alert: { id: string; visit_id: number | null }, actor: Actor, type: string, text: string) {
    await trx.insertInto('timeline_events').values({ alert_id: alert.id, visit_id: alert.visit_id, type, actor_id: actor.staffId, text }).execute();
  }

  /** Same lock order as every other writer: the alert's pending timers, then the alert. */
  async function lockAlert(trx: Transaction<DB>, alertId: string) {
    const pending = await timers.pending(trx, 'alert_step', alertId);
    const row = await trx.selectFrom('alerts').select(['id', 'status', 'visit_id', 'worker_id', 'next_step', 'policy']).where('id', '=', alertId).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError('Alert');
    return { pending, row };
  }

  return {
    async view(actor: Actor, alertId: string) {
      const alert = await load(alertId);
      // A silent alarm is invisible to the worker who raised it: as if it did not exist.
      if (alert.kind === 'duress' && actor.staffId === alert.worker_id) throw new NotFoundError('Alert');
      await mustRespond(actor, alertId, alert.worker_id);
      const [events, chain] = await Promise.all([
        db.selectFrom('timeline_events as e').leftJoin('staff as s', 's.id', 'e.actor_id')
          .select(['e.id', 'e.at', 'e.type', 'e.text', sql<string | null>`s.given_name || ' ' || s.family_name`.as('actor_name')])
          .where((eb) => eb.or([eb('e.alert_id', '=', alertId), ...(alert.visit_id ? [eb('e.visit_id', '=', alert.visit_id)] : [])]))
          .orderBy('e.at').orderBy('e.id').execute(),
        staff.chain(alert.worker_id),
      ]);
      const steps = alert.policy as Step[];
      const nextTimer = await db.selectFrom('timers').select(['seq', 'fire_at']).where('kind', '=', 'alert_step').where('subject_id', '=', alertId)
        .where('status', '=', 'pending').orderBy('seq').executeTakeFirst();
      const nextStep = nextTimer ? { label: steps[nextTimer.seq]?.label ?? `Step ${nextTimer.seq + 1}`, at: nextTimer.fire_at } : null;
      return { alert, events, chain, steps, currentStep: steps[Math.max(0, alert.next_step - 1)] ?? null, nextStep, isWorker: actor.staffId === alert.worker_id };
    },

    /** "I'm handling it": acknowledges and pauses escalation; it resumes unless resolved. */
    async acknowledge(actor: Actor, alertId: string, minutes = DEFAULT_PAUSE_MINUTES) {
      const alert = await load(alertId);
      await mustAct(actor, alert);
      await inTransaction(db, async (trx) => {
        const { row } = await lockAlert(trx, alertId);
        if (row.status === 'resolved') throw new ValidationError([{ field: 'alert', message: 'This alert has already been closed' }]);
        const until = new Date(Date.now() + minutes * 60_000);
        await trx.updateTable('alerts').set({ status: 'acknowledged', acknowledged_by: actor.staffId, acknowledged_at: new Date(), paused_until: until }).where('id', '=', alertId).execute();
        await timers.postpone(trx, alertId, until);
        await note(trx, row, actor, 'acknowledged', `${actor.displayName} is handling it; escalation paused for ${minutes} minutes`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'alert.acknowledge', entityType: 'alert', entityId: alertId });
      });
    },

    /** "Can't reach them, escalate now": fires the next step immediately. */
    async escalateNow(actor: Actor, alertId: string) {
      const alert = await load(alertId);
      await mustAct(actor, alert);
      await inTransaction(db, async (trx) => {
        const { pending, row } = await lockAlert(trx, alertId);
        if (row.status === 'resolved') throw new ValidationError([{ field: 'alert', message: 'This alert has already been closed' }]);
        await note(trx, row, actor, 'escalate_now', `${actor.displayName} could not reach them and escalated now`);
        let next = pending[0];
        if (!next) await note(trx, row, actor, 'no_more_steps', 'There are no further steps on the escalation route');
        await trx.updateTable('alerts').set({ paused_until: null, status: 'open' }).where('id', '=', alertId).execute();
        // "Escalate now" never escalates to the person who pressed it: a step that would tell only
        // them (the line manager pressing it, say) is fired, and the next one follows at once.
        while (next) {
          await timers.markFired(trx, next.id);
          await engine.fireSteps(trx, [{ alertId, step: next.seq }]);
          if (actor.staffId !== null) await trx.deleteFrom('notifications').where('alert_id', '=', alertId).where('step', '=', next.seq).where('recipient_id', '=', actor.staffId).where('status', '=', 'pending').execute();
          const others = await trx.selectFrom('notifications').select('id').where('alert_id', '=', alertId).where('step', '=', next.seq)
            .where((eb) => (actor.staffId === null ? eb.val(true) : eb('recipient_id', '<>', actor.staffId))).executeTakeFirst();
          if (others) break;
          const skipped = (row.policy as Step[])[next.seq]?.label ?? `step ${next.seq + 1}`;
          next = (await timers.pending(trx, 'alert_step', alertId))[0];
          await note(trx, row, actor, 'escalate_skip', next ? `${skipped} would only have told ${actor.displayName}: escalated to the next step` : `${skipped} would only have told ${actor.displayName}, and there are no further steps on the escalation route`);
        }
        await audit.appendIn(trx, { ...actorFields(actor), action: 'alert.escalate_now', entityType: 'alert', entityId: alertId });
      });
    },

    /** Closing needs an outcome: safe, false alarm or incident. */
    async resolve(actor: Actor, alertId: string, outcome: Outcome, notes: string | null) {
      const alert = await load(alertId);
      await mustAct(actor, alert);
      await inTransaction(db, async (trx) => {
        if (alert.visit_id) await sql`SELECT id FROM timers WHERE status = 'pending' AND kind = 'visit_due' AND subject_id = ${alert.visit_id} FOR UPDATE`.execute(trx);
        const { row } = await lockAlert(trx, alertId);
        if (row.status === 'resolved') throw new ValidationError([{ field: 'outcome', message: 'This alert has already been closed' }]);
        await trx.updateTable('alerts').set({ status: 'resolved', outcome, outcome_notes: notes, resolved_by: actor.accountId, resolved_at: new Date(), paused_until: null }).where('id', '=', alertId).execute();
        await timers.cancel(trx, 'alert_step', alertId);
        if (row.visit_id) {
          // The responder has dealt with it: the session closes, and a new one can be started.
          await timers.cancel(trx, 'visit_due', row.visit_id);
          await trx.updateTable('visits').set({ state: 'completed', ended_at: new Date(), due_at: null, updated_at: new Date() })
            .where('id', '=', row.visit_id).where('state', 'in', ['in_progress', 'overdue']).execute();
        }
        await note(trx, row, actor, 'resolved', `Closed by ${actor.displayName}: ${OUTCOMES[outcome]}${notes ? ` – ${notes}` : ''}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'alert.resolve', entityType: 'alert', entityId: alertId, detail: { outcome } });
      });
    },

    /**
     * One page of the alerts about people the actor responds to, newest first: open ones (not yet
     * closed) unless `closed`, narrowed by kind and a search of the worker's name or the postcode.
     */
    async listFor(actor: Actor, filter: { q: string; kind: AlertKind | null; closed: boolean; page: number }) {
      const base = () => {
        let q = db.selectFrom('alerts as a').innerJoin('staff as w', 'w.id', 'a.worker_id').leftJoin('visits as v', 'v.id', 'a.visit_id')
          .where('a.status', filter.closed ? '=' : '<>', 'resolved');
        if (filter.kind) q = q.where('a.kind', '=', filter.kind);
        if (filter.q) {
          const like = `%${filter.q.toLowerCase()}%`;
          q = q.where((eb) => eb.or([eb(sql`lower(w.given_name || ' ' || w.family_name)`, 'like', like), eb(sql`lower(replace(coalesce(v.postcode, ''), ' ', ''))`, 'like', like.replace(/\s+/g, ''))]));
        }
        return q;
      };
      // One relation lookup per worker with such alerts, however many alerts they have.
      const workers = (await base().select('a.worker_id').distinct().execute()).map((r) => r.worker_id);
      const seen: number[] = [];
      for (const workerId of workers) if (maySee(await relationTo(staff, actor, workerId))) seen.push(workerId);
      if (!seen.length) return { rows: [], total: 0, page: 1 };
      let q = base().where('a.worker_id', 'in', seen)
        .select(['a.id', 'a.kind', 'a.status', 'a.opened_at', 'a.deadline_at', 'a.resolved_at', 'a.outcome', 'a.worker_id', 'v.postcode',
          sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name')])
        .orderBy('a.opened_at', 'desc').orderBy('a.id', 'desc');
      // A worker's own duress alarm is silent: never listed to them.
      if (actor.staffId !== null) q = q.where((eb) => eb.not(eb.and([eb('a.kind', '=', 'duress'), eb('a.worker_id', '=', actor.staffId!)])));
      return fetchPage(q, filter.page);
    },

    /**
     * What happens if a session's deadline passes, from the worker's team's overdue policy: shown on
     * the session page (and when it turns overdue there), e.g. "…then alerts Buddy at 15:00, Line manager at 15:10".
     */
    async afterDeadline(workerId: number, dueAt: Date): Promise<string> {
      const worker = await staff.get(workerId);
      const { steps } = await this.policy(worker?.team_id ?? null, 'overdue');
      const offsets = stepOffsets(steps);
      const remindsFirst = steps[0]?.targets.length === 1 && steps[0].targets[0] === 'worker';
      const told = steps.map((s, i) => ({ s, at: new Date(dueAt.getTime() + offsets[i]! * 1000) })).filter(({ s }) => !(s.targets.length === 1 && s.targets[0] === 'worker')).slice(0, 2);
      const list = told.map(({ s, at }) => `${s.label} at ${londonTime(at)}`).join(', then ');
      return `${remindsFirst ? 'Harbour reminds you at the deadline, then alerts' : 'Harbour alerts'} ${list || 'your buddy'} unless you say you are safe or extend.`;
    },

    // Escalation policies per team, with the defaults when a team has none.
    async policy(teamId: number | null, kind: AlertKind): Promise<{ steps: Step[]; custom: boolean }> {
      if (teamId === null) return { steps: DEFAULT_POLICIES[kind], custom: false };
      const row = await db.selectFrom('escalation_policies').select('steps').where('team_id', '=', teamId).where('kind', '=', kind).executeTakeFirst();
      return row ? { steps: row.steps as Step[], custom: true } : { steps: DEFAULT_POLICIES[kind], custom: false };
    },
    async savePolicy(actor: Actor, teamId: number, kind: AlertKind, steps: Step[] | null) {
      if (!can(actor, 'organisation.manage')) throw new ForbiddenError('Only administrators can change escalation policies');
      if (steps) {
        const parsed = policySchema.safeParse(steps);
        if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ field: i.path.length ? `steps-${String(i.path[0])}-${i.path[1] === 'delaySeconds' ? 'delayMinutes' : String(i.path[1] ?? 'label')}` : 'steps-0-label', message: i.message })));
      }
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('escalation_policies').where('team_id', '=', teamId).where('kind', '=', kind).execute();
        if (steps) await trx.insertInto('escalation_policies').values({ team_id: teamId, kind, steps: JSON.stringify(steps), updated_by: actor.accountId }).execute();
        await audit.appendIn(trx, { ...actorFields(actor), action: steps ? 'policy.save' : 'policy.reset', entityType: 'team', entityId: teamId, detail: { kind } });
      });
    },
  };
}

export type AlertsService = ReturnType<typeof buildAlertsService>;
