import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository, Executor } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { addDays, londonToday } from '../../time/london.ts';
import { packProblem } from '../emergency/rules.ts';
import { JOB_ROLES } from '../people/job-roles.ts';
import type { RowError } from '../people/import-staff.ts';
import type { CourseInput, TrainingRepository } from './repository.ts';
import { validateTrainingImport } from './import.ts';
import {
  CATEGORIES,
  DUE_WINDOW_DAYS,
  LONE_WORKING_CATEGORIES,
  courseKey,
  dueSoon,
  isCurrent,
  lackingIn,
  personTraining,
  reminderDue,
  trainingStartProblems,
  trainingWarning,
  type CourseFacts,
  type DueItemFacts,
  type Policy,
} from './rules.ts';
import type { CourseForm, RecordForm, RefresherForm } from './schema.ts';

export interface TrainingDeps {
  db: Kysely<DB>;
  training: TrainingRepository;
  staff: StaffRepository;
  audit: AuditRepository;
  now?: () => Date;
}

type Person = Awaited<ReturnType<TrainingRepository['people']>>[number];
type RecordRow = Awaited<ReturnType<TrainingRepository['records']>>[number];

const name = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
const MANAGER_ROLES = ['team_manager', 'service_manager', 'assistant_director'] as const;

/** One person's readiness to work alone (issue 19): the facts, their training, and ready or why not. */
export function readinessOf(
  p: Person,
  courses: readonly CourseFacts[],
  records: readonly RecordRow[],
  due: readonly DueItemFacts[],
  now: Date,
  today: string,
) {
  const training = personTraining(
    { jobRole: p.job_role, teamId: p.team_id, serviceId: p.service_id, keyHolder: p.key_holder },
    courses,
    records,
    due,
    today,
  );
  const pack = packProblem(p.pack_updated_at ? new Date(p.pack_updated_at) : null, now);
  const reasons: string[] = [];
  if (p.buddy_id === null) reasons.push('No buddy');
  if (pack) reasons.push(pack === 'missing' ? 'No emergency details' : 'Emergency details over 12 months old');
  if (!p.duress_pin) reasons.push('No duress PIN');
  for (const c of training.lacking) reasons.push(`${c}: missing or expired`);
  return {
    id: p.id,
    name: name(p),
    employeeNumber: p.employee_number,
    jobRole: p.job_role,
    teamId: p.team_id,
    teamName: p.team_name,
    policy: p.policy as Policy,
    buddy: p.buddy_id !== null,
    packCurrent: pack === null,
    packProblem: pack,
    duressPin: p.duress_pin,
    trainingCurrent: training.current,
    nextExpiry: training.nextExpiry,
    lacking: training.lacking,
    outstanding: training.outstanding,
    assessmentsDue: Number(p.assessments_due),
    ready: reasons.length === 0,
    reasons,
    training,
    loneWorkingWarning: trainingWarning(lackingIn(training, LONE_WORKING_CATEGORIES)),
  };
}
export type Readiness = ReturnType<typeof readinessOf>;

