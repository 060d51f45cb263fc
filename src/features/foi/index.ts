import { buildFoiContext, type FoiDeps } from './context.ts';
import { buildFoiAnswers } from './answers.ts';
import { buildFoiDisclosureLog } from './disclosure-log.ts';
import { buildFoiLetters } from './letters.ts';
import { buildFoiJobs } from './reminders.ts';
import { buildFoiRequests } from './requests.ts';

export {
  DEFAULT_FOI_SETTINGS,
  figuresChanged,
  frozenFilter,
  type FoiDeps,
  type FoiSettings,
  type FrozenAnswer,
  type PublishedDataset,
} from './context.ts';

/** FOI requests: register, s10 clock, answers from statistics with disclosure control, draft response, disclosure log, retention. */
export function buildFoiService(deps: FoiDeps) {
  const ctx = buildFoiContext(deps);
  return {
    settings: ctx.settings,
    /** Throws Forbidden unless the actor is in the FOI team. */
    authorise: ctx.mustManage,
    ...buildFoiRequests(ctx),
    ...buildFoiAnswers(ctx),
    ...buildFoiLetters(ctx),
    ...buildFoiDisclosureLog(ctx),
    ...buildFoiJobs(ctx),
  };
}

export type FoiService = ReturnType<typeof buildFoiService>;
