/**
 * Pure HTTP/1.1 rules for the boot file server (boot-chains.md §2.6): one `Range: bytes=` span, the
 * conditional headers that go with it (RFC 9110 §13), validators, content types, and request targets turned
 * into a normalised path inside the root. No sockets, no clock, no Node.
 */
import { ProtocolError } from '../errors.ts';
import { normalizeRequestPath } from '../tftp/negotiate.ts';

/** What to do with a Range header: serve `start..end` (inclusive) as 206, answer 416, or serve the whole body. */
export type RangeDecision =
  | { kind: 'span'; start: number; end: number }
  | { kind: 'unsatisfiable' }
  | { kind: 'ignore'; reason: string };

const SPEC = /^([0-9]*)-([0-9]*)$/;
const ignore = (reason: string): RangeDecision => ({ kind: 'ignore', reason });

/**
 * Reads one `Range` header against a representation of `size` bytes (RFC 9110 §14.1.2, §14.2).
 * Anything the server may ignore (other units, invalid specs, several ranges) is `ignore`: RFC 9110 §14.2
 * lets a server answer 200 with the whole body instead, and no boot client asks for multipart/byteranges.
 */
export function parseRange(header: string, size: number): RangeDecision {
  const eq = header.indexOf('=');
  if (eq < 0) return ignore('no range unit');
  // Range units are case-insensitive (RFC 9110 §14.1).
  const unit = header.slice(0, eq).trim().toLowerCase();
  if (unit !== 'bytes') return ignore(`range unit ${JSON.stringify(unit.slice(0, 32))} not supported`);
  // A list may carry empty elements, which recipients skip (RFC 9110 §5.6.1.2).
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (specs.length === 0) return ignore('empty range set');
  if (specs.length > 1) return ignore('several ranges asked: whole body served');
  const m = SPEC.exec(specs[0]!);
  if (!m || (m[1] === '' && m[2] === '')) return ignore('malformed range');
  const [, firstText, lastText] = m as unknown as [string, string, string];
  if (firstText === '') {
    // suffix-range: the last N bytes; N = 0 is the one unsatisfiable suffix (RFC 9110 §14.1.1).
    const suffix = Number(lastText);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    // An empty body has no byte to point at in a Content-Range: send it whole ("the entire representation").
    if (size === 0) return ignore('suffix range on an empty body');
    return { kind: 'span', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const first = Number(firstText);
  const last = lastText === '' ? Infinity : Number(lastText);
  // last-pos below first-pos makes the spec invalid, not unsatisfiable (RFC 9110 §14.1.1).
  if (last < first) return ignore('range ends before it starts');
  if (first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'span', start: first, end: Math.min(last, size - 1) };
}

const TEXT = 'text/plain; charset=utf-8';
// A Map, not an object literal: a file named `x.constructor` must not find Object's own properties.
const BY_EXTENSION = new Map<string, string>([
  // EDK2 HttpBootDxe checks these three (boot-chains.md §2.6).
  ['efi', 'application/efi'],
  ['iso', 'application/vnd.efi-iso'],
  ['img', 'application/vnd.efi-img'],
  ['ipxe', TEXT],
  ['cfg', TEXT],
  ['txt', TEXT],
  ['ks', TEXT],
  ['seed', TEXT],
  ['preseed', TEXT],
  ['json', 'application/json'],
]);
// cloud-init NoCloud names (Ubuntu autoinstall) and a bare Debian `preseed`.
const TEXT_NAMES = new Set(['user-data', 'meta-data', 'vendor-data', 'network-config', 'preseed']);

/** The Content-Type for a served path, by its last segment; anything unknown is an opaque octet stream. */
export function contentTypeFor(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (TEXT_NAMES.has(name)) return TEXT;
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 'application/octet-stream';
  return BY_EXTENSION.get(name.slice(dot + 1)) ?? 'application/octet-stream';
}

/**
 * A strong validator from size and modification time, as nginx makes them: good enough for If-Range,
 * which needs a strong tag (RFC 9110 §13.1.5), because a rewritten file changes one or the other.
 */
export function etagFor(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
}

/** IMF-fixdate for Last-Modified (RFC 9110 §5.6.7); HTTP dates carry whole seconds. */
export function httpDate(ms: number): string {
  return new Date(wholeSeconds(ms)).toUTCString();
}

const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

interface EntityTag {
  weak: boolean;
  opaque: string;
}

const TAG = /\s*(W\/)?"([\x21\x23-\x7e\x80-\uffff]*)"\s*(?:(?:,\s*)+|$)/y;

/** Parses `"a", W/"b"`; null when any member is malformed (the header then matches nothing). */
function entityTags(list: string): EntityTag[] | null {
  const tags: EntityTag[] = [];
  TAG.lastIndex = 0;
  const text = list.trim();
  // Bounded: every pass consumes at least the two quotes.
  while (TAG.lastIndex < text.length) {
    const m = TAG.exec(text);
    if (!m) return null;
    tags.push({ weak: m[1] !== undefined, opaque: m[2]! });
  }
  return tags;
}

/** If-None-Match against the current tag: weak comparison, `*` matches any current file (RFC 9110 §13.1.2). */
export function ifNoneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const current = entityTags(etag)?.[0];
  const tags = entityTags(header);
  if (!current || !tags) return false;
  return tags.some((t) => t.opaque === current.opaque);
}

/** If-Modified-Since: true when the file has not changed since that date; an invalid date is ignored (RFC 9110 §13.1.3). */
export function notModifiedSince(header: string, mtimeMs: number): boolean {
  const since = Date.parse(header);
  if (Number.isNaN(since)) return false;
  return wholeSeconds(mtimeMs) <= since;
}

/**
 * If-Range: the Range applies only if the validator still describes the file. An entity tag needs a strong
 * match; a date must equal Last-Modified exactly (RFC 9110 §13.1.5). Otherwise the whole body is sent.
 */
export function ifRangeHolds(header: string, etag: string, mtimeMs: number): boolean {
  const text = header.trim();
  if (text.startsWith('"') || text.startsWith('W/')) {
    const given = entityTags(text);
    const current = entityTags(etag)?.[0];
    if (!given || given.length !== 1 || !current) return false;
    const g = given[0]!;
    return !g.weak && !current.weak && g.opaque === current.opaque;
  }
  const date = Date.parse(text);
  return !Number.isNaN(date) && date === wholeSeconds(mtimeMs);
}

export type RequestPath = { ok: true; path: string } | { ok: false; status: 400 | 404; code: string; reason: string };

const ABSOLUTE_FORM = /^https?:\/\/[^/]*/i;

/**
 * A request target (origin-form or absolute-form, RFC 9112 §3.2) made into a path relative to the served
 * root: query dropped, percent-decoded exactly once, then the TFTP path rules (NUL refused, `\` -> `/`, empty
 * and `.` segments collapse, `..` refused). Nothing is redirected: the file is looked up as written.
 */
export function requestPath(target: string): RequestPath {
  let t = target;
  const query = t.search(/[?#]/);
  if (query >= 0) t = t.slice(0, query);
  const abs = ABSOLUTE_FORM.exec(t);
  if (abs) t = t.slice(abs[0].length) || '/';
  if (!t.startsWith('/')) return { ok: false, status: 400, code: 'HTTP_BAD_TARGET', reason: 'request target is not a path' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(t);
  } catch {
    return { ok: false, status: 400, code: 'HTTP_BAD_ENCODING', reason: 'malformed percent-encoding' };
  }
  try {
    return { ok: true, path: normalizeRequestPath(decoded) };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    // `/` names no file: there are no directory listings.
    if (e.code === 'PATH_EMPTY') return { ok: false, status: 404, code: e.code, reason: 'no file named' };
    return { ok: false, status: 400, code: e.code, reason: e.code === 'PATH_NUL' ? 'path contains NUL' : 'path climbs out of the root' };
  }
}
