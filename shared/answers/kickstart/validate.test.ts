import { describe, expect, it } from 'vitest';
import type { CommonProfileInput } from '../profile.ts';
import { KEY, ROOT_HASH, USER_HASH } from './fixtures.ts';
import type { KickstartSectionInput } from './section.ts';
import { validateKickstart, type KickstartTarget } from './validate.ts';

/** A profile that passes every rule on Rocky 9 BIOS: root password, an ssh key, a target disk. */
const BASE: CommonProfileInput = {
  name: 'base',
  accounts: { root: { hash: ROOT_HASH }, sshKeys: [KEY] },
  disk: { target: '/dev/sda' },
};
const ROCKY9: KickstartTarget = { distro: { id: 'rocky', name: 'Rocky Linux', major: 9, minor: 4 }, firmware: 'bios' };
const on = (id: string, major: number | null, firmware: 'bios' | 'uefi' = 'bios', minor: number | null = null): KickstartTarget => ({ distro: { id, name: id, major, minor }, firmware });
const custom = (partitions: NonNullable<NonNullable<CommonProfileInput['disk']>['partitions']>) => ({ disk: { target: '/dev/sda', layout: 'custom' as const, partitions } });
const ROOT_ONLY = [{ mount: '/', sizeMiB: 1, grow: true }];

type Expect = [code: string, severity: 'error' | 'warning', path?: (string | number)[]];
const run = (p: Partial<CommonProfileInput>, s: KickstartSectionInput, t: KickstartTarget) =>
  validateKickstart({ ...BASE, ...p }, s, t).map((i) => [i.code, i.severity, i.path] as const);

