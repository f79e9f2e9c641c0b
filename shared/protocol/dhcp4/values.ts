/**
 * Option value layouts (RFC 2132, 3004, 4578; PXE 2.1 option 43): bytes <-> typed values. Readers are strict
 * about lengths and throw ProtocolError codes; writers produce exactly what the RFC asks.
 */
import { latin1, latin1Bytes } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import { formatIPv4, ipv4FromBytes, ipv4ToBytes, parseIPv4 } from '../../net/ipv4.ts';
import { DhcpOption } from './options.ts';
import type { DhcpOptionValue } from './codec.ts';

export function u8(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff);
}

export function u16(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}

export function u32(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

export function readU16(data: Uint8Array, what: string): number {
  if (data.length !== 2) throw new ProtocolError('DHCP_BAD_OPTION_LENGTH', `${what} must be 2 bytes, got ${data.length}`);
  return (data[0]! << 8) | data[1]!;
}

export function readU32(data: Uint8Array, what: string): number {
  if (data.length !== 4) throw new ProtocolError('DHCP_BAD_OPTION_LENGTH', `${what} must be 4 bytes, got ${data.length}`);
  return ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
}

export function ipList(addresses: readonly string[]): Uint8Array {
  const out = new Uint8Array(addresses.length * 4);
  addresses.forEach((a, i) => {
    const v = parseIPv4(a);
    if (v === null) throw new ProtocolError('DHCP_BAD_ADDRESS', `not an IPv4 address: ${a}`);
    out.set(ipv4ToBytes(v), i * 4);
  });
  return out;
}

export function readIp(data: Uint8Array, what: string): string {
  if (data.length !== 4) throw new ProtocolError('DHCP_BAD_OPTION_LENGTH', `${what} must be 4 bytes, got ${data.length}`);
  return formatIPv4(ipv4FromBytes(data));
}

/** Text options. `nul` adds a terminating NUL: option 66/67 for PXE ROMs that read C strings (dnsmasq "buggy PXE again"). */
export function text(value: string, nul = false): Uint8Array {
  const bytes = latin1Bytes(value);
  if (!nul) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Text with trailing NULs dropped (clients NUL-terminate options 12, 60, 67 inconsistently). */
export function readText(data: Uint8Array): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return latin1(data.subarray(0, end));
}

/**
 * An encapsulated option list (option 43 PXE sub-options, option 175 iPXE, option 82 relay sub-options):
 * code/len/value with PAD 0 and END 255 (PXE 2.1; RFC 3046 sub-options have no PAD/END but never use 0/255).
 */
export function decodeSuboptions(data: Uint8Array, what: string): DhcpOptionValue[] {
  const out: DhcpOptionValue[] = [];
  let i = 0;
  while (i < data.length) {
    const code = data[i]!;
    if (code === 0) {
      i++;
      continue;
    }
    if (code === 255) break;
    if (i + 1 >= data.length) throw new ProtocolError('DHCP_SUBOPTION_TRUNCATED', `${what} sub-option ${code} has no length byte`);
    const len = data[i + 1]!;
    if (i + 2 + len > data.length) throw new ProtocolError('DHCP_SUBOPTION_OVERRUN', `${what} sub-option ${code} claims ${len} bytes past the end`);
    out.push({ code, data: data.slice(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}

/** Encodes sub-options, ending with 255 when `end` (PXE option 43 requires it). The whole must fit in 255 bytes. */
export function encodeSuboptions(list: readonly DhcpOptionValue[], end: boolean, what: string): Uint8Array {
  const size = list.reduce((n, o) => n + 2 + o.data.length, 0) + (end ? 1 : 0);
  if (size > 255) throw new ProtocolError('DHCP_OPTION_TOO_LONG', `${what} needs ${size} bytes; one option holds 255`);
  const out = new Uint8Array(size);
  let at = 0;
  for (const o of list) {
    if (o.data.length > 255) throw new ProtocolError('DHCP_OPTION_TOO_LONG', `${what} sub-option ${o.code} is longer than 255 bytes`);
    out[at] = o.code;
    out[at + 1] = o.data.length;
    out.set(o.data, at + 2);
    at += 2 + o.data.length;
  }
  if (end) out[at] = 255;
  return out;
}

/** PXE 2.1 option 43 sub-options rackboot reads or writes. */
export const PxeSub = {
  DISCOVERY_CONTROL: 6,
  BOOT_SERVERS: 8,
  BOOT_MENU: 9,
  MENU_PROMPT: 10,
  BOOT_ITEM: 71,
} as const;

/** Discovery control bit 3: "if a boot file name is present, download it from siaddr; skip discovery and menus". */
export const PXE_SKIP_DISCOVERY = 0x08;

/** PXE_BOOT_ITEM (sub-option 71): the boot server type and layer a client asks the 4011 service for. */
export function bootItem(option43: Uint8Array | undefined): { type: number; layer: number } | null {
  if (!option43) return null;
  const item = decodeSuboptions(option43, 'option 43').find((o) => o.code === PxeSub.BOOT_ITEM);
  if (!item) return null;
  if (item.data.length !== 4) throw new ProtocolError('DHCP_BAD_OPTION_LENGTH', `PXE boot item must be 4 bytes, got ${item.data.length}`);
  return { type: (item.data[0]! << 8) | item.data[1]!, layer: (item.data[2]! << 8) | item.data[3]! };
}

/**
 * Option 77 user classes. RFC 3004 says a list of length-prefixed strings; iPXE and many clients send one raw
 * string (`iPXE`). Accept both, as dnsmasq does: if the RFC reading does not consume the bytes exactly, it is raw.
 */
export function userClasses(data: Uint8Array | undefined): string[] {
  if (!data || data.length === 0) return [];
  const list: string[] = [];
  let i = 0;
  while (i < data.length) {
    const len = data[i]!;
    if (len === 0 || i + 1 + len > data.length) return [readText(data)];
    list.push(latin1(data.subarray(i + 1, i + 1 + len)));
    i += 1 + len;
  }
  return list;
}

/** Option 97 (RFC 4578 §2.3): type 0 + 16-byte GUID, formatted as a UUID (SMBIOS byte order for the first three fields). */
export function clientGuid(data: Uint8Array | undefined): string | null {
  if (!data || data.length !== 17 || data[0] !== 0) return null; // some ROMs send junk here; pixiecore ignores it too
  const b = data.subarray(1);
  const h = (from: number, to: number, reverse: boolean) => {
    const part = Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, '0'));
    return (reverse ? part.reverse() : part).join('');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

/** Maximum DHCP message size the client accepts (option 57, RFC 2132 §9.10); 576-byte datagrams otherwise. */
export function maxMessageSize(data: Uint8Array | undefined): number {
  if (!data || data.length !== 2) return 548;
  const v = (data[0]! << 8) | data[1]!;
  // Values below the IP minimum are nonsense: keep the floor. IP + UDP headers are 28 bytes.
  return Math.max(548, v - 28);
}

export function option(code: number, data: Uint8Array): DhcpOptionValue {
  return { code, data };
}

export const requestedOptions = (data: Uint8Array | undefined): Set<number> => new Set(data ?? []);

export { DhcpOption };
