/**
 * El Torito boot catalog (El Torito 1.0; boot-chains.md §5.6), plus the two things that tell an EFI image's real
 * size: its FAT BPB (Microsoft FAT spec, "BPB") and, for images appended after the ISO 9660 volume, the MBR or
 * GPT partition that starts at its LBA (UEFI 2.x 5.2/5.3; boot-chains.md §5.7).
 */
import { bytesEqual, latin1 } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import type { BootPlatform } from '../image.ts';
import { u16le, u32le, u64le } from './fields.ts';

/** El Torito 2.0: the boot record's system identifier, zero padded to 32 bytes. */
const EL_TORITO_ID = 'EL TORITO SPECIFICATION';

/** Boot catalog LBA from a boot record volume descriptor (type 0), or null when it is not El Torito's. */
export function bootCatalogLba(descriptor: Uint8Array): number | null {
  if (descriptor.length < 75 || descriptor[0] !== 0) return null;
  const id = latin1(descriptor.subarray(7, 39)).replace(/\0+$/, '');
  if (id !== EL_TORITO_ID) return null;
  return u32le(descriptor, 71); // El Torito 2.0 offset 0x47: absolute pointer to the catalog
}

export interface CatalogEntry {
  platformId: number;
  bootable: boolean;
  media: number;
  lba: number;
  sectorCount: number;
}

export function platformName(id: number): BootPlatform {
  switch (id) {
    case 0:
      return 'bios';
    case 1:
      return 'ppc';
    case 2:
      return 'mac';
    case 0xef:
      return 'efi';
    default:
      return 'other';
  }
}

/** Section entries a catalog may hold before rackboot calls it hostile. */
export const MAX_BOOT_ENTRIES = 256;

function bad(message: string): never {
  throw new ProtocolError('ISO_BOOT_CATALOG_INVALID', message);
}

function entry(b: Uint8Array, o: number, platformId: number): CatalogEntry {
  const indicator = b[o]!;
  if (indicator !== 0x88 && indicator !== 0x00) bad(`entry at ${o} has boot indicator 0x${indicator.toString(16)}`);
  return {
    platformId,
    bootable: indicator === 0x88,
    media: b[o + 1]! & 0x0f, // El Torito 2.0 table 8/13: bits 0-3 media type, upper bits flags
    sectorCount: u16le(b, o + 6),
    lba: u32le(b, o + 8),
  };
}

/**
 * The default entry and every section entry of a catalog (El Torito 2.0-2.4). `bytes` is the catalog's sectors
 * (at least one). Extension entries (0x44) are skipped.
 */
export function decodeCatalog(b: Uint8Array): CatalogEntry[] {
  if (b.length < 64) bad(`catalog has ${b.length} bytes`);
  // Validation entry: header id 1, key bytes 55 AA, the sixteen u16 LE words sum to 0 (El Torito 2.1).
  if (b[0] !== 1) bad(`validation entry header id ${b[0]}`);
  if (b[30] !== 0x55 || b[31] !== 0xaa) bad('validation entry lacks its 55 AA key bytes');
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + u16le(b, i)) & 0xffff;
  if (sum !== 0) bad(`validation entry checksum leaves 0x${sum.toString(16)}`);
  const out = [entry(b, 32, b[1]!)];
  let pos = 64;
  for (;;) {
    if (pos + 32 > b.length) break;
    const header = b[pos]!;
    if (header !== 0x90 && header !== 0x91) break; // El Torito 2.3: 90 more headers follow, 91 final
    const platformId = b[pos + 1]!;
    const count = u16le(b, pos + 2);
    pos += 32;
    for (let i = 0; i < count; i++) {
      if (pos + 32 > b.length) bad('section entries run past the catalog');
      if (out.length >= MAX_BOOT_ENTRIES) bad(`more than ${MAX_BOOT_ENTRIES} entries`);
      out.push(entry(b, pos, platformId));
      pos += 32;
      while (pos + 32 <= b.length && b[pos] === 0x44) pos += 32; // El Torito 2.5 extension entries
    }
    if (header === 0x91) break;
  }
  return out;
}

/**
 * Bytes of a FAT file system from its boot sector (BPB: bytes per sector at 11, sectors per cluster 13, reserved
 * sectors 14, FAT count 16, total sectors 19 (u16) or 32 (u32), media byte 21), or null when it is not FAT.
 */
export function fatSize(boot: Uint8Array): number | null {
  if (boot.length < 512) return null;
  const jump = boot[0] === 0xeb ? boot[2] === 0x90 : boot[0] === 0xe9;
  const bytesPerSector = u16le(boot, 11);
  const perCluster = boot[13]!;
  const reserved = u16le(boot, 14);
  const fats = boot[16]!;
  const media = boot[21]!;
  if (!jump || ![512, 1024, 2048, 4096].includes(bytesPerSector)) return null;
  if (perCluster === 0 || (perCluster & (perCluster - 1)) !== 0 || reserved === 0 || fats < 1 || fats > 2) return null;
  if (media !== 0xf0 && media < 0xf8) return null;
  const total = u16le(boot, 19) || u32le(boot, 32);
  return total ? total * bytesPerSector : null;
}

export interface Partition {
  /** Byte offset of the partition in the image. */
  start: number;
  /** Length in bytes. */
  length: number;
}

/** Primary MBR partitions (offset 446, four 16-byte entries, 55 AA at 510), empty ones left out. */
export function mbrPartitions(sector0: Uint8Array): Partition[] {
  if (sector0.length < 512 || sector0[510] !== 0x55 || sector0[511] !== 0xaa) return [];
  const out: Partition[] = [];
  for (let i = 0; i < 4; i++) {
    const o = 446 + i * 16;
    const type = sector0[o + 4]!;
    const start = u32le(sector0, o + 8);
    const count = u32le(sector0, o + 12);
    if (type !== 0 && type !== 0xee && count > 0) out.push({ start: start * 512, length: count * 512 });
  }
  return out;
}

const GPT_SIGNATURE = Uint8Array.from('EFI PART', (c) => c.charCodeAt(0));

export interface GptHeader {
  entriesOffset: number;
  count: number;
  entrySize: number;
}

/** A GPT header at LBA 1 (512-byte sectors, as xorriso writes it), or null. Entry counts are bounded by the caller. */
export function gptHeader(sector1: Uint8Array): GptHeader | null {
  if (sector1.length < 92 || !bytesEqual(sector1.subarray(0, 8), GPT_SIGNATURE)) return null;
  const entrySize = u32le(sector1, 84);
  if (entrySize < 128 || entrySize > 4096 || entrySize % 8 !== 0) return null;
  return { entriesOffset: u64le(sector1, 72) * 512, count: u32le(sector1, 80), entrySize };
}

/** GPT partition entries in use (a non-zero type GUID): first LBA at 32, last LBA (inclusive) at 40. */
export function gptPartitions(entries: Uint8Array, header: GptHeader): Partition[] {
  const out: Partition[] = [];
  for (let o = 0; o + header.entrySize <= entries.length; o += header.entrySize) {
    if (entries.subarray(o, o + 16).every((b) => b === 0)) continue;
    const first = u64le(entries, o + 32);
    const last = u64le(entries, o + 40);
    if (last >= first && Number.isFinite(last)) out.push({ start: first * 512, length: (last - first + 1) * 512 });
  }
  return out;
}
