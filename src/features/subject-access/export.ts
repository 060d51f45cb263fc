import { strToU8, zipSync } from 'fflate';
import nunjucks from 'nunjucks';
import { toCsv } from '../../web/csv.ts';

/**
 * One part of a subject access export: a CSV and a JSON file of the same rows. `thirdParty` names
 * the fields that may hold other people's personal data: each row where one of them has a value is
 * marked for redaction review (its `redaction_review` column lists them), never silently included
 * as if it were the subject's own.
 */
export interface Section {
  file: string;
  title: string;
  description: string;
  rows: Record<string, unknown>[];
  thirdParty: string[];
}
export interface Subject {
  kind: 'staff' | 'public';
  name: string;
  reference: string;
  requestedBy: string;
  at: Date;
}

const REVIEW = 'redaction_review';

function present(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Rows with `redaction_review`: the third-party fields that hold something. */
export function markForReview(section: Section): Record<string, unknown>[] {
  return section.rows.map((row) => {
    const review = section.thirdParty.filter((f) => present(row[f]));
    return { ...row, [REVIEW]: review };
  });
}

function cell(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join('; ');
  if (typeof v === 'object') return JSON.stringify(v);
  return v;
}

export function sectionCsv(section: Section): string {
  const marked = markForReview(section);
  const columns = [...new Set([...section.rows.flatMap((r) => Object.keys(r)), REVIEW])];
  return toCsv([columns, ...marked.map((r) => columns.map((c) => cell(r[c])))]);
}

const INDEX = new nunjucks.Environment(null, { autoescape: true });
const INDEX_TEMPLATE = `<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><title>Subject access export: {{ subject.name }}</title>
<style>body{font-family:Arial,sans-serif;max-width:60em;margin:2em auto;line-height:1.4}table{border-collapse:collapse}td,th{border:1px solid #b1b4b6;padding:.3em .6em;text-align:left}.review{background:#fff7bf}</style></head>
<body>
<h1>Subject access export: {{ subject.name }}</h1>
<p>{{ "Member of staff" if subject.kind == "staff" else "Member of the public" }}, reference {{ subject.reference }}. Exported from Harbour by {{ subject.requestedBy }} on {{ at }} (UTC).</p>
<p class="review"><strong>Before release:</strong> rows whose <code>redaction_review</code> column is not empty hold other people's personal data
(named in that column). Review each one and redact what the person is not entitled to (UK GDPR Article 15(4); Data Protection Act 2018 Schedule 2 paragraph 16) before sending.</p>
<table>
<thead><tr><th scope="col">What</th><th scope="col">Files</th><th scope="col">Records</th><th scope="col">Needing redaction review</th></tr></thead>
<tbody>
{% for s in sections %}<tr><td><strong>{{ s.title }}</strong><br>{{ s.description }}</td><td>{{ s.file }}.csv<br>{{ s.file }}.json</td><td>{{ s.count }}</td><td>{{ s.review }}{% if s.fields.length %} ({{ s.fields | join(", ") }}){% endif %}</td></tr>
{% endfor %}</tbody>
</table>
</body>
</html>
`;

/** The zip: index.html (readable), index.json, and a CSV and a JSON file per section. */
export function buildExportZip(subject: Subject, sections: Section[]): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const summary = sections.map((s) => {
    const marked = markForReview(s);
    files[`${s.file}.csv`] = strToU8(sectionCsv(s));
    files[`${s.file}.json`] = strToU8(
      JSON.stringify(
        { title: s.title, description: s.description, thirdPartyFields: s.thirdParty, records: marked },
        null,
        2,
      ),
    );
    return {
      file: s.file,
      title: s.title,
      description: s.description,
      count: s.rows.length,
      review: marked.filter((r) => (r[REVIEW] as string[]).length).length,
      fields: s.thirdParty,
    };
  });
  files['index.json'] = strToU8(
    JSON.stringify({ subject: { ...subject, at: subject.at.toISOString() }, sections: summary }, null, 2),
  );
  files['index.html'] = strToU8(
    INDEX.renderString(INDEX_TEMPLATE, {
      subject,
      sections: summary,
      at: subject.at.toISOString().replace('T', ' ').slice(0, 16),
    }),
  );
  return zipSync(files, { level: 6, mtime: subject.at });
}
