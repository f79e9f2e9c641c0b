/**
 * TFTP packet codec (RFC 1350, option extension RFC 2347). decode(bytes, offset?) -> { value, bytesRead },
 * encode(value) -> bytes, encodingLength(value).
 */
import { latin1, latin1Bytes } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';

export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** RFC 1350 §5 error codes, plus 8 from RFC 2347. */
export const TftpErrorCode = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;

/** RFC 2347: a request with options should fit in 512 bytes; allow a little slack for chatty clients. */
export const MAX_REQUEST_LENGTH = 1024;
/** RFC 2348 upper bound for blksize. */
export const MAX_BLKSIZE = 65464;

export type TftpPacket =
  | { op: 'RRQ' | 'WRQ'; filename: string; mode: string; options: [string, string][] }
  | { op: 'DATA'; block: number; data: Uint8Array }
  | { op: 'ACK'; block: number }
  | { op: 'ERROR'; code: number; message: string }
  | { op: 'OACK'; options: [string, string][] };

/** Splits NUL-terminated strings; every string must be terminated (the final NUL included). */
function strings(bytes: Uint8Array, start: number, what: string): string[] {
  const out: string[] = [];
  let i = start;
  while (i < bytes.length) {
    const end = bytes.indexOf(0, i);
    if (end < 0) throw new ProtocolError('TFTP_UNTERMINATED', `${what} string is not NUL-terminated`);
    out.push(latin1(bytes.subarray(i, end)));
    i = end + 1;
  }
  return out;
}

function pairs(list: string[], what: string): [string, string][] {
  if (list.length % 2 !== 0) throw new ProtocolError('TFTP_OPTION_UNPAIRED', `${what} option ${list.at(-1)} has no value`);
  const out: [string, string][] = [];
  for (let i = 0; i < list.length; i += 2) out.push([list[i]!, list[i + 1]!]);
  return out;
}

export function decode(bytes: Uint8Array, offset = 0): { value: TftpPacket; bytesRead: number } {
  const b = offset ? bytes.subarray(offset) : bytes;
  if (b.length < 4) throw new ProtocolError('TFTP_TOO_SHORT', `${b.length} bytes`);
  const op = (b[0]! << 8) | b[1]!;
  const u16 = (at: number) => (b[at]! << 8) | b[at + 1]!;
  switch (op) {
    case Opcode.RRQ:
    case Opcode.WRQ: {
      if (b.length > MAX_REQUEST_LENGTH) throw new ProtocolError('TFTP_REQUEST_TOO_LONG', `${b.length} bytes`);
      const list = strings(b, 2, 'request');
      if (list.length < 2) throw new ProtocolError('TFTP_NO_MODE', 'request has no mode');
      const [filename, mode, ...rest] = list as [string, string, ...string[]];
      if (filename.length === 0) throw new ProtocolError('TFTP_EMPTY_FILENAME', 'request names no file');
      return { value: { op: op === Opcode.RRQ ? 'RRQ' : 'WRQ', filename, mode: mode.toLowerCase(), options: pairs(rest, 'request') }, bytesRead: b.length };
    }
    case Opcode.DATA:
      return { value: { op: 'DATA', block: u16(2), data: b.slice(4) }, bytesRead: b.length };
    case Opcode.ACK:
      if (b.length !== 4) throw new ProtocolError('TFTP_BAD_ACK', `ACK has ${b.length} bytes, not 4`);
      return { value: { op: 'ACK', block: u16(2) }, bytesRead: 4 };
    case Opcode.ERROR: {
      // Some clients omit the message's NUL; accept what is there.
      const end = b.indexOf(0, 4);
      return { value: { op: 'ERROR', code: u16(2), message: latin1(b.subarray(4, end < 0 ? b.length : end)) }, bytesRead: b.length };
    }
    case Opcode.OACK:
      return { value: { op: 'OACK', options: pairs(strings(b, 2, 'OACK'), 'OACK') }, bytesRead: b.length };
    default:
      throw new ProtocolError('TFTP_BAD_OPCODE', `opcode ${op}`);
  }
}

function stringsLength(list: string[]): number {
  return list.reduce((n, s) => n + s.length + 1, 0);
}

export function encodingLength(p: TftpPacket): number {
  switch (p.op) {
    case 'RRQ':
    case 'WRQ':
      return 2 + stringsLength([p.filename, p.mode, ...p.options.flat()]);
    case 'DATA':
      return 4 + p.data.length;
    case 'ACK':
      return 4;
    case 'ERROR':
      return 4 + p.message.length + 1;
    case 'OACK':
      return 2 + stringsLength(p.options.flat());
  }
}

export function encode(p: TftpPacket): Uint8Array {
  const out = new Uint8Array(encodingLength(p));
  const put16 = (at: number, v: number) => {
    out[at] = (v >>> 8) & 0xff;
    out[at + 1] = v & 0xff;
  };
  const putStrings = (at: number, list: string[]) => {
    for (const s of list) {
      out.set(latin1Bytes(s), at);
      at += s.length + 1;
    }
  };
  put16(0, Opcode[p.op]);
  switch (p.op) {
    case 'RRQ':
    case 'WRQ':
      putStrings(2, [p.filename, p.mode, ...p.options.flat()]);
      break;
    case 'DATA':
      put16(2, p.block);
      out.set(p.data, 4);
      break;
    case 'ACK':
      put16(2, p.block);
      break;
    case 'ERROR':
      put16(2, p.code);
      putStrings(4, [p.message]);
      break;
    case 'OACK':
      putStrings(2, p.options.flat());
      break;
  }
  return out;
}

/** DATA is the hot path: the header written in front of a block already read into `packet` at offset 4. */
export function writeDataHeader(packet: Uint8Array, block: number): void {
  packet[0] = 0;
  packet[1] = Opcode.DATA;
  packet[2] = (block >>> 8) & 0xff;
  packet[3] = block & 0xff;
}

export const tftp = { decode, encode, encodingLength };
