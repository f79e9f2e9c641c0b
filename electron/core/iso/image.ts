/**
 * An image file on disk as the pure readers see it (`BlockReader`) and as the file services see it (an fd plus
 * byte offsets). Small reads (directory sectors, volume descriptors, SUSP continuation areas) go through a
 * bounded block cache; bulk file data never enters it: the services read extents straight from the fd or
 * hand the fd to sendfile(2).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { BlockReader } from '../../../shared/protocol/image.ts';
import { ProtocolError } from '../../../shared/protocol/errors.ts';

/** Cache granularity: one read brings in 32 sectors, so walking a directory tree touches the disk rarely. */
export const CACHE_BLOCK = 64 * 1024;
const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

export interface ImageFile extends BlockReader {
  readonly path: string;
  /** The open fd, for sendfile(2) and direct reads. Valid until the last holder releases the image. */
  readonly fd: number;
  readonly mtimeMs: number;
  /** Reads `length` bytes at image offset `position` straight from the fd (no cache); returns the count read. */
  readDirect(position: number, target: Uint8Array, offset: number, length: number): Promise<number>;
  /** Another holder (an open file being served): the fd stays open until every holder has released it. */
  retain(): void;
  /** Drops one hold; the last one closes the fd. */
  release(): Promise<void>;
  cacheStats(): { hits: number; misses: number; blocks: number };
}

export interface ImageFileOptions {
  /** Upper bound of the block cache in bytes (default 16 MiB). */
  cacheBytes?: number;
}

export async function openImageFile(path: string, options: ImageFileOptions = {}): Promise<ImageFile> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ProtocolError('IMAGE_NOT_A_FILE', `${path} is not a regular file`);
    return imageFromHandle(path, fh, st.size, st.mtimeMs, options);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

function imageFromHandle(path: string, fh: FileHandle, size: number, mtimeMs: number, options: ImageFileOptions): ImageFile {
  const maxBlocks = Math.max(2, Math.floor((options.cacheBytes ?? DEFAULT_CACHE_BYTES) / CACHE_BLOCK));
  // Map order is the LRU order: a hit is moved to the end, the first key is evicted.
  const cache = new Map<number, Uint8Array>();
  // Concurrent readers of one block share one disk read.
  const inflight = new Map<number, Promise<Uint8Array>>();
  let hits = 0;
  let misses = 0;
  let holders = 1;
  let closing: Promise<void> | null = null;

  async function fill(target: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(target, offset + done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }

  function block(index: number): Promise<Uint8Array> {
    const cached = cache.get(index);
    if (cached) {
      hits++;
      cache.delete(index);
      cache.set(index, cached);
      return Promise.resolve(cached);
    }
    const pending = inflight.get(index);
    if (pending) return pending;
    misses++;
    const start = index * CACHE_BLOCK;
    const length = Math.min(CACHE_BLOCK, size - start);
    const load = (async () => {
      const bytes = new Uint8Array(length);
      const got = await fill(bytes, 0, length, start);
      // The file shrank under us: report it as a short read rather than caching zeros.
      if (got !== length) throw new ProtocolError('IMAGE_SHORT_READ', `${path}: ${got} of ${length} bytes at ${start} (file changed while reading?)`);
      cache.set(index, bytes);
      while (cache.size > maxBlocks) cache.delete(cache.keys().next().value!);
      return bytes;
    })().finally(() => inflight.delete(index));
    inflight.set(index, load);
    return load;
  }

  const image: ImageFile = {
    path,
    size,
    mtimeMs,
    get fd() {
      return fh.fd;
    },
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new ProtocolError('IMAGE_SHORT_READ', `read of ${length} bytes at ${offset} is outside the ${size}-byte image`);
      }
      const first = Math.floor(offset / CACHE_BLOCK);
      const last = Math.floor((offset + Math.max(length, 1) - 1) / CACHE_BLOCK);
      // Big reads (file data) bypass the cache so they cannot evict the directory blocks.
      if (last - first > 2) {
        const out = new Uint8Array(length);
        const got = await fill(out, 0, length, offset);
        if (got !== length) throw new ProtocolError('IMAGE_SHORT_READ', `${path}: ${got} of ${length} bytes at ${offset}`);
        return out;
      }
      if (first === last) {
        const b = await block(first);
        const at = offset - first * CACHE_BLOCK;
        return b.subarray(at, at + length);
      }
      const out = new Uint8Array(length);
      let written = 0;
      for (let i = first; i <= last; i++) {
        const b = await block(i);
        const from = i === first ? offset - first * CACHE_BLOCK : 0;
        const to = Math.min(b.length, offset + length - i * CACHE_BLOCK);
        out.set(b.subarray(from, to), written);
        written += to - from;
      }
      return out;
    },
    readDirect(position, target, offset, length) {
      return fill(target, offset, length, position);
    },
    retain() {
      if (closing) throw new Error(`${path} is closed`);
      holders++;
    },
    release() {
      if (closing) return closing;
      holders--;
      if (holders > 0) return Promise.resolve();
      cache.clear();
      closing = fh.close();
      return closing;
    },
    cacheStats: () => ({ hits, misses, blocks: cache.size }),
  };
  return image;
}

/** An in-memory image (tests, generated fixtures): the same interface without a file. */
export function memoryReader(bytes: Uint8Array): BlockReader {
  return {
    size: bytes.length,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new ProtocolError('IMAGE_SHORT_READ', `read of ${length} bytes at ${offset} is outside the ${bytes.length}-byte image`);
      }
      return bytes.subarray(offset, offset + length);
    },
  };
}
