import type { RowError } from '../people/import-staff.ts';
import { parseImportFile } from '../imports/file.ts';
import { importDate, londonDate } from '../../time/london.ts';
import { COMPLAINT_COLUMNS, COMPLAINT_TEMPLATE } from './import-template.ts';

export { importDate };
import {
  ACTION_KINDS,
  ALLEGATION_CATEGORIES,
  CHANNELS,
  COMPLAINANT_TYPES,
  DISCIPLINARY_OUTCOMES,
  FINDINGS,
  PROCEDURES,
  REFERRAL_BODIES,
  type ActionKind,
  type DisciplinaryOutcome,
  type Finding,
  type ReferralBody,
} from './rules.ts';

export { COMPLAINT_COLUMNS, COMPLAINT_TEMPLATE };
const REQUIRED = ['received_on', 'complainant_type', 'staff_employee_numbers', 'allegations'];

export interface ComplaintImportRow {
  line: number;
  reference: string | null;
  receivedOn: string;
  procedure: string;
  channel: string;
  complainantType: string;
  complainantName: string | null;
  household: string | null;
  teamId: number | null;
  serviceId: number | null;
  staffIds: number[];
  categories: string[];
  summary: string | null;
  matterOn: string | null;
  lateReason: string | null;
  stageReached: number | null;
  outcome: Finding | null;
  withdrawnOn: string | null;
  withdrawnReason: string | null;
  notInvestigatedOn: string | null;
  notInvestigatedReason: string | null;
  closedOn: string | null;
  disciplinaryOutcome: DisciplinaryOutcome | null;
  disciplinaryOutcomeOn: string | null;
  /** Per named member of staff: the outcome of a disciplinary investigation (`disciplinary_outcomes`). */
  disciplinaryOutcomes: { staffId: number; outcome: DisciplinaryOutcome; on: string }[];
  actions: ActionKind[];
  referrals: { body: ReferralBody; referredOn: string; decision: string | null; decidedOn: string | null }[];
}

export interface ComplaintImportContext {
  /** Upper-cased employee number → staff id. */
  staff: Map<string, number>;
  /** Lower-cased team name → team. */
  teams: Map<string, { id: number; serviceId: number }>;
  /** References already in Harbour (upper case), refused in the same report as every other problem. */
  references?: Set<string>;
  /** Today in London: no date may be after it (the form and the incidents import refuse one too). */
  today?: string;
}

/** A code (`pl_b`) or its label, case-insensitive. */
function category(v: string): string | null {
  const s = v.trim().toLowerCase();
  for (const [code, label] of Object.entries(ALLEGATION_CATEGORIES))
    if (s === code || s === label.toLowerCase()) return code;
  return null;
}
function choice<T extends string>(options: Record<T, string>, v: string): T | null {
  const s = v
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  for (const [k, label] of Object.entries(options) as [T, string][])
    if (s === k || v.trim().toLowerCase() === label.toLowerCase()) return k;
  return null;
}

