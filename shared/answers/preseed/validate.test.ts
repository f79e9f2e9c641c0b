import { describe, expect, it } from 'vitest';
import type { CommonProfileInput } from '../profile.ts';
import { BASE, context, CUSTOM_PARTITIONS, DEBIAN, KEY } from '../deb-fixtures.ts';
import type { PreseedSectionInput } from './section.ts';
import { validatePreseed } from './validate.ts';

const ctx = (o: Parameters<typeof context>[0] = {}) => context({ distro: DEBIAN, ...o });
const codes = (p: CommonProfileInput, s: PreseedSectionInput = {}, c = ctx()) => validatePreseed(p, s, c).issues.map((i) => `${i.severity}:${i.code}`);

describe('preseed validation', () => {
  it('the realistic profile is clean', () => {
    expect(validatePreseed(BASE, { repositories: { internal: { key: 'http://repo.rack.test/key.asc' } } }, ctx())).toMatchObject({ ok: true, issues: [] });
  });

  it.each<[string, CommonProfileInput, PreseedSectionInput, string]>([
    ['no login at all', { ...BASE, accounts: { root: null, user: null, sshKeys: [] } }, {}, 'error:NO_LOGIN'],
    ['keys without the ssh-server task', { ...BASE, accounts: { root: null, user: null, sshKeys: [KEY] } }, { tasks: ['standard'] }, 'error:NO_LOGIN'],
    ['an unknown time zone', { ...BASE, locale: { timezone: 'Europe/Atlantis' } }, {}, 'error:UNKNOWN_TIMEZONE'],
    ['UEFI custom layout without /boot/efi', { ...BASE, disk: { layout: 'custom', partitions: CUSTOM_PARTITIONS.filter((p) => p.mount !== '/boot/efi') } }, {}, 'error:UEFI_NEEDS_EFI_PARTITION'],
    ['two NTP servers', { ...BASE, locale: { ntp: ['a.ntp', 'b.ntp'] } }, {}, 'warning:PRESEED_ONE_NTP_SERVER'],
    ['a non-admin user with root locked', { ...BASE, accounts: { root: null, user: { name: 'ops', password: { plain: 'x' }, admin: false } } }, {}, 'warning:PRESEED_USER_ALWAYS_SUDO'],
    ['a post script too long for one argument', { ...BASE, postScript: 'x'.repeat(95_000) }, {}, 'error:PRESEED_COMMAND_TOO_LONG'],
    ['an advanced line that is not a preseed line', BASE, { advanced: ['just words'] }, 'error:PRESEED_ADVANCED_SYNTAX'],
    ['an advanced line ending in a backslash', BASE, { advanced: ['d-i a/b string c \\'] }, 'error:PRESEED_TRAILING_BACKSLASH'],
    ['an advanced late_command', BASE, { advanced: ['d-i preseed/late_command string reboot'] }, 'error:PRESEED_ADVANCED_RESERVED'],
    ['an advanced line for a question the form writes', BASE, { advanced: ['d-i time/zone string UTC'] }, 'warning:PRESEED_ADVANCED_OVERRIDES'],
    ['an unsigned repository', BASE, {}, 'warning:REPO_UNSIGNED'],
    ['eleven repositories', { ...BASE, packages: { repositories: Array.from({ length: 11 }, (_, i) => ({ name: `r${i}`, url: `http://r${i}/` })) } }, {}, 'error:PRESEED_TOO_MANY_REPOSITORIES'],
    ['a dnf group', { ...BASE, packages: { install: ['@base'] } }, {}, 'error:PACKAGE_GROUP_UNSUPPORTED'],
    ['wipe off', { ...BASE, disk: { wipe: false } }, {}, 'warning:WIPE_OFF_ASKS'],
  ])('%s -> %s', (_, p, s, code) => {
    expect(codes(p, s)).toContain(code);
  });

  it('schema errors carry field paths, section fields under preseed', () => {
    const r = validatePreseed(BASE, { mirror: { hostname: 'a b', directory: 'debian' }, tasks: ['Web Server'], advanced: ['a\nb'] });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path.join('.')).sort()).toEqual(['preseed.advanced.0', 'preseed.mirror.directory', 'preseed.mirror.hostname', 'preseed.tasks.0']);
  });
});
