import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type NetInterface, type Settings } from '../api/contract.ts';
import { formatIPv4 } from '../net/ipv4.ts';
import { resolveServerConfig } from './server-config.ts';

const nics: NetInterface[] = [
  { name: 'lo', mac: null, up: true, loopback: true, wireless: false, mtu: 65536, ipv4: [{ address: '127.0.0.1', prefix: 8, network: '127.0.0.0' }] },
  {
    name: 'rack0',
    mac: '52:54:00:00:00:01',
    up: true,
    loopback: false,
    wireless: false,
    mtu: 1500,
    ipv4: [
      { address: '198.18.0.1', prefix: 24, network: '198.18.0.0' },
      { address: '198.19.0.1', prefix: 24, network: '198.19.0.0' },
    ],
  },
  { name: 'bare', mac: '52:54:00:00:00:02', up: true, loopback: false, wireless: false, mtu: 1500, ipv4: [] },
];
const s = (p: Partial<Settings>): Settings => ({ ...DEFAULT_SETTINGS, ...p });

describe('resolveServerConfig', () => {
  it('uses the first address of the NIC when none is given', () => {
    expect(resolveServerConfig(s({ interface: 'rack0' }), nics).address).toBe('198.18.0.1');
  });
  it('accepts a second address of the same NIC', () => {
    expect(resolveServerConfig(s({ interface: 'rack0', address: '198.19.0.1' }), nics).subnet.prefix).toBe(24);
  });
  it('full mode without a pool hands out the whole subnet minus network and broadcast', () => {
    const c = resolveServerConfig(s({ interface: 'rack0', dhcpMode: 'full' }), nics);
    expect([formatIPv4(c.pool!.first), formatIPv4(c.pool!.last)]).toEqual(['198.18.0.1', '198.18.0.254']);
  });
  it('full mode keeps a pool inside the subnet', () => {
    const c = resolveServerConfig(s({ interface: 'rack0', dhcpMode: 'full', pool: '198.18.0.100-198.18.0.150' }), nics);
    expect(formatIPv4(c.pool!.last)).toBe('198.18.0.150');
  });
  it.each([
    ['rackboot itself by default, as dnsmasq does (d-i stops without a default route)', null, '198.18.0.1'],
    ['none when the technician says so', 'none' as const, null],
    ['the given gateway', '198.18.0.254', '198.18.0.254'],
  ])('router: %s', (_, router, want) => {
    expect(resolveServerConfig(s({ interface: 'rack0', dhcpMode: 'full', router }), nics).router).toBe(want);
  });
  it('resolves relay pools in full mode and DNS defaults to rackboot itself', () => {
    const c = resolveServerConfig(s({ interface: 'rack0', dhcpMode: 'full', relayPools: [{ network: '198.19.5.0/24', pool: '198.19.5.10-198.19.5.20', router: '198.19.5.1' }] }), nics);
    expect(c.relayScopes).toHaveLength(1);
    expect(formatIPv4(c.relayScopes[0]!.subnet.network)).toBe('198.19.5.0');
    expect(c.dns).toEqual(['198.18.0.1']);
    expect(resolveServerConfig(s({ interface: 'rack0', dns: ['198.18.0.53'] }), nics).dns).toEqual(['198.18.0.53']);
  });
  it.each([
    ['NO_SUCH_INTERFACE', 'no NIC picked', s({})],
    ['NO_SUCH_INTERFACE', 'unknown NIC', s({ interface: 'eth9' })],
    ['ADDRESS_NOT_ON_INTERFACE', 'NIC without IPv4', s({ interface: 'bare' })],
    ['ADDRESS_NOT_ON_INTERFACE', 'address of another NIC', s({ interface: 'rack0', address: '127.0.0.1' })],
    ['BAD_POOL', 'pool outside the subnet', s({ interface: 'rack0', dhcpMode: 'full', pool: '198.18.1.1-198.18.1.9' })],
    ['BAD_POOL', 'pool over the broadcast address', s({ interface: 'rack0', dhcpMode: 'full', pool: '198.18.0.2-198.18.0.255' })],
    ['BAD_POOL', 'pool in proxy mode', s({ interface: 'rack0', dhcpMode: 'proxy', pool: '198.18.0.2-198.18.0.9' })],
    ['BAD_POOL', 'relay pool on rackboot\'s own network', s({ interface: 'rack0', dhcpMode: 'full', relayPools: [{ network: '198.18.0.0/24', pool: '198.18.0.5-198.18.0.9', router: null }] })],
    ['BAD_POOL', 'relay pool range outside its network', s({ interface: 'rack0', dhcpMode: 'full', relayPools: [{ network: '198.19.5.0/24', pool: '198.19.6.5-198.19.6.9', router: null }] })],
    ['BAD_POOL', 'relay router off its network', s({ interface: 'rack0', dhcpMode: 'full', relayPools: [{ network: '198.19.5.0/24', pool: '198.19.5.5-198.19.5.9', router: '198.19.6.1' }] })],
    ['BAD_REQUEST', 'reservation outside the subnet', s({ interface: 'rack0', dhcpMode: 'full', reservations: [{ mac: '52:54:00:00:00:09', ip: '198.18.1.9', hostname: null }] })],
    ['BAD_REQUEST', 'two reservations for one MAC', s({ interface: 'rack0', dhcpMode: 'full', reservations: [{ mac: '52:54:00:00:00:09', ip: '198.18.0.9', hostname: null }, { mac: '52:54:00:00:00:09', ip: '198.18.0.8', hostname: null }] })],
    ['BAD_REQUEST', 'one address reserved twice', s({ interface: 'rack0', dhcpMode: 'full', reservations: [{ mac: '52:54:00:00:00:09', ip: '198.18.0.9', hostname: null }, { mac: '52:54:00:00:00:08', ip: '198.18.0.9', hostname: null }] })],
    ['BAD_REQUEST', 'router off the subnet', s({ interface: 'rack0', dhcpMode: 'full', router: '10.0.0.1' })],
  ])('refuses with %s: %s', (code, _why, settings) => {
    expect(() => resolveServerConfig(settings, nics)).toThrow(expect.objectContaining({ code }));
  });
});
