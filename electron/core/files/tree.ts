/**
 * The file tree the boot services read from. Today a directory on disk; ISO images and generated configs
 * plug in behind the same interface. Paths arrive normalised (shared/protocol/tftp/negotiate.ts) and are
 * still checked here to stay inside the root, symlinks included.
 */
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';

export interface OpenFile {
  size: number;
  mtimeMs: number;
  /** Reads up to `length` bytes at `position` into `target` at `offset`; returns the count read. */
  read(position: number, target: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
  /**
   * Where the bytes lie on disk, for zero-copy senders (sendfile(2)): byte 0 of this file is byte `offset` of
   * `fd`, and the next `size` bytes are the file. A file on disk gives its own fd and 0; a file inside an image
   * gives the image's fd and the extent's offset. Absent, or null (closed, or not one contiguous stretch of
   * one file), for files that only `read` can produce. The fd stays the file's: borrowers must not close it.
   */
  source?(): FileSource | null;
}

export interface FileSource {
  fd: number;
  offset: number;
}

export interface FileTree {
  /** Opens a normalised relative path, or returns null when there is no such file. */
  open(path: string): Promise<OpenFile | null>;
}

function handleFile(fh: FileHandle, size: number, mtimeMs: number): OpenFile {
  return {
    size,
    mtimeMs,
    async read(position, target, offset, length) {
      const { bytesRead } = await fh.read(target, offset, length, position);
      return bytesRead;
    },
    close: () => fh.close(),
    // A closed FileHandle's fd is -1. A closure, not `this`: callers may copy the methods off the object.
    source: () => (fh.fd >= 0 ? { fd: fh.fd, offset: 0 } : null),
  };
}

/** Finds `name` in `dir` ignoring case (ISO-sourced trees and Windows clients disagree on case). */
async function caseInsensitive(dir: string, name: string): Promise<string | null> {
  try {
    const lower = name.toLowerCase();
    return (await readdir(dir)).find((e) => e.toLowerCase() === lower) ?? null;
  } catch {
    return null;
  }
}

export function directoryTree(root: string): FileTree {
  let realRoot: Promise<string> | null = null;
  return {
    async open(path) {
      realRoot ??= realpath(root);
      const base = await realRoot;
      let candidate = join(base, ...path.split('/'));
      let real: string;
      try {
        real = await realpath(candidate);
      } catch {
        // Exact name missing: walk the segments case-insensitively.
        let dir = base;
        for (const seg of path.split('/')) {
          const found = await caseInsensitive(dir, seg);
          if (!found) return null;
          dir = join(dir, found);
        }
        candidate = dir;
        try {
          real = await realpath(candidate);
        } catch {
          return null;
        }
      }
      // A symlink inside the root must not lead outside it.
      if (real !== base && !real.startsWith(base + sep)) return null;
      const st = await stat(real).catch(() => null);
      if (!st?.isFile()) return null;
      const fh = await open(real, 'r');
      return handleFile(fh, st.size, st.mtimeMs);
    },
  };
}

/** An in-memory file (generated configs, netascii conversions). */
export function memoryFile(bytes: Uint8Array, mtimeMs = Date.now()): OpenFile {
  return {
    size: bytes.length,
    mtimeMs,
    async read(position, target, offset, length) {
      const chunk = bytes.subarray(position, Math.min(bytes.length, position + length));
      target.set(chunk, offset);
      return chunk.length;
    },
    async close() {},
  };
}

/** The first tree that has the file wins: generated configs over bootloaders over the technician's folder. */
export function overlayTree(...trees: FileTree[]): FileTree {
  return {
    async open(path) {
      for (const t of trees) {
        const f = await t.open(path);
        if (f) return f;
      }
      return null;
    },
  };
}

/** Fixed names mapped to files elsewhere on disk (bootloaders from Debian packages). Names match ignoring case. */
export function fileMapTree(files: ReadonlyMap<string, string>): FileTree {
  const byLower = new Map([...files].map(([name, path]) => [name.toLowerCase(), path]));
  return {
    async open(path) {
      const target = byLower.get(path.toLowerCase());
      if (!target) return null;
      const st = await stat(target).catch(() => null);
      if (!st?.isFile()) return null;
      return handleFile(await open(target, 'r'), st.size, st.mtimeMs);
    },
  };
}

/** Files produced on request (per-client iPXE scripts, later answer files); null when the path is not one. */
export function generatedTree(make: (path: string) => Uint8Array | string | null): FileTree {
  return {
    async open(path) {
      const made = make(path);
      if (made === null) return null;
      return memoryFile(typeof made === 'string' ? new TextEncoder().encode(made) : made);
    },
  };
}
