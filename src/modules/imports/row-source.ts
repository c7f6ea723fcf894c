import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { Readable } from 'node:stream';

/** One data row: its line in the file (header = 1) and its cells by header name. */
export interface SourceRow {
  line: number;
  values: Record<string, string>;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A primitive as text; anything else as JSON. */
const scalar = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
      ? value.toString()
      : (JSON.stringify(value) ?? '');

const cellText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const rich = value as { text?: unknown; result?: unknown; richText?: { text: string }[] };
    if (rich.richText) return rich.richText.map((r) => r.text).join('');
    if (rich.text !== undefined) return cellText(rich.text);
    if (rich.result !== undefined) return cellText(rich.result);
    return JSON.stringify(value);
  }
  return scalar(value);
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

/** Streams the rows of the first worksheet of an XLSX file (never loading the whole workbook). */
export async function* xlsxRows(stream: Readable): AsyncGenerator<SourceRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
  });
  for await (const worksheet of workbook) {
    let header: string[] | undefined;
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      const cells = (row.values as unknown[]).slice(1).map(cellText);
      if (!header) {
        header = cells.map((h) => h.trim());
        continue;
      }
      if (cells.every((c) => c === '')) continue;
      const values: Record<string, string> = {};
      header.forEach((name, i) => (values[name] = cells[i] ?? ''));
      yield { line: row.number, values };
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
