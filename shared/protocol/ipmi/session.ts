/**
 * IPMI session wrappers inside RMCP class 7: the v1.5 header (IPMI v2.0 §13.6, Table 13-4) and the
 * v2.0 / RMCP+ header with its integrity trailer and AES-CBC-128 confidentiality (§13.6, §13.28, §13.29).
 * The codecs are pure; `seal`/`open` take the hash and cipher as functions (node:crypto in the core,
 * WebCrypto or a test vector elsewhere).
 */
import { bytesEqual } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import { decodeRmcpHeader, encodeRmcpHeader, RMCP_NO_ACK_SEQUENCE, RmcpClass } from './rmcp.ts';

/** IPMI v2.0 Table 13-17 (v1.5 authentication types) plus 6 = RMCP+ (format = IPMI v2.0 session). */
export const AuthType = { NONE: 0, MD2: 1, MD5: 2, PASSWORD: 4, OEM: 5, RMCP_PLUS: 6 } as const;

/** IPMI v2.0 Table 13-16, payload type numbers (bits 5:0 of the payload type byte). */
export const PayloadType = {
  IPMI: 0x00,
  SOL: 0x01,
  OEM_EXPLICIT: 0x02,
  OPEN_SESSION_REQUEST: 0x10,
  OPEN_SESSION_RESPONSE: 0x11,
  RAKP1: 0x12,
  RAKP2: 0x13,
  RAKP3: 0x14,
  RAKP4: 0x15,
} as const;

export interface Session15 {
  format: 'v1.5';
  authType: number;
  sequence: number;
  sessionId: number;
  /** 16 bytes, present unless authType is NONE (Table 13-4). */
  authCode: Uint8Array | null;
  payload: Uint8Array;
}

export interface Session20Trailer {
  /** 0 to 3 FFh bytes so that AuthType..NextHeader is a multiple of 4 bytes (§13.28.4). */
  padLength: number;
  /** Always 07h (§13.6 Table 13-8 "Next Header"). */
  nextHeader: number;
  authCode: Uint8Array;
}

export interface Session20 {
  format: 'v2.0';
  payloadType: number;
  encrypted: boolean;
  authenticated: boolean;
  /** Only for payload type 02h (OEM explicit): the OEM IANA and the OEM payload ID. */
  oem: { iana: number; payloadId: number } | null;
  sessionId: number;
  sequence: number;
  /** As on the wire: the IV and ciphertext when `encrypted`. */
  payload: Uint8Array;
  trailer: Session20Trailer | null;
}

export type IpmiSession = Session15 | Session20;

/** Largest payload a v1.5 header can describe (one length byte) and the bound this decoder applies to v2.0. */
const MAX_V20_PAYLOAD = 0xffff;
/** Integrity authcode lengths of the algorithms in Table 13-19 that this codec knows. */
const AUTHCODE_LENGTHS = [12, 16];

const u32le = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
const put32le = (b: Uint8Array, at: number, v: number) => {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
};
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** The v2.0 header length before the payload (OEM explicit adds IANA + payload ID). */
function header20Length(payloadType: number): number {
  return 12 + (payloadType === PayloadType.OEM_EXPLICIT ? 6 : 0);
}

/**
 * An IPMI session (v1.5 or v2.0, told apart by the AuthType byte) from the bytes after the RMCP header.
 * `authCodeLength` is the integrity algorithm's output (12 for HMAC-SHA1-96, 16 for HMAC-SHA256-128 and
 * MD5-128); without it the trailer's layout decides, as only one of 12 and 16 leaves a pad of 0 to 3 bytes.
 */
