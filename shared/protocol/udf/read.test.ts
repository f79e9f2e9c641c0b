import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '../errors.ts';
import type { Extent, ImageIndex } from '../image.ts';
import { SECTOR } from './codec.ts';
import { hasUdf, readUdf, type UdfLimits } from './read.ts';
import { type BuildOptions, buildUdf, type Built, components, flip, memoryReader, type TNode } from './test-image.ts';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

async function content(image: Uint8Array, extents: Extent[]) {
  const parts = extents.map((e) => (e.kind === 'inline' ? e.bytes : e.kind === 'zero' ? new Uint8Array(e.length) : image.subarray(e.offset, e.offset + e.length)));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return Promise.resolve(out);
}

const tree = (): TNode[] => [
  { type: 'file', name: 'bootmgr', data: bytes(5000) },
  {
    type: 'dir',
    name: 'sources',
    children: [
      { type: 'file', name: 'boot.wim', data: bytes(3 * SECTOR + 17, 2), chunk: SECTOR },
      { type: 'file', name: 'empty.txt', data: new Uint8Array(0) },
    ],
  },
  { type: 'dir', name: 'efi', children: [{ type: 'dir', name: 'boot', children: [{ type: 'file', name: 'bootx64.efi', data: bytes(700, 3), ad: 'embedded' }] }] },
  { type: 'symlink', name: 'link', components: components('/sources/boot.wim') },
  { type: 'file', name: 'Grüße und Lücken.txt', data: text('hallo') },
  { type: 'file', name: 'カタカナ.txt', data: text('kana') },
];

async function index(built: Built, limits?: Partial<UdfLimits>): Promise<ImageIndex> {
  return readUdf(memoryReader(built.image), limits);
}

