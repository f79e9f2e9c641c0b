/**
 * ISO engine: what a technician waits for after dropping an image.
 *
 *   ready    a 10 GB DVD-shaped image (sparse: ~6,300 packages, install.img, pxeboot kernel and initrd, EFI,
 *            isolinux, .treeinfo) added to rackboot's ISO library (open, fingerprint, index every directory,
 *            detect the distro, save the index) vs `xorriso -osirrox on -extract /` of the same image, which is
 *            what a loop-mount-free setup has to do before nginx or dnsmasq can serve it.
 *   read     a 1 GiB random file read sequentially from inside an ISO through rackboot's image reader vs
 *            reading the extracted copy with plain fs reads (both warm in the page cache, 1 MiB reads).
 *
 * Both run on this host (no network), the images are built once per bench run in a temp dir and removed.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../../shared/protocol/read-image.ts';
import { openImageFile } from '../../electron/core/iso/image.ts';
import { createIsoLibrary } from '../../electron/core/iso/library.ts';
import { imageLookup, openImageEntry } from '../../electron/core/iso/tree.ts';
import { openStore } from '../../electron/core/store/store.ts';
import { ROCKY_TREEINFO } from '../helpers/iso.ts';
import { log, median, MiB, randomFile, tempDir, type Row } from './shared.ts';

/** Row names (the sizes are in the setup: a --quick run uses smaller ones). */
export const READY_CASE = 'time to ready (10 GB image)';
export const READ_CASE = 'sequential read (1 GiB file)';

export interface IsoBenchOptions {
  /** Total file bytes in the DVD-shaped image (10 GB in a full run). */
  imageBytes: number;
  /** Size of the file read sequentially (1 GiB in a full run). */
  readBytes: number;
  repeats: number;
}

/** Deterministic sizes (no Math.random: the same tree every run). */
function* sizes(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    yield x;
  }
}

function sparse(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** A tree shaped like a RHEL 9 family DVD whose files sum to about `total` bytes, every file sparse. */
export function dvdTree(root: string, total: number): { files: number } {
  let files = 0;
  const put = (rel: string, bytes: number | string) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    if (typeof bytes === 'string') writeFileSync(p, bytes);
    else sparse(p, bytes);
    files++;
  };
  put('.treeinfo', ROCKY_TREEINFO);
  put('.discinfo', '1714000000.000000\nRocky Linux 9.4\nx86_64\n');
  const fixed: [string, number][] = [
    ['images/install.img', 900 * MiB],
    ['images/pxeboot/vmlinuz', 13 * MiB],
    ['images/pxeboot/initrd.img', 110 * MiB],
    ['images/efiboot.img', 8 * MiB],
    ['EFI/BOOT/BOOTX64.EFI', 950_000],
    ['EFI/BOOT/grubx64.efi', 2_500_000],
    ['EFI/BOOT/mmx64.efi', 850_000],
    ['EFI/BOOT/fonts/unicode.pf2', 2_500_000],
    ['isolinux/isolinux.bin', 38_912],
    ['isolinux/vmlinuz', 13 * MiB],
    ['isolinux/initrd.img', 110 * MiB],
    ['isolinux/ldlinux.c32', 116_000],
  ];
  for (const [rel, bytes] of fixed) put(rel, bytes);
  put('EFI/BOOT/grub.cfg', "menuentry 'Install Rocky Linux 9.4' {\n  linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Rocky-9-4-x86_64-dvd quiet\n  initrdefi /images/pxeboot/initrd.img\n}\n");
  put('isolinux/isolinux.cfg', 'label linux\n  kernel vmlinuz\n  append initrd=initrd.img inst.stage2=hd:LABEL=Rocky-9-4-x86_64-dvd quiet\n');
  let left = total - fixed.reduce((n, [, b]) => n + b, 0);
  // ~1,100 BaseOS and ~5,200 AppStream packages in a/ .. z/ folders, sizes 20 KB - 2.8 MB, then repodata.
  const rnd = sizes(42);
  const perRepo: [string, number][] = [
    ['BaseOS', 1100],
    ['AppStream', 5200],
  ];
  const count = perRepo.reduce((n, [, c]) => n + c, 0);
  const mean = Math.max(1, Math.floor(left / count));
  for (const [repo, n] of perRepo) {
    for (let i = 0; i < n; i++) {
      const letter = String.fromCharCode(97 + (i % 26));
      const bytes = Math.max(0, Math.min(left, Math.floor(mean * (0.02 + ((rnd.next().value as number) % 1000) / 510))));
      left -= bytes;
      put(`${repo}/Packages/${letter}/${repo.toLowerCase()}-pkg-${i}-1.0-1.el9.x86_64.rpm`, bytes);
    }
    for (const f of ['repomd.xml', 'primary.xml.gz', 'filelists.xml.gz', 'other.xml.gz', 'comps.xml'].map((x) => `${repo}/repodata/${x}`)) put(f, 2 * MiB);
  }
  return { files };
}

function run(cmd: string, args: string[], stdio: 'ignore' | 'pipe' = 'pipe'): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', stdio, 'pipe'], maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}: ${r.stderr?.toString().trim().split('\n').at(-1) ?? r.error?.message}`);
}

/** xorriso writes the image through `dd conv=sparse`, so a 10 GB image of holes costs no disk. */
function buildIso(src: string, out: string, label: string): number {
  const t0 = performance.now();
  run('sh', ['-c', `xorriso -as mkisofs -quiet -R -J -iso-level 3 -V '${label}' -o - '${src}' | dd of='${out}' bs=1M conv=sparse status=none`]);
  return performance.now() - t0;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

async function readAllPlain(path: string): Promise<number> {
  const fh = await open(path, 'r');
  const buf = new Uint8Array(MiB);
  let n = 0;
  const t0 = performance.now();
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, n);
    if (!bytesRead) break;
    n += bytesRead;
  }
  const ms = performance.now() - t0;
  await fh.close();
  return ms;
}

