/** CPU architecture names as the distros spell them, normalised to one set (RPM-style names). */

export type Arch = 'x86_64' | 'aarch64' | 'i386' | 'armhf' | 'ppc64le' | 's390x' | 'riscv64' | 'loongarch64';

const ALIASES: Record<string, Arch> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  x64: 'x86_64',
  'x86-64': 'x86_64',
  aarch64: 'aarch64',
  arm64: 'aarch64',
  aa64: 'aarch64',
  i386: 'i386',
  i486: 'i386',
  i586: 'i386',
  i686: 'i386',
  x86: 'i386',
  ia32: 'i386',
  armhf: 'armhf',
  armv7hl: 'armhf',
  armv7l: 'armhf',
  ppc64le: 'ppc64le',
  ppc64el: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loongarch64: 'loongarch64',
  loong64: 'loongarch64',
};

/** `amd64` -> `x86_64`, `arm64` -> `aarch64`, `ppc64el` -> `ppc64le`...; null for anything unknown. */
export function normaliseArch(name: string | null | undefined): Arch | null {
  if (!name) return null;
  return ALIASES[name.trim().toLowerCase()] ?? null;
}

/**
 * UEFI removable-media loader names (UEFI 2.x §3.5.1.1 `BOOTx64.EFI`...) and shim's second stage for each
 * (`DEFAULT_LOADER` in shim.h: grubx64.efi, grubaa64.efi, grubia32.efi...). LoongArch names are unverified.
 */
export const EFI_NAMES: ReadonlyArray<{ arch: Arch; loader: string; grub: string; mok: string }> = [
  { arch: 'x86_64', loader: 'bootx64.efi', grub: 'grubx64.efi', mok: 'mmx64.efi' },
  { arch: 'aarch64', loader: 'bootaa64.efi', grub: 'grubaa64.efi', mok: 'mmaa64.efi' },
  { arch: 'i386', loader: 'bootia32.efi', grub: 'grubia32.efi', mok: 'mmia32.efi' },
  { arch: 'armhf', loader: 'bootarm.efi', grub: 'grubarm.efi', mok: 'mmarm.efi' },
  { arch: 'riscv64', loader: 'bootriscv64.efi', grub: 'grubriscv64.efi', mok: 'mmriscv64.efi' },
  { arch: 'loongarch64', loader: 'bootloongarch64.efi', grub: 'grubloongarch64.efi', mok: 'mmloongarch64.efi' },
];
