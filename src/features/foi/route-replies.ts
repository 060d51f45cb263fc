import type { FastifyReply } from 'fastify';
import { toCsv } from '../../web/csv.ts';
import { toOds } from '../../web/spreadsheet.ts';

const DONE: Record<string, string> = {
  created: 'Request logged',
  answered: 'Answer saved',
  new_version: 'Today’s figures saved as a new version; the earlier one is kept',
  event: 'Recorded',
  cost: 'Cost estimate saved',
  assigned: 'Assignee changed',
  published: 'Published to the disclosure log',
};

/** The banner after a redirect: the request page and the draft response name what was just done by `?done=`. */
export const flashFrom = (query: unknown) => DONE[(query as { done?: string }).done ?? ''];

export const csv = (reply: FastifyReply, file: string, rows: string[][]) =>
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file}"`)
    .send(toCsv(rows));
export const ods = (reply: FastifyReply, file: string, sheet: string, rows: string[][]) =>
  reply
    .type('application/vnd.oasis.opendocument.spreadsheet')
    .header('content-disposition', `attachment; filename="${file}"`)
    .send(toOds(sheet, rows));
