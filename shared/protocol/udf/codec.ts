/**
 * UDF / ECMA-167 building blocks on bytes: descriptor tags with their checksum and CRC, OSTA CS0 strings,
 * timestamps, allocation descriptors, File Entries and File Identifier Descriptors. Synchronous and pure;
 * `reader.ts` does the walking. Offsets are ECMA-167 3rd edition (part/section noted at each structure).
 */
import { ProtocolError } from '../errors.ts';

export const SECTOR = 2048;

/** Descriptor tag identifiers, ECMA-167 3/7.2.1 and 4/7.2.1. */
export const TagId = {
  PVD: 1,
  AVDP: 2,
  VDP: 3,
  IUVD: 4,
  PD: 5,
  LVD: 6,
  USD: 7,
  TD: 8,
  LVID: 9,
  FSD: 256,
  FID: 257,
  AED: 258,
  IE: 259,
  TE: 260,
  FE: 261,
  EAHD: 262,
  USE: 263,
  SBD: 264,
  PIE: 265,
  EFE: 266,
} as const;

const tagNames = new Map<number, string>(Object.entries(TagId).map(([k, v]) => [v, k]));
export const tagName = (id: number) => tagNames.get(id) ?? `TAG_${id}`;

export const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
export const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/** A u64 little-endian size; anything at or above 2^53 is refused rather than rounded. */
export function u64(b: Uint8Array, o: number, what: string): number {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi >= 0x200000) throw new ProtocolError('UDF_SIZE_TOO_LARGE', `${what} ${hi} * 2^32 + ${lo} does not fit in 2^53`);
  return hi * 0x100000000 + lo;
}

/** CRC-ITU-T as ECMA-167 1/7.2.6 defines it: x^16 + x^12 + x^5 + 1, initial 0, MSB first, no final xor. */
const crcTable = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffff) ^ crcTable[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** Sum of tag bytes 0-3 and 5-15 modulo 256 (ECMA-167 3/7.2.3). */
export function tagChecksum(b: Uint8Array, o = 0): number {
  let sum = 0;
  for (let i = 0; i < 16; i++) if (i !== 4) sum += b[o + i]!;
  return sum & 0xff;
}

export interface Tag {
  id: number;
  version: number;
  crcLength: number;
  location: number;
}

/**
 * Checks the 16-byte tag at `o` (ECMA-167 3/7.2): checksum, version 2 or 3, the CRC over `crcLength` bytes
 * after the tag, and the recorded location (physical sector for volume structures, logical block within the
 * partition for file structures). `expect` lists the acceptable ids.
 */
export function checkTag(b: Uint8Array, o: number, location: number, expect: readonly number[]): Tag {
  if (o + 16 > b.length) throw new ProtocolError('UDF_TRUNCATED', `descriptor tag at ${o} runs past its block`);
  const id = u16(b, o);
  if (b[o + 4] !== tagChecksum(b, o)) {
    throw new ProtocolError('UDF_BAD_TAG', `tag checksum mismatch (${tagName(id)} at block ${location})`);
  }
  const version = u16(b, o + 2);
  if (version !== 2 && version !== 3) throw new ProtocolError('UDF_BAD_TAG', `tag version ${version} (${tagName(id)} at block ${location})`);
  if (!expect.includes(id)) {
    throw new ProtocolError('UDF_UNEXPECTED_TAG', `found ${tagName(id)} where ${expect.map(tagName).join('/')} belongs (block ${location})`);
  }
  const crcLength = u16(b, o + 10);
  if (o + 16 + crcLength > b.length) throw new ProtocolError('UDF_BAD_CRC', `CRC length ${crcLength} runs past the descriptor`);
  const crc = u16(b, o + 8);
  if (crc16(b.subarray(o + 16, o + 16 + crcLength)) !== crc) {
    throw new ProtocolError('UDF_BAD_CRC', `descriptor CRC mismatch (${tagName(id)} at block ${location})`);
  }
  const recorded = u32(b, o + 12);
  if (recorded !== location) {
    throw new ProtocolError('UDF_TAG_LOCATION', `${tagName(id)} read at block ${location} says it is at ${recorded}`);
  }
  return { id, version, crcLength, location };
}

/**
 * OSTA CS0 characters (OSTA UDF 2.1.1 / 2.1.2): compression id 8 (and 254, UDF 2.50+) = one byte per
 * character (Latin-1 code points), 16 (and 255) = UTF-16BE. An empty field is the empty string.
 */
export function cs0(b: Uint8Array): string {
  if (b.length === 0) return '';
  const comp = b[0]!;
  let s = '';
  if (comp === 8 || comp === 254) {
    for (let i = 1; i < b.length; i++) s += String.fromCharCode(b[i]!);
  } else if (comp === 16 || comp === 255) {
    if ((b.length - 1) % 2 !== 0) throw new ProtocolError('UDF_BAD_NAME', 'UTF-16 name with an odd byte count');
    for (let i = 1; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i]! << 8) | b[i + 1]!);
  } else {
    throw new ProtocolError('UDF_BAD_NAME', `unknown CS0 compression id ${comp}`);
  }
  return s;
}