export function decodeSession(bytes: Uint8Array, offset = 0, options: { authCodeLength?: number } = {}): { value: IpmiSession; bytesRead: number } {
  const b = offset ? bytes.subarray(offset) : bytes;
  if (b.length < 1) throw new ProtocolError('IPMI_SESSION_TOO_SHORT', 'no session header');
  const authType = b[0]! & 0x0f;
  if (authType !== AuthType.RMCP_PLUS) {
    if (![AuthType.NONE, AuthType.MD2, AuthType.MD5, AuthType.PASSWORD, AuthType.OEM].includes(authType as 0)) {
      throw new ProtocolError('IPMI_BAD_AUTH_TYPE', `authentication type ${authType}`);
    }
    const codeLength = authType === AuthType.NONE ? 0 : 16;
    const headerLength = 1 + 4 + 4 + codeLength + 1;
    if (b.length < headerLength) throw new ProtocolError('IPMI_SESSION_TOO_SHORT', `${b.length} bytes, a v1.5 header has ${headerLength}`);
    const length = b[headerLength - 1]!;
    if (b.length < headerLength + length) throw new ProtocolError('IPMI_PAYLOAD_TRUNCATED', `payload length ${length}, ${b.length - headerLength} bytes present`);
    return {
      value: {
        format: 'v1.5',
        authType,
        sequence: u32le(b, 1),
        sessionId: u32le(b, 5),
        authCode: codeLength ? b.slice(9, 25) : null,
        payload: b.slice(headerLength, headerLength + length),
      },
      // A v1.5 sender may add one legacy pad byte after the payload (IPMI v1.5 §12.7); it is not part of the message.
      bytesRead: headerLength + length,
    };
  }
  if (b.length < 12) throw new ProtocolError('IPMI_SESSION_TOO_SHORT', `${b.length} bytes, a v2.0 header has 12`);
  const typeByte = b[1]!;
  const payloadType = typeByte & 0x3f;
  const headerLength = header20Length(payloadType);
  if (b.length < headerLength) throw new ProtocolError('IPMI_SESSION_TOO_SHORT', `${b.length} bytes, an OEM explicit header has ${headerLength}`);
  const oem = payloadType === PayloadType.OEM_EXPLICIT ? { iana: u32be(b, 2) & 0xffffff, payloadId: (b[6]! << 8) | b[7]! } : null;
  const at = headerLength - 10;
  const sessionId = u32le(b, at);
  const sequence = u32le(b, at + 4);
  const length = b[at + 8]! | (b[at + 9]! << 8);
  if (b.length < headerLength + length) throw new ProtocolError('IPMI_PAYLOAD_TRUNCATED', `payload length ${length}, ${b.length - headerLength} bytes present`);
  const payloadEnd = headerLength + length;
  const authenticated = (typeByte & 0x40) !== 0;
  let trailer: Session20Trailer | null = null;
  let end = payloadEnd;
  if (authenticated) {
    const rest = b.length - payloadEnd;
    const lengths = options.authCodeLength !== undefined ? [options.authCodeLength] : AUTHCODE_LENGTHS;
    const fits = lengths.filter((l) => {
      const pad = rest - 2 - l;
      return pad >= 0 && pad <= 3 && b[payloadEnd + pad] === pad;
    });
    if (fits.length !== 1) throw new ProtocolError('IPMI_BAD_TRAILER', `${rest} bytes after an authenticated payload fit no integrity trailer`);
    const codeLength = fits[0]!;
    const padLength = rest - 2 - codeLength;
    for (let i = 0; i < padLength; i++) {
      if (b[payloadEnd + i] !== 0xff) throw new ProtocolError('IPMI_BAD_INTEGRITY_PAD', `integrity pad byte ${i} is ${b[payloadEnd + i]}, not FFh`);
    }
    const nextHeader = b[payloadEnd + padLength + 1]!;
    if (nextHeader !== 0x07) throw new ProtocolError('IPMI_BAD_NEXT_HEADER', `next header ${nextHeader}, not 07h`);
    if ((headerLength + length + padLength + 2) % 4 !== 0) throw new ProtocolError('IPMI_BAD_INTEGRITY_PAD', 'the integrity pad does not align the packet to 4 bytes');
    trailer = { padLength, nextHeader, authCode: b.slice(payloadEnd + padLength + 2, payloadEnd + padLength + 2 + codeLength) };
    end = b.length;
  }
  return {
    value: { format: 'v2.0', payloadType, encrypted: (typeByte & 0x80) !== 0, authenticated, oem, sessionId, sequence, payload: b.slice(headerLength, payloadEnd), trailer },
    bytesRead: end,
  };
}

