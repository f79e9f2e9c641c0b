/**
 * The ISO library: images added by path, indexed once, the index and the image's identity (size, mtime, a
 * fast fingerprint) kept in SQLite. Opening an image whose size or mtime changed re-checks the fingerprint
 * and re-indexes when the content changed. Nothing is extracted and nothing is mounted.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { ProtocolError } from '../../../shared/protocol/errors.ts';
import type { BlockReader, Extent, ImageIndex } from '../../../shared/protocol/image.ts';
import { readImage } from '../../../shared/protocol/read-image.ts';
import type { IsoRow, Store } from '../store/store.ts';
import { openImageFile, type ImageFile } from './image.ts';
import { imageLookup, imageTree, wholeImage, type ImageLookup } from './tree.ts';
import type { FileTree, OpenFile } from '../files/tree.ts';
import { describeImage, type ImageDescription } from './describe.ts';

/** What the library knows about one image without opening it. */
export interface IsoRecord extends ImageDescription {
  id: string;
  path: string;
  size: number;
  mtimeMs: number;
  fingerprint: string;
  sha256: string | null;
  addedAt: number;
  indexedAt: number;
}

/** An image opened for serving: its fd, its lookup and its files as a tree. */
export interface OpenIso {
  record: IsoRecord;
  image: ImageFile;
  index: ImageIndex;
  lookup: ImageLookup;
  tree: FileTree;
  /** The image file itself (served as `/iso/<id>.iso`). */
  whole(): OpenFile;
}

export interface IsoLibrary {
  list(): IsoRecord[];
  get(idOrPath: string): IsoRecord | null;
  /** Adds (or refreshes) the image at `path`; indexes it unless the stored index still matches the file. */
  add(path: string): Promise<IsoRecord>;
  remove(id: string): Promise<boolean>;
  /** Opens an image for serving, re-indexing first if the file changed since it was indexed. Cached until closed. */
  open(id: string): Promise<OpenIso>;
  /**
   * SHA-256 of the whole image, compared with `expected` or with the image's line in an adjacent checksum
   * file (SHA256SUMS, *.sha256, CHECKSUM). Progress events as it goes.
   */
  verify(id: string, expected?: string): Promise<VerifyResult>;
  close(): Promise<void>;
}

export interface VerifyResult {
  sha256: string;
  /** The value compared against and where it came from; null when there was nothing to compare with. */
  expected: { sha256: string; from: string } | null;
  match: boolean | null;
  ms: number;
}

export interface IsoLibraryOptions {
  store: Store;
  emit: (event: BootEventInput) => void;
}

const FINGERPRINT_SPAN = 64 * 1024;
const INDEX_FORMAT = 1;

/**
 * Identity of an image's content in a few reads: its size, the first 64 KiB (system area: hybrid MBR/GPT),
 * the 64 KiB from sector 16 (volume descriptors with their creation times, UDF anchors' neighbourhood), the
 * 64 KiB at sector 256 (the UDF anchor) and the last 64 KiB.
 */
export async function fingerprintImage(image: BlockReader): Promise<string> {
  const h = createHash('sha256');
  h.update(`size:${image.size}\n`);
  for (const at of [0, 16 * 2048, 256 * 2048, Math.max(0, image.size - FINGERPRINT_SPAN)]) {
    if (at >= image.size) continue;
    h.update(await image.read(at, Math.min(FINGERPRINT_SPAN, image.size - at)));
  }
  return h.digest('hex').slice(0, 32);
}

/** A short, stable, URL-safe id from the file name: `Rocky-9.4-x86_64-dvd.iso` -> `rocky-9.4-x86_64-dvd`. */
export function isoIdFor(path: string, taken: (id: string) => boolean): string {
  const stem =
    basename(path)
      .replace(/\.(iso|img)$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-._]+|[-._]+$/g, '')
      .slice(0, 60) || 'image';
  let id = stem;
  for (let n = 2; taken(id); n++) id = `${stem}-${n}`;
  return id;
}

