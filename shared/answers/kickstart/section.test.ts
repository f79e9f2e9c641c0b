import { describe, expect, it } from 'vitest';
import { kickstartSectionSchema } from './section.ts';

describe('kickstartSectionSchema', () => {
  it('fills a complete section from {}', () => {
    expect(kickstartSectionSchema.parse({})).toEqual({
      mode: 'text',
      eula: true,
      skipx: false,
      firstboot: 'disable',
      kdump: { state: 'default', reserveMb: 'auto' },
      packages: { environment: null, ignoreMissing: false, noCore: false, excludeWeakdeps: false, excludeDocs: false, instLangs: [] },
      rootAllowSsh: false,
      bootloader: { append: [], passwordHash: null, timeout: null },
      auth: { profile: 'default', features: [] },
      storage: { diskLabel: 'auto', volumeGroup: null, verbatim: false },
      post: { nochroot: false, log: true },
      advanced: { commands: [], sections: [] },
    });
  });

  it('rejects unknown keys', () => {
    expect(kickstartSectionSchema.safeParse({ modes: 'text' }).success).toBe(false);
    expect(kickstartSectionSchema.safeParse({ packages: { nocore: true } }).success).toBe(false);
  });

  const ok = (v: unknown) => kickstartSectionSchema.safeParse(v).success;

  it.each([
    ['kernel argument with a space', { bootloader: { append: ['quiet splash'] } }],
    ['kernel argument with a quote', { bootloader: { append: ['a"b'] } }],
    ['kernel argument with $()', { bootloader: { append: ['$(reboot)'] } }],
    ['kernel argument with a newline', { bootloader: { append: ['quiet\nrootpw x'] } }],
    ['environment with a caret', { packages: { environment: '^minimal' } }],
    ['environment with a space', { packages: { environment: 'minimal environment' } }],
    ['grub password not a pbkdf2 hash', { bootloader: { passwordHash: 'secret' } }],
    ['authselect feature not with-*', { auth: { features: ['--force'] } }],
    ['volume group with a slash', { storage: { volumeGroup: 'vg/0' } }],
    ['volume group starting with -', { storage: { volumeGroup: '-vg' } }],
    ['instLangs with a colon', { packages: { instLangs: ['en:fr'] } }],
    ['advanced command with a newline', { advanced: { commands: ['logging\nrootpw --plaintext x'] } }],
    ['advanced command with U+2028', { advanced: { commands: ['logging\u2028rootpw --plaintext x'] } }],
    ['advanced command with \\x85', { advanced: { commands: ['logging\x85rootpw'] } }],
    ['advanced command ending in a backslash', { advanced: { commands: ['logging --level=info \\'] } }],
    ['advanced command that opens a section', { advanced: { commands: ['%post'] } }],
    ['advanced command with an open quote', { advanced: { commands: ['logging "info'] } }],
    ['advanced command that is a comment', { advanced: { commands: ['# note'] } }],
    ['advanced section without %end', { advanced: { sections: ['%post\necho hi'] } }],
    ['advanced section without a header', { advanced: { sections: ['echo hi\n%end'] } }],
    ['advanced %packages section', { advanced: { sections: ['%packages\nvim\n%end'] } }],
    ['advanced section with an early %end', { advanced: { sections: ['%post\necho a\n%end\nrootpw --plaintext x\n%post\necho b\n%end'] } }],
    ['advanced section with an early %end after U+2028', { advanced: { sections: ['%post\necho a\u2028%end\n%end'] } }],
    ['advanced section opening another section', { advanced: { sections: ['%post\n%pre\n%end'] } }],
  ])('rejects %s', (_why, value) => {
    expect(ok(value)).toBe(false);
  });

  it.each([
    ['kernel arguments', { bootloader: { append: ['console=ttyS0,115200n8', 'crashkernel=auto', 'rd.driver.blacklist=nouveau'] } }],
    ['a grub password hash', { bootloader: { passwordHash: 'grub.pbkdf2.sha512.10000.0123456789ABCDEF.FEDCBA9876543210' } }],
    ['an include', { advanced: { commands: ['%include /tmp/part.ks'] } }],
    ['a quoted command', { advanced: { commands: ['realm join --one-time-password="a b" example.com'] } }],
    ['an addon section', { advanced: { sections: ["%addon com_redhat_kdump --enable --reserve-mb='auto'\n\n%end"] } }],
    ['a python %post', { advanced: { sections: ['%post --interpreter=/usr/bin/python3\nprint("%end")\n%end'] } }],
    ['kdump with a size', { kdump: { state: 'enabled', reserveMb: 256 } }],
  ])('accepts %s', (_why, value) => {
    expect(ok(value)).toBe(true);
  });
});
