import { describe, expect, it } from 'vitest';
import type { CommonProfileInput } from '../profile.ts';
import { BASE, context, CUSTOM_PARTITIONS, KEY, ROOT_HASH, USER_HASH } from '../deb-fixtures.ts';
import type { AutoinstallSectionInput } from './section.ts';
import { validateAutoinstall } from './validate.ts';

const issues = (p: CommonProfileInput, s: AutoinstallSectionInput = {}, ctx = context()) => validateAutoinstall(p, s, ctx).issues;
const codes = (p: CommonProfileInput, s: AutoinstallSectionInput = {}, ctx = context()) => issues(p, s, ctx).map((i) => `${i.severity}:${i.code}`);
const efiLess = CUSTOM_PARTITIONS.filter((p) => p.mount !== '/boot/efi');

describe('autoinstall validation', () => {
  it('the realistic profile is clean', () => {
    const r = validateAutoinstall(BASE, { repositories: { internal: { trusted: true } } }, context());
    expect(r.issues).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it.each<[string, CommonProfileInput, AutoinstallSectionInput, string]>([
    ['no login at all', { ...BASE, accounts: { root: null, user: null, sshKeys: [] } }, {}, 'error:NO_LOGIN'],
    ['keys but no SSH server', { ...BASE, accounts: { root: null, user: null, sshKeys: [KEY] } }, { ssh: { installServer: false } }, 'error:NO_LOGIN'],
    ['no user', { ...BASE, accounts: { root: { hash: ROOT_HASH }, user: null } }, {}, 'warning:AI_NO_USER'],
    ['a key-only user', { ...BASE, accounts: { user: { name: 'ops', password: null }, sshKeys: [KEY] } }, {}, 'warning:AI_USER_WITHOUT_PASSWORD'],
    ['a reserved user name', { ...BASE, accounts: { user: { name: 'root', password: { hash: USER_HASH } } } }, {}, 'error:USERNAME_RESERVED'],
    ['an unknown time zone', { ...BASE, locale: { timezone: 'Mars/Olympus_Mons' } }, {}, 'error:UNKNOWN_TIMEZONE'],
    ['UEFI custom layout without /boot/efi', { ...BASE, disk: { layout: 'custom', partitions: efiLess } }, {}, 'error:UEFI_NEEDS_EFI_PARTITION'],
    ['a vfat-less ESP', { ...BASE, disk: { layout: 'custom', partitions: [{ mount: '/boot/efi', sizeMiB: 512, fsType: 'ext4' }, { mount: '/', sizeMiB: 1, grow: true }] } }, {}, 'error:EFI_PARTITION_NOT_VFAT'],
    ['custom without /', { ...BASE, disk: { layout: 'custom', partitions: [{ mount: '/boot/efi', sizeMiB: 512 }] } }, {}, 'error:NO_ROOT_PARTITION'],
    ['a mount point twice', { ...BASE, disk: { layout: 'custom', partitions: [...CUSTOM_PARTITIONS, { mount: '/boot', sizeMiB: 1 }] } }, {}, 'error:DUPLICATE_MOUNT'],
    ['swap formatted as ext4', { ...BASE, disk: { layout: 'custom', partitions: [...CUSTOM_PARTITIONS.slice(0, 2), { mount: 'swap', sizeMiB: 1, fsType: 'ext4' }] } }, {}, 'error:PARTITION_FS_MISMATCH'],
    ['two growing partitions', { ...BASE, disk: { layout: 'custom', partitions: [...CUSTOM_PARTITIONS, { mount: '/srv', sizeMiB: 1, grow: true }] } }, {}, 'error:AI_ONE_GROW_PARTITION'],
    ['wipe off', { ...BASE, disk: { wipe: false } }, {}, 'warning:WIPE_OFF_ASKS'],
    ['a dnf group', { ...BASE, packages: { install: ['@core'] } }, {}, 'error:PACKAGE_GROUP_UNSUPPORTED'],
    ['a glob', { ...BASE, packages: { install: ['linux-*'] } }, {}, 'error:PACKAGE_NAME_INVALID'],
    ['exclusions', { ...BASE, packages: { exclude: ['snapd'] } }, {}, 'warning:PACKAGE_EXCLUDE_IGNORED'],
    ['an unsigned repository', BASE, {}, 'warning:REPO_UNSIGNED'],
    ['metadata for a repository the profile lacks', BASE, { repositories: { internal: { trusted: true }, other: { trusted: true } } }, 'warning:REPO_UNKNOWN'],
    ['local hardware clock', { ...BASE, locale: { utc: false } }, {}, 'warning:AI_LOCAL_CLOCK_IGNORED'],
    ['advanced late-commands', BASE, { advanced: { 'late-commands': ['x'] } }, 'error:AI_ADVANCED_RESERVED'],
    ['advanced storage', BASE, { advanced: { storage: { layout: { name: 'hybrid' } } } }, 'warning:AI_ADVANCED_OVERRIDES'],
    ['autoinstall inside the live cloud-config', BASE, { liveUserData: { autoinstall: {} } }, 'error:AI_ADVANCED_RESERVED'],
    ['imported ntp while the profile sets NTP', BASE, { userDataAdvanced: { ntp: { enabled: false } } }, 'warning:AI_USER_DATA_OVERRIDDEN'],
    ['a layout name beside a custom layout', { ...BASE, disk: { layout: 'custom', partitions: CUSTOM_PARTITIONS } }, { storage: { layout: 'zfs' } }, 'warning:AI_LAYOUT_IGNORED'],
  ])('%s -> %s', (_, p, s, code) => {
    expect(codes(p, s)).toContain(code);
  });

  it('firmware and address come from the machine: BIOS needs no ESP, static without a reservation warns', () => {
    const p = { ...BASE, disk: { layout: 'custom' as const, partitions: efiLess } };
    expect(codes(p, {}, context({ firmware: 'bios' }))).not.toContain('error:UEFI_NEEDS_EFI_PARTITION');
    expect(validateAutoinstall(p, {}).issues.find((i) => i.code === 'UEFI_NEEDS_EFI_PARTITION')?.severity).toBe('warning');
    expect(codes({ ...BASE, network: { mode: 'static' } })).toContain('warning:STATIC_WITHOUT_ADDRESS');
    expect(codes(BASE, {}, context({ hostname: null }))).toContain('warning:HOSTNAME_DEFAULT');
  });

  it('schema errors carry field paths, section fields under autoinstall', () => {
    const r = validateAutoinstall({ ...BASE, network: { hostname: 'bad name!' } }, { updates: 'nightly', network: { interfaceName: 'Eth 0' } });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => [i.path.join('.'), i.code])).toEqual([
      ['network.hostname', 'SCHEMA_INVALID_FORMAT'],
      ['autoinstall.network.interfaceName', 'SCHEMA_INVALID_FORMAT'],
      ['autoinstall.updates', 'SCHEMA_INVALID_VALUE'],
    ]);
  });

  it.each([
    ['a newline in the full name', { ...BASE, accounts: { user: { name: 'ops', fullName: 'a\nb', password: { hash: USER_HASH } } } }],
    ['shell in a host name', { ...BASE, network: { hostname: 'a;reboot' } }],
    ['a quote in a repository URL', { ...BASE, packages: { repositories: [{ name: 'x', url: "http://a/'b" }] } }],
    ['a newline in an SSH key comment', { ...BASE, accounts: { sshKeys: [`${KEY}\nssh-rsa AAAA`] } }],
  ])('rejected by the schema: %s', (_, p) => {
    expect(validateAutoinstall(p, {}).ok).toBe(false);
  });
});