export function buildTrainingService(deps: TrainingDeps) {
  const { db, training: repo, staff, audit } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * The people whose readiness the actor sees and whose training they record: their whole line
   * (a team manager's reports; a service manager's and assistant director's everyone below) and the
   * members of teams they manage. Administrators and health and safety officers: everyone.
   */
  async function scope(actor: Actor): Promise<number[] | 'all'> {
    if (hasRole(actor, 'admin', 'health_and_safety_officer')) return 'all';
    if (actor.staffId === null) return [];
    const [reports, managed] = await Promise.all([staff.reports(actor.staffId), staff.managedTeamIds(actor.staffId)]);
    const members = await repo.teamMembers(managed);
    return [...new Set([...reports.map((r) => r.id), ...members])].filter((id) => id !== actor.staffId);
  }
  const inScope = (s: number[] | 'all', id: number) => s === 'all' || s.includes(id);
  const mayRecord = (actor: Actor) => hasRole(actor, 'admin', ...MANAGER_ROLES);

  async function readinessFor(ids: number[] | 'all', ex: Executor = db) {
    const at = now();
    const today = londonToday(at);
    const people = await repo.people(ids, addDays(today, DUE_WINDOW_DAYS), ex);
    const personIds = people.map((p) => p.id);
    const [courses, records, due] = [
      await repo.courses({}, ex),
      await repo.records(personIds, ex),
      await repo.dueItems(personIds, ex),
    ];
    return people.map((p) =>
      readinessOf(
        p,
        courses,
        records.filter((r) => r.staff_id === p.id),
        due.filter((d) => d.staff_id === p.id),
        at,
        today,
      ),
    );
  }

  async function courseInput(form: CourseForm, exceptId: number | null): Promise<CourseInput> {
    const errors: FieldError[] = [];
    const key = courseKey(form.name);
    if (!key) errors.push({ field: 'name', message: 'Enter a course name with letters or numbers' });
    const clash = key ? await repo.courseByKey(key) : undefined;
    if (clash && clash.id !== exceptId)
      errors.push({
        field: 'name',
        message: 'A course with this name already exists (names are compared without case, spaces or punctuation)',
      });
    const [services, teams] = await Promise.all([repo.allServices(), repo.allTeams()]);
    if (form.jobRoles.some((r) => !(r in JOB_ROLES)))
      errors.push({ field: 'jobRoles', message: 'Select job roles from the list' });
    if (form.teamIds.some((t) => !teams.some((x) => x.id === t)))
      errors.push({ field: 'teamIds', message: 'Select teams from the list' });
    if (form.serviceIds.some((s) => !services.some((x) => x.id === s)))
      errors.push({ field: 'serviceIds', message: 'Select services from the list' });
    if (errors.length) throw new ValidationError(errors);
    return { ...form, nameKey: key };
  }

  async function mustSeePerson(actor: Actor, id: number) {
    const person = await staff.get(id);
    if (!person) throw new NotFoundError('Person');
    const s = await scope(actor);
    const self = actor.staffId === id;
    if (!self && !inScope(s, id)) throw new ForbiddenError('You can see the training of the people you manage only');
    return { person, mayRecord: !self && mayRecord(actor) && inScope(s, id) };
  }

  return {
    scope,
    categories: CATEGORIES,
    readinessFor,

    async courses() {
      return repo.courses({ includeRetired: true });
    },
    async courseFormContext() {
      const [services, teams] = await Promise.all([repo.allServices(), repo.allTeams()]);
      return { services, teams, jobRoles: JOB_ROLES, categories: CATEGORIES };
    },
    async course(actor: Actor, id: number) {
      if (!hasRole(actor, 'admin')) throw new ForbiddenError('Only administrators keep the list of courses');
      const c = await repo.course(id);
      if (!c) throw new NotFoundError('Course');
      return c;
    },
    async saveCourse(actor: Actor, id: number | null, form: CourseForm) {
      if (!hasRole(actor, 'admin')) throw new ForbiddenError('Only administrators keep the list of courses');
      if (id !== null && !(await repo.course(id))) throw new NotFoundError('Course');
      const input = await courseInput(form, id);
      return inTransaction(db, async (trx) => {
        const courseId = id ?? (await repo.createCourse(trx, input));
        if (id !== null) await repo.updateCourse(trx, id, input);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: id === null ? 'training_course.create' : 'training_course.update',
          entityType: 'training_course',
          entityId: courseId,
          detail: {
            name: input.name,
            category: input.category,
            validityMonths: input.validityMonths,
            everyone: input.everyone,
            jobRoles: input.jobRoles,
            teamIds: input.teamIds,
            serviceIds: input.serviceIds,
            keyHolders: input.keyHolders,
            retired: input.retired,
          },
        });
        return courseId;
      });
    },

    /** A person's own training (or one of the people the actor manages). */
    async person(actor: Actor, id: number) {
      const { person, mayRecord: canRecord } = await mustSeePerson(actor, id);
      const [row] = await readinessFor([id]);
      const records = await repo.records([id]);
      const courses = await repo.courses();
      return { person, readiness: row ?? null, records, courses, canRecord, today: londonToday(now()) };
    },

    async record(actor: Actor, id: number, form: RecordForm) {
      const { mayRecord: canRecord } = await mustSeePerson(actor, id);
      if (!canRecord) throw new ForbiddenError('Only the person’s managers can record their training');
      const errors: FieldError[] = [];
      const course = await repo.course(form.courseId);
      if (!course || course.retired_at) errors.push({ field: 'courseId', message: 'Select a course from the list' });
      if (form.completedOn && form.completedOn > londonToday(now()))
        errors.push({ field: 'completedOn-day', message: 'The date completed must be today or in the past' });
      if (form.completedOn && form.expiresOn && form.expiresOn <= form.completedOn)
        errors.push({ field: 'expiresOn-day', message: 'The expiry date must be after the date completed' });
      if (errors.length) throw new ValidationError(errors);
      await inTransaction(db, async (trx) => {
        await repo.addRecords(
          trx,
          [
            {
              staffId: id,
              courseId: form.courseId,
              completedOn: form.completedOn,
              expiresOn: form.expiresOn,
              evidence: form.evidence,
              source: 'form',
            },
          ],
          { staffId: actor.staffId, accountId: actor.accountId },
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'training.record',
          entityType: 'staff',
          entityId: id,
          detail: {
            courseId: form.courseId,
            completedOn: form.completedOn,
            expiresOn: form.expiresOn,
            evidence: form.evidence,
          },
        });
      });
    },

    /** "Refresher training advised" (an incident debrief, or a manager): a due item for the person. */
    async adviseRefresher(actor: Actor, id: number, form: RefresherForm) {
      const { mayRecord: canRecord } = await mustSeePerson(actor, id);
      if (!canRecord) throw new ForbiddenError('Only the person’s managers can advise refresher training');
      const course = await repo.course(form.courseId);
      if (!course || course.retired_at)
        throw new ValidationError([{ field: 'courseId', message: 'Select a course from the list' }]);
      const today = londonToday(now());
      if (form.dueOn && form.dueOn < today)
        throw new ValidationError([{ field: 'dueOn-day', message: 'The date it is due by must be today or later' }]);
      return inTransaction(db, async (trx) => {
        const itemId = await repo.addDueItem(trx, {
          staffId: id,
          courseId: form.courseId,
          reason: form.reason,
          incidentId: form.incidentId,
          createdOn: today,
          dueOn: form.dueOn ?? addDays(today, DUE_WINDOW_DAYS),
          accountId: actor.accountId,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'training.refresher_advised',
          entityType: 'staff',
          entityId: id,
          detail: { courseId: form.courseId, reason: form.reason, incidentId: form.incidentId },
        });
        return itemId;
      });
    },

    /** `harbour import training FILE.csv` (actor null) and the web upload: all or nothing. */
    async importFile(
      actor: Actor | null,
      text: string,
      fileName: string,
    ): Promise<{ ok: true; imported: number; people: number } | { ok: false; errors: RowError[] }> {
      if (actor && !mayRecord(actor))
        throw new ForbiddenError('Only managers and administrators can import training records');
      const [numbers, courses] = await Promise.all([repo.staffNumbers(), repo.courses()]);
      const { rows, errors } = validateTrainingImport(text, {
        staff: new Map(numbers.map((s) => [s.employee_number.toUpperCase(), s.id])),
        courses: new Map(courses.map((c) => [c.name_key, c.id])),
        today: londonToday(now()),
      });
      if (actor) {
        const s = await scope(actor);
        const byId = new Map(numbers.map((n) => [n.id, n.employee_number]));
        for (const r of rows)
          if (!inScope(s, r.staffId))
            errors.push({
              line: r.line,
              message: `employee ${byId.get(r.staffId)} is not one of the people you manage`,
            });
        errors.sort((a, b) => a.line - b.line);
      }
      if (errors.length) return { ok: false, errors };
      await inTransaction(db, async (trx) => {
        await repo.addRecords(
          trx,
          rows.map((r) => ({ ...r, source: 'import' as const })),
          { staffId: actor?.staffId ?? null, accountId: actor?.accountId ?? null },
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'training.import',
          entityType: 'training_record',
          entityId: null,
          detail: { fileName, rows: rows.length },
        });
      });
      return { ok: true, imported: rows.length, people: new Set(rows.map((r) => r.staffId)).size };
    },

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

  async function mayChangePolicy(actor: Actor, managerId: number | null) {
    if (hasRole(actor, 'admin')) return true;
    if (actor.staffId === null || managerId === null) return false;
    if (managerId === actor.staffId) return true;
    return (await staff.chain(managerId)).some((c) => c.id === actor.staffId);
  }
}
export type TrainingService = ReturnType<typeof buildTrainingService>;

