import {
  AlignmentType,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import { longDate } from '../../time/london.ts';
import { WITHHELD, type ProtectedTable } from './disclosure.ts';
import { costLimit, refusalWording, type CostEstimate, type Exemption, type Outcome } from './rules.ts';

/**
 * The draft response letter (the template of seeds 000 and 004), as a plain model that both the
 * HTML preview and the .docx download render. Pure: nothing is sent.
 */
export interface LetterQuestion {
  position: number;
  text: string;
  outcome: Outcome | null;
  answer: string | null;
  advice: string | null;
  exemption: Exemption | null;
  exemptionReasons: string | null;
  /** The attached statistic, already through disclosure control. */
  table: ProtectedTable | null;
}

export interface LetterInput {
  reference: string;
  regime: 'foi' | 'eir';
  title: string;
  /** Null in the disclosure log: the requester's details are removed. */
  requesterName: string | null;
  date: string;
  questions: LetterQuestion[];
  cost: CostEstimate | null;
  /** The last day to ask for an internal review (40 working days after the response). */
  reviewBy: string;
  council: string;
  officer: string | null;
}

export interface Letter {
  reference: string;
  date: string;
  salutation: string;
  heading: string;
  intro: string[];
  answers: { number: number; question: string; paragraphs: string[]; table: ProtectedTable | null }[];
  refusal: string[];
  /** "Refusal notice (section 17)", or under the EIR "(regulation 14)". */
  refusalHeading: string;
  review: string;
  ico: string;
  licence: string;
  signOff: string[];
}

const ACT = {
  foi: 'the Freedom of Information Act 2000',
  eir: 'the Environmental Information Regulations 2004',
} as const;

export function buildLetter(i: LetterInput): Letter {
  const refusal: string[] = [];
  const answers = [...i.questions]
    .sort((a, b) => a.position - b.position)
    .map((q) => {
      const paragraphs: string[] = [];
      if (q.answer)
        paragraphs.push(
          ...q.answer
            .split(/\r?\n\s*\r?\n/)
            .map((p) => p.trim())
            .filter(Boolean),
        );
      if (q.outcome === 'not_held') {
        paragraphs.push(
          i.regime === 'eir'
            ? `${i.council} does not hold this information. This letter acts as a refusal notice under regulation 14 of ${ACT.eir} because the information is not held (regulation 12(4)(a)).`
            : `${i.council} does not hold this information. This letter acts as a refusal notice under section 17 of ${ACT.foi} because, under section 1(1) of the Act, the information is not held.`,
        );
        if (q.advice) paragraphs.push(q.advice);
        refusal.push(
          `Question ${q.position}: information not held (${i.regime === 'eir' ? 'regulation 12(4)(a)' : 'section 1(1)'}).`,
        );
      }
      if ((q.outcome === 'exempt' || q.outcome === 'partly_provided') && q.exemption) {
        if (q.exemption === 's12' && i.cost) {
          paragraphs.push(costLimit(i.cost).wording);
        } else {
          paragraphs.push(refusalWording(q.exemption, q.exemptionReasons));
        }
        refusal.push(
          `Question ${q.position}: ${refusalWording(q.exemption, null)
            .replace(/^This part of your request is refused under /, '')
            .replace(/ This letter is a refusal notice.*$/, '')
            .replace(/\.$/, '')}.`,
        );
      }
      if (q.table && q.table.suppressedCount > 0 && !q.exemption) {
        const personal =
          i.regime === 'eir'
            ? 'regulation 13 of the Regulations; this is a refusal notice under regulation 14'
            : 'section 40(2) of the Act; this is a refusal notice under section 17';
        paragraphs.push(
          `Some figures are shown as "${WITHHELD}": they are small numbers, or numbers from which a small number could be worked out, and the same mark is used for both. Releasing them could identify individuals, so they are exempt under ${personal} for those figures.`,
        );
        if (!refusal.some((r) => r.startsWith(`Question ${q.position}: small numbers`)))
          refusal.push(
            `Question ${q.position}: small numbers withheld under ${i.regime === 'eir' ? 'regulation 13' : 'section 40(2)'} (personal information).`,
          );
      }
      if (!paragraphs.length && !q.table) paragraphs.push('Not yet answered.');
      return { number: q.position, question: q.text, paragraphs, table: q.table };
    });
  return {
    reference: i.reference,
    date: longDate(i.date),
    salutation: i.requesterName ? `Dear ${i.requesterName}` : 'Dear Requester',
    heading: `${i.regime === 'eir' ? 'Environmental Information Regulations 2004' : 'Freedom of Information Act 2000'}: ${i.title}`,
    intro: [
      `Thank you for your request for information made under ${ACT[i.regime]} relating to ${i.title}.`,
      'We have answered your questions below in the order they were raised.',
    ],
    answers,
    refusal,
    refusalHeading: i.regime === 'eir' ? 'Refusal notice (regulation 14)' : 'Refusal notice (section 17)',
    review: `If you are unhappy with this response, and believe we have not complied with the legislation, you have 40 working days from the date of this response to ask for an internal review, that is by ${longDate(i.reviewBy)}. Please quote reference ${i.reference}.`,
    ico: 'If you remain dissatisfied following an internal review, you can appeal to the Information Commissioner, who oversees compliance with the Act. Details of what you need to do are on the Information Commissioner’s website: https://ico.org.uk/concerns',
    licence:
      'You may re-use the information under the Open Government Licence: https://www.nationalarchives.gov.uk/doc/open-government-licence/',
    signOff: ['Yours sincerely', i.officer ?? 'Information Governance', `${i.council}`],
  };
}

/** The letter as a Word document (.docx), written with the `docx` library. */
export async function letterDocx(l: Letter): Promise<Buffer> {
  const p = (text: string, o: { bold?: boolean; heading?: (typeof HeadingLevel)[keyof typeof HeadingLevel] } = {}) =>
    new Paragraph({ heading: o.heading, spacing: { after: 160 }, children: [new TextRun({ text, bold: o.bold })] });
  const table = (t: ProtectedTable) => {
    const header = [t.rowHeader, ...t.columns, ...(t.rows[0]?.total ? ['Total'] : [])];
    const rows = [
      header,
      ...t.rows.map((r) => [r.label, ...r.cells.map((c) => c.text), ...(r.total ? [r.total.text] : [])]),
      ...(t.columnTotals
        ? [['Total', ...t.columnTotals.map((c) => c.text), ...(t.grandTotal ? [t.grandTotal.text] : [])]]
        : []),
    ];
    return new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: rows.map(
        (cells, ri) =>
          new TableRow({
            tableHeader: ri === 0,
            children: cells.map(
              (c) =>
                new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: c, bold: ri === 0 })] })] }),
            ),
          }),
      ),
    });
  };
  const children: (Paragraph | Table)[] = [
    new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun(`Reference: ${l.reference}`)] }),
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      spacing: { after: 240 },
      children: [new TextRun(`Date: ${l.date}`)],
    }),
    p(l.salutation),
    p(l.heading, { heading: HeadingLevel.HEADING_1 }),
    ...l.intro.map((t) => p(t)),
  ];
  for (const a of l.answers) {
    children.push(p(`${a.number}. ${a.question}`, { bold: true }));
    for (const t of a.paragraphs) children.push(p(t));
    if (a.table) {
      children.push(p(a.table.title, { bold: true }));
      children.push(table(a.table));
      for (const n of a.table.notes) children.push(p(n));
    }
  }
  if (l.refusal.length) {
    children.push(p(l.refusalHeading, { heading: HeadingLevel.HEADING_2 }));
    for (const r of l.refusal) children.push(p(r));
  }
  children.push(p(l.review), p(l.ico), p(l.licence), ...l.signOff.map((t) => p(t)));
  const doc = new Document({ creator: 'Harbour', title: `${l.reference} response`, sections: [{ children }] });
  return Packer.toBuffer(doc);
}
