/** GRUB configs for Debian's grubnetx64 and a distro GRUB, plus the grub/grub.cfg dispatcher (boot-chains §3.2). */
import { describe, expect, it } from 'vitest';
import type { BootScript, InstallEntry } from './decide.ts';
import { grubQuote, grubWord, renderGrub, renderGrubDispatcher } from './render-grub.ts';

const MAC = '52:54:00:ab:cd:ef';
const ROCKY: InstallEntry = {
  title: 'Install Rocky Linux 9.4', isoId: 'rocky-9.4', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img',
  args: ['ip=dhcp', 'inst.repo=http://198.18.0.1:8080/iso/rocky-9.4/', 'console=ttyS0,115200n8'], needsLinuxefi: false, notes: [],
};
const CENTOS7: InstallEntry = { ...ROCKY, title: 'Install CentOS Linux 7.9', isoId: 'centos-7.9', needsLinuxefi: true };
const UBUNTU: InstallEntry = {
  title: 'Install Ubuntu Server 24.04.1 LTS', isoId: 'ubuntu-24.04.1', kernel: 'casper/vmlinuz', initrd: 'casper/initrd',
  args: ['url=http://198.18.0.1:8080/iso/ubuntu-24.04.1.iso', 'autoinstall', 'ds=nocloud-net;s=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/', '---'], needsLinuxefi: false, notes: [],
};
const DEBIAN = { address: '198.18.0.1', grub: 'debian' } as const;
const DISTRO = { address: '198.18.0.1', grub: 'distro' } as const;

describe('renderGrub', () => {
  it('install: kernel and initrd over TFTP (Debian\'s GRUB cannot http), falls back to the disk if loading fails', () => {
    const text = renderGrub({ kind: 'install', mac: MAC, entry: ROCKY, reason: 'armed' }, DEBIAN);
    expect(text).toBe(
      [
        '# rackboot 52:54:00:ab:cd:ef: armed',
        "echo 'rackboot: machine 52:54:00:ab:cd:ef'",
        'set timeout=0',
        'set default=install',
        'set fallback=local',
        "menuentry 'Install Rocky Linux 9.4' --id install {",
        "\techo 'rackboot: loading Install Rocky Linux 9.4 over TFTP...'",
        '\tlinux (tftp,198.18.0.1)/iso/rocky-9.4/images/pxeboot/vmlinuz ip=dhcp inst.repo=http://198.18.0.1:8080/iso/rocky-9.4/ console=ttyS0,115200n8',
        '\tinitrd (tftp,198.18.0.1)/iso/rocky-9.4/images/pxeboot/initrd.img',
        '}',
        "menuentry 'Boot from local disk' --id local {",
        "\techo 'rackboot: booting from the local disk'",
        '\texit',
        '}',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('(http');
  });

  it('escapes ; in kernel args (ds=nocloud-net\\;s=...)', () => {
    const text = renderGrub({ kind: 'install', mac: MAC, entry: UBUNTU, reason: 'armed' }, DEBIAN);
    expect(text).toContain(' ds=nocloud-net\\;s=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/ ---\n');
  });

  it('linuxefi/initrdefi for a distro GRUB when the ISO needs them (RHEL 7), never for Debian\'s GRUB', () => {
    expect(renderGrub({ kind: 'install', mac: MAC, entry: CENTOS7, reason: 'armed' }, DISTRO)).toMatch(/\tlinuxefi \(tftp,198\.18\.0\.1\)\/iso\/centos-7\.9\/[^\n]+\n\tinitrdefi /);
    expect(renderGrub({ kind: 'install', mac: MAC, entry: CENTOS7, reason: 'armed' }, DEBIAN)).not.toContain('linuxefi');
    expect(renderGrub({ kind: 'install', mac: MAC, entry: ROCKY, reason: 'armed' }, DISTRO)).not.toContain('linuxefi');
  });

  it('local: exit back to the firmware', () => {
    const text = renderGrub({ kind: 'local', mac: MAC, reason: 'installed' }, DEBIAN);
    expect(text).toContain('set timeout=0\nset default=local\n');
    expect(text).toContain('\texit\n');
    expect(text).not.toMatch(/\tlinux /);
  });

  it('menu: local disk is the default after the countdown; one entry per ISO', () => {
    const s: BootScript = { kind: 'menu', mac: MAC, entries: [ROCKY, UBUNTU], timeoutSeconds: 15, reason: 'nothing planned' };
    const text = renderGrub(s, DEBIAN);
    expect(text).toContain('set timeout=15\nset default=local\n');
    expect(text).toContain("menuentry 'Install Rocky Linux 9.4' --id iso1 {");
    expect(text).toContain("menuentry 'Install Ubuntu Server 24.04.1 LTS' --id iso2 {");
    expect(text.indexOf("'Boot from local disk'")).toBeLessThan(text.indexOf('--id iso1'));
    expect(text).toContain('rackboot: machine 52:54:00:ab:cd:ef');
  });

  it('quotes titles safely and refuses arguments that are not one word', () => {
    const text = renderGrub({ kind: 'menu', mac: MAC, entries: [{ ...ROCKY, title: "It's\nhere" }], timeoutSeconds: 1, reason: 'r' }, DEBIAN);
    expect(text).toContain("menuentry 'It'\\''s here' --id iso1 {");
    expect(() => renderGrub({ kind: 'install', mac: MAC, entry: { ...ROCKY, args: ['a b'] }, reason: '' }, DEBIAN)).toThrow();
    expect(() => renderGrub({ kind: 'install', mac: MAC, entry: { ...ROCKY, args: ['a\n}'] }, reason: '' }, DEBIAN)).toThrow();
  });
});

describe('GRUB quoting', () => {
  it.each([
    ['ds=nocloud-net;s=http://a/', 'ds=nocloud-net\\;s=http://a/'],
    ['console=ttyS0,115200n8', 'console=ttyS0,115200n8'],
    ['a$b', 'a\\$b'],
    ['x{y}', 'x\\{y\\}'],
    ['p|q&r', 'p\\|q\\&r'],
    ['back\\slash', 'back\\\\slash'],
  ])('grubWord(%j) = %j', (w, want) => expect(grubWord(w)).toBe(want));

  it('grubQuote closes, escapes and reopens a single quote', () => expect(grubQuote("a'b")).toBe("'a'\\''b'"));
});

describe('renderGrubDispatcher (grub/grub.cfg for Debian\'s grubnetx64)', () => {
  it('loads $prefix/grub.cfg-$net_default_mac and falls back to the local disk', () => {
    const text = renderGrubDispatcher(5);
    expect(text).toContain('if [ -n "$net_default_mac" ]; then\n\tconfigfile "$prefix/grub.cfg-$net_default_mac"\nfi\n');
    expect(text).toContain('set timeout=5\nset default=local\n');
    expect(text).toContain("menuentry 'Boot from local disk' --id local {");
  });
});
