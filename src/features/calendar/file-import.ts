import { randomBytes } from 'node:crypto';
import type { Actor } from '../auth/actor.ts';
import type { VisitInput } from '../visits/repository.ts';
import { VISIT_KINDS } from '../visits/schema.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../errors.ts';
import type { StoredPreview } from './repository.ts';
import { CalendarFormatError, defaultWindow, parseCalendar, type CalendarEvent } from './parse.ts';
import { DESCRIPTION_MAX, defaultDescription, importProblem, occurrenceKey, toVisitInput, whenText } from './rules.ts';
import {
  PREVIEW_TTL_MINUTES,
  londonDay,
  type CalendarContext,
  type Choice,
  type PreviewItem,
  type PreviewView,
} from './context.ts';

/** An uploaded .ics file: read into a preview kept for an hour, then the chosen events made visits. */
export function buildFileImport({ repo, clock, staffIdOf, importNew }: CalendarContext) {
  async function view(p: StoredPreview, staffId: number): Promise<PreviewView> {
    const imported = await repo.importedKeys(staffId, p.events.map(occurrenceKey));
    const items = p.events.map((e, index): PreviewItem => {
      const already = imported.has(occurrenceKey(e));
      return {
        index,
        summary: e.summary,
        location: e.location,
        ...whenText(e),
        allDay: e.allDay,
        problem: already ? 'Already imported' : importProblem(e),
        imported: already,
        description: defaultDescription(e.summary),
      };
    });
    // The window the file was read with: measured from when it was uploaded.
    const window = defaultWindow(new Date(p.expiresAt.getTime() - PREVIEW_TTL_MINUTES * 60_000));
    return {
      id: p.id,
      fileName: p.fileName,
      items,
      selectable: items.filter((i) => !i.problem).length,
      truncated: p.truncated,
      warnings: p.warnings,
      window: { from: londonDay(window.from), to: londonDay(new Date(window.to.getTime() - 1)) },
    };
  }

  return {
    /** Reads an uploaded file and keeps its events in the window for an hour, for the worker to choose from. */
    async preview(actor: Actor, text: string, fileName: string | null): Promise<PreviewView> {
      const staffId = staffIdOf(actor);
      if (!text.trim()) throw new ValidationError([{ field: 'file', message: 'The selected file is empty' }]);
      const now = clock();
      const window = defaultWindow(now);
      let parsed;
      try {
        parsed = parseCalendar(text, window);
      } catch (e) {
        if (e instanceof CalendarFormatError)
          throw new ValidationError([
            {
              field: 'file',
              message:
                'The selected file must be an iCalendar (.ics) file exported from Outlook, Google or Apple Calendar',
            },
          ]);
        throw e;
      }
      if (parsed.events.length === 0) {
        throw new ValidationError([
          {
            field: 'file',
            message: `The file has no events between ${londonDay(window.from)} and ${londonDay(new Date(window.to.getTime() - 1))}`,
          },
        ]);
      }
      const stored: StoredPreview = {
        id: randomBytes(18).toString('base64url'),
        staffId,
        fileName: fileName ? fileName.slice(0, 200) : null,
        events: parsed.events,
        truncated: parsed.truncated,
        warnings: parsed.warnings,
        expiresAt: new Date(now.getTime() + PREVIEW_TTL_MINUTES * 60_000),
      };
      await repo.deleteExpiredPreviews(now);
      await repo.savePreview(stored);
      return view(stored, staffId);
    },

    async previewView(actor: Actor, id: string): Promise<PreviewView> {
      const staffId = staffIdOf(actor);
      const p = await repo.preview(id, staffId, clock());
      if (!p) throw new NotFoundError('Calendar preview');
      return view(p, staffId);
    },

    /** Creates the chosen events as visits, skipping any imported before. */
    async confirm(actor: Actor, previewId: string, choices: Choice[]): Promise<{ added: number; skipped: number }> {
      const staffId = staffIdOf(actor);
      const p = await repo.preview(previewId, staffId, clock());
      if (!p)
        throw new ValidationError([
          {
            field: 'file',
            message: 'The uploaded calendar has expired or was already imported. Upload the file again',
          },
        ]);
      if (choices.length === 0)
        throw new ValidationError([{ field: 'events', message: 'Select the events that are visits' }]);
      const errors: FieldError[] = [];
      const inputs: VisitInput[] = [];
      for (const c of choices) {
        const e: CalendarEvent | undefined = p.events[c.index];
        if (!e) {
          errors.push({ field: 'events', message: 'Select events from the list' });
          continue;
        }
        const when = whenText(e);
        const problem = importProblem(e);
        if (problem) {
          errors.push({
            field: 'events',
            message: `“${e.summary}” on ${when.date} cannot be imported: ${problem.toLowerCase()}`,
          });
          continue;
        }
        if (!(c.kind in VISIT_KINDS)) {
          errors.push({ field: `kind-${c.index}`, message: `Select what kind of lone working “${e.summary}” is` });
          continue;
        }
        const description = c.description.trim();
        if (description.length > DESCRIPTION_MAX) {
          errors.push({
            field: `description-${c.index}`,
            message: `The description of “${e.summary}” must be ${DESCRIPTION_MAX} characters or fewer`,
          });
          continue;
        }
        if (!e.location && c.kind !== 'home_working') {
          errors.push({
            field: `kind-${c.index}`,
            message: `“${e.summary}” on ${when.date} has no location. Choose home working, or add the address in your calendar and upload the file again`,
          });
          continue;
        }
        inputs.push(toVisitInput(e, staffId, c.kind, description));
      }
      if (errors.length) throw new ValidationError(errors);
      const result = await importNew(actor, staffId, inputs);
      await repo.deletePreview(p.id);
      return result;
    },
  };
}
