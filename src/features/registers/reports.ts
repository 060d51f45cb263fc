import type { Actor } from '../auth/actor.ts';
import { NotFoundError } from '../../errors.ts';
import { inTransaction } from '../../db/transaction.ts';
import {
  GIVER_TYPES,
  declarationYear,
  formatPounds,
  isConfidential,
  publishable,
  publishedDecision,
  remindersDue,
  valueBand,
} from './rules.ts';
import type { SheetCell } from '../../web/spreadsheet.ts';
import type { ReportFilterForm } from './schema.ts';
import { interestLabel, giftKindLabel, responseLabel, name, post, day, type RegistersContext } from './context.ts';

/** Reports and spreadsheets for the registers team, the published register, and the daily reminders. */
export function buildRegisterReports(ctx: RegistersContext) {
  const { db, repo, organisation, settings, now, viewAll, delegate, filterFor, seniorFilter, decorateGift } = ctx;
  return {
    // ---- Reports ----
    async report(actor: Actor, form: ReportFilterForm) {
      const filter = { ...(await filterFor(actor, form)), includeConfidential: true };
      const [declarations, all, gifts, directorates, teams, d] = await Promise.all([
        repo.declarations(filter),
        repo.interestRows(filter),
        repo.gifts(filter),
        organisation.directorates(),
        organisation.teams('all'),
        delegate(),
      ]);
      // H.6: a confidential interest only for the person, their signing manager (or whoever signed it) and the registers team.
      const me = actor.staffId;
      const interests = all.filter(
        (r) =>
          !isConfidential(r.kind) ||
          viewAll(actor) ||
          (me !== null &&
            (r.staff_id === me ||
              r.line_manager_id === me ||
              r.signed_off_by === me ||
              (r.line_manager_id === null && d?.id === me))),
      );
      return {
        declarations,
        interests: seniorFilter(form, interests).map((i) => ({
          ...i,
          kindLabel: interestLabel(i.kind),
          person: name(i),
        })),
        gifts: seniorFilter(form, gifts).map(decorateGift),
        directorates,
        teams,
      };
    },
    /** The declarations export: typed cells, posts in words; H.6 interests are never in it. */
    async interestsTable(actor: Actor, form: ReportFilterForm): Promise<SheetCell[][]> {
      const rows = seniorFilter(
        form,
        await repo.interestRows({ ...(await filterFor(actor, form)), includeConfidential: false }),
      );
      return [
        [
          'Name',
          'Post',
          'Team',
          'Directorate',
          'Year',
          'Declared',
          'Interest',
          'Description',
          'Contractor or supplier',
          'Contract',
          'Lecture fee',
          'Consent needed',
          'Consent reference',
          'Management action',
          'Signed off by',
          'Signed off',
          'Declaration signed by',
          'Declaration signed',
        ],
        ...rows.map((r) => [
          name(r),
          post(r.job_role),
          r.team_name ?? '',
          r.directorate_name ?? '',
          r.year,
          day(r.declared_at),
          interestLabel(r.kind),
          r.description,
          r.supplier_name ?? '',
          r.contract ?? '',
          r.lecture_fee_pence === null ? null : { gbp: r.lecture_fee_pence / 100 },
          r.consent_needed,
          r.consent_reference ?? '',
          r.management_action ?? '',
          r.signed_off_name ?? '',
          day(r.signed_off_at),
          r.declaration_signed_by ?? '',
          day(r.declaration_signed_at),
        ]),
      ];
    },
    async giftsTable(actor: Actor, form: ReportFilterForm): Promise<SheetCell[][]> {
      const rows = seniorFilter(form, await repo.gifts(await filterFor(actor, form)));
      return [
        [
          'Name',
          'Post',
          'Team',
          'Directorate',
          'Type',
          'Offered on',
          'Event date',
          'Description',
          'Offered by',
          'Giver',
          'Contractor or supplier',
          'Live tender',
          'Estimated value',
          'Response',
          'Refusal letter',
          'Authorised in advance by',
          'Recorded late',
          'Reason',
          'Needs override (L.1)',
          'Override reason',
          'Decision',
          'Decided by',
        ],
        ...rows.map((r) => [
          name(r),
          post(r.job_role),
          r.team_name ?? '',
          r.directorate_name ?? '',
          giftKindLabel(r.kind),
          day(r.offered_on),
          day(r.event_on),
          r.description,
          r.offered_by,
          GIVER_TYPES[r.giver_type],
          r.supplier_name ?? '',
          r.live_tender,
          { gbp: r.value_pence / 100 },
          responseLabel(r.response),
          r.refusal_letter ?? '',
          r.authorised_by_name ?? '',
          r.late,
          r.reason,
          r.needs_override,
          r.override_reason ?? '',
          r.status,
          r.decided_by_name ?? '',
        ]),
      ];
    },

    /**
     * The published register (only when REGISTERS_PUBLISH is on): senior officers' decided gifts and
     * hospitality at or above the threshold, never from a client or a private individual. Name, post,
     * type, value band and decision: nothing else.
     */
    async published() {
      if (!settings.publish) throw new NotFoundError('Page');
      const rows = await repo.gifts({ staffIds: 'all' });
      return {
        threshold: formatPounds(settings.publicationThresholdPence),
        entries: rows
          .filter((r) => publishable(r, settings.publicationThresholdPence))
          .map((r) => ({
            name: name(r),
            post: post(r.job_role),
            kind: giftKindLabel(r.kind),
            valueBand: valueBand(r.value_pence),
            decision: publishedDecision(r),
          })),
      };
    },

    /** The daily job: remind those who have not declared this year; tell their manager after the set days. */
    async sendReminders() {
      const at = now();
      const year = declarationYear(at);
      const people = await repo.undeclared(year);
      let reminders = 0,
        escalations = 0;
      for (const p of people) {
        const due = remindersDue(at, { sent: p.sent, hasManager: p.line_manager_id !== null }, settings);
        if (!due.length) continue;
        await inTransaction(db, async (trx) => {
          for (const kind of due) {
            if (kind === 'reminder') {
              await repo.recordReminder(trx, {
                staffId: p.id,
                year,
                kind,
                recipientId: p.id,
                at,
                link: '/registers/declarations/new',
                subject: `Make your ${year} declaration of interests`,
                body: `You have not yet made your annual declaration of interests for ${year} (Kent Code H.1). Declare any interests, or confirm you have no conflict of interest.`,
              });
              reminders++;
            } else {
              await repo.recordReminder(trx, {
                staffId: p.id,
                year,
                kind,
                recipientId: p.line_manager_id!,
                at,
                link: '/registers',
                subject: `${name(p)} has not made their ${year} declaration of interests`,
                body: `${name(p)} has been reminded but has not yet made their annual declaration of interests for ${year}. Please follow this up with them.`,
              });
              escalations++;
            }
          }
        });
      }
      return { reminders, escalations };
    },
  };
}
