/**
 * Turns saved settings plus the machine's NICs into the configuration the services bind to, or refuses
 * with an error a technician can act on. Pure: the caller lists the NICs.
 */
import type { DhcpMode, NetInterface, RelayPool, Reservation, Settings } from '../api/contract.ts';
import { RackbootError } from '../api/errors.ts';
import { formatIPv4, inSubnet, parseCidr, parseIPv4, parseIPv4Range, subnetOf, type IPv4Range, type Subnet } from '../net/ipv4.ts';

export interface ServerConfig {
  interface: string;
  /** The NIC's MAC, null when unknown. */
  mac: string | null;
  address: string;
  subnet: Subnet;
  /** The NIC's MTU (1500 when unknown): TFTP blocks must fit one frame (RFC 2348; dnsmasq uses MTU - 32). */
  mtu: number;
  dhcpMode: DhcpMode;
  /** Only in full mode. */
  pool: IPv4Range | null;
  httpPort: number;
  tftpPort: number;
  tftpRoot: string | null;
  isos: string[];
  /** Full-mode options (ignored in proxy and off modes). */
  leaseSeconds: number;
  router: string | null;
  /** Resolved: rackboot's own address when the settings say null. */
  dns: string[];
  domain: string | null;
  reservations: Reservation[];
  /** Full mode: networks behind DHCP relays, each with its pool. */
  relayScopes: { subnet: Subnet; pool: IPv4Range; router: string | null }[];
}

export function resolveServerConfig(settings: Settings, nics: NetInterface[]): ServerConfig {
  if (!settings.interface) throw new RackbootError('NO_SUCH_INTERFACE', 'pick the network interface that faces the machines');
  const nic = nics.find((n) => n.name === settings.interface);
  if (!nic) {
    const names = nics.map((n) => n.name).join(', ') || 'none';
    throw new RackbootError('NO_SUCH_INTERFACE', `no network interface named ${settings.interface} (this machine has: ${names})`);
  }
  if (nic.ipv4.length === 0) {
    throw new RackbootError(
      'ADDRESS_NOT_ON_INTERFACE',
      `${nic.name} has no IPv4 address; give it one (for example 198.18.0.1/24) and start again`,
    );
  }
  const chosen = settings.address ? nic.ipv4.find((a) => a.address === settings.address) : nic.ipv4[0];
  if (!chosen) {
    const have = nic.ipv4.map((a) => a.address).join(', ');
    throw new RackbootError('ADDRESS_NOT_ON_INTERFACE', `${settings.address} is not an address of ${nic.name} (it has ${have})`);
  }
  const self = parseIPv4(chosen.address)!;
  const subnet = subnetOf(self, chosen.prefix);

  let pool: IPv4Range | null = null;
  if (settings.dhcpMode === 'full') {
    if (settings.pool) {
      pool = parseIPv4Range(settings.pool);
      if (!pool) throw new RackbootError('BAD_POOL', `pool ${settings.pool} is not FIRST-LAST`);
      if (!inSubnet(pool.first, subnet) || !inSubnet(pool.last, subnet)) {
        throw new RackbootError(
          'BAD_POOL',
          `pool ${settings.pool} is outside ${nic.name}'s subnet ${formatIPv4(subnet.network)}/${subnet.prefix}`,
        );
      }
      if (pool.first === subnet.network || pool.last === subnet.broadcast) {
        throw new RackbootError('BAD_POOL', `pool ${settings.pool} includes the network or broadcast address`);
      }
    } else {
      if (subnet.prefix > 30) {
        throw new RackbootError('BAD_POOL', `${chosen.address}/${subnet.prefix} leaves no addresses to hand out`);
      }
      pool = { first: subnet.network + 1, last: subnet.broadcast - 1 };
    }
  } else if (settings.pool) {
    // A pool only means something when rackboot hands out addresses; say so instead of ignoring it.
    throw new RackbootError('BAD_POOL', `a pool needs --dhcp full (DHCP mode is ${settings.dhcpMode})`);
  }

  const reservations = checkReservations(settings.reservations, subnet, self);
  if (settings.router !== null && settings.router !== 'none' && !inSubnet(parseIPv4(settings.router)!, subnet)) {
    throw new RackbootError('BAD_REQUEST', `router ${settings.router} is not in ${nic.name}'s subnet ${formatIPv4(subnet.network)}/${subnet.prefix}`);
  }

  const relayScopes = settings.dhcpMode === 'full' ? settings.relayPools.map((r) => relayScope(r, subnet)) : [];

  return {
    interface: nic.name,
    mac: nic.mac,
    address: chosen.address,
    mtu: nic.mtu ?? 1500,
    subnet,
    dhcpMode: settings.dhcpMode,
    pool,
    httpPort: settings.httpPort,
    tftpPort: settings.tftpPort,
    tftpRoot: settings.tftpRoot,
    isos: settings.isos,
    leaseSeconds: settings.leaseSeconds,
    router: settings.router === 'none' ? null : (settings.router ?? chosen.address),
    dns: settings.dns ?? [chosen.address],
    domain: settings.domain,
    reservations,
    relayScopes,
  };
}

function relayScope(r: RelayPool, own: Subnet): ServerConfig['relayScopes'][number] {
  const net = parseCidr(r.network)!;
  const subnet = subnetOf(net.address, net.prefix);
  const pool = parseIPv4Range(r.pool)!;
  const where = `relay pool ${r.network}`;
  if (subnet.network === own.network && subnet.prefix === own.prefix) throw new RackbootError('BAD_POOL', `${where} is rackboot's own network; use --pool for it`);
  if (!inSubnet(pool.first, subnet) || !inSubnet(pool.last, subnet) || pool.first === subnet.network || pool.last === subnet.broadcast) {
    throw new RackbootError('BAD_POOL', `${where}: ${r.pool} is not inside its host addresses`);
  }
  if (r.router !== null && !inSubnet(parseIPv4(r.router)!, subnet)) throw new RackbootError('BAD_POOL', `${where}: router ${r.router} is not on that network`);
  return { subnet, pool, router: r.router };
}

/** Reservations must sit in the served subnet, never on rackboot itself, one per MAC and one per address. */
function checkReservations(list: Reservation[], subnet: Subnet, self: number): Reservation[] {
  const macs = new Set<string>();
  const ips = new Set<number>();
  for (const r of list) {
    const ip = parseIPv4(r.ip)!;
    const where = `reservation ${r.mac} -> ${r.ip}`;
    if (!inSubnet(ip, subnet) || ip === subnet.network || ip === subnet.broadcast) {
      throw new RackbootError('BAD_REQUEST', `${where}: the address is not a host address of ${formatIPv4(subnet.network)}/${subnet.prefix}`);
    }
    if (ip === self) throw new RackbootError('BAD_REQUEST', `${where}: that is rackboot's own address`);
    if (macs.has(r.mac)) throw new RackbootError('BAD_REQUEST', `${where}: ${r.mac} is reserved twice`);
    if (ips.has(ip)) throw new RackbootError('BAD_REQUEST', `${where}: ${r.ip} is reserved for two machines`);
    macs.add(r.mac);
    ips.add(ip);
  }
  return list;
}