describe('udf read', () => {
  it.each<[string, BuildOptions]>([
    ['File Entries, long_ad (UDF 1.02 style)', {}],
    ['File Entries, short_ad', { ad: 'short' }],
    ['Extended File Entries (UDF 2.x)', { efe: true }],
    ['a UDF 2.50 metadata partition', { metadata: true, efe: true }],
    ['names in UTF-16 everywhere', { nameCs: 16 }],
    ['only an anchor at N-256', { anchors: ['n-256'] }],
    ['only an anchor at N-1', { anchors: ['n-1'] }],
  ])('lists and reads every file: %s', async (_n, opt) => {
    const built = buildUdf(tree(), { label: 'WIN11_X64', ...opt });
    const idx = await index(built);
    expect(idx).toMatchObject({ format: 'udf', names: 'udf', label: 'WIN11_X64', boot: [] });
    expect(idx.entries.map((e) => [e.path, e.type, e.size])).toEqual([
      ['', 'dir', 0],
      ['bootmgr', 'file', 5000],
      ['sources', 'dir', 0],
      ['sources/boot.wim', 'file', 3 * SECTOR + 17],
      ['sources/empty.txt', 'file', 0],
      ['efi', 'dir', 0],
      ['efi/boot', 'dir', 0],
      ['efi/boot/bootx64.efi', 'file', 700],
      ['link', 'symlink', 0],
      ['Grüße und Lücken.txt', 'file', 5],
      ['カタカナ.txt', 'file', 4],
    ]);
    const byPath = new Map(idx.entries.map((e) => [e.path, e]));
    expect(await content(built.image, byPath.get('bootmgr')!.extents)).toEqual(bytes(5000));
    expect(await content(built.image, byPath.get('sources/boot.wim')!.extents)).toEqual(bytes(3 * SECTOR + 17, 2));
    expect(byPath.get('sources/boot.wim')!.extents).toHaveLength(4);
    expect(byPath.get('efi/boot/bootx64.efi')!.extents).toEqual([{ kind: 'inline', bytes: bytes(700, 3) }]);
    expect(byPath.get('sources/empty.txt')!.extents).toEqual([]);
    expect(byPath.get('link')!.target).toBe('/sources/boot.wim');
    expect(await content(built.image, byPath.get('カタカナ.txt')!.extents)).toEqual(text('kana'));
    expect(idx.volumeSize).toBeGreaterThan(0);
  });

  it('maps permissions, setuid/setgid/sticky and the type to a POSIX mode', async () => {
    const idx = await index(
      buildUdf([
        { type: 'file', name: 'a', data: text('x'), mode: 0o4755 },
        { type: 'dir', name: 'd', children: [], mode: 0o1777 },
        { type: 'symlink', name: 's', components: components('a'), mode: 0o777 },
        { type: 'file', name: 'g', data: text('x'), mode: 0o2640 },
      ]),
    );
    expect(idx.entries.map((e) => [e.name, e.mode?.toString(8)])).toEqual([
      ['', '40755'],
      ['a', '104755'],
      ['d', '41777'],
      ['s', '120777'],
      ['g', '102640'],
    ]);
  });

  it.each([
    ['UTC+2', Date.UTC(2024, 4, 17, 10, 30, 15, 250), 120],
    ['UTC-5:30', Date.UTC(1999, 11, 31, 23, 59, 59, 990), -330],
    ['UTC', Date.UTC(2038, 0, 19, 3, 14, 8, 0), 0],
  ])('modification time with the timezone applied (%s)', async (_n, ms, tz) => {
    const idx = await index(buildUdf([{ type: 'file', name: 'f', data: text('x') }], { mtimeMs: ms, tzMinutes: tz }));
    expect(idx.entries.map((e) => e.mtimeMs)).toEqual([ms, ms]);
  });

  it.each([
    ['relative', 'a/b', 'a/b'],
    ['parent and current', '../x/./y', '../x/./y'],
    ['absolute', '/etc/hosts', '/etc/hosts'],
    ['UTF-16 component', 'dir/ü€', 'dir/ü€'],
  ])('symlink target from path components: %s', async (_n, target, expected) => {
    const idx = await index(buildUdf([{ type: 'symlink', name: 'l', components: components(target) }]));
    expect(idx.entries[1]!.target).toBe(expected);
  });

  it('unrecorded and unallocated extents read as zeros; extents are trimmed to the size', async () => {
    const built = buildUdf([{ type: 'file', name: 'sparse', data: new Uint8Array(0), size: 3n * 2048n + 100n, rawAds: [
      { type: 1, length: SECTOR, block: 0 },
      { type: 2, length: SECTOR, block: 0 },
      { type: 0, length: 2 * SECTOR, block: 0 },
    ] }]);
    const e = (await index(built)).entries[1]!;
    expect(e.extents).toEqual([
      { kind: 'zero', length: SECTOR },
      { kind: 'zero', length: SECTOR },
      { kind: 'data', offset: built.at.partitionStart * SECTOR, length: SECTOR + 100 },
    ]);
  });

  it('follows a bounded allocation extent continuation', async () => {
    const built = buildUdf([{ type: 'file', name: 'f', data: bytes(3 * SECTOR), chunk: SECTOR, chain: 3 }]);
    const e = (await index(built)).entries[1]!;
    expect(await content(built.image, e.extents)).toEqual(bytes(3 * SECTOR));
  });

  it('skips deleted FIDs and parent entries, keeps hidden ones', async () => {
    const built = buildUdf([
      { type: 'file', name: 'gone', data: text('x') },
      { type: 'file', name: 'hidden', data: text('y') },
    ]);
    const dir = built.at.dirData.get('')! * SECTOR;
    // FIDs: parent (40 bytes), 'gone' (44), 'hidden' (48): characteristics at +18.
    built.image[dir + 40 + 18] = 4;
    built.retag(0, dir + 40);
    built.image[dir + 84 + 18] = 1;
    built.retag(0, dir + 84);
    expect((await index(built)).entries.map((e) => e.path)).toEqual(['', 'hidden']);
  });

  it('takes the reserve sequence when the main one is damaged', async () => {
    const built = buildUdf([{ type: 'file', name: 'f', data: text('x') }], { label: 'RESERVE' });
    flip(built.image, built.at.mainVds * SECTOR + 2 * SECTOR + 100, 0xff); // LVD body: CRC now wrong
    expect((await index(built)).label).toBe('RESERVE');
  });

  it('falls back to the PVD volume identifier when the logical volume has none', async () => {
    const idx = await index(buildUdf([], { label: '', pvdLabel: 'CCCOMA_X64FRE' }));
    expect(idx.label).toBe('CCCOMA_X64FRE');
  });

  it('embedded directories', async () => {
    const idx = await index(buildUdf([{ type: 'dir', name: 'd', embedded: true, children: [{ type: 'file', name: 'x', data: text('1') }] }]));
    expect(idx.entries.map((e) => e.path)).toEqual(['', 'd', 'd/x']);
  });

  it('a thousand entries in one directory', async () => {
    const children: TNode[] = Array.from({ length: 1500 }, (_, i) => ({ type: 'file', name: `file-${i}.dat`, data: new Uint8Array(0) }));
    const idx = await index(buildUdf([{ type: 'dir', name: 'many', children }]));
    expect(idx.entries).toHaveLength(1502);
  });
});

