/**
 * readIso9660(reader, options?) -> ImageIndex: the volume descriptors, one directory tree (Rock Ridge names over
 * the primary tree, the Joliet tree, or plain ISO 9660 names) walked breadth first, and the El Torito catalog.
 *
 * The image is hostile until proven otherwise: every extent is range-checked before it is read, directory loops
 * are caught by extent LBA, and entries, depth, directory sizes and CE chains are bounded (Iso9660Limits).
 */
import { bytesEqual, latin1 } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import type { BlockReader, BootEntry, ImageEntry, ImageIndex } from '../image.ts';
import { bootCatalogLba, decodeCatalog, fatSize, gptHeader, gptPartitions, mbrPartitions, platformName, type Partition } from './eltorito.ts';
import { SECTOR, ucs2be } from './fields.ts';
import { decodeRecord, directoryRecords, FileFlag, isDotRecord, recordTime, type DirRecord } from './record.ts';
import { ROCK_RIDGE_IDS, RockRidgeCollector, suspEntries, type RockRidgeInfo } from './susp.ts';
import { decodeVolume, DescriptorType, FIRST_DESCRIPTOR, isDescriptor, jolietLevel, MAX_DESCRIPTORS, PROBE_LENGTH, type VolumeDescriptor } from './volume.ts';

export { looksLikeIso9660, PROBE_LENGTH } from './volume.ts';

export type NameSet = 'rockridge' | 'joliet' | 'iso9660';

export interface Iso9660Limits {
  /** Directory records read in all (every extent of a multi-extent file counts). */
  maxEntries: number;
  /** Directory levels below the root, relocated (RR CL) levels included. */
  maxDepth: number;
  /** Bytes of one directory's extent. */
  maxDirectoryBytes: number;
  /** CE continuation areas followed for one directory record. */
  maxContinuations: number;
}

export const DEFAULT_LIMITS: Iso9660Limits = {
  maxEntries: 4_000_000,
  maxDepth: 64,
  maxDirectoryBytes: 64 * 1024 * 1024,
  maxContinuations: 32,
};

export interface ReadIso9660Options {
  /**
   * Which name set to read. Default: Rock Ridge when the root carries SP and Rock Ridge entries, else Joliet when a
   * supplementary descriptor has a Joliet escape sequence, else plain ISO 9660. Asking for a set the image lacks
   * rejects with ISO_NAMES_UNAVAILABLE.
   */
  names?: NameSet;
  limits?: Partial<Iso9660Limits>;
}

/** POSIX file type bits (Rock Ridge PX mode). */
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Continuation areas of 64 KiB are far beyond what any tool writes (a CE area lives in one block in practice). */
const MAX_CONTINUATION_BYTES = 65536;
/** Sectors read for the boot catalog: 64 entries each, far more than any real image. */
const CATALOG_SECTORS = 4;
/** GPT partition entries looked at (the UEFI minimum array is 128). */
const MAX_GPT_ENTRIES = 1024;

/** Throws the entry's `unreadable` code (zisofs today) so a caller cannot serve compressed bytes by mistake. */
export function assertReadable(entry: ImageEntry): void {
  if (entry.unreadable) throw new ProtocolError(entry.unreadable.code, `${entry.path}: ${entry.unreadable.reason}`);
}

class Image {
  private ceCache = new Map<number, Uint8Array>();
  constructor(readonly reader: BlockReader) {}

