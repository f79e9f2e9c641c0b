/** Per-machine paths: every renderer's output parses back to the same machine; everything else is null. */
import { describe, expect, it } from 'vitest';
import {
  answerDirPath,
  answerPath,
  callbackBasePath,
  callbackPath,
  debianGrubConfigPath,
  DEBIAN_GRUB_CONFIG,
  distroGrubConfigPath,
  hexIp,
  ipxeScriptPath,
  isoDirPath,
  isoFilePath,
  macHyphen,
  parseAnswerPath,
  parseBootPath,
  parseCallbackPath,
  parseGrubConfigPath,
  parseIpxeScriptPath,
  parsePxelinuxConfigPath,
  pxelinuxConfigPath,
} from './paths.ts';

const MAC = '52:54:00:ab:cd:ef';

describe('renderers', () => {
  it.each([
    ['iPXE script', ipxeScriptPath(MAC), 'boot/52-54-00-ab-cd-ef.ipxe'],
    ['pxelinux per-MAC', pxelinuxConfigPath(MAC), 'pxelinux.cfg/01-52-54-00-ab-cd-ef'],
    ['Debian GRUB per-MAC ($net_default_mac is colon form)', debianGrubConfigPath(MAC), 'grub/grub.cfg-52:54:00:ab:cd:ef'],
    ['distro GRUB beside the ISO\'s shim', distroGrubConfigPath('rocky-9.4', MAC), 'iso/rocky-9.4/EFI/BOOT/grub.cfg-01-52-54-00-ab-cd-ef'],
    ['answer file', answerPath(MAC, 'ks.cfg'), 'answers/52-54-00-ab-cd-ef/ks.cfg'],
    ['answer directory (nocloud s= needs the trailing slash)', answerDirPath(MAC), 'answers/52-54-00-ab-cd-ef/'],
    ['callback base', callbackBasePath(MAC), 'api/callback/52-54-00-ab-cd-ef'],
    ['callback done', callbackPath(MAC, 'done'), 'api/callback/52-54-00-ab-cd-ef/done'],
    ['ISO files', isoDirPath('rocky-9.4'), 'iso/rocky-9.4/'],
    ['ISO image', isoFilePath('ubuntu-24.04.1'), 'iso/ubuntu-24.04.1.iso'],
    ['MAC in any accepted input form comes out canonical', ipxeScriptPath('52-54-00-AB-CD-EF'), 'boot/52-54-00-ab-cd-ef.ipxe'],
  ])('%s', (_n, got, want) => expect(got).toBe(want));

  it('throws on a non-MAC or a hostile answer file name (programming errors)', () => {
    expect(() => macHyphen('52:54:00:ab:cd')).toThrow();
    expect(() => answerPath(MAC, '../etc/passwd')).toThrow();
    expect(() => answerPath(MAC, '.hidden')).toThrow();
  });

  it.each([
    ['192.168.10.23', 'C0A80A17'],
    ['10.0.0.1', '0A000001'],
    ['010.0.0.1', null],
    ['1.2.3', null],
    ['256.1.1.1', null],
  ])('hexIp(%s) = %s', (ip, hex) => expect(hexIp(ip)).toBe(hex));
});