/** A fixed-size dstring: the last byte is the used length (ECMA-167 1/7.2.12). Lenient: an empty label is ''. */
export function dstring(b: Uint8Array, o: number, size: number): string {
  const used = b[o + size - 1]!;
  if (used === 0 || used > size - 1) return '';
  try {
    return cs0(b.subarray(o, o + used));
  } catch {
    return '';
  }
}

/**
 * ECMA-167 1/7.3 timestamp -> ms since the epoch, or null when absent or out of range. Type 1 (local time)
 * carries a signed 12-bit offset from UTC in minutes; -2047 means "not specified" and the time is taken as UTC.
 */
export function timestamp(b: Uint8Array, o: number): number | null {
  const typeTz = u16(b, o);
  const type = typeTz >> 12;
  let tz = typeTz & 0xfff;
  if (tz & 0x800) tz -= 0x1000;
  const year = (u16(b, o + 2) << 16) >> 16;
  const [month, day, hour, minute, second, cs, hus, us] = [4, 5, 6, 7, 8, 9, 10, 11].map((i) => b[o + i]!) as [
    number, number, number, number, number, number, number, number,
  ];
  if (year === 0 && month === 0 && day === 0) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || cs > 99 || hus > 99 || us > 99) return null;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second) + cs * 10 + Math.floor(hus / 10);
  if (year >= 0 && year < 100) ms = new Date(ms).setUTCFullYear(year);
  if (type === 1 && tz !== -2047 && tz >= -1440 && tz <= 1440) ms -= tz * 60_000;
  return Number.isFinite(ms) ? ms : null;
}

/** Allocation descriptor types, ICB tag flags bits 0-2 (ECMA-167 4/14.6.8). */
export const AdType = { short: 0, long: 1, extended: 2, embedded: 3 } as const;

/** Extent types, the top two bits of an extent length (ECMA-167 4/14.14.1.1). */
export const ExtentType = { recorded: 0, allocated: 1, unallocated: 2, next: 3 } as const;

export interface AllocationDescriptor {
  /** ExtentType. */
  type: number;
  /** Bytes (the low 30 bits of the recorded length). */
  length: number;
  /** Logical block within `partition`. */
  block: number;
  /** Partition reference number (index in the LVD's partition maps). */
  partition: number;
}

/**
 * Parses the allocation descriptors in `area`. short_ad (8 bytes, 4/14.14.1) uses the ICB's partition,
 * long_ad (16 bytes, 4/14.14.2) names its own; a zero-length descriptor ends the list (4/12.1).
 * extended_ad (4/14.14.3) is not used by UDF (OSTA 2.3.10) and is refused.
 */
export function parseAds(area: Uint8Array, adType: number, icbPartition: number): AllocationDescriptor[] {
  if (adType === AdType.extended) throw new ProtocolError('UDF_UNSUPPORTED_AD', 'extended_ad allocation descriptors');
  if (adType !== AdType.short && adType !== AdType.long) throw new ProtocolError('UDF_UNSUPPORTED_AD', `allocation descriptor type ${adType}`);
  const size = adType === AdType.short ? 8 : 16;
  const out: AllocationDescriptor[] = [];
  for (let o = 0; o + size <= area.length; o += size) {
    const raw = u32(area, o);
    const length = raw & 0x3fffffff;
    if (length === 0) break;
    out.push({
      type: raw >>> 30,
      length,
      block: u32(area, o + 4),
      partition: adType === AdType.short ? icbPartition : u16(area, o + 8),
    });
  }
  return out;
}

/** A long_ad by itself (FSD root ICB, FID ICB, LVD contents use). */
export function longAd(b: Uint8Array, o: number): AllocationDescriptor {
  const raw = u32(b, o);
  return { type: raw >>> 30, length: raw & 0x3fffffff, block: u32(b, o + 4), partition: u16(b, o + 8) };
}

/** File types, ICB tag byte 11 (ECMA-167 4/14.6.6; 248-252 OSTA UDF 2.3.5.2). */
export const FileType = { dir: 4, file: 5, symlink: 12, metadata: 250, metadataMirror: 251, metadataBitmap: 252 } as const;

export interface FileEntry {
  tagId: number;
  strategy: number;
  fileType: number;
  /** ICB tag flags. */
  flags: number;
  adType: number;
  uid: number;
  gid: number;
  permissions: number;
  size: number;
  mtimeMs: number | null;
  /** The allocation descriptor area (or the embedded data when adType is embedded). */
  ads: Uint8Array;
}

