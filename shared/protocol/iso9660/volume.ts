/**
 * The volume descriptor set (ECMA-119 8; boot-chains.md §5.1-5.2): primary, Joliet supplementary and El Torito
 * boot record descriptors, from sector 16 to the set terminator.
 */
import { bytesEqual, latin1 } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import { both16, both32, SECTOR, trimField, ucs2be } from './fields.ts';
import { decodeRecord, type DirRecord } from './record.ts';

export const DescriptorType = { BOOT: 0, PRIMARY: 1, SUPPLEMENTARY: 2, PARTITION: 3, TERMINATOR: 255 } as const;

/** The volume descriptor set starts after the 32 KiB system area (ECMA-119 6.2.1). */
export const FIRST_DESCRIPTOR = 16;
/** Descriptors read before giving up on finding the terminator. */
export const MAX_DESCRIPTORS = 64;

const STANDARD_ID = Uint8Array.from('CD001', (c) => c.charCodeAt(0));

/** Bytes up to and including the first descriptor: enough for looksLikeIso9660(). */
export const PROBE_LENGTH = (FIRST_DESCRIPTOR + 1) * SECTOR;

export const isDescriptor = (sector: Uint8Array) => sector.length >= 7 && bytesEqual(sector.subarray(1, 6), STANDARD_ID);

/**
 * Cheap probe on an image's first PROBE_LENGTH bytes: a CD001 descriptor of a known type at sector 16. UDF-only
 * images (BEA01 there) and random data answer false.
 */
export function looksLikeIso9660(head: Uint8Array): boolean {
  if (head.length < PROBE_LENGTH) return false;
  const d = head.subarray(FIRST_DESCRIPTOR * SECTOR, PROBE_LENGTH);
  return isDescriptor(d) && (d[0]! <= 3 || d[0] === 255);
}

export interface VolumeDescriptor {
  type: number;
  /** Volume identifier: d-characters for the PVD, UCS-2 BE for Joliet. */
  label: string;
  /** Volume space size in logical blocks. */
  blocks: number;
  root: DirRecord;
  /** Joliet level from the escape sequences (1 `%/@`, 2 `%/C`, 3 `%/E`), 0 for the PVD and non-Joliet SVDs. */
  joliet: number;
}

/** Joliet escape sequences at SVD offset 88 (Joliet spec 5.1). */
export function jolietLevel(escapes: Uint8Array): number {
  for (let i = 0; i + 2 < escapes.length; i++) {
    if (escapes[i] === 0x25 && escapes[i + 1] === 0x2f) {
      const level = { 0x40: 1, 0x43: 2, 0x45: 3 }[escapes[i + 2]!];
      if (level) return level;
    }
  }
  return 0;
}

/**
 * A primary or supplementary volume descriptor. Its key fields (volume space size, logical block size, the root
 * record's extent and length) must agree in both byte orders: ISO_ENDIAN_MISMATCH otherwise.
 */
export function decodeVolume(d: Uint8Array): VolumeDescriptor {
  if (d.length < SECTOR || !isDescriptor(d)) throw new ProtocolError('ISO_NOT_ISO9660', 'no CD001 volume descriptor');
  const type = d[0]!;
  const blockSize = both16(d, 128, true, 'logical block size');
  if (blockSize !== SECTOR) {
    throw new ProtocolError('ISO_UNSUPPORTED_BLOCK_SIZE', `logical block size ${blockSize}: only ${SECTOR} is supported`);
  }
  const blocks = both32(d, 80, true, 'volume space size');
  const root = decodeRecord(d.subarray(156, 190), 0, true).value;
  const joliet = type === DescriptorType.SUPPLEMENTARY ? jolietLevel(d.subarray(88, 120)) : 0;
  const id = d.subarray(40, 72);
  return { type, label: trimField(joliet ? ucs2be(id) : latin1(id)), blocks, root, joliet };
}
