import * as XLSX from 'xlsx';

/**
 * An OpenDocument Spreadsheet (.ods, the UK government's open standard for spreadsheets) with one
 * sheet, from rows of cells; the first row is the header. Written with SheetJS; nothing is read.
 */
export function toOds(sheetName: string, rows: (string | number | null)[][]): Buffer {
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), sheetName.slice(0, 31));
  return XLSX.write(book, { type: 'buffer', bookType: 'ods' }) as Buffer;
}
