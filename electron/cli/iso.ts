/**
 * `rackboot iso info|ls|cat PATH ...`: an image as rackboot's ISO engine sees it, without a data directory,
 * a server or root. JSON by default (one object, or one per line for lists); `--human` for people.
 */
import { basename } from 'node:path';
import { ProtocolError } from '../../shared/protocol/errors.ts';
import type { ImageEntry } from '../../shared/protocol/image.ts';
import { readImage } from '../../shared/protocol/read-image.ts';
import { describeImage } from '../core/iso/describe.ts';
import { openImageFile, type ImageFile } from '../core/iso/image.ts';
import { imageLookup, openImageEntry } from '../core/iso/tree.ts';
import { parsePositional, UsageError, write } from './args.ts';

export const ISO_HELP = `rackboot iso: look inside an installer image (ISO 9660 with Rock Ridge/Joliet, El Torito, UDF)

  rackboot iso info PATH [--human]              file system, label, boot entries, detected system, netboot facts
  rackboot iso ls PATH [DIR] [--recursive] [--human]
                                                entries: name, type, size, mode, mtime, symlink target
  rackboot iso cat PATH FILE                    a file's bytes on stdout

Names are matched ignoring case, with ISO 9660 ';1' versions ignored; symlinks inside the image are followed.
Exit 0 on success, 2 on bad arguments, 1 when the image or the file cannot be read.
`;

/** A failure that is not the caller's typing (unreadable image, no such file inside it): exit 1. */
export class IsoCommandError extends Error {}

async function withImage<T>(path: string, run: (image: ImageFile) => Promise<T>): Promise<T> {
  let image: ImageFile;
  try {
    image = await openImageFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new IsoCommandError(err instanceof ProtocolError ? err.message : `cannot open ${path}: ${err.code ?? err.message}`);
  }
  try {
    return await run(image);
  } catch (e) {
    if (e instanceof ProtocolError) throw new IsoCommandError(`${basename(path)} is not a readable image: ${e.message}`);
    throw e;
  } finally {
    await image.release();
  }
}

function modeText(mode: number | null, type: ImageEntry['type']): string {
  const t = type === 'dir' ? 'd' : type === 'symlink' ? 'l' : '-';
  if (mode === null) return t + (type === 'dir' ? 'r-xr-xr-x' : 'r--r--r--');
  const bits = 'rwxrwxrwx';
  let s = t;
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : '-';
  return s;
}

function entryJson(e: ImageEntry) {
  return {
    path: e.path,
    name: e.name,
    type: e.type,
    size: e.size,
    mode: e.mode === null ? null : (e.mode & 0o7777).toString(8).padStart(4, '0'),
    mtime: e.mtimeMs === null ? null : new Date(e.mtimeMs).toISOString(),
    target: e.target,
  };
}

