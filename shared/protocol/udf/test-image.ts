/**
 * Test-only builder of small UDF images in memory (ECMA-167 layouts, 2048-byte blocks): VRS, a main and a
 * reserve volume descriptor sequence, anchors, one partition (optionally carrying a UDF 2.50 metadata
 * partition), a file set and a tree. Hooks let tests break exactly one thing; `retag` re-seals a descriptor
 * after a test edits it, so the reader's later checks are the ones that fire.
 */
import { crc16, SECTOR, tagChecksum, TagId } from './codec.ts';

export type TNode =
  | { type: 'dir'; name: string; children: TNode[]; embedded?: boolean; mode?: number; fileType?: number }
  | {
      type: 'file';
      name: string;
      data: Uint8Array;
      /** Allocation descriptors for this file (default: the image's). */
      ad?: 'short' | 'long' | 'embedded';
      /** Split the data into extents of this many bytes. */
      chunk?: number;
      /** Replace the allocation descriptors (types, lengths, blocks as given; partition ref 0 when long). */
      rawAds?: { type: number; length: number; block: number; partition?: number }[];
      /** Information length to record instead of data.length. */
      size?: bigint;
      /** Put the descriptors behind this many Allocation Extent Descriptors; 'self' makes one that points at itself. */
      chain?: number | 'self';
      mode?: number;
      fileType?: number;
    }
  | { type: 'symlink'; name: string; components: Uint8Array; mode?: number }
  /** A raw FID naming an existing node's ICB (by path): hard links and loops. */
  | { type: 'fid'; name: string; to: string; dir?: boolean };

export interface BuildOptions {
  label?: string;
  pvdLabel?: string;
  metadata?: boolean;
  efe?: boolean;
  ad?: 'short' | 'long';
  /** Where anchors go (default 256 and N-1). */
  anchors?: ('256' | 'n-256' | 'n-1')[];
  /** mtime for every entry, as ms since the epoch, written with this timezone offset in minutes. */
  mtimeMs?: number;
  tzMinutes?: number;
  /** Names in CS0 compression 8 or 16 (default: 8 unless a character is above U+00FF). */
  nameCs?: 8 | 16;
  blockSize?: number;
  /** Extra partition maps appended raw (type 2 sparable/virtual tests). */
  extraMap?: Uint8Array;
}

export interface Built {
  image: Uint8Array;
  at: {
    avdp: number;
    mainVds: number;
    reserveVds: number;
    partitionStart: number;
    /** Physical sector of each entry's File Entry, by path ('' = root). */
    fe: Map<string, number>;
    /** Physical sector of each directory's first data block (non-embedded). */
    dirData: Map<string, number>;
    fsd: number;
  };
  /** Recomputes CRC and checksum of the descriptor starting at `sector` (CRC length kept). */
  retag(sector: number, offsetInSector?: number): void;
}

const enc = (s: string, cs: 8 | 16) => {
  if (cs === 8) return Uint8Array.from([8, ...Array.from(s, (c) => c.charCodeAt(0))]);
  const out = [16];
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) >> 8, s.charCodeAt(i) & 0xff);
  return Uint8Array.from(out);
};

function w16(b: Uint8Array, o: number, v: number) {
  b[o] = v & 0xff;
  b[o + 1] = (v >> 8) & 0xff;
}
function w32(b: Uint8Array, o: number, v: number) {
  w16(b, o, v & 0xffff);
  w16(b, o + 2, (v >>> 16) & 0xffff);
}
function w64(b: Uint8Array, o: number, v: bigint) {
  w32(b, o, Number(v & 0xffffffffn));
  w32(b, o + 4, Number(v >> 32n));
}

/** Seals a descriptor: CRC over `crcLength` body bytes, location, checksum (ECMA-167 3/7.2). */
export function seal(b: Uint8Array, o: number, id: number, location: number, crcLength: number, version = 2) {
  w16(b, o, id);
  w16(b, o + 2, version);
  w16(b, o + 6, 1);
  w16(b, o + 10, crcLength);
  w16(b, o + 8, crc16(b.subarray(o + 16, o + 16 + crcLength)));
  w32(b, o + 12, location);
  b[o + 4] = tagChecksum(b, o);
}

