import { describe, expect, it } from 'vitest';
import { grubWords, menuPath, parseGrubCfg, parseIsolinuxCfg } from './bootmenu.ts';
import { rhelTree, ubuntu2204Server } from './fixtures.ts';

describe('GRUB words', () => {
  it.each([
    ['linux /casper/vmlinuz  ---', ['linux', '/casper/vmlinuz', '---']],
    ["menuentry 'Install Rocky Linux 9.4' --class fedora {", ['menuentry', 'Install Rocky Linux 9.4', '--class', 'fedora', '{']],
    ['menuentry "Try \\"it\\"" {', ['menuentry', 'Try "it"', '{']],
    ['linux /v ds=nocloud-net\\;s=http://x/ # comment', ['linux', '/v', 'ds=nocloud-net;s=http://x/']],
    ["a'b c'd", ['ab cd']],
    ["unterminated 'quote", ['unterminated', 'quote']],
  ])('%s', (line, words) => expect(grubWords(line)).toEqual(words));
  it('caps words per command', () => expect(grubWords('x '.repeat(1000)).length).toBe(64));
});

describe('menu paths', () => {
  it.each([
    ['/images/pxeboot/vmlinuz', '', 'images/pxeboot/vmlinuz'],
    ['($root)/casper/vmlinuz', '', 'casper/vmlinuz'],
    ['(cd0)/install.amd/vmlinuz', 'boot/grub', 'install.amd/vmlinuz'],
    ['vmlinuz', 'isolinux', 'isolinux/vmlinuz'],
    ['../casper/initrd', 'isolinux', 'casper/initrd'],
    ['../../../../etc/passwd', 'isolinux', 'etc/passwd'],
  ])('%s from %j is %s', (raw, base, want) => expect(menuPath(raw, base)).toBe(want));
});

describe('grub.cfg', () => {
  it('lorax menu: entries, submenu titles, set default="1", functions ignored', () => {
    const cfg = rhelTree({ name: 'Rocky Linux', short: 'Rocky', version: '9.4', label: 'Rocky-9-4-x86_64-dvd', repo: 'variants' }).files['EFI/BOOT/grub.cfg'] as string;
    const menu = parseGrubCfg(cfg);
    expect(menu.entries.map((e) => [e.title, e.isDefault])).toEqual([
      ['Install Rocky Linux 9.4', false],
      ['Test this media & install Rocky Linux 9.4', true],
      ['Troubleshooting --> > Install Rocky Linux 9.4 in text mode', false],
      ['Troubleshooting --> > Rescue a Rocky Linux 9.4 system', false],
    ]);
    expect(menu.entries[1]).toMatchObject({ kernel: 'images/pxeboot/vmlinuz', initrds: ['images/pxeboot/initrd.img'], loader: 'linuxefi', args: ['inst.stage2=hd:LABEL=Rocky-9-4-x86_64-dvd', 'rd.live.check', 'quiet'] });
  });

  it('Ubuntu menu: conditionals ignored, entries without a kernel dropped', () => {
    const menu = parseGrubCfg(ubuntu2204Server.files['boot/grub/grub.cfg'] as string);
    expect(menu.entries.map((e) => [e.title, e.kernel, e.initrds, e.isDefault])).toEqual([
      ['Try or Install Ubuntu Server', 'casper/vmlinuz', ['casper/initrd'], true],
      ['Ubuntu Server with the HWE kernel', 'casper/hwe-vmlinuz', ['casper/hwe-initrd'], false],
      ['Test memory', 'boot/memtest86+.bin', [], false],
    ]);
  });

  it('commands separated by ; on one line, several initrds, default by title', () => {
    const menu = parseGrubCfg('set default="two"\nmenuentry one { linux /a; initrd /i }\nmenuentry "two" { linux /b x=1 ; initrd /i1 /i2 ; }');
    expect(menu.entries.map((e) => [e.title, e.kernel, e.initrds, e.args, e.isDefault])).toEqual([
      ['one', 'a', ['i'], [], false],
      ['two', 'b', ['i1', 'i2'], ['x=1'], true],
    ]);
  });

  it('default counts submenus as top-level items; out-of-range default falls back to the first entry', () => {
    const cfg = 'submenu s {\n menuentry a {\n linux /a\n }\n}\nmenuentry b {\n linux /b\n}\n';
    expect(parseGrubCfg(`set default=1\n${cfg}`).entries.find((e) => e.isDefault)?.title).toBe('b');
    expect(parseGrubCfg(`set default=0\n${cfg}`).entries.find((e) => e.isDefault)?.title).toBe('s > a');
    expect(parseGrubCfg(`set default=9\n${cfg}`).entries.find((e) => e.isDefault)?.title).toBe('s > a');
  });

  it('collects configfile/source includes without variables', () => {
    expect(parseGrubCfg('source /boot/grub/theme/1\nconfigfile $prefix/x.cfg\nconfigfile (cd0)/boot/grub/loopback.cfg\n').includes).toEqual(['boot/grub/theme/1', 'boot/grub/loopback.cfg']);
  });

  it.each([
    ['unbalanced braces', '}}}}\nmenuentry a {\n linux /a\n'],
    ['binary noise', '\u0000\u00ff{{{ linux'],
    ['linux outside an entry', 'linux /vmlinuz\ninitrd /initrd\n'],
  ])('%s yields no entries and no throw', (_why, text) => expect(parseGrubCfg(text).entries).toEqual([]));
});

describe('isolinux.cfg', () => {
  it('lorax menu: relative kernel, initrd= moved out of the args, menu default', () => {
    const menu = parseIsolinuxCfg('default vesamenu.c32\nlabel linux\n  menu label ^Install X\n  kernel vmlinuz\n  append initrd=initrd.img inst.stage2=hd:LABEL=X quiet\nlabel check\n  menu label Test ^media\n  menu default\n  kernel vmlinuz\n  append initrd=initrd.img rd.live.check\n', 'isolinux');
    expect(menu.entries).toEqual([
      { title: 'Install X', kernel: 'isolinux/vmlinuz', initrds: ['isolinux/initrd.img'], args: ['inst.stage2=hd:LABEL=X', 'quiet'], loader: 'kernel', isDefault: false },
      { title: 'Test media', kernel: 'isolinux/vmlinuz', initrds: ['isolinux/initrd.img'], args: ['rd.live.check'], loader: 'kernel', isDefault: true },
    ]);
  });

  it('DEFAULT naming a label, LINUX and INITRD directives, comma initrds, includes', () => {
    const menu = parseIsolinuxCfg('include menu.cfg\nDEFAULT live\nLABEL live\n LINUX /casper/vmlinuz\n INITRD /casper/initrd,/casper/extra\n APPEND boot=casper ---\n', 'isolinux');
    expect(menu.includes).toEqual(['isolinux/menu.cfg']);
    expect(menu.entries).toEqual([{ title: 'live', kernel: 'casper/vmlinuz', initrds: ['casper/initrd', 'casper/extra'], args: ['boot=casper', '---'], loader: 'linux', isDefault: true }]);
  });

  it('labels without a kernel (localboot) are dropped', () => {
    expect(parseIsolinuxCfg('label local\n localboot 0x80\n', '').entries).toEqual([]);
  });
});
