import { describe, expect, it } from 'vitest';
import { formatBytes, nicWarnings } from './format.ts';

describe('setup formatting', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [812_000_000, '812 MB'],
    [4_700_000_000, '4.7 GB'],
    [10_737_418_240, '10.7 GB'],
    [-1, '?'],
  ])('%d bytes is %s', (n, s) => expect(formatBytes(n)).toBe(s));

  it('warns, worst first, about the NICs a technician should not pick', () => {
    const wired = { up: true, loopback: false, wireless: false, ipv4: [{}], defaultRoute: false };
    expect(nicWarnings(wired)).toEqual([]);
    expect(nicWarnings({ ...wired, up: false, ipv4: [] })).toEqual([expect.stringMatching(/^no link/), expect.stringMatching(/^no IPv4/)]);
    expect(nicWarnings({ ...wired, wireless: true, defaultRoute: true })).toEqual([expect.stringMatching(/^Wi-Fi/), expect.stringMatching(/default route/)]);
  });
});
