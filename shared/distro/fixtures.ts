/**
 * Synthetic ISO trees shaped like real installer media, for the detection tests. File lists and metadata
 * follow published media where known (productmd .treeinfo, debian-cd .disk/info, Ubuntu grub.cfg); large
 * files are sizes only. Where a layout is unverified it says so beside the fixture. Not captured images:
 * real-ISO checks belong in test/ with the ISO reader.
 */
import type { MemoryFile } from './source.ts';

export interface IsoFixture {
  label: string;
  files: Record<string, MemoryFile>;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

interface ProductmdOpts {
  name: string;
  short: string;
  version: string;
  arch?: string;
  variants?: string[];
  stage2?: string;
  /** Include the pre-productmd [general] compatibility section (pungi writes it). */
  general?: boolean;
}

/** A productmd 1.2 .treeinfo as pungi/lorax write it (keys sorted, as productmd recommends). */
export function productmdTreeinfo(o: ProductmdOpts): string {
  const arch = o.arch ?? 'x86_64';
  const variants = o.variants ?? ['AppStream', 'BaseOS'];
  const out = [
    '[checksums]',
    'images/efiboot.img = sha256:3d0f2d4c2b8a4a6e7c1e2f0b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
    'images/install.img = sha256:9b1c6a0b2e4f8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d3d0f2d4c2b8a4a',
    'images/pxeboot/initrd.img = sha256:0aa1bb2cc3dd4ee5ff60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6',
    'images/pxeboot/vmlinuz = sha256:c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d3d0f2d4c2b8a4a9b1c6a0b2e4f8d7',
    '',
  ];
  if (o.general !== false) {
    out.push(
      '[general]',
      '; WARNING.0 = This section provides compatibility with pre-productmd treeinfos.',
      '; WARNING.1 = Read productmd documentation for details about new format.',
      `arch = ${arch}`,
      `family = ${o.name}`,
      `name = ${o.name} ${o.version}`,
      `packagedir = ${variants.includes('AppStream') ? 'AppStream/Packages' : 'Packages'}`,
      `platforms = ${arch}${arch === 'x86_64' ? ',xen' : ''}`,
      `repository = ${variants.includes('AppStream') ? 'AppStream' : '.'}`,
      'timestamp = 1714881358',
      `variant = ${variants[0] ?? ''}`,
      `variants = ${variants.join(',')}`,
      `version = ${o.version}`,
      '',
    );
  }
  out.push('[header]', 'type = productmd.treeinfo', 'version = 1.2', '');
  out.push(`[images-${arch}]`, 'efiboot.img = images/efiboot.img', 'initrd = images/pxeboot/initrd.img', 'kernel = images/pxeboot/vmlinuz', '');
  if (arch === 'x86_64') out.push('[images-xen]', 'initrd = images/pxeboot/initrd.img', 'kernel = images/pxeboot/vmlinuz', '');
  out.push('[media]', 'discnum = 1', 'totaldiscs = 1', '');
  out.push('[release]', 'is_layered = False', `name = ${o.name}`, `short = ${o.short}`, `version = ${o.version}`, '');
  out.push('[stage2]', `mainimage = ${o.stage2 ?? 'images/install.img'}`, '');
  out.push('[tree]', `arch = ${arch}`, 'build_timestamp = 1714881358', `platforms = ${arch}${arch === 'x86_64' ? ',xen' : ''}`, `variants = ${variants.join(',')}`, '');
  for (const v of variants) {
    const repo = variants.includes('AppStream') ? v : '.';
    out.push(`[variant-${v}]`, `id = ${v}`, `name = ${v}`, `packages = ${repo === '.' ? 'Packages' : `${v}/Packages`}`, `repository = ${repo}`, 'type = variant', `uid = ${v}`, '');
  }
  return out.join('\n');
}

/** Lorax's x86 grub.cfg shape for RHEL 8/9 media (`linuxefi`, default = "Test this media & install"). */
function loraxGrub(product: string, label: string, loader = 'linuxefi', initrd = 'initrdefi'): string {
  return [
    'set default="1"',
    '',
    'function load_video {',
    '  insmod efi_gop',
    '  insmod efi_uga',
    '}',
    '',
    'load_video',
    'set gfxpayload=keep',
    'insmod gzio',
    'insmod part_gpt',
    'insmod ext2',
    '',
    'set timeout=60',
    '### END /etc/grub.d/00_header ###',
    '',
    `search --no-floppy --set=root -l '${label}'`,
    '',
    '### BEGIN /etc/grub.d/10_linux ###',
    `menuentry 'Install ${product}' --class fedora --class gnu-linux --class gnu --class os {`,
    `\t${loader} /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=${label} quiet`,
    `\t${initrd} /images/pxeboot/initrd.img`,
    '}',
    `menuentry 'Test this media & install ${product}' --class fedora --class gnu-linux --class gnu --class os {`,
    `\t${loader} /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=${label} rd.live.check quiet`,
    `\t${initrd} /images/pxeboot/initrd.img`,
    '}',
    "submenu 'Troubleshooting -->' {",
    `\tmenuentry 'Install ${product} in text mode' --class fedora --class gnu-linux --class gnu --class os {`,
    `\t\t${loader} /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=${label} inst.text quiet`,
    `\t\t${initrd} /images/pxeboot/initrd.img`,
    '\t}',
    `\tmenuentry 'Rescue a ${product} system' --class fedora --class gnu-linux --class gnu --class os {`,
    `\t\t${loader} /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=${label} inst.rescue quiet`,
    `\t\t${initrd} /images/pxeboot/initrd.img`,
    '\t}',
    '}',
  ].join('\n');
}

function loraxIsolinux(product: string, label: string): string {
  return [
    'default vesamenu.c32',
    'timeout 600',
    'display boot.msg',
    'menu title ' + product,
    'label linux',
    `  menu label ^Install ${product}`,
    '  kernel vmlinuz',
    `  append initrd=initrd.img inst.stage2=hd:LABEL=${label} quiet`,
    'label check',
    `  menu label Test this ^media & install ${product}`,
    '  menu default',
    '  kernel vmlinuz',
    `  append initrd=initrd.img inst.stage2=hd:LABEL=${label} rd.live.check quiet`,
  ].join('\n');
}

interface RhelOpts extends ProductmdOpts {
  label: string;
  discinfo?: string;
  /** Repository layout on the ISO. */
  repo: 'variants' | 'flat' | 'none';
  isolinux?: boolean;
}

/** An anaconda DVD/boot ISO of the RHEL 8+ lorax layout. */
export function rhelTree(o: RhelOpts): IsoFixture {
  const arch = o.arch ?? 'x86_64';
  const product = `${o.name} ${o.version}`;
  const files: Record<string, MemoryFile> = {
    '.treeinfo': productmdTreeinfo(o),
    '.discinfo': `1714881358.123456\n${o.discinfo ?? product}\n${arch}\n`,
    'images/install.img': 900 * MiB,
    'images/efiboot.img': 10 * MiB,
    'images/pxeboot/vmlinuz': 13 * MiB,
    'images/pxeboot/initrd.img': 120 * MiB,
    'EFI/BOOT/grub.cfg': loraxGrub(product, o.label, arch === 'x86_64' ? 'linuxefi' : 'linux', arch === 'x86_64' ? 'initrdefi' : 'initrd'),
    'EFI/BOOT/fonts/unicode.pf2': 2 * MiB,
    'RPM-GPG-KEY-redhat-release': '-----BEGIN PGP PUBLIC KEY BLOCK-----\n',
    EULA: 'EULA\n',
  };
  if (arch === 'x86_64') {
    Object.assign(files, {
      'EFI/BOOT/BOOTX64.EFI': 950_000,
      'EFI/BOOT/grubx64.efi': 2_500_000,
      'EFI/BOOT/mmx64.efi': 850_000,
      'EFI/BOOT/BOOTIA32.EFI': 750_000,
      'EFI/BOOT/grubia32.efi': 2_000_000,
      'EFI/BOOT/mmia32.efi': 700_000,
    });
  } else {
    Object.assign(files, { 'EFI/BOOT/BOOTAA64.EFI': 950_000, 'EFI/BOOT/grubaa64.efi': 2_500_000, 'EFI/BOOT/mmaa64.efi': 850_000 });
  }
  if (o.isolinux !== false && arch === 'x86_64') {
    Object.assign(files, {
      'isolinux/isolinux.cfg': loraxIsolinux(product, o.label),
      'isolinux/isolinux.bin': 38_912,
      'isolinux/vmlinuz': 13 * MiB,
      'isolinux/initrd.img': 120 * MiB,
      'isolinux/vesamenu.c32': 27_000,
    });
  }
  if (o.repo === 'variants') {
    Object.assign(files, {
      'BaseOS/repodata/repomd.xml': '<repomd/>',
      'BaseOS/Packages/b/bash-5.1.8-9.el9.x86_64.rpm': 1_800_000,
      'AppStream/repodata/repomd.xml': '<repomd/>',
      'AppStream/Packages/v/vim-enhanced-8.2.2637-20.el9.x86_64.rpm': 1_900_000,
    });
  } else if (o.repo === 'flat') {
    Object.assign(files, { 'repodata/repomd.xml': '<repomd/>', 'Packages/bash-5.1.8-9.x86_64.rpm': 1_800_000 });
  }
  return { label: o.label, files };
}

/** CentOS 7 as verified in third-party probes: pre-productmd [general], LiveOS stage2, Packages/ at root. */
export const centos7: IsoFixture = {
  label: 'CentOS 7 x86_64',
  files: {
    '.treeinfo': [
      '[general]',
      'name = CentOS-7',
      'family = CentOS',
      'timestamp = 1603486596.38',
      'variant = ',
      'version = 7',
      'packagedir = ',
      'arch = x86_64',
      '',
      '[stage2]',
      'mainimage = LiveOS/squashfs.img',
      '',
      '[images-x86_64]',
      'kernel = images/pxeboot/vmlinuz',
      'initrd = images/pxeboot/initrd.img',
      'boot.iso = images/boot.iso',
      '',
      '[images-xen]',
      'kernel = images/pxeboot/vmlinuz',
      'initrd = images/pxeboot/initrd.img',
      '',
      '[checksums]',
      'images/efiboot.img = sha256:2b2bd4fcee5e9c0d5c1d7f46c5d2c3e7fa0b1c1d5e6f7a8b9c0d1e2f3a4b5c6d',
      '',
    ].join('\n'),
    // Second line "7.9" for CentOS 7.9.2009 (unverified; the treeinfo only says "7").
    '.discinfo': '1603486596.378416\n7.9\nx86_64\n1\n',
    'LiveOS/squashfs.img': 500 * MiB,
    'images/pxeboot/vmlinuz': 6_700_000,
    'images/pxeboot/initrd.img': 55 * MiB,
    'images/efiboot.img': 9 * MiB,
    'isolinux/isolinux.cfg': loraxIsolinux('CentOS 7', 'CentOS\\x207\\x20x86_64'),
    'isolinux/vmlinuz': 6_700_000,
    'isolinux/initrd.img': 55 * MiB,
    'EFI/BOOT/BOOTX64.EFI': 1_300_000,
    'EFI/BOOT/grubx64.efi': 1_100_000,
    'EFI/BOOT/mmx64.efi': 1_100_000,
    'EFI/BOOT/grub.cfg': loraxGrub('CentOS 7', 'CentOS\\x207\\x20x86_64'),
    'repodata/repomd.xml': '<repomd/>',
    'Packages/bash-4.2.46-34.el7.x86_64.rpm': 1_000_000,
  },
};

/**
 * Pre-productmd trees of the anaconda-based Chinese distributions. Unverified per release: the
 * [general] keys follow third-party probes (xCAT, cobbler-like tools); stage2 and repository layout follow
 * boot-chains.md §4.1 (images/install.img, Packages/ + repodata/ at the root).
 */
function legacyTree(label: string, family: string, version: string, arch: string, name = `${family}-${version}`): IsoFixture {
  return {
    label,
    files: {
      '.treeinfo': [
        '[general]',
        `name = ${name}`,
        `family = ${family}`,
        'timestamp = 1703059200.12',
        'variant = ',
        `version = ${version}`,
        'packagedir = ',
        `arch = ${arch}`,
        '',
        '[stage2]',
        'mainimage = images/install.img',
        '',
        `[images-${arch}]`,
        'kernel = images/pxeboot/vmlinuz',
        'initrd = images/pxeboot/initrd.img',
        '',
      ].join('\n'),
      '.discinfo': `1703059200.123\n${version}\n${arch}\n`,
      'images/install.img': 700 * MiB,
      'images/pxeboot/vmlinuz': 11 * MiB,
      'images/pxeboot/initrd.img': 90 * MiB,
      'repodata/repomd.xml': '<repomd/>',
      'Packages/bash-5.1.8-6.x.rpm': 1_500_000,
      ...(arch === 'aarch64'
        ? { 'EFI/BOOT/BOOTAA64.EFI': 900_000, 'EFI/BOOT/grubaa64.efi': 2_300_000 }
        : { 'EFI/BOOT/BOOTX64.EFI': 900_000, 'EFI/BOOT/grubx64.efi': 2_300_000, 'isolinux/isolinux.cfg': loraxIsolinux(family, label) }),
    },
  };
}

export const openEuler2003 = legacyTree('openEuler-20.03-LTS-SP4-x86_64', 'openEuler', '20.03-LTS-SP4', 'x86_64');
export const openEuler2203Arm = legacyTree('openEuler-22.03-LTS-SP3-aarch64', 'openEuler', '22.03-LTS-SP3', 'aarch64');
export const openEuler2403 = legacyTree('openEuler-24.03-LTS-x86_64', 'openEuler', '24.03-LTS', 'x86_64');
export const kylinV10 = legacyTree('Kylin-Server-V10-SP3-General-Release-2303-X86_64', 'Kylin Linux Advanced Server', 'V10', 'x86_64', 'Kylin Linux Advanced Server-V10');
export const uos20 = legacyTree('UOS-Server-20-1070e-x86_64', 'UnionTech OS Server', '20', 'x86_64', 'UnionTech OS Server 20');

// --------------------------------------------------------------------------------------------------- Ubuntu

const ubuntuServerGrub = (hwe: boolean) =>
  [
    'set timeout=30',
    '',
    'loadfont unicode',
    '',
    'set menu_color_normal=white/black',
    'set menu_color_highlight=black/light-gray',
    '',
    'menuentry "Try or Install Ubuntu Server" {',
    '\tset gfxpayload=keep',
    '\tlinux\t/casper/vmlinuz  ---',
    '\tinitrd\t/casper/initrd',
    '}',
    ...(hwe ? ['menuentry "Ubuntu Server with the HWE kernel" {', '\tset gfxpayload=keep', '\tlinux\t/casper/hwe-vmlinuz  ---', '\tinitrd\t/casper/hwe-initrd', '}'] : []),
    'grub_platform',
    'if [ "$grub_platform" = "efi" ]; then',
    "menuentry 'Boot from next volume' {",
    '\texit 1',
    '}',
    "menuentry 'UEFI Firmware Settings' {",
    '\tfwsetup',
    '}',
    'else',
    "menuentry 'Test memory' {",
    '\tlinux16 /boot/memtest86+.bin',
    '}',
    'fi',
  ].join('\n');

function ubuntuEfi(arch: 'amd64' | 'arm64'): Record<string, MemoryFile> {
  return arch === 'amd64'
    ? { 'EFI/boot/bootx64.efi': 950_000, 'EFI/boot/grubx64.efi': 2_300_000, 'EFI/boot/mmx64.efi': 850_000 }
    : { 'EFI/boot/bootaa64.efi': 950_000, 'EFI/boot/grubaa64.efi': 2_300_000, 'EFI/boot/mmaa64.efi': 850_000 };
}

/** 20.04 live-server: one filesystem.squashfs plus the installer layer (exact names unverified). */
export const ubuntu2004Server: IsoFixture = {
  label: 'Ubuntu-Server 20.04.6 LTS amd64',
  files: {
    '.disk/info': 'Ubuntu-Server 20.04.6 LTS "Focal Fossa" - Release amd64 (20230316)',
    '.disk/casper-uuid-generic': 'f0c3b1e2-6b4d-4b0e-9a57-1c1b6b6b2d7a\n',
    '.disk/base_installable': '',
    'casper/filesystem.squashfs': 900 * MiB,
    'casper/filesystem.manifest': 'adduser 3.118ubuntu2\n',
    'casper/filesystem.size': '2874564608\n',
    'casper/installer.squashfs': 250 * MiB,
    'casper/vmlinuz': 11 * MiB,
    'casper/initrd': 75 * MiB,
    'boot/grub/grub.cfg': ubuntuServerGrub(false).replace('Try or Install Ubuntu Server', 'Install Ubuntu Server'),
    'isolinux/isolinux.cfg': 'include menu.cfg\ndefault vesamenu.c32\nprompt 0\ntimeout 50\n',
    'isolinux/menu.cfg': 'menu hshift 13\nmenu width 49\ninclude txt.cfg\n',
    'isolinux/txt.cfg': 'default live\nlabel live\n  menu label ^Install Ubuntu Server\n  kernel /casper/vmlinuz\n  append   initrd=/casper/initrd quiet  ---\n',
    'md5sum.txt': 'x\n',
    ...ubuntuEfi('amd64'),
  },
};

function ubuntuLayeredServer(version: string, codename: string, arch: 'amd64' | 'arm64', build: string, hwe: boolean): IsoFixture {
  const layers = ['ubuntu-server-minimal', 'ubuntu-server-minimal.ubuntu-server', 'ubuntu-server-minimal.ubuntu-server.installer', 'ubuntu-server-minimal.ubuntu-server.installer.generic'];
  const files: Record<string, MemoryFile> = {
    '.disk/info': `Ubuntu-Server ${version} LTS "${codename}" - Release ${arch} (${build})`,
    '.disk/casper-uuid-generic': 'a2b0c7d4-94c6-4c0a-8a1e-1f1d3e4f5a6b\n',
    'casper/vmlinuz': 14 * MiB,
    'casper/initrd': 60 * MiB,
    'boot/grub/grub.cfg': ubuntuServerGrub(hwe),
    'pool/main/l/linux/linux-image-generic.deb': 20_000,
    'dists/noble/Release': 'Origin: Ubuntu\nSuite: noble\nCodename: noble\n',
    ...ubuntuEfi(arch),
  };
  for (const l of layers) {
    files[`casper/${l}.squashfs`] = 400 * MiB;
    files[`casper/${l}.manifest`] = 'adduser 3.137ubuntu1\n';
    files[`casper/${l}.size`] = '1234\n';
  }
  if (hwe) Object.assign(files, { 'casper/hwe-vmlinuz': 14 * MiB, 'casper/hwe-initrd': 62 * MiB, 'casper/ubuntu-server-minimal.ubuntu-server.installer.generic-hwe.squashfs': 90 * MiB });
  return { label: `Ubuntu-Server ${version} LTS ${arch}`, files };
}

export const ubuntu2204Server = ubuntuLayeredServer('22.04.4', 'Jammy Jellyfish', 'amd64', '20240220', true);
export const ubuntu2404Server = ubuntuLayeredServer('24.04.1', 'Noble Numbat', 'amd64', '20240827', false);
export const ubuntu2404ServerArm = ubuntuLayeredServer('24.04.1', 'Noble Numbat', 'arm64', '20240821', false);

export const ubuntu2204Desktop: IsoFixture = {
  label: 'Ubuntu 22.04.4 LTS amd64',
  files: {
    '.disk/info': 'Ubuntu 22.04.4 LTS "Jammy Jellyfish" - Release amd64 (20240220)',
    '.disk/casper-uuid-generic': '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b\n',
    'casper/filesystem.squashfs': 3 * GiB,
    'casper/vmlinuz': 14 * MiB,
    'casper/initrd': 110 * MiB,
    'boot/grub/grub.cfg':
      'set timeout=30\nmenuentry "Try or Install Ubuntu" {\n\tset gfxpayload=keep\n\tlinux\t/casper/vmlinuz file=/cdrom/preseed/ubuntu.seed maybe-ubiquity quiet splash ---\n\tinitrd\t/casper/initrd\n}\n',
    'preseed/ubuntu.seed': 'd-i debian-installer/locale string en_US\n',
    ...ubuntuEfi('amd64'),
  },
};

/** 24.04 desktop: layered minimal/standard/live squashfs, the layer named on the grub line (LP discussion, 23.04+). */
export const ubuntu2404Desktop: IsoFixture = {
  label: 'Ubuntu 24.04.1 LTS amd64',
  files: {
    '.disk/info': 'Ubuntu 24.04.1 LTS "Noble Numbat" - Release amd64 (20240827)',
    '.disk/casper-uuid-generic': '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d\n',
    'casper/minimal.squashfs': 2 * GiB,
    'casper/minimal.standard.squashfs': 1 * GiB,
    'casper/minimal.standard.live.squashfs': 600 * MiB,
    'casper/minimal.en.squashfs': 100 * MiB,
    'casper/minimal.standard.en.squashfs': 80 * MiB,
    'casper/vmlinuz': 14 * MiB,
    'casper/initrd': 70 * MiB,
    'boot/grub/grub.cfg':
      'set timeout=30\nmenuentry "Try or Install Ubuntu" {\n\tset gfxpayload=keep\n\tlinux\t/casper/vmlinuz  --- quiet splash\n\tinitrd\t/casper/initrd\n}\n'.replace('vmlinuz  ---', 'vmlinuz layerfs-path=minimal.standard.live.squashfs ---'),
    ...ubuntuEfi('amd64'),
  },
};

// --------------------------------------------------------------------------------------------------- Debian

function debianTree(o: { version: string; codename: string; arch: 'amd64' | 'arm64' | 'i386'; media: string; firmware: boolean; build: string }): IsoFixture {
  const dir = o.arch === 'amd64' ? 'install.amd' : o.arch === 'arm64' ? 'install.a64' : 'install.386';
  const suite = o.codename.toLowerCase();
  const point = o.version.replace(/\.0$/, '');
  const major = o.version.split('.')[0];
  const files: Record<string, MemoryFile> = {
    '.disk/info': `Debian GNU/Linux ${o.version} "${o.codename}" - Official ${o.arch} ${o.media}${o.firmware ? ' with firmware' : ''} ${o.build}`,
    '.disk/base_installable': '',
    '.disk/cd_type': 'not_complete\n',
    [`dists/${suite}/Release`]: [
      'Origin: Debian',
      'Label: Debian',
      'Suite: stable',
      `Version: ${point}`,
      `Codename: ${suite}`,
      'Date: Sat, 10 Feb 2024 10:28:43 UTC',
      'Acquire-By-Hash: yes',
      `Architectures: ${o.arch}`,
      `Components: main${major === '11' ? '' : ' non-free-firmware'}`,
      `Description: Debian ${point} Released 10 February 2024`,
      'MD5Sum:',
      ' 0ed6d4c8891eb86358b94bb35d9e4da4  1484322 main/binary-all/Packages',
    ].join('\n'),
    [`dists/${suite}/main/binary-${o.arch}/Release`]: `Archive: stable\nVersion: ${point}\nComponent: main\nArchitecture: ${o.arch}\n`,
    'dists/stable': { symlink: suite },
    'pool/main/b/base-files/base-files_12.4_amd64.deb': 70_000,
    [`${dir}/vmlinuz`]: 8 * MiB,
    [`${dir}/initrd.gz`]: 20 * MiB,
    [`${dir}/gtk/initrd.gz`]: 45 * MiB,
    'boot/grub/grub.cfg': [
      'if loadfont $prefix/font.pf2 ; then',
      '  set gfxmode=800x600',
      'fi',
      'insmod play',
      'play 960 440 1 0 4 440 1',
      "menuentry --hotkey=g 'Graphical install' {",
      '    set background_color=black',
      `    linux    /${dir}/vmlinuz vga=788 --- quiet`,
      `    initrd   /${dir}/gtk/initrd.gz`,
      '}',
      "menuentry --hotkey=i 'Install' {",
      '    set background_color=black',
      `    linux    /${dir}/vmlinuz vga=788 --- quiet`,
      `    initrd   /${dir}/initrd.gz`,
      '}',
      "submenu --hotkey=a 'Advanced options ...' {",
      "    menuentry '... Expert install' {",
      `        linux    /${dir}/vmlinuz priority=low vga=788 ---`,
      `        initrd   /${dir}/initrd.gz`,
      '    }',
      '}',
    ].join('\n'),
    'README.txt': 'Debian\n',
  };
  if (o.arch === 'arm64') Object.assign(files, { 'EFI/boot/bootaa64.efi': 950_000, 'EFI/boot/grubaa64.efi': 2_000_000 });
  else if (o.arch === 'amd64') Object.assign(files, { 'EFI/boot/bootx64.efi': 950_000, 'EFI/boot/grubx64.efi': 2_000_000 });
  if (o.arch !== 'arm64') {
    Object.assign(files, {
      'isolinux/isolinux.cfg': 'path \ninclude menu.cfg\ndefault vesamenu.c32\nprompt 0\ntimeout 0\n',
      'isolinux/menu.cfg': 'menu hshift 4\nmenu width 70\nmenu title Debian GNU/Linux installer menu (BIOS mode)\ninclude stdmenu.cfg\ninclude gtk.cfg\ninclude txt.cfg\n',
      'isolinux/stdmenu.cfg': 'menu background splash.png\n',
      'isolinux/gtk.cfg': `default installgui\nlabel installgui\n\tmenu label ^Graphical install\n\tmenu default\n\tkernel /${dir}/vmlinuz\n\tappend vga=788 initrd=/${dir}/gtk/initrd.gz --- quiet \n`,
      'isolinux/txt.cfg': `label install\n\tmenu label ^Install\n\tkernel /${dir}/vmlinuz\n\tappend vga=788 initrd=/${dir}/initrd.gz --- quiet \n`,
    });
  }
  return { label: `Debian ${o.version} ${o.arch} n`, files };
}

export const debian11 = debianTree({ version: '11.9.0', codename: 'Bullseye', arch: 'amd64', media: 'NETINST', firmware: false, build: '20240210-11:27' });
export const debian12 = debianTree({ version: '12.5.0', codename: 'Bookworm', arch: 'amd64', media: 'NETINST', firmware: true, build: '20240210-11:27' });
export const debian12Arm = debianTree({ version: '12.5.0', codename: 'Bookworm', arch: 'arm64', media: 'NETINST', firmware: true, build: '20240210-11:28' });
export const debian12i386 = debianTree({ version: '12.5.0', codename: 'Bookworm', arch: 'i386', media: 'NETINST', firmware: true, build: '20240210-11:28' });
export const debian13Dvd = debianTree({ version: '13.0.0', codename: 'Trixie', arch: 'amd64', media: 'DVD Binary-1', firmware: true, build: '20250809-11:22' });

// -------------------------------------------------------------------------------------------------- Windows

function windowsTree(label: string, arch: 'amd64' | 'arm64', branch: string | null, install: 'wim' | 'esd'): IsoFixture {
  const files: Record<string, MemoryFile> = {
    bootmgr: 400_000,
    'bootmgr.efi': 2_700_000,
    'autorun.inf': '[AutoRun.Amd64]\r\nopen=setup.exe\r\n',
    'setup.exe': 100_000,
    'boot/bcd': 262_144,
    'boot/boot.sdi': 3_170_304,
    'boot/bootfix.bin': 1_024,
    'efi/microsoft/boot/bcd': 262_144,
    'sources/boot.wim': 700 * MiB,
    [`sources/install.${install}`]: 5 * GiB,
    'sources/lang.ini': '[Available UI Languages]\r\nen-US = 3\r\n\r\n[Fallback Languages]\r\nen-US = en-us\r\n',
    'sources/setup.exe': 300_000,
  };
  if (branch !== null) files['sources/idwbinfo.txt'] = `[BUILDINFO]\r\nBuildArch=${arch}\r\nBuildBranch=${branch}\r\nBuildType=fre\r\nBuildTimeStamp=2024-03-30\r\n`;
  if (arch === 'amd64') files['efi/boot/bootx64.efi'] = 2_700_000;
  else files['efi/boot/bootaa64.efi'] = 2_900_000;
  return { label, files };
}

export const windows11 = windowsTree('CCCOMA_X64FRE_EN-US_DV9', 'amd64', 'ge_release', 'wim');
export const windows10 = windowsTree('CCCOMA_X64FRE_EN-US_DV9', 'amd64', 'vb_release', 'esd');
export const windows11Arm = windowsTree('CCCOMA_A64FRE_EN-US_DV9', 'arm64', 'ge_release', 'wim');
export const windowsServer2022 = windowsTree('SSS_X64FREE_EN-US_DV9', 'amd64', 'fe_release', 'wim');
export const windowsNoInfo = windowsTree('WIN_CUSTOM', 'amd64', null, 'wim');

// -------------------------------------------------------------------------------------------------- oddities

/** iPXE's own ISO: file list, sizes, label and isolinux.cfg as in Debian's ipxe package (/usr/lib/ipxe/ipxe.iso, 2021 build). */
export const ipxeIso: IsoFixture = {
  label: 'ISOIMAGE',
  files: {
    'BOOT.CAT;1': 2048,
    'EFI.IMG;1': 884_736,
    'IPXE.KRN;1': 306_521,
    'ISOLINUX.BIN;1': 38_912,
    'ISOLINUX.CFG;1': '# These default options can be changed in the geniso script\nSAY iPXE ISO boot image\nTIMEOUT 0\nDEFAULT ipxe.lkrn\nLABEL ipxe.lkrn\n KERNEL ipxe.krn\n',
    'LDLINUX.C32;1': 119_524,
  },
};

export const dataIso: IsoFixture = {
  label: 'BACKUP_2024_03',
  files: { 'docs/readme.txt': 'Quarterly backup\n', 'photos/img_0001.jpg': 3 * MiB, 'photos/img_0002.jpg': 3 * MiB },
};

/** A live Linux that boots from its own menu but is no installer rackboot knows (Alpine-like). */
export const alpineIso: IsoFixture = {
  label: 'alpine-std 3.20.0 x86_64',
  files: {
    'boot/vmlinuz-lts': 9 * MiB,
    'boot/initramfs-lts': 12 * MiB,
    'boot/modloop-lts': 100 * MiB,
    'boot/grub/grub.cfg': 'set timeout=1\nmenuentry "Linux lts" {\nlinux\t/boot/vmlinuz-lts modules=loop,squashfs,sd-mod,usb-storage quiet \ninitrd\t/boot/initramfs-lts\n}\n',
    'EFI/BOOT/BOOTX64.EFI': 400_000,
    'apks/x86_64/APKINDEX.tar.gz': 50_000,
  },
};

/** Fedora Workstation Live: LiveOS, no .treeinfo, no repository. */
export const fedoraLive: IsoFixture = {
  label: 'Fedora-WS-Live-40-1-14',
  files: {
    'images/pxeboot/vmlinuz': 14 * MiB,
    'images/pxeboot/initrd.img': 110 * MiB,
    'LiveOS/squashfs.img': 2 * GiB,
    'EFI/BOOT/BOOTX64.EFI': 950_000,
    'EFI/BOOT/grubx64.efi': 2_500_000,
    'EFI/BOOT/grub.cfg': "set default=\"0\"\nmenuentry 'Start Fedora-Workstation-Live 40' --class fedora --class gnu-linux --class gnu --class os {\n\tlinux /images/pxeboot/vmlinuz root=live:CDLABEL=Fedora-WS-Live-40-1-14  rd.live.image quiet rhgb\n\tinitrd /images/pxeboot/initrd.img\n}\n",
  },
};
