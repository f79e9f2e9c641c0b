import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.ts';
import type { BlockReader, ImageEntry, ImageIndex } from '../image.ts';
import { FileFlag, encodeRecord, type DirRecord } from './record.ts';
import { assertReadable, looksLikeIso9660, readIso9660, type ReadIso9660Options } from './read.ts';
import {
  ascii,
  buildIso,
  catalog,
  ce,
  cl,
  concat,
  fatBootSector,
  memoryReader,
  nm,
  px,
  re,
  sl,
  tf,
  time17,
  time7,
  zf,
  type BuildOptions,
  type TreeNode,
} from './test-image.ts';

const read = (image: Uint8Array, options?: ReadIso9660Options) => readIso9660(memoryReader(image), options);
const build = (tree: TreeNode[], o: BuildOptions = {}) => buildIso(tree, o).image;
const byPath = (index: ImageIndex) => new Map(index.entries.map((e) => [e.path, e]));
const file = (name: string, text = name, more: Partial<TreeNode> = {}): TreeNode => ({ name, data: ascii(text), ...more });
const dir = (name: string, children: TreeNode[], more: Partial<TreeNode> = {}): TreeNode => ({ name, children, ...more });

/** Bytes of a file through its extents. */
function contents(image: Uint8Array, e: ImageEntry): string {
  return e.extents.map((x) => (x.kind === 'data' ? String.fromCharCode(...image.subarray(x.offset, x.offset + x.length)) : '')).join('');
}

const sample: TreeNode[] = [
  file('hello.txt', 'hello'),
  file('README', 'no extension'),
  dir('boot', [dir('grub', [file('grub.cfg', 'set timeout=5')])]),
  { name: 'link', target: '../boot/grub/grub.cfg' },
  file('.treeinfo', '[general]'),
];

