import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { addDays, londonToday } from '../../src/time/london.ts';
import { demo } from './app.ts';

/**
 * The training and readiness rows of the access matrix (test/routes/access.test.ts), issue 19.
 * Readiness: managers (their line), health and safety and administrators. Recording a person's
 * training: their managers and administrators. Courses: administrators only.
 */
const state = { chloeId: 0, chloeNumber: '', ashford: 0, courseId: 0, editCourse: 0, editName: '' };
let unique = 0;

export async function prepareTrainingMatrix(db: Kysely<DB>) {
  const chloe = await db
    .selectFrom('staff')
    .select(['id', 'employee_number'])
    .where('email', '=', demo.worker)
    .executeTakeFirstOrThrow();
  state.chloeId = chloe.id;
  state.chloeNumber = chloe.employee_number;
  state.ashford = (
    await db.selectFrom('teams').select('id').where('name', '=', 'Ashford Children in Care').executeTakeFirstOrThrow()
  ).id;
  state.courseId = (
    await db
      .selectFrom('training_courses')
      .select('id')
      .where('category', '=', 'lone_working')
      .executeTakeFirstOrThrow()
  ).id;
  const edit = await db
    .selectFrom('training_courses')
    .select(['id', 'name'])
    .where('name', '=', 'Team Teach basic (1 day)')
    .executeTakeFirstOrThrow();
  state.editCourse = edit.id;
  state.editName = edit.name;
}

interface Builders<W extends string, R> {
  page: (
    route: string,
    allow: readonly W[],
    more?: { url?: () => string; expect?: Partial<Record<W, { status: number; location?: string }>> },
  ) => R;
  form: (route: string, allow: readonly W[], body: () => Record<string, unknown>, more?: { url?: () => string }) => R;
  upload: (route: string, allow: readonly W[], body: () => Record<string, unknown>, more?: { url?: () => string }) => R;
  signedIn: readonly W[];
}

const boxes = (prefix: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${prefix}-day`]: d!, [`${prefix}-month`]: m!, [`${prefix}-year`]: y! };
};

export function trainingMatrixRows<W extends string, R>(b: Builders<W, R>): R[] {
  const MANAGERS = ['teamManager', 'serviceManager', 'assistantDirector', 'admin'] as W[];
  const SEE_READINESS = ['teamManager', 'serviceManager', 'assistantDirector', 'healthAndSafety', 'admin'] as W[];
  const ADMIN = ['admin'] as W[];
  const chloe = (path = '') => ({ url: () => `/training/people/${state.chloeId}${path}` });
  return [
    b.page('GET /training', b.signedIn),
    b.page('GET /training/people/:id', SEE_READINESS, {
      ...chloe(),
      expect: { worker: { status: 303, location: '/training' } } as Partial<
        Record<W, { status: number; location?: string }>
      >,
    }),
    b.form(
      'POST /training/people/:id/records',
      MANAGERS,
      () => ({
        courseId: String(state.courseId),
        ...boxes('completedOn', addDays(londonToday(), -1)),
        evidence: 'Matrix',
      }),
      chloe('/records'),
    ),
    b.form(
      'POST /training/people/:id/refresher',
      MANAGERS,
      () => ({ courseId: String(state.courseId), reason: 'Matrix debrief', incidentId: '' }),
      chloe('/refresher'),
    ),
    b.page('GET /training/courses', ADMIN),
    b.page('GET /training/courses/new', ADMIN),
    b.form('POST /training/courses', ADMIN, () => ({
      name: `Matrix course ${++unique}`,
      category: 'other',
      validityMonths: '12',
    })),
    b.page('GET /training/courses/:id', ADMIN, { url: () => `/training/courses/${state.editCourse}` }),
    b.form(
      'POST /training/courses/:id',
      ADMIN,
      () => ({ name: state.editName, category: 'physical_intervention', validityMonths: '36' }),
      { url: () => `/training/courses/${state.editCourse}` },
    ),
    b.page('GET /training/import', MANAGERS),
    b.page('GET /training/import/template.csv', MANAGERS),
    b.upload('POST /training/import', MANAGERS, () => ({
      csv: `employee_number,course,completed_on,expires_on\n${state.chloeNumber},E Learning Lone Working,${addDays(londonToday(), -2)},\n`,
    })),
    b.page('GET /readiness', SEE_READINESS),
    b.page('GET /readiness.csv', SEE_READINESS),
    b.page('GET /readiness.ods', SEE_READINESS),
    // 'warn' keeps Chloe's sessions in the other rows free of the training gate.
    b.form('POST /readiness/teams/:id/policy', MANAGERS, () => ({ policy: 'warn' }), {
      url: () => `/readiness/teams/${state.ashford}/policy`,
    }),
  ];
}
