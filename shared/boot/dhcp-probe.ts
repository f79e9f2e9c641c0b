/**
 * "Is another DHCP server on this network?" (issue 8: the DHCP mode is chosen for the technician: proxy when the
 * site already has a DHCP server on that NIC, full otherwise.) One DHCPDISCOVER from the NIC's own MAC, and the
 * OFFERs it draws. Never a REQUEST: no address is taken, the servers' offers lapse on their own (RFC 2131 4.3.1
 * lets a server reserve an offered address only until it sees no REQUEST). The vendor class names rackboot, so a
 * site admin reading their server's log knows what asked.
 */
import { BOOTREQUEST, FLAG_BROADCAST, getOption, messageType, type DhcpPacket } from '../protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../protocol/dhcp4/options.ts';
import { parseMac } from '../net/ipv4.ts';
import { latin1 } from '../protocol/bytes.ts';
import { text } from '../protocol/dhcp4/values.ts';

export const PROBE_VENDOR_CLASS = 'rackboot-probe';

export interface ProbeOffer {
  /** Option 54, else the packet's source address. */
  server: string;
  offered: string;
  router: string | null;
  /** Option 60 in the offer (`PXEClient` marks a ProxyDHCP-style boot server). */
  vendorClass: string | null;
  /** A ProxyDHCP offer (no address): a PXE server rather than an address server. */
  proxy: boolean;
}

export function probeDiscover(mac: string, xid: number): DhcpPacket {
  const canonical = parseMac(mac);
  if (!canonical) throw new Error(`not a MAC address: ${JSON.stringify(mac)}`);
  const chaddr = new Uint8Array(16);
  chaddr.set(canonical.split(':').map((h) => parseInt(h, 16)));
  return {
    op: BOOTREQUEST,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: xid >>> 0,
    secs: 0,
    // Broadcast flag: we have no address to receive a unicast offer on (RFC 2131 4.1).
    flags: FLAG_BROADCAST,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr,
    sname: '',
    file: '',
    options: [
      { code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(MessageType.DISCOVER) },
      { code: DhcpOption.PARAMETER_REQUEST_LIST, data: Uint8Array.of(DhcpOption.SUBNET_MASK, DhcpOption.ROUTER, DhcpOption.DNS) },
      { code: DhcpOption.VENDOR_CLASS, data: text(PROBE_VENDOR_CLASS) },
    ],
  };
}

const quad = (b: Uint8Array | undefined, at = 0): string | null => (b && b.length >= at + 4 ? `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}` : null);

/** The offer in a reply to our probe, or null when it is not one (another xid, not an OFFER, not a reply). */
export function readProbeOffer(reply: DhcpPacket, xid: number, from: string): ProbeOffer | null {
  if (reply.op !== 2 || reply.xid !== xid >>> 0 || messageType(reply) !== MessageType.OFFER) return null;
  const vendor = getOption(reply, DhcpOption.VENDOR_CLASS);
  return {
    server: quad(getOption(reply, DhcpOption.SERVER_ID)) ?? from,
    offered: reply.yiaddr,
    router: quad(getOption(reply, DhcpOption.ROUTER)),
    vendorClass: vendor ? latin1(vendor) : null,
    proxy: reply.yiaddr === '0.0.0.0',
  };
}
