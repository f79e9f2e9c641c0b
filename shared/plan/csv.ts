/**
 * CSV as technicians get it: RFC 4180 quoting (`"a ""b"""`, separators and line breaks inside quotes), a UTF-8
 * byte-order mark from Excel, CRLF / LF / CR line ends, and `;` (or tab) separators from spreadsheets set to a
 * locale that writes decimal commas. The separator is detected from the header row. Pure; input is hostile:
 * every problem is reported as a value with its spreadsheet row, and parsing goes on to find the others.
 */

export type CsvSeparator = ',' | ';' | '\t';

export interface CsvRecord {
  /** Spreadsheet row: 1 is the header. A quoted line break does not start a new row. */
  row: number;
  fields: string[];
}

export interface CsvError {
  row: number;
  /** 1-based field number, or null for the whole row. */
  field: number | null;
  code: 'CSV_EMPTY' | 'CSV_UNTERMINATED_QUOTE' | 'CSV_QUOTE_IN_FIELD' | 'CSV_TEXT_AFTER_QUOTE' | 'CSV_TOO_LARGE';
  message: string;
}

export interface CsvTable {
  separator: CsvSeparator;
  /** Every record, blank rows included (a blank row is one empty field), the header first. */
  records: CsvRecord[];
  errors: CsvError[];
}

/** 4 MiB of text or 100,000 rows: a fleet plan is far smaller; a bigger file is a mistake (or an attack). */
export const CSV_MAX_CHARS = 4 * 1024 * 1024;
export const CSV_MAX_ROWS = 100_000;

const NAMES: Record<CsvSeparator, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
export const separatorName = (s: CsvSeparator) => NAMES[s];

/** The separator the first row uses most, outside quotes (`,` when it uses none or ties). */
export function detectSeparator(text: string): CsvSeparator {
  const counts: Record<CsvSeparator, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 65536; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && (c === ',' || c === ';' || c === '\t')) counts[c]++;
  }
  let best: CsvSeparator = ',';
  for (const s of [';', '\t'] as const) if (counts[s] > counts[best]) best = s;
  return best;
}

export function parseCsv(input: string): CsvTable {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const separator = detectSeparator(text);
  const records: CsvRecord[] = [];
  const errors: CsvError[] = [];
  if (text.length > CSV_MAX_CHARS) {
    errors.push({ row: 1, field: null, code: 'CSV_TOO_LARGE', message: `the file has ${text.length} characters; a plan holds at most ${CSV_MAX_CHARS}` });
    return { separator, records, errors };
  }
  if (text.trim() === '') {
    errors.push({ row: 1, field: null, code: 'CSV_EMPTY', message: 'the file is empty: the first row must name the columns' });
    return { separator, records, errors };
  }

  let row = 1;
  let fields: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  const endRecord = () => {
    fields.push(field);
    records.push({ row, fields });
    fields = [];
    field = '';
    row++;
  };
  while (i < n) {
    if (records.length >= CSV_MAX_ROWS) {
      errors.push({ row, field: null, code: 'CSV_TOO_LARGE', message: `more than ${CSV_MAX_ROWS} rows` });
      return { separator, records, errors };
    }
    const c = text[i]!;
    if (c === '"' && field === '') {
      // RFC 4180 2.5-2.7: a quoted field; "" is a quote; separators and line breaks are data.
      const startRow = row;
      const fieldNo = fields.length + 1;
      i++;
      let closed = false;
      while (i < n) {
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        field += q;
        i++;
      }
      if (!closed) {
        errors.push({ row: startRow, field: fieldNo, code: 'CSV_UNTERMINATED_QUOTE', message: 'a quoted field is never closed: the rest of the file would be one cell' });
        fields.push(field);
        records.push({ row, fields });
        return { separator, records, errors };
      }
      // After the closing quote: a separator, a line end or the end of the file.
      const after = text[i];
      if (after !== undefined && after !== separator && after !== '\r' && after !== '\n') {
        errors.push({ row: startRow, field: fieldNo, code: 'CSV_TEXT_AFTER_QUOTE', message: 'text after the closing quote: quote the whole field, and double the quotes inside it ("")' });
        // Skip to the end of the field to keep the columns in step.
        while (i < n && text[i] !== separator && text[i] !== '\r' && text[i] !== '\n') i++;
      }
      // Next: the separator, the line end or the end of the file, handled below.
      continue;
    }
    if (c === separator) {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    if (c === '"') {
      errors.push({ row, field: fields.length + 1, code: 'CSV_QUOTE_IN_FIELD', message: 'a quote inside an unquoted field: quote the whole field, and double the quotes inside it ("")' });
      while (i < n && text[i] !== separator && text[i] !== '\r' && text[i] !== '\n') i++;
      continue;
    }
    field += c;
    i++;
  }
  // The last record, unless the file ended with a line break.
  if (field !== '' || fields.length > 0 || !/[\r\n]$/.test(text)) endRecord();
  return { separator, records, errors };
}

/** One field as RFC 4180 writes it: quoted when it holds the separator, a quote, a line break or edge spaces. */
export function csvField(value: string, separator: CsvSeparator = ','): string {
  if (value === '') return '';
  const needs = value.includes(separator) || /["\r\n]/.test(value) || value.trim() !== value;
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Rows as CSV text, CRLF line ends (RFC 4180 2.1), a line end after the last row too. */
export function formatCsv(rows: readonly (readonly string[])[], separator: CsvSeparator = ','): string {
  return rows.map((r) => r.map((v) => csvField(v, separator)).join(separator) + '\r\n').join('');
}
