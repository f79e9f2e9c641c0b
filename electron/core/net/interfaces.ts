/**
 * Lists the machine's NICs for the technician. On Linux it reads /sys/class/net so that a NIC with a cable
 * but no IPv4 address still shows (os.networkInterfaces() omits it); elsewhere it uses Node's view only.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { NetInterface } from '../../../shared/api/contract.ts';
import { formatIPv4, parseIPv4, subnetOf } from '../../../shared/net/ipv4.ts';

const SYS_NET = '/sys/class/net';
const IFF_UP = 0x1;
const ARPHRD_LOOPBACK = 772;

function readSys(name: string, file: string): string | null {
  try {
    return readFileSync(join(SYS_NET, name, file), 'utf8').trim();
  } catch {
    return null;
  }
}

/** NICs holding an IPv4 default route (/proc/net/route: destination 00000000). */
function defaultRouteNics(): Set<string> {
  const out = new Set<string>();
  try {
    for (const line of readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
      if (iface && destination === '00000000' && mask === '00000000') out.add(iface);
    }
  } catch {
    // Not Linux, or no procfs: unknown.
  }
  return out;
}

export function listInterfaces(): NetInterface[] {
  const defaults = defaultRouteNics();
  const os = networkInterfaces();
  const names = new Set(Object.keys(os));
  const sysfs = process.platform === 'linux' && existsSync(SYS_NET);
  if (sysfs) for (const n of readdirSync(SYS_NET)) names.add(n);

  const out: NetInterface[] = [];
  for (const name of names) {
    const addrs = os[name] ?? [];
    const ipv4 = addrs
      .filter((a) => a.family === 'IPv4')
      .flatMap((a) => {
        const address = parseIPv4(a.address);
        const prefix = a.cidr ? Number(a.cidr.split('/')[1]) : NaN;
        if (address === null || !Number.isInteger(prefix)) return [];
        return [{ address: a.address, prefix, network: formatIPv4(subnetOf(address, prefix).network) }];
      });
    const firstMac = addrs.find((a) => a.mac && a.mac !== '00:00:00:00:00:00')?.mac ?? null;
    if (sysfs) {
      const type = Number(readSys(name, 'type'));
      const flags = parseInt(readSys(name, 'flags') ?? '0', 16);
      const operstate = readSys(name, 'operstate');
      const mac = readSys(name, 'address');
      const mtu = Number(readSys(name, 'mtu'));
      const loopback = type === ARPHRD_LOOPBACK;
      // Reading `speed` fails (EINVAL) without a link; drivers report -1 or 0 when they do not know.
      const speed = Number(readSys(name, 'speed'));
      out.push({
        name,
        mac: mac && mac !== '00:00:00:00:00:00' ? mac : firstMac,
        // Loopback and some virtual NICs report operstate "unknown" while up.
        up: operstate === 'up' || (operstate === 'unknown' && (flags & IFF_UP) !== 0),
        loopback,
        wireless: existsSync(join(SYS_NET, name, 'wireless')),
        mtu: Number.isInteger(mtu) && mtu > 0 ? mtu : null,
        ipv4,
        defaultRoute: defaults.has(name),
        speedMbps: Number.isInteger(speed) && speed > 0 && speed < 10_000_000 ? speed : null,
      });
    } else {
      out.push({
        name,
        mac: firstMac,
        up: addrs.length > 0,
        loopback: addrs.some((a) => a.internal),
        wireless: false,
        mtu: null,
        ipv4,
      });
    }
  }
  // Wired NICs with an address first (what a technician plugs into a rack switch), loopback last.
  const rank = (n: NetInterface) => (n.loopback ? 3 : 0) + (n.ipv4.length ? 0 : 1) + (n.up ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
