/**
 * One unicast IPv6 router advertisement ("no router here", shared/protocol/icmp6/router-advert.ts) to each iPXE
 * client as its DHCP exchange runs. iPXE's `ifconf` waits for IPv6 router discovery to give up (~13 s on a
 * link without IPv6 routers, measured in QEMU with Debian's snponly.efi) before it boots anything; the advert
 * ends that wait at once. Sent only to machines rackboot is answering as iPXE, to their own link-local
 * address, never multicast; a NIC without IPv6 or a system without raw sockets only costs the wait
 * (one warning says so).
 */
import { linkLocalFromMac, encodeRouterAdvert, NO_ROUTER } from '../../../shared/protocol/icmp6/router-advert.ts';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { openIcmp6, type Icmp6Sender } from './bind.ts';

export interface RouterAdvertiser {
  /** The iPXE client `mac` is configuring its network: tell it there is no IPv6 router. */
  nudge(mac: string): void;
  close(): void;
}

/** At most one advert per client per second (DISCOVER and REQUEST both nudge), and 200 a second in all. */
const PER_CLIENT_MS = 1000;
const PER_SECOND = 200;

export function createRouterAdvertiser(o: { iface: string; mac: string | null; emit: (e: BootEventInput) => void; now?: () => number }): RouterAdvertiser {
  const now = o.now ?? Date.now;
  let sender: Icmp6Sender | null = null;
  let disabled = false;
  const last = new Map<string, number>();
  let second = 0;
  let sentThisSecond = 0;
  const advert = encodeRouterAdvert({ ...NO_ROUTER, sourceMac: o.mac });

  const giveUp = (why: string) => {
    disabled = true;
    sender?.close();
    sender = null;
    o.emit({ service: 'dhcp', level: 'warn', msg: `iPXE clients will wait about 13 s for IPv6 at each boot: ${why}`, fields: { iface: o.iface } });
  };

  return {
    nudge(mac) {
      if (disabled) return;
      const t = now();
      if (t - (last.get(mac) ?? -Infinity) < PER_CLIENT_MS) return;
      if (Math.floor(t / 1000) !== second) {
        second = Math.floor(t / 1000);
        sentThisSecond = 0;
      }
      if (++sentThisSecond > PER_SECOND) return;
      if (last.size > 10_000) last.delete(last.keys().next().value!);
      last.set(mac, t);
      try {
        if (!sender) {
          const opened = openIcmp6(o.iface);
          if ('reason' in opened) return giveUp(opened.reason);
          sender = opened;
        }
        sender.send(advert, linkLocalFromMac(mac));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // No link-local address yet (IPv6 off on the NIC, or still in duplicate address detection): try again next time.
        if (code === 'EADDRNOTAVAIL' || code === 'ENETUNREACH' || code === 'ENETDOWN') {
          o.emit({ service: 'dhcp', level: 'debug', mac, msg: `no IPv6 router advert to ${mac}: ${o.iface} has no usable IPv6 link-local address (${code})` });
          return;
        }
        giveUp(code === 'EPERM' || code === 'EACCES' ? 'sending ICMPv6 needs root or CAP_NET_RAW' : (e as Error).message);
      }
    },
    close() {
      sender?.close();
      sender = null;
    },
  };
}
