import { describe, expect, it } from 'vitest';
import type { Extent, ImageEntry, ImageIndex } from '../../../shared/protocol/image.ts';
import type { ImageFile } from './image.ts';
import { imageLookup, imageTree, openImageEntry } from './tree.ts';

const entry = (path: string, type: ImageEntry['type'], more: Partial<ImageEntry> = {}): ImageEntry => ({
  path,
  name: path.split('/').pop() ?? '',
  type,
  size: 0,
  mode: null,
  mtimeMs: 0,
  target: null,
  extents: [],
  ...more,
});

const file = (path: string, extents: Extent[]) =>
  entry(path, 'file', { extents, size: extents.reduce((n, x) => n + (x.kind === 'inline' ? x.bytes.length : x.length), 0) });

const index: ImageIndex = {
  format: 'iso9660',
  label: 'TEST',
  names: 'rockridge',
  volumeSize: 0,
  boot: [],
  entries: [
    entry('', 'dir'),
    entry('images', 'dir'),
    entry('images/pxeboot', 'dir'),
    file('images/pxeboot/vmlinuz', [{ kind: 'data', offset: 100, length: 10 }]),
    file('images/pxeboot/initrd.img', [
      { kind: 'data', offset: 200, length: 4 },
      { kind: 'zero', length: 3 },
      { kind: 'inline', bytes: Uint8Array.of(7, 8) },
      { kind: 'data', offset: 50, length: 5 },
    ]),
    entry('isolinux', 'symlink', { target: 'images/pxeboot' }),
    entry('images/kernel', 'symlink', { target: './pxeboot/vmlinuz' }),
    entry('abs', 'symlink', { target: '/images/pxeboot/vmlinuz' }),
    entry('escape', 'symlink', { target: '../../../../etc/passwd' }),
    entry('loop-a', 'symlink', { target: 'loop-b' }),
    entry('loop-b', 'symlink', { target: 'loop-a' }),
    entry('Packages', 'dir'),
  ],
};

/** An image whose byte at offset i is i % 251, read through the same interface as a real one. */
function fakeImage(): ImageFile & { holders: () => number } {
  let holders = 1;
  const at = (i: number) => i % 251;
  return {
    path: '/fake.iso',
    size: 4096,
    mtimeMs: 1,
    fd: 42,
    async read(offset, length) {
      return Uint8Array.from({ length }, (_, i) => at(offset + i));
    },
    async readDirect(position, target, offset, length) {
      for (let i = 0; i < length; i++) target[offset + i] = at(position + i);
      return length;
    },
    retain: () => void holders++,
    release: async () => void holders--,
    cacheStats: () => ({ hits: 0, misses: 0, blocks: 0 }),
    holders: () => holders,
  };
}

describe('imageLookup', () => {
  const lookup = imageLookup(index);

  it.each([
    ['exact path', 'images/pxeboot/vmlinuz', 'images/pxeboot/vmlinuz'],
    ['any case, as PXE ROMs and Windows clients ask', 'IMAGES/PXEBOOT/VMLINUZ', 'images/pxeboot/vmlinuz'],
    ['ISO 9660 version suffix ignored', 'images/pxeboot/vmlinuz;1', 'images/pxeboot/vmlinuz'],
    ['symlinked directory in the middle', 'isolinux/initrd.img', 'images/pxeboot/initrd.img'],
    ['relative symlink with ./', 'images/kernel', 'images/pxeboot/vmlinuz'],
    ['absolute symlink resolves from the image root', 'abs', 'images/pxeboot/vmlinuz'],
    ['directory', 'Packages', 'Packages'],
  ])('%s: %s -> %s', (_, path, want) => {
    expect(lookup.resolve(path)?.path).toBe(want);
  });

  it.each([
    ['a missing file', 'images/pxeboot/nope'],
    ['a symlink that climbs above the root (stays inside, finds nothing)', 'escape'],
    ['a symlink loop (bounded hops)', 'loop-a'],
    ['a path through a file', 'images/pxeboot/vmlinuz/x'],
  ])('%s gives null', (_, path) => {
    expect(lookup.resolve(path)).toBeNull();
  });

  it('entry() keeps the symlink itself; children() lists in index order', () => {
    expect(lookup.entry('abs')?.type).toBe('symlink');
    expect(lookup.children('images/pxeboot')?.map((e) => e.name)).toEqual(['vmlinuz', 'initrd.img']);
    expect(lookup.children('')?.map((e) => e.name)).toEqual(['images', 'isolinux', 'abs', 'escape', 'loop-a', 'loop-b', 'Packages']);
    expect(lookup.children('images/pxeboot/vmlinuz')).toBeNull();
  });
});

describe('files inside an image', () => {
  it('a one-extent file reads its bytes and offers the image fd for sendfile', async () => {
    const image = fakeImage();
    const f = openImageEntry(image, imageLookup(index).resolve('images/pxeboot/vmlinuz')!);
    expect(image.holders()).toBe(2);
    const out = new Uint8Array(10);
    expect(await f.read(0, out, 0, 10)).toBe(10);
    expect([...out]).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(f.source?.()).toEqual({ fd: 42, offset: 100 });
    await f.close();
    await f.close();
    expect(image.holders()).toBe(1);
    expect(f.source?.()).toBeNull();
  });

  it('a file in several extents (data, hole, inline, data) reads across them at any offset', async () => {
    const image = fakeImage();
    const f = openImageEntry(image, imageLookup(index).resolve('images/pxeboot/initrd.img')!);
    const whole = [200, 201, 202, 203, 0, 0, 0, 7, 8, 50, 51, 52, 53, 54];
    expect(f.size).toBe(14);
    for (let from = 0; from < 14; from++) {
      for (const len of [1, 3, 14]) {
        const out = new Uint8Array(len);
        const n = await f.read(from, out, 0, len);
        expect([...out.subarray(0, n)]).toEqual(whole.slice(from, from + len));
      }
    }
    // Several extents cannot go out as one sendfile(2): the service copies instead.
    expect(f.source?.()).toBeNull();
    await f.close();
  });

  it('the tree opens files only (not directories, not dangling links)', async () => {
    const tree = imageTree(fakeImage(), imageLookup(index));
    expect(await tree.open('images')).toBeNull();
    expect(await tree.open('loop-a')).toBeNull();
    const f = await tree.open('ISOLINUX/INITRD.IMG');
    expect(f?.size).toBe(14);
    await f?.close();
  });
});
