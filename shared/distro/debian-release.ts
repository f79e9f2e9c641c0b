/**
 * A Debian archive `Release` file (`dists/<suite>/Release`, Debian policy / apt "Release file" format:
 * RFC 822-style `Field: value` lines, continuation lines start with a space). Only the header fields
 * detection needs are kept; the checksum lists that follow are skipped. A signed `InRelease` works too
 * (its PGP armour lines are not fields).
 */
import { lines } from './text.ts';

export interface DebianRelease {
  origin: string | null;
  label: string | null;
  /** "stable", "oldstable", "testing". */
  suite: string | null;
  /** "bookworm". */
  codename: string | null;
  /** "12.5"; absent on testing/unstable. */
  version: string | null;
  architectures: string[];
  components: string[];
  description: string | null;
}

export function parseDebianRelease(text: string): DebianRelease | null {
  const fields = new Map<string, string>();
  for (const line of lines(text, 200, 1024)) {
    if (line.startsWith(' ') || line.startsWith('\t')) continue;
    const m = /^([A-Za-z][A-Za-z0-9-]{0,40}):\s*(.*)$/.exec(line);
    if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  const get = (k: string) => {
    const v = fields.get(k);
    return v === undefined || v === '' ? null : v;
  };
  if (get('suite') === null && get('codename') === null) return null;
  const words = (k: string) => (get(k) ?? '').split(/\s+/).filter(Boolean);
  return {
    origin: get('origin'),
    label: get('label'),
    suite: get('suite'),
    codename: get('codename'),
    version: get('version'),
    architectures: words('architectures'),
    components: words('components'),
    description: get('description'),
  };
}