  check(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset + length) || offset < 0 || length < 0 || offset + length > this.reader.size) {
      throw new ProtocolError('ISO_EXTENT_OUT_OF_RANGE', `${what}: bytes ${offset}..${offset + length} lie beyond the image (${this.reader.size} bytes)`);
    }
  }

  async read(offset: number, length: number, what: string): Promise<Uint8Array> {
    this.check(offset, length, what);
    if (length === 0) return new Uint8Array(0);
    let bytes: Uint8Array;
    try {
      bytes = await this.reader.read(offset, length);
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      throw new ProtocolError('IMAGE_SHORT_READ', `${what}: reading ${length} bytes at ${offset} failed: ${String(e)}`);
    }
    if (bytes.length !== length) throw new ProtocolError('IMAGE_SHORT_READ', `${what}: got ${bytes.length} of ${length} bytes at ${offset}`);
    return bytes;
  }

  /** A continuation area; areas inside one sector come from a small sector cache (tools pack many per block). */
  async continuation(lba: number, offset: number, length: number): Promise<Uint8Array> {
    if (length > MAX_CONTINUATION_BYTES) throw new ProtocolError('ISO_BAD_ROCK_RIDGE', `CE area of ${length} bytes`);
    const start = lba * SECTOR + offset;
    if (offset + length > SECTOR) return this.read(start, length, 'CE continuation area');
    let sector = this.ceCache.get(lba);
    if (!sector) {
      this.check(lba * SECTOR, SECTOR, 'CE continuation area');
      sector = await this.read(lba * SECTOR, Math.min(SECTOR, this.reader.size - lba * SECTOR), 'CE continuation area');
      if (this.ceCache.size >= 64) this.ceCache.clear();
      this.ceCache.set(lba, sector);
    }
    return sector.subarray(offset, offset + length);
  }
}

interface Descriptors {
  primary: VolumeDescriptor;
  joliet: VolumeDescriptor | null;
  catalogLba: number | null;
}

async function descriptors(img: Image): Promise<Descriptors> {
  if (img.reader.size < PROBE_LENGTH) {
    throw new ProtocolError('ISO_TOO_SHORT', `${img.reader.size} bytes: an ISO 9660 image has at least ${PROBE_LENGTH}`);
  }
  let primary: VolumeDescriptor | null = null;
  let joliet: VolumeDescriptor | null = null;
  let catalogLba: number | null = null;
  for (let i = 0; i < MAX_DESCRIPTORS; i++) {
    const at = (FIRST_DESCRIPTOR + i) * SECTOR;
    if (at + SECTOR > img.reader.size) break;
    const d = await img.read(at, SECTOR, 'volume descriptor');
    if (!isDescriptor(d)) {
      if (i === 0) throw new ProtocolError('ISO_NOT_ISO9660', 'no CD001 volume descriptor at sector 16');
      break; // a set without its terminator: use what was read
    }
    const type = d[0]!;
    if (type === DescriptorType.TERMINATOR) break;
    if (type === DescriptorType.PRIMARY && !primary) primary = decodeVolume(d);
    // Only Joliet SVDs matter; other SVDs/EVDs (ISO 9660:1999) are skipped undecoded.
    else if (type === DescriptorType.SUPPLEMENTARY && !joliet && jolietLevel(d.subarray(88, 120))) joliet = decodeVolume(d);
    else if (type === DescriptorType.BOOT && catalogLba === null) catalogLba = bootCatalogLba(d);
  }
  if (!primary) throw new ProtocolError('ISO_NO_PRIMARY_VOLUME', 'the descriptor set has no primary volume descriptor');
  return { primary, joliet, catalogLba };
}

/** Plain ISO 9660 names: `NAME.EXT;1` -> `NAME.EXT`, `NAME.;1` -> `NAME` (ECMA-119 7.5.1: SEPARATOR 1 always present). */
export function isoName(raw: string): string {
  const bare = raw.replace(/;\d*$/, '');
  return bare.length > 1 && bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

/** Joliet names keep their dots; only the `;1` version goes (Joliet spec 3.3). */
const jolietName = (raw: string) => raw.replace(/;\d*$/, '');

function checkName(name: string, where: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new ProtocolError('ISO_BAD_NAME', `${where}: name ${JSON.stringify(name)} cannot be a path segment`);
  }
  return name;
}

interface DirJob {
  lba: number;
  size: number;
  path: string;
  depth: number;
}

interface PendingFile {
  record: DirRecord;
  entry: ImageEntry;
}

class Walker {
  private records = 0;
  private readonly visited = new Set<number>();
  readonly entries: ImageEntry[] = [];

  constructor(
    private readonly img: Image,
    private readonly names: NameSet,
    private readonly limits: Iso9660Limits,
    /** SP LEN_SKP: bytes skipped at the start of every System Use area but the root's "." (SUSP 5.3). */
    private readonly skip: number,
  ) {}

