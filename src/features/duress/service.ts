import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { RiskRepository } from '../risk/repository.ts';
import type { AlertsService } from '../alerts/index.ts';
import { hasRole, type Actor } from '../auth/actor.ts';
import type { ChannelName } from '../notifications/routing.ts';
import type { EmergencyService } from '../emergency/service.ts';
import { actorFields } from '../audit/service.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { timers } from '../alerts/timers.ts';
import { DEFAULT_POLICIES, type Step } from '../alerts/policy.ts';
import { maySee, relationTo } from '../visits/access.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { normaliseCaseId, normalisePostcode, categoryLabel } from '../risk/rules.ts';
import { londonDate, londonDayBounds, londonTime } from '../../time/london.ts';
import type { AnswerValue, Answers } from './tables.ts';
import { lastCheckInAt, lastLocation } from '../visits/last-contact.ts';
import {
  ANSWERS, CALL_OUTCOMES, DEFAULT_CALLBACK_SECONDS, MAJOR_INCIDENT_CATEGORIES, QUESTIONS, answersText, carriedText, duressSteps,
  needs999, nextQuestion, packReasonProblem, pinProblem, weaponMentioned, type CallOutcome, type MajorIncidentCategory, type QuestionKey,
} from './rules.ts';

type Trx = Transaction<DB>;
type Location = { lat: number; lng: number };

/**
 * The emergency information pack's break-glass (src/features/emergency): the police pack's car
 * comes from it, opened on purpose with a reason, recorded for the worker to see and audited.
 */
export type EmergencyPackReader = Pick<EmergencyService, 'breakGlass'>;
export interface OpenedPack { car: { makeModel: string | null; colour: string | null; registration: string | null } | null; description: string | null; missing: boolean; unreadable: boolean }

export interface DuressDeps {
  db: Kysely<DB>;
  staff: StaffRepository;
  audit: AuditRepository;
  risk: RiskRepository;
  alerts: AlertsService;
  plan: { channel: ChannelName; fallbacks: ChannelName[] };
  baseUrl: string;
  /** How long "call you back in 5 minutes" waits (shorter in tests). */
  callbackSeconds?: number;
  /** Wakes the escalation loop so step 0 of a new alarm fires at once. */
  onAlarm?: () => void;
  /** Wakes the notification dispatcher after messages are queued. */
  onNotify?: () => void;
  emergency?: EmergencyPackReader;
}

const fullName = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
const addressOf = (v: { address: string | null; postcode: string | null } | null | undefined) =>
  v ? [v.address, v.postcode].filter(Boolean).join(', ') || null : null;
const when = (iso: string | Date) => londonTime(new Date(iso));
/** A call's outcome as the outcome of the alerts it closes. */
const ALERT_OUTCOME_OF_CALL: Record<CallOutcome, 'safe' | 'false_alarm' | 'incident'> = { safe: 'safe', staff_attended: 'safe', false_alarm: 'false_alarm', police_attended: 'incident', other: 'incident' };
const ALARM_LABELS: Record<string, string> = { duress: 'Silent alarm', overdue: 'Missed check-in', end_of_day: 'No end-of-day call' };

