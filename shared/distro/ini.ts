/**
 * The INI dialect of installer metadata: `.treeinfo` (written by Python's configparser through productmd,
 * or by hand in the pre-productmd era) and Windows `sources/idwbinfo.txt`. Section and key names are
 * case-insensitive (configparser's `optionxform` lowercases keys); `;` and `#` start comment lines; a key
 * ends at the first `=` (else the first `:`, configparser accepts both). Indented continuation lines are
 * joined with a space. Bounded: at most 20 000 lines of 4 KiB and 1 000 sections; later duplicates win.
 */
import { lines } from './text.ts';

export type Ini = Map<string, Map<string, string>>;

const MAX_SECTIONS = 1000;

export function parseIni(text: string): Ini {
  const ini: Ini = new Map();
  let section: Map<string, string> | null = null;
  let lastKey: string | null = null;
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) {
      lastKey = null;
      continue;
    }
    if (line.startsWith('[')) {
      const close = line.indexOf(']');
      if (close < 0) {
        section = null;
        continue;
      }
      const name = line.slice(1, close).trim().toLowerCase();
      section = ini.get(name) ?? null;
      if (!section) {
        if (ini.size >= MAX_SECTIONS) {
          section = null;
          continue;
        }
        ini.set(name, (section = new Map()));
      }
      lastKey = null;
      continue;
    }
    if (!section) continue;
    if (/^\s/.test(raw) && lastKey !== null) {
      section.set(lastKey, `${section.get(lastKey) ?? ''} ${line}`.trim());
      continue;
    }
    let at = line.indexOf('=');
    if (at < 0) at = line.indexOf(':');
    if (at <= 0) continue;
    lastKey = line.slice(0, at).trim().toLowerCase();
    section.set(lastKey, line.slice(at + 1).trim());
  }
  return ini;
}

/** A value, or null when the section or key is missing or the value is empty. */
export function iniGet(ini: Ini, section: string, key: string): string | null {
  const v = ini.get(section.toLowerCase())?.get(key.toLowerCase());
  return v === undefined || v === '' ? null : v;
}

/** A comma-separated list value (`variants = AppStream,BaseOS`), empty items dropped. */
export function iniList(ini: Ini, section: string, key: string): string[] {
  return (iniGet(ini, section, key) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
