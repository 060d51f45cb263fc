import { actorFields } from '../audit/service.ts';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, ValidationError, type FieldError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { addDays, londonToday } from '../../time/london.ts';
import type { RowError } from '../people/import-staff.ts';
import { validateTrainingImport } from './import.ts';
import { DUE_WINDOW_DAYS } from './rules.ts';
import type { RecordForm, RefresherForm } from './schema.ts';
import type { TrainingContext } from './context.ts';

/** A person's training: their page, a record added, refresher training advised, the CSV import. */
export function buildRecords({
  db,
  repo,
  audit,
  now,
  scope,
  inScope,
  mayRecord,
  readinessFor,
  mustSeePerson,
}: TrainingContext) {
  return {
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
  };
}
