/** iPXE per-machine scripts: install, local boot, menu (boot-chains §3.4, §7). */
import { describe, expect, it } from 'vitest';
import type { BootScript, InstallEntry } from './decide.ts';
import { renderIpxe, renderIpxeIdentify } from './render-ipxe.ts';

const MAC = '52:54:00:ab:cd:ef';
const O = { address: '198.18.0.1', httpPort: 8080 };
const ROCKY: InstallEntry = {
  title: 'Install Rocky Linux 9.4', isoId: 'rocky-9.4', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img',
  args: ['ip=dhcp', 'BOOTIF=01-52-54-00-ab-cd-ef', 'inst.repo=http://198.18.0.1:8080/iso/rocky-9.4/', 'inst.ks=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/ks.cfg', 'inst.ks.sendmac', 'quiet', 'console=ttyS0,115200n8'],
  needsLinuxefi: false, notes: [],
};
const UBUNTU: InstallEntry = {
  title: 'Install Ubuntu Server 24.04.1 LTS', isoId: 'ubuntu-24.04.1', kernel: 'casper/vmlinuz', initrd: 'casper/initrd',
  args: ['url=http://198.18.0.1:8080/iso/ubuntu-24.04.1.iso', 'ip=dhcp', 'root=/dev/ram0', 'cloud-config-url=/dev/null', 'autoinstall', 'ds=nocloud-net;s=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/', '---'],
  needsLinuxefi: false, notes: [],
};

describe('renderIpxe', () => {
  it('install: #!ipxe, imgfree, kernel and initrd over HTTP with initrd=<name>, error path to the disk', () => {
    const text = renderIpxe({ kind: 'install', mac: MAC, entry: ROCKY, reason: 'armed: installing Rocky Linux 9.4' }, O);
    expect(text).toBe(
      [
        '#!ipxe',
        '# rackboot 52:54:00:ab:cd:ef: armed: installing Rocky Linux 9.4',
        ':install',
        'echo rackboot: Install Rocky Linux 9.4',
        'imgfree',
        'kernel http://198.18.0.1:8080/iso/rocky-9.4/images/pxeboot/vmlinuz initrd=initrd.img ip=dhcp BOOTIF=01-52-54-00-ab-cd-ef inst.repo=http://198.18.0.1:8080/iso/rocky-9.4/ inst.ks=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/ks.cfg inst.ks.sendmac quiet console=ttyS0,115200n8 || goto failed',
        'initrd --name initrd.img http://198.18.0.1:8080/iso/rocky-9.4/images/pxeboot/initrd.img || goto failed',
        'boot || goto failed',
        ':failed',
        'echo rackboot: the boot failed; booting from the local disk in 10 seconds',
        'sleep 10',
        'goto local',
        ':local',
        'echo rackboot: booting from the local disk',
        'iseq ${platform} efi && goto local_exit ||',
        'sanboot --no-describe --drive 0x80 || goto local_exit',
        ':local_exit',
        'exit',
        '',
      ].join('\n'),
    );
  });

  it('passes ds=nocloud-net;s=... unescaped (; is not special in iPXE)', () => {
    const text = renderIpxe({ kind: 'install', mac: MAC, entry: UBUNTU, reason: 'armed' }, O);
    expect(text).toContain(' ds=nocloud-net;s=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/ ');
    expect(text).not.toContain('\\;');
    expect(text).toContain('initrd=initrd ');
  });

  it('local: BIOS sanboots the first disk, EFI exits to the firmware', () => {
    const text = renderIpxe({ kind: 'local', mac: MAC, reason: 'installed: booting the local disk until re-armed' }, O);
    expect(text.startsWith('#!ipxe\n')).toBe(true);
    expect(text).toContain('goto local\n:local\n');
    expect(text).toContain('sanboot --no-describe --drive 0x80');
    expect(text).toMatch(/\nexit\n$/);
    expect(text).not.toContain('kernel ');
  });

  it('menu: title with rackboot and the MAC, local disk default after the countdown, one item per ISO', () => {
    const s: BootScript = { kind: 'menu', mac: MAC, entries: [ROCKY, UBUNTU], timeoutSeconds: 10, reason: 'nothing planned' };
    const text = renderIpxe(s, O);
    expect(text).toContain('menu rackboot 52:54:00:ab:cd:ef || goto local\n');
    expect(text).toContain('item local Boot from local disk\nitem iso1 Install Rocky Linux 9.4\nitem iso2 Install Ubuntu Server 24.04.1 LTS\n');
    expect(text).toContain('choose --default local --timeout 10000 target || goto local\ngoto ${target}\n');
    expect(text).toContain(':iso1\n');
    expect(text).toContain(':iso2\n');
    expect(text.match(/^imgfree$/gm)).toHaveLength(2);
  });

  it('a menu with no ISOs still boots the disk', () => {
    const text = renderIpxe({ kind: 'menu', mac: MAC, entries: [], timeoutSeconds: 5, reason: 'x' }, O);
    expect(text).toContain('item local Boot from local disk\nchoose --default local --timeout 5000 target');
  });

  it.each([
    ['a newline (would start a new command)', 'a\nchain http://evil/'],
    ['a space', 'a b'],
    ['an iPXE expansion', '${net0/ip}'],
  ])('refuses an argument with %s', (_n, arg) => {
    expect(() => renderIpxe({ kind: 'install', mac: MAC, entry: { ...ROCKY, args: [arg] }, reason: '' }, O)).toThrow();
  });

  it('keeps reason and titles on one line', () => {
    const text = renderIpxe({ kind: 'menu', mac: MAC, entries: [{ ...ROCKY, title: 'Evil\nchain http://x/' }], timeoutSeconds: 1, reason: 'a\nb' }, O);
    expect(text).not.toMatch(/^chain/m);
    expect(text).not.toMatch(/^b$/m);
  });
});

describe('renderIpxeIdentify', () => {
  it('chains back to the per-machine script with the SMBIOS serial, asset tag and UUID, URI-escaped', () => {
    const lines = renderIpxeIdentify(MAC, O).split('\n');
    expect(lines[0]).toBe('#!ipxe');
    expect(lines).toContain(`chain http://${O.address}:${O.httpPort}/boot/${MAC.replaceAll(':', '-')}.ipxe?serial=\${serial:uristring}&asset=\${asset:uristring}&uuid=\${uuid} || goto local`);
    // A chained script that returns does not fall through into a second local boot attempt.
    expect(lines.indexOf('exit')).toBeLessThan(lines.indexOf(':local'));
    expect(lines).toContain(':local');
  });
});