describe('readIso9660: decoding', () => {
  it('picks Rock Ridge, then Joliet, then plain names by default', async () => {
    expect((await read(build(sample, { rockRidge: true, joliet: true }))).names).toBe('rockridge');
    expect((await read(build(sample, { joliet: true }))).names).toBe('joliet');
    expect((await read(build(sample))).names).toBe('iso9660');
  });

  it('lists the root first and every directory before its contents, with contents reachable', async () => {
    const image = build(sample, { rockRidge: true, joliet: true });
    const index = await read(image);
    expect(index.format).toBe('iso9660');
    expect(index.label).toBe('RACKBOOT_TEST');
    expect(index.volumeSize).toBe(image.length);
    expect(index.entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      'dir:',
      'file:hello.txt',
      'file:README',
      'dir:boot',
      'symlink:link',
      'file:.treeinfo',
      'dir:boot/grub',
      'file:boot/grub/grub.cfg',
    ]);
    const m = byPath(index);
    expect(contents(image, m.get('boot/grub/grub.cfg')!)).toBe('set timeout=5');
    expect(m.get('link')).toMatchObject({ type: 'symlink', target: '../boot/grub/grub.cfg', size: 0, extents: [], mode: 0o120777 });
    expect(m.get('hello.txt')).toMatchObject({ size: 5, mode: 0o100644, mtimeMs: Date.UTC(2024, 4, 6, 7, 8, 9) });
    expect(m.get('')).toMatchObject({ type: 'dir', mode: 0o40755 });
  });

  it.each<[string, BuildOptions, ReadIso9660Options['names'], string[], string]>([
    ['Rock Ridge NM', { rockRidge: true, joliet: true }, 'rockridge', ['hello.txt', 'README', '.treeinfo'], 'RACKBOOT_TEST'],
    ['Joliet: UCS-2 with ;1 stripped', { rockRidge: true, joliet: true }, 'joliet', ['hello.txt', 'README', 'link', '.treeinfo'], 'rackboot test'],
    ['plain: ;1 and the trailing dot stripped', { rockRidge: true, joliet: true }, 'iso9660', ['HELLO.TXT', 'README', 'LINK', '.TREEINFO'], 'RACKBOOT_TEST'],
    // Without Rock Ridge a symlink is the empty file its record describes.
  ])('names: %s', async (_n, o, names, want, label) => {
    const index = await read(build(sample, o), { names });
    expect(index.names).toBe(names);
    expect(index.label).toBe(label);
    expect(index.entries.filter((e) => e.type === 'file' && !e.path.includes('/')).map((e) => e.name)).toEqual(want);
  });

  it('Joliet names keep surrogate pairs and dots', async () => {
    const index = await read(build([file('🚀 rocket.tar.gz'), dir('日本語', [file('ファイル.txt')])], { joliet: true }));
    expect(index.entries.map((e) => e.path)).toEqual(['', '🚀 rocket.tar.gz', '日本語', '日本語/ファイル.txt']);
  });

  it('plain names: versions, trailing dots and directories as recorded', async () => {
    const index = await read(build([file('a', 'x', { isoName: 'NAME.;1' }), file('b', 'x', { isoName: 'V2.TXT;2' }), file('c', 'x', { isoName: 'NOVERSION' }), dir('d', [], { isoName: 'DIR.X' })]));
    expect(index.entries.map((e) => e.name)).toEqual(['', 'NAME', 'V2.TXT', 'NOVERSION', 'DIR.X']);
  });

  it('asking for a name set the image lacks is ISO_NAMES_UNAVAILABLE', async () => {
    await expect(read(build(sample), { names: 'rockridge' })).rejects.toMatchObject({ code: 'ISO_NAMES_UNAVAILABLE' });
    await expect(read(build(sample, { rockRidge: true }), { names: 'joliet' })).rejects.toMatchObject({ code: 'ISO_NAMES_UNAVAILABLE' });
  });

  it('hidden files are listed; associated files are skipped', async () => {
    const index = await read(build([file('shown', 'x', { flags: FileFlag.HIDDEN }), file('fork', 'x', { flags: FileFlag.ASSOCIATED })], { rockRidge: true }));
    expect(index.entries.map((e) => e.path)).toEqual(['', 'shown']);
  });

  it('a multi-extent file: consecutive records, non-contiguous extents, size = sum', async () => {
    const data = ascii('a'.repeat(3000) + 'b'.repeat(2048) + 'c'.repeat(10));
    const image = build([file('big.bin', '', { data, parts: [3000, 2048, 10], spreadParts: true }), file('after', 'z')], { rockRidge: true });
    const index = await read(image);
    const big = byPath(index).get('big.bin')!;
    expect(big.size).toBe(5058);
    expect(big.extents.map((x) => (x.kind === 'data' ? x.length : -1))).toEqual([3000, 2048, 10]);
    const [a, b] = big.extents as { offset: number }[];
    expect(b!.offset - a!.offset).toBe(3 * 2048); // two sectors of data and one free sector between
    expect(contents(image, big)).toBe(String.fromCharCode(...data));
    expect(index.entries.map((e) => e.path)).toEqual(['', 'big.bin', 'after']);
  });

  it('sizes above 4 GiB add up as safe integers', async () => {
    const parts = [0xfffff800, 0xfffff800, 12345];
    const big = (lba: number, size: number, last: boolean): DirRecord => ({
      xarLength: 0,
      lba,
      size,
      time: time7(2024, 1, 1, 0, 0, 0),
      flags: last ? 0 : FileFlag.MULTI_EXTENT,
      unitSize: 0,
      gap: 0,
      volumeSequence: 1,
      name: ascii('HUGE.ISO;1'),
      systemUse: new Uint8Array(0),
    });
    const lbas = [100_000, 2_300_000, 4_500_000];
    const { image } = buildIso([dir('d', [], { su: new Uint8Array(0) })], {
      patch: (img, l) => {
        let at = l.dir('d') * 2048 + 68; // after "." and ".."
        parts.forEach((size, i) => {
          const r = encodeRecord(big(lbas[i]!, size, i === parts.length - 1));
          img.set(r, at);
          at += r.length;
        });
      },
    });
    // A 10 GiB image: the built bytes first, zeros after.
    const reader: BlockReader = {
      size: 10 * 1024 ** 3,
      read: async (offset, length) => {
        const out = new Uint8Array(length);
        if (offset < image.length) out.set(image.subarray(offset, Math.min(image.length, offset + length)));
        return out;
      },
    };
    const index = await readIso9660(reader);
    const huge = byPath(index).get('D/HUGE.ISO')!;
    expect(huge.size).toBe(2 * 0xfffff800 + 12345);
    expect(huge.extents).toEqual(parts.map((length, i) => ({ kind: 'data', offset: lbas[i]! * 2048, length })));
  });

  it('Rock Ridge NM and PX through CE continuation areas (two areas in one block)', async () => {
    const first = nm('continued-', 1);
    const second = nm('name.txt');
    const image = build([file('x', 'data', { rrOverride: (l) => concat(px(0o100600), ce(l.blob('ce'), 0, first.length + 28)) })], {
      rockRidge: true,
      blobs: { ce: (l) => concat(first, ce(l.blob('ce'), first.length + 28, second.length), second) },
    });
    const e = byPath(await read(image)).get('continued-name.txt')!;
    expect(e).toMatchObject({ mode: 0o100600, size: 4 });
  });

  it('honours SP LEN_SKP', async () => {
    const index = await read(build(sample, { rockRidge: true, suSkip: 6 }));
    expect(index.names).toBe('rockridge');
    expect(index.entries.map((e) => e.name)).toContain('.treeinfo');
  });

  it('symlinks: long targets split across SL entries, components continued', async () => {
    const image = build([{ name: 'l', rrOverride: () => concat(nm('l'), px(0o120777), sl([[8, ''], [0, 'very'], [1, 'lo']], 1), sl([[0, 'ng'], [0, 'path']])) }], { rockRidge: true });
    expect(byPath(await read(image)).get('l')).toMatchObject({ type: 'symlink', target: '/very/long/path' });
  });

  it('times: TF short and LONG_FORM, else the record time with its GMT offset', async () => {
    const image = build(
      [
        file('tf', 'x', { su: tf(0x02, time7(2020, 6, 1, 12, 0, 0, -16)) }),
        file('long', 'x', { su: tf(0x80 | 0x02, time17('2023111422133450', 4)) }),
        file('record', 'x', { time: time7(2010, 1, 1, 10, 0, 0, 8) }),
      ],
      { rockRidge: true },
    );
    const m = byPath(await read(image));
    expect(m.get('tf')!.mtimeMs).toBe(Date.UTC(2020, 5, 1, 16, 0, 0));
    expect(m.get('long')!.mtimeMs).toBe(Date.UTC(2023, 10, 14, 21, 13, 34, 500));
    expect(m.get('record')!.mtimeMs).toBe(Date.UTC(2010, 0, 1, 8, 0, 0));
  });

  it('relocated directories (RRIP CL/RE) appear where they belong, the rr_moved copy is hidden', async () => {
    const image = build(
      [
        dir('a', [{ name: 'moved', rrOverride: (l) => concat(nm('moved'), px(0o40755), cl(l.dir('rr_moved/moved'))) }]),
        dir('rr_moved', [dir('moved', [file('inner.txt', 'deep')], { su: re() })]),
      ],
      { rockRidge: true },
    );
    const index = await read(image);
    expect(index.entries.map((e) => `${e.type}:${e.path}`)).toEqual(['dir:', 'dir:a', 'dir:rr_moved', 'dir:a/moved', 'file:a/moved/inner.txt']);
    // Plain ISO 9660 shows the layout as recorded: the CL placeholder is an empty file.
    const plain = await read(image, { names: 'iso9660' });
    expect(plain.entries.map((e) => `${e.type}:${e.path}`)).toContain('dir:RR_MOVED/MOVED');
  });

  it('zisofs files are listed with unreadable = ISO_ZISOFS_UNSUPPORTED; assertReadable throws it', async () => {
    const index = await read(build([file('z', 'compressed', { su: zf(100_000) }), file('plain')], { rockRidge: true }));
    const z = byPath(index).get('z')!;
    expect(z.unreadable?.code).toBe('ISO_ZISOFS_UNSUPPORTED');
    expect(() => assertReadable(z)).toThrow(expect.objectContaining({ code: 'ISO_ZISOFS_UNSUPPORTED' }) as ProtocolError);
    expect(() => assertReadable(byPath(index).get('plain')!)).not.toThrow();
  });

  it('devices and FIFOs (PX mode) are left out', async () => {
    const index = await read(build([file('dev', '', { mode: 0o20644 }), file('fifo', '', { mode: 0o10644 }), file('ok')], { rockRidge: true }));
    expect(index.entries.map((e) => e.path)).toEqual(['', 'ok']);
  });

  it('a multi-sector directory', async () => {
    const many = Array.from({ length: 300 }, (_, i) => file(`entry-with-a-long-name-${String(i).padStart(4, '0')}.conf`, String(i)));
    const index = await read(build([dir('many', many)], { rockRidge: true, joliet: true }));
    expect(index.entries).toHaveLength(302);
    expect(index.entries.at(-1)!.name).toBe('entry-with-a-long-name-0299.conf');
  });

  it('a hybrid image (MBR in the system area) reads the same', async () => {
    const plain = await read(build(sample, { rockRidge: true }));
    const hybrid = await read(
      build(sample, {
        rockRidge: true,
        patch: (img) => {
          img.set([0x33, 0xed, 0xfa], 0);
          img.set([0x80, 0, 0, 0, 0x17], 446);
          img.set([0x55, 0xaa], 510);
        },
      }),
    );
    expect(hybrid.entries).toEqual(plain.entries);
  });
});

