/**
 * The IPMI LAN message inside a session payload (IPMI v2.0 §13.8, Table 13-8): two checksummed halves,
 * request and response alike, and the generic completion codes (§5.2, Table 5-2).
 */
import { ProtocolError } from '../errors.ts';

/** The BMC's slave address and the remote console's software ID (§5.5: 81h, "remote console SWID 0"). */
export const BMC_ADDRESS = 0x20;
export const REMOTE_CONSOLE_SWID = 0x81;

export const NetFn = { CHASSIS: 0x00, BRIDGE: 0x02, SENSOR: 0x04, APP: 0x06, FIRMWARE: 0x08, STORAGE: 0x0a, TRANSPORT: 0x0c } as const;

export interface IpmiRequest {
  rsAddr: number;
  /** Even: a request. */
  netFn: number;
  rsLun: number;
  rqAddr: number;
  /** 0 to 63. */
  rqSeq: number;
  rqLun: number;
  cmd: number;
  data: Uint8Array;
}

export interface IpmiResponse {
  rqAddr: number;
  /** Odd: the request's netFn + 1. */
  netFn: number;
  rqLun: number;
  rsAddr: number;
  rqSeq: number;
  rsLun: number;
  cmd: number;
  completionCode: number;
  data: Uint8Array;
}

/** Two's complement checksum: the bytes plus the checksum sum to 0 mod 256 (§13.8). */
export function checksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum = (sum + bytes[i]!) & 0xff;
  return (0x100 - sum) & 0xff;
}

/** The longest IPMI message body this codec accepts (IPMI payloads are bounded by the session's 16-bit length). */
const MAX_MESSAGE = 0xffff;

function frame(first: number, netFn: number, firstLun: number, second: number, seq: number, secondLun: number, cmd: number, body: Uint8Array): Uint8Array {
  if (seq < 0 || seq > 63) throw new RangeError(`rqSeq is 0 to 63, not ${seq}`);
  const out = new Uint8Array(7 + body.length);
  out[0] = first & 0xff;
  out[1] = ((netFn & 0x3f) << 2) | (firstLun & 0x03);
  out[2] = checksum(out, 0, 2);
  out[3] = second & 0xff;
  out[4] = ((seq & 0x3f) << 2) | (secondLun & 0x03);
  out[5] = cmd & 0xff;
  out.set(body, 6);
  out[out.length - 1] = checksum(out, 3, out.length - 1);
  return out;
}

function unframe(b: Uint8Array): { first: number; netFn: number; firstLun: number; second: number; seq: number; secondLun: number; cmd: number; body: Uint8Array } {
  if (b.length < 7) throw new ProtocolError('IPMI_MESSAGE_TOO_SHORT', `${b.length} bytes, an IPMI message has at least 7`);
  if (b.length > MAX_MESSAGE) throw new ProtocolError('IPMI_MESSAGE_TOO_LONG', `${b.length} bytes`);
  if (checksum(b, 0, 3) !== 0) throw new ProtocolError('IPMI_BAD_HEADER_CHECKSUM', `header checksum ${b[2]} does not balance`);
  if (checksum(b, 3, b.length) !== 0) throw new ProtocolError('IPMI_BAD_DATA_CHECKSUM', `data checksum ${b[b.length - 1]} does not balance`);
  return { first: b[0]!, netFn: b[1]! >> 2, firstLun: b[1]! & 3, second: b[3]!, seq: b[4]! >> 2, secondLun: b[4]! & 3, cmd: b[5]!, body: b.slice(6, b.length - 1) };
}

export function encodeRequest(r: IpmiRequest): Uint8Array {
  if (r.netFn & 1) throw new RangeError(`a request has an even netFn, not ${r.netFn}`);
  return frame(r.rsAddr, r.netFn, r.rsLun, r.rqAddr, r.rqSeq, r.rqLun, r.cmd, r.data);
}

export function decodeRequest(bytes: Uint8Array, offset = 0): { value: IpmiRequest; bytesRead: number } {
  const b = offset ? bytes.subarray(offset) : bytes;
  const f = unframe(b);
  if (f.netFn & 1) throw new ProtocolError('IPMI_NOT_A_REQUEST', `netFn ${f.netFn} is odd (a response)`);
  return { value: { rsAddr: f.first, netFn: f.netFn, rsLun: f.firstLun, rqAddr: f.second, rqSeq: f.seq, rqLun: f.secondLun, cmd: f.cmd, data: f.body }, bytesRead: b.length };
}

