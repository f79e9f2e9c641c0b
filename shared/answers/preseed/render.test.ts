import { describe, expect, it } from 'vitest';
import { commonProfileSchema, type CommonProfileInput } from '../profile.ts';
import { AnswerRenderError } from '../deb-common.ts';
import { unchecked, BASE, context, DEBIAN, HOSTILE_SCRIPT, KEY, MATRIX, matrixProfile, ROOT_HASH, STATIC_ADDRESS, USER_HASH, type CtxOptions } from '../deb-fixtures.ts';
import { base64Decode } from '../shell-quote.ts';
import { preseedLines } from './parse.ts';
import { expertRecipe, isoMirror, renderPreseed } from './render.ts';
import { preseedSectionSchema, type PreseedSectionInput } from './section.ts';

const ctxOf = (o: CtxOptions = {}) => context({ distro: DEBIAN, ...o });
const render = (p: CommonProfileInput, s: PreseedSectionInput = {}, c = ctxOf()) => renderPreseed(commonProfileSchema.parse(p), preseedSectionSchema.parse(s), c);
/** question -> value, as d-i would load the file. */
const values = (text: string) => new Map(preseedLines(text).map((l) => [l.question, l.value]));

describe('preseed goldens: firmware x addressing x layout', () => {
  it.each(MATRIX)('$name', async ({ firmware, mode, layout, name }) => {
    const c = ctxOf({ firmware, address: mode === 'static' ? STATIC_ADDRESS : null });
    const text = render(matrixProfile(mode, layout), { repositories: { internal: { key: 'http://repo.rack.test/apt/key.asc' } } }, c);
    await expect(text).toMatchFileSnapshot(`./golden/${name}.cfg`);
    expect(text).toMatch(/^# rackboot-callback: \S+\/started\?token=\S+ \S+\/done\?token=\S+$/m);
    // Every logical line is "owner question type [value]".
    for (const l of text.split('\n')) if (l && !l.startsWith('#') && !l.startsWith(' ')) expect(l).toMatch(/^\S+ \S+ \S+/);
  });
});

describe('preseed render', () => {
  it('the boot NIC by MAC, host name forced, the ISO as the mirror', () => {
    const v = values(render(BASE));
    expect(v.get('netcfg/choose_interface')).toBe('52:54:00:ab:cd:ef');
    expect(v.get('netcfg/get_hostname')).toBe('rack-node-7');
    expect(v.get('netcfg/hostname')).toBe('rack-node-7');
    expect(v.get('netcfg/get_domain')).toBe('rack.test');
    expect(v.get('mirror/http/hostname')).toBe('198.18.0.1:8080');
    expect(v.get('mirror/http/directory')).toBe('/iso/7f3a');
    expect(v.get('debian-installer/allow_unauthenticated')).toBe('true');
    expect(isoMirror('http://[::1]:80/iso/x/')).toEqual({ hostname: '[::1]:80', directory: '/iso/x' });
    const own = values(render(BASE, { mirror: { hostname: 'deb.debian.org', directory: '/debian' }, suite: 'bookworm' }));
    expect(own.get('mirror/http/hostname')).toBe('deb.debian.org');
    expect(own.has('debian-installer/allow_unauthenticated')).toBe(false);
    expect(own.get('mirror/suite')).toBe('bookworm');
  });

  it('static: no autoconfig, the reservation, and netcfg runs again once the preseed is loaded', () => {
    const v = values(render({ ...BASE, network: { mode: 'static', domain: 'rack.test' } }, {}, ctxOf({ address: STATIC_ADDRESS })));
    expect([v.get('netcfg/disable_autoconfig'), v.get('netcfg/get_ipaddress'), v.get('netcfg/get_netmask'), v.get('netcfg/get_gateway'), v.get('netcfg/get_nameservers')]).toEqual([
      'true',
      '198.18.0.50',
      '255.255.255.0',
      '198.18.0.254',
      '198.18.0.1',
    ]);
    expect(v.get('preseed/early_command')).toMatch(/; kill-all-dhcp; netcfg$/);
    const noGw = values(render({ ...BASE, network: { mode: 'static' } }, {}, ctxOf({ address: { ...STATIC_ADDRESS, gateway: null } })));
    expect(noGw.get('netcfg/get_gateway')).toBe('');
    expect(noGw.get('netcfg/no_default_route')).toBe('true');
  });

  it.each<[string, CommonProfileInput['accounts'], Record<string, string | undefined>]>([
    ['root and an admin user', BASE.accounts, { 'passwd/root-login': 'true', 'passwd/root-password-crypted': ROOT_HASH, 'passwd/username': 'ops', 'passwd/user-password-crypted': USER_HASH, 'passwd/user-default-groups': 'audio cdrom dip floppy video plugdev users netdev sudo' }],
    ['root locked: the user is the sudoer', { root: null, user: { name: 'ops', password: { hash: USER_HASH } } }, { 'passwd/root-login': 'false', 'passwd/make-user': 'true', 'passwd/user-default-groups': undefined }],
    ['no user', { root: { hash: ROOT_HASH }, user: null }, { 'passwd/root-login': 'true', 'passwd/make-user': 'false', 'passwd/username': undefined }],
    ['keys only: root locked with !', { root: null, user: null, sshKeys: [KEY] }, { 'passwd/root-login': 'true', 'passwd/root-password-crypted': '!', 'passwd/make-user': 'false' }],
    ['a key-only user', { root: null, user: { name: 'ops', password: null }, sshKeys: [KEY] }, { 'passwd/user-password-crypted': '!' }],
  ])('accounts: %s', (_, accounts, expected) => {
    const v = values(render({ ...BASE, accounts }));
    for (const [q, value] of Object.entries(expected)) expect([q, v.get(q)]).toEqual([q, value]);
  });

  it('SSH keys and services go through a setup script run in-target, before the post script and the done callback', () => {
    const late = values(render(BASE)).get('preseed/late_command')!;
    const parts = late.split('; ');
    expect(parts[0]).toMatch(/^printf %s [A-Za-z0-9+/=]+ \| base64 -d >\/target\/tmp\/rackboot-setup\.sh && in-target sh \/tmp\/rackboot-setup\.sh \|\| logger -t rackboot "setup script failed"$/);
    const setup = base64Decode(/printf %s (\S+)/.exec(parts[0]!)![1]!)!;
    expect(setup).toContain(`cat >>/home/ops/.ssh/authorized_keys <<'RACKBOOT_KEYS'\n${KEY}\nRACKBOOT_KEYS`);
    expect(setup).toContain("systemctl enable 'chrony'");
    expect(parts.at(-1)).toBe("wget -q -O /dev/null 'http://198.18.0.1:8080/api/callback/52-54-00-ab-cd-ef/done?token=4f9c2e' || true");
    expect(late).toContain('rackboot-post.sh');
    const early = values(render(BASE)).get('preseed/early_command')!;
    expect(early.startsWith("wget -q -O /dev/null 'http://198.18.0.1:8080/api/callback/52-54-00-ab-cd-ef/started?token=4f9c2e' || true; printf %s ")).toBe(true);
  });

  it('partitioning: lvm + recipe, plain on a target, the first disk for target auto, wipe off leaves the confirmations to the console', () => {
    const lvm = values(render(BASE, { recipe: 'home' }));
    expect([lvm.get('partman-auto/method'), lvm.get('partman-auto/choose_recipe'), lvm.get('partman-auto-lvm/guided_size')]).toEqual(['lvm', 'home', 'max']);
    expect(lvm.get('partman/early_command')).toBe('debconf-set partman-auto/disk "$(list-devices disk | head -n1)"');
    const plain = values(render({ ...BASE, disk: { layout: 'plain', target: '/dev/vda' } }));
    expect([plain.get('partman-auto/method'), plain.get('partman-auto/disk'), plain.get('grub-installer/bootdev')]).toEqual(['regular', '/dev/vda', '/dev/vda']);
    const keep = values(render({ ...BASE, disk: { wipe: false } }));
    expect(keep.has('partman/confirm')).toBe(false);
    expect(keep.has('partman-lvm/device_remove_lvm')).toBe(false);
  });

  it('expert_recipe: biosgrub first on BIOS, the ESP as method efi on UEFI, fixed sizes pinned, growth unbounded', () => {
    const p = commonProfileSchema.parse({ ...BASE, disk: { layout: 'custom', partitions: [{ mount: '/', sizeMiB: 10240, grow: true }, { mount: 'swap', sizeMiB: 1024 }, { mount: '/boot/efi', sizeMiB: 512 }] } });
    expect(expertRecipe(p, 'bios')).toEqual([
      '2 3 2 free $primary{ } method{ biosgrub } .',
      '537 538 537 fat32 method{ format } format{ } use_filesystem{ } filesystem{ fat32 } mountpoint{ /boot/efi } .',
      '10738 1010738 1000000000 ext4 $primary{ } $bootable{ } method{ format } format{ } use_filesystem{ } filesystem{ ext4 } mountpoint{ / } .',
      '1074 1075 1074 linux-swap method{ swap } format{ } .',
    ]);
    expect(expertRecipe(p, 'uefi')[0]).toBe('537 538 537 free $primary{ } method{ efi } format{ } .');
    const v = values(render({ ...BASE, disk: { layout: 'custom', partitions: [{ mount: '/boot/efi', sizeMiB: 512 }, { mount: '/', sizeMiB: 1, grow: true }] } }));
    expect(v.get('partman-partitioning/choose_label')).toBe('gpt');
    expect(v.get('partman-basicfilesystems/no_swap')).toBe('false');
    expect(v.get('partman-auto/expert_recipe')).toMatch(/^rackboot :: 537 538 537 free /);
  });

  it('packages, tasks, repositories with key or [trusted=yes], NTP, finish', () => {
    const v = values(
      render(
        { ...BASE, locale: { ...BASE.locale, ntp: ['a.ntp', 'b.ntp'] }, finish: 'poweroff', packages: { ...BASE.packages, repositories: [{ name: 'internal', url: 'http://repo.rack.test/apt' }, { name: 'lab', url: 'https://lab.example/debian' }] } },
        { repositories: { internal: { key: 'http://repo.rack.test/key.asc' }, lab: { trusted: true, suite: 'stable', components: ['main', 'contrib'] } }, tasks: ['standard'], aptServices: ['security'], popularityContest: true, upgrade: 'full-upgrade' },
      ),
    );
    expect(v.get('apt-setup/local0/repository')).toBe('http://repo.rack.test/apt bookworm main');
    expect(v.get('apt-setup/local0/key')).toBe('http://repo.rack.test/key.asc');
    expect(v.get('apt-setup/local1/repository')).toBe('[trusted=yes] https://lab.example/debian stable main contrib');
    expect(v.get('apt-setup/local1/comment')).toBe('lab');
    expect(v.get('tasksel/first')).toBe('standard');
    expect(v.get('pkgsel/include')).toBe('vim curl chrony');
    expect(v.get('pkgsel/upgrade')).toBe('full-upgrade');
    expect(v.get('apt-setup/services-select')).toBe('security');
    expect(v.get('popularity-contest/participate')).toBe('true');
    expect(v.get('clock-setup/ntp-server')).toBe('a.ntp');
    expect(v.get('debian-installer/exit/poweroff')).toBe('true');
  });

  it('advanced lines come last, so an imported value wins (debconf keeps the last)', () => {
    const text = render(BASE, { advanced: ['d-i netcfg/get_domain string other.example', 'd-i partman-auto-lvm/new_vg_name string vg0'] });
    expect(text.trimEnd().split('\n').slice(-2)).toEqual(['d-i netcfg/get_domain string other.example', 'd-i partman-auto-lvm/new_vg_name string vg0']);
    expect(values(text).get('netcfg/get_domain')).toBe('other.example');
  });
});

describe('preseed render: hostile input stays data', () => {
  it('scripts travel base64-encoded: no quoting layer sees their text, and they decode to the exact bytes', () => {
    const v = values(render({ ...BASE, preScript: HOSTILE_SCRIPT, postScript: HOSTILE_SCRIPT }));
    for (const q of ['preseed/early_command', 'preseed/late_command']) {
      const value = v.get(q)!;
      expect(value).not.toMatch(/pwned|\n|\\$/);
      const scripts = [...value.matchAll(/printf %s (\S+) \| base64 -d >(?:\/target)?\/tmp\/rackboot-(pre|post)\.sh/g)];
      expect(scripts).toHaveLength(1);
      expect(base64Decode(scripts[0]![1]!)).toBe(HOSTILE_SCRIPT);
    }
  });

  it('an advanced line ending in a backslash (it would swallow the next line) is refused', () => {
    expect(() => render(BASE, { advanced: ['d-i foo/bar string x\\'] })).toThrow(expect.objectContaining({ code: 'PRESEED_TRAILING_BACKSLASH' }) as unknown as AnswerRenderError);
  });

  it("an imported late command's quoting cannot reach the done callback after it", () => {
    const late = values(render(BASE, { lateCommand: "echo 'unterminated \\" })).get('preseed/late_command')!;
    expect(late.split('; ').at(-1)).toMatch(/^wget -q -O \/dev\/null '.*\/done\?token=4f9c2e' \|\| true$/);
    expect(late).not.toContain('unterminated');
  });

  it('a post script beyond one argument is refused', () => {
    expect(() => render({ ...BASE, postScript: 'x'.repeat(100_000) })).toThrow(/one argument/);
  });

  it('a profile name with control characters stays in its comment', () => {
    expect(commonProfileSchema.safeParse({ ...BASE, name: 'a\u2028d-i' }).success).toBe(false);
    expect(renderPreseed(unchecked(commonProfileSchema.parse(BASE), { name: 'a\u2028d-i passwd/root-login boolean true' }), preseedSectionSchema.parse({}), ctxOf()).split('\n')[0]).toBe('# rackboot preseed for Debian 12.5.0 (bookworm) from profile "a?d-i passwd/root-login boolean true"');
  });
});