/** A File Entry (4/14.9) or Extended File Entry (4/14.17) whose tag was already checked. */
export function parseFileEntry(b: Uint8Array, tagId: number): FileEntry {
  const efe = tagId === TagId.EFE;
  const fixed = efe ? 216 : 176;
  if (b.length < fixed) throw new ProtocolError('UDF_BAD_ENTRY', 'file entry shorter than its fixed part');
  const lea = u32(b, efe ? 208 : 168);
  const lad = u32(b, efe ? 212 : 172);
  if (lea > b.length || lad > b.length || fixed + lea + lad > b.length) {
    throw new ProtocolError('UDF_BAD_ENTRY', `extended attributes (${lea}) and allocation descriptors (${lad}) overrun the entry`);
  }
  const flags = u16(b, 16 + 18);
  return {
    tagId,
    strategy: u16(b, 16 + 4),
    fileType: b[16 + 11]!,
    flags,
    adType: flags & 7,
    uid: u32(b, 36),
    gid: u32(b, 40),
    permissions: u32(b, 44),
    size: u64(b, 56, 'information length'),
    mtimeMs: timestamp(b, efe ? 92 : 84),
    ads: b.subarray(fixed + lea, fixed + lea + lad),
  };
}

/**
 * POSIX mode from UDF permissions (ECMA-167 4/14.9.5: other bits 0-4, group 5-9, owner 10-14, each
 * execute/write/read/chattr/delete) and the ICB flags setuid 0x40, setgid 0x80, sticky 0x100 (4/14.6.8).
 */
export function posixMode(fe: FileEntry): number {
  const p = fe.permissions;
  let mode = (p & 7) | (((p >> 5) & 7) << 3) | (((p >> 10) & 7) << 6);
  if (fe.flags & 0x40) mode |= 0o4000;
  if (fe.flags & 0x80) mode |= 0o2000;
  if (fe.flags & 0x100) mode |= 0o1000;
  const type = fe.fileType === FileType.dir ? 0o040000 : fe.fileType === FileType.symlink ? 0o120000 : 0o100000;
  return type | mode;
}

export interface Fid {
  characteristics: number;
  icb: AllocationDescriptor;
  /** Raw CS0 identifier bytes. */
  name: Uint8Array;
  /** Bytes the FID occupies including padding. */
  length: number;
}

/** File characteristics (4/14.4.3). */
export const FidFlag = { hidden: 1, directory: 2, deleted: 4, parent: 8, metadata: 16 } as const;

/** A File Identifier Descriptor (4/14.4) at `o`; its tag was checked by the caller. */
export function parseFid(b: Uint8Array, o: number): Fid {
  if (o + 38 > b.length) throw new ProtocolError('UDF_BAD_FID', `file identifier at ${o} runs past the directory`);
  const lfi = b[o + 19]!;
  const liu = u16(b, o + 36);
  const end = o + 38 + liu + lfi;
  if (end > b.length) throw new ProtocolError('UDF_BAD_FID', `file identifier at ${o} runs past the directory`);
  return {
    characteristics: b[o + 18]!,
    icb: longAd(b, o + 20),
    name: b.subarray(o + 38 + liu, end),
    length: (38 + liu + lfi + 3) & ~3,
  };
}

/**
 * Symlink target from path components (ECMA-167 4/14.16): type 1 root (identifier ignored), 2 root of
 * this file system, 3 "..", 4 ".", 5 a name.
 */
export function symlinkTarget(b: Uint8Array): string {
  const parts: string[] = [];
  let absolute = false;
  for (let o = 0; o < b.length; ) {
    if (o + 4 > b.length) throw new ProtocolError('UDF_BAD_SYMLINK', 'path component header runs past the data');
    const type = b[o]!;
    const len = b[o + 1]!;
    if (o + 4 + len > b.length) throw new ProtocolError('UDF_BAD_SYMLINK', 'path component runs past the data');
    const ident = b.subarray(o + 4, o + 4 + len);
    if (type === 1 || type === 2) {
      if (parts.length) throw new ProtocolError('UDF_BAD_SYMLINK', 'root component in the middle of a path');
      absolute = true;
    } else if (type === 3) parts.push('..');
    else if (type === 4) parts.push('.');
    else if (type === 5) {
      const name = cs0(ident);
      if (name === '' || name.includes('/') || name.includes('\0')) throw new ProtocolError('UDF_BAD_SYMLINK', 'bad name component');
      parts.push(name);
    } else throw new ProtocolError('UDF_BAD_SYMLINK', `path component type ${type}`);
    o += 4 + len;
  }
  return (absolute ? '/' : '') + parts.join('/');
}
