/**
 * DHCPv4 / BOOTP packet codec (RFC 951, RFC 2131 §2, RFC 2132, RFC 3396).
 * decode(bytes, offset?) -> { value, bytesRead }; encode(value) -> bytes; encodingLength(value).
 * Options are kept as an ordered list of raw values so unknown options survive a round trip.
 */
import { cString, latin1, latin1Bytes } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import { formatIPv4, ipv4FromBytes, ipv4ToBytes, parseIPv4 } from '../../net/ipv4.ts';
import { DhcpOption } from './options.ts';

export const MAGIC_COOKIE = 0x63825363;
/** Fixed BOOTP header + magic cookie. */
export const HEADER_LENGTH = 240;
/** RFC 951 BOOTP minimum; Linux's in-kernel client drops shorter replies (dnsmasq MIN_PACKETSZ). */
export const MIN_PACKET_LENGTH = 300;
/** Largest UDP payload we will decode: one Ethernet jumbo frame is far past what any client sends. */
export const MAX_PACKET_LENGTH = 9000;

export interface DhcpOptionValue {
  code: number;
  data: Uint8Array;
}

export interface DhcpPacket {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** All 16 bytes of chaddr; the hardware address is the first `hlen`. */
  chaddr: Uint8Array;
  sname: string;
  file: string;
  /** In wire order; repeated codes are concatenated (RFC 3396); option 52 is consumed, not listed. */
  options: DhcpOptionValue[];
  /** Option 52 as received (1 file, 2 sname, 3 both); informational, encode never overloads. */
  overload?: number;
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const FLAG_BROADCAST = 0x8000;

function readAddress(bytes: Uint8Array, at: number): string {
  return formatIPv4(ipv4FromBytes(bytes, at));
}

/** Parses one option area into `into`, concatenating repeated codes; stops at END. */
function readOptionArea(
  bytes: Uint8Array,
  start: number,
  end: number,
  into: Map<number, Uint8Array[]>,
  where: string,
): void {
  let i = start;
  // Bounded: every iteration advances i by at least one byte and i never passes `end`.
  while (i < end) {
    const code = bytes[i]!;
    if (code === DhcpOption.PAD) {
      i += 1;
      continue;
    }
    if (code === DhcpOption.END) return;
    if (i + 1 >= end) throw new ProtocolError('DHCP_OPTION_TRUNCATED', `option ${code} in ${where} has no length byte`);
    const len = bytes[i + 1]!;
    if (i + 2 + len > end) {
      throw new ProtocolError('DHCP_OPTION_OVERRUN', `option ${code} in ${where} claims ${len} bytes past the end`);
    }
    const chunks = into.get(code);
    const value = bytes.slice(i + 2, i + 2 + len);
    if (chunks) chunks.push(value);
    else into.set(code, [value]);
    i += 2 + len;
  }
  // RFC 2131 requires END; clients and servers that omit it are common enough to accept.
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function decode(bytes: Uint8Array, offset = 0): { value: DhcpPacket; bytesRead: number } {
  const length = bytes.length - offset;
  if (length < HEADER_LENGTH) {
    throw new ProtocolError('DHCP_TOO_SHORT', `${length} bytes; a DHCP packet has at least ${HEADER_LENGTH}`);
  }
  if (length > MAX_PACKET_LENGTH) throw new ProtocolError('DHCP_TOO_LONG', `${length} bytes`);
  const b = offset === 0 ? bytes : bytes.subarray(offset);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint32(236) !== MAGIC_COOKIE) {
    throw new ProtocolError('DHCP_BAD_COOKIE', 'magic cookie is not 63 82 53 63 (plain BOOTP is not served)');
  }
  const op = b[0]!;
  if (op !== BOOTREQUEST && op !== BOOTREPLY) throw new ProtocolError('DHCP_BAD_OP', `op ${op}`);
  const hlen = b[2]!;
  if (hlen > 16) throw new ProtocolError('DHCP_BAD_HLEN', `hlen ${hlen} exceeds the 16-byte chaddr field`);

  const found = new Map<number, Uint8Array[]>();
  readOptionArea(b, HEADER_LENGTH, b.length, found, 'options');
  let overload: number | undefined;
  let sname = cString(b.subarray(44, 108));
  let file = cString(b.subarray(108, 236));
  const overloadChunks = found.get(DhcpOption.OVERLOAD);
  if (overloadChunks) {
    const value = concat(overloadChunks);
    found.delete(DhcpOption.OVERLOAD);
    if (value.length !== 1 || value[0]! < 1 || value[0]! > 3) {
      throw new ProtocolError('DHCP_BAD_OVERLOAD', 'option 52 must be one byte of 1, 2 or 3');
    }
    overload = value[0]!;
    // RFC 2131 4.1: options, then `file`, then `sname`. Option 52 inside them is ignored.
    if (overload & 1) {
      readOptionArea(b, 108, 236, found, 'file');
      file = '';
    }
    if (overload & 2) {
      readOptionArea(b, 44, 108, found, 'sname');
      sname = '';
    }
    found.delete(DhcpOption.OVERLOAD);
  }
  const options: DhcpOptionValue[] = [];
  for (const [code, chunks] of found) options.push({ code, data: concat(chunks) });

  const value: DhcpPacket = {
    op,
    htype: b[1]!,
    hlen,
    hops: b[3]!,
    xid: view.getUint32(4),
    secs: view.getUint16(8),
    flags: view.getUint16(10),
    ciaddr: readAddress(b, 12),
    yiaddr: readAddress(b, 16),
    siaddr: readAddress(b, 20),
    giaddr: readAddress(b, 24),
    chaddr: b.slice(28, 44),
    sname,
    file,
    options,
  };
  if (overload !== undefined) value.overload = overload;
  return { value, bytesRead: length };
}

function optionsLength(options: DhcpOptionValue[]): number {
  let n = 0;
  for (const o of options) {
    // RFC 3396: a value longer than 255 bytes becomes consecutive instances of the same code.
    const pieces = Math.max(1, Math.ceil(o.data.length / 255));
    n += pieces * 2 + o.data.length;
  }
  return n;
}

export function encodingLength(packet: DhcpPacket): number {
  return Math.max(MIN_PACKET_LENGTH, HEADER_LENGTH + optionsLength(packet.options) + 1);
}

function writeAddress(out: Uint8Array, at: number, text: string, field: string): void {
  const v = parseIPv4(text);
  if (v === null) throw new ProtocolError('DHCP_BAD_ADDRESS', `${field} is not an IPv4 address: ${text}`);
  out.set(ipv4ToBytes(v), at);
}

function writeCString(out: Uint8Array, at: number, size: number, text: string, field: string): void {
  const bytes = latin1Bytes(text);
  // Always leave room for the NUL: PXE ROMs read these as C strings.
  if (bytes.length > size - 1) throw new ProtocolError('DHCP_FIELD_TOO_LONG', `${field} is longer than ${size - 1} bytes`);
  out.set(bytes, at);
}

export function encode(packet: DhcpPacket): Uint8Array {
  const out = new Uint8Array(encodingLength(packet));
  const view = new DataView(out.buffer);
  out[0] = packet.op;
  out[1] = packet.htype;
  out[2] = packet.hlen;
  out[3] = packet.hops;
  view.setUint32(4, packet.xid >>> 0);
  view.setUint16(8, packet.secs);
  view.setUint16(10, packet.flags);
  writeAddress(out, 12, packet.ciaddr, 'ciaddr');
  writeAddress(out, 16, packet.yiaddr, 'yiaddr');
  writeAddress(out, 20, packet.siaddr, 'siaddr');
  writeAddress(out, 24, packet.giaddr, 'giaddr');
  if (packet.chaddr.length > 16) throw new ProtocolError('DHCP_BAD_HLEN', 'chaddr is longer than 16 bytes');
  out.set(packet.chaddr, 28);
  writeCString(out, 44, 64, packet.sname, 'sname');
  writeCString(out, 108, 128, packet.file, 'file');
  view.setUint32(236, MAGIC_COOKIE);
  let at = HEADER_LENGTH;
  for (const { code, data } of packet.options) {
    if (code === DhcpOption.PAD || code === DhcpOption.END || code === DhcpOption.OVERLOAD) {
      throw new ProtocolError('DHCP_RESERVED_OPTION', `option ${code} is written by the encoder itself`);
    }
    let rest = data;
    do {
      const piece = rest.subarray(0, 255);
      out[at] = code;
      out[at + 1] = piece.length;
      out.set(piece, at + 2);
      at += 2 + piece.length;
      rest = rest.subarray(piece.length);
    } while (rest.length > 0);
  }
  out[at] = DhcpOption.END;
  return out;
}

export const dhcp4 = { decode, encode, encodingLength };

// ---- typed accessors over the raw option list ----

export function getOption(packet: DhcpPacket, code: number): Uint8Array | undefined {
  return packet.options.find((o) => o.code === code)?.data;
}

export function messageType(packet: DhcpPacket): number | undefined {
  const v = getOption(packet, DhcpOption.MESSAGE_TYPE);
  return v && v.length === 1 ? v[0] : undefined;
}

/** Option 93 as a list of architecture codes (RFC 4578 §2.1: a list of u16; odd lengths are refused). */
export function clientArchitectures(packet: DhcpPacket): number[] | undefined {
  const v = getOption(packet, DhcpOption.CLIENT_ARCH);
  if (!v) return undefined;
  if (v.length === 0 || v.length % 2 !== 0) {
    throw new ProtocolError('DHCP_BAD_ARCH', `option 93 has ${v.length} bytes; it is a list of 16-bit codes`);
  }
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 2) out.push((v[i]! << 8) | v[i + 1]!);
  return out;
}

export function vendorClass(packet: DhcpPacket): string | undefined {
  const v = getOption(packet, DhcpOption.VENDOR_CLASS);
  return v ? latin1(v) : undefined;
}

export function hardwareAddress(packet: DhcpPacket): Uint8Array {
  return packet.chaddr.subarray(0, Math.min(packet.hlen, 16));
}