export function encodingLength(s: IpmiSession): number {
  if (s.format === 'v1.5') return 1 + 4 + 4 + (s.authType === AuthType.NONE ? 0 : 16) + 1 + s.payload.length;
  const base = header20Length(s.payloadType) + s.payload.length;
  return s.trailer ? base + s.trailer.padLength + 2 + s.trailer.authCode.length : base;
}

export function encodeSession(s: IpmiSession): Uint8Array {
  const out = new Uint8Array(encodingLength(s));
  if (s.format === 'v1.5') {
    if (s.payload.length > 0xff) throw new RangeError(`a v1.5 payload has at most 255 bytes, not ${s.payload.length}`);
    out[0] = s.authType;
    put32le(out, 1, s.sequence);
    put32le(out, 5, s.sessionId);
    let at = 9;
    if (s.authType !== AuthType.NONE) {
      if (!s.authCode || s.authCode.length !== 16) throw new RangeError('a v1.5 authcode has 16 bytes');
      out.set(s.authCode, at);
      at += 16;
    }
    out[at] = s.payload.length;
    out.set(s.payload, at + 1);
    return out;
  }
  if (s.payload.length > MAX_V20_PAYLOAD) throw new RangeError(`a v2.0 payload has at most 65535 bytes, not ${s.payload.length}`);
  out[0] = AuthType.RMCP_PLUS;
  out[1] = (s.encrypted ? 0x80 : 0) | (s.authenticated ? 0x40 : 0) | (s.payloadType & 0x3f);
  let at = 2;
  if (s.payloadType === PayloadType.OEM_EXPLICIT) {
    const oem = s.oem ?? { iana: 0, payloadId: 0 };
    out[2] = 0;
    out[3] = (oem.iana >>> 16) & 0xff;
    out[4] = (oem.iana >>> 8) & 0xff;
    out[5] = oem.iana & 0xff;
    out[6] = (oem.payloadId >>> 8) & 0xff;
    out[7] = oem.payloadId & 0xff;
    at = 8;
  }
  put32le(out, at, s.sessionId);
  put32le(out, at + 4, s.sequence);
  out[at + 8] = s.payload.length & 0xff;
  out[at + 9] = s.payload.length >>> 8;
  out.set(s.payload, at + 10);
  at += 10 + s.payload.length;
  if (s.trailer) {
    out.fill(0xff, at, at + s.trailer.padLength);
    at += s.trailer.padLength;
    out[at] = s.trailer.padLength;
    out[at + 1] = s.trailer.nextHeader;
    out.set(s.trailer.authCode, at + 2);
  }
  return out;
}

/** A whole datagram: RMCP header (class IPMI, no ACK) + session. */
export function decodeIpmiPacket(bytes: Uint8Array, offset = 0, options: { authCodeLength?: number } = {}): { value: IpmiSession; bytesRead: number } {
  const { value: rmcp } = decodeRmcpHeader(bytes, offset);
  if (rmcp.messageClass !== RmcpClass.IPMI) throw new ProtocolError('RMCP_NOT_IPMI', `RMCP class ${rmcp.messageClass}, not 7 (IPMI)`);
  if (rmcp.ack) throw new ProtocolError('RMCP_UNEXPECTED_ACK', 'an RMCP ACK in place of an IPMI message');
  const { value, bytesRead } = decodeSession(bytes, offset + 4, options);
  return { value, bytesRead: 4 + bytesRead };
}

export function encodeIpmiPacket(s: IpmiSession): Uint8Array {
  const session = encodeSession(s);
  const out = new Uint8Array(4 + session.length);
  out.set(encodeRmcpHeader({ sequence: RMCP_NO_ACK_SEQUENCE, messageClass: RmcpClass.IPMI, ack: false }), 0);
  out.set(session, 4);
  return out;
}

// ---- Integrity and confidentiality (§13.28, §13.29) ----

export type HashName = 'sha1' | 'sha256' | 'md5';

