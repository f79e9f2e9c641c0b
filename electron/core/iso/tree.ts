/**
 * The files inside an indexed image as a FileTree for TFTP and HTTP: names match case-insensitively with `;1`
 * ignored, symlinks resolve inside the image (never outside it), and a file stored as one extent offers the
 * image's fd and the extent's offset so the HTTP service can sendfile(2) it without a copy.
 */
import type { Extent, ImageEntry, ImageIndex } from '../../../shared/protocol/image.ts';
import { pathKey } from '../../../shared/protocol/image.ts';
import { assertReadable } from '../../../shared/protocol/iso9660/read.ts';
import type { FileTree, OpenFile } from '../files/tree.ts';
import type { ImageFile } from './image.ts';

/** Symlink hops before a lookup gives up (a loop, or a chain nobody needs). */
const MAX_LINK_HOPS = 16;

export interface ImageLookup {
  /** The entry at `path` after following symlinks, or null. */
  resolve(path: string): ImageEntry | null;
  /** The entry at `path` itself (a symlink stays a symlink). */
  entry(path: string): ImageEntry | null;
  /** Direct children of a directory, in index order. */
  children(dir: string): ImageEntry[] | null;
}

/** Where El Torito boot images without a file name (appended partitions, hidden images) appear, as 7-Zip shows them. */
export const BOOT_DIR = '[BOOT]';

/**
 * El Torito boot images that have no name in the tree, as files under `[BOOT]/` (`efi-1.img`, `bios-0.img`):
 * an appended EFI partition is otherwise unreachable, and firmware tooling and checks want it.
 */
export function bootImageEntries(index: ImageIndex): ImageEntry[] {
  const hidden = index.boot.map((b, i) => ({ b, i })).filter(({ b }) => b.path === null && b.size > 0);
  if (!hidden.length) return [];
  const dir: ImageEntry = { path: BOOT_DIR, name: BOOT_DIR, type: 'dir', size: 0, mode: null, mtimeMs: null, target: null, extents: [] };
  return [
    dir,
    ...hidden.map(({ b, i }) => ({
      path: `${BOOT_DIR}/${b.platform}-${i}.img`,
      name: `${b.platform}-${i}.img`,
      type: 'file' as const,
      size: b.size,
      mode: null,
      mtimeMs: null,
      target: null,
      extents: [{ kind: 'data' as const, offset: b.lba * 2048, length: b.size }],
    })),
  ];
}

export function imageLookup(index: ImageIndex): ImageLookup {
  const byKey = new Map<string, ImageEntry>();
  const kids = new Map<string, ImageEntry[]>();
  for (const e of [...index.entries, ...bootImageEntries(index)]) {
    const key = pathKey(e.path);
    // Two names that differ only in case: the first wins, like a case-insensitive file system.
    if (!byKey.has(key)) byKey.set(key, e);
    if (e.type === 'dir') kids.set(key, kids.get(key) ?? []);
    if (e.path !== '') {
      const parent = pathKey(e.path.split('/').slice(0, -1).join('/'));
      const list = kids.get(parent) ?? [];
      list.push(e);
      kids.set(parent, list);
    }
  }

  /** Walks `path` segment by segment, following symlinks in every segment (the last one only when asked). */
  function walk(path: string, followLast: boolean): ImageEntry | null {
    let hops = 0;
    let pending = pathKey(path).split('/').filter(Boolean);
    let at: string[] = [];
    while (pending.length) {
      const seg = pending.shift()!;
      if (seg === '..') {
        at.pop();
        continue;
      }
      const e = byKey.get([...at, seg].join('/'));
      if (!e) return null;
      if (e.type === 'symlink' && (pending.length > 0 || followLast)) {
        if (++hops > MAX_LINK_HOPS || e.target === null) return null;
        const target = pathKey(e.target).split('/').filter(Boolean);
        // An absolute target is taken from the image's root: nothing outside the image is reachable.
        if (e.target.startsWith('/')) at = [];
        pending = [...target, ...pending];
        continue;
      }
      at = [...at, seg];
    }
    return byKey.get(at.join('/')) ?? null;
  }

  return {
    resolve: (path) => walk(path, true),
    entry: (path) => walk(path, false),
    children: (dir) => {
      const e = walk(dir, true);
      return e?.type === 'dir' ? (kids.get(pathKey(e.path)) ?? []) : null;
    },
  };
}

/** Copies `length` bytes of a file at file position `position` into `target`, extent by extent. */
async function readExtents(image: ImageFile, extents: readonly Extent[], position: number, target: Uint8Array, offset: number, length: number): Promise<number> {
  let done = 0;
  let start = 0;
  for (const x of extents) {
    const len = x.kind === 'inline' ? x.bytes.length : x.length;
    const end = start + len;
    if (end > position + done && done < length) {
      const from = position + done - start;
      const n = Math.min(len - from, length - done);
      if (x.kind === 'data') {
        const got = await image.readDirect(x.offset + from, target, offset + done, n);
        done += got;
        if (got < n) return done;
      } else if (x.kind === 'zero') {
        target.fill(0, offset + done, offset + done + n);
        done += n;
      } else {
        target.set(x.bytes.subarray(from, from + n), offset + done);
        done += n;
      }
    }
    start = end;
    if (done >= length) break;
  }
  return done;
}

/** One file of the image, open for reading; it holds the image open until closed. */
export function openImageEntry(image: ImageFile, entry: ImageEntry): OpenFile {
  image.retain();
  let closed = false;
  const single = entry.extents.length === 1 && entry.extents[0]!.kind === 'data' ? entry.extents[0] : null;
  return {
    size: entry.size,
    mtimeMs: entry.mtimeMs ?? image.mtimeMs,
    read: (position, target, offset, length) => {
      if (closed) return Promise.reject(new Error(`${entry.path} is closed`));
      return readExtents(image, entry.extents, position, target, offset, Math.max(0, Math.min(length, entry.size - position)));
    },
    async close() {
      if (closed) return;
      closed = true;
      await image.release();
    },
    source: () => (closed || !single || image.fd < 0 ? null : { fd: image.fd, offset: single.offset }),
  };
}

/** The image's files as a FileTree (paths relative to the image root). */
export function imageTree(image: ImageFile, lookup: ImageLookup): FileTree {
  return {
    async open(path) {
      const e = lookup.resolve(path);
      if (!e || e.type !== 'file') return null;
      // A zisofs-compressed file would go out as compressed bytes: refuse with the reader's code instead.
      assertReadable(e);
      return openImageEntry(image, e);
    },
  };
}

/** The image file itself as one OpenFile (casper's `url=….iso` downloads the whole ISO). */
export function wholeImage(image: ImageFile): OpenFile {
  return openImageEntry(image, {
    path: image.path,
    name: image.path,
    type: 'file',
    size: image.size,
    mode: null,
    mtimeMs: image.mtimeMs,
    target: null,
    extents: [{ kind: 'data', offset: 0, length: image.size }],
  });
}
