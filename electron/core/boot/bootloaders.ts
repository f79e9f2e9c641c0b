/**
 * Where the bootloaders rackboot hands out come from: Debian's packages (ipxe, pxelinux, syslinux-common,
 * shim-signed, grub-efi-amd64-signed). Served under fixed names; a missing package is reported by name.
 */
import { existsSync } from 'node:fs';

export interface Bootloader {
  /** The name clients ask for over TFTP/HTTP. */
  name: string;
  /** Candidate files, first existing wins. */
  sources: string[];
  /** The Debian package that provides it (for the "missing" message). */
  debianPackage: string;
}

export const BOOTLOADERS: readonly Bootloader[] = [
  { name: 'undionly.kpxe', sources: ['/usr/lib/ipxe/undionly.kpxe'], debianPackage: 'ipxe' },
  { name: 'ipxe.efi', sources: ['/usr/lib/ipxe/ipxe.efi'], debianPackage: 'ipxe' },
  { name: 'snponly.efi', sources: ['/usr/lib/ipxe/snponly.efi'], debianPackage: 'ipxe' },
  { name: 'pxelinux.0', sources: ['/usr/lib/PXELINUX/pxelinux.0'], debianPackage: 'pxelinux' },
  { name: 'lpxelinux.0', sources: ['/usr/lib/PXELINUX/lpxelinux.0'], debianPackage: 'pxelinux' },
  { name: 'ldlinux.c32', sources: ['/usr/lib/syslinux/modules/bios/ldlinux.c32'], debianPackage: 'syslinux-common' },
  { name: 'shimx64.efi', sources: ['/usr/lib/shim/shimx64.efi.signed'], debianPackage: 'shim-signed' },
  { name: 'grubx64.efi', sources: ['/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed'], debianPackage: 'grub-efi-amd64-signed' },
];

export interface BootloaderInventory {
  /** Served name -> file on disk. */
  files: Map<string, string>;
  /** Names with no file, with the package to install. */
  missing: { name: string; debianPackage: string }[];
}

export function findBootloaders(list: readonly Bootloader[] = BOOTLOADERS, exists: (p: string) => boolean = existsSync): BootloaderInventory {
  const files = new Map<string, string>();
  const missing: BootloaderInventory['missing'] = [];
  for (const b of list) {
    const found = b.sources.find(exists);
    if (found) files.set(b.name, found);
    else missing.push({ name: b.name, debianPackage: b.debianPackage });
  }
  return { files, missing };
}
