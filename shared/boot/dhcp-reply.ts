/**
 * Builds DHCP replies (full mode, ProxyDHCP on 67, PXE boot-server ACK on 4011) and says where each goes.
 * Pure: the service supplies the decision (address, lease, boot file); this module places every byte.
 * References: RFC 2131 §4.1/§4.3, RFC 2132, RFC 3046, PXE 2.1, boot-chains §1.2-§1.9.
 */
import { encodingLength, getOption, BOOTREPLY, FLAG_BROADCAST, type DhcpOptionValue, type DhcpPacket } from '../protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../protocol/dhcp4/options.ts';
import { PXE_SKIP_DISCOVERY, PxeSub, encodeSuboptions, ipList, maxMessageSize, option, requestedOptions, text, u32, u8 } from '../protocol/dhcp4/values.ts';
import { formatIPv4, prefixToMask } from '../net/ipv4.ts';
import type { ClientInfo } from './classify.ts';
import type { BootTarget } from './bootfile.ts';

const ZERO = '0.0.0.0';

/**
 * iPXE's encapsulated option 175.176 `no-pxedhcp`: "do not wait for ProxyDHCP offers". Without it iPXE holds
 * every DHCPOFFER that lacks `PXEClient` for DHCP_DISC_PROXY_TIMEOUT_SEC (3 s seen in QEMU) before it requests
 * (ipxe src/net/udp/dhcp.c dhcp_discovery_rx). In full mode rackboot is the boot server: nothing to wait for.
 */
const IPXE_NO_PXEDHCP = 176;

export interface Destination {
  address: string;
  port: number;
  /** True when the reply goes to 255.255.255.255. */
  broadcast: boolean;
}

export interface Ports {
  /** Where relays listen (RFC 2131: 67). */
  server: number;
  /** Where clients listen (68). */
  client: number;
}

export const STANDARD_PORTS: Ports = { server: 67, client: 68 };

/** The fields every reply copies from the request (RFC 2131 table 3). */
function skeleton(req: DhcpPacket, serverIp: string, type: number): DhcpPacket {
  return {
    op: BOOTREPLY,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: ZERO,
    yiaddr: ZERO,
    siaddr: ZERO,
    giaddr: req.giaddr,
    chaddr: req.chaddr,
    sname: '',
    file: '',
    // Option 53 first, then 54 (dnsmasq's order; some ROMs look at the first option).
    options: [option(DhcpOption.MESSAGE_TYPE, u8(type)), option(DhcpOption.SERVER_ID, ipList([serverIp]))],
  };
}

/** Options echoed at the end: 97 for PXE servers, 82 last and unchanged (RFC 3046 §2.2). */
function echoes(req: DhcpPacket, pxe: boolean): DhcpOptionValue[] {
  const out: DhcpOptionValue[] = [];
  const guid = getOption(req, DhcpOption.CLIENT_UUID);
  if (pxe && guid) out.push(option(DhcpOption.CLIENT_UUID, guid));
  const relay = getOption(req, DhcpOption.RELAY_AGENT);
  if (relay) out.push(option(DhcpOption.RELAY_AGENT, relay));
  return out;
}

/**
 * Places the boot file: `file` (+ siaddr) always when it fits, option 67 too when the client asked for it
 * (dnsmasq's rule), option 67 alone when it is too long for the 128-byte field. Always NUL-terminated.
 */
function placeBoot(reply: DhcpPacket, req: DhcpPacket, boot: BootTarget, serverIp: string): void {
  const prl = requestedOptions(getOption(req, DhcpOption.PARAMETER_REQUEST_LIST));
  reply.siaddr = serverIp;
  const fits = boot.file.length <= 127;
  if (fits) reply.file = boot.file;
  if (!fits || prl.has(DhcpOption.BOOTFILE)) reply.options.push(option(DhcpOption.BOOTFILE, text(boot.file, true)));
  if (prl.has(DhcpOption.TFTP_SERVER)) reply.options.push(option(DhcpOption.TFTP_SERVER, text(serverIp, true)));
}

export interface FullReplyInput {
  type: typeof MessageType.OFFER | typeof MessageType.ACK;
  serverIp: string;
  yiaddr: string;
  /** Omitted for INFORM (RFC 2131 §4.3.5: no lease time). */
  leaseSeconds: number | null;
  prefix: number;
  router: string | null;
  dns: readonly string[];
  domain: string | null;
  hostname: string | null;
  boot: BootTarget | null;
  info: ClientInfo;
  /** INFORM: ciaddr echoed, yiaddr 0. */
  inform?: boolean;
}

