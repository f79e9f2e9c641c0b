/**
 * Pure UDF reader: anchor -> volume descriptor sequence -> partitions and logical volume -> file set ->
 * directory tree, producing the same `ImageIndex` the ISO 9660 reader does. Enough for Windows installer
 * images (UDF 1.02 bridge) and UDF 2.01-2.60 volumes on type 1 and metadata partitions. Every loop is
 * bounded and every block is range-checked before it is read: images are hostile.
 */
import { ProtocolError } from '../errors.ts';
import type { BlockReader, EntryType, Extent, ImageEntry, ImageIndex } from '../image.ts';
import {
  AdType,
  type AllocationDescriptor,
  checkTag,
  cs0,
  dstring,
  ExtentType,
  FidFlag,
  type FileEntry,
  FileType,
  longAd,
  parseAds,
  parseFid,
  parseFileEntry,
  posixMode,
  SECTOR,
  symlinkTarget,
  TagId,
  u16,
  u32,
} from './codec.ts';

export interface UdfLimits {
  /** Entries in the whole index (root included). */
  maxEntries: number;
  /** Directory nesting. */
  maxDepth: number;
  /** Bytes of one directory's File Identifier Descriptors. */
  maxDirectoryBytes: number;
  /** Allocation extent descriptors followed in one file's chain. */
  maxChain: number;
  /** Allocation extent descriptors followed in the whole image. */
  maxChainTotal: number;
  /** Allocation descriptors of one file. */
  maxExtents: number;
  /** Extents in the whole index (each is an object in memory). */
  maxExtentsTotal: number;
  /** Directory bytes read in the whole image (every directory is read once, but each may be large). */
  maxDirectoryBytesTotal: number;
}

export const defaultLimits: UdfLimits = {
  maxEntries: 4_000_000,
  maxDepth: 256,
  maxDirectoryBytes: 64 * 1024 * 1024,
  maxChain: 1024,
  maxChainTotal: 65_536,
  maxExtents: 1_000_000,
  maxExtentsTotal: 16_000_000,
  maxDirectoryBytesTotal: 1024 * 1024 * 1024,
};

/** Volume Recognition Sequence (ECMA-167 2/9.1): BEA01, then NSR02/NSR03, before TEA01. */
export async function hasUdf(reader: BlockReader): Promise<boolean> {
  let inExtended = false;
  for (let sector = 16; sector < 16 + 64; sector++) {
    const off = sector * SECTOR;
    if (off + 7 > reader.size) return false;
    const b = await reader.read(off, 7);
    const id = String.fromCharCode(b[1]!, b[2]!, b[3]!, b[4]!, b[5]!);
    if (id === 'BEA01') inExtended = true;
    else if (id === 'TEA01') return false;
    else if (id === 'NSR02' || id === 'NSR03') {
      if (inExtended) return true;
    } else if (id !== 'CD001' && id !== 'CDW02' && id !== 'BOOT2') return false;
  }
  return false;
}

interface PartitionDescriptor {
  number: number;
  start: number;
  length: number;
}

interface Volume {
  label: string;
  pvdLabel: string;
  partitions: Map<number, PartitionDescriptor>;
  lvd: Uint8Array | null;
  lvdSeq: number;
  pvdSeq: number;
  end: number;
}

/** A run of image bytes: where it lies and which logical block its first byte is (for tag locations). */
interface Piece {
  offset: number;
  length: number;
}

interface Partition {
  /** Image byte runs of `length` bytes at `block` of this partition, or UDF_EXTENT_RANGE. */
  map(block: number, length: number): Piece[];
}

class Reader {
  private chainTotal = 0;
  private extentsTotal = 0;
  private directoryBytesTotal = 0;
  /** Partition reference number -> mapping; METADATA_HOST while the metadata file itself is read. */
  private partitions = new Map<number, Partition>();

  constructor(
    private readonly r: BlockReader,
    private readonly limits: UdfLimits,
  ) {}