export function buildDuressService(deps: DuressDeps) {
  const { db, staff, audit, risk, plan } = deps;
  const callbackSeconds = deps.callbackSeconds ?? DEFAULT_CALLBACK_SECONDS;

  /** Queues one message per person on the configured channels (the inbox always shows it). */
  async function notify(trx: Trx, recipients: number[], subject: string, body: string, link: string) {
    for (const r of new Set(recipients)) {
      await sql`INSERT INTO notifications (recipient_id, channel, fallbacks, subject, body, link)
        VALUES (${r}, ${plan.channel}, ${plan.fallbacks}::text[], ${subject}, ${body}, ${deps.baseUrl + link})`.execute(trx);
    }
  }

  async function recipients(ex: Kysely<DB> | Trx, workerId: number, target: string): Promise<number[]> {
    const { rows } = await sql<{ id: number }>`SELECT r.id FROM harbour_recipients(${workerId}, ${target}) r(id)`.execute(ex);
    return rows.map((r) => r.id);
  }

  function mustRespond(actor: Actor): number {
    if (!can(actor, 'purple_file.use') || actor.staffId === null) throw new ForbiddenError('The Purple File screen is for business support, managers and duty staff');
    return actor.staffId;
  }
  /**
   * The break-glass rule for the Purple File: a responder acts only about a worker they cover (as
   * their buddy, in their management line, or as their team's business support); the duty officer
   * covers everyone. Never about oneself.
   */
  async function covers(actor: Actor, workerId: number): Promise<boolean> {
    if (actor.staffId === null || actor.staffId === workerId) return false;
    if (hasRole(actor, 'duty_officer')) return true;
    const r = await relationTo(staff, actor, workerId);
    return r.buddy || r.manager || r.teamBusinessSupport;
  }
  /** Break-glass for the police pack, through the emergency service (it checks, records and audits). */
  async function readPack(actor: Actor, workerId: number, callId: number, reason: string): Promise<OpenedPack> {
    const result = await deps.emergency!.breakGlass(actor, workerId, { reason, purpleFileCallId: callId });
    return { car: result.pack?.car ?? null, description: result.pack?.description ?? null, missing: result.pack === null && !result.unreadable, unreadable: result.unreadable };
  }

  /** The same rule as SQL over a staff alias, for lists: who this responder covers. */
  async function coverageOf(actor: Actor, me: number) {
    const reports = (await staff.reports(me)).map((r) => r.id);
    const supportTeam = hasRole(actor, 'business_support') ? (await staff.get(me))?.team_id ?? null : null;
    const duty = hasRole(actor, 'duty_officer');
    return (alias: 's' | 'w') => sql<boolean>`(${sql.ref(`${alias}.id`)} <> ${me} AND (${duty}::boolean OR ${sql.ref(`${alias}.buddy_id`)} = ${me}
      OR ${sql.ref(`${alias}.id`)} = ANY(${reports}::int[]) OR (${supportTeam}::int IS NOT NULL AND ${sql.ref(`${alias}.team_id`)} = ${supportTeam}::int)))`;
  }
  const NOT_COVERED = 'You can take a Purple File call only about someone you cover: as their buddy, one of their managers or their team’s business support, or as the duty officer';

  /** Every action on a call: a Purple File responder who covers the worker (or took the call). */
  async function mustActOnCall(actor: Actor, callId: number): Promise<number> {
    const responderId = mustRespond(actor);
    const c = await db.selectFrom('purple_file_calls').select(['worker_id', 'responder_id']).where('id', '=', callId).executeTakeFirst();
    if (!c) throw new NotFoundError('Purple File call');
    if (c.responder_id !== responderId && !(await covers(actor, c.worker_id))) throw new ForbiddenError(NOT_COVERED);
    return responderId;
  }

  /** Open alerts about the worker: the call links every one, and closing it offers to close them. */
  async function openAlertsAbout(workerId: number) {
    return db.selectFrom('alerts').select(['id', 'kind', 'opened_at']).where('worker_id', '=', workerId).where('status', '<>', 'resolved').orderBy('opened_at').execute();
  }

  // ---- Duress PIN ---------------------------------------------------------------------------

  async function pins(staffId: number) {
    return db.selectFrom('duress_pins').selectAll().where('staff_id', '=', staffId).executeTakeFirst();
  }

  // ---- Raising the alarm --------------------------------------------------------------------

  /**
   * Raises a silent duress alarm for the worker: in one transaction, the alert (kind 'duress',
   * the team's duress policy or the default, nobody asked "are you safe?"), what it carried, and
   * step 0's timer armed for now, so the escalation engine tells the responders at once. A second
   * alarm on the same visit while one is open adds nothing (it returns the open one).
   */
  async function raise(actor: Actor, input: { workerId: number; visitId: number | null; via: 'pin' | 'control' | 'api'; location: Location | null }) {
    if (actor.staffId !== input.workerId) throw new ForbiddenError('Only the worker can raise their own alarm');
    const alertId = await inTransaction(db, (trx) => raiseIn(trx, actor, input));
    deps.onAlarm?.();
    return alertId;
  }

  /** raise() inside a transaction: by the worker, or (via 'purple_file') by the responder taking a Purple File call. */
  async function raiseIn(trx: Trx, actor: Actor, input: { workerId: number; visitId: number | null; via: 'pin' | 'control' | 'api' | 'purple_file'; location: Location | null }): Promise<string> {
    const worker = await trx.selectFrom('staff').select(['id', 'team_id']).where('id', '=', input.workerId).executeTakeFirst();
    if (!worker) throw new NotFoundError('Person');
    const visit = input.visitId === null ? null : await trx.selectFrom('visits')
      .select(['id', 'worker_id', 'address', 'postcode', 'case_system', 'case_id', lastLocation('visits').as('last_location'), 'state'])
      .where('id', '=', input.visitId).executeTakeFirst();
    if (input.visitId !== null && (!visit || visit.worker_id !== input.workerId)) throw new NotFoundError('Visit');
    const policy = worker.team_id === null ? null : await trx.selectFrom('escalation_policies').select('steps')
      .where('team_id', '=', worker.team_id).where('kind', '=', 'duress').executeTakeFirst();
    const location = input.location ?? (visit?.last_location as Location | null) ?? null;
    const caseReference = visit?.case_id ? `${CASE_SYSTEMS[visit.case_system as keyof typeof CASE_SYSTEMS] ?? visit.case_system ?? ''} ${visit.case_id}`.trim() : null;
    const steps = duressSteps((policy?.steps as Step[] | undefined) ?? DEFAULT_POLICIES.duress, carriedText(caseReference, location));
    const { rows } = await sql<{ id: string }>`
      INSERT INTO alerts (visit_id, worker_id, kind, policy, deadline_at)
      VALUES (${input.visitId}, ${input.workerId}, 'duress', ${JSON.stringify(steps)}::jsonb, now())
      ON CONFLICT DO NOTHING RETURNING id::text AS id`.execute(trx);
    if (!rows[0]) {
      // Already raised on this visit and still open: keep the newest location.
      const open = await trx.selectFrom('alerts').select('id').where('visit_id', '=', input.visitId).where('kind', '=', 'duress')
        .where('status', '<>', 'resolved').executeTakeFirstOrThrow();
      if (input.location) await trx.updateTable('duress_alarms').set({ location: JSON.stringify(input.location) }).where('alert_id', '=', open.id).execute();
      return String(open.id);
    }
    const id = rows[0].id;
    await trx.insertInto('duress_alarms').values({
      alert_id: id, via: input.via, case_reference: caseReference, address: addressOf(visit), location: location ? JSON.stringify(location) : undefined,
    }).execute();
    await trx.insertInto('timeline_events').values({
      alert_id: id, visit_id: input.visitId, type: 'duress', actor_id: actor.staffId,
      text: input.via === 'purple_file' ? `Silent alarm raised by ${actor.displayName}, who took a Purple File call from the worker`
        : `Silent alarm raised from the worker's phone (${input.via === 'pin' ? 'duress PIN' : input.via === 'control' ? 'disguised "Request purple file" control' : 'app'})`,
      detail: JSON.stringify({ via: input.via, location }),
    }).execute();
    await timers.arm(trx, 'alert_step', id, 0, new Date());
    await audit.appendIn(trx, { ...actorFields(actor), action: 'duress.raise', entityType: 'alert', entityId: id, detail: { via: input.via, visitId: input.visitId } });
    return id;
  }

  // ---- Purple File calls --------------------------------------------------------------------

  async function loadCall(callId: number, ex: Kysely<DB> | Trx = db) {
    const c = await ex.selectFrom('purple_file_calls as c').innerJoin('staff as w', 'w.id', 'c.worker_id')
      .innerJoin('staff as r', 'r.id', 'c.responder_id')
      .leftJoin('teams as t', 't.id', 'w.team_id')
      .select(['c.id', 'c.worker_id', 'c.visit_id', 'c.alert_id', 'c.responder_id', 'c.address', 'c.answers', 'c.status', 'c.outcome', 'c.outcome_notes',
        'c.managers_notified_at', 'c.started_at', 'c.closed_at', 'c.pack_reason', 'w.given_name', 'w.family_name', 'w.job_role', 'w.work_mobile', 'w.personal_mobile',
        'w.team_id', 'w.base_building_id', 't.name as team_name', sql<string>`r.given_name || ' ' || r.family_name`.as('responder_name')])
      .where('c.id', '=', callId).executeTakeFirst();
    if (!c) throw new NotFoundError('Purple File call');
    return { ...c, answers: (c.answers ?? {}) as Answers };
  }

  async function mayViewCall(actor: Actor, callId: number) {
    if (can(actor, 'purple_file.use') && actor.staffId !== null) {
      const c = await db.selectFrom('purple_file_calls').select(['worker_id', 'responder_id']).where('id', '=', callId).executeTakeFirst();
      if (!c) throw new NotFoundError('Purple File call');
      if (c.responder_id === actor.staffId || (await covers(actor, c.worker_id))) return;
    }
    if (actor.staffId !== null) {
      const told = await db.selectFrom('notifications').select('id').where('recipient_id', '=', actor.staffId)
        .where('link', 'like', `%/purple-file/${callId}`).executeTakeFirst();
      if (told) return;
    }
    throw new ForbiddenError('The Purple File screen is for business support, managers and duty staff');
  }

  async function event(trx: Trx | Kysely<DB>, callId: number, actorId: number | null, text: string) {
    await trx.insertInto('purple_file_events').values({ call_id: callId, actor_id: actorId, text }).execute();
  }

  async function lockOpenCall(trx: Trx, callId: number) {
    const row = await trx.selectFrom('purple_file_calls').select(['id', 'status', 'answers', 'worker_id', 'responder_id']).where('id', '=', callId).forUpdate().executeTakeFirst();
    if (!row) throw new NotFoundError('Purple File call');
    if (row.status !== 'open') throw new ValidationError([{ field: 'call', message: 'This call has been closed' }]);
    return { ...row, answers: (row.answers ?? {}) as Answers };
  }

  async function armCallback(trx: Trx, callId: number, responderId: number) {
    await trx.updateTable('purple_file_callbacks').set({ status: 'cancelled' }).where('call_id', '=', callId).where('status', '=', 'pending').execute();
    const due = new Date(Date.now() + callbackSeconds * 1000);
    await trx.insertInto('purple_file_callbacks').values({ call_id: callId, responder_id: responderId, due_at: due }).execute();
    await event(trx, callId, responderId, `Call-back timer started: call back by ${londonTime(due)}`);
    return due;
  }

  /** Building manager (the worker's base), service manager and the service's designated safeguarding lead. */
  async function managersFor(ex: Kysely<DB> | Trx, workerId: number) {
    const { rows } = await sql<{ role: string; id: number; name: string }>`
      SELECT 'Building manager' AS role, m.id, m.given_name || ' ' || m.family_name AS name
        FROM staff w JOIN buildings b ON b.id = w.base_building_id JOIN staff m ON m.id = b.building_manager_id WHERE w.id = ${workerId}
      UNION ALL
      SELECT 'Service manager', m.id, m.given_name || ' ' || m.family_name FROM harbour_recipients(${workerId}, 'service_manager') r(id) JOIN staff m ON m.id = r.id
      UNION ALL
      SELECT 'Designated safeguarding lead', m.id, m.given_name || ' ' || m.family_name
        FROM staff w JOIN teams t ON t.id = w.team_id JOIN services s ON s.id = t.service_id JOIN staff m ON m.id = s.safeguarding_lead_id WHERE w.id = ${workerId}`.execute(ex);
    return rows;
  }

  async function notifyManagersIn(trx: Trx, actor: Actor, callId: number) {
    const c = await loadCall(callId, trx);
    const managers = await managersFor(trx, c.worker_id);
    const lines = answersText(c.answers, c.address, when);
    const body = [
      `Purple File call about ${fullName(c)} taken by ${c.responder_name} at ${when(c.started_at)}.`,
      `Address: ${c.address ?? 'not known'}.`,
      ...(lines.length ? ['Answers:', ...lines] : ['No questions answered yet.']),
      ...(c.outcome ? [`Outcome: ${CALL_OUTCOMES[c.outcome as CallOutcome] ?? c.outcome}${c.outcome_notes ? ` – ${c.outcome_notes}` : ''}`] : []),
    ].join('\n');
    await notify(trx, managers.map((m) => m.id), `Harbour Purple File: ${fullName(c)}`, body, `/purple-file/${callId}`);
    await trx.updateTable('purple_file_calls').set({ managers_notified_at: new Date() }).where('id', '=', callId).execute();
    const missing = ['Building manager', 'Service manager', 'Designated safeguarding lead'].filter((r) => !managers.some((m) => m.role === r));
    await event(trx, callId, actor.staffId, `Told ${managers.map((m) => `${m.name} (${m.role.toLowerCase()})`).join(', ') || 'nobody'}${missing.length ? `; none recorded: ${missing.join(', ').toLowerCase()}` : ''}`);
    return managers;
  }

  async function policePack(c: Awaited<ReturnType<typeof loadCall>>, visit: VisitFacts | null, opened: OpenedPack | null) {
    const flags = visit ? await risk.flagsAt({
      caseSystem: visit.case_system, caseId: normaliseCaseId(visit.case_id), postcode: normalisePostcode(visit.postcode),
    }, new Date()) : [];
    const location = (visit?.last_location as Location | null) ?? null;
    const alarm = c.alert_id ? await db.selectFrom('duress_alarms').select(['location']).where('alert_id', '=', c.alert_id).executeTakeFirst() : null;
    const last = (alarm?.location as Location | null) ?? location;
    const car = opened?.car && (opened.car.makeModel || opened.car.colour || opened.car.registration) ? opened.car : null;
    // Whether the worker filled in a pack, without opening it: "Recorded — open to read out", not "Not recorded".
    const packRecorded = Boolean(await db.selectFrom('emergency_packs').select('staff_id').where('staff_id', '=', c.worker_id).executeTakeFirst());
    return {
      name: fullName(c),
      // From the emergency information pack, once a responder has opened it (break-glass).
      description: opened?.description ?? null,
      address: c.address,
      car: car ? { makeModel: car.makeModel, colour: car.colour, registration: car.registration } : null,
      mobile: c.work_mobile ?? c.personal_mobile,
      lastLocation: last ? `${last.lat.toFixed(5)}, ${last.lng.toFixed(5)}` : null,
      lastCheckIn: visit?.last_check_in_at ?? null,
      risks: flags.map((f) => `${categoryLabel(f.category)}: ${f.description}`),
      weapon: weaponMentioned(c.answers),
      emergencyPackAvailable: Boolean(deps.emergency),
      packRecorded,
      opened,
    };
  }

  /** The form's context: where it was declared from, checked against who may declare from it. */
  async function majorIncidentSource(actor: Actor, from: { alertId: string | null; callId: number | null; lockdownId: number | null }) {
    if (from.alertId) {
      const detail = await deps.alerts.view(actor, from.alertId);
      if (detail.isWorker) throw new NotFoundError('Alert');
      return { alertId: from.alertId, callId: null, lockdownId: null, workerId: detail.alert.worker_id, label: `Alert about ${detail.alert.worker_name}` };
    }
    if (from.callId) {
      mustRespond(actor);
      const c = await loadCall(from.callId);
      return { alertId: null, callId: c.id, lockdownId: null, workerId: c.worker_id, label: `Purple File call about ${fullName(c)}` };
    }
    if (from.lockdownId) {
      // lockdowns is migration 0009's table (building lockdown), read here without a foreign key. Whoever
      // runs the lockdown (who started it, the building manager, a key holder) may declare from it too.
      const { rows } = await sql<{ id: number; building: string; runs: boolean }>`
        SELECT l.id, b.name AS building,
               (l.started_by = ${actor.staffId} OR b.building_manager_id = ${actor.staffId}
                OR EXISTS (SELECT 1 FROM building_key_holders k WHERE k.building_id = b.id AND k.staff_id = ${actor.staffId})) IS TRUE AS runs
        FROM lockdowns l JOIN buildings b ON b.id = l.building_id WHERE l.id = ${from.lockdownId}`.execute(db);
      if (!rows[0]) throw new NotFoundError('Lockdown');
      if (!rows[0].runs && !can(actor, 'major_incidents.declare')) throw new ForbiddenError('Only the people running the lockdown, managers, business support and duty staff can declare a major incident from it');
      return { alertId: null, callId: null, lockdownId: from.lockdownId, workerId: null, label: `Lockdown at ${rows[0].building}` };
    }
    if (!can(actor, 'major_incidents.declare')) throw new ForbiddenError('Only managers, business support and duty staff can declare a major incident');
    return { alertId: null, callId: null, lockdownId: null, workerId: null, label: null };
  }

  type VisitFacts = { id: number; address: string | null; postcode: string | null; case_system: string | null; case_id: string | null; last_location: unknown; last_check_in_at: Date | null; state: string; due_at: Date | null };

  return {
    raise,

    /** What the end-of-visit form asks: a PIN field only for the worker, and only once they set PINs. */
    async endForm(actor: Actor, workerId: number) {
      if (actor.staffId !== workerId) return { show: false, required: false };
      const p = await pins(workerId);
      return { show: Boolean(p), required: Boolean(p?.checkout_pin_hash) };
    },

    /**
     * The PIN typed on "Visit over": 'duress' for the duress PIN, 'normal' for the check-out PIN (or
     * nothing, when no check-out PIN is set). Anyone but the worker ends visits without a PIN.
     */
    async checkEndPin(actor: Actor, workerId: number, pin: unknown): Promise<'duress' | 'normal'> {
      if (actor.staffId !== workerId) return 'normal';
      const p = await pins(workerId);
      if (!p) return 'normal';
      const typed = typeof pin === 'string' ? pin.trim() : '';
      if (!typed) {
        if (p.checkout_pin_hash) throw new ValidationError([{ field: 'pin', message: 'Enter your PIN' }]);
        return 'normal';
      }
      if (await verifyPassword(p.duress_pin_hash, typed)) return 'duress';
      if (p.checkout_pin_hash && (await verifyPassword(p.checkout_pin_hash, typed))) return 'normal';
      throw new ValidationError([{ field: 'pin', message: 'The PIN is not right. Try again' }]);
    },

    async pinSettings(actor: Actor) {
      if (actor.staffId === null) throw new ForbiddenError('Your sign-in account is not linked to a member of staff');
      const p = await pins(actor.staffId);
      return { duress: Boolean(p), checkout: Boolean(p?.checkout_pin_hash), updatedAt: p?.updated_at ?? null };
    },

    async setPins(actor: Actor, form: { duressPin: string; checkoutPin: string }) {
      if (actor.staffId === null) throw new ForbiddenError('Your sign-in account is not linked to a member of staff');
      const errors = [];
      const dp = pinProblem(form.duressPin);
      if (dp) errors.push({ field: 'duressPin', message: dp.replace('A PIN', 'The duress PIN') });
      if (form.checkoutPin) {
        const cp = pinProblem(form.checkoutPin);
        if (cp) errors.push({ field: 'checkoutPin', message: cp.replace('A PIN', 'The check-out PIN') });
        else if (form.checkoutPin === form.duressPin) errors.push({ field: 'checkoutPin', message: 'The check-out PIN must be different from the duress PIN' });
      }
      if (errors.length) throw new ValidationError(errors);
      const duress = await hashPassword(form.duressPin);
      const checkout = form.checkoutPin ? await hashPassword(form.checkoutPin) : null;
      const staffId = actor.staffId;
      await inTransaction(db, async (trx) => {
        await trx.insertInto('duress_pins').values({ staff_id: staffId, duress_pin_hash: duress, checkout_pin_hash: checkout, updated_at: new Date() })
          .onConflict((oc) => oc.column('staff_id').doUpdateSet({ duress_pin_hash: duress, checkout_pin_hash: checkout, updated_at: new Date() })).execute();
        await audit.appendIn(trx, { ...actorFields(actor), action: 'duress_pin.set', entityType: 'staff', entityId: staffId, detail: { checkoutPin: Boolean(checkout) } });
      });
    },

    async removePins(actor: Actor) {
      if (actor.staffId === null) throw new ForbiddenError('Your sign-in account is not linked to a member of staff');
      const staffId = actor.staffId;
      await inTransaction(db, async (trx) => {
        await trx.deleteFrom('duress_pins').where('staff_id', '=', staffId).execute();
        await audit.appendIn(trx, { ...actorFields(actor), action: 'duress_pin.remove', entityType: 'staff', entityId: staffId });
      });
    },

    /** For the alert page: what a duress alarm carried. */
    async alarmFor(alertId: string) {
      return (await db.selectFrom('duress_alarms').selectAll().where('alert_id', '=', alertId).executeTakeFirst()) ?? null;
    },

    /**
     * Worker list for the Purple File screen: only the people the responder covers (the duty officer:
     * everyone), those with an open alarm first and marked, then people with an open session, then the rest.
     */
    async candidates(actor: Actor, search: string | null) {
      const me = mustRespond(actor);
      const covered = await coverageOf(actor, me);
      const { start, end } = londonDayBounds(londonDate(new Date()));
      const like = search ? `%${search.replace(/[%_\\]/g, (m) => `\\${m}`)}%` : null;
      const { rows } = await sql<{
        id: number; given_name: string; family_name: string; team_name: string | null; visit_id: number | null; state: string | null;
        address: string | null; postcode: string | null; due_at: Date | null; calendar_address: string | null; calendar_postcode: string | null;
        calendar_starts_at: Date | null; last_check_in_at: Date | null; alarm_kind: string | null; alarm_since: Date | null;
      }>`
        SELECT s.id, s.given_name, s.family_name, t.name AS team_name,
               v.id AS visit_id, v.state, v.address, v.postcode, v.due_at,
               c.address AS calendar_address, c.postcode AS calendar_postcode, c.starts_at AS calendar_starts_at,
               greatest((SELECT max(x.last_check_in_at) FROM visits x WHERE x.worker_id = s.id AND x.last_check_in_at >= ${start}),
                 (SELECT max(e.at) FROM timeline_events e JOIN visits x ON x.id = e.visit_id
                  WHERE x.worker_id = s.id AND e.type = 'check_in' AND e.at >= ${start})) AS last_check_in_at,
               al.kind AS alarm_kind, al.opened_at AS alarm_since
        FROM staff s
        LEFT JOIN teams t ON t.id = s.team_id
        LEFT JOIN LATERAL (SELECT * FROM visits v WHERE v.worker_id = s.id AND v.state IN ('in_progress', 'overdue') ORDER BY v.arrived_at DESC NULLS LAST LIMIT 1) v ON true
        LEFT JOIN LATERAL (SELECT * FROM visits c WHERE c.worker_id = s.id AND c.state = 'planned' AND c.starts_at >= ${start} AND c.starts_at < ${end}
                           ORDER BY abs(extract(epoch FROM c.starts_at - now())) LIMIT 1) c ON true
        LEFT JOIN LATERAL (SELECT a.kind, a.opened_at FROM alerts a WHERE a.worker_id = s.id AND a.status <> 'resolved'
                           ORDER BY (a.kind = 'duress') DESC, a.opened_at LIMIT 1) al ON true
        WHERE s.active AND (${like}::text IS NULL OR (s.given_name || ' ' || s.family_name) ILIKE ${like})
          AND EXISTS (SELECT 1 FROM accounts a WHERE a.staff_id = s.id)
          AND ${covered('s')}
        ORDER BY (al.kind IS NULL), (v.id IS NULL), v.due_at NULLS LAST, s.family_name, s.given_name
        LIMIT 300`.execute(db);
      const open = await db.selectFrom('purple_file_calls as c').innerJoin('staff as w', 'w.id', 'c.worker_id')
        .select(['c.id', 'c.started_at', sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name')])
        .where('c.status', '=', 'open').where((eb) => eb.or([eb('c.responder_id', '=', me), covered('w')])).orderBy('c.started_at', 'desc').limit(50).execute();
      return {
        people: rows.map((r) => ({
          ...r,
          name: `${r.given_name} ${r.family_name}`,
          where: addressOf(r.visit_id ? r : null) ?? addressOf({ address: r.calendar_address, postcode: r.calendar_postcode }),
          inSession: r.visit_id !== null,
          alarm: r.alarm_kind ? `${ALARM_LABELS[r.alarm_kind] ?? 'Alarm'} open since ${when(r.alarm_since!)}` : null,
        })),
        openCalls: open,
      };
    },

    /** Someone rang and said the phrase: the call starts for the chosen worker. */
    async startCall(actor: Actor, workerId: number) {
      const responderId = mustRespond(actor);
      const worker = await staff.get(workerId);
      if (!worker || !worker.active) throw new ValidationError([{ field: 'workerId', message: 'Select the person who rang' }]);
      if (!(await covers(actor, workerId))) throw new ForbiddenError(NOT_COVERED);
      const { start, end } = londonDayBounds(londonDate(new Date()));
      const running = await db.selectFrom('visits').select(['id', 'address', 'postcode']).where('worker_id', '=', workerId)
        .where('state', 'in', ['in_progress', 'overdue']).orderBy('arrived_at', 'desc').executeTakeFirst();
      const visit = running
        ?? (await db.selectFrom('visits').select(['id', 'address', 'postcode']).where('worker_id', '=', workerId).where('state', '=', 'planned')
          .where('starts_at', '>=', start).where('starts_at', '<', end).orderBy(sql`abs(extract(epoch FROM starts_at - now()))`).executeTakeFirst());
      const alert = await db.selectFrom('alerts').select('id').where('worker_id', '=', workerId).where('kind', '=', 'duress')
        .where('status', '<>', 'resolved').orderBy('opened_at', 'desc').executeTakeFirst();
      const id = await inTransaction(db, async (trx) => {
        // No silent alarm open: the call raises one, so the worker's chain knows at once.
        const alertId = alert?.id ?? (await raiseIn(trx, actor, { workerId, visitId: running?.id ?? null, via: 'purple_file', location: null }));
        const row = await trx.insertInto('purple_file_calls').values({
          worker_id: workerId, visit_id: visit?.id ?? null, alert_id: String(alertId), responder_id: responderId, address: addressOf(visit),
        }).returning('id').executeTakeFirstOrThrow();
        await event(trx, row.id, responderId, `${actor.displayName} took a Purple File call from ${fullName(worker)}${alert ? '' : '; a silent alarm was raised so their managers know at once'}`);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'purple_file.start', entityType: 'purple_file_call', entityId: row.id, detail: { workerId, alertId: String(alertId), raised: !alert } });
        return row.id;
      });
      if (!alert) deps.onAlarm?.();
      return id;
    },

    /**
     * Break-glass from the call: opens the worker's emergency information pack for the police pack
     * (car make, colour, registration). The emergency service checks the responder may, records
     * the view for the worker to see and audits it; the call's timeline says so too.
     */
    async openPack(actor: Actor, callId: number, reason: string | null): Promise<void> {
      const responderId = await mustActOnCall(actor, callId);
      if (!deps.emergency) throw new ValidationError([{ field: 'reason', message: 'Emergency information packs are not available in this Harbour' }]);
      const c = await loadCall(callId);
      if (c.status !== 'open') throw new ValidationError([{ field: 'reason', message: 'This call has been closed' }]);
      const problem = packReasonProblem(reason);
      if (problem) throw new ValidationError([{ field: 'reason', message: problem }]);
      // The call page shows it from now until the call closes; each showing is a break-glass view
      // (checked, recorded for the worker, audited) by the emergency service.
      await db.updateTable('purple_file_calls').set({ pack_reason: reason!.trim() }).where('id', '=', callId).execute();
      await event(db, callId, responderId, `${actor.displayName} opened ${fullName(c)}'s emergency information pack: ${reason!.trim()} (recorded; it stays open on this call until the call closes)`);
    },

    async view(actor: Actor, callId: number) {
      await mayViewCall(actor, callId);
      const c = await loadCall(callId);
      // Opened in this call with a reason, the pack stays open until the call closes: each showing is
      // a break-glass view, recorded for the worker and audited. Someone who may read the call but
      // not break glass (a manager told afterwards) sees it closed.
      let opened: OpenedPack | null = null;
      if (c.pack_reason && c.status === 'open' && deps.emergency) {
        try {
          opened = await readPack(actor, c.worker_id, callId, c.pack_reason);
        } catch (e) {
          if (!(e instanceof ForbiddenError)) throw e;
        }
      }
      const visit = c.visit_id ? await db.selectFrom('visits')
        .select(['id', 'address', 'postcode', 'case_system', 'case_id', lastLocation('visits').as('last_location'), lastCheckInAt('visits').as('last_check_in_at'), 'state', 'due_at'])
        .where('id', '=', c.visit_id).executeTakeFirst() ?? null : null;
      const [events, callback, lastFired, managers, pack, majorIncidents] = await Promise.all([
        db.selectFrom('purple_file_events as e').leftJoin('staff as s', 's.id', 'e.actor_id').select(['e.id', 'e.at', 'e.text'])
          .where('e.call_id', '=', callId).orderBy('e.at').orderBy('e.id').execute(),
        db.selectFrom('purple_file_callbacks').select(['id', 'due_at', 'status']).where('call_id', '=', callId).where('status', '=', 'pending').executeTakeFirst(),
        db.selectFrom('purple_file_callbacks').select(['id', 'due_at', 'fired_at']).where('call_id', '=', callId).where('status', '=', 'fired').orderBy('fired_at', 'desc').executeTakeFirst(),
        managersFor(db, c.worker_id),
        policePack(c, visit, opened),
        db.selectFrom('major_incidents').select(['id', 'category', 'declared_at']).where('purple_file_call_id', '=', callId).execute(),
      ]);
      const next = nextQuestion(c.answers);
      return {
        call: c,
        workerName: fullName(c),
        visit,
        questions: QUESTIONS.map((q) => ({ key: q.key, text: q.text(c.address), answer: c.answers[q.key] ?? null, answerLabel: c.answers[q.key] ? ANSWERS[c.answers[q.key]!.answer] : null, next: q.key === next })),
        next,
        dial999: needs999(c.answers),
        pack,
        callback: callback ?? null,
        lastFired: lastFired ?? null,
        managers,
        events,
        majorIncidents,
        openAlerts: await openAlertsAbout(c.worker_id),
        isOpen: c.status === 'open',
        outcomeLabel: c.outcome ? CALL_OUTCOMES[c.outcome as CallOutcome] ?? c.outcome : null,
      };
    },

    /** One answer, with the time it was given. "Yes" to the call-back question starts the timer. */
    async answer(actor: Actor, callId: number, key: QuestionKey, value: AnswerValue) {
      const responderId = await mustActOnCall(actor, callId);
      await inTransaction(db, async (trx) => {
        const call = await lockOpenCall(trx, callId);
        const answers: Answers = { ...call.answers, [key]: { answer: value, at: new Date().toISOString() } };
        await trx.updateTable('purple_file_calls').set({ answers: JSON.stringify(answers) }).where('id', '=', callId).execute();
        const q = QUESTIONS.find((x) => x.key === key)!;
        const c = await trx.selectFrom('purple_file_calls').select('address').where('id', '=', callId).executeTakeFirstOrThrow();
        await event(trx, callId, responderId, `${q.text(c.address)} ${ANSWERS[value]}`);
        if (key === 'call_back' && value === 'yes') await armCallback(trx, callId, responderId);
        if (value === 'no_answer') await event(trx, callId, responderId, 'No answer: dial 999 now');
      });
    },

    async startCallback(actor: Actor, callId: number) {
      const responderId = await mustActOnCall(actor, callId);
      return inTransaction(db, async (trx) => {
        await lockOpenCall(trx, callId);
        return armCallback(trx, callId, responderId);
      });
    },

    async cancelCallback(actor: Actor, callId: number) {
      const responderId = await mustActOnCall(actor, callId);
      await inTransaction(db, async (trx) => {
        await lockOpenCall(trx, callId);
        const r = await trx.updateTable('purple_file_callbacks').set({ status: 'cancelled' }).where('call_id', '=', callId).where('status', '=', 'pending').executeTakeFirst();
        if (Number(r.numUpdatedRows)) await event(trx, callId, responderId, 'Call-back timer stopped');
      });
    },

    /** Afterwards: the building manager, service manager and designated safeguarding lead, with the answers. */
    async notifyManagers(actor: Actor, callId: number) {
      await mustActOnCall(actor, callId);
      const managers = await inTransaction(db, async (trx) => {
        await lockOpenCall(trx, callId);
        const m = await notifyManagersIn(trx, actor, callId);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'purple_file.notify', entityType: 'purple_file_call', entityId: callId, detail: { told: m.map((x) => x.id) } });
        return m;
      });
      deps.onNotify?.();
      return managers;
    },

    /** Closing needs an outcome. The managers are told now if they were not already. */
    /** Closing needs an outcome; with `closeAlarms`, every alert still open about the worker closes with it. */
    async close(actor: Actor, callId: number, outcome: CallOutcome, notes: string | null, closeAlarms = false) {
      const responderId = await mustActOnCall(actor, callId);
      if (outcome === 'other' && !notes) throw new ValidationError([{ field: 'notes', message: 'Say what happened' }]);
      const workerId = await inTransaction(db, async (trx) => {
        const call = await lockOpenCall(trx, callId);
        await trx.updateTable('purple_file_callbacks').set({ status: 'cancelled' }).where('call_id', '=', callId).where('status', '=', 'pending').execute();
        await trx.updateTable('purple_file_calls').set({ status: 'closed', outcome, outcome_notes: notes, closed_at: new Date(), closed_by: actor.accountId }).where('id', '=', callId).execute();
        await event(trx, callId, responderId, `Closed by ${actor.displayName}: ${CALL_OUTCOMES[outcome]}${notes ? ` – ${notes}` : ''}`);
        const c = await trx.selectFrom('purple_file_calls').select('managers_notified_at').where('id', '=', callId).executeTakeFirstOrThrow();
        if (!c.managers_notified_at) await notifyManagersIn(trx, actor, callId);
        await audit.appendIn(trx, { ...actorFields(actor), action: 'purple_file.close', entityType: 'purple_file_call', entityId: callId, detail: { outcome, workerId: call.worker_id, closeAlarms } });
        return call.worker_id;
      });
      if (closeAlarms) {
        for (const a of await openAlertsAbout(workerId)) {
          try {
            await deps.alerts.resolve(actor, String(a.id), ALERT_OUTCOME_OF_CALL[outcome], `Purple File call: ${CALL_OUTCOMES[outcome]}${notes ? ` – ${notes}` : ''}`);
          } catch (e) {
            if (!(e instanceof ValidationError)) throw e; // closed meanwhile by someone else
          }
        }
      }
      deps.onNotify?.();
    },

    /** Pre-fill for "Start incident report": the linked alert or visit, and the call written out. */
    async incidentPrefill(actor: Actor, callId: number) {
      await mayViewCall(actor, callId);
      const c = await loadCall(callId);
      const lines = answersText(c.answers, c.address, when);
      return {
        alertId: c.alert_id ? Number(c.alert_id) : null,
        visitId: c.visit_id,
        narrative: [
          `Purple File call: ${fullName(c)} rang the office at ${when(c.started_at)} on ${londonDate(new Date(c.started_at))} and used the code phrase. ${c.responder_name} took the call.`,
          ...lines,
          ...(c.outcome ? [`Outcome: ${CALL_OUTCOMES[c.outcome as CallOutcome] ?? c.outcome}${c.outcome_notes ? ` – ${c.outcome_notes}` : ''}`] : []),
        ].join('\n'),
        location: c.address,
      };
    },

    /**
     * The call-back poller: claims due timers (FOR UPDATE SKIP LOCKED, so several processes share
     * the work), queues "call them back now" to the responder and marks the timer fired, in one
     * transaction: a crash before commit loses nothing, and a timer never fires twice.
     */
    async tickCallbacks(limit = 200): Promise<{ fired: number; more: boolean }> {
      const fired = await db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ id: string; call_id: number; responder_id: number; worker_name: string; mobile: string | null }>`
          WITH due AS (
            SELECT id FROM purple_file_callbacks WHERE status = 'pending' AND due_at <= now()
            ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
          )
          UPDATE purple_file_callbacks c SET status = 'fired', fired_at = now()
          FROM due, purple_file_calls pc, staff w
          WHERE c.id = due.id AND pc.id = c.call_id AND w.id = pc.worker_id
          RETURNING c.id::text AS id, c.call_id, c.responder_id, w.given_name || ' ' || w.family_name AS worker_name, coalesce(w.work_mobile, w.personal_mobile) AS mobile`.execute(trx);
        for (const r of rows) {
          await notify(trx, [r.responder_id], `Harbour: call ${r.worker_name} back now`,
            `The 5-minute Purple File call-back for ${r.worker_name} is due now.${r.mobile ? ` Their mobile: ${r.mobile}.` : ''} If they do not answer, dial 999.`,
            `/purple-file/${r.call_id}`);
          await event(trx, r.call_id, null, 'Call-back due now: the responder was alerted');
        }
        return rows.length;
      });
      if (fired) deps.onNotify?.();
      return { fired, more: fired === limit };
    },

    // ---- Major incidents (Appendix C) --------------------------------------------------------

    majorIncidentSource,

    /** Declares it and tells the assistant director and the line manager at once. */
    async declareMajorIncident(actor: Actor, form: { category: MajorIncidentCategory; summary: string | null; alertId: string | null; callId: number | null; lockdownId: number | null }) {
      const source = await majorIncidentSource(actor, form);
      // Whose assistant director and line manager: the worker's, or (for a building) the declarer's.
      const about = source.workerId ?? actor.staffId;
      const id = await inTransaction(db, async (trx) => {
        const told: { staffId: number; role: string }[] = [];
        if (about !== null) {
          for (const role of ['assistant_director', 'line_manager'] as const) {
            for (const r of await recipients(trx, about, role)) if (!told.some((t) => t.staffId === r)) told.push({ staffId: r, role });
          }
        }
        const row = await trx.insertInto('major_incidents').values({
          category: form.category, summary: form.summary, alert_id: source.alertId, lockdown_id: source.lockdownId, purple_file_call_id: source.callId,
          worker_id: source.workerId, declared_by: actor.accountId, declared_by_staff: actor.staffId, notified: JSON.stringify(told),
        }).returning('id').executeTakeFirstOrThrow();
        const who = source.workerId ? await trx.selectFrom('staff').select(['given_name', 'family_name']).where('id', '=', source.workerId).executeTakeFirst() : null;
        const label = MAJOR_INCIDENT_CATEGORIES[form.category];
        await notify(trx, told.map((t) => t.staffId), `Harbour MAJOR INCIDENT: ${label}${who ? ` – ${fullName(who)}` : ''}`,
          `${actor.displayName} declared a major incident (${label})${who ? ` involving ${fullName(who)}` : ''}.${form.summary ? ` ${form.summary}` : ''} Media enquiries go to the communications team; staff must not speak to the media.`,
          `/major-incidents/${row.id}`);
        if (source.callId) await event(trx, source.callId, actor.staffId, `Major incident declared: ${label}`);
        if (source.alertId) {
          const a = await trx.selectFrom('alerts').select('visit_id').where('id', '=', source.alertId).executeTakeFirst();
          await trx.insertInto('timeline_events').values({ alert_id: source.alertId, visit_id: a?.visit_id ?? null, type: 'major_incident', actor_id: actor.staffId, text: `Major incident declared by ${actor.displayName}: ${label}` }).execute();
        }
        await audit.appendIn(trx, { ...actorFields(actor), action: 'major_incident.declare', entityType: 'major_incident', entityId: row.id, detail: { category: form.category, told: told.map((t) => t.staffId) } });
        return row.id;
      });
      deps.onNotify?.();
      return id;
    },

    async majorIncident(actor: Actor, id: number) {
      const m = await db.selectFrom('major_incidents as m').leftJoin('accounts as a', 'a.id', 'm.declared_by').leftJoin('staff as w', 'w.id', 'm.worker_id')
        .select(['m.id', 'm.category', 'm.summary', 'm.alert_id', 'm.lockdown_id', 'm.purple_file_call_id', 'm.worker_id', 'm.declared_by', 'm.declared_at', 'm.notified',
          'a.display_name as declared_by_name', sql<string | null>`w.given_name || ' ' || w.family_name`.as('worker_name')])
        .where('m.id', '=', id).executeTakeFirst();
      if (!m) throw new NotFoundError('Major incident');
      const notified = (m.notified ?? []) as { staffId: number; role: string }[];
      const allowed = m.declared_by === actor.accountId || can(actor, 'major_incidents.declare')
        || (actor.staffId !== null && notified.some((n) => n.staffId === actor.staffId))
        || (m.worker_id !== null && actor.staffId !== m.worker_id && maySee(await relationTo(staff, actor, m.worker_id)));
      if (!allowed) throw new ForbiddenError('Only the people told about this major incident, and managers, can see it');
      const people = notified.length ? await db.selectFrom('staff').select(['id', 'given_name', 'family_name', 'work_mobile', 'out_of_hours_phone'])
        .where('id', 'in', notified.map((n) => n.staffId)).execute() : [];
      return {
        incident: { ...m, categoryLabel: MAJOR_INCIDENT_CATEGORIES[m.category as MajorIncidentCategory] ?? m.category },
        told: notified.map((n) => ({ ...n, person: people.find((p) => p.id === n.staffId) ?? null, roleLabel: n.role === 'assistant_director' ? 'Assistant director' : 'Line manager' })),
      };
    },

    async majorIncidents(actor: Actor) {
      if (!can(actor, 'major_incidents.declare')) throw new ForbiddenError('Only managers, business support and duty staff can see the list of major incidents');
      return db.selectFrom('major_incidents as m').leftJoin('staff as w', 'w.id', 'm.worker_id')
        .select(['m.id', 'm.category', 'm.declared_at', sql<string | null>`w.given_name || ' ' || w.family_name`.as('worker_name')])
        .orderBy('m.declared_at', 'desc').limit(200).execute()
        .then((rows) => rows.map((r) => ({ ...r, categoryLabel: MAJOR_INCIDENT_CATEGORIES[r.category as MajorIncidentCategory] ?? r.category })));
    },
  };
}

export type DuressService = ReturnType<typeof buildDuressService>;
