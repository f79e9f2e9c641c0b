/**
 * The pure ISO 9660 reader against xorriso: for every fixture (test/fixtures/iso/build.sh) and real packaged ISO,
 * the tree, types, sizes, modes, symlink targets and SHA-256 of every file equal what `xorriso -osirrox on -extract`
 * writes, per name set (-read_fs any / norock / ecma119); El Torito entries equal `-report_el_torito`; the extents
 * of the > 4 GiB file equal `-exec report_sections`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageEntry, ImageIndex } from '../../shared/protocol/image.ts';
import { readIso9660, type NameSet } from '../../shared/protocol/iso9660/read.ts';
import { openTestImage, type TestImage } from '../helpers/iso.ts';
import { missing, run } from '../helpers/tools.ts';

const here = join(import.meta.dirname, '../fixtures/iso');
const cache = join(here, '.cache');
const IPXE_ISO = '/usr/lib/ipxe/ipxe.iso';
const skip = missing('xorriso', 'genisoimage', 'mkfs.vfat', 'mcopy');

const opened: FileHandle[] = [];
const openImage = (path: string): Promise<TestImage> => openTestImage(path, opened);

/** SHA-256 of a file's bytes read through its extents, with one reused buffer (the 4 GiB file takes ~4 s). */
async function hashEntry(fh: FileHandle, e: ImageEntry): Promise<string> {
  const h = createHash('sha256');
  const buf = new Uint8Array(256 * 1024); // larger buffers fall out of the CPU cache: 4x slower here
  for (const x of e.extents) {
    if (x.kind !== 'data') throw new Error(`unexpected ${x.kind} extent`);
    for (let done = 0; done < x.length; ) {
      const n = Math.min(buf.length, x.length - done);
      const { bytesRead } = await fh.read(buf, 0, n, x.offset + done);
      expect(bytesRead).toBe(n);
      h.update(buf.subarray(0, n));
      done += n;
    }
  }
  return h.digest('hex');
}

interface Item {
  type: string;
  size?: number;
  mode?: string;
  target?: string;
  sha?: string;
}

