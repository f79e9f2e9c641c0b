/**
 * Where the bootloaders rackboot hands out come from: Debian's packages (ipxe, pxelinux, syslinux-common,
 * shim-signed, shim-helpers-amd64-signed, grub-efi-amd64-signed), collected at build time into
 * build/bootloaders by build/scripts/collect-bootloaders.mjs and bundled by electron-builder as
 * resources/bootloaders. Served under fixed names; a missing one is reported with the package to install.
 *
 * Each name is looked up on its own, first hit wins:
 *   1. an explicit folder (option `dir`, else the environment variable RACKBOOT_BOOTLOADERS);
 *   2. the packaged app's resources (process.resourcesPath/bootloaders, when Electron set resourcesPath);
 *   3. the repository's build/bootloaders (a source checkout after `npm run bootloaders`);
 *   4. the Debian system paths of the installed packages.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Bootloader {
  /** The name clients ask for over TFTP/HTTP (and the file name in a collected folder). */
  name: string;
  /** Files of the installed Debian package, first existing wins (lookup step 4). */
  sources: string[];
  /** The Debian package that provides it (for the "missing" message). */
  debianPackage: string;
}

const SYSLINUX_BIOS = '/usr/lib/syslinux/modules/bios';

export const BOOTLOADERS: readonly Bootloader[] = [
  { name: 'undionly.kpxe', sources: ['/usr/lib/ipxe/undionly.kpxe'], debianPackage: 'ipxe' },
  { name: 'ipxe.efi', sources: ['/usr/lib/ipxe/ipxe.efi'], debianPackage: 'ipxe' },
  { name: 'snponly.efi', sources: ['/usr/lib/ipxe/snponly.efi'], debianPackage: 'ipxe' },
  { name: 'pxelinux.0', sources: ['/usr/lib/PXELINUX/pxelinux.0'], debianPackage: 'pxelinux' },
  { name: 'lpxelinux.0', sources: ['/usr/lib/PXELINUX/lpxelinux.0'], debianPackage: 'pxelinux' },
  // ldlinux.c32 runs a plain PROMPT/TIMEOUT/LABEL config; menu.c32 needs libutil.c32 and libcom32.c32.
  { name: 'ldlinux.c32', sources: [`${SYSLINUX_BIOS}/ldlinux.c32`], debianPackage: 'syslinux-common' },
  { name: 'menu.c32', sources: [`${SYSLINUX_BIOS}/menu.c32`], debianPackage: 'syslinux-common' },
  { name: 'libutil.c32', sources: [`${SYSLINUX_BIOS}/libutil.c32`], debianPackage: 'syslinux-common' },
  { name: 'libcom32.c32', sources: [`${SYSLINUX_BIOS}/libcom32.c32`], debianPackage: 'syslinux-common' },
  { name: 'shimx64.efi', sources: ['/usr/lib/shim/shimx64.efi.signed'], debianPackage: 'shim-signed' },
  { name: 'mmx64.efi', sources: ['/usr/lib/shim/mmx64.efi.signed'], debianPackage: 'shim-helpers-amd64-signed' },
  { name: 'grubx64.efi', sources: ['/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed'], debianPackage: 'grub-efi-amd64-signed' },
];

export interface BootloaderInventory {
  /** Served name -> file on disk. */
  files: Map<string, string>;
  /** Names with no file, with the package to install. */
  missing: { name: string; debianPackage: string }[];
}

export interface BootloaderSearch {
  /** Step 1: a folder holding the collected files under their served names (default: $RACKBOOT_BOOTLOADERS). */
  dir?: string;
  /** Environment to read RACKBOOT_BOOTLOADERS from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Step 2: Electron's resources folder (default process.resourcesPath, undefined outside Electron). */
  resourcesPath?: string;
  /** Step 3: the repository's collected folder (default <repo>/build/bootloaders); null skips it. */
  repoDir?: string | null;
  /** Step 4 on or off (default on). */
  systemPaths?: boolean;
}

/** <repo>/build/bootloaders, from this file (tsx, vitest) or the CommonJS bundle in build/out/main. */
export function repoBootloaderDir(): string | null {
  const here: string | undefined =
    (import.meta as { dirname?: string }).dirname ?? (typeof __dirname === 'string' ? join(__dirname, '..', '..', '..', 'electron', 'core', 'boot') : undefined);
  return here ? resolve(here, '..', '..', '..', 'build', 'bootloaders') : null;
}

/** The folders searched before the system paths, in order, without duplicates. */
export function bootloaderDirs(search: BootloaderSearch = {}): string[] {
  const env = search.env ?? process.env;
  const explicit = search.dir ?? (env.RACKBOOT_BOOTLOADERS || undefined);
  const resources = 'resourcesPath' in search ? search.resourcesPath : (process as { resourcesPath?: string }).resourcesPath;
  const repo = search.repoDir === undefined ? repoBootloaderDir() : search.repoDir;
  const dirs = [explicit, resources ? join(resources, 'bootloaders') : undefined, repo ?? undefined].filter((d): d is string => !!d);
  return [...new Set(dirs.map((d) => resolve(d)))];
}

export function findBootloaders(list: readonly Bootloader[] = BOOTLOADERS, exists: (p: string) => boolean = existsSync, search: BootloaderSearch = {}): BootloaderInventory {
  const dirs = bootloaderDirs(search);
  const files = new Map<string, string>();
  const missing: BootloaderInventory['missing'] = [];
  for (const b of list) {
    const candidates = [...dirs.map((d) => join(d, b.name)), ...(search.systemPaths === false ? [] : b.sources)];
    const found = candidates.find(exists);
    if (found) files.set(b.name, found);
    else missing.push({ name: b.name, debianPackage: b.debianPackage });
  }
  return { files, missing };
}
