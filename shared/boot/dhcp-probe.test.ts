import { describe, expect, it } from 'vitest';
import { decode, encode, getOption, type DhcpPacket } from '../protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../protocol/dhcp4/options.ts';
import { probeDiscover, readProbeOffer, PROBE_VENDOR_CLASS } from './dhcp-probe.ts';

const XID = 0xdeadbeef;
const offer = (over: Partial<DhcpPacket> = {}, type: number = MessageType.OFFER): DhcpPacket => ({
  ...probeDiscover('52:54:00:aa:bb:cc', XID),
  op: 2,
  yiaddr: '198.18.0.120',
  options: [
    { code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(type) },
    { code: DhcpOption.SERVER_ID, data: Uint8Array.of(198, 18, 0, 2) },
    { code: DhcpOption.ROUTER, data: Uint8Array.of(198, 18, 0, 254) },
  ],
  ...over,
});

describe('DHCP probe', () => {
  it('asks with a broadcast-flagged DISCOVER from the NIC MAC, naming itself', () => {
    const p = decode(encode(probeDiscover('52:54:00:AA:BB:CC', XID))).value;
    expect(p.op).toBe(1);
    expect(p.xid).toBe(XID);
    expect(p.flags & 0x8000).toBe(0x8000);
    expect([...p.chaddr.slice(0, 6)]).toEqual([0x52, 0x54, 0, 0xaa, 0xbb, 0xcc]);
    expect(getOption(p, DhcpOption.MESSAGE_TYPE)).toEqual(Uint8Array.of(MessageType.DISCOVER));
    expect(new TextDecoder().decode(getOption(p, DhcpOption.VENDOR_CLASS))).toBe(PROBE_VENDOR_CLASS);
    // Never a REQUEST: there is no option 50 (requested address) to take a lease with.
    expect(getOption(p, DhcpOption.REQUESTED_IP)).toBeUndefined();
  });

  it('reads an offer: server id, address, router', () => {
    expect(readProbeOffer(offer(), XID, '198.18.0.9')).toEqual({ server: '198.18.0.2', offered: '198.18.0.120', router: '198.18.0.254', vendorClass: null, proxy: false });
  });

  it.each([
    ['another transaction', offer({ xid: 1 })],
    ['an ACK, not an offer', offer({}, MessageType.ACK)],
    ['a request echoed back', offer({ op: 1 })],
  ])('ignores %s', (_why, p) => expect(readProbeOffer(p, XID, '198.18.0.9')).toBeNull());

  it('a ProxyDHCP offer (no address, PXEClient) is a boot server, not an address server; no option 54 falls back to the sender', () => {
    const proxy = offer({ yiaddr: '0.0.0.0', options: [{ code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(MessageType.OFFER) }, { code: DhcpOption.VENDOR_CLASS, data: new TextEncoder().encode('PXEClient') }] });
    expect(readProbeOffer(proxy, XID, '198.18.0.7')).toEqual({ server: '198.18.0.7', offered: '0.0.0.0', router: null, vendorClass: 'PXEClient', proxy: true });
  });
});
