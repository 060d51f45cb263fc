import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { GIFT_KINDS, GIFT_RESPONSES, GIVER_TYPES, formatPounds, giftProblems, isLate, needsOverride } from './rules.ts';
import { londonToday } from '../../time/london.ts';
import type { GiftForm } from './schema.ts';
import { interestLabel, giftKindLabel, responseLabel, name, type RegistersContext } from './context.ts';

/** Gifts, hospitality, legacies and sponsorship; the registers team's suppliers and politically restricted posts. */
export function buildGifts(ctx: RegistersContext) {
  const { db, repo, staff, audit, settings, now, viewAll, mayDecideFor, mustSee, mustHaveStaff, signer, decorateGift } =
    ctx;
  return {
    // ---- Gifts, hospitality, legacies, sponsorship ----
    async giftFormContext(actor?: Actor) {
      const managers = actor?.staffId
        ? (await staff.chain(actor.staffId)).map((c) => ({ id: c.id, name: name(c) }))
        : [];
      return {
        kinds: GIFT_KINDS,
        responses: GIFT_RESPONSES,
        giverTypes: GIVER_TYPES,
        suppliers: await repo.suppliers(),
        managers,
        significant: formatPounds(settings.significantGiftPence!),
      };
    },

    async recordGift(actor: Actor, form: GiftForm) {
      const staffId = mustHaveStaff(actor);
      const errors = giftProblems(form);
      if (form.supplierId !== null && !(await repo.suppliers()).some((s) => s.id === form.supplierId))
        errors.push({ field: 'supplierId', message: 'Select a contractor or supplier from the list' });
      const chain = await staff.chain(staffId);
      const authoriser = form.authorisedById ? chain.find((c) => c.id === form.authorisedById) : undefined;
      if (form.authorisedById && !authoriser)
        errors.push({
          field: 'authorisedById',
          message: 'Select one of your managers: hospitality is authorised by a manager above you',
        });
      if (errors.length) throw new ValidationError(errors);
      const giverType = form.giverType ?? 'organisation';
      const eventOn = form.kind === 'hospitality' ? (form.eventOn ?? null) : null;
      const late = isLate(form.kind, eventOn, londonToday(now()));
      const override = needsOverride({ ...form, giverType }, settings.significantGiftPence!);
      const authorisedBy =
        form.kind === 'hospitality' && authoriser ? { id: authoriser.id, name: name(authoriser) } : null;
      const person = await repo.person(staffId);
      return inTransaction(db, async (trx) => {
        const id = await repo.createGift(trx, staffId, {
          ...form,
          giverType,
          eventOn,
          authorisedBy,
          late,
          needsOverride: override,
          authorisedInAdvance: authorisedBy !== null && !late,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'gift.record',
          entityType: 'gift_entry',
          entityId: id,
          detail: {
            kind: form.kind,
            response: form.response,
            valuePence: form.valuePence,
            supplierId: form.supplierId,
            giverType,
            late,
            needsOverride: override,
          },
        });
        // L.2, L.3: the manager is told of every gift and legacy (and of anything needing their decision).
        const manager = chain[0];
        if (manager && (form.kind === 'gift' || form.kind === 'legacy' || override)) {
          const who = person ? name(person) : actor.displayName;
          await repo.notify(trx, {
            recipientId: manager.id,
            link: `/registers/gifts/${id}`,
            subject: `${who} recorded a ${giftKindLabel(form.kind).toLowerCase()}${override ? ' that needs your override' : ''}`,
            body: `${who} recorded a ${giftKindLabel(form.kind).toLowerCase()} offered by ${form.offeredBy}, worth ${formatPounds(form.valuePence)}: ${responseLabel(form.response).toLowerCase()}.${override ? ' It is a significant gift from a client, contractor or supplier (Kent Code L.1): it may be kept only if you override with a reason.' : ''}`,
          });
        }
        return id;
      });
    },

    async gift(actor: Actor, id: number) {
      const [g] = await repo.gifts({ staffIds: 'all', giftId: id });
      if (!g) throw new NotFoundError('Entry');
      await mustSee(actor, g.staff_id);
      return { entry: decorateGift(g), canDecide: g.status === 'pending' && (await mayDecideFor(actor, g.staff_id)) };
    },

    async decideGift(actor: Actor, id: number, decision: { decision: 'approved' | 'declined'; note: string | null }) {
      const [g] = await repo.gifts({ staffIds: 'all', giftId: id });
      if (!g) throw new NotFoundError('Entry');
      if (!(await mayDecideFor(actor, g.staff_id)))
        throw new ForbiddenError('Only the person’s manager, or the registers team, can approve or decline an entry');
      if (g.status !== 'pending')
        throw new ValidationError([{ field: 'decision', message: 'A decision has already been made on this entry' }]);
      if (decision.decision === 'declined' && !decision.note)
        throw new ValidationError([{ field: 'note', message: 'Enter why you are declining the entry' }]);
      const override = g.needs_override && decision.decision === 'approved';
      if (override && (!decision.note || decision.note.length < 10)) {
        throw new ValidationError([
          {
            field: 'note',
            message:
              'This is a significant gift from a client, contractor or supplier (L.1): enter your reason for overriding the rule and letting them keep it',
          },
        ]);
      }
      await inTransaction(db, async (trx) => {
        await repo.decide(trx, id, {
          status: decision.decision,
          note: decision.note,
          ...signer(actor),
          overrideReason: override ? decision.note : null,
        });
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: `gift.${decision.decision === 'approved' ? 'approve' : 'decline'}`,
          entityType: 'gift_entry',
          entityId: id,
          detail: {},
        });
      });
    },

    // ---- Registers team ----
    async suppliers(actor: Actor) {
      if (!viewAll(actor)) throw new ForbiddenError();
      const [suppliers, interests] = await Promise.all([repo.suppliers(), repo.supplierInterests()]);
      // H.5: who must not be given the tender documents without the Managing Director's authority.
      return {
        suppliers: suppliers.map((sp) => ({
          ...sp,
          interested: interests
            .filter((i) => i.supplier_id === sp.id)
            .map(
              (i) =>
                `${name(i)} (${interestLabel(i.kind)
                  .replace(/ \(.*\)$/, '')
                  .toLowerCase()}${i.contract ? `, ${i.contract}` : ''})`,
            ),
        })),
      };
    },
    async addSupplier(actor: Actor, form: { name: string; liveTender: boolean }) {
      if (!viewAll(actor)) throw new ForbiddenError();
      if (await repo.supplierByName(form.name))
        throw new ValidationError([{ field: 'name', message: 'That contractor or supplier is already on the list' }]);
      await inTransaction(db, async (trx) => {
        const id = await repo.createSupplier(trx, form);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'supplier.create',
          entityType: 'supplier',
          entityId: id,
          detail: { liveTender: form.liveTender },
        });
      });
    },
    async setPoliticalRestriction(actor: Actor, form: { staffId: number; restricted: boolean }) {
      if (!viewAll(actor)) throw new ForbiddenError();
      if (!(await repo.person(form.staffId)))
        throw new ValidationError([{ field: 'staffId', message: 'Select a member of staff from the list' }]);
      await inTransaction(db, async (trx) => {
        await repo.setPoliticallyRestricted(trx, form.staffId, form.restricted);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'staff.political_restriction',
          entityType: 'staff',
          entityId: form.staffId,
          detail: { restricted: form.restricted },
        });
      });
    },
  };
}
