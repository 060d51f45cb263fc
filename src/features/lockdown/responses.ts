import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { ENDED_AS, allClearProblems } from './rules.ts';
import type { AllClearForm } from './schema.ts';
import { ACKNOWLEDGED } from './acknowledgement-text.ts';
import type { LockdownContext } from './context.ts';

/** The responses to a running lockdown: the alerted acknowledge it; the all clear ends it and tells them. */
export function buildResponses({ db, repo, buildings, audit, plan, base, endingAs, load, notified }: LockdownContext) {
  return {
    /** A person alerted says they have the message. Saying it twice changes nothing. */
    async acknowledge(actor: Actor, id: number) {
      const l = await load(id);
      if (actor.staffId === null || !(await repo.recipient(id, actor.staffId)))
        throw new ForbiddenError('Only the people alerted about this lockdown acknowledge it');
      const staffId = actor.staffId;
      await inTransaction(db, async (trx) => {
        if (!(await repo.acknowledge(trx, id, staffId))) return;
        await repo.event(
          trx,
          id,
          staffId,
          `${actor.displayName} ${ACKNOWLEDGED}${l.ended_at ? ' (after the all clear)' : ''}`,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'lockdown.acknowledge',
          entityType: 'lockdown',
          entityId: id,
        });
      });
    },

    /**
     * "All clear": ends the lockdown and tells everyone who was alerted. From the person running it,
     * the building manager or a key holder present; a senior manager elsewhere gives a reason. Where
     * the police attended, it records that they gave the all clear.
     */
    async allClear(actor: Actor, id: number, form: AllClearForm) {
      const l = await load(id);
      const building = await buildings.get(l.building_id);
      const as = await endingAs(actor, l, building?.building_manager_id ?? null);
      if (as === null)
        throw new ForbiddenError(
          'Only the person running the lockdown, the building manager or a key holder in the building can give the all clear',
        );
      if (l.ended_at) throw new ValidationError([{ field: 'note', message: 'This lockdown has already ended' }]);
      const problems = allClearProblems(as, form);
      if (problems.length) throw new ValidationError(problems);
      const note = form.note;
      const police =
        form.policeAttended === 'yes' ? 'The police attended and gave the all clear.' : 'The police did not attend.';
      await inTransaction(db, async (trx) => {
        if (
          !(await repo.end(trx, id, {
            staffId: actor.staffId,
            name: actor.displayName,
            note,
            as,
            remoteReason: as === 'remote_senior' ? form.reason : null,
            policeAttended: form.policeAttended === 'yes',
            policeAllClear: form.policeAttended === 'yes' ? form.policeAllClear : null,
          }))
        ) {
          throw new ValidationError([{ field: 'note', message: 'This lockdown has already ended' }]);
        }
        await repo.event(
          trx,
          id,
          actor.staffId,
          `${actor.displayName} gave the all clear as ${ENDED_AS[as]}. ${police}${as === 'remote_senior' ? ` Ended from elsewhere because: ${form.reason!}.` : ''}${note ? ` ${note}` : ''}`,
        );
        const people = await repo.recipientIds(trx, id);
        await repo.notify(
          trx,
          people,
          {
            subject: `All clear at ${l.building_name}`,
            body: `The lockdown at ${l.building_name} has ended: all clear given by ${actor.displayName}. ${police}${note ? ` ${note}` : ''}`,
            link: `${base}/lockdowns/${id}`,
          },
          plan,
        );
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'lockdown.all_clear',
          entityType: 'lockdown',
          entityId: id,
          detail: {
            note,
            endedAs: as,
            policeAttended: form.policeAttended === 'yes',
            reason: as === 'remote_senior' ? form.reason : null,
          },
        });
      });
      notified();
    },
  };
}