  async bytes(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.r.size) {
      throw new ProtocolError('UDF_TRUNCATED', `read of ${length} bytes at ${offset} past the image end (${this.r.size})`);
    }
    const b = await this.r.read(offset, length);
    if (b.length !== length) throw new ProtocolError('UDF_TRUNCATED', `short read at ${offset}`);
    return b;
  }

  sector(n: number): Promise<Uint8Array> {
    return this.bytes(n * SECTOR, SECTOR);
  }

  /** The AVDP at 256, else N-256, else N-1 (ECMA-167 3/8.4.2.1). */
  async anchor(): Promise<{ main: [number, number]; reserve: [number, number]; at: number }> {
    const n = Math.floor(this.r.size / SECTOR);
    let last: unknown = null;
    for (const at of [256, n - 256, n - 1]) {
      if (at < 256 || at >= n) continue;
      try {
        const b = await this.sector(at);
        checkTag(b, 0, at, [TagId.AVDP]);
        return { main: [u32(b, 20), u32(b, 16)], reserve: [u32(b, 28), u32(b, 24)], at };
      } catch (e) {
        last = e;
      }
    }
    const why = last instanceof Error ? `: ${last.message}` : '';
    throw new ProtocolError('UDF_NO_ANCHOR', `no anchor volume descriptor pointer at 256, N-256 or N-1${why}`);
  }

  /** One volume descriptor sequence (ECMA-167 3/8.4), following VDPs; the prevailing descriptors win. */
  async sequence(location: number, length: number): Promise<Volume> {
    const v: Volume = { label: '', pvdLabel: '', partitions: new Map(), lvd: null, lvdSeq: -1, pvdSeq: -1, end: 0 };
    const pdSeq = new Map<number, number>();
    let budget = 512;
    let sectors = Math.floor(length / SECTOR);
    let at = location;
    for (let pointers = 0; sectors > 0; ) {
      if (--budget < 0) throw new ProtocolError('UDF_BAD_VDS', 'volume descriptor sequence longer than 512 descriptors');
      const b = await this.sector(at);
      v.end = Math.max(v.end, at + 1);
      const id = u16(b, 0);
      if (id === 0 && b.every((x) => x === 0)) break;
      const tag = checkTag(b, 0, at, [TagId.PVD, TagId.VDP, TagId.IUVD, TagId.PD, TagId.LVD, TagId.USD, TagId.TD]);
      if (tag.id === TagId.TD) break;
      const seq = u32(b, 16);
      if (tag.id === TagId.VDP) {
        if (++pointers > 16) throw new ProtocolError('UDF_BAD_VDS', 'more than 16 volume descriptor pointers');
        sectors = Math.floor(u32(b, 24) / SECTOR);
        at = u32(b, 28);
        continue;
      }
      if (tag.id === TagId.PVD && seq >= v.pvdSeq) {
        v.pvdSeq = seq;
        v.pvdLabel = dstring(b, 24, 32);
      } else if (tag.id === TagId.PD) {
        const number = u16(b, 22);
        if (seq >= (pdSeq.get(number) ?? -1)) {
          pdSeq.set(number, seq);
          v.partitions.set(number, { number, start: u32(b, 188), length: u32(b, 192) });
        }
      } else if (tag.id === TagId.LVD && seq >= v.lvdSeq) {
        v.lvdSeq = seq;
        v.lvd = b;
        v.label = dstring(b, 84, 128);
      }
      at++;
      sectors--;
    }
    if (!v.lvd || v.partitions.size === 0) {
      throw new ProtocolError('UDF_NO_VOLUME', 'volume descriptor sequence without a logical volume or partition descriptor');
    }
    return v;
  }

  physical(pd: PartitionDescriptor): Partition {
    const size = this.r.size;
    return {
      map(block, length) {
        const blocks = Math.ceil(length / SECTOR);
        if (block + blocks > pd.length) {
          throw new ProtocolError('UDF_EXTENT_RANGE', `extent at block ${block} (+${blocks}) past partition ${pd.number}'s ${pd.length} blocks`);
        }
        const offset = (pd.start + block) * SECTOR;
        if (offset + length > size) throw new ProtocolError('UDF_TRUNCATED', `extent at byte ${offset} (+${length}) past the image end (${size})`);
        return [{ offset, length }];
      },
    };
  }

  /** The metadata partition (OSTA UDF 2.50 2.2.10): blocks of the metadata file, itself in `phys`. */
  async metadata(phys: Partition, fileBlock: number, mirrorBlock: number): Promise<Partition> {
    let extents: Extent[] | null = null;
    let failure: unknown = null;
    for (const block of [fileBlock, mirrorBlock]) {
      if (block === 0xffffffff) continue;
      try {
        this.partitions.set(METADATA_HOST, phys);
        const fe = await this.fileEntry({ type: 0, length: SECTOR, block, partition: METADATA_HOST });
        if (fe.fileType !== FileType.metadata && fe.fileType !== FileType.metadataMirror) {
          throw new ProtocolError('UDF_BAD_METADATA', `metadata file has type ${fe.fileType}`);
        }
        extents = await this.extents(fe, METADATA_HOST);
        break;
      } catch (e) {
        failure = e;
      } finally {
        this.partitions.delete(METADATA_HOST);
      }
    }
    if (!extents) {
      if (failure instanceof ProtocolError) throw failure;
      throw new ProtocolError('UDF_BAD_METADATA', 'no readable metadata file');
    }
    const runs = extents;
    const starts: number[] = [];
    let total = 0;
    for (const e of runs) {
      starts.push(total);
      total += e.kind === 'inline' ? e.bytes.length : e.length;
    }
    return {
      map(block, length) {
        const out: Piece[] = [];
        let pos = block * SECTOR;
        let left = length;
        if (pos + length > total) throw new ProtocolError('UDF_EXTENT_RANGE', `metadata block ${block} (+${length} bytes) past the metadata file`);
        // Binary search for the run holding `pos`, then walk forward.
        let lo = 0;
        let hi = runs.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]! <= pos) lo = mid;
          else hi = mid - 1;
        }
        for (let i = lo; left > 0 && i < runs.length; i++) {
          const e = runs[i]!;
          if (e.kind !== 'data') throw new ProtocolError('UDF_BAD_METADATA', `metadata block ${block} is not recorded`);
          const take = Math.min(left, starts[i]! + e.length - pos);
          out.push({ offset: e.offset + (pos - starts[i]!), length: take });
          pos += take;
          left -= take;
        }
        return out;
      },
    };
  }

  async volume(): Promise<{ label: string; fsd: AllocationDescriptor; end: number }> {
    const anchor = await this.anchor();
    let v: Volume;
    try {
      v = await this.sequence(anchor.main[0], anchor.main[1]);
    } catch (e) {
      // ECMA-167 3/8.4.2: the reserve sequence stands in for a damaged main one.
      if (!(e instanceof ProtocolError)) throw e;
      try {
        v = await this.sequence(anchor.reserve[0], anchor.reserve[1]);
      } catch {
        throw e;
      }
    }
    const lvd = v.lvd!;
    const blockSize = u32(lvd, 212);
    if (blockSize !== SECTOR) throw new ProtocolError('UDF_BLOCK_SIZE', `logical block size ${blockSize} (only 2048 is read)`);
    const mapTableLength = u32(lvd, 264);
    const maps = u32(lvd, 268);
    if (maps === 0 || maps > 64 || 440 + mapTableLength > SECTOR) {
      throw new ProtocolError('UDF_BAD_PARTITION_MAP', `${maps} partition maps in ${mapTableLength} bytes`);
    }
    const table = lvd.subarray(440, 440 + mapTableLength);
    const pending: { ref: number; pd: PartitionDescriptor; file: number; mirror: number }[] = [];
    let end = Math.max(v.end, anchor.at + 1);
    for (let i = 0, o = 0; i < maps; i++) {
      if (o + 2 > table.length) throw new ProtocolError('UDF_BAD_PARTITION_MAP', 'partition map table overrun');
      const type = table[o]!;
      const len = table[o + 1]!;
      if (len < 6 || o + len > table.length) throw new ProtocolError('UDF_BAD_PARTITION_MAP', `partition map ${i} length ${len}`);
      const pdFor = (number: number) => {
        const pd = v.partitions.get(number);
        if (!pd) throw new ProtocolError('UDF_NO_PARTITION', `partition map ${i} names partition ${number}, which has no descriptor`);
        end = Math.max(end, pd.start + pd.length);
        return pd;
      };
      if (type === 1) {
        // ECMA-167 3/10.7.2: volume sequence number, partition number.
        this.partitions.set(i, this.physical(pdFor(u16(table, o + 4))));
      } else if (type === 2 && len >= 64) {
        // OSTA UDF 2.2.8-2.2.10: the partition type identifier says what it is.
        const ident = String.fromCharCode(...table.subarray(o + 5, o + 28)).replace(/\0+$/, '');
        const number = u16(table, o + 38);
        if (ident === '*UDF Metadata Partition') {
          pending.push({ ref: i, pd: pdFor(number), file: u32(table, o + 40), mirror: u32(table, o + 44) });
        } else {
          throw new ProtocolError('UDF_UNSUPPORTED_PARTITION', `partition map ${i}: ${ident || 'unknown type 2 map'}`);
        }
      } else {
        throw new ProtocolError('UDF_BAD_PARTITION_MAP', `partition map ${i} of type ${type}`);
      }
      o += len;
    }
    for (const m of pending) this.partitions.set(m.ref, await this.metadata(this.physical(m.pd), m.file, m.mirror));
    const fsd = longAd(lvd, 248);
    return { label: v.label || v.pvdLabel, fsd, end };
  }

  partition(ref: number): Partition {
    const p = this.partitions.get(ref);
    if (!p) throw new ProtocolError('UDF_NO_PARTITION', `partition reference ${ref} has no map`);
    return p;
  }

  /** One logical block of a partition, its tag checked against `expect`. */
  async block(ad: { block: number; partition: number }, expect: readonly number[]): Promise<{ b: Uint8Array; tagId: number }> {
    const pieces = this.partition(ad.partition).map(ad.block, SECTOR);
    const b = pieces.length === 1 ? await this.bytes(pieces[0]!.offset, SECTOR) : await this.gather(pieces, SECTOR);
    const tag = checkTag(b, 0, ad.block, expect);
    return { b, tagId: tag.id };
  }

  async gather(pieces: Piece[], total: number): Promise<Uint8Array> {
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of pieces) {
      out.set(await this.bytes(p.offset, p.length), o);
      o += p.length;
    }
    return out;
  }

  async fileEntry(icb: AllocationDescriptor): Promise<FileEntry> {
    const { b, tagId } = await this.block(icb, [TagId.FE, TagId.EFE]);
    const fe = parseFileEntry(b, tagId);
    // ECMA-167 4/14.6.2: strategy 4 is one direct entry; 4096 (multi-entry, WORM) is not read.
    if (fe.strategy !== 4) throw new ProtocolError('UDF_UNSUPPORTED_ICB', `ICB strategy ${fe.strategy}`);
    return fe;
  }

  /**
   * A file's allocation as logical runs, continuation chains followed (bounded), trimmed to its size.
   * Embedded data comes back as null.
   */
  async allocation(fe: FileEntry, icbPartition: number): Promise<AllocationDescriptor[] | null> {
    if (fe.adType === AdType.embedded) {
      if (fe.size > fe.ads.length) throw new ProtocolError('UDF_SHORT_FILE', `embedded data of ${fe.ads.length} bytes for a ${fe.size}-byte file`);
      return null;
    }
    const out: AllocationDescriptor[] = [];
    let want = fe.size;
    let ads = parseAds(fe.ads, fe.adType, icbPartition);
    let chain = 0;
    let count = 0;
    for (let i = 0; i < ads.length && want > 0; i++) {
      const ad = ads[i]!;
      if (++count > this.limits.maxExtents) throw new ProtocolError('UDF_TOO_MANY_EXTENTS', `more than ${this.limits.maxExtents} allocation descriptors`);
      if (ad.type === ExtentType.next) {
        // ECMA-167 4/14.5: the rest of the descriptors continue in an Allocation Extent Descriptor.
        if (++chain > this.limits.maxChain || ++this.chainTotal > this.limits.maxChainTotal) {
          throw new ProtocolError('UDF_AD_CHAIN', 'allocation descriptor continuation chain too long');
        }
        const { b } = await this.block(ad, [TagId.AED]);
        const lad = u32(b, 20);
        if (24 + lad > SECTOR || lad > ad.length) throw new ProtocolError('UDF_BAD_ENTRY', `allocation extent of ${lad} bytes overruns its block`);
        ads = parseAds(b.subarray(24, 24 + lad), fe.adType, icbPartition);
        i = -1;
        continue;
      }
      const length = Math.min(ad.length, want);
      out.push({ ...ad, length });
      want -= length;
    }
    if (want > 0) throw new ProtocolError('UDF_SHORT_FILE', `allocation descriptors cover ${fe.size - want} of ${fe.size} bytes`);
    return out;
  }

  /** A file's bytes as extents, in order, summing exactly to its size. */
  async extents(fe: FileEntry, icbPartition: number): Promise<Extent[]> {
    const runs = await this.allocation(fe, icbPartition);
    if (!runs) return fe.size === 0 ? [] : [{ kind: 'inline', bytes: fe.ads.slice(0, fe.size) }];
    const out: Extent[] = [];
    this.extentsTotal += runs.length;
    if (this.extentsTotal > this.limits.maxExtentsTotal) {
      throw new ProtocolError('UDF_TOO_MANY_EXTENTS', `more than ${this.limits.maxExtentsTotal} extents in the image`);
    }
    for (const ad of runs) {
      if (ad.type === ExtentType.recorded) {
        for (const p of this.partition(ad.partition).map(ad.block, ad.length)) out.push({ kind: 'data', offset: p.offset, length: p.length });
      } else {
        // Allocated-but-unrecorded and unallocated extents read as zeros (ECMA-167 4/14.14.1.1).
        out.push({ kind: 'zero', length: ad.length });
      }
    }
    return out;
  }

  async content(extents: Extent[], size: number): Promise<Uint8Array> {
    const out = new Uint8Array(size);
    let o = 0;
    for (const e of extents) {
      if (e.kind === 'inline') out.set(e.bytes, o);
      else if (e.kind === 'data') out.set(await this.bytes(e.offset, e.length), o);
      o += e.kind === 'inline' ? e.bytes.length : e.length;
    }
    return out;
  }

  /** Directory bytes plus, for any byte offset, the logical block holding it (FID tag locations). */
  async directory(fe: FileEntry, icb: AllocationDescriptor): Promise<{ data: Uint8Array; blockAt: (offset: number) => number }> {
    if (fe.size > this.limits.maxDirectoryBytes) {
      throw new ProtocolError('UDF_DIR_TOO_LARGE', `directory of ${fe.size} bytes (limit ${this.limits.maxDirectoryBytes})`);
    }
    this.directoryBytesTotal += fe.size;
    if (this.directoryBytesTotal > this.limits.maxDirectoryBytesTotal) {
      throw new ProtocolError('UDF_DIR_TOO_LARGE', `more than ${this.limits.maxDirectoryBytesTotal} bytes of directories`);
    }
    const runs = await this.allocation(fe, icb.partition);
    if (!runs) return { data: fe.ads.slice(0, fe.size), blockAt: () => icb.block };
    const starts: { at: number; block: number }[] = [];
    let at = 0;
    for (const ad of runs) {
      starts.push({ at, block: ad.block });
      at += ad.length;
    }
    const data = await this.content(await this.extents(fe, icb.partition), fe.size);
    return {
      data,
      blockAt(offset) {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid]!.at <= offset) lo = mid;
          else hi = mid - 1;
        }
        const s = starts[lo] ?? { at: 0, block: 0 };
        return s.block + Math.floor((offset - s.at) / SECTOR);
      },
    };
  }
}