/** Every row is checked before anything is written; line numbers count the header as line 1. */
export function validateComplaintImport(
  text: string,
  ctx: ComplaintImportContext,
): { rows: ComplaintImportRow[]; errors: RowError[] } {
  const { parsed, errors: fileErrors } = parseImportFile(text, REQUIRED, COMPLAINT_COLUMNS);
  if (!parsed) return { rows: [], errors: fileErrors };

  const errors: RowError[] = [];
  const rows: ComplaintImportRow[] = [];
  const today = ctx.today ?? londonDate(new Date());
  const references = new Map<string, number>();
  parsed.records.forEach((record, i) => {
    const line = i + 2;
    if (record.length !== parsed.header.length) {
      errors.push({ line, message: `Expected ${parsed.header.length} values but found ${record.length}` });
      return;
    }
    const get = (c: string) => (record[parsed.header.indexOf(c)] ?? '').trim();
    const err = (message: string) => errors.push({ line, message });
    const before = errors.length;
    const date = (c: string, required = false) => {
      const v = get(c);
      if (!v) {
        if (required) err(`${c} is missing`);
        return null;
      }
      const d = importDate(v);
      if (!d) err(`${c} "${v}" is not a date (use YYYY-MM-DD or DD/MM/YYYY)`);
      else if (d > today) err(`${c} ${d} must not be in the future`);
      return d;
    };
    const text = (c: string, max = 2000) => {
      const v = get(c);
      if (v.length > max) err(`${c} must be ${max} characters or fewer`);
      return v || null;
    };
    const reference = text('reference', 50);
    if (reference) {
      const seen = references.get(reference.toUpperCase());
      if (ctx.references?.has(reference.toUpperCase())) err(`reference ${reference} is already in Harbour`);
      else if (seen) err(`reference ${reference} appears more than once (also on line ${seen})`);
      references.set(reference.toUpperCase(), line);
    }
    const receivedOn = date('received_on', true);
    const procedure = get('procedure') ? choice(PROCEDURES, get('procedure')) : 'statutory_children';
    if (!procedure) err(`procedure "${get('procedure')}" must be one of ${Object.keys(PROCEDURES).join(', ')}`);
    const channel = get('channel') ? choice(CHANNELS, get('channel')) : 'other';
    if (!channel) err(`channel "${get('channel')}" must be one of ${Object.keys(CHANNELS).join(', ')}`);
    const complainantType = choice(COMPLAINANT_TYPES, get('complainant_type'));
    if (!get('complainant_type')) err('complainant_type is missing');
    else if (!complainantType)
      err(`complainant_type "${get('complainant_type')}" must be one of ${Object.keys(COMPLAINANT_TYPES).join(', ')}`);
    const teamName = get('team');
    const team = teamName ? (ctx.teams.get(teamName.toLowerCase()) ?? null) : null;
    if (teamName && !team) err(`team "${teamName}" does not exist`);
    const numbers = get('staff_employee_numbers')
      .split(/[;,]/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (!numbers.length) err('staff_employee_numbers is missing');
    const staffIds: number[] = [];
    for (const n of numbers) {
      const id = ctx.staff.get(n.toUpperCase());
      if (id === undefined) err(`employee ${n} is not in Harbour`);
      else if (!staffIds.includes(id)) staffIds.push(id);
    }
    const cats = get('allegations')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!cats.length) err('allegations is missing');
    const categories: string[] = [];
    for (const c of cats) {
      const code = category(c);
      if (!code) err(`allegation "${c}" is not a recognised category`);
      else if (!categories.includes(code)) categories.push(code);
    }
    const stageText = get('stage_reached');
    const stageReached = stageText ? Number(stageText) : null;
    if (stageText && ![1, 2, 3].includes(stageReached!)) err('stage_reached must be 1, 2 or 3');
    const outcome = get('outcome') ? choice(FINDINGS, get('outcome')) : null;
    if (get('outcome') && !outcome) err(`outcome "${get('outcome')}" must be upheld, partially_upheld or not_upheld`);
    const disciplinaryOutcome = get('disciplinary_outcome')
      ? choice(DISCIPLINARY_OUTCOMES, get('disciplinary_outcome'))
      : null;
    if (get('disciplinary_outcome') && !disciplinaryOutcome)
      err(`disciplinary_outcome "${get('disciplinary_outcome')}" must be none, warning, final_warning or dismissal`);
    const disciplinaryOutcomeOn = date('disciplinary_outcome_on');
    if (get('disciplinary_outcome') && !get('disciplinary_outcome_on'))
      err('disciplinary_outcome_on is needed with a disciplinary_outcome');
    // Several per row: entries separated by ';', parts of an entry by '|'.
    const entries = (c: string) =>
      get(c)
        .split(';')
        .map((e) => e.trim())
        .filter(Boolean)
        .map((e) => e.split('|').map((p) => p.trim()));
    const partDate = (c: string, v: string | undefined, what: string) => {
      if (!v) return null;
      const d = importDate(v);
      if (!d) err(`${c}: ${what} "${v}" is not a date (use YYYY-MM-DD or DD/MM/YYYY)`);
      else if (d > today) err(`${c}: ${what} ${d} must not be in the future`);
      return d;
    };
    const disciplinaryOutcomes: ComplaintImportRow['disciplinaryOutcomes'] = [];
    for (const [number, outcomeText, on] of entries('disciplinary_outcomes')) {
      const staffId = number ? ctx.staff.get(number.toUpperCase()) : undefined;
      if (!number || staffId === undefined)
        err(`disciplinary_outcomes: employee ${number || '(blank)'} is not in Harbour`);
      else if (!numbers.some((n) => n.toUpperCase() === number.toUpperCase()))
        err(`disciplinary_outcomes: employee ${number} is not named in staff_employee_numbers`);
      const outcomeCode = outcomeText ? choice(DISCIPLINARY_OUTCOMES, outcomeText) : null;
      if (!outcomeCode)
        err(
          `disciplinary_outcomes: outcome "${outcomeText ?? ''}" for ${number} must be none, warning, final_warning or dismissal`,
        );
      const onDate = partDate('disciplinary_outcomes', on, `date for ${number}`);
      if (!on) err(`disciplinary_outcomes: the date for ${number} is missing (employee|outcome|date)`);
      if (staffId !== undefined && disciplinaryOutcomes.some((d) => d.staffId === staffId))
        err(`disciplinary_outcomes: employee ${number} appears more than once`);
      if (staffId !== undefined && outcomeCode && onDate)
        disciplinaryOutcomes.push({ staffId, outcome: outcomeCode, on: onDate });
    }
    if (get('disciplinary_outcome') && get('disciplinary_outcomes'))
      err('use disciplinary_outcome or disciplinary_outcomes, not both');
    const actions: ActionKind[] = [];
    for (const [kind] of entries('actions')) {
      const code = kind ? choice(ACTION_KINDS, kind) : null;
      if (!code)
        err(
          `actions: "${kind}" must be one of ${Object.keys(ACTION_KINDS)
            .filter((k) => k !== 'disciplinary_investigation')
            .join(', ')}`,
        );
      else if (code === 'disciplinary_investigation')
        err('actions: record a disciplinary investigation in disciplinary_outcomes, with its outcome');
      else if (!actions.includes(code)) actions.push(code);
    }
    const referrals: ComplaintImportRow['referrals'] = [];
    for (const [bodyText, referred, decision, decided] of entries('referrals')) {
      const body = bodyText ? choice(REFERRAL_BODIES, bodyText) : null;
      if (!body)
        err(
          `referrals: "${bodyText ?? ''}" must be one of ${Object.keys(REFERRAL_BODIES).join(', ')} (body|referred_on|decision|decided_on)`,
        );
      const referredOn = partDate('referrals', referred, 'referred_on');
      if (!referred)
        err(`referrals: the date referred to ${bodyText} is missing (body|referred_on|decision|decided_on)`);
      const decidedOn = partDate('referrals', decided, 'decided_on');
      if (decision && decision.length > 2000) err('referrals: a decision must be 2000 characters or fewer');
      if (decided && !decision) err('referrals: a decided_on needs the decision');
      if (referredOn && decidedOn && decidedOn < referredOn) err('referrals: decided_on is before referred_on');
      if (body && referredOn) referrals.push({ body, referredOn, decision: decision || null, decidedOn });
    }
    const withdrawnOn = date('withdrawn_on');
    const notInvestigatedOn = date('not_investigated_on');
    const closedOn = date('closed_on');
    const matterOn = date('matter_on');
    if (withdrawnOn && notInvestigatedOn) err('a complaint cannot be both withdrawn and not investigated');
    if ((withdrawnOn || notInvestigatedOn) && outcome) err('a withdrawn or uninvestigated complaint has no outcome');
    for (const [c, v] of [
      ['withdrawn_on', withdrawnOn],
      ['not_investigated_on', notInvestigatedOn],
      ['closed_on', closedOn],
    ] as const) {
      if (v && receivedOn && v < receivedOn) err(`${c} is before received_on`);
    }
    const row = {
      line,
      reference,
      receivedOn: receivedOn!,
      procedure: procedure!,
      channel: channel!,
      complainantType: complainantType!,
      complainantName: text('complainant_name', 200),
      household: text('household', 200),
      teamId: team?.id ?? null,
      serviceId: team?.serviceId ?? null,
      staffIds,
      categories,
      summary: text('summary', 5000),
      matterOn,
      lateReason: text('late_reason'),
      stageReached,
      outcome,
      withdrawnOn,
      withdrawnReason: text('withdrawn_reason'),
      notInvestigatedOn,
      notInvestigatedReason: text('not_investigated_reason'),
      closedOn,
      disciplinaryOutcome,
      disciplinaryOutcomeOn,
      disciplinaryOutcomes,
      actions,
      referrals,
    };
    if (errors.length === before) rows.push(row);
  });
  return { rows, errors };
}
