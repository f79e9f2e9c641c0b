import { describe, expect, it } from 'vitest';
import { bootstrapAnswer } from '../../boot/bootstrap-answers.ts';
import { commonProfileSchema } from '../profile.ts';
import { context, MATRIX, matrixProfile, STATIC_ADDRESS } from '../deb-fixtures.ts';
import { parseAutoinstall } from './parse.ts';
import { renderAutoinstall } from './render.ts';
import { autoinstallSectionSchema } from './section.ts';
import curtinEfi from './corpus/curtin-efi.user-data?raw';
import docsQuickstart from './corpus/docs-quickstart.user-data?raw';
import mediaAutoinstall from './corpus/media-autoinstall.yaml?raw';
import raidBond from './corpus/raid-bond.user-data?raw';

const codes = (r: ReturnType<typeof parseAutoinstall>) => r.issues.map((i) => i.code);
/** Parse and normalise through the schemas (what the core stores). */
function load(text: string) {
  const r = parseAutoinstall(text);
  return { ...r, p: commonProfileSchema.parse(r.profile), s: autoinstallSectionSchema.parse(r.section) };
}

describe('autoinstall import: real-world files', () => {
  it('subiquity quickstart style: identity, keys, lvm with sizing policy, packages, foreign late-commands kept in order', () => {
    const r = load(docsQuickstart);
    expect(r.issues).toEqual([]);
    expect(r.p.network.hostname).toBe('ubuntu-server');
    expect(r.p.accounts.user).toEqual({ name: 'ubuntu', fullName: 'Ubuntu User', password: { hash: expect.stringMatching(/^\$6\$wdAcoXrU039hKYPd\$/) }, admin: true });
    expect(r.p.accounts.sshKeys).toEqual([expect.stringMatching(/^ssh-rsa AAAAB3.* deploy key$/)]);
    expect(r.p.disk).toMatchObject({ layout: 'lvm', target: 'auto', wipe: true });
    expect(r.s.storage).toEqual({ sizingPolicy: 'all', match: { size: 'largest' } });
    expect(r.s.ssh).toEqual({ installServer: true, allowPw: false });
    expect(r.p.packages.install).toEqual(['qemu-guest-agent', 'htop']);
    expect(r.p.locale).toMatchObject({ language: 'en_US.UTF-8', keyboard: 'us', timezone: 'Europe/London' });
    expect(r.s.lateCommands).toEqual([
      'curtin in-target -- systemctl enable qemu-guest-agent',
      "echo 'ubuntu ALL=(ALL) NOPASSWD:ALL' > /target/etc/sudoers.d/ubuntu",
      'curtin in-target -- apt-get -y purge snapd',
    ]);
    expect(r.s.apt.geoip).toBe(true); // subiquity's default when the file does not say
  });

  it('media autoinstall.yaml without the wrapper: plain-text password, unmappable keys kept verbatim', () => {
    const r = load(mediaAutoinstall);
    expect(codes(r)).toEqual(['IMPORT_NIC_BY_MAC', 'IMPORT_KEPT_ADVANCED', 'PLAINTEXT_PASSWORD']);
    expect(r.p.accounts.user?.password).toEqual({ plain: 'changeme' });
    expect(r.p.disk).toMatchObject({ layout: 'plain', target: 'auto' });
    expect(r.s.storage.match).toEqual({ serial: 'CT*', ssd: true });
    expect(r.s.network).toEqual({ interfaceName: 'enp0s3', rename: false });
    expect(r.s.interactiveSections).toEqual(['network']);
    expect(Object.keys(r.s.advanced)).toEqual(['apt', 'proxy', 'reporting', 'codecs']);
    expect(r.s.advanced.apt).toEqual({ 'mirror-selection': { primary: [{ uri: 'http://mirror.internal/ubuntu' }] }, fallback: 'offline-install', geoip: false });
    expect(r.s).toMatchObject({ updates: 'all', drivers: { install: true }, source: { id: 'ubuntu-server-minimal' }, snaps: [{ name: 'microk8s', channel: '1.30/stable', classic: true }] });
    expect(r.p.finish).toBe('poweroff');
    expect(r.s.ssh.installServer).toBe(false);
  });

  it('RAID, bonds, yescrypt: kept whole with warnings; several early-commands become one set -e script; live cloud-config kept', () => {
    const r = load(raidBond);
    expect(codes(r)).toEqual(['PASSWORD_HASH_UNSUPPORTED', 'IMPORT_KEPT_ADVANCED', 'IMPORT_KEPT_ADVANCED']);
    expect(r.issues[0]).toMatchObject({ path: ['accounts', 'user', 'password'], severity: 'error' });
    expect(r.p.accounts.user).toMatchObject({ name: 'admin', password: null });
    expect(r.p.preScript).toBe("set -e\nsystemctl stop ssh\nsh -c 'echo early > /tmp/early.log'");
    expect(Object.keys(r.s.advanced)).toEqual(['network', 'storage', 'error-commands']);
    expect(r.s.liveUserData).toEqual({ ssh_pwauth: true, chpasswd: { expire: false, users: [{ name: 'installer', password: 'debug', type: 'text' }] } });
    expect(r.s.userDataAdvanced).toEqual({ runcmd: [['touch', '/var/lib/first-boot']] });
    expect(r.p.locale.ntp).toEqual(['ntp.internal']);
  });

  it('a hand-written curtin list of plain partitions becomes the custom layout; a static netplan keeps mode and DNS', () => {
    const r = load(curtinEfi);
    expect(codes(r)).toEqual(['IMPORT_STATIC_ADDRESS']);
    expect(r.p.disk).toEqual({
      target: '/dev/sda',
      wipe: true,
      layout: 'custom',
      partitions: [
        { mount: '/boot/efi', sizeMiB: 1024, grow: false, fsType: 'vfat' },
        { mount: 'swap', sizeMiB: 4096, grow: false, fsType: 'swap' },
        { mount: '/', sizeMiB: 1, grow: true, fsType: 'xfs' },
      ],
    });
    expect(r.p.network).toMatchObject({ mode: 'static', dns: ['10.20.0.2', '10.20.0.3'], domain: 'edge.example', hostname: 'edge-07' });
    expect(r.s.network).toEqual({ interfaceName: 'mgmt', rename: true });
    expect(r.p.postScript).toBe('');
    expect(r.s.lateCommands).toEqual(["curtin in-target -- sh -c 'echo edge > /etc/role'"]);
  });

  it("rackboot's bootstrap user-data: the callbacks are dropped, every section stays interactive", () => {
    const text = bootstrapAnswer({ family: 'ubuntu', name: 'Ubuntu 24.04' } as never, 'user-data', { isoUrl: 'http://h/iso/x/', callbackBase: 'http://h/api/callback/52-54-00-ab-cd-ef', token: 'T', hostname: null })!;
    const r = load(text);
    expect(r.issues).toEqual([]);
    expect(r.p.preScript).toBe('');
    expect(r.s.lateCommands).toEqual([]);
    expect(r.s.interactiveSections).toEqual(['*']);
  });
});