// The index is stored as JSON; inline extents carry their bytes as base64.
type StoredExtent = Exclude<Extent, { kind: 'inline' }> | { kind: 'inline'; base64: string };

function encodeIndex(index: ImageIndex): string {
  return JSON.stringify({
    v: INDEX_FORMAT,
    ...index,
    entries: index.entries.map((e) => ({
      ...e,
      extents: e.extents.map((x): StoredExtent => (x.kind === 'inline' ? { kind: 'inline', base64: Buffer.from(x.bytes).toString('base64') } : x)),
    })),
  });
}

function decodeIndex(text: string): ImageIndex | null {
  try {
    const raw = JSON.parse(text) as Omit<ImageIndex, 'entries'> & { v?: number; entries: (Omit<ImageIndex['entries'][number], 'extents'> & { extents: StoredExtent[] })[] };
    if (raw.v !== INDEX_FORMAT || !Array.isArray(raw.entries)) return null;
    return {
      ...raw,
      entries: raw.entries.map((e) => ({
        ...e,
        extents: e.extents.map((x): Extent => (x.kind === 'inline' ? { kind: 'inline', bytes: new Uint8Array(Buffer.from(x.base64, 'base64')) } : x)),
      })),
    };
  } catch {
    return null;
  }
}

function toRecord(row: IsoRow): IsoRecord | null {
  try {
    const summary = JSON.parse(row.summary) as ImageDescription;
    return { ...summary, id: row.id, path: row.path, size: row.size, mtimeMs: row.mtimeMs, fingerprint: row.fingerprint, sha256: row.sha256, addedAt: row.addedAt, indexedAt: row.indexedAt };
  } catch {
    return null;
  }
}

/** The SHA-256 published for `file` in a checksum file's text: GNU (`HEX  NAME`, `HEX *NAME`) or BSD (`SHA256 (NAME) = HEX`). */
export function checksumFor(text: string, file: string): string | null {
  for (const line of text.split(/\r?\n/)) {
    const gnu = /^([0-9a-fA-F]{64}) [ *]?(.+)$/.exec(line.trim());
    if (gnu && basename(gnu[2]!.trim()) === file) return gnu[1]!.toLowerCase();
    const bsd = /^SHA256 \((.+)\) = ([0-9a-fA-F]{64})$/.exec(line.trim());
    if (bsd && basename(bsd[1]!) === file) return bsd[2]!.toLowerCase();
  }
  return null;
}

/** Looks beside the image for a published checksum of it. */
async function adjacentChecksum(path: string): Promise<{ sha256: string; from: string } | null> {
  const dir = dirname(path);
  const file = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const candidates = names.filter((n) => /^(sha256sums?(\.txt)?|checksum|.*\.sha256(sum)?|.*-CHECKSUM)$/i.test(n));
  for (const n of candidates) {
    const st = await stat(join(dir, n)).catch(() => null);
    if (!st?.isFile() || st.size > 1024 * 1024) continue;
    const text = await readFile(join(dir, n), 'utf8').catch(() => '');
    const bare = /^[0-9a-fA-F]{64}\s*$/.test(text) && n.toLowerCase().startsWith(file.toLowerCase()) ? text.trim().toLowerCase() : null;
    const found = bare ?? checksumFor(text, file);
    if (found) return { sha256: found, from: join(dir, n) };
  }
  return null;
}

