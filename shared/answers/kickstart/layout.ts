/**
 * The firmware-correct custom layout for one machine. A profile serves BIOS and UEFI machines alike, so the
 * partition list is adjusted at render time:
 * - UEFI: an EFI system partition at /boot/efi is required ("For a UEFI installation, you must include an EFI
 *   System Partition on a GPT-formatted disk, mounted at /boot/efi", anaconda `modules/storage/platform.py`,
 *   X86EFI allows only gpt labels); biosboot is dropped: blivet's BIOSBoot format is unsupported on EFI
 *   (`formats/biosboot.py`: `arch.is_x86() and not arch.is_efi()`) and anaconda would stop on it.
 * - BIOS: /boot/efi is dropped (blivet `EFIFS.supported` requires `arch.is_efi()`). A GPT disk needs a 1 MiB
 *   biosboot partition (BIOSBoot max 2 MiB) for GRUB's core image. Whether the disk ends up GPT depends on the
 *   label: `gpt` always; `msdos` never; `auto` is anaconda's choice (blivet < 3.10, RHEL 7-9: msdos unless the
 *   disk is over 2 TiB; blivet 3.10+, RHEL 10: gpt, `formats/disklabel.py` "Always prefer GPT disk labels on
 *   x86_64"), so `auto` gets `reqpart`, whose biosboot request anaconda skips on a non-GPT disk
 *   (`partitioning/automatic/utils.py` "skipping unneeded stage1 biosboot request"; reqpart is in RHEL 7's
 *   handler, `commands.reqpart.RHEL7_ReqPart`).
 */
import type { Partition } from '../profile.ts';

export const EFI_PARTITION_MIB = 600;

export interface FirmwareLayout {
  partitions: Partition[];
  /** Write `reqpart` (BIOS, label `auto`, no biosboot of the technician's). */
  reqpart: boolean;
  /** The partition table to ask for on `clearpart` (null: anaconda's choice). */
  diskLabel: 'gpt' | 'msdos' | null;
  added: ('/boot/efi' | 'biosboot')[];
  dropped: ('/boot/efi' | 'biosboot')[];
}

export function firmwareLayout(partitions: readonly Partition[], firmware: 'bios' | 'uefi', label: 'auto' | 'gpt' | 'msdos'): FirmwareLayout {
  const added: FirmwareLayout['added'] = [];
  const dropped: FirmwareLayout['dropped'] = [];
  let out = [...partitions];
  if (firmware === 'uefi') {
    if (out.some((p) => p.mount === 'biosboot')) dropped.push('biosboot');
    out = out.filter((p) => p.mount !== 'biosboot');
    if (!out.some((p) => p.mount === '/boot/efi')) {
      out.unshift({ mount: '/boot/efi', sizeMiB: EFI_PARTITION_MIB, grow: false });
      added.push('/boot/efi');
    }
    // msdos cannot hold an EFI boot on x86 (X86EFI disklabel types: gpt only).
    return { partitions: out, reqpart: false, diskLabel: label === 'auto' ? null : 'gpt', added, dropped };
  }
  if (out.some((p) => p.mount === '/boot/efi')) dropped.push('/boot/efi');
  out = out.filter((p) => p.mount !== '/boot/efi');
  const hasBiosboot = out.some((p) => p.mount === 'biosboot');
  if (label === 'msdos') {
    if (hasBiosboot) dropped.push('biosboot');
    return { partitions: out.filter((p) => p.mount !== 'biosboot'), reqpart: false, diskLabel: 'msdos', added, dropped };
  }
  if (label === 'gpt' && !hasBiosboot) {
    out.unshift({ mount: 'biosboot', sizeMiB: 1, grow: false });
    added.push('biosboot');
  }
  return { partitions: out, reqpart: label === 'auto' && !hasBiosboot, diskLabel: label === 'gpt' ? 'gpt' : null, added, dropped };
}

/** LV name for a mount point: `/` root, `/var/log` var_log, swap swap (anaconda's naming). */
export function lvName(mount: string): string {
  if (mount === '/') return 'root';
  return mount.replace(/^\//, '').replace(/[^A-Za-z0-9_.+-]/g, '_');
}

/** Partitions that stay plain partitions when the rest go to a volume group. */
export const isBootPartition = (mount: string): boolean => mount === '/boot' || mount === '/boot/efi' || mount === 'biosboot';
