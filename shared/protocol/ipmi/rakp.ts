/**
 * RMCP+ session setup (IPMI v2.0 §13.17-13.24): Open Session request/response and RAKP messages 1-4, the
 * cipher suites rackboot offers, and the key exchange arithmetic (§13.31, §13.32): RAKP2/3 HMACs, SIK, K1,
 * K2, the RAKP4 integrity check value. Pure: the HMAC is passed in (IpmiCrypto).
 */
import { latin1, latin1Bytes } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import { ConfidentialityAlgorithm, IntegrityAlgorithm, type HashName, type IpmiCrypto, type SessionSecurity } from './session.ts';

/** IPMI v2.0 Table 13-17 (authentication algorithm numbers, RAKP). */
export const AuthAlgorithm = { RAKP_NONE: 0, RAKP_HMAC_SHA1: 1, RAKP_HMAC_MD5: 2, RAKP_HMAC_SHA256: 3 } as const;

/** Privilege levels (Table 13-15 / §22.13). */
export const Privilege = { CALLBACK: 1, USER: 2, OPERATOR: 3, ADMINISTRATOR: 4, OEM: 5 } as const;

/** RAKP1 role byte bit 4: look the user up by name only, not name + privilege (Table 13-11). ipmitool sets it by default. */
export const NAME_ONLY_LOOKUP = 0x10;

export interface CipherSuite {
  id: number;
  auth: number;
  integrity: number;
  confidentiality: number;
}

/**
 * IPMI v2.0 Table 22-20. rackboot speaks 3 (SHA1) and 17 (SHA256), and their weaker siblings for BMCs that
 * were configured without encryption; never 0 (no authentication at all).
 */
export const CIPHER_SUITES: Record<number, CipherSuite> = {
  1: { id: 1, auth: AuthAlgorithm.RAKP_HMAC_SHA1, integrity: IntegrityAlgorithm.NONE, confidentiality: ConfidentialityAlgorithm.NONE },
  2: { id: 2, auth: AuthAlgorithm.RAKP_HMAC_SHA1, integrity: IntegrityAlgorithm.HMAC_SHA1_96, confidentiality: ConfidentialityAlgorithm.NONE },
  3: { id: 3, auth: AuthAlgorithm.RAKP_HMAC_SHA1, integrity: IntegrityAlgorithm.HMAC_SHA1_96, confidentiality: ConfidentialityAlgorithm.AES_CBC_128 },
  15: { id: 15, auth: AuthAlgorithm.RAKP_HMAC_SHA256, integrity: IntegrityAlgorithm.NONE, confidentiality: ConfidentialityAlgorithm.NONE },
  16: { id: 16, auth: AuthAlgorithm.RAKP_HMAC_SHA256, integrity: IntegrityAlgorithm.HMAC_SHA256_128, confidentiality: ConfidentialityAlgorithm.NONE },
  17: { id: 17, auth: AuthAlgorithm.RAKP_HMAC_SHA256, integrity: IntegrityAlgorithm.HMAC_SHA256_128, confidentiality: ConfidentialityAlgorithm.AES_CBC_128 },
};

/** IPMI v2.0 Table 13-15, RMCP+ and RAKP message status codes, as data. */
export const RakpStatus: Record<number, string> = {
  0x00: 'no errors',
  0x01: 'insufficient resources to create a session',
  0x02: 'invalid session ID',
  0x03: 'invalid payload type',
  0x04: 'invalid authentication algorithm',
  0x05: 'invalid integrity algorithm',
  0x06: 'no matching authentication payload',
  0x07: 'no matching integrity payload',
  0x08: 'inactive session ID',
  0x09: 'invalid role',
  0x0a: 'unauthorized role or privilege level requested',
  0x0b: 'insufficient resources to create a session at the requested role',
  0x0c: 'invalid name length',
  0x0d: 'unauthorized name',
  0x0e: 'unauthorized GUID',
  0x0f: 'invalid integrity check value',
  0x10: 'invalid confidentiality algorithm',
  0x11: 'no cipher suite match with proposed security algorithms',
  0x12: 'illegal or unrecognized parameter',
};

export const rakpStatusName = (code: number): string => RakpStatus[code] ?? `status ${code.toString(16).padStart(2, '0')}h`;