async function info(argv: string[]): Promise<void> {
  const { values, positionals } = parsePositional(argv, { human: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('usage: rackboot iso info PATH [--human]');
  const path = positionals[0]!;
  await withImage(path, async (image) => {
    const t0 = performance.now();
    const index = await readImage(image);
    const ms = performance.now() - t0;
    const d = await describeImage(index, image);
    const out = { path, size: image.size, ...d, indexMs: Math.round(ms * 10) / 10 };
    if (!values.human) return write(out);
    const lines = [
      `${basename(path)}: ${d.format === 'udf' ? 'UDF' : 'ISO 9660'} (${d.names} names), label "${d.label}", ${(image.size / 1048576).toFixed(1)} MiB`,
      `  ${d.files} files, ${d.dirs} directories, ${d.symlinks} symlinks, ${(d.bytes / 1048576).toFixed(1)} MiB of file data; read in ${out.indexMs} ms`,
      ...d.boot.map((b) => `  El Torito ${b.platform}${b.bootable ? '' : ' (not bootable)'}: ${b.size} bytes${b.path ? ` = ${b.path}` : ' (no file name)'}`),
      d.distro ? `  system: ${d.distro.name} (${d.distro.family}, ${d.distro.arch ?? 'unknown arch'})` : '  system: not recognised',
      d.netboot === null
        ? `  netboot: no: ${d.reason}`
        : d.netboot.kind === 'wimboot'
          ? `  netboot: wimboot with ${d.netboot.bootWim}`
          : `  netboot: ${d.netboot.kind}, kernel ${d.netboot.kernel}, initrd ${d.netboot.initrd}${d.netboot.stage2 ? `, stage2 ${d.netboot.stage2}` : ''}`,
      ...(d.netboot?.notes ?? []).map((n) => `  note: ${n}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  });
}

async function ls(argv: string[]): Promise<void> {
  const { values, positionals } = parsePositional(argv, { recursive: { type: 'boolean', short: 'R' }, human: { type: 'boolean' } });
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('usage: rackboot iso ls PATH [DIR] [--recursive] [--human]');
  const [path, dir = ''] = positionals as [string, string?];
  await withImage(path, async (image) => {
    const index = await readImage(image);
    const lookup = imageLookup(index);
    const start = lookup.resolve(dir);
    if (!start) throw new IsoCommandError(`no ${dir} in ${basename(path)}`);
    const out: ImageEntry[] = [];
    if (start.type !== 'dir') out.push(start);
    else {
      // Depth-first, children in the image's order, each directory listed before its contents.
      const walk = (d: ImageEntry, depth: number) => {
        for (const c of lookup.children(d.path) ?? []) {
          out.push(c);
          if (values.recursive && c.type === 'dir' && depth < 256) walk(c, depth + 1);
        }
      };
      walk(start, 0);
    }
    if (!values.human) {
      process.stdout.write(out.map((e) => JSON.stringify(entryJson(e))).join('\n') + (out.length ? '\n' : ''));
      return;
    }
    const width = Math.max(1, ...out.map((e) => String(e.size).length));
    const lines = out.map((e) => {
      const when = e.mtimeMs === null ? '-'.padEnd(16) : new Date(e.mtimeMs).toISOString().slice(0, 16).replace('T', ' ');
      return `${modeText(e.mode, e.type)} ${String(e.size).padStart(width)} ${when} ${values.recursive ? e.path : e.name}${e.target !== null ? ` -> ${e.target}` : ''}`;
    });
    process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
  });
}

async function cat(argv: string[]): Promise<void> {
  const { positionals } = parsePositional(argv, {});
  if (positionals.length !== 2) throw new UsageError('usage: rackboot iso cat PATH FILE');
  const [path, file] = positionals as [string, string];
  await withImage(path, async (image) => {
    const index = await readImage(image);
    const entry = imageLookup(index).resolve(file);
    if (!entry) throw new IsoCommandError(`no ${file} in ${basename(path)}`);
    if (entry.type !== 'file') throw new IsoCommandError(`${file} in ${basename(path)} is a ${entry.type === 'dir' ? 'directory' : 'symlink'}, not a file`);
    const f = openImageEntry(image, entry);
    try {
      const chunk = new Uint8Array(1024 * 1024);
      for (let at = 0; at < f.size; ) {
        const n = await f.read(at, chunk, 0, Math.min(chunk.length, f.size - at));
        if (n === 0) throw new IsoCommandError(`${file}: image ended after ${at} of ${f.size} bytes`);
        at += n;
        // Backpressure: wait for stdout to drain before reading on (a pipe into `head` or `sha256sum`).
        if (!process.stdout.write(chunk.slice(0, n))) await new Promise((r) => process.stdout.once('drain', r));
      }
    } finally {
      await f.close();
    }
  });
}

export async function isoCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    process.stdout.write(ISO_HELP);
    return;
  }
  if (sub === 'info') return info(rest);
  if (sub === 'ls') return ls(rest);
  if (sub === 'cat') return cat(rest);
  throw new UsageError(`unknown iso command ${sub} (info, ls or cat)`);
}
