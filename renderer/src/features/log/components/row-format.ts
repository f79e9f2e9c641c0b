/** What a log row and its details show, as plain functions (tested beside this file). */
import type { BootEvent, ServiceName } from '../../../../../shared/model/event.ts';
import type { Level } from '../store/filter.ts';

export const SERVICE_NAMES: Record<ServiceName, string> = { dhcp: 'DHCP', tftp: 'TFTP', http: 'HTTP', iso: 'ISO', core: 'Core', api: 'API' };
/** Toolbar order: the boot chain first. */
export const SERVICE_ORDER: readonly ServiceName[] = ['dhcp', 'tftp', 'http', 'iso', 'core', 'api'];
export const LEVEL_CHOICES: Record<Level, string> = { debug: 'Everything (debug+)', info: 'Info and up', warn: 'Warnings and errors', error: 'Errors only' };

/** Local wall-clock time with milliseconds: `09:30:12.345`. */
export function formatClock(ts: number): string {
  const d = new Date(ts);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** The structured part of an event, one line each: identity first, then its fields in the order the core sent them. */
export function detailEntries(e: BootEvent): [string, string][] {
  const out: [string, string][] = [
    ['seq', String(e.seq)],
    ['time', new Date(e.ts).toISOString()],
  ];
  if (e.xid !== undefined) out.push(['xid', `0x${e.xid.toString(16).padStart(8, '0')}`]);
  if (e.iface) out.push(['interface', e.iface]);
  for (const [k, v] of Object.entries(e.fields)) out.push([k, show(v)]);
  return out;
}

/** Heights of the details block; the component sets them, so the list's arithmetic and the pixels agree. */
export const DETAIL = { line: 18, messageLines: 2, maxEntryLines: 12, padding: 12, actions: 30 } as const;

export function detailHeight(e: BootEvent): number {
  const entries = Math.min(detailEntries(e).length, DETAIL.maxEntryLines);
  return DETAIL.padding + DETAIL.line * (DETAIL.messageLines + entries) + (e.mac ? DETAIL.actions : 0);
}