/** Status codes that mean "this BMC does not do that cipher suite". */
export const CIPHER_REFUSED_STATUSES: readonly number[] = [0x04, 0x05, 0x06, 0x07, 0x10, 0x11];

const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const put32le = (b: Uint8Array, at: number, v: number) => {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
};

function need(b: Uint8Array, length: number, code: string, what: string): void {
  if (b.length < length) throw new ProtocolError(code, `${what}: ${b.length} bytes, at least ${length} expected`);
}

// ---- Open Session (§13.17, §13.18) ----

export interface OpenSessionRequest {
  tag: number;
  /** 0 asks for the highest level the cipher suite allows (what ipmitool sends for ADMINISTRATOR). */
  maxPrivilege: number;
  consoleSessionId: number;
  auth: number;
  integrity: number;
  confidentiality: number;
}

/** One 8-byte algorithm payload: type, 2 reserved, length 08h, algorithm, 3 reserved (Table 13-9). */
function putAlgorithm(out: Uint8Array, at: number, type: number, alg: number): void {
  out[at] = type;
  out[at + 3] = 0x08;
  out[at + 4] = alg & 0x3f;
}

function readAlgorithm(b: Uint8Array, at: number, type: number, code: string): number {
  if (b[at] !== type) throw new ProtocolError(code, `algorithm payload type ${b[at]} where ${type} belongs`);
  // A payload length of 0 ("any algorithm") is legal in a request (§13.17); rackboot never sends one and a BMC answers with 8.
  if (b[at + 3] !== 0x08) throw new ProtocolError(code, `algorithm payload length ${b[at + 3]}, not 8`);
  return b[at + 4]! & 0x3f;
}

export function encodeOpenSessionRequest(r: OpenSessionRequest): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = r.tag & 0xff;
  out[1] = r.maxPrivilege & 0x0f;
  put32le(out, 4, r.consoleSessionId);
  putAlgorithm(out, 8, 0, r.auth);
  putAlgorithm(out, 16, 1, r.integrity);
  putAlgorithm(out, 24, 2, r.confidentiality);
  return out;
}

export function decodeOpenSessionRequest(b: Uint8Array, offset = 0): { value: OpenSessionRequest; bytesRead: number } {
  const p = b.subarray(offset);
  need(p, 32, 'RMCP_OPEN_SESSION_TOO_SHORT', 'open session request');
  return {
    value: {
      tag: p[0]!,
      maxPrivilege: p[1]! & 0x0f,
      consoleSessionId: u32le(p, 4),
      auth: readAlgorithm(p, 8, 0, 'RMCP_BAD_ALGORITHM_PAYLOAD'),
      integrity: readAlgorithm(p, 16, 1, 'RMCP_BAD_ALGORITHM_PAYLOAD'),
      confidentiality: readAlgorithm(p, 24, 2, 'RMCP_BAD_ALGORITHM_PAYLOAD'),
    },
    bytesRead: 32,
  };
}

export interface OpenSessionResponse {
  tag: number;
  status: number;
  maxPrivilege: number;
  consoleSessionId: number;
  /** The rest only when status is 0: a BMC answers an error with the first 8 bytes (§13.18). */
  bmcSessionId: number | null;
  auth: number | null;
  integrity: number | null;
  confidentiality: number | null;
}

export function encodeOpenSessionResponse(r: OpenSessionResponse): Uint8Array {
  const ok = r.status === 0;
  const out = new Uint8Array(ok ? 36 : 8);
  out[0] = r.tag & 0xff;
  out[1] = r.status & 0xff;
  out[2] = r.maxPrivilege & 0x0f;
  put32le(out, 4, r.consoleSessionId);
  if (ok) {
    put32le(out, 8, r.bmcSessionId ?? 0);
    putAlgorithm(out, 12, 0, r.auth ?? 0);
    putAlgorithm(out, 20, 1, r.integrity ?? 0);
    putAlgorithm(out, 28, 2, r.confidentiality ?? 0);
  }
  return out;
}

