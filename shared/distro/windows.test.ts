import { describe, expect, it } from 'vitest';
import { normaliseArch } from './arch.ts';
import { parseIdwbinfo, parseWindowsLabel, windowsVersion } from './windows.ts';

describe('idwbinfo.txt', () => {
  it('reads arch, branch and type (CRLF, any key case)', () => {
    expect(parseIdwbinfo('[BUILDINFO]\r\nBuildArch=amd64\r\nBuildBranch=GE_RELEASE\r\nBuildType=fre\r\n')).toEqual({ arch: 'x86_64', branch: 'ge_release', buildType: 'fre' });
  });
  it.each([[''], ['BuildArch=amd64'], ['\u0000garbage']])('rejects %j', (t) => expect(parseIdwbinfo(t)).toBeNull());
  it('keeps unknown arches as null', () => expect(parseIdwbinfo('[BuildInfo]\nBuildArch=ia64\n')?.arch).toBeNull());
});

describe('Windows labels', () => {
  it.each([
    ['CCCOMA_X64FRE_EN-US_DV9', { arch: 'x86_64', server: false, language: 'en-us' }],
    ['CCCOMA_A64FRE_DE-DE_DV9', { arch: 'aarch64', server: false, language: 'de-de' }],
    ['SSS_X64FREE_EN-US_DV9', { arch: 'x86_64', server: true, language: 'en-us' }],
    ['SSS_X64FREV_EN-US_DV9', { arch: 'x86_64', server: true, language: 'en-us' }],
    ['CPBA_X86FRE_EN-US_DV5', { arch: 'i386', server: false, language: 'en-us' }],
  ])('%s', (label, want) => expect(parseWindowsLabel(label)).toEqual(want));
  it.each(['Rocky-9-4-x86_64-dvd', 'WIN_CUSTOM', '', 'Ubuntu-Server 24.04 LTS amd64'])('%j is not a Windows label', (l) => expect(parseWindowsLabel(l)).toBeNull());
});

describe('Windows versions from the branch', () => {
  it.each([
    ['ge_release', false, 'Windows 11 24H2 (build 26100)', '11'],
    ['ge_release', true, 'Windows Server 2025 (build 26100)', '2025'],
    ['fe_release', true, 'Windows Server 2022 (build 20348)', '2022'],
    ['rs5_release', true, 'Windows Server 2019 (build 17763)', '2019'],
    ['rs1_release', true, 'Windows Server 2016 (build 14393)', '2016'],
    ['vb_release', false, 'Windows 10 2004+ (build 19041)', '10'],
    ['ni_release', true, 'Windows 11 22H2/23H2 (build 22621)', '11'],
  ])('%s server=%s -> %s', (branch, server, name, version) => expect(windowsVersion(branch, server)).toMatchObject({ name, version }));
  it.each([[null], ['zz_release']])('%j gives no version', (b) => expect(windowsVersion(b, false)).toBeNull());
});

describe('arch names', () => {
  it.each([
    ['amd64', 'x86_64'],
    ['X86_64', 'x86_64'],
    ['arm64', 'aarch64'],
    ['aarch64', 'aarch64'],
    ['i686', 'i386'],
    ['ppc64el', 'ppc64le'],
    ['loong64', 'loongarch64'],
    ['s390x', 's390x'],
    ['sparc', null],
    ['', null],
  ])('%s -> %s', (raw, want) => expect(normaliseArch(raw)).toBe(want));
});

describe('server-only branches', () => {
  it('fe_release is Server 2022 even on a client-looking label', () => expect(windowsVersion('fe_release', false)?.name).toBe('Windows Server 2022 (build 20348)'));
});
