import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { requireActor } from '../../web/security.ts';
import { ForbiddenError } from '../../errors.ts';

export const requireManager = (request: FastifyRequest) => {
  const actor = requireActor(request);
  if (!can(actor, 'complaints.manage')) throw new ForbiddenError('Only the complaints team can do this');
  return actor;
};

/** The complaint's page: shown by itself and again, with the errors, under each of its forms. */
export const detailPageOf = (complaints: Services['complaints']) => async (actor: Actor, id: number) => {
  const d = await complaints.detail(actor, id);
  return { title: `Complaint ${d.complaint.reference ?? ''}`, backLink: '/complaints', ...d, staffOptions: d.staff };
};

export const download = (reply: FastifyReply, type: string, file: string, body: string | Buffer) =>
  reply.type(type).header('content-disposition', `attachment; filename="${file}"`).send(body);