export function createIsoLibrary(options: IsoLibraryOptions): IsoLibrary {
  const { store, emit } = options;
  const records = new Map<string, IsoRecord>();
  const indexes = new Map<string, ImageIndex>();
  for (const row of store.loadIsos()) {
    const rec = toRecord(row);
    const index = decodeIndex(row.index);
    if (!rec || !index) {
      emit({ service: 'iso', level: 'warn', msg: `stored index of ${row.path} is unreadable; it will be indexed again`, fields: { id: row.id } });
      store.deleteIso(row.id);
      continue;
    }
    records.set(rec.id, rec);
    indexes.set(rec.id, index);
  }
  const opened = new Map<string, Promise<OpenIso>>();
  // One indexing job per path at a time: a double drop of the same file waits for the first.
  const busy = new Map<string, Promise<IsoRecord>>();

  const byPath = (path: string) => [...records.values()].find((r) => r.path === path) ?? null;

  /** Reads the whole tree of an open image; a progress event every 250 ms on slow media. */
  async function index(image: ImageFile, id: string): Promise<{ index: ImageIndex; ms: number }> {
    const t0 = performance.now();
    let bytes = 0;
    let last = t0;
    const counting: BlockReader = {
      size: image.size,
      async read(offset, length) {
        bytes += length;
        const now = performance.now();
        if (now - last > 250) {
          last = now;
          emit({ service: 'iso', level: 'info', msg: `indexing ${basename(image.path)}: ${(bytes / 1048576).toFixed(1)} MiB of directories read`, fields: { id, phase: 'index', bytesRead: bytes } });
        }
        return image.read(offset, length);
      },
    };
    const idx = await readImage(counting);
    return { index: idx, ms: performance.now() - t0 };
  }

  async function indexAndSave(path: string, existing: IsoRecord | null): Promise<IsoRecord> {
    const image = await openImageFile(path).catch((e: NodeJS.ErrnoException) => {
      throw new ProtocolError('ISO_UNREADABLE', `cannot open ${path}: ${e.code ?? e.message}`);
    });
    try {
      const fingerprint = await fingerprintImage(image);
      const stored = existing ? indexes.get(existing.id) : undefined;
      if (existing && stored && existing.fingerprint === fingerprint && existing.size === image.size) {
        // Touched, not changed (copied with a new mtime): keep the index.
        const rec = { ...existing, mtimeMs: image.mtimeMs };
        store.saveIso(rowFor(rec, stored));
        records.set(rec.id, rec);
        return rec;
      }
      const id = existing?.id ?? isoIdFor(path, (candidate) => records.has(candidate));
      emit({ service: 'iso', level: 'info', msg: `indexing ${basename(path)}`, fields: { id, phase: 'index', path } });
      const { index: idx, ms } = await index(image, id);
      const description = await describeImage(idx, image);
      const rec: IsoRecord = {
        ...description,
        indexMs: Math.round(ms * 10) / 10,
        id,
        path,
        size: image.size,
        mtimeMs: image.mtimeMs,
        fingerprint,
        sha256: null,
        addedAt: existing?.addedAt ?? Date.now(),
        indexedAt: Date.now(),
      };
      store.saveIso(rowFor(rec, idx));
      records.set(id, rec);
      indexes.set(id, idx);
      emit({
        service: 'iso',
        level: 'info',
        msg: `indexed ${basename(path)}: ${rec.files} files, ${rec.distro ? rec.distro.name : 'unknown system'} in ${rec.indexMs} ms`,
        fields: { id, phase: 'done', files: rec.files, ms: rec.indexMs, netboot: rec.netboot, reason: rec.reason },
      });
      return rec;
    } finally {
      await image.release();
    }
  }

  function rowFor(rec: IsoRecord, idx: ImageIndex): IsoRow {
    const { id, path, size, mtimeMs, fingerprint, sha256, addedAt, indexedAt, ...summary } = rec;
    return { id, path, size, mtimeMs, fingerprint, sha256, addedAt, indexedAt, summary: JSON.stringify(summary), index: encodeIndex(idx) };
  }

  /** The record for `path`, re-indexed when the file is new or changed. */
  function refresh(path: string): Promise<IsoRecord> {
    const running = busy.get(path);
    if (running) return running;
    const job = (async () => {
      const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
        throw new ProtocolError('ISO_UNREADABLE', `cannot read ${path}: ${e.code ?? e.message}`);
      });
      if (!st.isFile()) throw new ProtocolError('ISO_UNREADABLE', `${path} is not a file`);
      const existing = byPath(path);
      if (existing && existing.size === st.size && existing.mtimeMs === st.mtimeMs && indexes.has(existing.id)) return existing;
      const rec = await indexAndSave(path, existing);
      if (existing && rec.fingerprint !== existing.fingerprint) {
        store.setIsoSha256(rec.id, null);
        // An open copy serves the old index: drop it so the next open reads the new one.
        const old = opened.get(rec.id);
        opened.delete(rec.id);
        if (old) await old.then((o) => o.image.release(), () => undefined);
      }
      return rec;
    })().finally(() => busy.delete(path));
    busy.set(path, job);
    return job;
  }

  const library: IsoLibrary = {
    list: () => [...records.values()],
    get: (idOrPath) => records.get(idOrPath) ?? byPath(resolve(idOrPath)),
    add: (path) => refresh(resolve(path)),
    async remove(id) {
      const rec = records.get(id);
      if (!rec) return false;
      records.delete(id);
      indexes.delete(id);
      store.deleteIso(id);
      const o = opened.get(id);
      opened.delete(id);
      // Transfers under way keep their own hold on the image and finish; new requests get 404.
      if (o) await o.then((x) => x.image.release(), () => undefined);
      emit({ service: 'iso', level: 'info', msg: `removed ${basename(rec.path)} from the library`, fields: { id } });
      return true;
    },
    async open(id) {
      const rec = records.get(id);
      if (!rec) throw new ProtocolError('ISO_UNKNOWN', `no ISO with id ${id}`);
      const fresh = await refresh(rec.path);
      const cached = opened.get(id);
      if (cached) return cached;
      const job = (async (): Promise<OpenIso> => {
        const image = await openImageFile(fresh.path);
        const idx = indexes.get(id)!;
        const lookup = imageLookup(idx);
        return { record: fresh, image, index: idx, lookup, tree: imageTree(image, lookup), whole: () => wholeImage(image) };
      })();
      opened.set(id, job);
      job.catch(() => opened.delete(id));
      return job;
    },
    async verify(id, expected) {
      const rec = records.get(id);
      if (!rec) throw new ProtocolError('ISO_UNKNOWN', `no ISO with id ${id}`);
      const against = expected ? { sha256: expected.toLowerCase(), from: 'given' } : await adjacentChecksum(rec.path);
      const t0 = performance.now();
      const h = createHash('sha256');
      let done = 0;
      let last = 0;
      for await (const chunk of createReadStream(rec.path, { highWaterMark: 1024 * 1024 })) {
        h.update(chunk as Buffer);
        done += (chunk as Buffer).length;
        const now = performance.now();
        if (now - last > 500) {
          last = now;
          emit({ service: 'iso', level: 'info', msg: `checking ${basename(rec.path)}: ${Math.floor((done / Math.max(1, rec.size)) * 100)} %`, fields: { id, phase: 'sha256', done, total: rec.size } });
        }
      }
      const sha256 = h.digest('hex');
      const match = against ? against.sha256 === sha256 : null;
      if (match !== false) store.setIsoSha256(id, sha256);
      const current = records.get(id);
      if (current && match !== false) records.set(id, { ...current, sha256 });
      const ms = performance.now() - t0;
      emit({
        service: 'iso',
        level: match === false ? 'error' : 'info',
        msg:
          match === null
            ? `${basename(rec.path)}: SHA-256 ${sha256} (no published checksum found to compare)`
            : match
              ? `${basename(rec.path)}: SHA-256 matches ${against!.from}`
              : `${basename(rec.path)}: SHA-256 does NOT match ${against!.from}: the image is damaged or not the published one`,
        fields: { id, phase: 'sha256-done', sha256, expected: against?.sha256 ?? null, match, ms: Math.round(ms) },
      });
      return { sha256, expected: against, match, ms };
    },
    async close() {
      const all = [...opened.values()];
      opened.clear();
      for (const o of all) await o.then((x) => x.image.release(), () => undefined);
    },
  };
  return library;
}
