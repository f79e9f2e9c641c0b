/** decide / bootAction / bootScript, table-driven and named like the rules they check. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDistro } from '../distro/detect.ts';
import * as fx from '../distro/fixtures.ts';
import { memorySource } from '../distro/source.ts';
import { fromHex } from '../protocol/bytes.ts';
import { decode } from '../protocol/dhcp4/codec.ts';
import { classify, type ClientInfo } from './classify.ts';
import { bootAction, bootScript, decide, distroShim, toBootChoice, type BootContext, type BootDecision, type BootIso, type MachineBoot } from './decide.ts';

const iso = async (id: string, f: fx.IsoFixture, wimboot = false): Promise<BootIso> => ({ id, info: await detectDistro(memorySource(f.label, f.files), { wimboot }) });
const ROCKY = await iso('rocky-9.4', fx.rhelTree({ name: 'Rocky Linux', short: 'Rocky', version: '9.4', label: 'Rocky-9-4-x86_64-dvd', repo: 'variants' }));
const ROCKY_ARM = await iso('rocky-8.10-aarch64', fx.rhelTree({ name: 'Rocky Linux', short: 'Rocky', version: '8.10', arch: 'aarch64', label: 'Rocky-8-10-aarch64-dvd', repo: 'variants' }));
const CENTOS7 = await iso('centos-7.9', fx.centos7);
const UBUNTU = await iso('ubuntu-24.04.1', fx.ubuntu2404Server);
const DEBIAN = await iso('debian-12.5.0', fx.debian12);
const WINDOWS = await iso('win11', fx.windows11, true);

const MAC = '52:54:00:ab:cd:ef';
const BASE = 'http://198.18.0.1:8080';

const client = (o: Partial<ClientInfo>): ClientInfo => ({
  mac: MAC, clientKey: `mac:${MAC}`, messageType: 1, arch: 0, archName: 'X86_BIOS', firmware: 'bios', bootClass: 'PXEClient',
  vendorClass: 'PXEClient:Arch:00000:UNDI:002001', userClasses: [], ipxe: false, guid: null, problems: [], ...o,
});
const BIOS = client({});
const BIOS_NO_ARCH = client({ arch: null, archName: null, firmware: 'unknown' });
const UEFI = client({ arch: 7, archName: 'X64_EFI', firmware: 'uefi', vendorClass: 'PXEClient:Arch:00007:UNDI:003016' });
const UEFI9 = client({ arch: 9, archName: 'EBC_EFI', firmware: 'uefi' });
const IPXE = client({ ipxe: true, userClasses: ['iPXE'] });
const HTTP = client({ arch: 16, archName: 'X64_EFI_HTTP', firmware: 'uefi', bootClass: 'HTTPClient', vendorClass: 'HTTPClient:Arch:00016:UNDI:003000' });
const HTTP_ARM = client({ arch: 19, archName: 'ARM64_EFI_HTTP', firmware: 'uefi', bootClass: 'HTTPClient' });
const ARM64 = client({ arch: 11, archName: 'ARM64_EFI', firmware: 'uefi' });
const IA32 = client({ arch: 6, archName: 'IA32_EFI', firmware: 'uefi' });
const DHCLIENT = client({ arch: null, archName: null, firmware: 'unknown', bootClass: null, vendorClass: null });

const machine = (o: Partial<MachineBoot> = {}): MachineBoot => ({
  mac: MAC, known: true, hostname: 'node-1', state: 'armed', iso: ROCKY, chain: 'auto', secureBoot: 'off', extraArgs: [],
  answerUrl: `${BASE}/answers/52-54-00-ab-cd-ef/ks.cfg`, ...o,
});
const ctx = (o: Partial<BootContext> = {}): BootContext => ({
  address: '198.18.0.1', httpPort: 8080, unknown: 'menu', isos: [ROCKY, UBUNTU, DEBIAN, WINDOWS, ROCKY_ARM], menuTimeoutSeconds: 10,
  console: 'ttyS0,115200n8', callbackBase: `${BASE}/api/callback/52-54-00-ab-cd-ef`, ...o,
});

type Want = { bootfile: string; loader: string; reason?: RegExp } | { ignore: RegExp };

const TABLE: Array<[string, ClientInfo, MachineBoot, BootContext, Want]> = [
  // order matters
  ['a running iPXE gets its per-machine script URL, never iPXE again (loop)', IPXE, machine(), ctx(), { bootfile: `${BASE}/boot/52-54-00-ab-cd-ef.ipxe`, loader: 'ipxe-script', reason: /no chainload loop/ }],
  ['a running iPXE gets its script even when Secure Boot is marked on', IPXE, machine({ secureBoot: 'on' }), ctx(), { bootfile: `${BASE}/boot/52-54-00-ab-cd-ef.ipxe`, loader: 'ipxe-script' }],
  ['a plain DHCP client is ignored', DHCLIENT, machine(), ctx(), { ignore: /not a network-boot client/ }],
  ['an unknown machine is ignored when the policy says ignore', BIOS, machine({ known: false, state: 'new', iso: null }), ctx({ unknown: 'ignore' }), { ignore: /unknown machine.*"ignore"/ }],
  ['an unknown iPXE is ignored too when the policy says ignore', IPXE, machine({ known: false, state: 'new', iso: null }), ctx({ unknown: 'ignore' }), { ignore: /unknown machine/ }],
  ['an unknown machine gets iPXE when the policy is menu', BIOS, machine({ known: false, state: 'new', iso: null }), ctx(), { bootfile: 'undionly.kpxe', loader: 'ipxe-bios', reason: /boot menu/ }],
  ['a known machine with nothing planned is answered even under ignore (local disk)', BIOS, machine({ state: 'new', iso: null }), ctx({ unknown: 'ignore' }), { bootfile: 'undionly.kpxe', loader: 'ipxe-bios', reason: /local disk/ }],
  // HTTP boot
  ['x64 UEFI HTTP client gets ipxe.efi as a URL', HTTP, machine(), ctx(), { bootfile: `${BASE}/ipxe.efi`, loader: 'ipxe-http' }],
  ['x64 UEFI HTTP client with Secure Boot installing RHEL gets the ISO\'s shim over HTTP', HTTP, machine({ secureBoot: 'on' }), ctx(), { bootfile: `${BASE}/iso/rocky-9.4/EFI/BOOT/BOOTX64.EFI`, loader: 'distro-shim-grub', reason: /\(http\) prefix.*without a per-MAC search/ }],
  ['x64 UEFI HTTP client with Secure Boot and no distro shim is ignored with TFTP guidance', HTTP, machine({ secureBoot: 'on', state: 'installed' }), ctx(), { ignore: /Debian GRUB cannot read over HTTP.*PXE boot over TFTP/ }],
  ['arm64 UEFI HTTP client is ignored naming the arch', HTTP_ARM, machine(), ctx(), { ignore: /ARM64_EFI_HTTP/ }],
  // BIOS
  ['BIOS PXE gets undionly.kpxe', BIOS, machine(), ctx(), { bootfile: 'undionly.kpxe', loader: 'ipxe-bios', reason: /installing Rocky Linux 9\.4/ }],
  ['a PXE ROM without option 93 is BIOS', BIOS_NO_ARCH, machine(), ctx(), { bootfile: 'undionly.kpxe', loader: 'ipxe-bios', reason: /old BIOS ROM/ }],
  ['BIOS with pxelinux forced gets lpxelinux.0 (HTTP-capable)', BIOS, machine({ chain: 'pxelinux' }), ctx(), { bootfile: 'lpxelinux.0', loader: 'lpxelinux' }],
  ['BIOS with GRUB forced explains and uses iPXE', BIOS, machine({ chain: 'grub' }), ctx(), { bootfile: 'undionly.kpxe', loader: 'ipxe-bios', reason: /GRUB.*only chains on UEFI/ }],
  // x64 UEFI
  ['x64 UEFI with Secure Boot off gets snponly.efi', UEFI, machine(), ctx(), { bootfile: 'snponly.efi', loader: 'ipxe-efi' }],
  ['old x64 firmware sending arch 9 is x64 UEFI', UEFI9, machine(), ctx(), { bootfile: 'snponly.efi', loader: 'ipxe-efi', reason: /arch 9/ }],
  ['x64 UEFI with Secure Boot unknown gets iPXE, and the reason says a refusal switches it to shim + GRUB', UEFI, machine({ secureBoot: 'unknown' }), ctx(), { bootfile: 'snponly.efi', loader: 'ipxe-efi', reason: /refuses it and PXE boots again is marked Secure Boot/ }],
  ['x64 UEFI with Secure Boot beside another DHCP server gets Debian shim + GRUB with the ProxyDHCP warning', UEFI, machine({ secureBoot: 'on', iso: DEBIAN }), ctx({ proxyDhcp: true }), { bootfile: 'shimx64.efi', loader: 'shim-grub', reason: /ProxyDHCP.*next-server/ }],
  ['x64 UEFI with Secure Boot gets the ISO\'s own shim', UEFI, machine({ secureBoot: 'on' }), ctx(), { bootfile: 'iso/rocky-9.4/EFI/BOOT/BOOTX64.EFI', loader: 'distro-shim-grub', reason: /grubx64\.efi from the same directory/ }],
  ['x64 UEFI with GRUB forced (Secure Boot off) gets the ISO\'s own shim too', UEFI, machine({ chain: 'grub' }), ctx(), { bootfile: 'iso/rocky-9.4/EFI/BOOT/BOOTX64.EFI', loader: 'distro-shim-grub', reason: /asks for GRUB/ }],
  ['x64 UEFI with Secure Boot installing CentOS 7 gets CentOS\'s shim', UEFI, machine({ secureBoot: 'on', iso: CENTOS7 }), ctx(), { bootfile: 'iso/centos-7.9/EFI/BOOT/BOOTX64.EFI', loader: 'distro-shim-grub' }],
  ['x64 UEFI with Secure Boot installing Debian gets the bundled Debian shim', UEFI, machine({ secureBoot: 'on', iso: DEBIAN }), ctx(), { bootfile: 'shimx64.efi', loader: 'shim-grub', reason: /grub\/grub\.cfg/ }],
  ['x64 UEFI with Secure Boot installing Ubuntu gets the Debian shim with a warning that the kernel will be refused', UEFI, machine({ secureBoot: 'on', iso: UBUNTU }), ctx(), { bootfile: 'shimx64.efi', loader: 'shim-grub', reason: /WARNING.*will be refused/ }],
  ['x64 UEFI with Secure Boot, installed, gets the Debian shim (GRUB exits to the disk)', UEFI, machine({ secureBoot: 'on', state: 'installed' }), ctx(), { bootfile: 'shimx64.efi', loader: 'shim-grub', reason: /installed/ }],
  ['x64 UEFI with pxelinux forced explains and uses iPXE', UEFI, machine({ chain: 'pxelinux' }), ctx(), { bootfile: 'snponly.efi', loader: 'ipxe-efi', reason: /pxelinux, which is BIOS only/ }],
  ['x64 UEFI with pxelinux forced and Secure Boot gets shim (Secure Boot wins)', UEFI, machine({ chain: 'pxelinux', secureBoot: 'on' }), ctx(), { bootfile: 'iso/rocky-9.4/EFI/BOOT/BOOTX64.EFI', loader: 'distro-shim-grub' }],
  // other arches
  ['arm64 UEFI PXE is ignored naming the arch', ARM64, machine(), ctx(), { ignore: /ARM64_EFI.*option 93 = 11/ }],
  ['32-bit UEFI is ignored naming the arch', IA32, machine(), ctx(), { ignore: /IA32_EFI/ }],
];

describe('decide', () => {
  it.each(TABLE)('%s', (_name, info, m, c, want) => {
    const d: BootDecision = decide(info, m, c);
    if ('ignore' in want) {
      expect(d).toHaveProperty('ignore');
      if ('ignore' in d) expect(d.ignore).toMatch(want.ignore);
      return;
    }
    expect(d).toMatchObject({ bootfile: want.bootfile, loader: want.loader });
    if (want.reason && 'reason' in d) expect(d.reason).toMatch(want.reason);
  });

  it('every answer carries a reason a technician can read', () => {
    for (const [, info, m, c] of TABLE) {
      const d = decide(info, m, c);
      expect(('ignore' in d ? d.ignore : d.reason).length).toBeGreaterThan(20);
    }
  });

  const fixture = (name: string) => classify(decode(fromHex(readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'dhcp', `discover-${name}.hex`), 'utf8').trim())).value);
  it.each([
    ['SeaBIOS + iPXE ROM capture gets the script URL', 'bios', machine({ mac: fixture('bios').mac }), /^http:\/\/198\.18\.0\.1:8080\/boot\/[0-9a-f-]{17}\.ipxe$/],
    ['OVMF capture gets snponly.efi', 'uefi', machine(), /^snponly\.efi$/],
    ['OVMF Secure Boot capture, marked on, gets the ISO\'s shim', 'uefi-secureboot', machine({ secureBoot: 'on' }), /^iso\/rocky-9\.4\/EFI\/BOOT\/BOOTX64\.EFI$/],
  ])('real capture: %s', (_n, name, m, want) => {
    const d = decide(fixture(name), { ...m, mac: fixture(name).mac }, ctx());
    expect('bootfile' in d && d.bootfile).toMatch(want);
  });

  it('toBootChoice speaks the DHCP service\'s BootChoice', () => {
    expect(toBootChoice(decide(BIOS, machine(), ctx()))).toMatchObject({ file: 'undionly.kpxe', reason: expect.any(String) });
    expect(toBootChoice(decide(DHCLIENT, machine(), ctx()))).toHaveProperty('ignore');
  });
});

describe('distroShim', () => {
  it('finds the x64 shim + grubx64.efi pair on RHEL-family ISOs only', () => {
    expect(distroShim(ROCKY)).toMatchObject({ loader: 'EFI/BOOT/BOOTX64.EFI', grub: 'EFI/BOOT/grubx64.efi' });
    expect(distroShim(ROCKY_ARM)).toBeNull();
    expect(distroShim(UBUNTU)).toBeNull();
    expect(distroShim(DEBIAN)).toBeNull();
  });

  it('refuses a pair shim could not chain (grub in another directory or another name)', () => {
    const moved: BootIso = { id: 'x', info: { ...ROCKY.info, efi: [{ arch: 'x86_64', loader: 'EFI/BOOT/BOOTX64.EFI', grub: 'EFI/redhat/grubx64.efi', mokManager: null }] } };
    const renamed: BootIso = { id: 'x', info: { ...ROCKY.info, efi: [{ arch: 'x86_64', loader: 'EFI/BOOT/BOOTX64.EFI', grub: 'EFI/BOOT/grub.efi', mokManager: null }] } };
    expect(distroShim(moved)).toBeNull();
    expect(distroShim(renamed)).toBeNull();
  });
});

describe('bootAction (what the per-machine config does)', () => {
  it.each([
    ['armed with a netbootable ISO installs it', machine(), ctx(), 'install'],
    ['armed without an ISO boots the disk', machine({ iso: null }), ctx(), 'local'],
    ['armed with Windows boots the disk (not netbooted yet)', machine({ iso: WINDOWS }), ctx(), 'local'],
    ['armed with an aarch64 ISO boots the disk', machine({ iso: ROCKY_ARM }), ctx(), 'local'],
    ['installing (answer file fetched) boots the disk: no reinstall loop', machine({ state: 'installing' }), ctx(), 'local'],
    ['installed boots the disk until re-armed', machine({ state: 'installed' }), ctx(), 'local'],
    ['new under policy menu gets the menu', machine({ state: 'new', known: false, iso: null }), ctx(), 'menu'],
    ['new under policy install installs the default ISO', machine({ state: 'new', known: false, iso: null }), ctx({ unknown: 'install', defaultIso: UBUNTU }), 'install'],
    ['new under policy install without a default ISO gets the menu', machine({ state: 'new', known: false, iso: null }), ctx({ unknown: 'install' }), 'menu'],
    ['new and known under policy ignore boots the disk', machine({ state: 'new', iso: null }), ctx({ unknown: 'ignore' }), 'local'],
  ])('%s', (_n, m, c, kind) => {
    expect(bootAction(m, c).kind).toBe(kind);
  });

  it('the menu lists netbootable x86 ISOs only (no Windows, no aarch64)', () => {
    const a = bootAction(machine({ state: 'new', iso: null }), ctx());
    expect(a.kind === 'menu' && a.isos.map((i) => i.id)).toEqual(['rocky-9.4', 'ubuntu-24.04.1', 'debian-12.5.0']);
  });
});

describe('bootScript', () => {
  it('install: the ISO\'s kernel and initrd with the family\'s args', () => {
    const s = bootScript(machine(), ctx(), 'ipxe');
    expect(s.kind).toBe('install');
    if (s.kind !== 'install') return;
    expect(s.entry).toMatchObject({ title: 'Install Rocky Linux 9.4', isoId: 'rocky-9.4', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', needsLinuxefi: false });
    expect(s.entry.args).toContain(`inst.repo=${BASE}/iso/rocky-9.4/`);
  });

  it('CentOS 7 entries say they need linuxefi', () => {
    const s = bootScript(machine({ iso: CENTOS7 }), ctx(), 'distro-grub');
    expect(s.kind === 'install' && s.entry.needsLinuxefi).toBe(true);
  });

  it('menu: one entry per netbootable ISO, the countdown from the context', () => {
    const s = bootScript(machine({ state: 'new', known: false, iso: null, answerUrl: null }), ctx({ menuTimeoutSeconds: 7 }), 'ipxe');
    expect(s.kind === 'menu' && s.entries.map((e) => e.title)).toEqual(['Install Rocky Linux 9.4', 'Install Ubuntu Server 24.04.1 LTS', expect.stringMatching(/^Install Debian 12/)]);
    expect(s.kind === 'menu' && s.timeoutSeconds).toBe(7);
  });

  it('menu behind Debian\'s shim under Secure Boot lists only Debian ISOs (others would be refused)', () => {
    const s = bootScript(machine({ state: 'new', iso: null, secureBoot: 'on' }), ctx(), 'debian-grub');
    expect(s.kind === 'menu' && s.entries.map((e) => e.isoId)).toEqual(['debian-12.5.0']);
  });

  it('local: carries the reason', () => {
    expect(bootScript(machine({ state: 'installed' }), ctx(), 'pxelinux')).toMatchObject({ kind: 'local', reason: /installed/ });
  });
});