describe('validateKickstart', () => {
  it('passes the base profile', () => {
    expect(run({}, {}, ROCKY9)).toEqual([]);
  });

  it.each<[string, Partial<CommonProfileInput>, KickstartSectionInput, KickstartTarget, Expect[]]>([
    // Schema issues at the field's path; the section's under 'kickstart'.
    ['a time zone the schema refuses', { locale: { timezone: 'not a zone' } }, {}, ROCKY9, [['INVALID_FIELD', 'error', ['locale', 'timezone']]]],
    ['a kernel argument with a space', {}, { bootloader: { append: ['quiet splash'] } }, ROCKY9, [['INVALID_FIELD', 'error', ['kickstart', 'bootloader', 'append', 0]]]],
    ['an unknown section key', {}, { nope: true } as never, ROCKY9, [['INVALID_FIELD', 'error', ['kickstart']]]],

    // Scripts: lines the kickstart parser reads (checked even when other fields fail).
    ['%end in the pre script', { preScript: 'echo a\n%end' }, {}, ROCKY9, [['KS_SCRIPT_END', 'error', ['preScript']]]],
    ['%end after U+2028 in the post script', { postScript: 'echo a\u2028 %end' }, {}, ROCKY9, [['KS_SCRIPT_END', 'error', ['postScript']]]],
    ['%include in the post script', { postScript: '%include /tmp/x' }, {}, ROCKY9, [['KS_SCRIPT_DIRECTIVE', 'error', ['postScript']]]],
    ['a section header in the post script', { postScript: 'echo\n%packages' }, {}, ROCKY9, [['KS_SCRIPT_DIRECTIVE', 'error', ['postScript']]]],
    ['%end and a bad field together', { preScript: '%end', locale: { timezone: 'x y' } }, {}, ROCKY9, [['INVALID_FIELD', 'error', ['locale', 'timezone']], ['KS_SCRIPT_END', 'error', ['preScript']]]],
    ['%end inside a word is shell', { postScript: 'echo %end; printf "%end"' }, {}, ROCKY9, []],

    // Line breaks Python's splitlines() sees: the profile's one-line patterns refuse them as field errors.
    ['a full name with U+2028', { accounts: { root: { hash: ROOT_HASH }, user: { name: 'ops', fullName: 'a\u2028b' } } }, {}, ROCKY9, [['INVALID_FIELD', 'error', ['accounts', 'user', 'fullName']]]],
    ['a repository URL with \\x85', { packages: { repositories: [{ name: 'r', url: 'http://h/\x85x' }] } }, {}, ROCKY9, [['INVALID_FIELD', 'error', ['packages', 'repositories', 0, 'url']]]],

    // Commands kept verbatim, per version (pykickstart handlers).
    ['install on RHEL 9', {}, { advanced: { commands: ['install'] } }, ROCKY9, [['KS_REMOVED_COMMAND', 'error', ['kickstart', 'advanced', 'commands', 0]]]],
    ['install on RHEL 8', {}, { advanced: { commands: ['install'] } }, on('rocky', 8), [['KS_DEPRECATED_COMMAND', 'warning']]],
    ['install on RHEL 7', {}, { advanced: { commands: ['install'] } }, on('centos', 7), []],
    ['authconfig on RHEL 9', {}, { advanced: { commands: ['authconfig --enableldap'] } }, on('alma', 9), [['KS_DEPRECATED_COMMAND', 'warning']]],
    ['authconfig on RHEL 10', {}, { advanced: { commands: ['authconfig --enableldap'] } }, on('rhel', 10), [['KS_REMOVED_COMMAND', 'error']]],
    ['auth on openEuler (its anaconda removed authconfig)', {}, { advanced: { commands: ['auth --enableshadow'] } }, on('openeuler', 22), [['KS_REMOVED_COMMAND', 'error']]],
    ['authselect on RHEL 7', {}, { advanced: { commands: ['authselect select sssd'] } }, on('centos', 7), [['KS_UNSUPPORTED_COMMAND', 'error']]],
    ['sshkey on RHEL 7', {}, { advanced: { commands: [`sshkey --username=root "${KEY}"`] } }, on('centos', 7), [['KS_UNSUPPORTED_COMMAND', 'error']]],
    ['timesource on RHEL 8', {}, { advanced: { commands: ['timesource --ntp-pool=pool.ntp.org'] } }, on('rocky', 8), [['KS_UNSUPPORTED_COMMAND', 'error']]],
    ['a command no version knows', {}, { advanced: { commands: ['pwpolicy root --minlen=6'] } }, ROCKY9, [['KS_UNKNOWN_COMMAND', 'error']]],
    ['a command the fields write', {}, { advanced: { commands: ['lang de_DE.UTF-8'] } }, ROCKY9, [['KS_DUPLICATE_COMMAND', 'error']]],
    ['rootpw kept verbatim', {}, { advanced: { commands: ['rootpw --plaintext x'] } }, ROCKY9, [['KS_DUPLICATE_COMMAND', 'error']]],
    ['authselect beside the auth field', {}, { auth: { profile: 'sssd' }, advanced: { commands: ['authselect select winbind'] } }, ROCKY9, [['KS_DUPLICATE_COMMAND', 'error']]],
    ['a storage command beside the disk fields', {}, { advanced: { commands: ['part / --size=1 --grow'] } }, ROCKY9, [['KS_DUPLICATE_COMMAND', 'error']]],
    ['an include and extra commands', {}, { advanced: { commands: ['%include /tmp/x.ks', 'logging --level=info', 'network --device=eth1 --bootproto=dhcp'] } }, ROCKY9, []],
    ['the kdump addon twice', {}, { kdump: { state: 'enabled' }, advanced: { sections: ['%addon com_redhat_kdump --disable\n%end'] } }, ROCKY9, [['KS_DUPLICATE_SECTION', 'error']]],

    // Options a version lacks (the renderer leaves them out).
    ['weak dependencies on RHEL 7', {}, { packages: { excludeWeakdeps: true } }, on('centos', 7), [['KS_UNSUPPORTED_OPTION', 'warning', ['kickstart', 'packages', 'excludeWeakdeps']]]],
    ['rootpw --allow-ssh on RHEL 8', {}, { rootAllowSsh: true }, on('rocky', 8), [['KS_UNSUPPORTED_OPTION', 'warning', ['kickstart', 'rootAllowSsh']]]],
    ['rootpw --allow-ssh on RHEL 9.0', {}, { rootAllowSsh: true }, on('rhel', 9, 'bios', 0), [['KS_UNSUPPORTED_OPTION', 'warning']]],
    ['rootpw --allow-ssh on RHEL 9.4', {}, { rootAllowSsh: true }, ROCKY9, []],
    ['authselect minimal on RHEL 7', {}, { auth: { profile: 'minimal' } }, on('centos', 7), [['KS_UNSUPPORTED_OPTION', 'warning', ['kickstart', 'auth']]]],
    ['authselect with-sudo on RHEL 7', {}, { auth: { profile: 'sssd', features: ['with-mkhomedir', 'with-sudo'] } }, on('centos', 7), [['KS_UNSUPPORTED_OPTION', 'warning']]],
    ['minimal-environment on RHEL 7', {}, { packages: { environment: 'minimal-environment' } }, on('centos', 7), [['KS_UNKNOWN_ENVIRONMENT', 'warning']]],
    ['minimal on RHEL 9', {}, { packages: { environment: 'minimal' } }, ROCKY9, [['KS_UNKNOWN_ENVIRONMENT', 'warning']]],

    // Releases.
    ['an unknown release', {}, {}, on('rocky', null), [['KS_VERSION_ASSUMED', 'warning', []]]],
    ['CentOS 6', {}, {}, on('centos', 6), [['KS_UNSUPPORTED_VERSION', 'error', []]]],

    // Logins.
    ['no password, no user, no key', { accounts: { root: null } }, {}, ROCKY9, [['NO_LOGIN', 'error', ['accounts']]]],
    ['a user with a key but no password', { accounts: { root: null, user: { name: 'ops' }, sshKeys: [KEY] } }, {}, ROCKY9, []],
    ['root locked and the user not in wheel', { accounts: { root: null, user: { name: 'ops', password: { hash: USER_HASH }, admin: false } } }, {}, ROCKY9, [['NO_ADMIN', 'warning', ['accounts', 'user', 'admin']]]],
    ['a plain password (the core hashes it)', { accounts: { root: { plain: 'x' }, sshKeys: [KEY] } }, {}, ROCKY9, []],
    ['root password only on RHEL 9 (sshd refuses it)', { accounts: { root: { hash: ROOT_HASH } } }, {}, ROCKY9, [['ROOT_SSH_PASSWORD_REFUSED', 'warning']]],
    ['root password only on RHEL 8', { accounts: { root: { hash: ROOT_HASH } } }, {}, on('rocky', 8), []],
    ['root password only with --allow-ssh', { accounts: { root: { hash: ROOT_HASH } } }, { rootAllowSsh: true }, ROCKY9, []],

    // Locale, network, packages.
    ['a time zone IANA does not have', { locale: { timezone: 'Europe/Atlantis' } }, {}, ROCKY9, [['UNKNOWN_TIMEZONE', 'error', ['locale', 'timezone']]]],
    ['static without a known address', { network: { mode: 'static' } }, {}, ROCKY9, [['STATIC_WITHOUT_ADDRESS', 'warning', ['network', 'mode']]]],
    ['a package with a leading -', { packages: { install: ['vim', '-postfix'] } }, {}, ROCKY9, [['KS_PACKAGE_SYNTAX', 'error', ['packages', 'install', 1]]]],

    // Disks.
    ['wiping with no target disk', { disk: { target: 'auto' } }, {}, ROCKY9, [['WIPES_ALL_DISKS', 'warning', ['disk', 'target']]]],
    ['no wipe, no target disk', { disk: { target: 'auto', wipe: false } }, {}, ROCKY9, []],
    ['a custom layout without /', custom([{ mount: '/boot', sizeMiB: 1024 }, { mount: '/home', sizeMiB: 1, grow: true }]), {}, ROCKY9, [['NO_ROOT_PARTITION', 'error', ['disk', 'partitions']]]],
    ['a mount point twice', custom([{ mount: '/', sizeMiB: 1, grow: true }, { mount: '/home', sizeMiB: 100 }, { mount: '/home', sizeMiB: 100 }]), {}, ROCKY9, [['DUPLICATE_MOUNT', 'error', ['disk', 'partitions', 2, 'mount']]]],
    ['two swaps', custom([...ROOT_ONLY, { mount: 'swap', sizeMiB: 100 }, { mount: 'swap', sizeMiB: 100 }]), {}, ROCKY9, []],
    ['UEFI without /boot/efi (rackboot adds one)', custom(ROOT_ONLY), {}, on('rocky', 9, 'uefi'), [['UEFI_NEEDS_EFI_PARTITION', 'warning', ['disk', 'partitions']]]],
    ['UEFI with /boot/efi', custom([{ mount: '/boot/efi', sizeMiB: 600 }, ...ROOT_ONLY]), {}, on('rocky', 9, 'uefi'), []],
    ['UEFI and biosboot', custom([{ mount: '/boot/efi', sizeMiB: 600 }, { mount: 'biosboot', sizeMiB: 1 }, ...ROOT_ONLY]), {}, on('rocky', 9, 'uefi'), [['FIRMWARE_PARTITION_UNUSED', 'warning']]],
    ['UEFI and an msdos label', custom([{ mount: '/boot/efi', sizeMiB: 600 }, ...ROOT_ONLY]), { storage: { diskLabel: 'msdos' } }, on('rocky', 9, 'uefi'), [['UEFI_NEEDS_GPT', 'warning']]],
    ['BIOS, GPT, no biosboot', custom(ROOT_ONLY), { storage: { diskLabel: 'gpt' } }, ROCKY9, [['BIOS_GPT_NEEDS_BIOSBOOT', 'warning', ['disk', 'partitions']]]],
    ['BIOS, RHEL 10 (GPT by default), no biosboot', custom(ROOT_ONLY), {}, on('rhel', 10), [['BIOS_GPT_NEEDS_BIOSBOOT', 'warning']]],
    ['BIOS, RHEL 9, automatic label (reqpart decides)', custom(ROOT_ONLY), {}, ROCKY9, []],
    ['BIOS, GPT, biosboot', custom([{ mount: 'biosboot', sizeMiB: 1 }, ...ROOT_ONLY]), { storage: { diskLabel: 'gpt' } }, ROCKY9, []],
    ['BIOS and /boot/efi', custom([{ mount: '/boot/efi', sizeMiB: 600 }, ...ROOT_ONLY]), {}, ROCKY9, [['FIRMWARE_PARTITION_UNUSED', 'warning']]],
    ['BIOS, msdos and biosboot', custom([{ mount: 'biosboot', sizeMiB: 1 }, ...ROOT_ONLY]), { storage: { diskLabel: 'msdos' } }, ROCKY9, [['FIRMWARE_PARTITION_UNUSED', 'warning']]],
    ['btrfs on Rocky 9', custom([{ mount: '/', sizeMiB: 1, grow: true, fsType: 'btrfs' }]), {}, ROCKY9, [['KS_UNSUPPORTED_FSTYPE', 'error', ['disk', 'partitions', 0, 'fsType']]]],
    ['btrfs on Fedora 42', custom([{ mount: '/', sizeMiB: 1, grow: true, fsType: 'btrfs' }]), {}, on('fedora', 42), [['BIOS_GPT_NEEDS_BIOSBOOT', 'warning']]],
    ['kept storage, BIOS, with /boot/efi', {}, { storage: { verbatim: true }, advanced: { commands: ['clearpart --all', 'part /boot/efi --fstype=efi --size=600', 'part / --size=1 --grow'] } }, ROCKY9, [['KS_STORAGE_VERBATIM', 'warning'], ['FIRMWARE_PARTITION_MISMATCH', 'error']]],
    ['kept storage, UEFI, without /boot/efi', {}, { storage: { verbatim: true }, advanced: { commands: ['clearpart --all', 'part / --size=1 --grow'] } }, on('rocky', 9, 'uefi'), [['KS_STORAGE_VERBATIM', 'warning'], ['UEFI_NEEDS_EFI_PARTITION', 'error']]],
    ['kept storage, UEFI, reqpart', {}, { storage: { verbatim: true }, advanced: { commands: ['reqpart', 'part / --size=1 --grow'] } }, on('rocky', 9, 'uefi'), [['KS_STORAGE_VERBATIM', 'warning']]],
  ])('%s', (_why, p, s, t, expected) => {
    const got = run(p, s, t);
    expect(got.map(([code, severity]) => [code, severity])).toEqual(expected.map(([code, severity]) => [code, severity]));
    expected.forEach(([, , path], i) => {
      if (path) expect(got[i]![2]).toEqual(path);
    });
  });
});