export function decodeOpenSessionResponse(b: Uint8Array, offset = 0): { value: OpenSessionResponse; bytesRead: number } {
  const p = b.subarray(offset);
  need(p, 2, 'RMCP_OPEN_SESSION_TOO_SHORT', 'open session response');
  if (p[1] !== 0) {
    // §13.18 has an error answer carry 8 bytes; ipmi_sim (lanserv_ipmi.c) sends only the tag and status.
    const full = p.length >= 8;
    const head = { tag: p[0]!, status: p[1]!, maxPrivilege: full ? p[2]! & 0x0f : 0, consoleSessionId: full ? u32le(p, 4) : 0 };
    return { value: { ...head, bmcSessionId: null, auth: null, integrity: null, confidentiality: null }, bytesRead: full ? 8 : 2 };
  }
  need(p, 8, 'RMCP_OPEN_SESSION_TOO_SHORT', 'open session response');
  const head = { tag: p[0]!, status: p[1]!, maxPrivilege: p[2]! & 0x0f, consoleSessionId: u32le(p, 4) };
  need(p, 36, 'RMCP_OPEN_SESSION_TOO_SHORT', 'successful open session response');
  return {
    value: {
      ...head,
      bmcSessionId: u32le(p, 8),
      auth: readAlgorithm(p, 12, 0, 'RMCP_BAD_ALGORITHM_PAYLOAD'),
      integrity: readAlgorithm(p, 20, 1, 'RMCP_BAD_ALGORITHM_PAYLOAD'),
      confidentiality: readAlgorithm(p, 28, 2, 'RMCP_BAD_ALGORITHM_PAYLOAD'),
    },
    bytesRead: 36,
  };
}

// ---- RAKP messages (§13.20-13.23) ----

export interface Rakp1 {
  tag: number;
  bmcSessionId: number;
  consoleRandom: Uint8Array;
  /** Requested privilege (bits 3:0) and NAME_ONLY_LOOKUP (bit 4). */
  role: number;
  /** Up to 16 bytes of user name (latin-1). */
  username: string;
}

const MAX_USERNAME = 16;

export function encodeRakp1(m: Rakp1): Uint8Array {
  if (m.consoleRandom.length !== 16) throw new RangeError('the console random number has 16 bytes');
  const name = latin1Bytes(m.username);
  if (name.length > MAX_USERNAME) throw new RangeError(`an IPMI user name has at most 16 bytes, not ${name.length}`);
  const out = new Uint8Array(28 + name.length);
  out[0] = m.tag & 0xff;
  put32le(out, 4, m.bmcSessionId);
  out.set(m.consoleRandom, 8);
  out[24] = m.role & 0x1f;
  out[27] = name.length;
  out.set(name, 28);
  return out;
}

export function decodeRakp1(b: Uint8Array, offset = 0): { value: Rakp1; bytesRead: number } {
  const p = b.subarray(offset);
  need(p, 28, 'RAKP_TOO_SHORT', 'RAKP message 1');
  const length = p[27]!;
  if (length > MAX_USERNAME) throw new ProtocolError('RAKP_NAME_TOO_LONG', `user name length ${length}, at most 16`);
  need(p, 28 + length, 'RAKP_TOO_SHORT', 'RAKP message 1 user name');
  return {
    value: { tag: p[0]!, bmcSessionId: u32le(p, 4), consoleRandom: p.slice(8, 24), role: p[24]! & 0x1f, username: latin1(p.subarray(28, 28 + length)) },
    bytesRead: 28 + length,
  };
}

export interface Rakp2 {
  tag: number;
  status: number;
  consoleSessionId: number;
  /** Present when status is 0. */
  bmcRandom: Uint8Array | null;
  bmcGuid: Uint8Array | null;
  /** HMAC over the RAKP2 input with Kuid: 20 bytes (SHA1), 32 (SHA256), 16 (MD5), empty for RAKP-none. */
  keyExchangeAuthCode: Uint8Array;
}

export function encodeRakp2(m: Rakp2): Uint8Array {
  const ok = m.status === 0;
  const out = new Uint8Array(ok ? 40 + m.keyExchangeAuthCode.length : 8);
  out[0] = m.tag & 0xff;
  out[1] = m.status & 0xff;
  put32le(out, 4, m.consoleSessionId);
  if (ok) {
    out.set(m.bmcRandom ?? new Uint8Array(16), 8);
    out.set(m.bmcGuid ?? new Uint8Array(16), 24);
    out.set(m.keyExchangeAuthCode, 40);
  }
  return out;
}

