import { describe, expect, it } from 'vitest';
import { bootstrapAnswer } from '../../boot/bootstrap-answers.ts';
import { commonProfileSchema } from '../profile.ts';
import { context, DEBIAN, KEY, MATRIX, matrixProfile, ROOT_HASH, STATIC_ADDRESS, USER_HASH } from '../deb-fixtures.ts';
import { parsePreseed, parseRecipe, preseedLines } from './parse.ts';
import { renderPreseed } from './render.ts';
import { preseedSectionSchema } from './section.ts';
import exampleBookworm from './corpus/example-bookworm.cfg?raw';
import staticLvmRecipe from './corpus/static-lvm-recipe.cfg?raw';
import uefiExpertRecipe from './corpus/uefi-expert-recipe.cfg?raw';

const codes = (r: { issues: { code: string }[] }) => r.issues.map((i) => i.code);
function load(text: string) {
  const r = parsePreseed(text);
  return { ...r, p: commonProfileSchema.parse(r.profile), s: preseedSectionSchema.parse(r.section) };
}

describe('preseed lines', () => {
  it('comments and blank lines first, then continuations joined with one space, the value keeps inner spacing', () => {
    const issues: { code: string }[] = [];
    const lines = preseedLines('# c\n\nd-i a/b string x  y\r\n  d-i c/d \\\n   string \\\n  v1 \\\n# not a comment inside? it is dropped first\n v2\nbroken\n', issues as never);
    expect(lines.map((l) => [l.owner, l.question, l.type, l.value])).toEqual([
      ['d-i', 'a/b', 'string', 'x  y'],
      ['d-i', 'c/d', 'string', 'v1 v2'],
    ]);
    expect(codes({ issues })).toEqual(['PRESEED_SYNTAX']);
  });

  it('a type with no value is an empty value; a question without a type is an error', () => {
    const issues: never[] = [];
    expect(preseedLines('d-i mirror/http/proxy string\nd-i x\n', issues).map((l) => l.value)).toEqual(['']);
    expect(issues).toHaveLength(1);
  });
});

describe('preseed import: real-world files', () => {
  it("the installation guide's example: user with a plain password, lvm atomic, an external mirror, unknown lines kept", () => {
    const r = load(exampleBookworm);
    expect(codes(r)).toEqual(['PLAINTEXT_PASSWORD']);
    expect(r.p.accounts).toMatchObject({ root: null, user: { name: 'debian', fullName: 'Debian User', password: { plain: 'insecure' }, admin: true } });
    expect(r.p.network.hostname).toBeUndefined();
    expect(r.p.network.domain).toBeUndefined();
    expect(r.p.disk).toMatchObject({ layout: 'lvm', wipe: true, target: 'auto' });
    expect(r.s).toMatchObject({ mirror: { hostname: 'deb.debian.org', directory: '/debian' }, recipe: 'atomic', tasks: ['standard', 'web-server', 'ssh-server'], upgrade: 'safe-upgrade', aptServices: ['security', 'updates'], popularityContest: false });
    expect(r.p.packages.install).toEqual(['openssh-server', 'build-essential']);
    expect(r.p.locale).toMatchObject({ timezone: 'America/New_York', utc: true, ntp: [] });
    expect(r.s.advanced).toEqual(['d-i netcfg/wireless_wep string', 'd-i apt-setup/cdrom/set-first boolean false']);
  });

  it('static addressing with a cobbler-era LVM recipe: the recipe is kept whole, foreign commands mapped', () => {
    const r = load(staticLvmRecipe);
    expect(codes(r)).toEqual(['IMPORT_NIC_BY_MAC', 'IMPORT_STATIC_ADDRESS', 'IMPORT_KEPT_ADVANCED']);
    expect(r.p.network).toMatchObject({ mode: 'static', dns: ['10.40.0.2', '10.40.0.3'], hostname: 'db-21', domain: 'dc1.example' });
    expect(r.p.locale).toMatchObject({ language: 'de_DE.UTF-8', keyboard: 'de(nodeadkeys)' });
    expect(r.p.accounts).toMatchObject({ root: { hash: ROOT_HASH }, user: null });
    expect(r.p.disk).toMatchObject({ layout: 'lvm', target: '/dev/sda', wipe: true });
    expect(r.s).toMatchObject({ mirror: { hostname: 'mirror.dc1.example:3142', directory: '/debian' }, suite: 'bookworm', bootDevice: 'default' });
    expect(r.s.advanced).toEqual(['d-i partman-auto-lvm/new_vg_name string vg0', expect.stringMatching(/^d-i partman-auto\/expert_recipe string boot-root :: 512 512 512 ext4 .* 64 512 300% linux-swap \$lvmok\{ \} method\{ swap \} format\{ \} \.$/)]);
    expect(r.p.preScript).toBe('anna-install network-console');
    expect(r.s.lateCommand).toBe("in-target sed -i 's/^#PermitRootLogin.*/PermitRootLogin yes/' /etc/ssh/sshd_config; cp /cdrom/extra/site.conf /target/etc/site.conf");
  });

  it("a UEFI + BIOS expert recipe in partman's style becomes the custom layout; repository with key; poweroff", () => {
    const r = load(uefiExpertRecipe);
    expect(codes(r)).toEqual(['IMPORT_RECIPE_RANGE']);
    expect(r.p.disk.layout).toBe('custom');
    expect(r.p.disk.partitions).toEqual([
      { mount: 'biosboot', fsType: 'biosboot', sizeMiB: 1, grow: false },
      { mount: '/boot/efi', fsType: 'vfat', sizeMiB: 513, grow: false },
      { mount: '/boot', fsType: 'ext4', sizeMiB: 953, grow: false },
      { mount: 'swap', fsType: 'swap', sizeMiB: 3906, grow: false },
      { mount: '/', fsType: 'xfs', sizeMiB: 9536, grow: true },
    ]);
    expect(r.p.accounts).toMatchObject({ root: { hash: ROOT_HASH }, user: { name: 'webadmin', password: { hash: USER_HASH }, admin: true } });
    expect(r.p.packages.repositories).toEqual([{ name: 'example', url: 'http://apt.example/debian' }]);
    expect(r.s.repositories).toEqual({ example: { suite: 'bookworm', components: ['main', 'contrib'], key: 'http://apt.example/key.asc', trusted: false } });
    expect(r.s).toMatchObject({ proxy: 'http://proxy.example:3128/', tasks: ['ssh-server'], popularityContest: true, aptServices: ['security'] });
    expect(r.p.locale.ntp).toEqual(['ntp.example']);
    expect(r.p.finish).toBe('poweroff');
  });

  it("rackboot's bootstrap preseed: callbacks dropped, the host name kept", () => {
    const text = bootstrapAnswer({ family: 'debian', name: 'Debian 12' } as never, 'preseed.cfg', { isoUrl: 'http://h/iso/x/', callbackBase: 'http://h/api/callback/52-54-00-ab-cd-ef', token: 'T', hostname: 'n1' })!;
    const r = load(text);
    expect(r.issues).toEqual([]);
    expect(r.p.network.hostname).toBe('n1');
    expect(r.p.preScript).toBe('');
    expect(r.s.lateCommand).toBe('');
    expect(r.s.advanced).toEqual([]);
  });
});

