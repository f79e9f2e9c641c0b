/**
 * ICMPv6 router advertisements (RFC 4861 4.2), only as much as rackboot sends: a "no router here" advert to one
 * iPXE client. iPXE configures IPv4 (DHCP) and IPv6 (router discovery) side by side and `ifconf` returns only
 * when both have finished (ipxe src/usr/ifmgmt.c); on a link without IPv6 routers the IPv6 side waits for
 * router solicitation to time out, ~13 s at every boot (measured in QEMU). One advert ends that wait.
 *
 * The advert says nothing a host acts on: router lifetime 0 ("not a default router", RFC 4861 6.3.4), no
 * prefixes, M and O clear, hop limit / reachable / retransmit 0 ("unspecified"). It is unicast to the client's
 * link-local address only, never multicast.
 */
import { parseMac } from '../../net/ipv4.ts';

export const ICMP6_ROUTER_ADVERT = 134;
/** RFC 4861 4.6.1 source link-layer address option. */
const OPT_SOURCE_LINK_LAYER = 1;

export interface RouterAdvert {
  curHopLimit: number;
  managed: boolean;
  other: boolean;
  /** Seconds; 0 = not a default router. */
  routerLifetime: number;
  reachableMs: number;
  retransMs: number;
  /** Our MAC (canonical), sent as the source link-layer option so the client needs no neighbour solicitation. */
  sourceMac: string | null;
}

export const NO_ROUTER: Omit<RouterAdvert, 'sourceMac'> = { curHopLimit: 0, managed: false, other: false, routerLifetime: 0, reachableMs: 0, retransMs: 0 };

/** The ICMPv6 message (the kernel fills in the checksum, bytes 2-3, for raw ICMPv6 sockets: RFC 3542 3.1). */
export function encodeRouterAdvert(ra: RouterAdvert): Uint8Array {
  const mac = ra.sourceMac === null ? null : parseMac(ra.sourceMac);
  if (ra.sourceMac !== null && !mac) throw new Error(`not a MAC address: ${JSON.stringify(ra.sourceMac)}`);
  const out = new Uint8Array(16 + (mac ? 8 : 0));
  const v = new DataView(out.buffer);
  out[0] = ICMP6_ROUTER_ADVERT;
  out[1] = 0;
  out[4] = ra.curHopLimit & 0xff;
  out[5] = (ra.managed ? 0x80 : 0) | (ra.other ? 0x40 : 0);
  v.setUint16(6, ra.routerLifetime);
  v.setUint32(8, ra.reachableMs);
  v.setUint32(12, ra.retransMs);
  if (mac) {
    out[16] = OPT_SOURCE_LINK_LAYER;
    out[17] = 1; // length in units of 8 octets
    out.set(mac.split(':').map((h) => parseInt(h, 16)), 18);
  }
  return out;
}

/** The modified EUI-64 link-local address (RFC 4291 2.5.1, appendix A) a host such as iPXE forms from its MAC. */
export function linkLocalFromMac(mac: string): string {
  const m = parseMac(mac);
  if (!m) throw new Error(`not a MAC address: ${JSON.stringify(mac)}`);
  const b = m.split(':').map((h) => parseInt(h, 16));
  b[0]! ^= 0x02; // universal/local bit inverted
  const words = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${words.map((w) => w.toString(16)).join(':')}`;
}
