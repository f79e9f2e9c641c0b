/**
 * Strict IPv4, CIDR and MAC parsing for input at the edge (CONVENTIONS §9).
 * Only canonical dotted quads are accepted: no octal (`010.1.1.1`), hex (`0xc0.168.1.1`),
 * short forms (`127.1`) or surrounding space, unlike inet_aton and ipaddr.js's `parse`.
 */

/**
 * The address as an unsigned 32-bit number, or null when `text` is not a canonical dotted quad.
 * A single pass over the characters (no split, no regex): the DHCP hot path calls this for every reply.
 */
export function parseIPv4(text: string): number | null {
  if (text.length < 7 || text.length > 15) return null;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      if (++dots > 3) return null;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros (`010` is octal to inet_aton): a 0 may only stand alone.
      if (digits === 1 && octet === 0) return null;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return null;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return (value * 256 + octet) >>> 0;
}

export function isIPv4(text: string): boolean {
  return parseIPv4(text) !== null;
}

export function formatIPv4(value: number): string {
  const v = value >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

export function ipv4ToBytes(value: number): Uint8Array {
  const v = value >>> 0;
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function ipv4FromBytes(bytes: Uint8Array, offset = 0): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

export function prefixToMask(prefix: number): number {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new RangeError(`bad prefix length ${prefix}`);
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Prefix length of a contiguous netmask, or null for a non-contiguous one such as 255.0.255.0. */
export function maskToPrefix(mask: number): number | null {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) return null;
  return Math.clz32(inverted);
}

export interface Subnet {
  /** Network address. */
  network: number;
  prefix: number;
  mask: number;
  broadcast: number;
}

export function subnetOf(address: number, prefix: number): Subnet {
  const mask = prefixToMask(prefix);
  const network = (address & mask) >>> 0;
  return { network, prefix, mask, broadcast: (network | (~mask >>> 0)) >>> 0 };
}

export function inSubnet(address: number, subnet: Subnet): boolean {
  return ((address & subnet.mask) >>> 0) === subnet.network;
}

/** `198.18.0.0/15` -> Subnet (the address part may be any host inside it). */
export function parseCidr(text: string): (Subnet & { address: number }) | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const address = parseIPv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === null || !/^(0|[1-9][0-9]?)$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > 32) return null;
  return { address, ...subnetOf(address, prefix) };
}

export interface IPv4Range {
  first: number;
  last: number;
}

/** `FIRST-LAST` with both ends canonical and first <= last. */
export function parseIPv4Range(text: string): IPv4Range | null {
  const parts = text.split('-');
  if (parts.length !== 2) return null;
  const first = parseIPv4(parts[0]!);
  const last = parseIPv4(parts[1]!);
  if (first === null || last === null || first > last) return null;
  return { first, last };
}

const MAC = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i;

/** One canonical MAC form: lower-case, colon-separated. Accepts `:`, `-` or no separator. */
export function parseMac(text: string): string | null {
  if (!MAC.test(text)) return null;
  const digits = text.replace(/[:-]/g, '').toLowerCase();
  return digits.match(/../g)!.join(':');
}

export function macFromBytes(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}
