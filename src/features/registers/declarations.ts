import type { Actor } from '../auth/actor.ts';
import { actorFields } from '../audit/service.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import { INTEREST_KINDS, declarationYear, formatPounds, isConfidential, lectureFeeKept } from './rules.ts';
import type { DeclarationForm, InterestForm } from './schema.ts';
import { interestLabel, type RegistersContext } from './context.ts';

/** Annual declarations of interests: made, added to, signed off by the named signer. */
export function buildDeclarations(ctx: RegistersContext) {
  const {
    db,
    repo,
    audit,
    now,
    viewAll,
    visibleStaff,
    namedSigner,
    mayDecideFor,
    seesConfidential,
    mustSee,
    signer,
    mustHaveStaff,
    decorateGift,
  } = ctx;
  return {
    /** The registers home: my declaration this year, my entries, what awaits my action. */
    async overview(actor: Actor) {
      const year = declarationYear(now());
      const ids = await visibleStaff(actor);
      const me = actor.staffId === null ? null : await repo.person(actor.staffId);
      const [declarations, gifts] = await Promise.all([
        repo.declarations({ staffIds: ids }),
        repo.gifts({ staffIds: ids }),
      ]);
      const mine = declarations.filter((d) => d.staff_id === actor.staffId);
      const others = declarations.filter((d) => d.staff_id !== actor.staffId);
      return {
        year,
        me,
        declaredThisYear: mine.some((d) => d.year === year),
        myDeclarations: mine,
        myGifts: gifts.filter((g) => g.staff_id === actor.staffId).map(decorateGift),
        awaitingDeclarations: others.filter((d) => d.awaiting_action > 0 || !d.signed_off_at),
        awaitingGifts: gifts.filter((g) => g.staff_id !== actor.staffId && g.status === 'pending').map(decorateGift),
        viewAll: viewAll(actor),
        staffChoices: viewAll(actor) ? await repo.activeStaff() : [],
      };
    },

    async newDeclaration(actor: Actor) {
      const staffId = mustHaveStaff(actor);
      const year = declarationYear(now());
      const [me, suppliers, existing] = await Promise.all([
        repo.person(staffId),
        repo.suppliers(),
        repo.declarationFor(staffId, year),
      ]);
      return { me, year, kinds: INTEREST_KINDS, suppliers, existing: existing?.id ?? null };
    },

    /** One declaration per person per year: a change of circumstances is added to it. */
    async declare(actor: Actor, form: DeclarationForm) {
      const staffId = mustHaveStaff(actor);
      const year = declarationYear(now());
      const already = () =>
        new ValidationError([
          {
            field: 'declaration',
            message: `You have already made your declaration for ${year}: add any new interest to it from the registers page`,
          },
        ]);
      if (await repo.declarationFor(staffId, year)) throw already();
      if (form.interest?.supplierId && !(await repo.suppliers()).some((s) => s.id === form.interest!.supplierId))
        throw new ValidationError([{ field: 'supplierId', message: 'Select a contractor or supplier from the list' }]);
      return inTransaction(db, async (trx) => {
        const id = await repo.createDeclaration(trx, {
          staffId,
          year,
          noConflict: form.interest === null,
          accountId: actor.accountId,
        });
        if (form.interest) await repo.addInterest(trx, id, form.interest);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'declaration.make',
          entityType: 'interest_declaration',
          entityId: id,
          detail: { year, noConflict: form.interest === null, kind: form.interest?.kind ?? null },
        });
        return id;
      }).catch((e: unknown) => {
        if ((e as { code?: string }).code === '23505') throw already();
        throw e;
      });
    },

    async declaration(actor: Actor, id: number) {
      const d = await repo.declaration(id);
      if (!d) throw new NotFoundError('Declaration');
      await mustSee(actor, d.staff_id);
      const [person, all, canSignOff, signer, suppliers] = await Promise.all([
        repo.person(d.staff_id),
        repo.interests(id),
        mayDecideFor(actor, d.staff_id),
        namedSigner(d.staff_id),
        repo.suppliers(),
      ]);
      const interests = [];
      for (const i of all)
        if (!isConfidential(i.kind) || (await seesConfidential(actor, d.staff_id, i.signed_off_by))) interests.push(i);
      return {
        declaration: d,
        person,
        isOwn: actor.staffId === d.staff_id,
        canSignOff,
        signer,
        suppliers,
        interests: interests.map((i) => ({
          ...i,
          kindLabel: interestLabel(i.kind),
          confidential: isConfidential(i.kind),
          lectureFee: i.lecture_fee_pence === null ? null : formatPounds(i.lecture_fee_pence),
          feeKept:
            i.lecture_fee_pence === null || i.lecture_in_council_time === null
              ? null
              : formatPounds(lectureFeeKept(i.lecture_fee_pence, i.lecture_in_council_time)),
        })),
        hiddenConfidential: all.length - interests.length,
        /** H.5: an interest in a contractor in a live tender. */
        tenderWarnings: interests.filter((i) => i.live_tender).map((i) => i.supplier_name!),
        canSignDeclaration: canSignOff && d.signed_off_at === null,
        kinds: INTEREST_KINDS,
      };
    },

    /** Circumstances changed: another interest on one's own declaration. */
    async addInterest(actor: Actor, declarationId: number, form: InterestForm) {
      const d = await repo.declaration(declarationId);
      if (!d) throw new NotFoundError('Declaration');
      if (d.staff_id !== actor.staffId)
        throw new ForbiddenError('Only the person who made the declaration can add to it');
      if (form.supplierId && !(await repo.suppliers()).some((s) => s.id === form.supplierId))
        throw new ValidationError([{ field: 'supplierId', message: 'Select a contractor or supplier from the list' }]);
      await inTransaction(db, async (trx) => {
        const id = await repo.addInterest(trx, declarationId, form);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'declaration.add_interest',
          entityType: 'interest_declaration',
          entityId: declarationId,
          detail: { interestId: id, kind: form.kind },
        });
      });
    },

    /** The manager records the management action to prevent a conflict of interest, and signs it off. */
    async signOff(actor: Actor, declarationId: number, interestId: number, action: string) {
      const d = await repo.declaration(declarationId);
      if (!d) throw new NotFoundError('Declaration');
      if (!(await mayDecideFor(actor, d.staff_id)))
        throw new ForbiddenError('Only the person’s manager, or the registers team, can sign off a declaration');
      const interest = (await repo.interests(declarationId)).find((i) => i.id === interestId);
      if (!interest) throw new NotFoundError('Interest');
      if (interest.signed_off_at)
        throw new ValidationError([
          { field: `action-${interestId}`, message: 'This interest has already been signed off' },
        ]);
      if (isConfidential(interest.kind) && !(await seesConfidential(actor, d.staff_id, null)))
        throw new NotFoundError('Interest');
      await inTransaction(db, async (trx) => {
        await repo.signOff(trx, interestId, action, signer(actor));
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'declaration.sign_off',
          entityType: 'interest_declaration',
          entityId: declarationId,
          detail: { interestId },
        });
      });
    },

    /** Appendix 1: the manager (or delegate) signs the whole declaration, a nil one too, once each interest has its management action. */
    async signDeclaration(actor: Actor, declarationId: number) {
      const d = await repo.declaration(declarationId);
      if (!d) throw new NotFoundError('Declaration');
      if (!(await mayDecideFor(actor, d.staff_id)))
        throw new ForbiddenError(
          'Only the person’s manager, the delegated manager or the registers team can sign a declaration',
        );
      if (d.signed_off_at)
        throw new ValidationError([{ field: 'confirm', message: 'This declaration has already been signed' }]);
      const open = (await repo.interests(declarationId)).filter((i) => !i.signed_off_at);
      if (open.length)
        throw new ValidationError([
          {
            field: 'confirm',
            message: `Record the management action for each interest before you sign the declaration (${open.length} still to do)`,
          },
        ]);
      await inTransaction(db, async (trx) => {
        if (!(await repo.signDeclaration(trx, declarationId, signer(actor))))
          throw new ValidationError([{ field: 'confirm', message: 'This declaration has already been signed' }]);
        await audit.appendIn(trx, {
          ...actorFields(actor),
          action: 'declaration.sign',
          entityType: 'interest_declaration',
          entityId: declarationId,
          detail: { noConflict: d.no_conflict },
        });
      });
    },
  };
}