describe('parsers', () => {
  it.each([
    ['boot/52-54-00-ab-cd-ef.ipxe', MAC],
    ['/boot/52-54-00-AB-CD-EF.ipxe', MAC],
    ['boot/52:54:00:ab:cd:ef.ipxe', null],
    ['boot/525400abcdef.ipxe', null],
    ['boot/52-54-00-ab-cd-ef.ipxe.bak', null],
    ['boot/../boot/52-54-00-ab-cd-ef.ipxe', null],
    ['boot.ipxe', null],
  ])('iPXE %j -> %j', (p, want) => expect(parseIpxeScriptPath(p)).toBe(want));

  it.each([
    ['pxelinux.cfg/01-52-54-00-ab-cd-ef', { kind: 'mac', mac: MAC }],
    ['/pxelinux.cfg/01-52-54-00-AB-CD-EF', { kind: 'mac', mac: MAC }],
    ['pxelinux.cfg/564d1234-abcd-ef01-2345-6789ABCDEF01', { kind: 'uuid', uuid: '564d1234-abcd-ef01-2345-6789abcdef01' }],
    ['pxelinux.cfg/C0A80A17', { kind: 'ip', hex: 'C0A80A17' }],
    ['pxelinux.cfg/c0a8', { kind: 'ip', hex: 'C0A8' }],
    ['pxelinux.cfg/C', { kind: 'ip', hex: 'C' }],
    ['pxelinux.cfg/default', { kind: 'default' }],
    ['pxelinux.cfg/C0A80A170', null],
    ['pxelinux.cfg/02-52-54-00-ab-cd-ef', null],
    ['pxelinux.cfg/01-52-54-00-ab-cd', null],
    ['pxelinux.cfg/../pxelinux.cfg/default', null],
    ['pxelinux.cfg/sub/default', null],
    ['pxelinux.cfg\\default', null],
    ['pxelinux.cfg/default\u0000', null],
  ])('pxelinux %j -> %j', (p, want) => expect(parsePxelinuxConfigPath(p)).toEqual(want));

  it.each([
    ['grub/grub.cfg', { loader: 'debian-grub', kind: 'dispatcher' }],
    ['/grub/grub.cfg', { loader: 'debian-grub', kind: 'dispatcher' }],
    ['grub/grub.cfg-52:54:00:AB:CD:EF', { loader: 'debian-grub', kind: 'mac', mac: MAC }],
    ['grub/grub.cfg-52-54-00-ab-cd-ef', null],
    ['debian-installer/amd64/grub/grub.cfg', { loader: 'debian-grub', kind: 'dispatcher' }],
    ['debian-installer/amd64/grub/grub.cfg-52:54:00:ab:cd:ef', { loader: 'debian-grub', kind: 'mac', mac: MAC }],
    ['debian-installer/i386/grub/grub.cfg', null],
    ['iso/rhel9/debian-installer/amd64/grub/grub.cfg', null],
    ['grub/grub.cfg-', null],
    ['iso/rocky-9.4/EFI/BOOT/grub.cfg-01-52-54-00-ab-cd-ef', { loader: 'distro-grub', isoId: 'rocky-9.4', kind: 'mac', mac: MAC }],
    ['iso/rocky-9.4/efi/boot/grub.cfg-C0A80A1', { loader: 'distro-grub', isoId: 'rocky-9.4', kind: 'ip', hex: 'C0A80A1' }],
    ['iso/rocky-9.4/EFI/BOOT/grub.cfg-564d1234-abcd-ef01-2345-6789abcdef01', { loader: 'distro-grub', isoId: 'rocky-9.4', kind: 'uuid', uuid: '564d1234-abcd-ef01-2345-6789abcdef01' }],
    ['iso/rocky-9.4/EFI/BOOT/grub.cfg', { loader: 'distro-grub', isoId: 'rocky-9.4', kind: 'default' }],
    ['grub.cfg-01-52-54-00-ab-cd-ef', { loader: 'distro-grub', isoId: null, kind: 'mac', mac: MAC }],
    ['grub.cfg', { loader: 'distro-grub', isoId: null, kind: 'default' }],
    ['iso/rocky-9.4/EFI/BOOT/grub.cfg-default', null],
    ['iso/rocky-9.4/boot/grub/grub.cfg', null],
    ['iso/../EFI/BOOT/grub.cfg', null],
    ['iso/a..b/EFI/BOOT/grub.cfg', null],
    ['iso/-x/EFI/BOOT/grub.cfg', null],
    ['iso/rocky-9.4/EFI/BOOT/grub.cfg-01-52-54-00-ab-cd-ef/x', null],
  ])('GRUB %j -> %j', (p, want) => expect(parseGrubConfigPath(p)).toEqual(want));

  it.each([
    ['answers/52-54-00-ab-cd-ef/ks.cfg', { mac: MAC, file: 'ks.cfg' }],
    ['answers/52-54-00-AB-CD-EF/user-data', { mac: MAC, file: 'user-data' }],
    ['answers/52-54-00-ab-cd-ef/', null],
    ['answers/52-54-00-ab-cd-ef/../x', null],
    ['answers/52-54-00-ab-cd-ef/a..b', null],
    ['answers/52-54-00-ab-cd-ef/.ks', null],
    ['answers/52-54-00-ab-cd-ef/a/b', null],
    ['answers/52:54:00:ab:cd:ef/ks.cfg', null],
    ['answers/52-54-00-ab-cd-ef/ks.cfg%00', null],
  ])('answer %j -> %j', (p, want) => expect(parseAnswerPath(p)).toEqual(want));

  it.each([
    ['api/callback/52-54-00-ab-cd-ef/done', { mac: MAC, event: 'done' }],
    ['/api/callback/52-54-00-ab-cd-ef/STARTED', { mac: MAC, event: 'started' }],
    ['api/callback/52-54-00-ab-cd-ef/finished', null],
    ['api/callback/52-54-00-ab-cd-ef', null],
  ])('callback %j -> %j', (p, want) => expect(parseCallbackPath(p)).toEqual(want));

  it('parseBootPath routes each rendered path back to its machine and ignores ordinary files', () => {
    expect(parseBootPath(ipxeScriptPath(MAC))).toEqual({ route: 'ipxe-script', mac: MAC });
    expect(parseBootPath(pxelinuxConfigPath(MAC))).toEqual({ route: 'pxelinux', name: { kind: 'mac', mac: MAC } });
    expect(parseBootPath(debianGrubConfigPath(MAC))).toEqual({ route: 'grub', name: { loader: 'debian-grub', kind: 'mac', mac: MAC } });
    expect(parseBootPath(DEBIAN_GRUB_CONFIG)).toEqual({ route: 'grub', name: { loader: 'debian-grub', kind: 'dispatcher' } });
    expect(parseBootPath(distroGrubConfigPath('rocky-9.4', MAC))).toMatchObject({ route: 'grub', name: { loader: 'distro-grub', isoId: 'rocky-9.4', mac: MAC } });
    expect(parseBootPath(answerPath(MAC, 'preseed.cfg'))).toEqual({ route: 'answer', mac: MAC, file: 'preseed.cfg' });
    expect(parseBootPath(callbackPath(MAC, 'started'))).toEqual({ route: 'callback', mac: MAC, event: 'started' });
    for (const p of ['undionly.kpxe', 'grubx64.efi', 'iso/rocky-9.4/images/pxeboot/vmlinuz', 'iso/rocky-9.4/EFI/BOOT/BOOTX64.EFI', '', '/', '//', 'x'.repeat(600)]) {
      expect(parseBootPath(p)).toBeNull();
    }
  });
});