  async rockRidge(record: DirRecord, skip: number): Promise<RockRidgeInfo> {
    const collector = new RockRidgeCollector();
    let next = collector.add(suspEntries(record.systemUse, skip));
    const seen = new Set<string>();
    while (next) {
      const key = `${next.lba}:${next.offset}`;
      if (seen.has(key)) throw new ProtocolError('ISO_CE_LOOP', `CE continuation area at block ${next.lba} offset ${next.offset} is visited twice`);
      if (seen.size >= this.limits.maxContinuations) throw new ProtocolError('ISO_CE_LOOP', `more than ${this.limits.maxContinuations} CE continuation areas for one record`);
      seen.add(key);
      next = collector.add(suspEntries(await this.img.continuation(next.lba, next.offset, next.length)));
    }
    return collector.info;
  }

  private count(): void {
    if (++this.records > this.limits.maxEntries) throw new ProtocolError('ISO_TOO_MANY_ENTRIES', `more than ${this.limits.maxEntries} directory records`);
  }

  private name(record: DirRecord, rr: RockRidgeInfo | null, where: string): string {
    if (rr?.name != null) return checkName(rr.name, where);
    if (this.names === 'joliet') return checkName(jolietName(ucs2be(record.name)), where);
    return checkName(isoName(latin1(record.name)), where);
  }

  private directoryJob(lba: number, size: number, path: string, depth: number): DirJob {
    if (depth > this.limits.maxDepth) throw new ProtocolError('ISO_TOO_DEEP', `/${path} lies more than ${this.limits.maxDepth} levels deep`);
    if (this.visited.has(lba)) throw new ProtocolError('ISO_DIRECTORY_LOOP', `/${path} points at block ${lba}, a directory already read (loop)`);
    if (size > this.limits.maxDirectoryBytes) throw new ProtocolError('ISO_DIRECTORY_TOO_LARGE', `/${path}: directory of ${size} bytes (limit ${this.limits.maxDirectoryBytes})`);
    this.img.check(lba * SECTOR, size, `directory /${path}`);
    this.visited.add(lba);
    return { lba, size, path, depth };
  }

  private addExtent(entry: ImageEntry, record: DirRecord): void {
    if (record.unitSize !== 0 || record.gap !== 0) {
      throw new ProtocolError('ISO_INTERLEAVED', `/${entry.path} is recorded interleaved (file unit size ${record.unitSize}, gap ${record.gap}): not supported`);
    }
    if (record.size === 0) return;
    const offset = (record.lba + record.xarLength) * SECTOR; // ECMA-119 6.5.1: data follows the extended attribute record
    this.img.check(offset, record.size, `file /${entry.path}`);
    entry.size += record.size;
    if (!Number.isSafeInteger(entry.size)) throw new ProtocolError('ISO_EXTENT_OUT_OF_RANGE', `/${entry.path}: size overflows`);
    entry.extents.push({ kind: 'data', offset, length: record.size });
  }

  /** The root entry and the queue's first job. */
  async root(root: DirRecord, rockRidge: boolean): Promise<DirJob> {
    const job = this.directoryJob(root.lba + root.xarLength, root.size, '', 0);
    let mode: number | null = null;
    let mtimeMs = recordTime(root);
    if (rockRidge && root.size > 0) {
      // The root's own attributes are in its "." record (the descriptor's copy carries no System Use).
      const first = await this.img.read(job.lba * SECTOR, Math.min(root.size, SECTOR), 'root directory');
      const dot = decodeRecord(first).value;
      const rr = await this.rockRidge(dot, 0);
      mode = rr.mode;
      mtimeMs = rr.mtimeMs ?? recordTime(dot);
    }
    this.entries.push({ path: '', name: '', type: 'dir', size: 0, mode, mtimeMs, target: null, extents: [] });
    return job;
  }

