/**
 * Option negotiation (RFC 2347/2348/2349/7440) and request-path rules, as pure policy.
 * Only options the server accepts appear in the OACK; unknown ones are dropped silently (RFC 2347).
 */
import { ProtocolError } from '../errors.ts';
import { MAX_BLKSIZE } from './codec.ts';

export interface TftpLimits {
  /** Largest block the link carries without fragments: path MTU - 32 (IPv4 + UDP + TFTP headers). */
  maxBlksize: number;
  /** Largest window granted (dnsmasq caps at 32). */
  maxWindowsize: number;
}

export interface Negotiated {
  blksize: number;
  windowsize: number;
  /** Seconds, when the client asked for one. */
  timeout: number | null;
  /** The options to echo in an OACK, in the client's order; empty means plain RFC 1350 (DATA 1 straight away). */
  oack: [string, string][];
}

const DECIMAL = /^[0-9]{1,10}$/;

export function negotiate(requested: [string, string][], fileSize: number | null, mode: string, limits: TftpLimits): Negotiated {
  const result: Negotiated = { blksize: 512, windowsize: 1, timeout: null, oack: [] };
  const seen = new Set<string>();
  for (const [rawName, value] of requested) {
    const name = rawName.toLowerCase();
    if (seen.has(name) || !DECIMAL.test(value)) continue; // repeated or malformed: ignore, as for unknown options
    seen.add(name);
    const n = Number(value);
    switch (name) {
      case 'blksize': // RFC 2348: 8..65464; grant at most what was asked and what the link carries
        if (n < 8) continue;
        result.blksize = Math.min(n, MAX_BLKSIZE, limits.maxBlksize);
        result.oack.push([rawName, String(result.blksize)]);
        break;
      case 'tsize': // RFC 2349: the client sends 0 in a read request; netascii sizes are unknowable in advance
        if (fileSize === null || mode !== 'octet') continue;
        result.oack.push([rawName, String(fileSize)]);
        break;
      case 'timeout': // RFC 2349: 1..255 seconds, echoed as is
        if (n < 1 || n > 255) continue;
        result.timeout = n;
        result.oack.push([rawName, String(n)]);
        break;
      case 'windowsize': // RFC 7440: 1..65535; binary mode only
        if (n < 1 || n > 65535 || mode !== 'octet') continue;
        result.windowsize = Math.min(n, limits.maxWindowsize);
        result.oack.push([rawName, String(result.windowsize)]);
        break;
    }
  }
  return result;
}

/**
 * A request path as clients send it, made safe: backslashes become slashes (Windows/WDS clients), a pxelinux
 * `::` prefix and leading slashes go, empty and `.` segments collapse, and `..` is refused outright.
 */
export function normalizeRequestPath(raw: string): string {
  if (raw.includes('\0')) throw new ProtocolError('PATH_NUL', 'path contains NUL');
  let p = raw.replace(/\\/g, '/');
  if (p.startsWith('::')) p = p.slice(2);
  const segments: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new ProtocolError('PATH_TRAVERSAL', `path climbs out of the root: ${raw}`);
    segments.push(seg);
  }
  if (segments.length === 0) throw new ProtocolError('PATH_EMPTY', 'path names no file');
  return segments.join('/');
}