describe('preseed import -> render -> import is stable', () => {
  const files: [string, string][] = [
    ['example-bookworm', exampleBookworm],
    ['static-lvm-recipe', staticLvmRecipe],
    ['uefi-expert-recipe', uefiExpertRecipe],
    ...MATRIX.map(({ name, firmware, mode, layout }): [string, string] => [
      `golden ${name}`,
      renderPreseed(commonProfileSchema.parse(matrixProfile(mode, layout)), preseedSectionSchema.parse({}), context({ distro: DEBIAN, firmware, address: mode === 'static' ? STATIC_ADDRESS : null })),
    ]),
  ];
  it.each(files)('%s', (_, text) => {
    const first = load(text);
    const hashed = JSON.parse(JSON.stringify(first.p).replace(/\{"plain":"[^"]*"\}/g, `{"hash":"${USER_HASH}"}`));
    const ctx = context({ distro: DEBIAN, hostname: null, address: STATIC_ADDRESS, firmware: text.includes('biosgrub') ? 'bios' : 'uefi' });
    const out = renderPreseed(commonProfileSchema.parse(hashed), first.s, ctx);
    const second = load(out);
    expect(second.p).toEqual(commonProfileSchema.parse(hashed));
    expect(second.s).toEqual(first.s);
    expect(renderPreseed(second.p, second.s, ctx)).toBe(out);
  });

  it('SSH keys and services come back from the setup script', () => {
    const p = commonProfileSchema.parse({ ...matrixProfile('dhcp', 'lvm'), accounts: { root: null, user: null, sshKeys: [KEY, `${KEY.replace('ops@bastion', "it's $(me)")}`] }, security: { enableServices: ['chrony', 'ssh'], disableServices: ['apparmor'] } });
    const r = load(renderPreseed(p, preseedSectionSchema.parse({}), context({ distro: DEBIAN })));
    expect(r.p.accounts.sshKeys).toEqual(p.accounts.sshKeys);
    expect(r.p.security).toMatchObject({ enableServices: ['chrony', 'ssh'], disableServices: ['apparmor'] });
  });
});

describe('preseed import: hostile and odd input', () => {
  it('a recipe with unknown specifiers or percentages is not guessed at', () => {
    expect(parseRecipe('x :: 100 200 300% ext4 method{ format } format{ } use_filesystem{ } filesystem{ ext4 } mountpoint{ / } .')).toBeNull();
    expect(parseRecipe('x :: 100 200 300 ext4 $lvmok{ } method{ format } mountpoint{ / } .')).toBeNull();
    expect(parseRecipe('x :: 100 100 100 ext4 method{ keep } .')).toBeNull();
    expect(parseRecipe('no header here')).toBeNull();
  });

  it('a yescrypt hash is refused with an error at its field, not stored', () => {
    const r = load('d-i passwd/root-password-crypted password $y$j9T$abc$def\nd-i passwd/make-user boolean false\n');
    expect(r.issues).toEqual([expect.objectContaining({ code: 'PASSWORD_HASH_UNSUPPORTED', path: ['accounts', 'root'], severity: 'error' })]);
    expect(r.p.accounts.root).toBeNull();
  });

  it('the last value of a question wins, as in debconf', () => {
    expect(load('d-i time/zone string UTC\nd-i time/zone string Asia/Tokyo\n').p.locale.timezone).toBe('Asia/Tokyo');
  });

  it('a command that only resembles rackboot\'s is imported as a foreign command, whole', () => {
    const r = load("d-i preseed/late_command string printf %s ZWNobw== | base64 -d >/target/tmp/rackboot-post.sh && in-target sh /tmp/rackboot-post.sh; reboot\n");
    expect(r.p.postScript).toBe('');
    expect(r.s.lateCommand).toBe('printf %s ZWNobw== | base64 -d >/target/tmp/rackboot-post.sh && in-target sh /tmp/rackboot-post.sh; reboot');
  });
});