  async walk(first: DirJob): Promise<void> {
    const queue = [first];
    for (let q = 0; q < queue.length; q++) {
      const job = queue[q]!;
      queue[q] = undefined as unknown as DirJob; // let finished jobs go
      const extent = await this.img.read(job.lba * SECTOR, job.size, `directory /${job.path}`);
      let pending: PendingFile | null = null;
      for (const record of directoryRecords(extent)) {
        this.count();
        if (pending) {
          // ECMA-119 6.5.1 / boot-chains.md §5.8: the extents of one file are consecutive records, same name.
          if (!bytesEqual(record.name, pending.record.name) || record.flags & FileFlag.DIRECTORY) {
            throw new ProtocolError('ISO_MULTI_EXTENT_BROKEN', `/${pending.entry.path}: a multi-extent file is interrupted by another record`);
          }
          this.addExtent(pending.entry, record);
          if (!(record.flags & FileFlag.MULTI_EXTENT)) {
            this.entries.push(pending.entry);
            pending = null;
          }
          continue;
        }
        if (isDotRecord(record)) continue;
        if (record.flags & FileFlag.ASSOCIATED) continue; // ECMA-119 9.1.6: associated files (Mac resource forks)
        const where = `directory /${job.path}`;
        const rr = this.names === 'rockridge' ? await this.rockRidge(record, this.skip) : null;
        if (rr?.relocated) continue; // RRIP 4.1.5.3: the relocated copy shows up where its CL record stands
        const name = this.name(record, rr, where);
        const path = job.path ? `${job.path}/${name}` : name;
        const mode = rr?.mode ?? null;
        const mtimeMs = rr?.mtimeMs ?? recordTime(record);
        const base = { path, name, mode, mtimeMs, target: null, size: 0, extents: [] };
        if (rr?.childLba != null) {
          queue.push(await this.relocated(rr.childLba, path, job.depth + 1));
          this.entries.push({ ...base, type: 'dir' });
          continue;
        }
        if (record.flags & FileFlag.DIRECTORY) {
          if (record.flags & FileFlag.MULTI_EXTENT) throw new ProtocolError('ISO_MULTI_EXTENT_BROKEN', `/${path}: a directory cannot be multi-extent`);
          if (record.unitSize !== 0 || record.gap !== 0) throw new ProtocolError('ISO_INTERLEAVED', `/${path} is an interleaved directory`);
          queue.push(this.directoryJob(record.lba + record.xarLength, record.size, path, job.depth + 1));
          this.entries.push({ ...base, type: 'dir' });
          continue;
        }
        const kind = mode === null ? S_IFREG : mode & S_IFMT;
        if (rr?.target != null || kind === S_IFLNK) {
          this.entries.push({ ...base, type: 'symlink', target: rr?.target ?? '' });
          continue;
        }
        // Devices, FIFOs and sockets (PX mode) carry no bytes to serve; a directory mode on a file record is bogus.
        if (kind !== S_IFREG && kind !== 0) {
          if (kind === S_IFDIR) throw new ProtocolError('ISO_BAD_ROCK_RIDGE', `/${path}: PX says directory, the record says file`);
          continue;
        }
        const entry: ImageEntry = { ...base, type: 'file', extents: [] };
        if (rr?.zisofs) {
          entry.unreadable = {
            code: 'ISO_ZISOFS_UNSUPPORTED',
            reason: `zisofs-compressed (${rr.zisofs.algorithm}, ${rr.zisofs.size} bytes uncompressed); rackboot cannot decompress it: rebuild the image without zisofs (mkisofs -z / xorriso --zisofs)`,
          };
        }
        this.addExtent(entry, record);
        if (record.flags & FileFlag.MULTI_EXTENT) pending = { record, entry };
        else this.entries.push(entry);
      }
      if (pending) throw new ProtocolError('ISO_MULTI_EXTENT_BROKEN', `/${pending.entry.path}: the directory ends inside a multi-extent file`);
    }
  }

  /** RRIP 4.1.5.1: a CL record stands for the directory at `lba`; its size is in that directory's "." record. */
  private async relocated(lba: number, path: string, depth: number): Promise<DirJob> {
    this.img.check(lba * SECTOR, SECTOR, `relocated directory /${path}`);
    const first = await this.img.read(lba * SECTOR, SECTOR, `relocated directory /${path}`);
    let dot: DirRecord | null = null;
    try {
      dot = decodeRecord(first).value;
    } catch {
      // not a directory record at all: reported below
    }
    if (!dot || !isDotRecord(dot) || dot.lba !== lba) {
      throw new ProtocolError('ISO_BAD_RELOCATION', `/${path}: CL points at block ${lba}, which does not start a directory`);
    }
    return this.directoryJob(lba, dot.size, path, depth);
  }
}

