/** The filtered rows as a file: JSON lines (one BootEvent per line, as the API sends it) or CSV (RFC 4180). */
import type { BootEvent } from '../../../../../shared/model/event.ts';

export const EXPORT_FORMATS = {
  jsonl: { label: 'JSON lines', extension: 'jsonl', mime: 'application/x-ndjson' },
  csv: { label: 'CSV', extension: 'csv', mime: 'text/csv' },
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

export const CSV_COLUMNS = ['seq', 'time', 'service', 'level', 'mac', 'ip', 'message', 'fields'] as const;

/** One JSON object per line, every line ending in \n (an empty export is an empty file). */
export function toJsonLines(events: Iterable<BootEvent>): string {
  const lines: string[] = [];
  for (const e of events) lines.push(JSON.stringify(e));
  return lines.length ? lines.join('\n') + '\n' : '';
}

/**
 * One CSV cell. Quoted when it holds a comma, quote or line break (RFC 4180 2.6-2.7). Messages carry paths
 * that machines on the network chose, so a cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
 * CR; OWASP "CSV injection") gets a leading apostrophe.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A header line, then one line per event; lines end in CRLF as RFC 4180 2.1 says. */
export function toCsv(events: Iterable<BootEvent>): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const e of events) {
    const fields = Object.keys(e.fields).length ? JSON.stringify(e.fields) : '';
    lines.push(
      [String(e.seq), new Date(e.ts).toISOString(), e.service, e.level, e.mac ?? '', e.ip ?? '', e.msg, fields].map(csvCell).join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

export function formatExport(format: ExportFormat, events: Iterable<BootEvent>): string {
  return format === 'csv' ? toCsv(events) : toJsonLines(events);
}

/** `rackboot-log-20250314-093012.csv`, in local time (what the technician's clock says). */
export function exportFileName(format: ExportFormat, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `rackboot-log-${stamp}.${EXPORT_FORMATS[format].extension}`;
}
