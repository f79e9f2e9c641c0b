import { describe, expect, it } from 'vitest';
import { commonProfileSchema, type CommonProfileInput } from '../profile.ts';
import { AnswerRenderError } from '../deb-common.ts';
import { BASE, context, HOSTILE_SCRIPT, unchecked, KEY, MATRIX, matrixProfile, ROOT_HASH, STATIC_ADDRESS, USER_HASH } from '../deb-fixtures.ts';
import { shUnquote } from '../shell-quote.ts';
import { POST_FAILED_SUFFIX, renderAutoinstall } from './render.ts';
import { autoinstallSectionSchema, type AutoinstallSectionInput } from './section.ts';
import { fromYaml } from './yaml.ts';

type Obj = Record<string, unknown>;
const render = (p: CommonProfileInput, s: AutoinstallSectionInput = {}, c = context()) =>
  renderAutoinstall(commonProfileSchema.parse(p), autoinstallSectionSchema.parse(s), c);
/** The `autoinstall:` mapping of a rendered user-data. */
function ai(userData: string): Obj {
  const y = fromYaml(userData);
  if (!y.ok) throw new Error(y.message);
  return (y.value as Obj).autoinstall as Obj;
}

describe('autoinstall goldens: firmware x addressing x layout', () => {
  it.each(MATRIX)('$name', async ({ firmware, mode, layout, name }) => {
    const c = context({ firmware, address: mode === 'static' ? STATIC_ADDRESS : null });
    const { userData } = render(matrixProfile(mode, layout), { repositories: { internal: { trusted: true } } }, c);
    await expect(userData).toMatchFileSnapshot(`./golden/${name}.user-data`);
    expect(userData.startsWith('#cloud-config\n')).toBe(true);
    expect(userData).toMatch(/^# rackboot-callback: \S+\/started\?token=\S+ \S+\/done\?token=\S+$/m);
  });

  it('meta-data: an instance per NIC and the host name', async () => {
    const { metaData } = render(BASE);
    await expect(metaData).toMatchFileSnapshot('./golden/meta-data');
    expect(metaData).toBe('instance-id: rackboot-525400abcdef\nlocal-hostname: rack-node-7\n');
  });
});

describe('autoinstall render', () => {
  it('version 1, the started callback first in early-commands, done last in late-commands, shutdown from finish', () => {
    const a = ai(render({ ...BASE, finish: 'poweroff' }).userData);
    expect(a.version).toBe(1);
    const early = a['early-commands'] as string[];
    const late = a['late-commands'] as string[];
    expect(early[0]).toBe("wget -q -T 10 -t 2 -O /dev/null 'http://198.18.0.1:8080/api/callback/52-54-00-ab-cd-ef/started?token=4f9c2e' || true");
    expect(early[1]).toBe(BASE.preScript);
    expect(late.at(-1)).toMatch(/^wget .*\/done\?token=4f9c2e' \|\| true$/);
    expect(a.shutdown).toBe('poweroff');
  });

  it('network: the boot NIC matched by MAC and renamed; static from the reservation with the domain as search', () => {
    const a = ai(render({ ...BASE, network: { mode: 'static', domain: 'rack.test' } }, {}, context({ address: STATIC_ADDRESS })).userData);
    expect(a.network).toEqual({
      version: 2,
      ethernets: {
        boot0: {
          match: { macaddress: '52:54:00:ab:cd:ef' },
          'set-name': 'boot0',
          dhcp4: false,
          addresses: ['198.18.0.50/24'],
          routes: [{ to: '0.0.0.0/0', via: '198.18.0.254' }],
          nameservers: { addresses: ['198.18.0.1'], search: ['rack.test'] },
        },
      },
    });
    // Static without a reserved address falls back to DHCP (validate warns STATIC_WITHOUT_ADDRESS).
    const dhcp = ai(render({ ...BASE, network: { mode: 'static' } }).userData);
    expect((dhcp.network as { ethernets: { boot0: Obj } }).ethernets.boot0.dhcp4).toBe(true);
    const kept = ai(render(BASE, { network: { interfaceName: 'lan', rename: false } }).userData);
    expect((kept.network as { ethernets: Obj }).ethernets).toEqual({ lan: { match: { macaddress: '52:54:00:ab:cd:ef' }, dhcp4: true } });
  });

  it('identity for a user with a password; root by usermod in-target; a non-admin leaves sudo', () => {
    const a = ai(render({ ...BASE, accounts: { ...BASE.accounts, user: { name: 'ops', fullName: 'Ops Team', password: { hash: USER_HASH }, admin: false } } }).userData);
    expect(a.identity).toEqual({ hostname: 'rack-node-7', username: 'ops', password: USER_HASH, realname: 'Ops Team' });
    expect(a.ssh).toEqual({ 'install-server': true, 'authorized-keys': [KEY] });
    expect(a['late-commands']).toContain(`curtin in-target -- usermod -p '${ROOT_HASH}' root`);
    expect(a['late-commands']).toContain("curtin in-target -- gpasswd -d 'ops' sudo");
    expect(a['user-data']).toEqual({ ntp: { enabled: true, servers: ['ntp1.rack.test'] } });
  });

  it('no user: no identity, root is the login through user-data (keys to root, no default user)', () => {
    const a = ai(render({ ...BASE, accounts: { root: { hash: ROOT_HASH }, user: null, sshKeys: [KEY] } }).userData);
    expect(a.identity).toBeUndefined();
    expect(a['user-data']).toEqual({ hostname: 'rack-node-7', fqdn: 'rack-node-7.rack.test', users: [], disable_root: false, ntp: { enabled: true, servers: ['ntp1.rack.test'] } });
    expect((a.ssh as Obj)['authorized-keys']).toEqual([KEY]);
    expect(a['late-commands']).toContain(`curtin in-target -- usermod -p '${ROOT_HASH}' root`);
  });

  it('a key-only user comes from cloud-init at first boot, password locked, password-less sudo as admin', () => {
    const a = ai(render({ ...BASE, accounts: { root: null, user: { name: 'ops', fullName: 'Ops Team', password: null }, sshKeys: [KEY] } }).userData);
    expect(a.identity).toBeUndefined();
    expect((a['user-data'] as Obj).users).toEqual([
      { name: 'ops', gecos: 'Ops Team', groups: ['adm', 'sudo'], shell: '/bin/bash', lock_passwd: true, sudo: 'ALL=(ALL) NOPASSWD:ALL', ssh_authorized_keys: [KEY] },
    ]);
    expect((a.ssh as Obj)['authorized-keys']).toBeUndefined();
    expect((a['late-commands'] as string[]).some((c) => c.includes('usermod'))).toBe(false);
  });

  it('host name: the reservation first, an FQDN split, else subiquity needs one: ubuntu', () => {
    expect((ai(render(BASE, {}, context({ hostname: 'db1.dc2.example' })).userData)['identity'] as Obj).hostname).toBe('db1');
    expect((ai(render({ ...BASE, network: { hostname: 'from-profile' } }, {}, context({ hostname: null })).userData)['identity'] as Obj).hostname).toBe('from-profile');
    expect((ai(render(BASE, {}, context({ hostname: null })).userData)['identity'] as Obj).hostname).toBe('ubuntu');
  });

  it('layouts: lvm with sizing policy, plain is direct on the target path, zfs from the section, wipe off asks on the storage screen', () => {
    expect(ai(render(BASE).userData).storage).toEqual({ layout: { name: 'lvm', 'sizing-policy': 'scaled', match: { size: 'largest' } } });
    expect(ai(render({ ...BASE, disk: { layout: 'plain', target: '/dev/vdb' } }).userData).storage).toEqual({ layout: { name: 'direct', match: { path: '/dev/vdb' } } });
    expect(ai(render({ ...BASE, disk: { layout: 'auto' } }, { storage: { layout: 'zfs', match: { serial: 'WD-*' } } }).userData).storage).toEqual({ layout: { name: 'zfs', match: { serial: 'WD-*' } } });
    expect(ai(render({ ...BASE, disk: { wipe: false } }).userData)['interactive-sections']).toEqual(['storage']);
  });

  it('custom on BIOS: a bios_grub partition and grub_device on the disk; the growing partition last', () => {
    const a = ai(render({ ...BASE, disk: { layout: 'custom', target: 'auto', partitions: [{ mount: '/', sizeMiB: 8192, grow: true }, { mount: 'swap', sizeMiB: 1024 }] } }, {}, context({ firmware: 'bios' })).userData);
    const config = (a.storage as { config: Obj[] }).config;
    expect(config[0]).toMatchObject({ type: 'disk', grub_device: true, match: { size: 'largest' } });
    const parts = config.filter((x) => x.type === 'partition');
    expect(parts.map((p) => [p.number, p.size, p.flag])).toEqual([
      [1, '1M', 'bios_grub'],
      [2, '1024M', 'swap'],
      [3, -1, undefined],
    ]);
    expect(() => render({ ...BASE, disk: { layout: 'custom', partitions: [{ mount: '/', sizeMiB: 1, grow: true }, { mount: '/var', sizeMiB: 1, grow: true }] } })).toThrow(AnswerRenderError);
  });

  it('packages, snaps, apt sources with the key or [trusted=yes], kernel, source, drivers, updates', () => {
    const a = ai(
      render(BASE, {
        repositories: { internal: { suite: 'noble', components: ['main', 'extra'], trusted: true } },
        snaps: [{ name: 'lxd', channel: '5.21/stable' }],
        kernel: { flavor: 'hwe' },
        source: { id: 'ubuntu-server-minimal' },
        drivers: { install: true },
        updates: 'all',
        refreshInstaller: { update: true, channel: 'latest/stable' },
      }).userData,
    );
    expect(a.packages).toEqual(['vim', 'curl', 'chrony']);
    expect(a.apt).toEqual({ geoip: false, sources: { internal: { source: 'deb [trusted=yes] http://repo.rack.test/apt noble main extra' } } });
    expect(a.snaps).toEqual([{ name: 'lxd', channel: '5.21/stable', classic: false }]);
    expect(a.kernel).toEqual({ flavor: 'hwe' });
    expect(a.source).toEqual({ id: 'ubuntu-server-minimal' });
    expect(a.drivers).toEqual({ install: true });
    expect(a.updates).toBe('all');
    expect(a['refresh-installer']).toEqual({ update: true, channel: 'latest/stable' });
  });

  it('advanced keys are re-emitted verbatim, reserved ones never replace rackboot\'s', () => {
    const a = ai(render(BASE, { advanced: { reporting: { hook: { type: 'webhook', endpoint: 'http://x/' } }, 'late-commands': ['evil'], storage: { layout: { name: 'hybrid' } } } }).userData);
    expect(a.reporting).toEqual({ hook: { type: 'webhook', endpoint: 'http://x/' } });
    expect(a.storage).toEqual({ layout: { name: 'hybrid' } });
    expect(a['late-commands']).not.toContain('evil');
  });

  it('a plain-text password never reaches the file', () => {
    expect(() => render({ ...BASE, accounts: { root: { plain: 'secret' } } })).toThrow(/plain-text/);
  });
});

describe('autoinstall render: hostile input stays data', () => {
  it('the post script is one sh word for curtin in-target: quoting reads back to the exact script', () => {
    const late = ai(render({ ...BASE, postScript: HOSTILE_SCRIPT }).userData)['late-commands'] as string[];
    const post = late.find((c) => c.startsWith('curtin in-target -- sh -c '))!;
    expect(post.endsWith(POST_FAILED_SUFFIX)).toBe(true);
    const word = post.slice('curtin in-target -- sh -c '.length, -POST_FAILED_SUFFIX.length);
    expect(shUnquote(word)).toBe(HOSTILE_SCRIPT);
  });

  it.each([
    ['quotes, a hash and a dash in the full name', "O'Brien - #1 \"ops\" {x} [y] &z *w"],
    ['YAML 1.1 booleans and numbers', 'yes'],
    ['a line separator PyYAML would break on', 'evil\u2028 - autoinstall {}'],
    ['NEL and a C1 control', 'a\u0085b\u009bc'],
  ])('%s', (_, fullName) => {
    const hostile = { ...BASE, accounts: { ...BASE.accounts, user: { name: 'ops', fullName, password: { hash: USER_HASH } } } };
    expect(commonProfileSchema.safeParse(hostile).success).toBe(/[\u0085\u2028]/.test(fullName) ? false : true);
    const { userData } = renderAutoinstall(unchecked(commonProfileSchema.parse({ ...hostile, accounts: { ...hostile.accounts, user: { ...hostile.accounts.user, fullName: 'x' } } }), hostile), autoinstallSectionSchema.parse({}), context());
    expect((ai(userData).identity as Obj).realname).toBe(fullName);
    // No raw character PyYAML reads as a line break or refuses outside the escapes.
    expect(userData).not.toMatch(/[\u0085\u2028\u2029\u009b]/);
  });

  it('a profile name with line breaks cannot leave its comment', () => {
    expect(commonProfileSchema.safeParse({ ...BASE, name: 'x\u2028autoinstall: evil' }).success).toBe(false);
    const { userData } = renderAutoinstall(unchecked(commonProfileSchema.parse(BASE), { name: 'x\u2028autoinstall: evil' }), autoinstallSectionSchema.parse({}), context());
    expect(userData.split('\n')[1]).toBe('# rackboot autoinstall for Ubuntu 24.04.1 LTS from profile "x?autoinstall: evil"');
  });
});
