import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Letter } from './letter.ts';
import { type PublishedDataset, type FoiContext } from './context.ts';

/** The public disclosure log: a response and its datasets published without the requester's details. */
export function buildFoiDisclosureLog(ctx: FoiContext) {
  const { db, repo, audit, mustManage, mustFind, letterFor } = ctx;
  return {
    /** Puts the response and its datasets in the public disclosure log, without the requester's details. */
    async publish(actor: Actor, id: number) {
      mustManage(actor);
      const r = await mustFind(id);
      if (!r.responded_on)
        throw new ValidationError([{ field: 'publish', message: 'Record the response as sent before publishing it' }]);
      const { letter, datasets } = await letterFor(actor, id, true);
      await inTransaction(db, async (trx) => {
        await repo.publish(trx, {
          requestId: id,
          reference: r.reference,
          title: r.title,
          respondedOn: r.responded_on,
          letter,
          datasets,
          by: actor.accountId,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'foi.publish',
          entityType: 'foi_requests',
          entityId: id,
          detail: { reference: r.reference, datasets: datasets.length },
        });
      });
    },
    // ---- Public disclosure log ----
    async disclosureLog(page = 1) {
      const found = await repo.disclosures(page);
      return { entries: found.rows, total: found.total, page: found.page };
    },
    async disclosure(id: number) {
      const d = await repo.disclosure(id);
      if (!d) throw new NotFoundError('No such disclosure');
      return { disclosure: d, letter: d.letter as Letter, datasets: d.datasets as PublishedDataset[] };
    },
    async disclosureDataset(id: number, questionId: number) {
      const d = await repo.disclosure(id);
      const ds = (d?.datasets as PublishedDataset[] | undefined)?.find((x) => x.questionId === questionId);
      if (!d || !ds) throw new NotFoundError('No such dataset');
      return { reference: d.reference, dataset: ds };
    },
  };
}
