/**
 * Sends the probe DHCPDISCOVER (shared/boot/dhcp-probe.ts) out of one NIC and collects the OFFERs for a moment.
 * Needs port 68 (root or CAP_NET_BIND_SERVICE); shares it with a DHCP client running on the laptop
 * (SO_REUSEADDR), and only ever reads replies to its own transaction id.
 */
import { randomInt } from 'node:crypto';
import { decode, encode } from '../../../shared/protocol/dhcp4/codec.ts';
import { probeDiscover, readProbeOffer, type ProbeOffer } from '../../../shared/boot/dhcp-probe.ts';
import { bindUdp } from '../net/bind.ts';

export interface ProbeResult {
  offers: ProbeOffer[];
  /** How long it listened. */
  ms: number;
  /** The socket is tied to the NIC (else offers arriving on other NICs could be counted). */
  deviceBound: boolean;
}

export async function probeDhcpServers(o: { iface: string; mac: string; listenMs?: number; ports?: { server: number; client: number }; ignore?: readonly string[] }): Promise<ProbeResult> {
  const ports = o.ports ?? { server: 67, client: 68 };
  const listenMs = o.listenMs ?? 2500;
  const bound = await bindUdp({ port: ports.client, address: '0.0.0.0', iface: o.iface, broadcast: true, reuseAddr: true });
  const xid = randomInt(1, 0xffffffff);
  const seen = new Map<string, ProbeOffer>();
  const started = Date.now();
  try {
    bound.socket.on('message', (msg, rinfo) => {
      try {
        const offer = readProbeOffer(decode(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)).value, xid, rinfo.address);
        if (offer && !o.ignore?.includes(offer.server) && !seen.has(offer.server)) seen.set(offer.server, offer);
      } catch {
        // Not a DHCP packet we can read: not an offer to us.
      }
    });
    const packet = encode(probeDiscover(o.mac, xid));
    // Twice, a second apart: a lost broadcast or a server that ignores the first DISCOVER (ping check) still answers.
    for (let i = 0; i < 2; i++) {
      await new Promise<void>((resolve, reject) => bound.socket.send(packet, ports.server, '255.255.255.255', (e) => (e ? reject(e) : resolve())));
      await new Promise((r) => setTimeout(r, i === 0 ? 1000 : Math.max(0, listenMs - 1000)));
    }
  } finally {
    await new Promise<void>((r) => bound.socket.close(() => r()));
  }
  return { offers: [...seen.values()], ms: Date.now() - started, deviceBound: bound.deviceBound };
}
