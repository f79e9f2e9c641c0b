/**
 * What the ISO 9660 and UDF readers produce: one flat index of an image's files, each file a list of byte
 * extents inside the image. Pure: the readers see the image only through `BlockReader`, so the same code
 * indexes an fd-backed image in the core and an in-memory one in tests.
 */

/** Random access to the image's bytes. The core backs it with an fd and a bounded block cache. */
export interface BlockReader {
  /** Image size in bytes. */
  readonly size: number;
  /**
   * Exactly `length` bytes at byte `offset`. Reading past the end rejects (with ProtocolError
   * `IMAGE_SHORT_READ` from the readers' point of view): callers check ranges against `size` first.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Where a piece of a file's bytes comes from, in file order. Lengths are bytes; all fit in a safe integer. */
export type Extent =
  /** `length` bytes at byte `offset` of the image. */
  | { kind: 'data'; offset: number; length: number }
  /** A hole (UDF unrecorded/unallocated extent, sparse data): `length` zero bytes. */
  | { kind: 'zero'; length: number }
  /** Bytes stored inside the directory structure itself (UDF embedded data in the ICB). */
  | { kind: 'inline'; bytes: Uint8Array };

export type EntryType = 'file' | 'dir' | 'symlink';

export interface ImageEntry {
  /** Full path inside the image, '/'-separated, no leading slash; the root directory is ''. */
  path: string;
  /** Last path segment, in its preferred form (Rock Ridge NM > Joliet > ISO 9660 without `;1`, UDF). */
  name: string;
  type: EntryType;
  /** File size in bytes (0 for directories and symlinks). */
  size: number;
  /** POSIX mode bits including the type (Rock Ridge PX, UDF permissions), or null when the image has none. */
  mode: number | null;
  /** Modification time (Rock Ridge TF, else the directory record's time, UDF modification time). */
  mtimeMs: number | null;
  /** Symlink target as stored (Rock Ridge SL, UDF path components). */
  target: string | null;
  /** Files only: where the bytes are, in order; the lengths sum to `size`. Empty for directories. */
  extents: Extent[];
  /**
   * Set when the stored bytes are not the file's content and must not be served: a ProtocolError code and a
   * reason a technician understands (ISO 9660: `ISO_ZISOFS_UNSUPPORTED` for zisofs-compressed files, Rock Ridge
   * ZF). `size` and `extents` then describe the stored (compressed) bytes.
   */
  unreadable?: { code: string; reason: string };
}

export type BootPlatform = 'bios' | 'efi' | 'ppc' | 'mac' | 'other';

/** One El Torito boot catalog entry (the default entry and every section entry). */
export interface BootEntry {
  platform: BootPlatform;
  /** Raw platform id from the validation entry or section header (0 x86, 0xEF EFI...). */
  platformId: number;
  bootable: boolean;
  /** 0 no emulation, 1-3 floppy, 4 hard disk. */
  media: number;
  /** Image LBA (2048-byte sectors). */
  lba: number;
  /** Sector count as recorded (512-byte units; often 0, 1 or 4 and not the real size). */
  sectorCount: number;
  /** The real size of the boot image in bytes: FAT BPB for EFI images, partition table for appended ones. */
  size: number;
  /** Path of the file in the tree at that LBA, or null (appended partition, hidden boot image). */
  path: string | null;
}

export interface ImageIndex {
  format: 'iso9660' | 'udf';
  /** Volume label (PVD volume id, Joliet volume id or UDF logical volume id), trimmed. */
  label: string;
  /** Which name set the entries use. */
  names: 'rockridge' | 'joliet' | 'iso9660' | 'udf';
  /** Every entry, the root first, each directory before its contents. */
  entries: ImageEntry[];
  /** El Torito boot entries, empty when the image has no boot catalog (UDF-only images too). */
  boot: BootEntry[];
  /** Image size in bytes as the volume describes it (volume space size x block size). */
  volumeSize: number;
}

/** Lookup key for a path: ISO names match case-insensitively, with `;1` version suffixes ignored. */
export function pathKey(path: string): string {
  return path
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .map((s) => s.replace(/;\d*$/, '').toLowerCase())
    .join('/');
}
