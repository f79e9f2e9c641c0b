/**
 * Test-only builder of small in-memory ISO 9660 images (PVD, optional Joliet SVD, Rock Ridge, El Torito), laid out
 * like mastering tools do but with every field reachable so tests can break one thing at a time. Not used by the
 * product; it lives here so the codec tests and the reader share it.
 */
import { encodeRecord, FileFlag, type DirRecord } from './record.ts';
import { SECTOR } from './fields.ts';

export function utf8Bytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

export const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function ucs2beBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[i * 2] = text.charCodeAt(i) >> 8;
    out[i * 2 + 1] = text.charCodeAt(i) & 0xff;
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function both32(v: number): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, v, true);
  dv.setUint32(4, v, false);
  return out;
}

// --- SUSP / Rock Ridge entries (IEEE P1281 / P1282) ---

export const susp = (sig: string, data: Uint8Array, version = 1) => concat(ascii(sig), Uint8Array.of(4 + data.length, version), data);
export const sp = (skip = 0) => susp('SP', Uint8Array.of(0xbe, 0xef, skip));
export const er = (id = 'RRIP_1991A') => susp('ER', concat(Uint8Array.of(id.length, 0, 0, 1), ascii(id)));
export const px = (mode: number) => susp('PX', concat(both32(mode), both32(1), both32(0), both32(0)));
export const nm = (name: string | Uint8Array, flags = 0) => susp('NM', concat(Uint8Array.of(flags), typeof name === 'string' ? utf8Bytes(name) : name));
export const ce = (lba: number, offset: number, length: number) => susp('CE', concat(both32(lba), both32(offset), both32(length)));
export const re = () => susp('RE', new Uint8Array(0));
export const cl = (lba: number) => susp('CL', both32(lba));
export const st = () => susp('ST', new Uint8Array(0));
export const zf = (size: number) => susp('ZF', concat(ascii('pz'), Uint8Array.of(4, 15), both32(size)));
/** SL with components [component flags, text]; `flags` 1 = continued in the next SL. */
export const sl = (components: [number, string][], flags = 0) =>
  susp('SL', concat(Uint8Array.of(flags), ...components.map(([f, t]) => concat(Uint8Array.of(f, utf8Bytes(t).length), utf8Bytes(t)))));
/** TF with the given flag bits and one stamp per bit (7 or 17 bytes each). */
export const tf = (flags: number, ...stamps: Uint8Array[]) => susp('TF', concat(Uint8Array.of(flags), ...stamps));
/** Seven-byte ECMA-119 9.1.5 time. */
export const time7 = (y: number, mo: number, d: number, h: number, mi: number, s: number, gmtQuarterHours = 0) =>
  Uint8Array.of(y - 1900, mo, d, h, mi, s, gmtQuarterHours & 0xff);
/** Seventeen-byte ECMA-119 8.4.26.1 date. */
export const time17 = (text: string, gmtQuarterHours = 0) => concat(ascii(text), Uint8Array.of(gmtQuarterHours & 0xff));

// --- El Torito catalog ---

export interface CatalogSpec {
  platformId: number;
  bootable?: boolean;
  media?: number;
  lba: number;
  sectorCount: number;
}

export function catalogEntry(e: CatalogSpec): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = e.bootable === false ? 0 : 0x88;
  out[1] = e.media ?? 0;
  out[6] = e.sectorCount & 0xff;
  out[7] = e.sectorCount >> 8;
  new DataView(out.buffer).setUint32(8, e.lba, true);
  return out;
}

export function validationEntry(platformId: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = 1;
  out[1] = platformId;
  out.set(ascii('rackboot test'), 4);
  out[30] = 0x55;
  out[31] = 0xaa;
  let sum = 0;
  for (let i = 0; i < 32; i += 2) sum = (sum + out[i]! + (out[i + 1]! << 8)) & 0xffff;
  const check = (0x10000 - sum) & 0xffff;
  out[28] = check & 0xff;
  out[29] = check >> 8;
  return out;
}

/** A catalog: validation + default entry, then one section (header 0x91 on the last) per extra platform. */
export function catalog(first: CatalogSpec, sections: CatalogSpec[][] = []): Uint8Array {
  const parts = [validationEntry(first.platformId), catalogEntry(first)];
  sections.forEach((entries, i) => {
    const header = new Uint8Array(32);
    header[0] = i === sections.length - 1 ? 0x91 : 0x90;
    header[1] = entries[0]?.platformId ?? 0;
    header[2] = entries.length & 0xff;
    header[3] = entries.length >> 8;
    parts.push(header, ...entries.map(catalogEntry));
  });
  const out = concat(...parts);
  const padded = new Uint8Array(Math.ceil(out.length / SECTOR) * SECTOR);
  padded.set(out);
  return padded;
}