function dstr(b: Uint8Array, o: number, size: number, s: string) {
  const e = enc(s, [...s].some((c) => c.charCodeAt(0) > 255) ? 16 : 8);
  b.set(e.subarray(0, size - 1), o);
  b[o + size - 1] = Math.min(e.length, size - 1);
}

function regid(b: Uint8Array, o: number, ident: string, suffix: number[] = []) {
  for (let i = 0; i < ident.length; i++) b[o + 1 + i] = ident.charCodeAt(i);
  b.set(suffix, o + 24);
}

export function timestampBytes(ms: number, tz: number): Uint8Array {
  const b = new Uint8Array(12);
  const d = new Date(ms + tz * 60_000);
  w16(b, 0, (1 << 12) | (tz & 0xfff));
  w16(b, 2, d.getUTCFullYear());
  b.set([d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), Math.floor(d.getUTCMilliseconds() / 10), (d.getUTCMilliseconds() % 10) * 10, 0], 4);
  return b;
}

/** UDF permissions from POSIX rwx (ECMA-167 4/14.9.5), with chattr/delete for the owner. */
function perms(mode: number): number {
  return (mode & 7) | (((mode >> 3) & 7) << 5) | (((mode >> 6) & 7) << 10) | 0x3000;
}

export function buildUdf(root: TNode[], opt: BuildOptions = {}): Built {
  const cs = opt.nameCs;
  const nameBytes = (s: string) => enc(s, cs ?? ([...s].some((c) => c.charCodeAt(0) > 255) ? 16 : 8));
  const meta = !!opt.metadata;
  const metaRef = meta ? 1 : 0;
  const defaultAd = opt.ad ?? 'long';

  // Logical blocks: metadata partition (meta) and physical partition (data); the same counter without metadata.
  const blocks = new Map<string, Uint8Array>(); // `${ref}:${lbn}` -> block
  let metaNext = 0;
  let dataNext = meta ? 2 : 0;
  const allocMeta = () => (meta ? metaNext++ : dataNext++);
  const allocData = (n: number) => {
    const b = dataNext;
    dataNext += n;
    return b;
  };
  const put = (ref: number, lbn: number, bytes: Uint8Array) => {
    for (let i = 0; i * SECTOR < bytes.length; i++) {
      const blk = new Uint8Array(SECTOR);
      blk.set(bytes.subarray(i * SECTOR, (i + 1) * SECTOR));
      blocks.set(`${ref}:${lbn + i}`, blk);
    }
  };

  const fsd = allocMeta();
  interface Placed {
    node: TNode;
    path: string;
    icb: number;
    parent: number;
  }
  const placed: Placed[] = [];
  const byPath = new Map<string, number>();
  const walk = (node: Placed['node'], path: string, parent: number) => {
    if (node.type === 'fid') return;
    const icb = allocMeta();
    byPath.set(path, icb);
    placed.push({ node, path, icb, parent });
    if (node.type === 'dir') for (const c of node.children) walk(c, path ? `${path}/${c.name}` : c.name, icb);
  };
  walk({ type: 'dir', name: '', children: root }, '', -1);

  const ts = timestampBytes(opt.mtimeMs ?? Date.UTC(2024, 4, 17, 10, 30, 15, 250), opt.tzMinutes ?? 120);
  const efe = !!opt.efe;
  const fixed = efe ? 216 : 176;
  const dirData = new Map<string, { ref: number; lbn: number }>();

  const adBytes = (kind: 'short' | 'long', list: { type: number; length: number; block: number; partition: number }[]) => {
    const size = kind === 'short' ? 8 : 16;
    const out = new Uint8Array(list.length * size);
    list.forEach((a, i) => {
      w32(out, i * size, ((a.type << 30) | a.length) >>> 0);
      w32(out, i * size + 4, a.block);
      if (kind === 'long') w16(out, i * size + 8, a.partition);
    });
    return out;
  };

  for (const p of placed) {
    const fe = new Uint8Array(SECTOR);
    const n = p.node;
    let content: Uint8Array;
    let fileType: number;
    let adKind: 'short' | 'long' | 'embedded' = defaultAd;
    let dataRef = 0;
    if (n.type === 'dir') {
      fileType = n.fileType ?? 4;
      const fids: Uint8Array[] = [];
      const fid = (name: Uint8Array, flags: number, icb: number) => {
        const len = (38 + name.length + 3) & ~3;
        const f = new Uint8Array(len);
        w16(f, 16, 1);
        f[18] = flags;
        f[19] = name.length;
        w32(f, 20, SECTOR);
        w32(f, 24, icb);
        w16(f, 28, metaRef);
        f.set(name, 38);
        return f;
      };
      fids.push(fid(new Uint8Array(0), 8 | 2, p.parent < 0 ? p.icb : p.parent));
      for (const c of n.children) {
        const path = p.path ? `${p.path}/${c.name}` : c.name;
        if (c.type === 'fid') fids.push(fid(nameBytes(c.name), c.dir ? 2 : 0, byPath.get(c.to)!));
        else fids.push(fid(nameBytes(c.name), c.type === 'dir' ? 2 : 0, byPath.get(path)!));
      }
      content = new Uint8Array(fids.reduce((s, f) => s + f.length, 0));
      if (n.embedded) adKind = 'embedded';
      dataRef = metaRef;
      // FID tags record the block their first byte is in (the ICB itself when embedded).
      const first = adKind === 'embedded' ? p.icb : meta ? metaNext : dataNext;
      let o = 0;
      for (const f of fids) {
        content.set(f, o);
        seal(content, o, TagId.FID, adKind === 'embedded' ? first : first + Math.floor(o / SECTOR), f.length - 16);
        o += f.length;
      }
    } else if (n.type === 'file') {
      fileType = n.fileType ?? 5;
      content = n.data;
      adKind = n.ad ?? defaultAd;
    } else if (n.type === 'symlink') {
      fileType = 12;
      content = n.components;
      adKind = 'embedded';
    } else continue;

    // ICB tag (4/14.6): strategy 4, one entry, file type, AD type in the flags.
    w16(fe, 16 + 4, 4);
    w16(fe, 16 + 8, 1);
    fe[16 + 11] = fileType;
    const mode = ('mode' in n ? n.mode : undefined) ?? (n.type === 'dir' ? 0o755 : 0o644);
    const flagsExtra = (mode & 0o4000 ? 0x40 : 0) | (mode & 0o2000 ? 0x80 : 0) | (mode & 0o1000 ? 0x100 : 0);
    w32(fe, 36, 1000);
    w32(fe, 40, 1000);
    w32(fe, 44, perms(mode));
    w16(fe, 48, 1);
    const size = n.type === 'file' && n.size !== undefined ? n.size : BigInt(content.length);
    w64(fe, 56, size);
    if (efe) w64(fe, 64, size);
    fe.set(ts, efe ? 92 : 84);

    let ads: Uint8Array;
    const adType = adKind === 'short' ? 0 : adKind === 'long' ? 1 : 3;
    if (n.type === 'file' && n.rawAds) {
      ads = adBytes(adKind === 'short' ? 'short' : 'long', n.rawAds.map((a) => ({ ...a, partition: a.partition ?? 0 })));
    } else if (adKind === 'embedded') {
      ads = content;
    } else {
      const ref = dataRef;
      const nBlocks = Math.ceil(content.length / SECTOR);
      const start = ref === metaRef && meta ? metaNext : dataNext;
      if (ref === metaRef && meta) metaNext += nBlocks;
      else allocData(nBlocks);
      if (nBlocks) put(ref, start, content);
      if (n.type === 'dir') dirData.set(p.path, { ref, lbn: start });
      const chunk = (n.type === 'file' && n.chunk) || 0x3ffff800;
      const list: { type: number; length: number; block: number; partition: number }[] = [];
      for (let o = 0; o < content.length; o += chunk) {
        list.push({ type: 0, length: Math.min(chunk, content.length - o), block: start + o / SECTOR, partition: ref });
      }
      ads = adBytes(adKind, list);
      // Data in the physical partition of a metadata volume needs long_ad (short_ad means the ICB's partition).
    }
    if (n.type === 'file' && n.chain !== undefined) {
      // Move the descriptors into a chain of Allocation Extent Descriptors (4/14.5).
      const kind = adKind === 'short' ? 'short' : 'long';
      const count = n.chain === 'self' ? 1 : n.chain;
      const first = allocMeta();
      for (let i = 1; i < count; i++) allocMeta();
      for (let i = 0; i < count; i++) {
        const lbn = first + i;
        const last = i === count - 1;
        const body =
          n.chain === 'self'
            ? adBytes(kind, [{ type: 3, length: SECTOR, block: lbn, partition: metaRef }])
            : last
              ? ads
              : adBytes(kind, [{ type: 3, length: SECTOR, block: lbn + 1, partition: metaRef }]);
        const aed = new Uint8Array(SECTOR);
        w32(aed, 20, body.length);
        aed.set(body, 24);
        seal(aed, 0, TagId.AED, lbn, 8 + body.length);
        blocks.set(`${metaRef}:${lbn}`, aed);
      }
      ads = adBytes(kind, [{ type: 3, length: SECTOR, block: first, partition: metaRef }]);
    }
    w16(fe, 16 + 18, adType | flagsExtra);
    w32(fe, efe ? 212 : 172, ads.length);
    fe.set(ads, fixed);
    seal(fe, 0, efe ? TagId.EFE : TagId.FE, p.icb, fixed + ads.length - 16);
    blocks.set(`${metaRef}:${p.icb}`, fe);
  }

  // File Set Descriptor (4/14.1): root ICB at 400.
  const fsdB = new Uint8Array(SECTOR);
  fsdB.set(ts, 16);
  w16(fsdB, 28, 3);
  w16(fsdB, 30, 3);
  w32(fsdB, 400, SECTOR);
  w32(fsdB, 404, byPath.get('')!);
  w16(fsdB, 408, metaRef);
  seal(fsdB, 0, TagId.FSD, fsd, 512 - 16);
  blocks.set(`${metaRef}:${fsd}`, fsdB);

  // Physical partition layout: metadata region after the data in metadata mode.
  const metaBase = dataNext;
  const partLength = meta ? dataNext + metaNext : dataNext;
  if (meta) {
    for (const [i, type] of [[0, 250], [1, 251]] as const) {
      const fe = new Uint8Array(SECTOR);
      w16(fe, 16 + 4, 4);
      fe[16 + 11] = type;
      w16(fe, 16 + 18, 0);
      w64(fe, 56, BigInt(metaNext * SECTOR));
      const ads = adBytes('short', [{ type: 0, length: metaNext * SECTOR, block: metaBase, partition: 0 }]);
      w32(fe, 172, ads.length);
      fe.set(ads, 176);
      seal(fe, 0, TagId.FE, i, 176 + ads.length - 16);
      blocks.set(`0:${i}`, fe);
    }
  }

  const partitionStart = 272;
  const mainVds = 32;
  const reserveVds = 48;
  const anchors = opt.anchors ?? ['256', 'n-1'];
  let total = partitionStart + partLength + 1;
  if (anchors.includes('n-256')) total = Math.max(total + 256, 512 + 1);
  const image = new Uint8Array(total * SECTOR);
  const phys = (ref: number, lbn: number) => partitionStart + (ref === 1 ? metaBase + lbn : lbn);
  const fePhys = new Map<string, number>();
  for (const p of placed) fePhys.set(p.path, phys(metaRef, p.icb));
  for (const [key, blk] of blocks) {
    const [ref, lbn] = key.split(':').map(Number) as [number, number];
    image.set(blk, phys(ref, lbn) * SECTOR);
  }

  // Volume Recognition Sequence (2/9.1).
  for (const [i, id] of ['BEA01', meta ? 'NSR03' : 'NSR02', 'TEA01'].entries()) {
    const o = (16 + i) * SECTOR;
    image[o] = 0;
    for (let k = 0; k < 5; k++) image[o + 1 + k] = id.charCodeAt(k);
    image[o + 6] = 1;
  }

  const vds = (start: number) => {
    const s = (i: number) => image.subarray((start + i) * SECTOR, (start + i + 1) * SECTOR);
    // PVD (3/10.1)
    const pvd = s(0);
    w32(pvd, 16, 0);
    dstr(pvd, 24, 32, opt.pvdLabel ?? 'PVDLABEL');
    seal(pvd, 0, TagId.PVD, start, 512 - 16);
    // PD (3/10.5)
    const pd = s(1);
    w32(pd, 16, 1);
    w16(pd, 20, 1);
    w16(pd, 22, 0);
    regid(pd, 24, meta ? '+NSR03' : '+NSR02');
    w32(pd, 184, 1);
    w32(pd, 188, partitionStart);
    w32(pd, 192, partLength);
    seal(pd, 0, TagId.PD, start + 1, 512 - 16);
    // LVD (3/10.6)
    const lvd = s(2);
    w32(lvd, 16, 2);
    dstr(lvd, 84, 128, opt.label ?? 'UDFTEST');
    w32(lvd, 212, opt.blockSize ?? SECTOR);
    regid(lvd, 216, '*OSTA UDF Compliant', meta ? [0x50, 0x02] : [0x02, 0x01]);
    w32(lvd, 248, SECTOR);
    w32(lvd, 252, fsd);
    w16(lvd, 256, metaRef);
    const maps: Uint8Array[] = [Uint8Array.of(1, 6, 1, 0, 0, 0)];
    if (meta) {
      const m = new Uint8Array(64);
      m[0] = 2;
      m[1] = 64;
      regid(m, 4, '*UDF Metadata Partition', [0x50, 0x02]);
      w16(m, 36, 1);
      w16(m, 38, 0);
      w32(m, 40, 0);
      w32(m, 44, 1);
      w32(m, 48, 0xffffffff);
      w32(m, 52, 32);
      w16(m, 56, 1);
      maps.push(m);
    }
    if (opt.extraMap) maps.push(opt.extraMap);
    let o = 440;
    for (const m of maps) {
      lvd.set(m, o);
      o += m.length;
    }
    w32(lvd, 264, o - 440);
    w32(lvd, 268, maps.length);
    seal(lvd, 0, TagId.LVD, start + 2, o - 16);
    // Terminating descriptor (3/10.9)
    seal(s(3), 0, TagId.TD, start + 3, 512 - 16);
  };
  vds(mainVds);
  vds(reserveVds);

  const n = total;
  const anchorAt = anchors.map((a) => (a === '256' ? 256 : a === 'n-256' ? n - 256 : n - 1));
  for (const at of anchorAt) {
    const a = image.subarray(at * SECTOR, (at + 1) * SECTOR);
    w32(a, 16, 16 * SECTOR);
    w32(a, 20, mainVds);
    w32(a, 24, 16 * SECTOR);
    w32(a, 28, reserveVds);
    seal(a, 0, TagId.AVDP, at, 512 - 16);
  }

  const dirPhys = new Map<string, number>();
  for (const [path, d] of dirData) dirPhys.set(path, phys(d.ref, d.lbn));
  return {
    image,
    at: { avdp: anchorAt[0] ?? 256, mainVds, reserveVds, partitionStart, fe: fePhys, dirData: dirPhys, fsd: phys(metaRef, fsd) },
    retag(sector, off = 0) {
      const o = sector * SECTOR + off;
      const id = image[o]! | (image[o + 1]! << 8);
      const loc = image[o + 12]! | (image[o + 13]! << 8) | (image[o + 14]! << 16) | (image[o + 15]! << 24);
      const crcLength = image[o + 10]! | (image[o + 11]! << 8);
      seal(image, o, id, loc >>> 0, crcLength, image[o + 2]!);
    },
  };
}

/** Flips bits of one byte (a test's way to break a descriptor). */
export function flip(image: Uint8Array, offset: number, mask = 1) {
  image[offset] = image[offset]! ^ mask;
}

/** In-memory BlockReader over `image`. */
export function memoryReader(image: Uint8Array) {
  return {
    size: image.length,
    read(offset: number, length: number): Promise<Uint8Array> {
      if (offset < 0 || offset + length > image.length) return Promise.reject(new RangeError('read past the end'));
      return Promise.resolve(image.slice(offset, offset + length));
    },
  };
}

/** Path components for a symlink (4/14.16): '/'-rooted or relative, '..' and '.' understood. */
export function components(target: string): Uint8Array {
  const out: number[] = [];
  const parts = target.split('/');
  if (target.startsWith('/')) {
    out.push(2, 0, 0, 0);
    parts.shift();
  }
  for (const p of parts) {
    if (p === '') continue;
    if (p === '..') out.push(3, 0, 0, 0);
    else if (p === '.') out.push(4, 0, 0, 0);
    else {
      const e = enc(p, [...p].some((c) => c.charCodeAt(0) > 255) ? 16 : 8);
      out.push(5, e.length, 0, 0, ...e);
    }
  }
  return Uint8Array.from(out);
}
