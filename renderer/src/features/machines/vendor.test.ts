import { describe, expect, it } from 'vitest';
import { OUI_TABLE } from './data/oui.ts';
import { UNKNOWN_VENDOR, vendorOf } from './vendor.ts';

describe('vendorOf', () => {
  it.each([
    ['52:54:00:12:34:56', 'QEMU/KVM (virtual NIC)', "QEMU's default range"],
    ['00:14:22:AA:BB:CC', 'Dell', 'upper case'],
    ['0c-c4-7a-01-02-03', 'Supermicro', 'dashes'],
    ['00:50:56:9a:00:01', 'VMware (virtual NIC)', 'VMware vSphere'],
    ['e4:1d:2d:00:00:01', 'Mellanox (NVIDIA)', 'ConnectX'],
    ['00:1b:21:00:00:01', 'Intel', 'Intel NIC'],
    ['48:df:37:00:00:01', 'HPE', 'ProLiant'],
    ['00:15:5d:00:00:01', 'Microsoft (Hyper-V virtual NIC)', 'Hyper-V'],
  ])('%s is %s (%s)', (mac, vendor) => {
    expect(vendorOf(mac)).toBe(vendor);
  });

  it.each([
    ['00:11:22:33:44:55', UNKNOWN_VENDOR, 'a universal address outside the table'],
    ['02:00:00:00:00:01', 'locally administered (virtual or random)', 'bit 1 of the first byte set'],
    ['not a mac', UNKNOWN_VENDOR, 'garbage'],
  ])('%s reads %s (%s)', (mac, vendor) => {
    expect(vendorOf(mac)).toBe(vendor);
  });

  it('the table is well formed: canonical prefixes, each once, every row with a vendor and a registrant', () => {
    const prefixes = OUI_TABLE.map(([p]) => p);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const [prefix, vendor, registrant] of OUI_TABLE) {
      expect(prefix).toMatch(/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
      expect(vendor.length).toBeGreaterThan(1);
      expect(registrant.length).toBeGreaterThan(1);
    }
    // IEEE assignments are universal (bit 1 clear); only QEMU's range is local, and says so.
    for (const [prefix, , registrant] of OUI_TABLE) {
      const local = (parseInt(prefix.slice(0, 2), 16) & 2) !== 0;
      expect(local, prefix).toBe(registrant.startsWith('locally administered'));
    }
    expect(OUI_TABLE.length).toBeGreaterThanOrEqual(50);
  });
});