describe('autoinstall import -> render -> import is stable', () => {
  const files: [string, string][] = [
    ['docs-quickstart', docsQuickstart],
    ['media-autoinstall', mediaAutoinstall],
    ['raid-bond', raidBond],
    ['curtin-efi', curtinEfi],
    ...MATRIX.map(({ name, firmware, mode, layout }): [string, string] => [
      `golden ${name}`,
      renderAutoinstall(commonProfileSchema.parse(matrixProfile(mode, layout)), autoinstallSectionSchema.parse({}), context({ firmware, address: mode === 'static' ? STATIC_ADDRESS : null })).userData,
    ]),
  ];
  it.each(files)('%s', (_, text) => {
    const first = load(text);
    // plain passwords are hashed by the core on save; stand in for that.
    const hashed = JSON.parse(JSON.stringify(first.p).replace(/\{"plain":"[^"]*"\}/g, `{"hash":"$6$Uz4nP8wL$${'A'.repeat(86)}"}`));
    const ctx = context({ hostname: null, address: STATIC_ADDRESS, firmware: text.includes('bios_grub') ? 'bios' : 'uefi' });
    const out = renderAutoinstall(commonProfileSchema.parse(hashed), first.s, ctx);
    const second = load(out.userData);
    expect(second.p).toEqual(commonProfileSchema.parse(hashed));
    expect(second.s).toEqual(first.s);
    expect(renderAutoinstall(second.p, second.s, ctx).userData).toBe(out.userData);
  });
});

describe('autoinstall import: hostile and broken input', () => {
  it.each([
    ['YAML syntax error', 'autoinstall: [unclosed', 'YAML_SYNTAX'],
    ['a scalar document', 'just text', 'AI_NOT_A_MAPPING'],
    ['autoinstall is a list', '#cloud-config\nautoinstall: [1]\n', 'AI_NOT_A_MAPPING'],
    ['version 2', '#cloud-config\nautoinstall:\n  version: 2\n', 'AI_VERSION'],
    ['no version', 'identity: {username: a, hostname: b, password: c}\n', 'AI_VERSION'],
    ['duplicate keys', 'version: 1\nlocale: a\nlocale: b\n', 'YAML_SYNTAX'],
    ['an alias bomb', `a: &a [x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `b${i}: &b${i} [${i ? `*b${i - 1}` : '*a'}, ${i ? `*b${i - 1}` : '*a'}, ${i ? `*b${i - 1}` : '*a'}]`).join('\n')}\nversion: 1\n`, 'YAML_SYNTAX'],
    ['wrapper without #cloud-config', 'autoinstall:\n  version: 1\n', 'AI_NO_CLOUD_CONFIG_HEADER'],
  ])('%s -> %s', (_, text, code) => {
    expect(codes(parseAutoinstall(text))).toContain(code);
  });

  it('a late-command that only looks like rackboot\'s post script is kept as a foreign command', () => {
    const text = `#cloud-config\nautoinstall:\n  version: 1\n  late-commands:\n    - "curtin in-target -- sh -c 'a'; reboot' || echo \\"rackboot: post script failed (exit $?)\\" >&2"\n`;
    const r = load(text);
    expect(r.p.postScript).toBe('');
    expect(r.s.lateCommands).toHaveLength(1);
  });

  it('a callback to somebody else\'s server is not mistaken for rackboot\'s', () => {
    const r = load("#cloud-config\nautoinstall:\n  version: 1\n  late-commands:\n    - wget -q -O /dev/null 'http://cmdb.internal/hook' || true\n");
    expect(r.s.lateCommands).toEqual(["wget -q -O /dev/null 'http://cmdb.internal/hook' || true"]);
  });
});
