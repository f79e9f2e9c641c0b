/** What the Log screen shows: a filter is data (kept in the store), compiled once into a predicate per change. */
import { SERVICES, type BootEvent, type ServiceName } from '../../../../../shared/model/event.ts';

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];
const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LogFilter {
  /** Services shown; every service when it lists them all. */
  services: readonly ServiceName[];
  /** The quietest level shown: 'debug' shows everything, 'error' only errors. */
  minLevel: Level;
  /** Part of a MAC, in any spelling (`52:54:00:12:34:56`, `52-54-00`, `525400123456`); '' for any machine. */
  mac: string;
  /** Case-insensitive text looked for in the message, service, MAC and IP; '' for all. */
  text: string;
}

export const DEFAULT_FILTER: LogFilter = { services: SERVICES, minLevel: 'debug', mac: '', text: '' };

/** A MAC reduced to its hex digits, lower case, so every spelling compares alike. */
export const macDigits = (s: string): string => s.toLowerCase().replace(/[^0-9a-f]/g, '');

export function isDefaultFilter(f: LogFilter): boolean {
  return f.services.length === SERVICES.length && f.minLevel === 'debug' && f.mac.trim() === '' && f.text.trim() === '';
}

/** The filter as one predicate; the cheap checks run first and empty criteria cost nothing. */
export function compileFilter(f: LogFilter): (e: BootEvent) => boolean {
  const allServices = SERVICES.every((s) => f.services.includes(s));
  const services = new Set<string>(f.services);
  const min = RANK[f.minLevel];
  const mac = macDigits(f.mac.trim());
  // A MAC query with no hex digit in it (`zz`) matches no machine rather than every one.
  const macQuery = f.mac.trim() !== '';
  const text = f.text.trim().toLowerCase();
  return (e) => {
    if (!allServices && !services.has(e.service)) return false;
    if (RANK[e.level] < min) return false;
    if (macQuery && (!e.mac || !mac || !macDigits(e.mac).includes(mac))) return false;
    if (text) {
      if (e.msg.toLowerCase().includes(text)) return true;
      if (e.service.includes(text)) return true;
      if (e.ip?.includes(text)) return true;
      if (e.mac?.toLowerCase().includes(text)) return true;
      return false;
    }
    return true;
  };
}
