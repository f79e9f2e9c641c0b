/** Small installer-shaped ISOs built on the fly with xorriso, for tests of the library, the CLI and serving. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ProtocolError } from '../../shared/protocol/errors.ts';
import type { BlockReader } from '../../shared/protocol/image.ts';

export type TreeFile = string | Uint8Array | { symlink: string };

/** Writes `files` under `root` (parents created). */
export function writeTree(root: string, files: Record<string, TreeFile>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (typeof content === 'object' && 'symlink' in content) symlinkSync(content.symlink, p);
    else writeFileSync(p, content);
  }
}

/** Builds `out` from `files` with Rock Ridge and Joliet, as lorax and debian-cd do (`-R -J`). */
export function makeIso(out: string, files: Record<string, TreeFile>, opts: { label?: string; scratch: string }): string {
  const src = join(opts.scratch, `src-${Math.random().toString(36).slice(2)}`);
  mkdirSync(src, { recursive: true });
  writeTree(src, files);
  mkdirSync(dirname(out), { recursive: true });
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', opts.label ?? 'TEST', '-o', out, src], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** Deterministic pseudo-random bytes (a kernel or initrd stand-in whose content a hash can check). */
export function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** `.treeinfo` of a Rocky Linux 9.4 DVD (productmd 1.2, as lorax writes it). */
export const ROCKY_TREEINFO = [
  '[header]',
  'type = productmd.treeinfo',
  'version = 1.2',
  '[release]',
  'name = Rocky Linux',
  'short = Rocky',
  'version = 9.4',
  '[tree]',
  'arch = x86_64',
  'platforms = x86_64,xen',
  'variants = AppStream,BaseOS',
  '[variant-BaseOS]',
  'id = BaseOS',
  'packages = BaseOS/Packages',
  'repository = BaseOS',
  'type = variant',
  'uid = BaseOS',
  '[variant-AppStream]',
  'id = AppStream',
  'packages = AppStream/Packages',
  'repository = AppStream',
  'type = variant',
  'uid = AppStream',
  '[images-x86_64]',
  'kernel = images/pxeboot/vmlinuz',
  'initrd = images/pxeboot/initrd.img',
  '[stage2]',
  'mainimage = images/install.img',
  '',
].join('\n');

/** A Rocky Linux 9.4 DVD in miniature: the files rackboot reads to recognise it, kernel and initrd with content. */
export function rockyTree(kernel: Uint8Array, initrd: Uint8Array): Record<string, TreeFile> {
  return {
    '.treeinfo': ROCKY_TREEINFO,
    '.discinfo': '1714000000.000000\nRocky Linux 9.4\nx86_64\n',
    'images/pxeboot/vmlinuz': kernel,
    'images/pxeboot/initrd.img': initrd,
    'images/install.img': bytes(4096, 3),
    'BaseOS/Packages/b/bash-5.1.8-9.el9.x86_64.rpm': bytes(1000, 4),
    'BaseOS/repodata/repomd.xml': '<repomd/>\n',
    'AppStream/Packages/v/vim-enhanced-8.2.2637-20.el9.x86_64.rpm': bytes(1000, 5),
    'AppStream/repodata/repomd.xml': '<repomd/>\n',
    'EFI/BOOT/BOOTX64.EFI': bytes(2048, 6),
    'EFI/BOOT/grubx64.efi': bytes(2048, 7),
    'EFI/BOOT/grub.cfg': "menuentry 'Install Rocky Linux 9.4' {\n  linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=Rocky-9-4-x86_64-dvd quiet\n  initrdefi /images/pxeboot/initrd.img\n}\n",
    'isolinux/vmlinuz': { symlink: '../images/pxeboot/vmlinuz' },
  };
}

/** An image file as the pure readers see it (a BlockReader over a FileHandle), for reader tests. */
export interface TestImage {
  reader: BlockReader;
  fh: FileHandle;
}

/** Opens `path` read-only; the handle is added to `opened` so the test can close them all at the end. */
export async function openTestImage(path: string, opened: FileHandle[]): Promise<TestImage> {
  const fh = await open(path, 'r');
  opened.push(fh);
  const { size } = await fh.stat();
  return {
    fh,
    reader: {
      size,
      async read(offset, length) {
        const b = new Uint8Array(length);
        const { bytesRead } = await fh.read(b, 0, length, offset);
        if (bytesRead !== length) throw new ProtocolError('IMAGE_SHORT_READ', `${bytesRead} of ${length} at ${offset}`);
        return b;
      },
    },
  };
}
