import { describe, expect, it } from 'vitest';
import { detectDistro, majorOf, READ_CAP } from './detect.ts';
import * as fx from './fixtures.ts';
import { canNetboot, type DistroInfo } from './model.ts';
import { memorySource, type MemoryFile } from './source.ts';

const detect = (f: fx.IsoFixture, wimboot = false) => detectDistro(memorySource(f.label, f.files), { wimboot });
const withFiles = (f: fx.IsoFixture, files: Record<string, MemoryFile>, drop: string[] = []): fx.IsoFixture => {
  const copy = { ...f.files, ...files };
  for (const d of drop) delete copy[d];
  return { label: f.label, files: copy };
};

interface Row {
  family: DistroInfo['family'];
  distro: DistroInfo['distro'];
  name: string;
  version: string | null;
  major: number | null;
  arch: DistroInfo['arch'];
  kind?: string;
  kernel?: string;
  initrd?: string;
  stage2?: string | null;
  reason?: RegExp;
}

const rocky94 = fx.rhelTree({ name: 'Rocky Linux', short: 'Rocky', version: '9.4', label: 'Rocky-9-4-x86_64-dvd', repo: 'variants' });
const anaconda = (stage2 = 'images/install.img') => ({ kind: 'anaconda', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', stage2 });

const TABLE: Array<[string, fx.IsoFixture, Row]> = [
  ['Rocky 9.4 DVD', rocky94, { family: 'rhel', distro: 'rocky', name: 'Rocky Linux 9.4', version: '9.4', major: 9, arch: 'x86_64', ...anaconda() }],
  ['Rocky 8.10 aarch64 DVD', fx.rhelTree({ name: 'Rocky Linux', short: 'Rocky', version: '8.10', arch: 'aarch64', label: 'Rocky-8-10-aarch64-dvd', repo: 'variants' }), { family: 'rhel', distro: 'rocky', name: 'Rocky Linux 8.10', version: '8.10', major: 8, arch: 'aarch64', ...anaconda() }],
  ['RHEL 9.4 DVD', fx.rhelTree({ name: 'Red Hat Enterprise Linux', short: 'RHEL', version: '9.4', label: 'RHEL-9-4-0-BaseOS-x86_64', repo: 'variants' }), { family: 'rhel', distro: 'rhel', name: 'Red Hat Enterprise Linux 9.4', version: '9.4', major: 9, arch: 'x86_64', ...anaconda() }],
  ['RHEL 10.0 DVD (no isolinux)', fx.rhelTree({ name: 'Red Hat Enterprise Linux', short: 'RHEL', version: '10.0', label: 'RHEL-10-0-BaseOS-x86_64', repo: 'variants', isolinux: false }), { family: 'rhel', distro: 'rhel', name: 'Red Hat Enterprise Linux 10.0', version: '10.0', major: 10, arch: 'x86_64', ...anaconda() }],
  ['RHEL 8.10 boot.iso', fx.rhelTree({ name: 'Red Hat Enterprise Linux', short: 'RHEL', version: '8.10', label: 'RHEL-8-10-0-BaseOS-x86_64', repo: 'none' }), { family: 'rhel', distro: 'rhel', name: 'Red Hat Enterprise Linux 8.10', version: '8.10', major: 8, arch: 'x86_64', ...anaconda() }],
  ['CentOS 7.9 DVD', fx.centos7, { family: 'rhel', distro: 'centos', name: 'CentOS Linux 7.9', version: '7.9', major: 7, arch: 'x86_64', ...anaconda('LiveOS/squashfs.img') }],
  ['CentOS Stream 8 DVD', fx.rhelTree({ name: 'CentOS Stream', short: 'CentOS-Stream', version: '8', label: 'CentOS-Stream-8-x86_64-dvd', repo: 'variants' }), { family: 'rhel', distro: 'centos-stream', name: 'CentOS Stream 8', version: '8', major: 8, arch: 'x86_64', ...anaconda() }],
  ['CentOS Stream 9 DVD', fx.rhelTree({ name: 'CentOS Stream', short: 'CentOS-Stream', version: '9', label: 'CentOS-Stream-9-BaseOS-x86_64', repo: 'variants' }), { family: 'rhel', distro: 'centos-stream', name: 'CentOS Stream 9', version: '9', major: 9, arch: 'x86_64', ...anaconda() }],
  ['CentOS Stream 10 DVD', fx.rhelTree({ name: 'CentOS Stream', short: 'CentOS-Stream', version: '10', label: 'CentOS-Stream-10-BaseOS-x86_64', repo: 'variants', isolinux: false }), { family: 'rhel', distro: 'centos-stream', name: 'CentOS Stream 10', version: '10', major: 10, arch: 'x86_64', ...anaconda() }],
  ['AlmaLinux 9.4 DVD', fx.rhelTree({ name: 'AlmaLinux', short: 'AlmaLinux', version: '9.4', label: 'AlmaLinux-9-4-x86_64-dvd', repo: 'variants' }), { family: 'rhel', distro: 'alma', name: 'AlmaLinux 9.4', version: '9.4', major: 9, arch: 'x86_64', ...anaconda() }],
  ['AlmaLinux 8.10 DVD', fx.rhelTree({ name: 'AlmaLinux', short: 'AlmaLinux', version: '8.10', label: 'AlmaLinux-8-10-x86_64-dvd', repo: 'variants' }), { family: 'rhel', distro: 'alma', name: 'AlmaLinux 8.10', version: '8.10', major: 8, arch: 'x86_64', ...anaconda() }],
  ['Oracle Linux 9.4 DVD', fx.rhelTree({ name: 'Oracle Linux', short: 'OL', version: '9.4', label: 'OL-9-4-0-BaseOS-x86_64', repo: 'variants' }), { family: 'rhel', distro: 'oracle', name: 'Oracle Linux 9.4', version: '9.4', major: 9, arch: 'x86_64', ...anaconda() }],
  ['Oracle Linux 8.9 DVD', fx.rhelTree({ name: 'Oracle Linux', short: 'OL', version: '8.9', label: 'OL-8-9-0-BaseOS-x86_64', repo: 'variants' }), { family: 'rhel', distro: 'oracle', name: 'Oracle Linux 8.9', version: '8.9', major: 8, arch: 'x86_64', ...anaconda() }],
  // Anolis treeinfo names unverified; Anolis 8 = RHEL 8 layout (boot-chains.md §4.2), Anolis 23 assumed alike.
  ['Anolis 8.8 DVD', fx.rhelTree({ name: 'Anolis OS', short: 'Anolis', version: '8.8', label: 'AnolisOS-8-8-x86_64-dvd', repo: 'variants' }), { family: 'rhel', distro: 'anolis', name: 'Anolis OS 8.8', version: '8.8', major: 8, arch: 'x86_64', ...anaconda() }],
  ['Anolis 23 DVD', fx.rhelTree({ name: 'Anolis OS', short: 'Anolis', version: '23', label: 'AnolisOS-23-x86_64-dvd', repo: 'variants' }), { family: 'rhel', distro: 'anolis', name: 'Anolis OS 23', version: '23', major: 23, arch: 'x86_64', ...anaconda() }],
  ['Fedora 40 Server DVD', fx.rhelTree({ name: 'Fedora', short: 'Fedora', version: '40', label: 'Fedora-S-dvd-x86_64-40', repo: 'flat', variants: ['Server'] }), { family: 'rhel', distro: 'fedora', name: 'Fedora 40', version: '40', major: 40, arch: 'x86_64', ...anaconda() }],
  ['openEuler 20.03 LTS SP4', fx.openEuler2003, { family: 'rhel', distro: 'openeuler', name: 'openEuler 20.03-LTS-SP4', version: '20.03-LTS-SP4', major: 20, arch: 'x86_64', ...anaconda() }],
  ['openEuler 22.03 LTS SP3 aarch64', fx.openEuler2203Arm, { family: 'rhel', distro: 'openeuler', name: 'openEuler 22.03-LTS-SP3', version: '22.03-LTS-SP3', major: 22, arch: 'aarch64', ...anaconda() }],
  ['openEuler 24.03 LTS', fx.openEuler2403, { family: 'rhel', distro: 'openeuler', name: 'openEuler 24.03-LTS', version: '24.03-LTS', major: 24, arch: 'x86_64', ...anaconda() }],
  ['Kylin Server V10 SP3', fx.kylinV10, { family: 'rhel', distro: 'kylin', name: 'Kylin Linux Advanced Server V10', version: 'V10', major: 10, arch: 'x86_64', ...anaconda() }],
  ['UOS Server 20', fx.uos20, { family: 'rhel', distro: 'uos', name: 'UnionTech OS Server 20', version: '20', major: 20, arch: 'x86_64', ...anaconda() }],
  ['Fedora Workstation Live', fx.fedoraLive, { family: 'rhel', distro: 'fedora', name: 'Fedora 40', version: '40', major: 40, arch: 'x86_64', reason: /live image, not an installer tree/ }],

  ['Ubuntu 20.04 live-server', fx.ubuntu2004Server, { family: 'ubuntu', distro: 'ubuntu', name: 'Ubuntu Server 20.04.6 LTS', version: '20.04.6', major: 20, arch: 'x86_64', kind: 'casper', kernel: 'casper/vmlinuz', initrd: 'casper/initrd', stage2: null }],
  ['Ubuntu 22.04 live-server', fx.ubuntu2204Server, { family: 'ubuntu', distro: 'ubuntu', name: 'Ubuntu Server 22.04.4 LTS', version: '22.04.4', major: 22, arch: 'x86_64', kind: 'casper', kernel: 'casper/vmlinuz', initrd: 'casper/initrd', stage2: null }],
  ['Ubuntu 24.04 live-server', fx.ubuntu2404Server, { family: 'ubuntu', distro: 'ubuntu', name: 'Ubuntu Server 24.04.1 LTS', version: '24.04.1', major: 24, arch: 'x86_64', kind: 'casper', kernel: 'casper/vmlinuz', initrd: 'casper/initrd', stage2: null }],
  ['Ubuntu 24.04 live-server arm64', fx.ubuntu2404ServerArm, { family: 'ubuntu', distro: 'ubuntu', name: 'Ubuntu Server 24.04.1 LTS', version: '24.04.1', major: 24, arch: 'aarch64', kind: 'casper', kernel: 'casper/vmlinuz', initrd: 'casper/initrd', stage2: null }],
  ['Ubuntu 22.04 desktop', fx.ubuntu2204Desktop, { family: 'ubuntu', distro: 'ubuntu', name: 'Ubuntu 22.04.4 LTS', version: '22.04.4', major: 22, arch: 'x86_64', reason: /Ubiquity\) has no unattended install; use the live-server ISO/ }],
  ['Ubuntu 24.04 desktop', fx.ubuntu2404Desktop, { family: 'ubuntu', distro: 'ubuntu', name: 'Ubuntu 24.04.1 LTS', version: '24.04.1', major: 24, arch: 'x86_64', kind: 'casper', kernel: 'casper/vmlinuz', initrd: 'casper/initrd', stage2: null }],

  ['Debian 11 netinst', fx.debian11, { family: 'debian', distro: 'debian', name: 'Debian 11.9.0 (bullseye) NETINST', version: '11.9.0', major: 11, arch: 'x86_64', kind: 'd-i-cdrom', kernel: 'install.amd/vmlinuz', initrd: 'install.amd/initrd.gz', stage2: null }],
  ['Debian 12 netinst', fx.debian12, { family: 'debian', distro: 'debian', name: 'Debian 12.5.0 (bookworm) NETINST', version: '12.5.0', major: 12, arch: 'x86_64', kind: 'd-i-cdrom', kernel: 'install.amd/vmlinuz', initrd: 'install.amd/initrd.gz', stage2: null }],
  ['Debian 12 arm64 netinst', fx.debian12Arm, { family: 'debian', distro: 'debian', name: 'Debian 12.5.0 (bookworm) NETINST', version: '12.5.0', major: 12, arch: 'aarch64', kind: 'd-i-cdrom', kernel: 'install.a64/vmlinuz', initrd: 'install.a64/initrd.gz', stage2: null }],
  ['Debian 12 i386 netinst', fx.debian12i386, { family: 'debian', distro: 'debian', name: 'Debian 12.5.0 (bookworm) NETINST', version: '12.5.0', major: 12, arch: 'i386', kind: 'd-i-cdrom', kernel: 'install.386/vmlinuz', initrd: 'install.386/initrd.gz', stage2: null }],
  ['Debian 13 DVD', fx.debian13Dvd, { family: 'debian', distro: 'debian', name: 'Debian 13.0.0 (trixie) DVD', version: '13.0.0', major: 13, arch: 'x86_64', kind: 'd-i-cdrom', kernel: 'install.amd/vmlinuz', initrd: 'install.amd/initrd.gz', stage2: null }],

  ['Windows 11 24H2', fx.windows11, { family: 'windows', distro: 'windows', name: 'Windows 11 24H2 (build 26100)', version: '11', major: 11, arch: 'x86_64', reason: /^Windows: needs iPXE \+ wimboot/ }],
  ['Windows 10 22H2', fx.windows10, { family: 'windows', distro: 'windows', name: 'Windows 10 2004+ (build 19041)', version: '10', major: 10, arch: 'x86_64', reason: /wimboot/ }],
  ['Windows 11 arm64', fx.windows11Arm, { family: 'windows', distro: 'windows', name: 'Windows 11 24H2 (build 26100)', version: '11', major: 11, arch: 'aarch64', reason: /wimboot/ }],
  ['Windows Server 2022', fx.windowsServer2022, { family: 'windows', distro: 'windows', name: 'Windows Server 2022 (build 20348)', version: '2022', major: 2022, arch: 'x86_64', reason: /wimboot/ }],
  ['Windows without idwbinfo.txt and an odd label', fx.windowsNoInfo, { family: 'windows', distro: 'windows', name: 'Windows (version unknown)', version: null, major: null, arch: 'x86_64', reason: /wimboot/ }],

  ['ipxe.iso', fx.ipxeIso, { family: 'unknown', distro: null, name: 'iPXE boot image', version: null, major: null, arch: null, reason: /iPXE boot image, not an installer/ }],
  ['a data ISO', fx.dataIso, { family: 'unknown', distro: null, name: 'BACKUP_2024_03', version: null, major: null, arch: null, reason: /^No installer found/ }],
  ['an Alpine-like live ISO', fx.alpineIso, { family: 'unknown', distro: null, name: 'alpine-std 3.20.0 x86_64', version: null, major: null, arch: 'x86_64', reason: /^Unrecognised installer: its boot menu loads boot\/vmlinuz-lts with boot\/initramfs-lts/ }],
];

describe('detectDistro over synthetic trees', () => {
  it.each(TABLE)('%s', async (_name, fixture, row) => {
    const info = await detect(fixture);
    expect({ family: info.family, distro: info.distro, name: info.name, version: info.version, major: info.major, arch: info.arch }).toEqual({
      family: row.family,
      distro: row.distro,
      name: row.name,
      version: row.version,
      major: row.major,
      arch: row.arch,
    });
    if (row.reason) {
      expect('reason' in info.netboot ? info.netboot.reason : '(netbootable)').toMatch(row.reason);
    } else {
      expect(canNetboot(info)).toBe(true);
      const plan = info.netboot as unknown as Record<string, unknown>;
      expect({ kind: plan.kind, kernel: plan.kernel, initrd: plan.initrd, stage2: plan.stage2, repoRoot: plan.repoRoot }).toEqual({
        kind: row.kind,
        kernel: row.kernel,
        initrd: row.initrd,
        stage2: row.stage2,
        repoRoot: '',
      });
    }
    expect(info.evidence.length).toBeGreaterThan(0);
  });
});

describe('family facts', () => {
  it('Rocky 9.4: variants repository, treeinfo variants, shim + GRUB for both EFI arches, media args dropped', async () => {
    const info = await detect(rocky94);
    if (!canNetboot(info) || info.netboot.kind !== 'anaconda') throw new Error('expected an anaconda plan');
    expect(info.netboot.repo).toBe('variants');
    expect(info.netboot.variants).toEqual(['AppStream', 'BaseOS']);
    expect(info.netboot.treeinfo).toBe('.treeinfo');
    expect(info.netboot.needsLinuxefi).toBe(false);
    // EFI GRUB's default is entry 1, "Test this media & install".
    expect(info.netboot.isoArgs).toEqual(['inst.stage2=hd:LABEL=Rocky-9-4-x86_64-dvd', 'rd.live.check', 'quiet']);
    expect(info.netboot.keepArgs).toEqual(['quiet']);
    expect(info.efi).toEqual([
      { arch: 'x86_64', loader: 'EFI/BOOT/BOOTX64.EFI', grub: 'EFI/BOOT/grubx64.efi', mokManager: 'EFI/BOOT/mmx64.efi' },
      { arch: 'i386', loader: 'EFI/BOOT/BOOTIA32.EFI', grub: 'EFI/BOOT/grubia32.efi', mokManager: 'EFI/BOOT/mmia32.efi' },
    ]);
    expect(info.evidence).toContain('BaseOS/ + AppStream/ repositories');
  });

  it('CentOS 7: flat repository, LiveOS stage2 and linuxefi', async () => {
    const info = await detect(fx.centos7);
    if (!canNetboot(info) || info.netboot.kind !== 'anaconda') throw new Error('expected an anaconda plan');
    expect(info.netboot).toMatchObject({ repo: 'flat', stage2: 'LiveOS/squashfs.img', needsLinuxefi: true, variants: [] });
  });

  it('a boot.iso has no repository and says the kickstart must name one', async () => {
    const info = await detect(fx.rhelTree({ name: 'Red Hat Enterprise Linux', short: 'RHEL', version: '9.4', label: 'RHEL-9-4-0-BaseOS-x86_64', repo: 'none' }));
    if (!canNetboot(info) || info.netboot.kind !== 'anaconda') throw new Error('expected an anaconda plan');
    expect(info.netboot.repo).toBeNull();
    expect(info.netboot.notes.join(' ')).toMatch(/kickstart must name a mirror/);
  });

  it('Ubuntu 22.04 server: layered squashfs, casper uuid, HWE kernel', async () => {
    const info = await detect(fx.ubuntu2204Server);
    if (!canNetboot(info) || info.netboot.kind !== 'casper') throw new Error('expected a casper plan');
    expect(info.netboot).toMatchObject({
      flavour: 'server',
      layered: true,
      layerfsPath: null,
      casperUuid: ['.disk/casper-uuid-generic'],
      altKernels: [{ kernel: 'casper/hwe-vmlinuz', initrd: 'casper/hwe-initrd' }],
      isoArgs: ['---'],
      keepArgs: ['---'],
    });
    expect(info.netboot.squashfs).toContain('ubuntu-server-minimal.ubuntu-server.installer.squashfs');
    expect(info.netboot.notes.join(' ')).toMatch(/whole ISO into RAM/);
  });

  it('Ubuntu 20.04 server: one filesystem.squashfs plus the installer layer', async () => {
    const info = await detect(fx.ubuntu2004Server);
    if (!canNetboot(info) || info.netboot.kind !== 'casper') throw new Error('expected a casper plan');
    expect(info.netboot).toMatchObject({ squashfs: ['filesystem.squashfs', 'installer.squashfs'], layered: true, flavour: 'server' });
  });

  it('Ubuntu 24.04 desktop: flavour desktop with the layerfs-path from its grub.cfg', async () => {
    const info = await detect(fx.ubuntu2404Desktop);
    if (!canNetboot(info) || info.netboot.kind !== 'casper') throw new Error('expected a casper plan');
    expect(info.netboot).toMatchObject({ flavour: 'desktop', layerfsPath: 'minimal.standard.live.squashfs', layered: true });
    expect(info.netboot.notes.join(' ')).toMatch(/unverified/);
  });

  it('Ubuntu without a casper uuid file warns about ignore_uuid', async () => {
    const info = await detect(withFiles(fx.ubuntu2404Server, {}, ['.disk/casper-uuid-generic']));
    if (!canNetboot(info) || info.netboot.kind !== 'casper') throw new Error('expected a casper plan');
    expect(info.netboot.notes.join(' ')).toMatch(/ignore_uuid/);
  });

  it('Debian 12: suite, codename, point release, gtk initrd, mirror and the cdrom-initrd caveat', async () => {
    const info = await detect(fx.debian12);
    if (!canNetboot(info) || info.netboot.kind !== 'd-i-cdrom') throw new Error('expected a d-i plan');
    expect(info.netboot).toMatchObject({
      suite: 'stable',
      codename: 'bookworm',
      releaseVersion: '12.5',
      gtkInitrd: 'install.amd/gtk/initrd.gz',
      mirror: { dists: 'dists', pool: 'pool' },
      isoArgs: ['vga=788', '---', 'quiet'],
    });
    expect(info.netboot.notes[0]).toMatch(/netboot initrd of the same point release \(12\.5\)/);
    expect(info.efi).toEqual([{ arch: 'x86_64', loader: 'EFI/boot/bootx64.efi', grub: 'EFI/boot/grubx64.efi', mokManager: null }]);
  });

  it('Windows with wimboot available gets a wimboot plan', async () => {
    const info = await detect(fx.windows11, true);
    if (!canNetboot(info) || info.netboot.kind !== 'wimboot') throw new Error('expected a wimboot plan');
    expect(info.netboot).toMatchObject({ bootWim: 'sources/boot.wim', installImage: 'sources/install.wim', bootmgr: 'bootmgr', bcd: 'boot/bcd', bootSdi: 'boot/boot.sdi' });
  });

  it('Windows 10 media with install.esd', async () => {
    const info = await detect(fx.windows10, true);
    if (!canNetboot(info) || info.netboot.kind !== 'wimboot') throw new Error('expected a wimboot plan');
    expect(info.netboot.installImage).toBe('sources/install.esd');
  });

  it('Windows without boot.wim says so', async () => {
    const info = await detect(withFiles(fx.windows11, {}, ['sources/boot.wim']), true);
    expect(info.netboot).toEqual({ reason: 'Windows media without sources/boot.wim: nothing for wimboot to load' });
  });

  it('lookups ignore case and ;1 suffixes', async () => {
    const upper: Record<string, MemoryFile> = {};
    for (const [k, v] of Object.entries(rocky94.files)) upper[`${k.toUpperCase()};1`] = v;
    const info = await detect({ label: rocky94.label, files: upper });
    expect(info.distro).toBe('rocky');
    if (!canNetboot(info) || info.netboot.kind !== 'anaconda') throw new Error('expected an anaconda plan');
    expect(info.netboot.kernel).toBe('IMAGES/PXEBOOT/VMLINUZ;1');
  });
});

describe('odd and hostile trees', () => {
  const truncated = '[header]\ntype = productmd.treeinfo\nversion = 1.2\n\n[release]\nname = Rocky Li';

  it('a truncated .treeinfo still finds the kernel from images/pxeboot and the version from the label', async () => {
    const info = await detect(withFiles(rocky94, { '.treeinfo': truncated, '.discinfo': '' }));
    expect({ distro: info.distro, version: info.version }).toEqual({ distro: 'rocky', version: '9.4' });
    expect(canNetboot(info)).toBe(true);
  });

  it('a truncated .treeinfo on a tree without kernels says no kernel found', async () => {
    const files: Record<string, MemoryFile> = { '.treeinfo': truncated, 'images/install.img': 1000 };
    const info = await detect({ label: 'Rocky-9-4-x86_64-dvd', files });
    expect(info.netboot).toEqual({ reason: 'Rocky Linux: no kernel found (no [images-*] kernel/initrd, no images/pxeboot/vmlinuz, no usable boot menu entry)' });
  });

  it('a kernel but no runtime image says anaconda cannot start', async () => {
    const info = await detect(withFiles(rocky94, {}, ['images/install.img']));
    expect('reason' in info.netboot && info.netboot.reason).toMatch(/no installer runtime image/);
    expect(info.warnings).toContain('[stage2] mainimage images/install.img is not on the ISO');
  });

  it('a huge .treeinfo is read up to the cap only', async () => {
    const padding = `; ${'x'.repeat(1000)}\n`.repeat(300);
    const info = await detect(withFiles(rocky94, { '.treeinfo': padding + fx.productmdTreeinfo({ name: 'Evil', short: 'E', version: '1' }) }));
    expect(info.warnings.some((w) => w.startsWith('.treeinfo is ') && w.endsWith(`only the first ${READ_CAP} were read`))).toBe(true);
    // The sections past the cap are never seen: the distro comes from .discinfo instead.
    expect(info.distro).toBe('rocky');
  });

  it('a binary .treeinfo is ignored with a warning, detection falls back to the layout', async () => {
    const garbage = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);
    const info = await detect(withFiles(rocky94, { '.treeinfo': garbage }));
    expect(info.warnings).toContain('.treeinfo is not text (binary content ignored)');
    expect(info.evidence).toContain('.treeinfo present but unreadable');
    expect(info.distro).toBe('rocky');
    expect(canNetboot(info)).toBe(true);
  });

  it('garbage .disk/info on a Debian tree still detects from install.amd and Release', async () => {
    const info = await detect(withFiles(fx.debian12, { '.disk/info': 'zzz' }));
    expect({ family: info.family, version: info.version, arch: info.arch }).toEqual({ family: 'debian', version: '12.5', arch: 'x86_64' });
    expect(info.warnings.join(' ')).toMatch(/\.disk\/info is not/);
  });

  it('a grub.cfg with thousands of entries is bounded', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `menuentry "e${i}" {\n linux /boot/vmlinuz-lts\n initrd /boot/initramfs-lts\n}`).join('\n');
    const info = await detect(withFiles(fx.alpineIso, { 'boot/grub/grub.cfg': many }));
    expect(info.bootMenu.length).toBeLessThanOrEqual(200);
  });

  it('isolinux include loops stop', async () => {
    const info = await detect({ label: 'LOOP', files: { 'isolinux/isolinux.cfg': 'include a.cfg\n', 'isolinux/a.cfg': 'include isolinux.cfg\ninclude a.cfg\n' } });
    expect(info.netboot).toMatchObject({ reason: expect.stringMatching(/^No installer found/) });
  });

  it('a Debian live ISO is refused with a reason', async () => {
    const info = await detect({
      label: 'd-live 12.5.0 gn amd64',
      files: { '.disk/info': 'Debian GNU/Linux 12.5.0 "Bookworm" - Official Live amd64 20240210', 'live/vmlinuz': 8_000_000, 'live/initrd.img': 40_000_000, 'live/filesystem.squashfs': 2_000_000_000 },
    });
    expect(info.family).toBe('debian');
    expect('reason' in info.netboot && info.netboot.reason).toMatch(/Debian live ISO/);
  });

  it('a legacy Ubuntu d-i server ISO is refused with a reason', async () => {
    const info = await detect({
      label: 'Ubuntu-Server 18.04.6 LTS amd64',
      files: { '.disk/info': 'Ubuntu-Server 18.04.6 LTS "Bionic Beaver" - Release amd64 (20210915)', 'install/vmlinuz': 8_000_000, 'install/initrd.gz': 30_000_000, 'dists/bionic/Release': 'Suite: bionic\nCodename: bionic\n' },
    });
    expect(info.family).toBe('ubuntu');
    expect('reason' in info.netboot && info.netboot.reason).toMatch(/legacy debian-installer ISO/);
  });

  it('an empty tree is unknown', async () => {
    const info = await detect({ label: '', files: {} });
    expect({ family: info.family, name: info.name, efi: info.efi, bootMenu: info.bootMenu }).toEqual({ family: 'unknown', name: 'Unknown ISO', efi: [], bootMenu: [] });
  });

  it('reads at most the cap from any file and never reads big images', async () => {
    const asked: Array<[string, number]> = [];
    const src = memorySource(fx.ubuntu2204Server.label, fx.ubuntu2204Server.files);
    const spy = { ...src, read: (p: string, max: number) => (asked.push([p, max]), src.read(p, max)) };
    await detectDistro(spy);
    expect(asked.every(([, max]) => max <= READ_CAP)).toBe(true);
    expect(asked.some(([p]) => /squashfs|vmlinuz|initrd/.test(p))).toBe(false);
  });
});

describe('majorOf', () => {
  it.each([
    ['9.4', 9],
    ['V10', 10],
    ['22.03-LTS-SP3', 22],
    ['2022', 2022],
    ['', null],
    ['beta', null],
  ])('%s -> %s', (v, m) => expect(majorOf(v)).toBe(m));
});