async function readAllInIso(iso: string, file: string): Promise<number> {
  const image = await openImageFile(iso);
  const entry = imageLookup(await readImage(image)).resolve(file);
  if (!entry) throw new Error(`${file} not found in ${iso}`);
  const f = openImageEntry(image, entry);
  const buf = new Uint8Array(MiB);
  const t0 = performance.now();
  for (let at = 0; at < f.size; ) {
    const n = await f.read(at, buf, 0, Math.min(buf.length, f.size - at));
    if (!n) throw new Error('short read');
    at += n;
  }
  const ms = performance.now() - t0;
  await f.close();
  await image.release();
  return ms;
}

/** Warm a file into the page cache (both sides are measured warm). */
function warm(path: string): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(4 * MiB);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

export async function benchIso(o: IsoBenchOptions): Promise<{ rows: Row[]; setup: Record<string, unknown> }> {
  const rows: Row[] = [];
  const dir = tempDir('iso');
  // ---- ready: index vs extraction
  log(`iso: building a ${(o.imageBytes / 1e9).toFixed(1)} GB DVD-shaped sparse image`);
  const src = join(dir, 'dvd-src');
  const tree = dvdTree(src, o.imageBytes);
  const dvd = join(dir, 'Rocky-9.4-x86_64-dvd.iso');
  const buildMs = buildIso(src, dvd, 'Rocky-9-4-x86_64-dvd');
  const ours: number[] = [];
  let detected: unknown = null;
  for (let i = 0; i < o.repeats; i++) {
    const store = openStore(join(dir, `data-${i}`));
    const lib = createIsoLibrary({ store, emit: () => undefined });
    const t0 = performance.now();
    const rec = await lib.add(dvd);
    ours.push(performance.now() - t0);
    detected = { files: rec.files, distro: rec.distro?.name ?? null, netboot: rec.netboot !== null };
    await lib.close();
    store.close();
  }
  rows.push({ bench: 'iso', case: READY_CASE, server: 'rackboot', unit: 'ms', better: 'lower', value: median(ours), samples: ours, detail: { what: 'ISO library add: open, fingerprint, index, detect, save', ...(detected as object) } });
  const xorriso: number[] = [];
  // Extraction writes every byte; one run is minutes of disk for a 10 GB image, so it runs once unless quick.
  const extractRuns = o.imageBytes > 2e9 ? 1 : o.repeats;
  for (let i = 0; i < extractRuns; i++) {
    const out = join(dir, `extract-${i}`);
    log(`iso: xorriso extraction run ${i + 1}/${extractRuns}`);
    xorriso.push(time(() => run('xorriso', ['-osirrox', 'on', '-indev', dvd, '-extract', '/', out], 'ignore')));
    run('rm', ['-rf', out]);
  }
  rows.push({ bench: 'iso', case: READY_CASE, server: 'xorriso extract', unit: 'ms', better: 'lower', value: median(xorriso), samples: xorriso });

  // ---- read: 1 GiB inside the ISO vs the extracted copy
  log(`iso: sequential read of a ${o.readBytes / MiB} MiB file`);
  const bigSrc = join(dir, 'big-src');
  mkdirSync(bigSrc);
  randomFile(join(bigSrc, 'big.bin'), o.readBytes);
  const bigIso = join(dir, 'big.iso');
  buildIso(bigSrc, bigIso, 'BIG');
  const extracted = join(dir, 'big-extracted');
  run('xorriso', ['-osirrox', 'on', '-indev', bigIso, '-extract', '/big.bin', join(extracted, 'big.bin')], 'ignore');
  warm(bigIso);
  warm(join(extracted, 'big.bin'));
  const plain: number[] = [];
  const inIso: number[] = [];
  // Page-cache reads at several GB/s swing +-20 % run to run: more runs, and the order alternates so neither
  // side always runs first.
  const runs = o.repeats * 2 + 1;
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      plain.push(await readAllPlain(join(extracted, 'big.bin')));
      inIso.push(await readAllInIso(bigIso, 'big.bin'));
    } else {
      inIso.push(await readAllInIso(bigIso, 'big.bin'));
      plain.push(await readAllPlain(join(extracted, 'big.bin')));
    }
  }
  const toMbps = (ms: number) => o.readBytes / 1e6 / (ms / 1000);
  rows.push({ bench: 'iso', case: READ_CASE, server: 'rackboot', unit: 'MB/s', value: median(inIso.map(toMbps)), samples: inIso.map(toMbps) });
  rows.push({ bench: 'iso', case: READ_CASE, server: 'extracted file', unit: 'MB/s', value: median(plain.map(toMbps)), samples: plain.map(toMbps) });
  run('rm', ['-rf', dir]);
  return {
    rows,
    setup: {
      image: { bytes: o.imageBytes, files: tree.files, buildSeconds: Math.round(buildMs / 100) / 10, shape: 'RHEL 9 DVD: .treeinfo, images/, EFI/, isolinux/, BaseOS+AppStream Packages in a-z folders, repodata' },
      extraction: 'xorriso -osirrox on -indev IMG -extract / DIR (then removed)',
      read: '1 MiB reads, page cache warm on both sides, 2 x repeats + 1 runs in alternating order',
    },
  };
}