/** OFFER / ACK in full mode (the site's-DHCP-server role). No option 60 `PXEClient`: we answer without 4011 (boot-chains §1.6). */
export function fullReply(req: DhcpPacket, r: FullReplyInput): DhcpPacket {
  const reply = skeleton(req, r.serverIp, r.type);
  if (r.inform) reply.ciaddr = req.ciaddr;
  else reply.yiaddr = r.yiaddr;
  const o = reply.options;
  if (r.leaseSeconds !== null) {
    o.push(option(DhcpOption.LEASE_TIME, u32(r.leaseSeconds)));
    o.push(option(DhcpOption.RENEWAL_TIME, u32(Math.floor(r.leaseSeconds / 2))));
    o.push(option(DhcpOption.REBINDING_TIME, u32(Math.floor((r.leaseSeconds * 7) / 8))));
  }
  o.push(option(DhcpOption.SUBNET_MASK, ipList([formatIPv4(prefixToMask(r.prefix))])));
  if (r.router) o.push(option(DhcpOption.ROUTER, ipList([r.router])));
  if (r.dns.length) o.push(option(DhcpOption.DNS, ipList(r.dns)));
  if (r.domain) o.push(option(DhcpOption.DOMAIN_NAME, text(r.domain)));
  if (r.hostname) o.push(option(DhcpOption.HOSTNAME, text(r.hostname)));
  if (r.info.bootClass === 'HTTPClient' && r.boot) {
    // EDK2 HttpBootDxe only takes offers that echo HTTPClient (boot-chains §1.9).
    o.push(option(DhcpOption.VENDOR_CLASS, text('HTTPClient')));
  }
  if (r.info.ipxe && r.boot) o.push(option(DhcpOption.IPXE_ENCAP, encodeSuboptions([option(IPXE_NO_PXEDHCP, u8(1))], false, 'option 175')));
  if (r.boot) placeBoot(reply, req, r.boot, r.serverIp);
  o.push(...echoes(req, false));
  return reply;
}

/** ProxyDHCP OFFER on port 67 (PXE 2.1 §2.2; boot-chains §1.7): yiaddr 0, no lease or network options. */
export function proxyOffer(req: DhcpPacket, info: ClientInfo, boot: BootTarget, serverIp: string, opts: { pxeControlForUefi?: boolean } = {}): DhcpPacket {
  const reply = skeleton(req, serverIp, MessageType.OFFER);
  reply.flags = FLAG_BROADCAST; // dnsmasq and pixiecore always broadcast proxy offers
  const http = info.bootClass === 'HTTPClient';
  reply.options.push(option(DhcpOption.VENDOR_CLASS, text(http ? 'HTTPClient' : 'PXEClient')));
  // BIOS ROMs: discovery control 8 = "boot the file now, no menu". UEFI: no option 43, so EDK2 treats the
  // offer as BINL and asks our port 4011 (dnsmasq/pixiecore; "many UEFI PXE implementations have badly
  // broken menu code"). iPXE reads file directly either way.
  const uefi = info.firmware === 'uefi';
  if (!http && (!uefi || opts.pxeControlForUefi || info.ipxe)) {
    reply.options.push(option(DhcpOption.VENDOR_SPECIFIC, encodeSuboptions([option(PxeSub.DISCOVERY_CONTROL, u8(PXE_SKIP_DISCOVERY))], true, 'option 43')));
  }
  placeBoot(reply, req, boot, serverIp);
  reply.options.push(...echoes(req, true));
  return reply;
}

/**
 * PXE boot-server ACK on port 4011. Without sub-option 71 (BINL): yiaddr 0, ciaddr echoed (pixiecore).
 * With 71: yiaddr = ciaddr and the boot item echoed in option 43 (dnsmasq's proxy path).
 */
export function bootServerAck(req: DhcpPacket, info: ClientInfo, boot: BootTarget, serverIp: string, item: { type: number; layer: number } | null): DhcpPacket {
  const reply = skeleton(req, serverIp, MessageType.ACK);
  reply.flags = req.flags;
  if (item) reply.yiaddr = req.ciaddr;
  else reply.ciaddr = req.ciaddr;
  reply.options.push(option(DhcpOption.VENDOR_CLASS, text(info.bootClass === 'HTTPClient' ? 'HTTPClient' : 'PXEClient')));
  if (item) {
    const layer = Uint8Array.of(item.type >> 8, item.type & 0xff, item.layer >> 8, item.layer & 0xff);
    reply.options.push(option(DhcpOption.VENDOR_SPECIFIC, encodeSuboptions([option(PxeSub.BOOT_ITEM, layer)], true, 'option 43')));
  }
  placeBoot(reply, req, boot, serverIp);
  reply.options.push(...echoes(req, true));
  return reply;
}

export function nak(req: DhcpPacket, serverIp: string, message: string): DhcpPacket {
  const reply = skeleton(req, serverIp, MessageType.NAK);
  reply.options.push(option(DhcpOption.MESSAGE, text(message.slice(0, 250))));
  reply.options.push(...echoes(req, false));
  return reply;
}

/** RFC 2131 §4.1 reply addressing. Unicast to an unconfigured client's yiaddr needs ARP injection Node cannot do, so broadcast instead (allowed by the RFC). */
export function destination(req: DhcpPacket, reply: DhcpPacket, ports: Ports = STANDARD_PORTS): Destination {
  const type = reply.options[0]?.data[0];
  if (req.giaddr !== ZERO) return { address: req.giaddr, port: ports.server, broadcast: false };
  if (type === MessageType.NAK) return { address: '255.255.255.255', port: ports.client, broadcast: true };
  if (req.ciaddr !== ZERO) return { address: req.ciaddr, port: ports.client, broadcast: false };
  return { address: '255.255.255.255', port: ports.client, broadcast: true };
}

/** Fails loudly instead of sending a reply the client would truncate (option 57 or the 576-byte floor). */
export function fitsClient(req: DhcpPacket, reply: DhcpPacket): boolean {
  return encodingLength(reply) <= maxMessageSize(getOption(req, DhcpOption.MAX_MESSAGE_SIZE));
}