export function encodeResponse(r: IpmiResponse): Uint8Array {
  if (!(r.netFn & 1)) throw new RangeError(`a response has an odd netFn, not ${r.netFn}`);
  const body = new Uint8Array(1 + r.data.length);
  body[0] = r.completionCode;
  body.set(r.data, 1);
  return frame(r.rqAddr, r.netFn, r.rqLun, r.rsAddr, r.rqSeq, r.rsLun, r.cmd, body);
}

export function decodeResponse(bytes: Uint8Array, offset = 0): { value: IpmiResponse; bytesRead: number } {
  const b = offset ? bytes.subarray(offset) : bytes;
  const f = unframe(b);
  if (!(f.netFn & 1)) throw new ProtocolError('IPMI_NOT_A_RESPONSE', `netFn ${f.netFn} is even (a request)`);
  // §5.2: every response carries a completion code, so the body has at least one byte.
  if (f.body.length < 1) throw new ProtocolError('IPMI_NO_COMPLETION_CODE', 'a response without a completion code');
  return {
    value: { rqAddr: f.first, netFn: f.netFn, rqLun: f.firstLun, rsAddr: f.second, rqSeq: f.seq, rsLun: f.secondLun, cmd: f.cmd, completionCode: f.body[0]!, data: f.body.slice(1) },
    bytesRead: b.length,
  };
}

/** IPMI v2.0 Table 5-2, generic completion codes. Command-specific codes (80h-BEh) are named by each command. */
export const CompletionCode = {
  OK: 0x00,
  NODE_BUSY: 0xc0,
  INVALID_COMMAND: 0xc1,
  INVALID_FOR_LUN: 0xc2,
  TIMEOUT: 0xc3,
  OUT_OF_SPACE: 0xc4,
  RESERVATION_CANCELLED: 0xc5,
  DATA_TRUNCATED: 0xc6,
  DATA_LENGTH_INVALID: 0xc7,
  DATA_LENGTH_EXCEEDED: 0xc8,
  PARAMETER_OUT_OF_RANGE: 0xc9,
  CANNOT_RETURN_BYTES: 0xca,
  NOT_PRESENT: 0xcb,
  INVALID_DATA_FIELD: 0xcc,
  ILLEGAL_FOR_SENSOR: 0xcd,
  RESPONSE_UNAVAILABLE: 0xce,
  DUPLICATED_REQUEST: 0xcf,
  SDR_UPDATE_MODE: 0xd0,
  FIRMWARE_UPDATE_MODE: 0xd1,
  INITIALIZATION_IN_PROGRESS: 0xd2,
  DESTINATION_UNAVAILABLE: 0xd3,
  INSUFFICIENT_PRIVILEGE: 0xd4,
  NOT_SUPPORTED_IN_STATE: 0xd5,
  SUBFUNCTION_DISABLED: 0xd6,
  UNSPECIFIED: 0xff,
} as const;

const COMPLETION_TEXT: Record<number, string> = {
  0x00: 'command completed normally',
  0xc0: 'node busy',
  0xc1: 'invalid command',
  0xc2: 'command invalid for given LUN',
  0xc3: 'timeout while processing command',
  0xc4: 'out of space',
  0xc5: 'reservation cancelled or invalid reservation ID',
  0xc6: 'request data truncated',
  0xc7: 'request data length invalid',
  0xc8: 'request data field length limit exceeded',
  0xc9: 'parameter out of range',
  0xca: 'cannot return number of requested data bytes',
  0xcb: 'requested sensor, data, or record not present',
  0xcc: 'invalid data field in request',
  0xcd: 'command illegal for specified sensor or record type',
  0xce: 'command response could not be provided',
  0xcf: 'cannot execute duplicated request',
  0xd0: 'SDR repository in update mode',
  0xd1: 'device in firmware update mode',
  0xd2: 'BMC initialization in progress',
  0xd3: 'destination unavailable',
  0xd4: 'insufficient privilege level',
  0xd5: 'command not supported in present state',
  0xd6: 'command sub-function has been disabled or is unavailable',
  0xff: 'unspecified error',
};

/** Words for a completion code; `specific` names the command's own 80h-BEh codes. Unknown codes keep their number. */
export function completionText(code: number, specific: Record<number, string> = {}): string {
  return specific[code] ?? COMPLETION_TEXT[code] ?? `completion code ${code.toString(16).padStart(2, '0')}h`;
}

/** Completion codes after which the same request may succeed if sent again a little later (§5.2). */
export const RETRYABLE_COMPLETION_CODES: readonly number[] = [CompletionCode.NODE_BUSY, CompletionCode.TIMEOUT, CompletionCode.INITIALIZATION_IN_PROGRESS, CompletionCode.RESPONSE_UNAVAILABLE];