describe('readIso9660: El Torito', () => {
  const efi = concat(fatBootSector(2880), new Uint8Array(1536));
  const tree: TreeNode[] = [dir('isolinux', [file('isolinux.bin', 'B'.repeat(2048))]), dir('images', [file('efiboot.img', '', { data: efi })])];

  it('BIOS default entry + EFI section: sizes from the load size and the FAT BPB, paths from the tree', async () => {
    const image = build(tree, {
      rockRidge: true,
      catalog: (l) => catalog({ platformId: 0, lba: l.file('isolinux/isolinux.bin'), sectorCount: 4 }, [[{ platformId: 0xef, lba: l.file('images/efiboot.img'), sectorCount: 1 }]]),
    });
    const index = await read(image);
    expect(index.boot).toEqual([
      { platform: 'bios', platformId: 0, bootable: true, media: 0, lba: expect.any(Number), sectorCount: 4, size: 2048, path: 'isolinux/isolinux.bin' },
      { platform: 'efi', platformId: 0xef, bootable: true, media: 0, lba: expect.any(Number), sectorCount: 1, size: 2880 * 512, path: 'images/efiboot.img' },
    ]);
  });

  it.each([
    ['an MBR partition', 'mbr'],
    ['a GPT partition', 'gpt'],
  ])('an appended EFI partition (beyond the volume) takes its size from %s, path null', async (_n, table) => {
    // The appended image is not FAT here, so only the partition table can tell its size (3 sectors).
    const appended = new Uint8Array(3 * 2048).fill(0xaa);
    const { image, volumeBlocks } = buildIso(tree, {
      rockRidge: true,
      appended,
      catalog: (l) => {
        const end = l.dir('images') + 1; // the volume ends after the last directory
        return catalog({ platformId: 0, lba: l.file('isolinux/isolinux.bin'), sectorCount: 4 }, [[{ platformId: 0xef, lba: end, sectorCount: 0 }]]);
      },
      patch: (img, l) => {
        const start = (l.dir('images') + 1) * 4; // 512-byte units
        const dv = new DataView(img.buffer);
        img.set([0x55, 0xaa], 510);
        if (table === 'mbr') {
          img[462 + 4] = 0xef;
          dv.setUint32(462 + 8, start, true);
          dv.setUint32(462 + 12, 12, true);
        } else {
          img[446 + 4] = 0xee;
          dv.setUint32(446 + 12, 0xffffffff, true);
          img.set(ascii('EFI PART'), 512);
          dv.setUint32(512 + 72, 2, true);
          dv.setUint32(512 + 80, 4, true);
          dv.setUint32(512 + 84, 128, true);
          img[1024 + 128] = 0x28; // type GUID of entry 1
          dv.setUint32(1024 + 128 + 32, start, true);
          dv.setUint32(1024 + 128 + 40, start + 11, true);
        }
      },
    });
    const index = await read(image);
    expect(index.volumeSize).toBe(volumeBlocks * 2048);
    expect(index.boot[1]).toMatchObject({ platform: 'efi', size: 12 * 512, path: null, lba: volumeBlocks });
  });
});