/** The primitives RMCP+ needs, handed in so this module stays pure. */
export interface IpmiCrypto {
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES-128-CBC without padding: `data` is a multiple of 16 bytes. */
  aes128Cbc(direction: 'encrypt' | 'decrypt', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  randomBytes(length: number): Uint8Array;
}

/** IPMI v2.0 Table 13-18 (integrity algorithm numbers). */
export const IntegrityAlgorithm = { NONE: 0, HMAC_SHA1_96: 1, HMAC_MD5_128: 2, MD5_128: 3, HMAC_SHA256_128: 4 } as const;
/** IPMI v2.0 Table 13-19 (confidentiality algorithm numbers). */
export const ConfidentialityAlgorithm = { NONE: 0, AES_CBC_128: 1, XRC4_128: 2, XRC4_40: 3 } as const;

/** What an established session protects its packets with. */
export interface SessionSecurity {
  /** IntegrityAlgorithm: NONE, HMAC_SHA1_96 or HMAC_SHA256_128. */
  integrity: number;
  /** ConfidentialityAlgorithm: NONE or AES_CBC_128. */
  confidentiality: number;
  k1: Uint8Array;
  k2: Uint8Array;
}

function integrityHash(alg: number): { hash: HashName; length: number } | null {
  switch (alg) {
    case IntegrityAlgorithm.NONE:
      return null;
    case IntegrityAlgorithm.HMAC_SHA1_96:
      return { hash: 'sha1', length: 12 };
    case IntegrityAlgorithm.HMAC_SHA256_128:
      return { hash: 'sha256', length: 16 };
    case IntegrityAlgorithm.HMAC_MD5_128:
      return { hash: 'md5', length: 16 };
    default:
      throw new ProtocolError('IPMI_UNSUPPORTED_INTEGRITY', `integrity algorithm ${alg}`);
  }
}

/** §13.29: IV, then the data, pad bytes 01h, 02h, ... N and the pad length N, to a multiple of 16, encrypted with K2[0..16). */
export function encryptAesCbc128(crypto: IpmiCrypto, k2: Uint8Array, plain: Uint8Array, iv = crypto.randomBytes(16)): Uint8Array {
  const padLength = (16 - ((plain.length + 1) % 16)) % 16;
  const block = new Uint8Array(plain.length + padLength + 1);
  block.set(plain, 0);
  for (let i = 0; i < padLength; i++) block[plain.length + i] = i + 1;
  block[block.length - 1] = padLength;
  const cipher = crypto.aes128Cbc('encrypt', k2.subarray(0, 16), iv, block);
  const out = new Uint8Array(16 + cipher.length);
  out.set(iv, 0);
  out.set(cipher, 16);
  return out;
}

export function decryptAesCbc128(crypto: IpmiCrypto, k2: Uint8Array, payload: Uint8Array): Uint8Array {
  if (payload.length < 32 || payload.length % 16 !== 0) throw new ProtocolError('IPMI_BAD_CIPHERTEXT', `${payload.length} bytes is not an IV and whole AES blocks`);
  const plain = crypto.aes128Cbc('decrypt', k2.subarray(0, 16), payload.subarray(0, 16), payload.subarray(16));
  const padLength = plain[plain.length - 1]!;
  if (padLength > 15) throw new ProtocolError('IPMI_BAD_CONFIDENTIALITY_PAD', `pad length ${padLength}`);
  const dataLength = plain.length - 1 - padLength;
  // §13.29.1: the pad bytes count up from 01h; a mismatch means a wrong key or a damaged packet.
  for (let i = 0; i < padLength; i++) {
    if (plain[dataLength + i] !== i + 1) throw new ProtocolError('IPMI_BAD_CONFIDENTIALITY_PAD', `pad byte ${i} is ${plain[dataLength + i]}`);
  }
  return plain.slice(0, dataLength);
}

export interface SealOptions {
  payloadType: number;
  sessionId: number;
  sequence: number;
  payload: Uint8Array;
  /** Null before the session is active (Open Session, RAKP) and for cipher suite 0. */
  security: SessionSecurity | null;
  crypto: IpmiCrypto;
  /** A fixed IV (tests); a random one otherwise. */
  iv?: Uint8Array;
}

/** A v2.0 datagram: payload encrypted and authenticated as `security` says. */
export function seal(o: SealOptions): Uint8Array {
  const sec = o.security;
  const encrypted = sec !== null && sec.confidentiality === ConfidentialityAlgorithm.AES_CBC_128;
  if (sec && sec.confidentiality !== ConfidentialityAlgorithm.NONE && !encrypted) {
    throw new ProtocolError('IPMI_UNSUPPORTED_CONFIDENTIALITY', `confidentiality algorithm ${sec.confidentiality}`);
  }
  const payload = encrypted ? encryptAesCbc128(o.crypto, sec.k2, o.payload, o.iv) : o.payload;
  const integrity = sec ? integrityHash(sec.integrity) : null;
  const session: Session20 = {
    format: 'v2.0',
    payloadType: o.payloadType,
    encrypted,
    authenticated: integrity !== null,
    oem: null,
    sessionId: o.sessionId,
    sequence: o.sequence,
    payload,
    trailer: null,
  };
  if (!integrity) return encodeIpmiPacket(session);
  const padLength = (4 - ((header20Length(o.payloadType) + payload.length + 2) % 4)) % 4;
  session.trailer = { padLength, nextHeader: 0x07, authCode: new Uint8Array(integrity.length) };
  const packet = encodeIpmiPacket(session);
  // §13.28.4: the AuthCode covers AuthType through Next Header (the RMCP header is not included).
  const covered = packet.subarray(4, packet.length - integrity.length);
  packet.set(o.crypto.hmac(integrity.hash, sec!.k1, covered).subarray(0, integrity.length), packet.length - integrity.length);
  return packet;
}

export interface Opened {
  payloadType: number;
  sessionId: number;
  sequence: number;
  authenticated: boolean;
  encrypted: boolean;
  /** Decrypted when it was encrypted. */
  payload: Uint8Array;
}

/**
 * Decodes a v2.0 datagram and checks it as `security` says: with integrity, an unauthenticated packet or a
 * wrong AuthCode is refused; with confidentiality, the payload is decrypted (IPMI messages must be encrypted;
 * §13.28.4 lets a BMC send unencrypted error payloads outside a session, which `security: null` decodes).
 */
export function open(bytes: Uint8Array, security: SessionSecurity | null, crypto: IpmiCrypto): Opened {
  const integrity = security ? integrityHash(security.integrity) : null;
  const { value } = decodeIpmiPacket(bytes, 0, integrity ? { authCodeLength: integrity.length } : {});
  if (value.format !== 'v2.0') throw new ProtocolError('IPMI_NOT_V20', `a v1.5 session (authentication type ${value.authType}) inside an RMCP+ session`);
  if (integrity) {
    if (!value.authenticated || !value.trailer) throw new ProtocolError('IPMI_UNAUTHENTICATED', 'the session has integrity but the packet is not authenticated');
    const covered = bytes.subarray(4, bytes.length - value.trailer.authCode.length);
    const expected = crypto.hmac(integrity.hash, security!.k1, covered).subarray(0, integrity.length);
    if (!bytesEqual(expected, value.trailer.authCode)) throw new ProtocolError('IPMI_BAD_AUTHCODE', 'the packet AuthCode does not match K1');
  }
  let payload = value.payload;
  if (value.encrypted) {
    if (!security || security.confidentiality !== ConfidentialityAlgorithm.AES_CBC_128) throw new ProtocolError('IPMI_UNEXPECTED_ENCRYPTION', 'an encrypted payload where none was negotiated');
    payload = decryptAesCbc128(crypto, security.k2, value.payload);
  } else if (security && security.confidentiality !== ConfidentialityAlgorithm.NONE && value.payloadType === PayloadType.IPMI) {
    throw new ProtocolError('IPMI_UNENCRYPTED', 'the session has confidentiality but the IPMI payload is in the clear');
  }
  return { payloadType: value.payloadType, sessionId: value.sessionId, sequence: value.sequence, authenticated: value.authenticated, encrypted: value.encrypted, payload };
}
