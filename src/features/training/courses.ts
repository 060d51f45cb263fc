import { actorFields } from '../audit/service.ts';
import type { Actor } from '../auth/actor.ts';
import { hasRole } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { JOB_ROLES } from '../people/job-roles.ts';
import type { CourseInput } from './repository.ts';
import { CATEGORIES, courseKey } from './rules.ts';
import type { CourseForm } from './schema.ts';
import type { TrainingContext } from './context.ts';

/** The list of courses (administrators): who needs each and how long it is valid. */
export function buildCourses({ db, repo, audit }: TrainingContext) {
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

  return {
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
  };
}
