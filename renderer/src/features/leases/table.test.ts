import { describe, expect, it } from 'vitest';
import type { Lease } from '../../../../shared/api/contract.ts';
import { filterLeases, firmwareText, formatCountdown, shownState, sortLeases } from './table.ts';

const now = 1_700_000_000_000;
const lease = (ip: string, extra: Partial<Lease> = {}): Lease => ({
  clientKey: `mac:${ip}`,
  mac: `52:54:00:00:00:${ip.split('.').at(-1)!.padStart(2, '0').slice(-2)}`,
  ip,
  state: 'bound',
  expiresAt: now + 3600_000,
  hostname: null,
  updatedAt: now,
  firmware: null,
  arch: null,
  ...extra,
});

describe('lease table', () => {
  it.each([
    [lease('198.18.0.10'), 'bound'],
    [lease('198.18.0.10', { expiresAt: now }), 'expired'],
    [lease('198.18.0.10', { state: 'released', expiresAt: now - 1 }), 'released'],
    [lease('198.18.0.10', { state: 'declined' }), 'declined'],
  ])('%o reads %s', (l, state) => {
    expect(shownState(l, now)).toBe(state);
  });

  const list = [
    lease('198.18.0.10', { hostname: 'web1', expiresAt: now + 50_000 }),
    lease('198.18.0.9', { hostname: null, state: 'released' }),
    lease('198.18.0.100', { hostname: 'db1', expiresAt: now - 5 }),
    lease('198.18.0.11', { hostname: 'app1', firmware: 'uefi', arch: 'X64_EFI', mac: 'aa:bb:cc:dd:ee:ff' }),
  ];
  const ips = (l: Lease[]) => l.map((x) => x.ip);

  it('sorts addresses as numbers, not text', () => {
    expect(ips(sortLeases(list, { column: 'ip', dir: 'asc' }, now))).toEqual(['198.18.0.9', '198.18.0.10', '198.18.0.11', '198.18.0.100']);
    expect(ips(sortLeases(list, { column: 'ip', dir: 'desc' }, now))).toEqual(['198.18.0.100', '198.18.0.11', '198.18.0.10', '198.18.0.9']);
  });

  it('sorts by state live first (expired after bound), by name with unnamed last, by expiry', () => {
    expect(ips(sortLeases(list, { column: 'state', dir: 'asc' }, now))).toEqual(['198.18.0.10', '198.18.0.11', '198.18.0.100', '198.18.0.9']);
    expect(sortLeases(list, { column: 'hostname', dir: 'asc' }, now).map((l) => l.hostname)).toEqual(['app1', 'db1', 'web1', null]);
    expect(ips(sortLeases(list, { column: 'expiresAt', dir: 'asc' }, now))).toEqual(['198.18.0.100', '198.18.0.10', '198.18.0.9', '198.18.0.11']);
  });

  it.each([
    ['', 4],
    ['web', 1],
    ['198.18.0.1', 3], // .10, .100, .11
    ['EXPIRED', 1],
    ['released', 1],
    ['aabbcc', 1], // a MAC typed without separators
    ['aa-bb-cc', 1],
    ['uefi', 1],
    ['nothing like it', 0],
  ])('filter %j keeps %i', (q, n) => {
    expect(filterLeases(list, q, now)).toHaveLength(n);
  });

  it.each([
    [0, 'expired'],
    [-5000, 'expired'],
    [1, '0:01'],
    [59_999, '1:00'],
    [3_599_000, '59:59'],
    [3_723_000, '1:02:03'],
    [2 * 86400_000 + 4 * 3600_000 + 5, '2 d 4 h'],
  ])('formatCountdown(%i) is %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });

  it.each([
    [{ firmware: 'uefi', arch: 'X64_EFI' }, 'UEFI · x64'],
    [{ firmware: 'uefi', arch: 'ARM64_EFI_HTTP' }, 'UEFI · HTTP · arm64'],
    [{ firmware: 'bios', arch: 'X86_BIOS' }, 'BIOS · x86'],
    [{ firmware: 'unknown', arch: 'ARCH_42' }, '—'],
    [{ firmware: null, arch: null }, '—'],
  ])('firmwareText(%o) is %s', (l, t) => {
    expect(firmwareText(l)).toBe(t);
  });
});