const METADATA_HOST = -1;

const icbKey = (ad: AllocationDescriptor) => `${ad.partition}:${ad.block}`;

/** Lists every file of a UDF volume: root first, each directory before its contents. */
export async function readUdf(reader: BlockReader, limits: Partial<UdfLimits> = {}): Promise<ImageIndex> {
  const lim = { ...defaultLimits, ...limits };
  const r = new Reader(reader, lim);
  const vol = await r.volume();
  const { b: fsdBlock } = await r.block(vol.fsd, [TagId.FSD]);
  // ECMA-167 4/14.1: root directory ICB at 400.
  const root = longAd(fsdBlock, 400);

  const entries: ImageEntry[] = [];
  const seenDirs = new Set<string>();
  const stack: { icb: AllocationDescriptor; path: string; name: string; depth: number }[] = [{ icb: root, path: '', name: '', depth: 0 }];
  while (stack.length) {
    const { icb, path, name, depth } = stack.pop()!;
    if (entries.length >= lim.maxEntries) throw new ProtocolError('UDF_TOO_MANY_ENTRIES', `more than ${lim.maxEntries} entries`);
    const fe = await r.fileEntry(icb);
    let type: EntryType;
    if (path === '' && fe.fileType !== FileType.dir) throw new ProtocolError('UDF_BAD_ENTRY', `root directory has file type ${fe.fileType}`);
    if (fe.fileType === FileType.dir) type = 'dir';
    else if (fe.fileType === FileType.file) type = 'file';
    else if (fe.fileType === FileType.symlink) type = 'symlink';
    else continue; // devices, FIFOs, sockets, streams: nothing to serve
    const entry: ImageEntry = { path, name, type, size: 0, mode: posixMode(fe), mtimeMs: fe.mtimeMs, target: null, extents: [] };
    if (type === 'file') {
      entry.size = fe.size;
      entry.extents = await r.extents(fe, icb.partition);
    } else if (type === 'symlink') {
      if (fe.size > 4096) throw new ProtocolError('UDF_BAD_SYMLINK', `symlink of ${fe.size} bytes`);
      entry.target = symlinkTarget(await r.content(await r.extents(fe, icb.partition), fe.size));
    }
    entries.push(entry);
    if (type !== 'dir') continue;

    // A directory reached twice is a loop (or a hard-linked directory): either way the tree would not end.
    const key = icbKey(icb);
    if (seenDirs.has(key)) throw new ProtocolError('UDF_LOOP', `directory ${path || '/'} reached twice`);
    seenDirs.add(key);
    if (depth >= lim.maxDepth) throw new ProtocolError('UDF_TOO_DEEP', `directories nested deeper than ${lim.maxDepth}`);

    const dir = await r.directory(fe, icb);
    const children: { icb: AllocationDescriptor; path: string; name: string; depth: number }[] = [];
    const names = new Set<string>();
    for (let o = 0; o < dir.data.length; ) {
      if (dir.data.length - o < 16 || dir.data.subarray(o, o + 16).every((x) => x === 0)) break;
      checkTag(dir.data, o, dir.blockAt(o), [TagId.FID]);
      const fid = parseFid(dir.data, o);
      o += fid.length;
      if (fid.characteristics & (FidFlag.parent | FidFlag.deleted)) continue;
      const childName = cs0(fid.name);
      if (childName === '' || childName === '.' || childName === '..' || childName.includes('/') || childName.includes('\0')) {
        throw new ProtocolError('UDF_BAD_NAME', `unusable name ${JSON.stringify(childName)} in ${path || '/'}`);
      }
      if (names.has(childName)) throw new ProtocolError('UDF_BAD_NAME', `${JSON.stringify(childName)} twice in ${path || '/'}`);
      names.add(childName);
      if (entries.length + stack.length + children.length >= lim.maxEntries) {
        throw new ProtocolError('UDF_TOO_MANY_ENTRIES', `more than ${lim.maxEntries} entries`);
      }
      children.push({ icb: fid.icb, path: path ? `${path}/${childName}` : childName, name: childName, depth: depth + 1 });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }

  return { format: 'udf', label: vol.label.trim(), names: 'udf', entries, boot: [], volumeSize: vol.end * SECTOR };
}

