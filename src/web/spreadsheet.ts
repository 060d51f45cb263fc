import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A cell: text, a number (a float cell), a day (`{ date: 'yyyy-mm-dd' }`, a date cell), an amount in
 * pounds (`{ gbp: 12.5 }`, a currency cell), yes/no (a boolean cell) or empty.
 */
export type SheetCell = string | number | boolean | null | undefined | { date: string } | { gbp: number };

const MIMETYPE = 'application/vnd.oasis.opendocument.spreadsheet';

const xml = (text: string) =>
  text
    .replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
    // Characters XML 1.0 does not allow are dropped.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function cellXml(cell: SheetCell): string {
  if (cell === null || cell === undefined || cell === '') return '<table:table-cell/>';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell))
      return `<table:table-cell office:value-type="string"><text:p>${xml(String(cell))}</text:p></table:table-cell>`;
    return `<table:table-cell office:value-type="float" office:value="${cell}"><text:p>${cell}</text:p></table:table-cell>`;
  }
  if (typeof cell === 'boolean') {
    return `<table:table-cell office:value-type="boolean" office:boolean-value="${cell}"><text:p>${cell ? 'Yes' : 'No'}</text:p></table:table-cell>`;
  }
  if (typeof cell === 'object' && 'date' in cell) {
    if (!DAY.test(cell.date)) throw new Error(`Not a date: ${cell.date}`);
    const [y, m, d] = cell.date.split('-');
    return `<table:table-cell table:style-name="ce-date" office:value-type="date" office:date-value="${cell.date}"><text:p>${d}/${m}/${y}</text:p></table:table-cell>`;
  }
  if (typeof cell === 'object' && 'gbp' in cell) {
    const shown = `£${cell.gbp.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    return `<table:table-cell table:style-name="ce-gbp" office:value-type="currency" office:currency="GBP" office:value="${cell.gbp}"><text:p>${shown}</text:p></table:table-cell>`;
  }
  return `<table:table-cell office:value-type="string"><text:p>${xml(String(cell))}</text:p></table:table-cell>`;
}

const NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ' +
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
  'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"';

function contentXml(sheetName: string, rows: readonly (readonly SheetCell[])[]): string {
  const body = rows
    .map(
      (row, i) =>
        `<table:table-row${i === 0 ? ' table:style-name="ro-head"' : ''}>${row.map(cellXml).join('')}</table:table-row>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<office:document-content ${NS} office:version="1.2">` +
    '<office:automatic-styles>' +
    '<number:date-style style:name="N-date"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year/></number:date-style>' +
    '<number:currency-style style:name="N-gbp"><number:currency-symbol number:language="en" number:country="GB">£</number:currency-symbol><number:number number:decimal-places="2" number:min-integer-digits="1" number:grouping="true"/></number:currency-style>' +
    '<style:style style:name="ce-date" style:family="table-cell" style:data-style-name="N-date"/>' +
    '<style:style style:name="ce-gbp" style:family="table-cell" style:data-style-name="N-gbp"/>' +
    '<style:style style:name="ro-head" style:family="table-row"/>' +
    '</office:automatic-styles>' +
    `<office:body><office:spreadsheet><table:table table:name="${xml(sheetName)}">${body}</table:table></office:spreadsheet></office:body>` +
    '</office:document-content>'
  );
}

const MANIFEST =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">' +
  `<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="${MIMETYPE}"/>` +
  '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>' +
  '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>' +
  '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>' +
  '</manifest:manifest>';

const STYLES = `<?xml version="1.0" encoding="UTF-8"?><office:document-styles ${NS} office:version="1.2"/>`;
const META =
  '<?xml version="1.0" encoding="UTF-8"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ' +
  'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"><office:meta><meta:generator>Harbour</meta:generator></office:meta></office:document-meta>';

/** A zip (PKWARE APPNOTE 6.3) of the entries in the order given; `store` ones uncompressed, the rest deflated. */
export function zip(entries: { name: string; data: Buffer; store?: boolean }[], when = new Date()): Buffer {
  const time = ((when.getHours() << 11) | (when.getMinutes() << 5) | (when.getSeconds() >> 1)) & 0xffff;
  const date = (((when.getFullYear() - 1980) << 9) | ((when.getMonth() + 1) << 5) | when.getDate()) & 0xffff;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : deflateRawSync(e.data);
    const crc = crc32(e.data);
    const method = e.store ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // no extra field: ODF wants none on the mimetype entry
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * An OpenDocument Spreadsheet (.ods, the UK government's open standard for spreadsheets) with one
 * sheet; the first row is the header. Written directly (ODF 1.2): the `mimetype` entry first and
 * stored uncompressed (Part 3 §3.3), so `file` and other tools recognise it; numbers, days, pounds
 * and yes/no are typed cells, everything else text.
 */
export function toOds(sheetName: string, rows: readonly (readonly SheetCell[])[]): Buffer {
  return zip([
    { name: 'mimetype', data: Buffer.from(MIMETYPE, 'ascii'), store: true },
    { name: 'content.xml', data: Buffer.from(contentXml(sheetName.slice(0, 31), rows), 'utf8') },
    { name: 'styles.xml', data: Buffer.from(STYLES, 'utf8') },
    { name: 'meta.xml', data: Buffer.from(META, 'utf8') },
    { name: 'META-INF/manifest.xml', data: Buffer.from(MANIFEST, 'utf8') },
  ]);
}

/** A cell as CSV text: days as yyyy-mm-dd, pounds as "£12.50", yes/no as words. */
export function cellText(cell: SheetCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'boolean') return cell ? 'Yes' : 'No';
  if (typeof cell === 'object' && 'date' in cell) return cell.date;
  if (typeof cell === 'object' && 'gbp' in cell)
    return `£${cell.gbp.toLocaleString('en-GB', { minimumFractionDigits: cell.gbp % 1 === 0 ? 0 : 2, maximumFractionDigits: 2 })}`;
  return String(cell);
}