describe('hasUdf', () => {
  it('finds NSR02/NSR03 inside BEA01..TEA01', async () => {
    expect(await hasUdf(memoryReader(buildUdf([]).image))).toBe(true);
    expect(await hasUdf(memoryReader(buildUdf([], { metadata: true }).image))).toBe(true);
  });
  it.each([
    ['zeros', new Uint8Array(40 * SECTOR)],
    ['too short', new Uint8Array(100)],
    ['NSR outside an extended area', (() => {
      const b = new Uint8Array(40 * SECTOR);
      b.set(text('\0NSR02\x01'), 16 * SECTOR);
      return b;
    })()],
    ['ISO 9660 only', (() => {
      const b = new Uint8Array(40 * SECTOR);
      b.set(text('\x01CD001\x01'), 16 * SECTOR);
      b.set(text('\xffCD001\x01'), 17 * SECTOR);
      return b;
    })()],
  ])('is false for %s', async (_n, image) => {
    expect(await hasUdf(memoryReader(image))).toBe(false);
  });
});

type Breaker = () => { built: Built; limits?: Partial<UdfLimits> };
const plain = () => buildUdf(tree());
const randomBytes = (n: number) => {
  let x = 0x12345678;
  return Uint8Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0), x >>> 24));
};
const wrap = (image: Uint8Array): Built => ({ image, at: plain().at, retag: () => undefined });

