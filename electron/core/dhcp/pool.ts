/**
 * Address pool and lease state for full-mode DHCP (RFC 2131 §4.3). In memory for speed, with every state
 * change written through `persist` before the reply leaves (one small write per change; an acknowledged
 * lease survives kill -9). Offers are held in memory only, as ISC dhcpd and dnsmasq do.
 */
import type { Reservation } from '../../../shared/api/contract.ts';
import { formatIPv4, inSubnet, parseIPv4, type IPv4Range, type Subnet } from '../../../shared/net/ipv4.ts';

export type LeaseState = 'bound' | 'released' | 'declined';

export interface Lease {
  clientKey: string;
  mac: string;
  ip: string;
  state: LeaseState;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  hostname: string | null;
  updatedAt: number;
}

export interface Scope {
  subnet: Subnet;
  range: IPv4Range;
  router: string | null;
}

export interface LeasePoolOptions {
  scopes: Scope[];
  /** Addresses never handed out (rackboot's own). */
  exclude: string[];
  reservations: Reservation[];
  /**
   * Reservations that change while serving (the fleet plan: a row is bound to its MAC on first contact). `ownerOf`
   * names who an address is held for (a MAC, or any other string for a machine not yet known): nobody else gets it.
   */
  dynamicReservations?: { reservationFor(mac: string): Reservation | undefined; ownerOf(ip: number): string | undefined };
  leases: Lease[];
  persist: (lease: Lease) => void;
  now?: () => number;
  /** How long an offered address stays held for the client that was offered it. */
  offerHoldMs?: number;
  /** How long a declined address (someone else uses it: RFC 2131 §4.3.3) is kept out of the pool. */
  declineHoldMs?: number;
}

export type Allocation = { ip: string; reserved: boolean; hostname: string | null } | { none: string };
export type Commit = { lease: Lease; reserved: boolean } | { nak: string } | { silent: string };

interface Held {
  key: string;
  until: number;
}

export interface LeasePool {
  /** Picks an address for a DISCOVER and holds it briefly. */
  offer(clientKey: string, mac: string, scope: Scope, requested: string | null): Allocation;
  /** REQUEST in any state: ACK (lease written), NAK, or stay silent (RFC 2131 §4.3.2). */
  commit(clientKey: string, mac: string, scope: Scope, ip: string, leaseSeconds: number, opts: { initReboot: boolean }): Commit;
  release(clientKey: string, ip: string): Lease | null;
  decline(clientKey: string, mac: string, ip: string): void;
  /** The client chose another server: drop its offer. */
  forgetOffer(clientKey: string): void;
  byKey(clientKey: string): Lease | undefined;
  reservationFor(mac: string): Reservation | undefined;
  scopeFor(address: string): Scope | undefined;
  list(): Lease[];
}

