/**
 * Wake-on-LAN: the magic packet (shared/protocol/wol/magic.ts) broadcast out of the NIC the technician
 * chose. A socket tied to that NIC (bindUdp with SO_BINDTODEVICE) sends 255.255.255.255 through it and
 * no other; without the addon the kernel picks the NIC by its routes, which `note` says. A few copies go
 * out a little apart, since a NIC in standby may miss the first and nothing answers to tell.
 */
import { BmcError } from '../../../shared/api/errors.ts';
import { parseMac, isIPv4 } from '../../../shared/net/ipv4.ts';
import { encode, WOL_PORT } from '../../../shared/protocol/wol/magic.ts';
import { bindUdp } from '../net/bind.ts';

export interface WakeOptions {
  mac: string;
  /** The NIC to send from (`eth0`); null sends wherever the routes say. */
  iface?: string | null;
  /** The NIC's own IPv4 address, used as the source when no device binding is possible. */
  sourceAddress?: string;
  /** 255.255.255.255 unless told (a directed broadcast such as 198.18.0.255 also works across a router that allows it). */
  destination?: string;
  port?: number;
  /** SecureOn password: 4 or 6 bytes. */
  password?: Uint8Array | null;
  /** How many copies (default 3), `gapMs` apart (default 100). */
  count?: number;
  gapMs?: number;
}

export interface WakeResult {
  mac: string;
  sent: number;
  bytes: number;
  destination: string;
  port: number;
  iface: string | null;
  /** True when the packets could only leave through `iface`. */
  deviceBound: boolean;
  note: string | null;
}

export async function sendWakeOnLan(o: WakeOptions): Promise<WakeResult> {
  const mac = parseMac(o.mac);
  if (!mac) throw new BmcError('BMC_BAD_TARGET', `${JSON.stringify(o.mac)} is not a MAC address`);
  const destination = o.destination ?? '255.255.255.255';
  if (!isIPv4(destination)) throw new BmcError('BMC_BAD_TARGET', `${JSON.stringify(destination)} is not an IPv4 address`);
  const port = o.port ?? WOL_PORT;
  const count = Math.max(1, Math.min(o.count ?? 3, 10));
  const gapMs = o.gapMs ?? 100;
  const packet = encode({ mac, password: o.password ?? null });
  const iface = o.iface ?? null;
  let bound;
  try {
    bound = await bindUdp({ port: 0, address: o.sourceAddress ?? '0.0.0.0', iface, broadcast: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENODEV') throw new BmcError('BMC_BAD_TARGET', `there is no network card ${iface} on this computer`);
    throw new BmcError('BMC_UNREACHABLE', `cannot open a socket for Wake-on-LAN${iface ? ` on ${iface}` : ''}: ${err.message}`);
  }
  const { socket } = bound;
  let sent = 0;
  try {
    for (let i = 0; i < count; i++) {
      if (i) await new Promise((r) => setTimeout(r, gapMs));
      await new Promise<void>((resolve, reject) => socket.send(packet, port, destination, (e) => (e ? reject(e) : resolve())));
      sent++;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (sent === 0) throw new BmcError('BMC_UNREACHABLE', `the Wake-on-LAN packet for ${mac} could not be sent${iface ? ` on ${iface}` : ''}: ${err.code ?? err.message} (is the network card up and cabled?)`);
  } finally {
    socket.close();
  }
  return { mac, sent, bytes: packet.length, destination, port, iface, deviceBound: bound.deviceBound, note: bound.note };
}
