/**
 * While rackboot is the DHCP server (full mode), listens without sending anything for another DHCP server on the
 * same network: servers broadcast their OFFERs and ACKs to clients on port 68 when the client asks for broadcast
 * (PXE ROMs and most firmware do), so a second server shows itself as soon as it answers anyone. One warning per
 * server seen, naming it and the address it handed out.
 */
import { decode, getOption, messageType } from '../../../shared/protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../../../shared/protocol/dhcp4/options.ts';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { bindUdp } from '../net/bind.ts';

export interface DhcpWatch {
  /** Servers other than rackboot seen so far. */
  seen(): string[];
  stop(): Promise<void>;
}

export async function watchForDhcpServers(o: { iface: string; ours: string; port?: number; emit: (e: BootEventInput) => void }): Promise<DhcpWatch | null> {
  let bound;
  try {
    bound = await bindUdp({ port: o.port ?? 68, address: '0.0.0.0', iface: o.iface, broadcast: true, reuseAddr: true });
  } catch (e) {
    o.emit({ service: 'dhcp', level: 'debug', msg: `not watching for other DHCP servers on ${o.iface}: ${(e as Error).message}` });
    return null;
  }
  const seen = new Map<string, string>();
  bound.socket.on('message', (msg, rinfo) => {
    try {
      const p = decode(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength)).value;
      const type = messageType(p);
      if (p.op !== 2 || (type !== MessageType.OFFER && type !== MessageType.ACK)) return;
      const id = getOption(p, DhcpOption.SERVER_ID);
      const server = id && id.length === 4 ? id.join('.') : rinfo.address;
      if (server === o.ours || rinfo.address === o.ours || seen.has(server)) return;
      seen.set(server, p.yiaddr);
      o.emit({
        service: 'dhcp',
        level: 'error',
        ip: server,
        msg: `another DHCP server is answering on ${o.iface}: ${server} gave out ${p.yiaddr}. Two servers hand out conflicting addresses; stop rackboot and start it in proxy mode (beside that server), or unplug it`,
        fields: { otherServer: server, offered: p.yiaddr },
      });
    } catch {
      // Not DHCP: nothing to learn.
    }
  });
  return {
    seen: () => [...seen.keys()],
    stop: () => new Promise<void>((r) => bound.socket.close(() => r())),
  };
}
