/**
 * The pure UDF reader against real writers and a real reader (fixtures: test/fixtures/udf/build.sh). For every
 * image 7-Zip reads, the tree, types, sizes, modification times and SHA-256 of every file equal what
 * `7zz x -tudf` extracts (-tudf: on a bridge image 7-Zip would otherwise take the ISO 9660 side). pycdlib's image
 * (with symlinks, which 7-Zip refuses) is checked against pycdlib's own reading; the empty mkudffs volumes against
 * udfinfo; VAT and sparable volumes (7-Zip refuses them too) must be refused with a code.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../shared/protocol/errors.ts';
import type { ImageEntry, ImageIndex } from '../../shared/protocol/image.ts';
import { hasUdf, readUdf } from '../../shared/protocol/udf/read.ts';
import { openTestImage, type TestImage } from '../helpers/iso.ts';
import { missing, run } from '../helpers/tools.ts';

const here = join(import.meta.dirname, '../fixtures/udf');
const cache = join(here, '.cache');
const skip = missing('genisoimage', 'mkudffs', 'udfinfo', '7zz');
const opened: FileHandle[] = [];
let scratch = '';

const openImage = (name: string): Promise<TestImage> => openTestImage(join(cache, name), opened);

async function hashEntry(fh: FileHandle, e: ImageEntry): Promise<string> {
  const h = createHash('sha256');
  for (const x of e.extents) {
    if (x.kind === 'inline') h.update(x.bytes);
    else if (x.kind === 'zero') h.update(new Uint8Array(x.length));
    else {
      const b = new Uint8Array(x.length);
      const { bytesRead } = await fh.read(b, 0, x.length, x.offset);
      expect(bytesRead).toBe(x.length);
      h.update(b);
    }
  }
  return h.digest('hex');
}

interface Row {
  path: string;
  type: string;
  size?: number;
  sha256?: string;
  target?: string | null;
  mtimeS?: number;
}

async function ours(name: string, withTimes = false): Promise<{ idx: ImageIndex; rows: Row[] }> {
  const { reader, fh } = await openImage(name);
  const idx = await readUdf(reader);
  const rows: Row[] = [];
  for (const e of idx.entries.slice(1)) {
    const row: Row = { path: e.path, type: e.type };
    if (e.type === 'file') Object.assign(row, { size: e.size, sha256: await hashEntry(fh, e) });
    if (e.type === 'symlink') row.target = e.target;
    if (withTimes && e.type === 'file' && e.mtimeMs !== null) row.mtimeS = Math.floor(e.mtimeMs / 1000);
    rows.push(row);
  }
  return { idx, rows: rows.sort((a, b) => (a.path < b.path ? -1 : 1)) };
}

/** What 7-Zip extracts, walked: directories, files with size and hash (and whole-second mtimes). */
async function sevenZip(name: string, withTimes = false): Promise<Row[]> {
  const out = join(scratch, name);
  await run('7zz', ['x', '-tudf', '-y', `-o${out}`, join(cache, name)], { maxBuffer: 16 * 1024 * 1024 });
  const rows: Row[] = [];
  const walk = async (dir: string, rel: string) => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      const full = join(dir, d.name);
      if (d.isDirectory()) {
        rows.push({ path, type: 'dir' });
        await walk(full, path);
      } else {
        const data = await readFile(full);
        const row: Row = { path, type: 'file', size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
        if (withTimes) row.mtimeS = Math.floor((await lstat(full)).mtimeMs / 1000);
        rows.push(row);
      }
    }
  };
  if (existsSync(out)) await walk(out, '');
  return rows.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const built = (name: string) => existsSync(join(cache, name));
const skipped = (name: string) => {
  const line = existsSync(join(cache, 'skipped.txt')) ? readFileSync(join(cache, 'skipped.txt'), 'utf8').split('\n').find((l) => l.startsWith(`${name}\t`)) : undefined;
  if (line) console.log(`[skip] ${name}: ${line.split('\t')[1]}`);
  return !!line;
};

describe.skipIf(skip)('UDF reader against 7-Zip, pycdlib and udfinfo', () => {
  beforeAll(async () => {
    execFileSync('bash', [join(here, 'build.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
    scratch = await mkdtemp(join(tmpdir(), 'rackboot-udf-'));
  }, 320_000);
  afterAll(async () => {
    await Promise.all(opened.map((f) => f.close()));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it.each([
    ['bridge.iso', 'CCCOMA_X64FRE_EN-US_DV9', true],
    ['udf102.img', 'SMALL1.02', true],
    ['udf201.img', 'SMALL2.01', true],
    ['empty-102.img', 'LV1.02', false],
    ['empty-201.img', 'LV2.01', false],
  ])('%s: every entry, size, hash (and time) equals 7zz x -tudf', async (name, label, times) => {
    if (!built(name) && skipped(name)) return;
    const { idx, rows } = await ours(name, times);
    expect(idx).toMatchObject({ format: 'udf', names: 'udf', label, boot: [] });
    expect(idx.entries[0]).toMatchObject({ path: '', type: 'dir' });
    expect(rows).toEqual(await sevenZip(name, times));
    const { reader } = await openImage(name);
    expect(await hasUdf(reader)).toBe(true);
  });

  it('bridge.iso has the Windows installer shape', async () => {
    const { idx } = await ours('bridge.iso');
    const byPath = new Map(idx.entries.map((e) => [e.path, e]));
    for (const p of ['sources/boot.wim', 'bootmgr', 'boot/bcd', 'efi/boot/bootx64.efi', 'setup.exe', 'sources/カタカナ ファイル.txt']) {
      expect(byPath.get(p)?.type, p).toBe('file');
    }
    expect(byPath.get('sources/boot.wim')!.size).toBe(5 * 1024 * 1024 + 123);
    expect(byPath.get('sources/empty.cab')).toMatchObject({ size: 0, extents: [] });
    expect(idx.entries.filter((e) => e.path.startsWith('sources/sxs/'))).toHaveLength(1200);
    expect(idx.entries.some((e) => e.path.split('/').length === 14)).toBe(true);
  });

  it('pycdlib.iso (UDF 2.60 tags, symlinks) equals pycdlib reading it back', async () => {
    if (!built('pycdlib.iso') && skipped('pycdlib.iso')) return;
    const want = JSON.parse(readFileSync(join(cache, 'pycdlib.json'), 'utf8')) as { entries: Row[] };
    const { rows } = await ours('pycdlib.iso');
    expect(rows).toEqual(want.entries);
  });

  it.each(['empty-250.img', 'empty-260.img', 'vat-250.img', 'sparable-201.img'])(
    '%s (VAT / sparable partition) is refused with UDF_UNSUPPORTED_PARTITION',
    async (name) => {
      const { reader } = await openImage(name);
      expect(await hasUdf(reader)).toBe(true);
      await expect(readUdf(reader)).rejects.toThrow(expect.objectContaining({ code: 'UDF_UNSUPPORTED_PARTITION' }) as ProtocolError);
    },
  );

  it.each(['empty-102', 'empty-201'])('%s: label and counts equal udfinfo', async (name) => {
    const info = Object.fromEntries(
      readFileSync(join(cache, `${name}.udfinfo`), 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const { idx } = await ours(`${name}.img`);
    expect(idx.label).toBe(info.lvid);
    expect(idx.entries.filter((e) => e.type === 'dir')).toHaveLength(Number(info.numdirs));
    expect(idx.entries.filter((e) => e.type === 'file')).toHaveLength(Number(info.numfiles));
  });
});