/** A FAT12 boot sector saying `totalSectors` x 512 bytes. */
export function fatBootSector(totalSectors: number): Uint8Array {
  const b = new Uint8Array(512);
  b.set([0xeb, 0x3c, 0x90], 0);
  b.set(ascii('mkfs.fat'), 3);
  const dv = new DataView(b.buffer);
  dv.setUint16(11, 512, true);
  b[13] = 4;
  dv.setUint16(14, 1, true);
  b[16] = 2;
  dv.setUint16(17, 512, true);
  if (totalSectors < 0x10000) dv.setUint16(19, totalSectors, true);
  else dv.setUint32(32, totalSectors, true);
  b[21] = 0xf8;
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

// --- Tree and layout ---

export interface Layout {
  /** Extent LBA of a directory ('' = root). */
  dir(path: string): number;
  /** First extent LBA of a file. */
  file(path: string): number;
  /** LBA of a blob from BuildOptions.blobs. */
  blob(name: string): number;
}

export interface TreeNode {
  /** Rock Ridge and Joliet name. */
  name: string;
  /** Plain ISO 9660 identifier; default: upper case, files with `.`/`;1` added. */
  isoName?: string | Uint8Array;
  /** A directory when present. */
  children?: TreeNode[];
  data?: Uint8Array;
  /** Rock Ridge symlink target (written as SL components). */
  target?: string;
  mode?: number;
  /** Extra System Use bytes (after the automatic NM/PX/SL); a function sees the final layout. */
  su?: Uint8Array | ((l: Layout) => Uint8Array);
  /** Replaces the automatic Rock Ridge entries entirely. */
  rrOverride?: (l: Layout) => Uint8Array;
  flags?: number;
  time?: Uint8Array;
  unitSize?: number;
  gap?: number;
  /** Multi-extent: the byte lengths of each extent (they sum to data.length). */
  parts?: number[];
  /** Leave a free sector between the extents of a multi-extent file. */
  spreadParts?: boolean;
  /** Replaces the record's extent LBA / data length (hostile images). */
  lba?: (l: Layout) => number;
  size?: number;
  /** Left out of the Joliet tree. */
  noJoliet?: boolean;
}

export interface BuildOptions {
  rockRidge?: boolean;
  joliet?: boolean;
  label?: string;
  /** SP LEN_SKP: bytes of padding at the start of every System Use area after the root's ".". */
  suSkip?: number;
  /** Raw sectors placed before the file data, found again with layout.blob(name). */
  blobs?: Record<string, Uint8Array | ((l: Layout) => Uint8Array)>;
  /** El Torito catalog bytes; a boot record descriptor points at them. */
  catalog?: (l: Layout) => Uint8Array;
  /** Extra ISO-volume-external sectors appended after the volume (xorriso -append_partition style). */
  appended?: Uint8Array;
  /** Writes into the finished image (system area, partition tables, corruptions). */
  patch?: (image: Uint8Array, l: Layout) => void;
}

export interface Built {
  image: Uint8Array;
  layout: Layout;
  volumeBlocks: number;
}

const sectors = (n: number) => Math.ceil(n / SECTOR);
const isDir = (n: TreeNode) => n.children !== undefined;

function defaultIsoName(n: TreeNode): Uint8Array {
  if (n.isoName instanceof Uint8Array) return n.isoName;
  if (n.isoName !== undefined) return ascii(n.isoName);
  const upper = n.name.toUpperCase().replace(/[^A-Z0-9_.]/g, '_');
  return ascii(isDir(n) ? upper : `${upper.includes('.') ? upper : `${upper}.`};1`);
}

function defaultMode(n: TreeNode): number {
  if (n.mode !== undefined) return n.mode;
  if (isDir(n)) return 0o40755;
  if (n.target !== undefined) return 0o120777;
  return 0o100644;
}

/** Builds an image; the layout is computed once with LBAs, so `su`/`lba` callbacks see final positions. */
export function buildIso(tree: TreeNode[], o: BuildOptions = {}): Built {
  const root: TreeNode = { name: '', children: tree };
  const dirLba = new Map<string, number>();
  const dirSize = new Map<string, number>();
  const fileLba = new Map<string, number[]>();
  const blobLba = new Map<string, number>();
  const layout: Layout = {
    dir: (p) => dirLba.get(p) ?? 0,
    file: (p) => fileLba.get(p)?.[0] ?? 0,
    blob: (n) => blobLba.get(n) ?? 0,
  };
  const sectorsOut = new Map<number, Uint8Array>();
  const skip = new Uint8Array(o.suSkip ?? 0);

  // Descriptors: PVD 16, Joliet 17, boot record, terminator.
  let next = 17 + (o.joliet ? 1 : 0) + (o.catalog ? 1 : 0) + 1;
  const blobs = Object.entries(o.blobs ?? {});
  const blobBytes = (b: Uint8Array | ((l: Layout) => Uint8Array)) => (typeof b === 'function' ? b(layout) : b);
  for (const [name, b] of blobs) {
    blobLba.set(name, next);
    next += Math.max(1, sectors(blobBytes(b).length));
  }
  let catalogLba = 0;
  if (o.catalog) {
    catalogLba = next;
    next += sectors(o.catalog(layout).length) || 1;
  }
  const walk = (n: TreeNode, path: string, f: (n: TreeNode, path: string) => void) => {
    f(n, path);
    for (const c of n.children ?? []) walk(c, path ? `${path}/${c.name}` : c.name, f);
  };
  walk(root, '', (n, path) => {
    if (isDir(n) || n.target !== undefined || !n.data) return;
    const parts = n.parts ?? [n.data.length];
    const lbas: number[] = [];
    for (const len of parts) {
      lbas.push(next);
      next += Math.max(1, sectors(len)) + (n.spreadParts ? 1 : 0);
    }
    fileLba.set(path, lbas);
  });

  const rrEntries = (n: TreeNode, path: string, l: Layout): Uint8Array => {
    const extra = typeof n.su === 'function' ? n.su(l) : (n.su ?? new Uint8Array(0));
    if (!o.rockRidge) return extra;
    if (n.rrOverride) return concat(skip, n.rrOverride(l), extra);
    const sym = n.target === undefined ? [] : [sl(n.target.split('/').map((t, i) => (t === '' && i === 0 ? [8, ''] : t === '.' ? [2, ''] : t === '..' ? [4, ''] : [0, t])))];
    void path;
    return concat(skip, nm(n.name), px(defaultMode(n)), ...sym, extra);
  };
  const time = (n: TreeNode) => n.time ?? time7(2024, 5, 6, 7, 8, 9);
  const record = (name: Uint8Array, lba: number, size: number, flags: number, n: TreeNode, su: Uint8Array): DirRecord => ({
    xarLength: 0,
    lba,
    size,
    time: time(n),
    flags,
    unitSize: n.unitSize ?? 0,
    gap: n.gap ?? 0,
    volumeSequence: 1,
    name,
    systemUse: su,
  });

  // Records of one directory (both trees), given the layout known so far.
  const recordsOf = (dir: TreeNode, path: string, parentPath: string, jol: boolean): DirRecord[] => {
    const dotSu = !jol && o.rockRidge ? (path === '' ? concat(sp(o.suSkip ?? 0), er(), px(0o40755)) : concat(skip, px(0o40755))) : new Uint8Array(0);
    const key = (p: string) => (jol ? `J:${p}` : p);
    const out = [
      record(Uint8Array.of(0), dirLba.get(key(path)) ?? 0, dirSize.get(key(path)) ?? 0, FileFlag.DIRECTORY, dir, dotSu),
      record(Uint8Array.of(1), dirLba.get(key(parentPath)) ?? 0, dirSize.get(key(parentPath)) ?? 0, FileFlag.DIRECTORY, dir, new Uint8Array(0)),
    ];
    for (const c of dir.children ?? []) {
      if (jol && c.noJoliet) continue;
      const cpath = path ? `${path}/${c.name}` : c.name;
      const name = jol ? ucs2beBytes(isDir(c) ? c.name : `${c.name};1`) : defaultIsoName(c);
      const su = jol ? new Uint8Array(0) : rrEntries(c, cpath, layout);
      const flags = c.flags ?? 0;
      if (isDir(c)) {
        out.push(record(name, c.lba ? c.lba(layout) : (dirLba.get(key(cpath)) ?? 0), c.size ?? dirSize.get(key(cpath)) ?? 0, FileFlag.DIRECTORY | flags, c, su));
      } else {
        const lens = c.data ? (c.parts ?? [c.data.length]) : [0];
        const lbas = fileLba.get(cpath) ?? [0];
        lens.forEach((len, i) => {
          const last = i === lens.length - 1;
          const lba = c.lba ? c.lba(layout) : (lbas[i] ?? 0);
          out.push(record(name, lba, c.size ?? len, (last ? 0 : FileFlag.MULTI_EXTENT) | flags, c, su));
        });
      }
    }
    return out;
  };
  const pack = (records: DirRecord[]): Uint8Array => {
    const chunks: Uint8Array[] = [];
    let used = 0;
    for (const r of records) {
      const bytes = encodeRecord(r);
      if ((used % SECTOR) + bytes.length > SECTOR) {
        chunks.push(new Uint8Array(SECTOR - (used % SECTOR)));
        used += SECTOR - (used % SECTOR);
      }
      chunks.push(bytes);
      used += bytes.length;
    }
    const out = concat(...chunks);
    const padded = new Uint8Array(Math.max(1, sectors(out.length)) * SECTOR);
    padded.set(out);
    return padded;
  };

  const trees: [boolean, string][] = [[false, '']];
  if (o.joliet) trees.push([true, 'J:']);
  const dirs: [TreeNode, string, string, boolean][] = [];
  for (const [jol] of trees) {
    const queue: [TreeNode, string, string][] = [[root, '', '']];
    for (let i = 0; i < queue.length; i++) {
      const [n, path, parent] = queue[i]!;
      dirs.push([n, path, parent, jol]);
      for (const c of n.children ?? []) if (isDir(c) && !(jol && c.noJoliet)) queue.push([c, path ? `${path}/${c.name}` : c.name, path]);
    }
  }
  // Sizes first (they depend only on record lengths), then LBAs, then the bytes.
  for (const [n, path, parent, jol] of dirs) dirSize.set(`${jol ? 'J:' : ''}${path}`, pack(recordsOf(n, path, parent, jol)).length);
  for (const [, path, , jol] of dirs) {
    const k = `${jol ? 'J:' : ''}${path}`;
    dirLba.set(k, next);
    next += sectors(dirSize.get(k)!);
  }
  for (const [n, path, parent, jol] of dirs) sectorsOut.set(dirLba.get(`${jol ? 'J:' : ''}${path}`)!, pack(recordsOf(n, path, parent, jol)));
  for (const [name, b] of blobs) sectorsOut.set(blobLba.get(name)!, blobBytes(b));
  if (o.catalog) sectorsOut.set(catalogLba, o.catalog(layout));
  walk(root, '', (n, path) => {
    const lbas = fileLba.get(path);
    if (!lbas || !n.data) return;
    let at = 0;
    (n.parts ?? [n.data.length]).forEach((len, i) => {
      sectorsOut.set(lbas[i]!, n.data!.subarray(at, at + len));
      at += len;
    });
  });

  const volumeBlocks = next;
  const appended = o.appended ?? new Uint8Array(0);
  const image = new Uint8Array(volumeBlocks * SECTOR + appended.length);
  image.set(appended, volumeBlocks * SECTOR);
  for (const [lba, bytes] of sectorsOut) image.set(bytes, lba * SECTOR);

  const descriptor = (type: number, label: Uint8Array, rootRecord: DirRecord, escapes?: Uint8Array) => {
    const d = new Uint8Array(SECTOR);
    d[0] = type;
    d.set(ascii('CD001'), 1);
    d[6] = 1;
    d.fill(0x20, 8, 72);
    d.set(label.subarray(0, 32), 40);
    d.set(both32(volumeBlocks), 80);
    if (escapes) d.set(escapes, 88);
    d.set([1, 0, 0, 1, 1, 0, 0, 1, 0, 8, 8, 0], 120); // set size 1, sequence 1, block size 2048 (723 each)
    d.set(encodeRecord(rootRecord), 156);
    d[881] = 1;
    return d;
  };
  const rootRecord = (jol: boolean) => record(Uint8Array.of(0), dirLba.get(jol ? 'J:' : '')!, dirSize.get(jol ? 'J:' : '')!, FileFlag.DIRECTORY, root, new Uint8Array(0));
  let at = 16;
  image.set(descriptor(1, ascii((o.label ?? 'RACKBOOT_TEST').padEnd(32, ' ')), rootRecord(false)), at++ * SECTOR);
  if (o.joliet) image.set(descriptor(2, ucs2beBytes((o.label ?? 'rackboot test').padEnd(16, ' ')), rootRecord(true), ascii('%/E')), at++ * SECTOR);
  if (o.catalog) {
    const b = new Uint8Array(SECTOR);
    b.set(ascii('\0CD001\x01EL TORITO SPECIFICATION'));
    new DataView(b.buffer).setUint32(71, catalogLba, true);
    image.set(b, at++ * SECTOR);
  }
  image.set(ascii('\xffCD001\x01'), at * SECTOR);
  o.patch?.(image, layout);
  return { image, layout, volumeBlocks };
}

/** A BlockReader over bytes (copies, so a test cannot alias the image). */
export function memoryReader(image: Uint8Array) {
  return {
    size: image.length,
    reads: 0,
    async read(offset: number, length: number): Promise<Uint8Array> {
      this.reads++;
      if (offset < 0 || offset + length > image.length) throw new RangeError(`read ${offset}+${length} past ${image.length}`);
      return image.slice(offset, offset + length);
    },
  };
}
