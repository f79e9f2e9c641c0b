import { describe, expect, it } from 'vitest';
import { encodeRouterAdvert, linkLocalFromMac, NO_ROUTER } from './router-advert.ts';

describe('router advertisement', () => {
  it('"no router here": type 134, lifetime 0, no flags, our MAC as the source link-layer option', () => {
    const bytes = encodeRouterAdvert({ ...NO_ROUTER, sourceMac: 'aa:bb:cc:dd:ee:ff' });
    expect([...bytes]).toEqual([134, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  });
  it('fields land where RFC 4861 4.2 puts them', () => {
    const bytes = encodeRouterAdvert({ curHopLimit: 64, managed: true, other: true, routerLifetime: 1800, reachableMs: 30000, retransMs: 1000, sourceMac: null });
    expect(bytes.length).toBe(16);
    expect([...bytes.slice(4, 16)]).toEqual([64, 0xc0, 0x07, 0x08, 0, 0, 0x75, 0x30, 0, 0, 0x03, 0xe8]);
  });
  it.each([
    ['52:54:00:6c:10:01', 'fe80::5054:ff:fe6c:1001'],
    ['00:00:00:00:00:00', 'fe80::200:ff:fe00:0'],
    ['02:00:00:00:00:01', 'fe80::0:ff:fe00:1'],
    ['AA-BB-CC-DD-EE-FF', 'fe80::a8bb:ccff:fedd:eeff'],
  ])('%s forms the EUI-64 link-local %s', (mac, ll) => expect(linkLocalFromMac(mac)).toBe(ll));
  it('refuses what is not a MAC', () => {
    expect(() => linkLocalFromMac('52:54:00:6c:10')).toThrow(/not a MAC/);
    expect(() => encodeRouterAdvert({ ...NO_ROUTER, sourceMac: 'x' })).toThrow(/not a MAC/);
  });
});
