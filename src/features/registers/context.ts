import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AuditRepository } from '../audit/repository.ts';
import type { StaffRepository } from '../people/repository.ts';
import type { OrganisationRepository } from '../organisation/repository.ts';
import type { Actor } from '../auth/actor.ts';
import { can } from '../auth/access.ts';
import { ForbiddenError } from '../../errors.ts';
import type { RegistersRepository } from './repository.ts';
import type { RegisterFilter } from './register-sql.ts';
import {
  GIFT_KINDS,
  GIFT_RESPONSES,
  GIVER_TYPES,
  INTEREST_KINDS,
  formatPounds,
  isSeniorOfficer,
  type GiftKind,
  type GiftResponse,
  type InterestKind,
  type ReminderSchedule,
} from './rules.ts';
import { JOB_ROLES } from '../people/job-roles.ts';
import { londonToday } from '../../time/london.ts';
import type { SheetCell } from '../../web/spreadsheet.ts';
import type { ReportFilterForm } from './schema.ts';

export interface RegistersSettings extends ReminderSchedule {
  /** Published register: entries at or above this value, in pence. */
  publicationThresholdPence: number;
  /** Whether /registers/published is served at all (REGISTERS_PUBLISH; the Code does not ask for it). */
  publish?: boolean;
  /** L.1: a gift from a contractor or supplier worth more than this (pence) needs a manager's override to accept. */
  significantGiftPence?: number;
  /** The delegated manager (Appendix 1) who signs for people with nobody above them: a member of staff's email. */
  delegateEmail?: string | null;
}
export const DEFAULT_REGISTERS_SETTINGS: RegistersSettings = {
  reminderIntervalDays: 7,
  escalateAfterDays: 14,
  publicationThresholdPence: 5000,
  publish: false,
  significantGiftPence: 2500,
  delegateEmail: null,
};

export interface RegistersDeps {
  db: Kysely<DB>;
  registers: RegistersRepository;
  staff: StaffRepository;
  organisation: OrganisationRepository;
  audit: AuditRepository;
  settings?: RegistersSettings;
  now?: () => Date;
}

export const interestLabel = (k: string) => INTEREST_KINDS[k as InterestKind] ?? k;
export const giftKindLabel = (k: string) => GIFT_KINDS[k as GiftKind] ?? k;
export const responseLabel = (k: string) => GIFT_RESPONSES[k as GiftResponse] ?? k;
export const name = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`;
export const post = (jobRole: string) => (JOB_ROLES as Record<string, string>)[jobRole] ?? jobRole;
export const day = (d: Date | string | null): SheetCell =>
  d === null ? null : { date: typeof d === 'string' ? d.slice(0, 10) : londonToday(d) };

/** Who sees, signs and decides what in the registers, shared by declarations, gifts and reports. */
export function buildRegistersContext(deps: RegistersDeps) {
  const { db, registers: repo, staff, organisation, audit } = deps;
  const settings = { ...DEFAULT_REGISTERS_SETTINGS, ...deps.settings };
  const now = deps.now ?? (() => new Date());

  const viewAll = (actor: Actor) => can(actor, 'registers.view_all');

  /** The configured delegated manager (REGISTERS_DELEGATE_EMAIL), if that person is on the staff. */
  const delegate = async () =>
    settings.delegateEmail ? ((await repo.staffByEmail(settings.delegateEmail)) ?? null) : null;
  const isDelegate = async (actor: Actor) => actor.staffId !== null && (await delegate())?.id === actor.staffId;

  /** Whose entries the actor sees: everyone (registers team), or themselves and their reports (the delegate: and the top of each chain). */
  async function visibleStaff(actor: Actor): Promise<number[] | 'all'> {
    if (viewAll(actor)) return 'all';
    if (actor.staffId === null) return [];
    const top = (await isDelegate(actor)) ? await repo.topOfChain() : [];
    return [actor.staffId, ...(await staff.reports(actor.staffId)).map((r) => r.id), ...top];
  }

  /**
   * Appendix 1, "Signed (Managing Director or Delegated Manager)": the named signer of a person's
   * declarations is their line manager; at the top of a chain, the configured delegate, or else the
   * registers officer. Nobody signs their own.
   */
  async function namedSigner(staffId: number): Promise<{ id: number | null; name: string; as: string }> {
    const [first] = await staff.chain(staffId);
    if (first) return { id: first.id, name: name(first), as: 'line manager' };
    const d = await delegate();
    if (d && d.id !== staffId) return { id: d.id, name: name(d), as: 'delegated manager' };
    return { id: null, name: 'The registers officer', as: 'registers officer' };
  }

  /** Manager in the person's chain, the delegate for the top of a chain, or the registers team; never oneself. */
  async function mayDecideFor(actor: Actor, staffId: number) {
    if (actor.staffId === staffId) return false;
    if (viewAll(actor)) return true;
    if (actor.staffId === null) return false;
    const chain = await staff.chain(staffId);
    if (chain.some((c) => c.id === actor.staffId)) return true;
    return chain.length === 0 && (await isDelegate(actor));
  }

  /** H.6: a confidential interest is seen by the person, their named signer, whoever signed it, and the registers team. */
  async function seesConfidential(actor: Actor, staffId: number, signedBy: number | null) {
    if (viewAll(actor) || actor.staffId === staffId) return true;
    if (actor.staffId === null) return false;
    return signedBy === actor.staffId || (await namedSigner(staffId)).id === actor.staffId;
  }

  async function mustSee(actor: Actor, staffId: number) {
    const ids = await visibleStaff(actor);
    if (ids !== 'all' && !ids.includes(staffId))
      throw new ForbiddenError('You can only see your own entries and those of the people you manage');
  }

  const signer = (actor: Actor) => ({ staffId: actor.staffId, name: actor.displayName });

  function mustHaveStaff(actor: Actor): number {
    if (actor.staffId === null)
      throw new ForbiddenError('Only members of staff make declarations and register entries');
    return actor.staffId;
  }

  async function filterFor(actor: Actor, form: ReportFilterForm): Promise<RegisterFilter> {
    return {
      staffIds: await visibleStaff(actor),
      directorateId: form.directorateId,
      teamId: form.teamId,
      from: form.from,
      to: form.to,
    };
  }
  /** Senior managers' register: keeps only service managers and above when asked. */
  const seniorFilter = <T extends { job_role: string }>(form: ReportFilterForm, rows: T[]) =>
    form.seniorOnly ? rows.filter((r) => isSeniorOfficer(r.job_role)) : rows;

  const decorateGift = (g: Awaited<ReturnType<RegistersRepository['gifts']>>[number]) => ({
    ...g,
    kindLabel: giftKindLabel(g.kind),
    responseLabel: responseLabel(g.response),
    value: formatPounds(g.value_pence),
    person: name(g),
    giverLabel: GIVER_TYPES[g.giver_type],
  });

  return {
    db,
    repo,
    staff,
    organisation,
    audit,
    settings,
    now,
    viewAll,
    delegate,
    isDelegate,
    visibleStaff,
    namedSigner,
    mayDecideFor,
    seesConfidential,
    mustSee,
    signer,
    mustHaveStaff,
    filterFor,
    seniorFilter,
    decorateGift,
  };
}

export type RegistersContext = ReturnType<typeof buildRegistersContext>;