describe('looksLikeIso9660', () => {
  it.each<[string, Uint8Array, boolean]>([
    ['a built image', build(sample), true],
    ['zeros', new Uint8Array(40_000), false],
    ['too short', build(sample).subarray(0, 30_000), false],
    ['a UDF-only volume recognition sequence', (() => { const b = new Uint8Array(40_000); b.set(ascii('\0BEA01\x01'), 32768); return b; })(), false],
  ])('%s -> %s', (_n, head, want) => expect(looksLikeIso9660(head)).toBe(want));
});

/** Deterministic bytes for the random-input cases (xorshift32). */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const patched = (tree: TreeNode[], o: BuildOptions, f: (img: Uint8Array, l: { dir(p: string): number; file(p: string): number }) => void) => build(tree, { ...o, patch: f });
const setBoth32 = (img: Uint8Array, at: number, v: number) => {
  const dv = new DataView(img.buffer, img.byteOffset);
  dv.setUint32(at, v, true);
  dv.setUint32(at + 4, v, false);
};
const nested = (depth: number): TreeNode[] => (depth === 0 ? [file('bottom')] : [dir(`d${depth}`, nested(depth - 1))]);

describe('readIso9660: hostile images', () => {
  it.each<[string, string, () => Uint8Array | BlockReader, ReadIso9660Options?]>([
    ['ISO_TOO_SHORT', 'zero bytes', () => new Uint8Array(0)],
    ['ISO_TOO_SHORT', 'shorter than the system area and one descriptor', () => build(sample).subarray(0, 34_000)],
    ['ISO_NOT_ISO9660', 'random bytes', () => noise(256 * 1024, 0x1234567)],
    ['ISO_NOT_ISO9660', 'zeros', () => new Uint8Array(64 * 1024)],
    ['ISO_TRUNCATED', 'image cut short of its volume space size (incomplete download)', () => { const b = build(sample); return b.subarray(0, b.length - 2048); }],
    ['ISO_TRUNCATED', 'absurd volume space size', () => patched(sample, {}, (img) => setBoth32(img, 16 * 2048 + 80, 0xffffffff))],
    ['ISO_NO_PRIMARY_VOLUME', 'a descriptor set with only a terminator', () => patched(sample, {}, (img) => img.set(ascii('\xffCD001\x01'), 16 * 2048))],
    ['ISO_UNSUPPORTED_BLOCK_SIZE', 'logical block size 512', () => patched(sample, {}, (img) => img.set([0, 2, 2, 0], 16 * 2048 + 128))],
    ['ISO_ENDIAN_MISMATCH', 'volume space size halves disagree', () => patched(sample, {}, (img) => (img[16 * 2048 + 87] = img[16 * 2048 + 87]! ^ 1))],
    ['ISO_ENDIAN_MISMATCH', 'root record extent halves disagree', () => patched(sample, {}, (img) => (img[16 * 2048 + 156 + 9] = img[16 * 2048 + 156 + 9]! ^ 1))],
    ['ISO_ENDIAN_MISMATCH', 'logical block size halves disagree', () => patched(sample, {}, (img) => (img[16 * 2048 + 131] = 9))],
    ['ISO_DIRECTORY_LOOP', 'a directory whose extent is itself', () => build([dir('a', [dir('self', [], { lba: (l) => l.dir('a') })])])],
    ['ISO_DIRECTORY_LOOP', 'a directory whose extent is its parent', () => build([dir('a', [dir('b', [dir('up', [], { lba: (l) => l.dir('a') })])])])],
    ['ISO_DIRECTORY_LOOP', 'a directory pointing at the root', () => build([dir('a', [dir('root', [], { lba: (l) => l.dir('') })])])],
    ['ISO_DIRECTORY_LOOP', 'a CL link back to an ancestor', () => build([dir('a', [{ name: 'x', rrOverride: (l) => concat(nm('x'), cl(l.dir('a'))) }])], { rockRidge: true })],
    ['ISO_BAD_RELOCATION', 'a CL link to a block that is not a directory', () => build([file('f'), { name: 'x', rrOverride: (l) => concat(nm('x'), cl(l.file('f'))) }], { rockRidge: true })],
    ['ISO_EXTENT_OUT_OF_RANGE', 'a file extent past the end of the image', () => build([file('f', 'x', { lba: () => 1_000_000 })])],
    ['ISO_EXTENT_OUT_OF_RANGE', 'a file of 4 GiB - 1 in a small image', () => build([file('f', 'x', { size: 0xffffffff })])],
    ['ISO_EXTENT_OUT_OF_RANGE', 'a directory extent past the end', () => build([dir('d', [], { lba: () => 0x7fffffff })])],
    ['ISO_EXTENT_OUT_OF_RANGE', 'a CE area past the end', () => build([file('f', 'x', { su: ce(0x7fffffff, 0, 28) })], { rockRidge: true })],
    ['ISO_EXTENT_OUT_OF_RANGE', 'the boot catalog past the end', () => build(sample, { catalog: () => new Uint8Array(2048), patch: (img) => new DataView(img.buffer).setUint32(17 * 2048 + 71, 0x7fffffff, true) })],
    ['ISO_DIRECTORY_TOO_LARGE', 'a directory of 4 GiB - 1', () => build([dir('d', [], { size: 0xffffffff })])],
    ['ISO_CE_LOOP', 'a CE area continuing into itself', () => build([file('f', 'x', { su: (l) => ce(l.blob('ce'), 0, 28) })], { rockRidge: true, blobs: { ce: (l) => ce(l.blob('ce'), 0, 28) } })],
    ['ISO_CE_LOOP', 'two CE areas continuing into each other', () => build([file('f', 'x', { su: (l) => ce(l.blob('a'), 0, 28) })], { rockRidge: true, blobs: { a: (l) => ce(l.blob('b'), 0, 28), b: (l) => ce(l.blob('a'), 0, 28) } })],
    ['ISO_CE_LOOP', 'a CE chain longer than the limit', () => build([file('f', 'x', { su: (l) => ce(l.blob('c0'), 0, 28) })], { rockRidge: true, blobs: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`c${i}`, (l: { blob(n: string): number }) => ce(l.blob(`c${i + 1}`), 0, 28)])) })],
    ['ISO_BAD_ROCK_RIDGE', 'a CE area of 1 MiB', () => build([file('f', 'x', { su: ce(20, 0, 1 << 20) })], { rockRidge: true })],
    ['ISO_INTERLEAVED', 'an interleaved file (unit size 1, gap 1)', () => build([file('f', 'x', { unitSize: 1, gap: 1 })])],
    ['ISO_INTERLEAVED', 'an interleaved directory', () => build([dir('d', [], { unitSize: 2 })])],
    ['ISO_MULTI_EXTENT_BROKEN', 'a multi-extent flag on the last record of a directory', () => build([file('f', 'x', { flags: FileFlag.MULTI_EXTENT })])],
    ['ISO_MULTI_EXTENT_BROKEN', 'a multi-extent file interrupted by another name', () => build([file('f', 'x', { flags: FileFlag.MULTI_EXTENT }), file('g')])],
    ['ISO_MULTI_EXTENT_BROKEN', 'a multi-extent directory', () => build([dir('d', [], { flags: FileFlag.MULTI_EXTENT })])],
    ['ISO_TOO_DEEP', '70 nested directories', () => build(nested(70))],
    ['ISO_TOO_MANY_ENTRIES', 'more records than the limit', () => build(Array.from({ length: 20 }, (_, i) => file(`f${i}`))), { limits: { maxEntries: 10 } }],
    ['ISO_BAD_NAME', 'a Rock Ridge name with a slash', () => build([file('a/b')], { rockRidge: true })],
    ['ISO_BAD_NAME', 'a Rock Ridge name ".."', () => build([{ name: 'x', data: ascii('x'), rrOverride: () => nm('..') }], { rockRidge: true })],
    ['ISO_BAD_NAME', 'a Joliet name with a NUL', () => build([file('bad\0name')], { joliet: true })],
    ['ISO_BAD_ROCK_RIDGE', 'PX says directory on a file record', () => build([file('f', 'x', { mode: 0o40755 })], { rockRidge: true })],
    ['ISO_BAD_ROCK_RIDGE', 'an SL component overrunning its entry', () => build([{ name: 'l', rrOverride: () => concat(nm('l'), ascii('SL'), Uint8Array.of(9, 1, 0, 0, 200, 0x41, 0x42)) }], { rockRidge: true })],
    ['ISO_RECORD_CROSSES_SECTOR', 'a directory record crossing a sector boundary', () => patched([dir('d', [])], {}, (img, l) => {
      const at = l.dir('d') * 2048;
      // Filler records (254 bytes, then 192) from byte 68 up to byte 2038, where a 38-byte record starts.
      for (let pos = at + 68; pos < at + 2038; ) {
        const len = Math.min(254, at + 2038 - pos);
        img.set([len], pos);
        img.set([1, 0x41], pos + 32);
        pos += len;
      }
      img.set([38], at + 2038);
    })],
    ['ISO_BAD_RECORD', 'a record length below 34 mid-sector', () => patched([dir('d', [])], {}, (img, l) => (img[l.dir('d') * 2048 + 68] = 12))],
    ['ISO_BOOT_CATALOG_INVALID', 'a boot catalog with a bad checksum', () => build(sample, { catalog: () => { const c = catalog({ platformId: 0, lba: 0, sectorCount: 4 }); c[5] = c[5]! ^ 0xff; return c; } })],
    ['ISO_BOOT_CATALOG_INVALID', 'a boot catalog without 55 AA', () => build(sample, { catalog: () => { const c = catalog({ platformId: 0, lba: 0, sectorCount: 4 }); c[30] = 0; return c; } })],
    ['IMAGE_SHORT_READ', 'a reader that fails (I/O error)', () => ({ size: 1 << 20, read: () => Promise.reject(new Error('EIO')) })],
    ['IMAGE_SHORT_READ', 'a reader that returns fewer bytes', () => ({ size: 1 << 20, read: async (_o: number, l: number) => new Uint8Array(l - 1) })],
  ])('%s: %s', async (code, _why, make, options) => {
    const input = make();
    const reader = input instanceof Uint8Array ? memoryReader(input) : input;
    await expect(readIso9660(reader, options)).rejects.toMatchObject({ code });
  });

  it('a mismatching big-endian half inside a directory is tolerated (LE read, as Linux does)', async () => {
    const image = patched([file('f', 'hello')], { rockRidge: true }, (img, l) => {
      // The file's record: after "." (with SP/ER/PX) and ".."; find it by its extent LBA.
      const at = l.dir('') * 2048;
      for (let p = at; p < at + 2048; p++) {
        if (img[p + 2] === (l.file('f') & 0xff) && img[p + 25] === 0 && img[p + 32] === 7) {
          img[p + 6] = img[p + 6]! ^ 0xff; // BE half of the extent
          img[p + 14] = img[p + 14]! ^ 0xff; // BE half of the size
          break;
        }
      }
    });
    expect(contents(image, byPath(await read(image)).get('f')!)).toBe('hello');
  });

  it('random corruption of a valid image never escapes as anything but ProtocolError, and never hangs', async () => {
    const base = build(sample, { rockRidge: true, joliet: true, catalog: () => catalog({ platformId: 0, lba: 20, sectorCount: 4 }) });
    const rnd = noise(4000, 0xbeef);
    let rejected = 0;
    for (let i = 0; i < 400; i++) {
      const img = base.slice();
      for (let k = 0; k < 8; k++) {
        const j = i * 8 + k;
        // Aim at the descriptors and directories (the first ~40 sectors), where the structure is.
        const at = ((rnd[j % 4000]! << 8) | rnd[(j * 7 + 1) % 4000]!) % Math.min(img.length, 40 * 2048);
        img[at] = rnd[(j * 13 + 5) % 4000]!;
      }
      try {
        await read(img);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