export function decodeRakp2(b: Uint8Array, offset = 0): { value: Rakp2; bytesRead: number } {
  const p = b.subarray(offset);
  need(p, 2, 'RAKP_TOO_SHORT', 'RAKP message 2');
  // An error answer may be cut after the status (as ipmi_sim cuts Open Session errors).
  const head = { tag: p[0]!, status: p[1]!, consoleSessionId: p.length >= 8 ? u32le(p, 4) : 0 };
  if (head.status !== 0) return { value: { ...head, bmcRandom: null, bmcGuid: null, keyExchangeAuthCode: new Uint8Array(0) }, bytesRead: p.length };
  need(p, 40, 'RAKP_TOO_SHORT', 'successful RAKP message 2');
  if (p.length - 40 > 64) throw new ProtocolError('RAKP_AUTHCODE_TOO_LONG', `${p.length - 40} bytes of key exchange authcode`);
  return { value: { ...head, bmcRandom: p.slice(8, 24), bmcGuid: p.slice(24, 40), keyExchangeAuthCode: p.slice(40) }, bytesRead: p.length };
}

export interface Rakp3 {
  tag: number;
  status: number;
  bmcSessionId: number;
  keyExchangeAuthCode: Uint8Array;
}

export function encodeRakp3(m: Rakp3): Uint8Array {
  const out = new Uint8Array(8 + m.keyExchangeAuthCode.length);
  out[0] = m.tag & 0xff;
  out[1] = m.status & 0xff;
  put32le(out, 4, m.bmcSessionId);
  out.set(m.keyExchangeAuthCode, 8);
  return out;
}

export function decodeRakp3(b: Uint8Array, offset = 0): { value: Rakp3; bytesRead: number } {
  const p = b.subarray(offset);
  need(p, 8, 'RAKP_TOO_SHORT', 'RAKP message 3');
  if (p.length - 8 > 64) throw new ProtocolError('RAKP_AUTHCODE_TOO_LONG', `${p.length - 8} bytes of key exchange authcode`);
  return { value: { tag: p[0]!, status: p[1]!, bmcSessionId: u32le(p, 4), keyExchangeAuthCode: p.slice(8) }, bytesRead: p.length };
}

export interface Rakp4 {
  tag: number;
  status: number;
  consoleSessionId: number;
  integrityCheckValue: Uint8Array;
}

export function encodeRakp4(m: Rakp4): Uint8Array {
  const out = new Uint8Array(8 + m.integrityCheckValue.length);
  out[0] = m.tag & 0xff;
  out[1] = m.status & 0xff;
  put32le(out, 4, m.consoleSessionId);
  out.set(m.integrityCheckValue, 8);
  return out;
}

export function decodeRakp4(b: Uint8Array, offset = 0): { value: Rakp4; bytesRead: number } {
  const p = b.subarray(offset);
  need(p, 2, 'RAKP_TOO_SHORT', 'RAKP message 4');
  if (p[1] !== 0 && p.length < 8) return { value: { tag: p[0]!, status: p[1]!, consoleSessionId: 0, integrityCheckValue: new Uint8Array(0) }, bytesRead: p.length };
  need(p, 8, 'RAKP_TOO_SHORT', 'RAKP message 4');
  if (p.length - 8 > 64) throw new ProtocolError('RAKP_AUTHCODE_TOO_LONG', `${p.length - 8} bytes of integrity check value`);
  return { value: { tag: p[0]!, status: p[1]!, consoleSessionId: u32le(p, 4), integrityCheckValue: p.slice(8) }, bytesRead: p.length };
}

// ---- Key exchange arithmetic (§13.31, §13.32) ----

