import type { Actor } from '../auth/actor.ts';
import { letterDocx } from './letter.ts';
import type { FoiContext } from './context.ts';

/** The draft response: previewed as a letter and downloaded as a document. Nothing is sent. */
export function buildFoiLetters(ctx: FoiContext) {
  const { mustManage, mustFind, letterFor, auditRequesterRead } = ctx;
  return {
    /** The draft response as a letter model (HTML preview and .docx). Nothing is sent. */
    async draft(actor: Actor, id: number) {
      mustManage(actor);
      const r = await mustFind(id);
      await auditRequesterRead(actor, r, 'draft response');
      return { request: r, ...(await letterFor(actor, id, false)) };
    },
    async draftDocx(actor: Actor, id: number) {
      mustManage(actor);
      const r = await mustFind(id);
      await auditRequesterRead(actor, r, 'draft response download');
      const { letter } = await letterFor(actor, id, false);
      return { file: `${r.reference.replace(/[^A-Za-z0-9]+/g, '-')}-response.docx`, content: await letterDocx(letter) };
    },
  };
}