describe('hostile images', () => {
  it.each<[string, string, Breaker]>([
    ['UDF_NO_ANCHOR', 'all zeros', () => ({ built: wrap(new Uint8Array(600 * SECTOR)) })],
    ['UDF_NO_ANCHOR', 'random bytes', () => ({ built: wrap(randomBytes(600 * SECTOR)) })],
    ['UDF_NO_ANCHOR', 'truncated before the anchor', () => ({ built: wrap(plain().image.slice(0, 200 * SECTOR)) })],
    ['UDF_TRUNCATED', 'truncated inside the partition', () => {
      const b = plain();
      return { built: wrap(b.image.slice(0, (b.at.partitionStart + 1) * SECTOR)) };
    }],
    ['UDF_NO_ANCHOR', 'anchor tag checksum wrong', () => {
      const b = buildUdf([], { anchors: ['256'] });
      flip(b.image, 256 * SECTOR + 4, 1);
      return { built: b };
    }],
    ['UDF_BAD_TAG', 'file entry tag checksum wrong', () => {
      const b = plain();
      flip(b.image, b.at.fe.get('bootmgr')! * SECTOR + 4, 1);
      return { built: b };
    }],
    ['UDF_BAD_CRC', 'file entry body changed under its CRC', () => {
      const b = plain();
      flip(b.image, b.at.fe.get('bootmgr')! * SECTOR + 60, 1);
      return { built: b };
    }],
    ['UDF_BAD_CRC', 'CRC length past the block', () => {
      const b = plain();
      const o = b.at.fe.get('bootmgr')! * SECTOR;
      b.image[o + 10] = 0xff;
      b.image[o + 11] = 0x0f;
      b.image[o + 4] = 0;
      let s = 0;
      for (let i = 0; i < 16; i++) if (i !== 4) s += b.image[o + i]!;
      b.image[o + 4] = s & 0xff;
      return { built: b };
    }],
    ['UDF_TAG_LOCATION', 'file entry copied to another block', () => {
      const b = plain();
      const from = b.at.fe.get('bootmgr')! * SECTOR;
      b.image.copyWithin(b.at.fe.get('sources')! * SECTOR, from, from + SECTOR);
      return { built: b };
    }],
    ['UDF_BAD_CRC', 'main and reserve sequences both damaged', () => {
      const b = plain();
      flip(b.image, b.at.mainVds * SECTOR + 2 * SECTOR + 100, 1);
      flip(b.image, b.at.reserveVds * SECTOR + 2 * SECTOR + 100, 1);
      return { built: b };
    }],
    ['UDF_LOOP', "a directory's FID points at its ancestor", () => ({
      built: buildUdf([{ type: 'dir', name: 'a', children: [{ type: 'dir', name: 'b', children: [{ type: 'fid', name: 'up', to: 'a', dir: true }] }] }]),
    })],
    ['UDF_LOOP', 'the root listed inside itself', () => ({ built: buildUdf([{ type: 'fid', name: 'again', to: '', dir: true }]) })],
    ['UDF_EXTENT_RANGE', 'extent past the partition end', () => ({
      built: buildUdf([{ type: 'file', name: 'f', data: new Uint8Array(0), size: 4096n, rawAds: [{ type: 0, length: 4096, block: 5000 }] }]),
    })],
    ['UDF_EXTENT_RANGE', 'extent at block 2^32-1', () => ({
      built: buildUdf([{ type: 'file', name: 'f', data: new Uint8Array(0), size: 10n, rawAds: [{ type: 0, length: 10, block: 0xffffffff }] }]),
    })],
    ['UDF_SIZE_TOO_LARGE', 'information length 2^60', () => ({
      built: buildUdf([{ type: 'file', name: 'f', data: text('x'), size: 1n << 60n }]),
    })],
    ['UDF_SHORT_FILE', 'size larger than its extents', () => ({ built: buildUdf([{ type: 'file', name: 'f', data: text('x'), size: 1n << 40n }]) })],
    ['UDF_SHORT_FILE', 'embedded data shorter than the size', () => ({
      built: buildUdf([{ type: 'file', name: 'f', data: text('x'), ad: 'embedded', size: 100n }]),
    })],
    ['UDF_AD_CHAIN', 'continuation pointing at itself', () => ({ built: buildUdf([{ type: 'file', name: 'f', data: text('x'), chain: 'self' }]) })],
    ['UDF_AD_CHAIN', 'continuation chain longer than the limit', () => ({
      built: buildUdf([{ type: 'file', name: 'f', data: text('x'), chain: 20 }]),
      limits: { maxChain: 10 },
    })],
    ['UDF_TOO_MANY_ENTRIES', 'more FIDs than the entry limit', () => ({
      built: buildUdf([{ type: 'dir', name: 'd', children: Array.from({ length: 300 }, (_, i): TNode => ({ type: 'file', name: `f${i}`, data: new Uint8Array(0) })) }]),
      limits: { maxEntries: 100 },
    })],
    ['UDF_TOO_MANY_ENTRIES', 'one file hard-linked 300 times past the limit', () => ({
      built: buildUdf([
        { type: 'file', name: 'f', data: text('x') },
        ...Array.from({ length: 300 }, (_, i): TNode => ({ type: 'fid', name: `l${i}`, to: 'f' })),
      ]),
      limits: { maxEntries: 200 },
    })],
    ['UDF_DIR_TOO_LARGE', 'directory bigger than the limit', () => ({
      built: buildUdf([{ type: 'dir', name: 'd', children: Array.from({ length: 100 }, (_, i): TNode => ({ type: 'file', name: `f${i}`, data: new Uint8Array(0) })) }]),
      limits: { maxDirectoryBytes: 1024 },
    })],
    ['UDF_TOO_MANY_EXTENTS', 'many small extents across files past the image-wide limit', () => ({
      built: buildUdf(Array.from({ length: 10 }, (_, i): TNode => ({ type: 'file', name: `f${i}`, data: bytes(8 * SECTOR), chunk: SECTOR }))),
      limits: { maxExtentsTotal: 50 },
    })],
    ['UDF_DIR_TOO_LARGE', 'directories past the image-wide byte budget', () => ({
      built: buildUdf(Array.from({ length: 20 }, (_, i): TNode => ({ type: 'dir', name: `d${i}`, children: [] }))),
      limits: { maxDirectoryBytesTotal: 500 },
    })],
    ['UDF_TOO_DEEP', 'nesting past the depth limit', () => {
      let node: TNode = { type: 'file', name: 'f', data: text('x') };
      for (let i = 0; i < 12; i++) node = { type: 'dir', name: `d${i}`, children: [node] };
      return { built: buildUdf([node]), limits: { maxDepth: 8 } };
    }],
    ['UDF_BAD_NAME', 'a name with a slash', () => ({ built: buildUdf([{ type: 'file', name: 'a/b', data: text('x') }]) })],
    ['UDF_BAD_NAME', 'a name that is ..', () => ({ built: buildUdf([{ type: 'file', name: '..', data: text('x') }]) })],
    ['UDF_BAD_NAME', 'the same name twice', () => ({
      built: buildUdf([{ type: 'file', name: 'x', data: text('1') }, { type: 'fid', name: 'x', to: 'x' }]),
    })],
    ['UDF_BLOCK_SIZE', 'logical block size 4096', () => ({ built: buildUdf([], { blockSize: 4096 }) })],
    ['UDF_UNSUPPORTED_PARTITION', 'a sparable partition map', () => {
      const m = new Uint8Array(64);
      m.set([2, 64]);
      m.set(text('*UDF Sparable Partition'), 5);
      return { built: buildUdf([], { extraMap: m }) };
    }],
    ['UDF_UNSUPPORTED_PARTITION', 'a virtual partition map', () => {
      const m = new Uint8Array(64);
      m.set([2, 64]);
      m.set(text('*UDF Virtual Partition'), 5);
      return { built: buildUdf([], { extraMap: m }) };
    }],
    ['UDF_BAD_PARTITION_MAP', 'a partition map of type 7', () => ({ built: buildUdf([], { extraMap: Uint8Array.of(7, 6, 0, 0, 0, 0) }) })],
    ['UDF_BAD_SYMLINK', 'symlink component overruns', () => ({ built: buildUdf([{ type: 'symlink', name: 's', components: Uint8Array.of(5, 40, 0, 0, 8, 65) }]) })],
    ['UDF_BAD_ENTRY', 'root is a plain file', () => {
      const b = buildUdf([]);
      b.image[b.at.fe.get('')! * SECTOR + 16 + 11] = 5;
      b.retag(b.at.fe.get('')!);
      return { built: b };
    }],
    ['UDF_BAD_ENTRY', 'allocation descriptor length past the entry', () => {
      const b = plain();
      const o = b.at.fe.get('bootmgr')! * SECTOR;
      b.image[o + 172] = 0xf0;
      b.image[o + 173] = 0x07;
      b.retag(b.at.fe.get('bootmgr')!);
      return { built: b };
    }],
    ['UDF_UNSUPPORTED_ICB', 'ICB strategy 4096', () => {
      const b = plain();
      const o = b.at.fe.get('bootmgr')! * SECTOR;
      b.image[o + 16 + 4] = 0;
      b.image[o + 16 + 5] = 0x10;
      b.retag(b.at.fe.get('bootmgr')!);
      return { built: b };
    }],
    ['UDF_UNSUPPORTED_AD', 'extended_ad descriptors', () => {
      const b = plain();
      const o = b.at.fe.get('bootmgr')! * SECTOR;
      b.image[o + 16 + 18] = (b.image[o + 16 + 18]! & ~7) | 2;
      b.retag(b.at.fe.get('bootmgr')!);
      return { built: b };
    }],
    ['UDF_UNEXPECTED_TAG', 'a FID whose ICB is the file set descriptor', () => {
      const b = buildUdf([{ type: 'file', name: 'f', data: text('x') }]);
      const dir = b.at.dirData.get('')! * SECTOR;
      b.image.fill(0, dir + 40 + 24, dir + 40 + 28); // FID 'f' -> block 0 (the FSD)
      b.retag(0, dir + 40);
      return { built: b };
    }],
    ['UDF_TAG_LOCATION', 'a FID moved inside its directory', () => {
      const b = buildUdf([{ type: 'file', name: 'f', data: text('x') }]);
      const dir = b.at.dirData.get('')! * SECTOR;
      flip(b.image, dir + 12, 1); // parent FID says another block
      b.retag(0, dir);
      return { built: b };
    }],
  ])('%s: %s', async (code, _why, make) => {
    const { built, limits } = make();
    await expect(readUdf(memoryReader(built.image), limits)).rejects.toThrow(expect.objectContaining({ code }) as ProtocolError);
  });

  it('rejects a UDF 2.50 volume whose metadata file is broken', async () => {
    const b = buildUdf([], { metadata: true });
    const main = b.at.partitionStart * SECTOR;
    flip(b.image, main + 100, 1); // metadata file body
    flip(b.image, main + SECTOR + 100, 1); // and its mirror
    await expect(readUdf(memoryReader(b.image))).rejects.toThrow(expect.objectContaining({ code: 'UDF_BAD_CRC' }) as ProtocolError);
  });

  it('maps metadata blocks through a fragmented metadata file', async () => {
    const b = buildUdf([{ type: 'dir', name: 'd', children: Array.from({ length: 120 }, (_, i): TNode => ({ type: 'file', name: `file-${i}`, data: text(`${i}`) })) }], { metadata: true, efe: true });
    // Split the metadata file's one short_ad into one per block (same blocks, in order).
    const o = b.at.partitionStart * SECTOR;
    const len = (b.image[o + 176]! | (b.image[o + 177]! << 8) | (b.image[o + 178]! << 16)) / SECTOR;
    const start = b.image[o + 180]! | (b.image[o + 181]! << 8);
    const ads = new Uint8Array(8 * len);
    for (let i = 0; i < len; i++) {
      new DataView(ads.buffer).setUint32(i * 8, SECTOR, true);
      new DataView(ads.buffer).setUint32(i * 8 + 4, start + i, true);
    }
    b.image.set(ads, o + 176);
    new DataView(b.image.buffer).setUint32(o + 172, ads.length, true);
    b.image[o + 10] = (176 + ads.length - 16) & 0xff;
    b.image[o + 11] = (176 + ads.length - 16) >> 8;
    b.retag(b.at.partitionStart);
    flip(b.image, o + SECTOR + 100); // mirror broken: the fragmented main file must be used
    const idx = await readUdf(memoryReader(b.image));
    expect(idx.entries).toHaveLength(122);
    expect(idx.entries[121]).toMatchObject({ path: 'd/file-119', size: 3 });
  });

  it('reads a UDF 2.50 volume from the mirror when the metadata file is broken', async () => {
    const b = buildUdf([{ type: 'file', name: 'f', data: text('x') }], { metadata: true });
    flip(b.image, b.at.partitionStart * SECTOR + 100, 1);
    expect((await readUdf(memoryReader(b.image))).entries.map((e) => e.path)).toEqual(['', 'f']);
  });
});
