/**
 * The one view distro detection has of an ISO: a read-only file tree with case-insensitive lookups
 * (`pathKey`: ISO names match case-insensitively, `;1` ignored) and bounded reads. The core builds one from
 * the ISO reader's `ImageEntry[]` with `sourceFromEntries`; tests build one from a plain object with
 * `memorySource`.
 */
import { pathKey, type EntryType, type ImageEntry } from '../protocol/image.ts';

export interface SourceEntry {
  /** Path in the image's own spelling ('/'-separated, no leading slash). */
  path: string;
  type: EntryType;
  /** Bytes (0 for directories and symlinks). */
  size: number;
}

export interface DistroSource {
  /** Volume label, trimmed ('' when the image has none). */
  readonly label: string;
  /** The entry at `path` (any case, with or without `;1`), or null. Symlinks are reported, not followed. */
  stat(path: string): SourceEntry | null;
  /** Names (image spelling) of the entries inside directory `dir` (symlinks followed); [] when it is not a directory. */
  list(dir: string): string[];
  /**
   * The first min(size, maxBytes) bytes of the file at `path` (symlinks in any component followed, at most
   * 8 hops), or null
   * when there is no such file. Callers pass small caps: only metadata and boot menus are ever read.
   */
  read(path: string, maxBytes: number): Promise<Uint8Array | null>;
}

/** Reads `length` bytes at `offset` of one file of the image (the core backs this with the ISO reader). */
export type EntryReader = (entry: ImageEntry, offset: number, length: number) => Promise<Uint8Array>;

const MAX_HOPS = 8;

function parentKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? '' : key.slice(0, slash);
}

/** Resolves a symlink target (relative to the link's directory, or absolute from the image root) to a key. */
function targetKey(linkKey: string, target: string): string {
  const base = target.startsWith('/') ? [] : parentKey(linkKey).split('/').filter(Boolean);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') base.pop();
    else base.push(part);
  }
  return pathKey(base.join('/'));
}

interface Node {
  entry: SourceEntry;
  target: string | null;
}

function buildSource(label: string, nodes: Map<string, Node>, readNode: (key: string, max: number) => Promise<Uint8Array>): DistroSource {
  const children = new Map<string, string[]>();
  for (const [key, node] of nodes) {
    if (key === '') continue;
    const parent = parentKey(key);
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(node.entry.path.slice(node.entry.path.lastIndexOf('/') + 1));
  }
  // Follows symlinks in every component (`dists/stable/Release` with `stable -> bookworm`), 8 hops at most.
  const resolve = (path: string): string | null => {
    let parts = pathKey(path).split('/').filter(Boolean);
    let cur = '';
    let hops = 0;
    for (let i = 0; i < parts.length; ) {
      const next = cur === '' ? parts[i]! : `${cur}/${parts[i]}`;
      const node = nodes.get(next);
      if (!node) return null;
      if (node.entry.type === 'symlink') {
        if (node.target === null || ++hops > MAX_HOPS) return null;
        parts = [...targetKey(next, node.target).split('/').filter(Boolean), ...parts.slice(i + 1)];
        cur = '';
        i = 0;
        continue;
      }
      cur = next;
      i++;
    }
    return cur;
  };
  return {
    label: label.trim(),
    stat: (path) => {
      const node = nodes.get(pathKey(path));
      return node ? { ...node.entry } : null;
    },
    list: (dir) => {
      const key = resolve(dir);
      if (key === null || nodes.get(key)?.entry.type !== 'dir') return [];
      return [...(children.get(key) ?? [])];
    },
    read: async (path, maxBytes) => {
      const key = resolve(path);
      if (key === null || nodes.get(key)?.entry.type !== 'file') return null;
      return readNode(key, Math.max(0, Math.min(maxBytes, nodes.get(key)!.entry.size)));
    },
  };
}

/**
 * A source over an image index. `readEntry` is only ever asked for the start of small files, with a length
 * already capped to both the file size and the caller's limit.
 */
export function sourceFromEntries(label: string, entries: readonly ImageEntry[], readEntry: EntryReader): DistroSource {
  const nodes = new Map<string, Node>();
  const byKey = new Map<string, ImageEntry>();
  nodes.set('', { entry: { path: '', type: 'dir', size: 0 }, target: null });
  for (const e of entries) {
    const key = pathKey(e.path);
    // First one wins: a later duplicate (multi-session leftovers, hostile images) cannot shadow it.
    if (nodes.has(key) && key !== '') continue;
    nodes.set(key, { entry: { path: e.path.replace(/^\/+/, ''), type: e.type, size: e.size }, target: e.target });
    byKey.set(key, e);
  }
  return buildSource(label, nodes, async (key, length) => (length === 0 ? new Uint8Array(0) : readEntry(byKey.get(key)!, 0, length)));
}

/**
 * What `memorySource` accepts per file: text or bytes (the content), a number (a file of that size whose
 * content is never read, e.g. `images/install.img`), or `{ symlink: target }`.
 */
export type MemoryFile = string | Uint8Array | number | { symlink: string };

/** A source over an in-memory tree; parent directories are implied. For tests and fixtures. */
export function memorySource(label: string, files: Readonly<Record<string, MemoryFile>>): DistroSource {
  const nodes = new Map<string, Node>();
  const content = new Map<string, Uint8Array | number>();
  nodes.set('', { entry: { path: '', type: 'dir', size: 0 }, target: null });
  for (const [rawPath, value] of Object.entries(files)) {
    const parts = rawPath.split('/').filter((s) => s !== '');
    const isDir = rawPath.endsWith('/');
    for (let i = 1; i < parts.length + (isDir ? 1 : 0); i++) {
      const dir = parts.slice(0, i).join('/');
      if (!nodes.has(pathKey(dir))) nodes.set(pathKey(dir), { entry: { path: dir, type: 'dir', size: 0 }, target: null });
    }
    if (isDir) continue;
    const path = parts.join('/');
    const key = pathKey(path);
    if (typeof value === 'object' && !(value instanceof Uint8Array)) {
      nodes.set(key, { entry: { path, type: 'symlink', size: 0 }, target: value.symlink });
      continue;
    }
    const bytes = typeof value === 'string' ? encodeUtf8(value) : value;
    const size = typeof bytes === 'number' ? bytes : bytes.length;
    nodes.set(key, { entry: { path, type: 'file', size }, target: null });
    content.set(key, bytes);
  }
  return buildSource(label, nodes, async (key, length) => {
    const data = content.get(key)!;
    return typeof data === 'number' ? new Uint8Array(length) : data.slice(0, length);
  });
}

/** UTF-8 bytes of `text` (for fixtures; lone surrogates become U+FFFD). */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}