/** Everything both ends know once RAKP2 has arrived. */
export interface RakpContext {
  consoleSessionId: number;
  bmcSessionId: number;
  consoleRandom: Uint8Array;
  bmcRandom: Uint8Array;
  bmcGuid: Uint8Array;
  /** The role byte exactly as sent in RAKP1 (privilege | NAME_ONLY_LOOKUP). */
  role: number;
  username: string;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const le32 = (v: number) => {
  const b = new Uint8Array(4);
  put32le(b, 0, v);
  return b;
};

const nameBytes = (c: RakpContext) => {
  const name = latin1Bytes(c.username);
  return concat(Uint8Array.of(c.role & 0x1f, name.length), name);
};

/** RAKP2 HMAC input (§13.31): SIDm, SIDc, Rm, Rc, GUIDc, ROLEm, ULENGTHm, UNAMEm. */
export const rakp2Input = (c: RakpContext) => concat(le32(c.consoleSessionId), le32(c.bmcSessionId), c.consoleRandom, c.bmcRandom, c.bmcGuid, nameBytes(c));
/** RAKP3 HMAC input (§13.31): Rc, SIDm, ROLEm, ULENGTHm, UNAMEm. */
export const rakp3Input = (c: RakpContext) => concat(c.bmcRandom, le32(c.consoleSessionId), nameBytes(c));
/** SIK input (§13.31): Rm, Rc, ROLEm, ULENGTHm, UNAMEm. */
export const sikInput = (c: RakpContext) => concat(c.consoleRandom, c.bmcRandom, nameBytes(c));
/** RAKP4 integrity check input (§13.31): Rm, SIDc, GUIDc. */
export const rakp4Input = (c: RakpContext) => concat(c.consoleRandom, le32(c.bmcSessionId), c.bmcGuid);

function authHash(auth: number): { hash: HashName; icvLength: number } {
  switch (auth) {
    case AuthAlgorithm.RAKP_HMAC_SHA1:
      return { hash: 'sha1', icvLength: 12 };
    case AuthAlgorithm.RAKP_HMAC_SHA256:
      return { hash: 'sha256', icvLength: 16 };
    case AuthAlgorithm.RAKP_HMAC_MD5:
      return { hash: 'md5', icvLength: 16 };
    default:
      throw new ProtocolError('RAKP_UNSUPPORTED_AUTH', `authentication algorithm ${auth}`);
  }
}

/**
 * Kuid: the user's password, at most 20 bytes (IPMI v2.0 §13.31 "20-byte key"). HMAC pads a short key with
 * zeros, so the password's own bytes give the same result as ipmitool's zero-padded 20-byte buffer.
 */
export function userKey(password: string): Uint8Array {
  const key = latin1Bytes(password);
  if (key.length > 20) throw new RangeError(`an IPMI v2.0 password has at most 20 bytes, not ${key.length}`);
  return key;
}

export interface RakpKeys {
  /** The HMAC RAKP2 must carry. */
  rakp2AuthCode: Uint8Array;
  /** The HMAC to send in RAKP3. */
  rakp3AuthCode: Uint8Array;
  sik: Uint8Array;
  k1: Uint8Array;
  k2: Uint8Array;
  /** The integrity check value RAKP4 must carry (truncated as §13.28.4 says for the suite). */
  rakp4Icv: Uint8Array;
}

/**
 * All keys of a session from the context. `kg` is the BMC key when the BMC has one set (two-key login);
 * otherwise Kuid stands in for it (§13.31 "if Kg is all zeros, Kuid is used").
 */
export function deriveKeys(crypto: IpmiCrypto, auth: number, c: RakpContext, password: string, kg?: Uint8Array): RakpKeys {
  const { hash, icvLength } = authHash(auth);
  const kuid = userKey(password);
  const sik = crypto.hmac(hash, kg && kg.some((b) => b !== 0) ? kg : kuid, sikInput(c));
  // §13.32: Const 1 and Const 2 are 20 bytes of 01h / 02h whatever the hash (ipmitool's CONST_1 too):
  // with SHA256 the constant stays 20 bytes, only the result is 32.
  const constant = (v: number) => new Uint8Array(20).fill(v);
  return {
    rakp2AuthCode: crypto.hmac(hash, kuid, rakp2Input(c)),
    rakp3AuthCode: crypto.hmac(hash, kuid, rakp3Input(c)),
    sik,
    k1: crypto.hmac(hash, sik, constant(0x01)),
    k2: crypto.hmac(hash, sik, constant(0x02)),
    rakp4Icv: crypto.hmac(hash, sik, rakp4Input(c)).subarray(0, icvLength),
  };
}

/** The packet protection of a session on `suite` with `keys`. */
export function sessionSecurity(suite: CipherSuite, keys: Pick<RakpKeys, 'k1' | 'k2'>): SessionSecurity {
  return { integrity: suite.integrity, confidentiality: suite.confidentiality, k1: keys.k1, k2: keys.k2 };
}
