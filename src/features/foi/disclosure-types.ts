/** The shapes the disclosure engine (`disclosure.ts`) takes and gives: tables, their scope and cells. */

export interface Period {
  from: string;
  to: string;
}

/** Who and when a table counts: what links it to other tables from the same statistic. */
export interface Scope extends Period {
  statistic: string;
  teamId: number | null;
  serviceId: number | null;
  jobRole: string | null;
  /** Whether concerns raised by staff count (absent: they do); a table without them counts a subset. */
  staffConcerns?: boolean;
  /** The service the team (`teamId`) belongs to: a team's table counts part of its service's. */
  teamServiceId?: number | null;
}

/** A count given in the notes ("Referred to a regulator: 12 complaints in the period"). */
export interface NoteCount {
  label: string;
  value: number;
  suffix: string;
}

export interface StatTable {
  title: string;
  /** Heading over the row labels, like "Financial year". */
  rowHeader: string;
  columns: string[];
  rows: { label: string; cells: number[] }[];
  /** Show a total for each row (only when the columns add up, e.g. categories that exclude each other). */
  rowTotals: boolean;
  /** Show a total for each column (only when the rows add up). */
  columnTotals: boolean;
  /** Notes shown under the table (definitions, sources). They carry no counts: those go in `counts`. */
  notes?: string[];
  /** Counts given under the table, protected like cells. */
  counts?: NoteCount[];
  /** The dates each row counts, when rows are periods (financial years); else the whole period. */
  rowPeriods?: Period[];
  /** The dates each column counts, when columns are periods. */
  columnPeriods?: Period[];
  /** The categories each row counts (absent: its label); a merged row counts those of every row merged into it. */
  rowKeys?: string[][];
  /** The categories each column counts (absent: its label). */
  columnKeys?: string[][];
  /**
   * Figures that count each person once over their period (staff assaulted), so they do not add up
   * over days: every figure (true) or those of the columns counting these categories.
   */
  oncePerPerson?: true | string[];
}

export interface Cell {
  /** The true count; null once redacted for publication (see `redacted`). */
  value: number | null;
  /** What is published: the number, or "[c]". */
  text: string;
  /** Why it is withheld; once redacted, only "withheld", so the kind never leaves Harbour. */
  suppressed: 'primary' | 'secondary' | 'withheld' | null;
}

export interface ProtectedTable {
  title: string;
  rowHeader: string;
  columns: string[];
  rows: { label: string; cells: Cell[]; total: Cell | null }[];
  columnTotals: Cell[] | null;
  grandTotal: Cell | null;
  threshold: number;
  suppressedCount: number;
  /** The definitions, then each note count as published text, then the "[c]" footnote if any. */
  notes: string[];
  /** The note counts, protected (for the audit of later tables). */
  counts?: { label: string; suffix: string; cell: Cell }[];
  scope?: Scope | null;
  rowPeriods?: Period[] | null;
  columnPeriods?: Period[] | null;
  /**
   * The categories each row and column counts, kept so a later table can be linked to this one
   * figure by figure after either was coarsened. Absent from tables saved before they were kept:
   * each line then counts its label.
   */
  rowKeys?: string[][] | null;
  columnKeys?: string[][] | null;
  oncePerPerson?: true | string[] | null;
  /** What the intruder's audit found: the narrowest range of a withheld figure, and solver calls. */
  audit?: {
    withheld: number;
    narrowest: number | null;
    solves: number;
    linkedTables: number;
    passed?: boolean;
    /**
     * Figures, groups and differences the earlier releases already give away between them, without
     * this table (published before the audit covered them): nothing withheld here can undo them.
     */
    earlierLeaks?: number;
  };
  /** How the table was coarsened to be protected ("Financial years merged into one period"); empty when not. */
  coarsened?: string[];
}

export const DEFAULT_THRESHOLD = 4;

/** The one marker for a withheld figure. */
export const WITHHELD = '[c]';

export const footnote = (threshold: number) =>
  `${WITHHELD} Withheld to protect the people counted: either a number from 1 to ${threshold}, or a number from which one could be worked out.`;

export interface ProtectOptions {
  threshold?: number;
  scope?: Scope | null;
  /** Tables already published (or being published alongside) from any statistic; only linked ones are used. */
  prior?: ProtectedTable[];
}