export function createLeasePool(opts: LeasePoolOptions): LeasePool {
  const now = opts.now ?? Date.now;
  const offerHold = opts.offerHoldMs ?? 30_000;
  const declineHold = opts.declineHoldMs ?? 10 * 60_000;
  const exclude = new Set(opts.exclude.map((a) => parseIPv4(a)!));
  const reservedByMac = new Map(opts.reservations.map((r) => [r.mac, r]));
  const reservedIps = new Map(opts.reservations.map((r) => [parseIPv4(r.ip)!, r.mac]));
  const dynamic = opts.dynamicReservations;
  const reservationOf = (mac: string) => reservedByMac.get(mac) ?? dynamic?.reservationFor(mac);
  const byKey = new Map<string, Lease>();
  const byIp = new Map<number, Lease>();
  // One machine asks with several client ids on its way through a boot (firmware with a UUID client id,
  // then iPXE with none, then the installer's own client): the MAC ties them to one address.
  const byMac = new Map<string, Lease>();
  const offers = new Map<string, { ip: number; until: number }>();
  const offeredIps = new Map<number, Held>();
  const cursors = new Map<Scope, number>();

  const index = (l: Lease) => {
    byKey.set(l.clientKey, l);
    byIp.set(parseIPv4(l.ip)!, l);
    byMac.set(l.mac, l);
  };
  for (const l of opts.leases) index(l);

  const save = (l: Lease) => {
    opts.persist(l);
    index(l);
  };

  /** May `key` (with `mac`) have `ip` now? */
  function freeFor(ip: number, key: string, mac: string, t: number): boolean {
    if (exclude.has(ip)) return false;
    const owner = reservedIps.get(ip) ?? dynamic?.ownerOf(ip);
    if (owner !== undefined && owner !== mac) return false;
    const lease = byIp.get(ip);
    // A declined address is out for everyone, the decliner included (RFC 2131 §4.3.3).
    if (lease?.state === 'declined' && lease.expiresAt > t) return false;
    if (lease && lease.clientKey !== key && lease.mac !== mac && lease.state === 'bound' && lease.expiresAt > t) return false;
    const held = offeredIps.get(ip);
    if (held && held.key !== key && held.until > t) return false;
    return true;
  }

  const inRange = (ip: number, s: Scope) => ip >= s.range.first && ip <= s.range.last;

  function hold(key: string, ip: number, t: number) {
    const previous = offers.get(key);
    if (previous) offeredIps.delete(previous.ip);
    offers.set(key, { ip, until: t + offerHold });
    offeredIps.set(ip, { key, until: t + offerHold });
  }

  function scan(scope: Scope, key: string, mac: string, t: number): number | null {
    const size = scope.range.last - scope.range.first + 1;
    let at = cursors.get(scope) ?? scope.range.first;
    // First pass: never-used addresses, round-robin from the cursor (bounded by the pool size).
    for (let i = 0; i < size; i++) {
      const ip = at;
      at = at >= scope.range.last ? scope.range.first : at + 1;
      if (!byIp.has(ip) && freeFor(ip, key, mac, t)) {
        cursors.set(scope, at);
        return ip;
      }
    }
    // Second pass: reuse the address whose lease ended longest ago.
    let best: Lease | null = null;
    for (const l of byIp.values()) {
      const ip = parseIPv4(l.ip)!;
      if (!inRange(ip, scope) || !freeFor(ip, key, mac, t)) continue;
      if (!best || l.expiresAt < best.expiresAt) best = l;
    }
    return best ? parseIPv4(best.ip)! : null;
  }

  return {
    offer(key, mac, scope, requested) {
      const t = now();
      const reservation = reservationOf(mac);
      if (reservation) {
        const ip = parseIPv4(reservation.ip)!;
        if (inSubnet(ip, scope.subnet)) {
          hold(key, ip, t);
          return { ip: reservation.ip, reserved: true, hostname: reservation.hostname };
        }
      }
      const candidates: number[] = [];
      const existing = byKey.get(key) ?? byMac.get(mac);
      if (existing && existing.state !== 'declined') candidates.push(parseIPv4(existing.ip)!);
      const offered = offers.get(key);
      if (offered && offered.until > t) candidates.push(offered.ip);
      const asked = requested ? parseIPv4(requested) : null;
      if (asked !== null) candidates.push(asked);
      let ip = candidates.find((c) => inRange(c, scope) && freeFor(c, key, mac, t)) ?? null;
      ip ??= scan(scope, key, mac, t);
      if (ip === null) return { none: `no free address left in ${formatIPv4(scope.range.first)}-${formatIPv4(scope.range.last)}` };
      hold(key, ip, t);
      return { ip: formatIPv4(ip), reserved: false, hostname: null };
    },

    commit(key, mac, scope, ipText, leaseSeconds, { initReboot }) {
      const t = now();
      const ip = parseIPv4(ipText);
      if (ip === null || !inSubnet(ip, scope.subnet)) return { nak: `${ipText} is not on this network` };
      const reservation = reservationOf(mac);
      const reservedHere = reservation !== undefined && parseIPv4(reservation.ip) === ip;
      if (reservation && !reservedHere && inSubnet(parseIPv4(reservation.ip)!, scope.subnet)) {
        return { nak: `${mac} is reserved ${reservation.ip}` };
      }
      const known = byKey.get(key) ?? byMac.get(mac);
      // RFC 2131 §4.3.2 INIT-REBOOT: with no record of the client, stay silent (another server may own it).
      if (initReboot && !reservedHere && (!known || known.ip !== ipText)) {
        const other = byIp.get(ip);
        if (other && other.clientKey !== key && other.state === 'bound' && other.expiresAt > t) return { nak: `${ipText} belongs to another machine` };
        if (!inRange(ip, scope)) return { nak: `${ipText} is outside the pool` };
        if (!known) return { silent: `no record of ${mac} asking for ${ipText} after a reboot` };
      }
      if (!reservedHere && !inRange(ip, scope)) return { nak: `${ipText} is outside the pool` };
      if (!freeFor(ip, key, mac, t)) return { nak: `${ipText} belongs to another machine` };
      const previous = known && known.ip !== ipText ? byIp.get(parseIPv4(known.ip)!) : undefined;
      if (previous && (previous.clientKey === key || previous.mac === mac)) byIp.delete(parseIPv4(previous.ip)!);
      const lease: Lease = {
        clientKey: key,
        mac,
        ip: ipText,
        state: 'bound',
        expiresAt: t + leaseSeconds * 1000,
        hostname: reservedHere ? reservation.hostname : (known?.hostname ?? null),
        updatedAt: t,
      };
      save(lease);
      const offer = offers.get(key);
      if (offer) {
        offers.delete(key);
        offeredIps.delete(offer.ip);
      }
      return { lease, reserved: reservedHere };
    },

    release(key, ipText) {
      const l = byKey.get(key);
      if (!l || l.ip !== ipText || l.state !== 'bound') return null;
      const t = now();
      const released: Lease = { ...l, state: 'released', expiresAt: t, updatedAt: t };
      save(released);
      return released;
    },

    decline(key, mac, ipText) {
      const ip = parseIPv4(ipText);
      if (ip === null) return;
      const t = now();
      // The address is in use by something we did not give it to: keep it out of the pool for a while.
      const existing = byKey.get(key);
      if (existing && existing.ip !== ipText) byIp.delete(parseIPv4(existing.ip)!);
      save({ clientKey: key, mac, ip: ipText, state: 'declined', expiresAt: t + declineHold, hostname: null, updatedAt: t });
      const offer = offers.get(key);
      if (offer) {
        offers.delete(key);
        offeredIps.delete(offer.ip);
      }
    },

    forgetOffer(key) {
      const offer = offers.get(key);
      if (!offer) return;
      offers.delete(key);
      offeredIps.delete(offer.ip);
    },

    byKey: (key) => byKey.get(key),
    reservationFor: (mac) => reservationOf(mac),
    scopeFor(address) {
      const ip = parseIPv4(address);
      if (ip === null) return undefined;
      return opts.scopes.find((s) => inSubnet(ip, s.subnet));
    },
    list: () => [...byKey.values()],
  };
}