/**
 * What training stops a session starting (issue 19), asked by the risk gate at "I've arrived"
 * (its `extraStartProblems`) through the caller's transaction only. The light is the one the gate
 * gives (`rating`), else the one the visit was planned under. Rules in `rules.ts` `trainingStartProblems`.
 */
export function buildTrainingGate(repo: TrainingRepository, now: () => Date = () => new Date()) {
  return async function trainingGateProblems(
    ex: Executor,
    session: { id: number; rating?: string | null },
  ): Promise<string[]> {
    const today = londonToday(now());
    const facts = await repo.gateFacts(ex, session.id, today);
    if (!facts || !facts.person) return [];
    const { visit, person, courses, records } = facts;
    const t = personTraining(
      { jobRole: person.job_role, teamId: person.team_id, serviceId: person.service_id, keyHolder: person.key_holder },
      courses,
      records,
      [],
      today,
    );
    // A call-out makes the person a key holder for it, whether or not they are listed for a building.
    const keyHolderLacking = courses
      .filter((c) => c.category === 'key_holder')
      .filter(
        (c) =>
          !isCurrent(
            personTraining(
              { jobRole: '', teamId: null, serviceId: null, keyHolder: false },
              [{ ...c, everyone: true }],
              records,
              [],
              today,
            ).required[0]!.status.state,
          ),
      )
      .map((c) => c.name);
    return trainingStartProblems({
      kind: visit.kind,
      rating: session.rating !== undefined ? session.rating : visit.risk_rating,
      policy: person.policy as Policy,
      loneWorkingLacking: lackingIn(t, LONE_WORKING_CATEGORIES),
      keyHolderLacking,
      hasJointPartner: visit.joint_partner_id !== null,
      managerApproved: visit.control === 'manager_approval',
      assessmentCurrent: facts.assessmentCurrent,
    });
  };
}