/** SP in the root's "." record plus Rock Ridge entries or an RRIP ER: the image uses Rock Ridge (SUSP 5.3). */
async function detectRockRidge(img: Image, root: DirRecord, limits: Iso9660Limits): Promise<{ skip: number } | null> {
  if (root.size === 0) return null;
  const first = await img.read((root.lba + root.xarLength) * SECTOR, Math.min(root.size, SECTOR), 'root directory');
  const dot = decodeRecord(first).value;
  if (!isDotRecord(dot)) return null;
  const rr = await new Walker(img, 'rockridge', limits, 0).rockRidge(dot, 0);
  if (!rr.sp) return null;
  return rr.rrip || rr.extensions.some((id) => ROCK_RIDGE_IDS.includes(id)) ? rr.sp : null;
}

async function partitions(img: Image): Promise<Partition[]> {
  const head = await img.read(0, 1024, 'partition table');
  const out = mbrPartitions(head.subarray(0, 512));
  const gpt = gptHeader(head.subarray(512));
  if (gpt) {
    const count = Math.min(gpt.count, MAX_GPT_ENTRIES);
    const length = count * gpt.entrySize;
    if (Number.isSafeInteger(gpt.entriesOffset) && gpt.entriesOffset + length <= img.reader.size) {
      out.push(...gptPartitions(await img.read(gpt.entriesOffset, length, 'GPT entries'), gpt));
    }
  }
  return out;
}

async function bootEntries(img: Image, catalogLba: number, volumeSize: number, entries: ImageEntry[]): Promise<BootEntry[]> {
  const at = catalogLba * SECTOR;
  img.check(at, SECTOR, 'El Torito boot catalog');
  const catalog = decodeCatalog(await img.read(at, Math.min(CATALOG_SECTORS * SECTOR, img.reader.size - at), 'El Torito boot catalog'));
  const fileAt = new Map<number, string>();
  for (const e of entries) {
    const first = e.extents[0];
    if (e.type === 'file' && first?.kind === 'data' && !fileAt.has(first.offset)) fileAt.set(first.offset, e.path);
  }
  let parts: Partition[] | null = null;
  const out: BootEntry[] = [];
  for (const c of catalog) {
    const offset = c.lba * SECTOR;
    let size: number | null = null;
    if (offset >= volumeSize) {
      // Appended partition (xorriso -append_partition): outside the tree, the partition table knows its size.
      parts ??= await partitions(img);
      size = parts.find((p) => p.start === offset)?.length ?? null;
    }
    if (size === null && offset + 512 <= img.reader.size) size = fatSize(await img.read(offset, 512, 'boot image'));
    out.push({
      platform: platformName(c.platformId),
      platformId: c.platformId,
      bootable: c.bootable,
      media: c.media,
      lba: c.lba,
      sectorCount: c.sectorCount,
      size: size ?? c.sectorCount * 512,
      path: fileAt.get(offset) ?? null,
    });
  }
  return out;
}

export async function readIso9660(reader: BlockReader, options: ReadIso9660Options = {}): Promise<ImageIndex> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const img = new Image(reader);
  const { primary, joliet, catalogLba } = await descriptors(img);
  const volumeSize = primary.blocks * SECTOR;
  if (volumeSize > reader.size) {
    throw new ProtocolError('ISO_TRUNCATED', `the volume has ${volumeSize} bytes but the image only ${reader.size} (incomplete download?)`);
  }
  const sp = options.names === 'joliet' || options.names === 'iso9660' ? null : await detectRockRidge(img, primary.root, limits);
  const names: NameSet = options.names ?? (sp ? 'rockridge' : joliet ? 'joliet' : 'iso9660');
  if ((names === 'rockridge' && !sp) || (names === 'joliet' && !joliet)) {
    throw new ProtocolError('ISO_NAMES_UNAVAILABLE', `the image has no ${names === 'joliet' ? 'Joliet' : 'Rock Ridge'} names`);
  }
  const volume = names === 'joliet' ? joliet! : primary;
  const walker = new Walker(img, names, limits, sp?.skip ?? 0);
  await walker.walk(await walker.root(volume.root, names === 'rockridge'));
  const boot = catalogLba === null ? [] : await bootEntries(img, catalogLba, volumeSize, walker.entries);
  return { format: 'iso9660', label: volume.label, names, entries: walker.entries, boot, volumeSize };
}
