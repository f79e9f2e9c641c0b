import { describe, expect, it } from 'vitest';
import { cpuOf, firmwareTags, formatAgo, formatBytes, formatDuration } from './format.ts';

describe('Machines formatting', () => {
  const now = 1_700_000_000_000;
  it.each([
    [null, 'never'],
    [now, 'just now'],
    [now + 3000, 'just now'], // a clock a little ahead is not "in the future"
    [now - 12_000, '12 s ago'],
    [now - 4 * 60_000, '4 min ago'],
    [now - 3 * 3600_000, '3 h ago'],
    [now - 3 * 86400_000, '3 days ago'],
  ])('formatAgo(%s) is %s', (then, text) => {
    expect(formatAgo(then, now)).toBe(text);
  });

  it.each([
    [850, '850 ms'],
    [4200, '4.2 s'],
    [185_000, '3 min 05 s'],
    [3_720_000, '1 h 02 min'],
  ])('formatDuration(%s) is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [512, '512 B'],
    [65_024, '63.5 KiB'],
    [50_541_363, '48.2 MiB'],
    [1_181_116_006, '1.1 GiB'],
  ])('formatBytes(%s) is %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it.each([
    ['X64_EFI', 'x64'],
    ['X64_EFI_HTTP', 'x64'],
    ['X86_BIOS', 'x86'],
    ['ARM64_EFI', 'arm64'],
    ['RISCV64_EFI_HTTP', 'riscv64'],
    ['ARCH_42', null],
    [null, null],
  ])('cpuOf(%s) is %s', (arch, cpu) => {
    expect(cpuOf(arch)).toBe(cpu);
  });

  it.each([
    [{ firmware: 'bios', arch: 'X86_BIOS', secureBoot: 'unknown' }, ['BIOS', 'x86']],
    [{ firmware: 'uefi', arch: 'X64_EFI', secureBoot: 'on' }, ['UEFI', 'Secure Boot', 'x64']],
    [{ firmware: 'uefi', arch: 'ARM64_EFI_HTTP', secureBoot: 'off' }, ['UEFI', 'HTTP', 'arm64']],
    [{ firmware: null, arch: null, secureBoot: 'unknown' }, ['unknown']],
  ] as const)('firmwareTags(%o) is %o', (m, tags) => {
    expect(firmwareTags(m)).toEqual(tags);
  });
});
