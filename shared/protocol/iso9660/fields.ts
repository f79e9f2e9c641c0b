/**
 * ISO 9660 field encodings (ECMA-119 7.x) and the text forms the name sets use. Every reader checks its range
 * first; callers pass offsets they have already bounded.
 */
import { latin1 } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';

/** Logical sector size (ECMA-119 6.1.2); rackboot accepts only 2048-byte logical blocks too. */
export const SECTOR = 2048;

export function need(bytes: Uint8Array, offset: number, length: number, code: string, what: string): void {
  if (offset < 0 || offset + length > bytes.length) {
    throw new ProtocolError(code, `${what}: needs ${length} bytes at ${offset}, has ${bytes.length - offset}`);
  }
}

export const u16le = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
export const u16be = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
export const u32le = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
export const u32be = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
/** u64 LE as a number; values above 2^53 come back as Infinity so range checks reject them. */
export function u64le(b: Uint8Array, o: number): number {
  const hi = u32le(b, o + 4);
  if (hi >= 0x200000) return Infinity;
  return hi * 0x1_0000_0000 + u32le(b, o);
}

/**
 * ECMA-119 7.3.3 both-byte-order u32 ("733"). The LE half is authoritative. `strict` (volume descriptor key
 * fields) rejects a mismatching BE half with ISO_ENDIAN_MISMATCH; elsewhere a mismatch is tolerated, as
 * Linux isofs and libisofs do (boot-chains.md §5: some mastering tools leave the BE half zero).
 */
export function both32(b: Uint8Array, o: number, strict: boolean, what: string): number {
  const le = u32le(b, o);
  if (strict && le !== u32be(b, o + 4)) {
    throw new ProtocolError('ISO_ENDIAN_MISMATCH', `${what}: little-endian ${le} but big-endian ${u32be(b, o + 4)}`);
  }
  return le;
}

/** ECMA-119 7.2.3 both-byte-order u16 ("723"). */
export function both16(b: Uint8Array, o: number, strict: boolean, what: string): number {
  const le = u16le(b, o);
  if (strict && le !== u16be(b, o + 2)) {
    throw new ProtocolError('ISO_ENDIAN_MISMATCH', `${what}: little-endian ${le} but big-endian ${u16be(b, o + 2)}`);
  }
  return le;
}

const i8 = (v: number) => (v > 127 ? v - 256 : v);

/** GMT offset in 15-minute units (ECMA-119 9.1.5 / 8.4.26.1); out-of-range offsets count as UTC. */
function offsetMs(raw: number): number {
  const q = i8(raw);
  return q >= -48 && q <= 52 ? q * 15 * 60_000 : 0;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** ECMA-119 9.1.5 seven-byte recording time (also Rock Ridge TF short form); all zero means "not set". */
export function shortTime(b: Uint8Array, o: number): number | null {
  const t = utc(1900 + b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, b[o + 4]!, b[o + 5]!, 0);
  return t === null ? null : t - offsetMs(b[o + 6]!);
}

/** ECMA-119 8.4.26.1 seventeen-byte date `YYYYMMDDHHMMSScc` + GMT offset (TF LONG_FORM); zeros mean "not set". */
export function longTime(b: Uint8Array, o: number): number | null {
  const digits = latin1(b.subarray(o, o + 16));
  if (!/^\d{16}$/.test(digits)) return null;
  const n = (from: number, len: number) => Number(digits.slice(from, from + len));
  const y = n(0, 4);
  if (y === 0) return null;
  const t = utc(y, n(4, 2), n(6, 2), n(8, 2), n(10, 2), n(12, 2), n(14, 2) * 10);
  return t === null ? null : t - offsetMs(b[o + 16]!);
}

/**
 * UTF-8 (Rock Ridge names are bytes; Linux and xorriso write UTF-8). Invalid sequences fall back to Latin-1 for
 * the whole name, so every byte string still gets a stable, distinct name.
 */
export function utf8(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i]!;
    let cp: number;
    let n: number;
    if (c < 0x80) [cp, n] = [c, 1];
    else if (c >= 0xc2 && c < 0xe0) [cp, n] = [c & 0x1f, 2];
    else if (c >= 0xe0 && c < 0xf0) [cp, n] = [c & 0x0f, 3];
    else if (c >= 0xf0 && c < 0xf5) [cp, n] = [c & 0x07, 4];
    else return latin1(bytes);
    if (i + n > bytes.length) return latin1(bytes);
    for (let k = 1; k < n; k++) {
      const cc = bytes[i + k]!;
      if ((cc & 0xc0) !== 0x80) return latin1(bytes);
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values above U+10FFFF are not UTF-8.
    if ((n === 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (n === 4 && (cp < 0x10000 || cp > 0x10ffff))) return latin1(bytes);
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

/** Joliet names: UCS-2 big-endian (surrogate pairs pass through as UTF-16); an odd trailing byte is dropped. */
export function ucs2be(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(u16be(bytes, i));
  return out;
}

/** a-/d-character fields are space padded (ECMA-119 7.4); some tools pad with NULs. */
export const trimField = (s: string) => s.replace(/[\s\0]+$/, '');
