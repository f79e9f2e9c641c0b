/** pxelinux.cfg files for lpxelinux.0, without menu.c32 (boot-chains §3.1). */
import { describe, expect, it } from 'vitest';
import type { InstallEntry } from './decide.ts';
import { renderPxelinux } from './render-pxelinux.ts';

const MAC = '52:54:00:ab:cd:ef';
const O = { address: '198.18.0.1', httpPort: 8080 };
const DEBIAN: InstallEntry = {
  title: 'Install Debian 12.5.0 (bookworm)', isoId: 'debian-12.5.0', kernel: 'install.amd/vmlinuz', initrd: 'install.amd/initrd.gz',
  args: ['auto=true', 'priority=critical', 'url=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/preseed.cfg', 'interface=auto', 'BOOTIF=01-52-54-00-ab-cd-ef', 'console=ttyS0,115200n8'],
  needsLinuxefi: false, notes: [],
};
const ROCKY: InstallEntry = { ...DEBIAN, title: 'Install Rocky Linux 9.4', isoId: 'rocky-9.4', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', args: ['ip=dhcp', 'inst.repo=http://198.18.0.1:8080/iso/rocky-9.4/'] };

describe('renderPxelinux', () => {
  it('install: LINUX and initrd= over HTTP (lpxelinux), IPAPPEND 2 instead of our own BOOTIF, no prompt', () => {
    expect(renderPxelinux({ kind: 'install', mac: MAC, entry: DEBIAN, reason: 'armed' }, O)).toBe(
      [
        '# rackboot 52:54:00:ab:cd:ef: armed',
        'DEFAULT install',
        'PROMPT 0',
        'SAY rackboot: Install Debian 12.5.0 (bookworm)',
        'LABEL install',
        '  LINUX http://198.18.0.1:8080/iso/debian-12.5.0/install.amd/vmlinuz',
        '  APPEND initrd=http://198.18.0.1:8080/iso/debian-12.5.0/install.amd/initrd.gz auto=true priority=critical url=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/preseed.cfg interface=auto console=ttyS0,115200n8',
        '  IPAPPEND 2',
        'LABEL local',
        '  LOCALBOOT 0',
        '',
      ].join('\n'),
    );
  });

  it('local: LOCALBOOT 0 by default, no prompt', () => {
    const text = renderPxelinux({ kind: 'local', mac: MAC, reason: 'installed' }, O);
    expect(text).toContain('DEFAULT local\nPROMPT 0\n');
    expect(text).toContain('LABEL local\n  LOCALBOOT 0\n');
    expect(text).not.toContain('LINUX');
  });

  it('menu without menu.c32: SAY lines, a prompt, DEFAULT local after TIMEOUT in tenths', () => {
    const text = renderPxelinux({ kind: 'menu', mac: MAC, entries: [ROCKY, DEBIAN], timeoutSeconds: 10, reason: 'nothing planned' }, O);
    expect(text).toContain('DEFAULT local\nPROMPT 1\nTIMEOUT 100\n');
    expect(text).toContain('SAY rackboot 52:54:00:ab:cd:ef');
    expect(text).toContain('SAY   local  Boot from local disk (default)\nSAY   1      Install Rocky Linux 9.4\nSAY   2      Install Debian 12.5.0 (bookworm)\n');
    expect(text).toContain('LABEL 1\n  LINUX http://198.18.0.1:8080/iso/rocky-9.4/images/pxeboot/vmlinuz\n');
    expect(text).toContain('LABEL 2\n');
    expect(text).not.toMatch(/menu\.c32|^MENU /im);
  });

  it('a zero countdown still times out (TIMEOUT 0 would wait forever)', () => {
    expect(renderPxelinux({ kind: 'menu', mac: MAC, entries: [], timeoutSeconds: 0, reason: '' }, O)).toContain('TIMEOUT 1\n');
  });

  it('refuses arguments that would break the APPEND line; keeps titles on one line', () => {
    expect(() => renderPxelinux({ kind: 'install', mac: MAC, entry: { ...DEBIAN, args: ['x\nLABEL evil'] }, reason: '' }, O)).toThrow();
    const text = renderPxelinux({ kind: 'menu', mac: MAC, entries: [{ ...ROCKY, title: 'a\nDEFAULT evil' }], timeoutSeconds: 1, reason: 'r\nDEFAULT evil' }, O);
    expect(text).not.toMatch(/^DEFAULT evil/m);
  });
});
