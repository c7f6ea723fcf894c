import { parse } from 'csv-parse';
import type { Row } from 'exceljs';
import type { Readable } from 'node:stream';

/** One data row: its line in the file (header = 1) and its cells by header name. */
export interface SourceRow {
  line: number;
  values: Record<string, string>;
  /** Cells that could not be read as text (an XLSX error value, a formula with no cached result). */
  problems?: { column: string; message: string }[];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A primitive as text; anything else as JSON. */
const scalar = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
      ? value.toString()
      : (JSON.stringify(value) ?? '');

/**
 * Excel keeps numbers as IEEE doubles and shows at most 15 significant digits: `=1.1*3` is stored
 * 3.3000000000000003 and shown 3.3. Cells are read as Excel shows them, in plain notation
 * (no exponent, no grouping), so decimal validation sees what the user saw.
 */
const EXCEL_NUMBER = new Intl.NumberFormat('en-US', {
  useGrouping: false,
  maximumSignificantDigits: 15,
});

/** A number cell as Excel shows it (15 significant digits, plain notation): 3.3000000000000003 → "3.3". */
export const excelNumberText = (value: number): string =>
  Number.isFinite(value) ? EXCEL_NUMBER.format(value).replace(/^-0$/, '0') : String(value);

/** A date cell: `2026-01-15` when it has no time of day, else the ISO instant (UTC). */
const excelDateText = (value: Date): string => {
  const iso = value.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
};

type CellText = { text: string } | { problem: string };

/**
 * XLSX strings escape characters XML cannot hold as `_xHHHH_` (ECMA-376 ST_Xstring; `_x005F_` is a
 * literal underscore): Excel saves a cell holding U+0007 as `_x0007_`. Decoded here, so the cell
 * reads as Excel shows it and the control-character rule sees the real character.
 */
const unescapeXlsx = (text: string): string =>
  text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/**
 * The text of one XLSX cell value as exceljs reads it: strings as they are; numbers as Excel shows
 * them; booleans `true`/`false`; dates `YYYY-MM-DD` (or an ISO instant); rich text and hyperlinks
 * as their text; formulas as their cached result. An error value (`#DIV/0!`) or a formula without
 * a cached result is a problem reported on the cell, never a silent guess.
 */
export const cellText = (value: unknown): CellText => {
  if (value === null || value === undefined) return { text: '' };
  if (value instanceof Date) return { text: excelDateText(value) };
  if (typeof value === 'number') return { text: excelNumberText(value) };
  if (typeof value === 'object') {
    const cell = value as {
      text?: unknown;
      result?: unknown;
      formula?: unknown;
      sharedFormula?: unknown;
      richText?: { text: string }[];
      error?: unknown;
    };
    if (cell.richText) return { text: unescapeXlsx(cell.richText.map((r) => r.text).join('')) };
    if (cell.error !== undefined)
      return { problem: `the cell holds the error ${scalar(cell.error)}` };
    if (cell.formula !== undefined || cell.sharedFormula !== undefined) {
      if (cell.result === undefined || cell.result === null)
        return {
          problem:
            'the formula has no saved result: open the file in a spreadsheet and save it again',
        };
      return cellText(cell.result);
    }
    if (cell.text !== undefined) return cellText(cell.text);
    if (cell.result !== undefined) return cellText(cell.result);
    return { text: JSON.stringify(value) };
  }
  return { text: typeof value === 'string' ? unescapeXlsx(value) : scalar(value) };
};

/** Streams CSV rows (RFC 4180, UTF-8, optional BOM) keyed by the header row. */
export async function* csvRows(stream: Readable): AsyncGenerator<SourceRow> {
  const parser = stream.pipe(
    parse({
      bom: true,
      columns: false,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }),
  );
  let header: string[] | undefined;
  for await (const record of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    if (!header) {
      header = record.record.map((h) => h.trim());
      continue;
    }
    const values: Record<string, string> = {};
    header.forEach((name, i) => (values[name] = record.record[i] ?? ''));
    yield { line: record.info.lines, values };
  }
}

/**
 * Streams the rows of the first worksheet of an XLSX file (never loading the whole workbook).
 * exceljs (~220 modules) is loaded on the first XLSX file, not with the app (see `loadExcel`).
 */
export async function* xlsxRows(stream: Readable): AsyncGenerator<SourceRow> {
  const ExcelJS = await loadExcel();
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache', // number formats tell dates from numbers
    worksheets: 'emit',
  });
  for await (const worksheet of workbook) {
    let header: string[] | undefined;
    for await (const row of worksheet as AsyncIterable<Row>) {
      const cells = (row.values as unknown[]).slice(1).map(cellText);
      if (!header) {
        header = cells.map((c) => ('text' in c ? c.text.trim() : ''));
        continue;
      }
      if (cells.every((c) => 'text' in c && c.text === '')) continue;
      const values: Record<string, string> = {};
      const problems: { column: string; message: string }[] = [];
      header.forEach((name, i) => {
        const cell = cells[i] ?? { text: '' };
        if ('text' in cell) values[name] = cell.text;
        else {
          values[name] = '';
          problems.push({ column: name, message: cell.problem });
        }
      });
      yield { line: row.number, values, ...(problems.length ? { problems } : {}) };
    }
    return; // the first worksheet only
  }
}

/** Quotes a CSV field when it needs it (RFC 4180). */
export const csvField = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : scalar(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
export const csvLine = (values: unknown[]): string => `${values.map(csvField).join(',')}\n`;

/**
 * A field for `COPY ... (FORMAT csv)`: PostgreSQL reads an *unquoted* empty field as NULL and a
 * *quoted* one as the empty string, so every non-null value is quoted and only null/undefined is
 * left bare. This keeps `''` and NULL distinct in every staging table (an empty description is
 * `''`, never a NULL that breaks a NOT NULL column).
 */
export const copyField = (value: unknown): string =>
  value === null || value === undefined ? '' : `"${scalar(value).replace(/"/g, '""')}"`;
export const copyLine = (values: readonly unknown[]): string =>
  `${values.map(copyField).join(',')}\n`;

/**
 * exceljs, required on first use: only an XLSX import or export needs it, and loading it with the
 * app cost every process (and every e2e test file) ~220 modules; the first XLSX job pays it once.
 */
export const loadExcel = async (): Promise<typeof import('exceljs')> => import('exceljs');
