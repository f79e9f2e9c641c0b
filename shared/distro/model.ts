/**
 * What distro detection says about an ISO: family, distribution, version and architecture, and either a
 * netboot plan (which files of the ISO a PXE client needs and what the installer expects) or a plain reason
 * why rackboot cannot netboot it. Paths are relative to the ISO root in the image's own spelling; the HTTP
 * route serving the ISO's files is the repository root (`repoRoot` is '' for every family today).
 */
import type { Arch } from './arch.ts';
import type { MenuEntry } from './bootmenu.ts';

export type Family = 'rhel' | 'ubuntu' | 'debian' | 'windows' | 'unknown';

export type DistroId =
  | 'rhel'
  | 'centos'
  | 'centos-stream'
  | 'rocky'
  | 'alma'
  | 'oracle'
  | 'anolis'
  | 'openeuler'
  | 'kylin'
  | 'uos'
  | 'fedora'
  | 'ubuntu'
  | 'debian'
  | 'windows';

/** A UEFI removable-media loader on the ISO and the GRUB beside it (shim's second stage). */
export interface EfiLoader {
  arch: Arch;
  /** `EFI/BOOT/BOOTX64.EFI`: shim on distros that sign for Secure Boot (not checked here: no PE parsing). */
  loader: string;
  /** `EFI/BOOT/grubx64.efi`, the GRUB shim chains to, or null when the ISO has none in its tree. */
  grub: string | null;
  /** `EFI/BOOT/mmx64.efi` (MokManager), or null. */
  mokManager: string | null;
}

interface LinuxPlan {
  /** Kernel and initrd paths inside the ISO. */
  kernel: string;
  initrd: string;
  /** Where the ISO's files are served from, relative to the ISO's HTTP root: always '' (the ISO root). */
  repoRoot: '';
  /** The ISO's default boot entry arguments as written (media-specific ones included), [] when unknown. */
  isoArgs: string[];
  /** `isoArgs` without media-specific arguments (inst.stage2=hd:LABEL=..., rd.live.check, initrd=...). */
  keepArgs: string[];
  /** Caveats a technician should read before booting this (RAM needs, missing repository...). */
  notes: string[];
}

/** RHEL family: anaconda + dracut, `inst.repo=` at the ISO root (boot-chains.md §4.2). */
export interface AnacondaPlan extends LinuxPlan {
  kind: 'anaconda';
  /** Runtime image: `images/install.img` (RHEL 8+) or `LiveOS/squashfs.img` (RHEL 7). */
  stage2: string;
  /** `variants`: BaseOS/ + AppStream/ repositories (RHEL 8+); `flat`: Packages/ + repodata/ at the root; null: no packages (boot/netinst ISO). */
  repo: 'variants' | 'flat' | null;
  /** Treeinfo variant UIDs (BaseOS, AppStream...), [] without a treeinfo or variants. */
  variants: string[];
  /** `.treeinfo` path, null when the tree has none. */
  treeinfo: string | null;
  /** RHEL/CentOS/Oracle 7 EFI GRUB needs `linuxefi`/`initrdefi` under Secure Boot (boot-chains.md §4.2). */
  needsLinuxefi: boolean;
}

/** Ubuntu casper live ISO with subiquity (server) or the desktop installer: `url=<iso>` netboot (§4.3). */
export interface CasperPlan extends LinuxPlan {
  kind: 'casper';
  stage2: null;
  flavour: 'server' | 'desktop';
  /** `casper/*.squashfs` names, sorted. */
  squashfs: string[];
  /** Layered squashfs (22.04+ server `ubuntu-server-minimal*`, 23.04+ desktop `minimal*`) vs one filesystem.squashfs. */
  layered: boolean;
  /** `layerfs-path=` from the ISO's default entry (23.04+ desktop sets it there), or null. */
  layerfsPath: string | null;
  /** `.disk/casper-uuid*` files: casper's url= boot requires a matching one unless `ignore_uuid`. */
  casperUuid: string[];
  /** Other kernels in casper/ with their initrd (e.g. HWE `hwe-vmlinuz` + `hwe-initrd`). */
  altKernels: Array<{ kernel: string; initrd: string }>;
}

/** Debian netinst/DVD: the ISO's d-i is the cdrom flavour (§4.4). */
export interface DebianCdromPlan extends LinuxPlan {
  kind: 'd-i-cdrom';
  stage2: null;
  /** `stable`, `oldstable`... from dists/<codename>/Release, or null. */
  suite: string | null;
  /** `bookworm`. */
  codename: string | null;
  /** Point release the netboot initrd must match (`12.5`), from Release `Version` or .disk/info. */
  releaseVersion: string | null;
  /** Graphical installer initrd (`install.amd/gtk/initrd.gz`), or null. */
  gtkInitrd: string | null;
  /** The ISO's archive (`dists/` + `pool/`) usable as the installer's mirror. */
  mirror: { dists: string; pool: string } | null;
}

/** Windows setup through iPXE + wimboot (§4.5). */
export interface WimbootPlan {
  kind: 'wimboot';
  repoRoot: '';
  bootWim: string;
  /** `sources/install.wim`, `install.esd` or the first `install.swm`; null if absent. */
  installImage: string | null;
  /** Optional extras older wimboot setups pass (wimboot extracts them from boot.wim otherwise). */
  bootmgr: string | null;
  bcd: string | null;
  bootSdi: string | null;
  notes: string[];
}

export type NetbootPlan = AnacondaPlan | CasperPlan | DebianCdromPlan | WimbootPlan;

export interface NetbootRefusal {
  /** One sentence a technician can act on. */
  reason: string;
}

export interface DistroInfo {
  family: Family;
  distro: DistroId | null;
  /** Human name: "Rocky Linux 9.4", "Ubuntu Server 24.04.1 LTS", "Debian 12.5.0 (bookworm)". */
  name: string;
  version: string | null;
  major: number | null;
  arch: Arch | null;
  netboot: NetbootPlan | NetbootRefusal;
  /** UEFI loaders found in EFI/BOOT (issue 6 uses the distro's own shim + GRUB for Secure Boot). */
  efi: EfiLoader[];
  /** Entries of the ISO's own boot menus (EFI grub.cfg first, then boot/grub, then isolinux). */
  bootMenu: MenuEntry[];
  /** Which markers matched, in the order they were checked. */
  evidence: string[];
  /** Oddities met on the way (oversized or binary metadata files, unreadable sections). */
  warnings: string[];
}

export function canNetboot(info: DistroInfo): info is DistroInfo & { netboot: NetbootPlan } {
  return !('reason' in info.netboot);
}