/** What xorriso extracts: path -> type, size, permission bits, symlink target, SHA-256. */
async function extracted(iso: string, readFs: string, exclude: string[] = []): Promise<Map<string, Item>> {
  const dir = await mkdtemp(join(tmpdir(), 'rackboot-iso-'));
  try {
    const args = ['-read_fs', readFs, '-osirrox', 'on', '-indev', iso];
    for (const x of exclude) args.push('-rm', x, '--');
    // -rollback_end: the -rm only shapes the extraction; nothing is written back.
    await run('xorriso', [...args, '-extract', '/', join(dir, 'x'), '-rollback_end'], { maxBuffer: 1 << 24 });
    const out = new Map<string, Item>();
    const walk = async (rel: string) => {
      for (const name of await readdir(join(dir, 'x', rel))) {
        const p = rel ? `${rel}/${name}` : name;
        const st = await lstat(join(dir, 'x', p));
        const mode = (st.mode & 0o7777).toString(8);
        if (st.isSymbolicLink()) out.set(p, { type: 'symlink', target: await readlink(join(dir, 'x', p)) });
        else if (st.isDirectory()) {
          out.set(p, { type: 'dir', mode });
          await walk(p);
        } else out.set(p, { type: 'file', size: st.size, mode, sha: createHash('sha256').update(await readFile(join(dir, 'x', p))).digest('hex') });
      }
    };
    await walk('');
    return out;
  } finally {
    await run('chmod', ['-R', 'u+rwx', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

async function ours(img: TestImage, index: ImageIndex, withModes: boolean, exclude: string[] = []): Promise<Map<string, Item>> {
  const out = new Map<string, Item>();
  for (const e of index.entries) {
    if (e.path === '' || exclude.includes(`/${e.path}`)) continue;
    const mode = withModes && e.mode !== null ? (e.mode & 0o7777).toString(8) : undefined;
    if (e.type === 'symlink') out.set(e.path, { type: 'symlink', target: e.target! });
    else if (e.type === 'dir') out.set(e.path, { type: 'dir', ...(mode && { mode }) });
    else out.set(e.path, { type: 'file', size: e.size, ...(mode && { mode }), sha: await hashEntry(img.fh, e) });
  }
  return out;
}

const sorted = (m: Map<string, Item>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
const dropModes = (m: Map<string, Item>) => new Map([...m].map(([k, { mode: _mode, ...v }]) => [k, v]));

beforeAll(() => {
  if (skip) return;
  const t = Date.now();
  execFileSync('bash', [join(here, 'build.sh')], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 180_000 });
  console.log(`[iso9660] fixtures ready in ${Date.now() - t} ms`);
}, 180_000);

afterAll(async () => {
  for (const fh of opened) await fh.close().catch(() => undefined);
});

const readFs: Record<NameSet, string> = { rockridge: 'any', joliet: 'norock', iso9660: 'ecma119' };

describe.skipIf(skip)('ISO 9660 reader vs xorriso', () => {
  it.each<[string, NameSet, string]>([
    ['rr-joliet.iso', 'rockridge', 'Rock Ridge + Joliet: Rock Ridge names win by default'],
    ['rr-joliet.iso', 'joliet', 'the same image read through its Joliet tree'],
    ['rr-joliet.iso', 'iso9660', 'the same image with plain ISO 9660 names'],
    ['joliet.iso', 'joliet', 'Joliet only (genisoimage -J)'],
    ['joliet.iso', 'iso9660', 'Joliet-only image with plain names'],
    ['plain.iso', 'iso9660', 'level 1 without extensions'],
    ['deep.iso', 'rockridge', '14 levels, relocated by genisoimage (RE/CL)'],
    ['deep.iso', 'iso9660', 'the relocated tree as plain ISO 9660 shows it (rr_moved)'],
    ['bigdir.iso', 'rockridge', 'a directory of 1500 entries'],
    ['unicode.iso', 'rockridge', 'UTF-8 and space names, symlinks, empty files'],
    ['unicode.iso', 'joliet', 'Joliet long names with a surrogate pair'],
    ['boot.iso', 'rockridge', 'El Torito BIOS + EFI'],
    ['boot-append.iso', 'rockridge', 'EFI as appended MBR partition'],
    ['boot-append-gpt.iso', 'rockridge', 'EFI as appended GPT partition'],
    ['boot-gpt.iso', 'rockridge', 'GPT-marked hybrid'],
    [IPXE_ISO, 'rockridge', 'Debian ipxe.iso (isohybrid)'],
  ])('%s as %s: %s', async (file, names, _why) => {
    const iso = file.startsWith('/') ? file : join(cache, file);
    if (!existsSync(iso)) return void console.log(`[skip] ${iso} absent`);
    const img = await openImage(iso);
    const byDefault = await readIso9660(img.reader);
    const index = await readIso9660(img.reader, { names });
    if (names === 'rockridge') expect(byDefault.names).toBe('rockridge');
    if (file === 'joliet.iso') expect(byDefault.names).toBe('joliet');
    if (file === 'plain.iso') expect(byDefault.names).toBe('iso9660');
    expect(index.names).toBe(names);
    const want = await extracted(iso, readFs[names]);
    // Modes: Rock Ridge PX is what xorriso restores; without Rock Ridge xorriso invents them and we report null.
    const got = await ours(img, index, names === 'rockridge');
    expect(sorted(got)).toEqual(sorted(names === 'rockridge' ? want : dropModes(want)));
    expect(index.volumeSize).toBeLessThanOrEqual(img.reader.size);
  });

  it('names follow the preference: Rock Ridge > Joliet > ISO 9660 (;1 and trailing dot stripped)', async () => {
    const img = await openImage(join(cache, 'rr-joliet.iso'));
    const paths = async (names: NameSet) => (await readIso9660(img.reader, { names })).entries.map((e) => e.path);
    expect(await paths('rockridge')).toContain('MixedCase.Name.tar.gz');
    expect(await paths('joliet')).toContain('MixedCase.Name.tar.gz');
    const plain = await paths('iso9660');
    expect(plain).toContain('README');
    expect(plain.some((p) => p.includes(';') || p.endsWith('.'))).toBe(false);
    const plainIso = await openImage(join(cache, 'plain.iso'));
    await expect(readIso9660(plainIso.reader, { names: 'rockridge' })).rejects.toMatchObject({ code: 'ISO_NAMES_UNAVAILABLE' });
    await expect(readIso9660(plainIso.reader, { names: 'joliet' })).rejects.toMatchObject({ code: 'ISO_NAMES_UNAVAILABLE' });
  });

  it('deep tree: relocated directories appear at their original place, 14 levels down', async () => {
    const index = await readIso9660((await openImage(join(cache, 'deep.iso'))).reader);
    const deepest = index.entries.find((e) => e.name === 'file14.txt')!;
    expect(deepest.path.split('/')).toHaveLength(15);
    expect(index.entries.filter((e) => e.path.startsWith('rr_moved/'))).toEqual([]);
  });

  it('mtimes come from Rock Ridge TF and match what xorriso restores', async () => {
    const img = await openImage(join(cache, 'rr-joliet.iso'));
    const index = await readIso9660(img.reader);
    for (const e of index.entries.filter((x) => x.type === 'file')) expect(e.mtimeMs).toBe(1_700_000_000_000);
  });

  it('zisofs files are listed but flagged ISO_ZISOFS_UNSUPPORTED; plain files beside them read', async () => {
    const iso = join(cache, 'zisofs.iso');
    const img = await openImage(iso);
    const index = await readIso9660(img.reader);
    const want = await extracted(iso, 'any');
    const compressed = index.entries.find((e) => e.name === 'compressible.txt')!;
    expect(compressed.unreadable?.code).toBe('ISO_ZISOFS_UNSUPPORTED');
    expect(compressed.size).toBeLessThan(want.get('compressible.txt')!.size!);
    const tiny = index.entries.find((e) => e.name === 'tiny.txt')!;
    expect(tiny.unreadable).toBeUndefined();
    expect(await hashEntry(img.fh, tiny)).toBe(want.get('tiny.txt')!.sha);
  });

  it('a > 4 GiB file: extents equal xorriso report_sections, bytes hash to the sparse source', async () => {
    const iso = join(cache, 'large.iso');
    const img = await openImage(iso);
    const index = await readIso9660(img.reader);
    const big = index.entries.find((e) => e.path === 'big.img')!;
    expect(big.size).toBe(4 * 1024 ** 3 + 1024 ** 2);
    const { stdout } = await run('xorriso', ['-indev', iso, '-find', '/big.img', '-exec', 'report_sections', '--']);
    const sections = [...stdout.matchAll(/File data lba:\s+\d+ ,\s+(\d+) ,\s+\d+ ,\s+(\d+) ,/g)].map((m) => ({ kind: 'data', offset: Number(m[1]) * 2048, length: Number(m[2]) }));
    expect(sections.length).toBeGreaterThan(1);
    expect(big.extents).toEqual(sections);
    expect(await hashEntry(img.fh, big)).toBe(readFileSync(join(cache, 'large.big.sha256'), 'utf8').trim());
    // The rest of the image as xorriso extracts it (big.img left out: it would write 4 GiB).
    expect(sorted(await ours(img, index, true, ['/big.img']))).toEqual(sorted(await extracted(iso, 'any', ['/big.img'])));
  }, 60_000);

  it.each([
    ['boot.iso', 'in the tree'],
    ['boot-append.iso', 'appended MBR partition'],
    ['boot-append-gpt.iso', 'appended GPT partition'],
    ['boot-gpt.iso', 'GPT-marked hybrid'],
    [IPXE_ISO, 'Debian ipxe.iso'],
  ])('El Torito of %s (%s) equals -report_el_torito', async (file) => {
    const iso = file.startsWith('/') ? file : join(cache, file);
    if (!existsSync(iso)) return void console.log(`[skip] ${iso} absent`);
    const index = await readIso9660((await openImage(iso)).reader);
    const { stdout } = await run('xorriso', ['-indev', iso, '-report_el_torito', 'plain']);
    const paths = new Map([...stdout.matchAll(/El Torito img path :\s+(\d+)\s+\/(\S+)/g)].map((m) => [Number(m[1]), m[2]!]));
    const blocks = new Map([...stdout.matchAll(/El Torito img blks :\s+(\d+)\s+(\d+)/g)].map((m) => [Number(m[1]), Number(m[2]) * 2048]));
    const want = [...stdout.matchAll(/El Torito boot img :\s+(\d+)\s+(\S+)\s+([yn])\s+(\S+)\s+\S+\s+\S+\s+(\d+)\s+(\d+)/g)].map((m) => {
      const n = Number(m[1]);
      const platform = ({ BIOS: 'bios', UEFI: 'efi', PPC: 'ppc', Mac: 'mac' } as Record<string, string>)[m[2]!] ?? 'other';
      const path = paths.get(n) ?? null;
      const fileSize = path ? index.entries.find((e) => e.path === path)!.size : null;
      // EFI: the FAT image's own size (= the file's size here) or the appended partition's; BIOS: the load size.
      const size = platform === 'efi' ? (blocks.get(n) ?? fileSize) : Number(m[5]) * 512;
      return { platform, bootable: m[3] === 'y', media: m[4] === 'none' ? 0 : -1, sectorCount: Number(m[5]), lba: Number(m[6]), path, size };
    });
    expect(want.length).toBeGreaterThanOrEqual(2);
    expect(index.boot.map(({ platformId: _p, ...b }) => b)).toEqual(want);
  });
});
