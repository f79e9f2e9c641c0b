/**
 * DHCP service: full mode (rackboot hands out addresses), proxy mode (ProxyDHCP beside the site's server, plus
 * the PXE boot-server port 4011). receive -> decode -> classify -> decide -> encode -> send; every early return
 * emits a reason, a bad packet is a warning, never a crash (CONVENTIONS §3).
 *
 * Sockets (boot-chains §1.10): 0.0.0.0:67 tied to the NIC with SO_BINDTODEVICE where possible (broadcasts only
 * arrive on a wildcard socket), and NIC-address:67 for sending, so that 255.255.255.255 leaves through the NIC
 * owning the source address even where the first socket cannot be tied to it. Proxy mode adds NIC-address:4011.
 */
import type { RemoteInfo, Socket } from 'node:dgram';
import type { DhcpMode, ServiceStatus } from '../../../shared/api/contract.ts';
import { chooseBootfile, type BootChoice, type BootTarget } from '../../../shared/boot/bootfile.ts';
import { classify, type ClientInfo } from '../../../shared/boot/classify.ts';
import { bootServerAck, destination, fitsClient, fullReply, nak, proxyOffer, STANDARD_PORTS, type Ports } from '../../../shared/boot/dhcp-reply.ts';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { formatIPv4, inSubnet, parseIPv4 } from '../../../shared/net/ipv4.ts';
import { decode, encode, getOption, BOOTREQUEST, type DhcpPacket } from '../../../shared/protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType, messageTypeName } from '../../../shared/protocol/dhcp4/options.ts';
import { bootItem, readIp } from '../../../shared/protocol/dhcp4/values.ts';
import { createLimitReporter, createRateLimiter } from '../limits.ts';
import { bindFailure, bindUdp, fastUdpSend, type BindUdpOptions, type BoundUdp, type FastUdpSend } from '../net/bind.ts';
import type { LeasePool, Scope } from './pool.ts';

export interface DhcpServiceOptions {
  mode: Exclude<DhcpMode, 'off'>;
  iface: string;
  address: string;
  prefix: number;
  httpPort: number;
  /** Full mode: the pool (scopes, reservations, leases). */
  pool?: LeasePool;
  /** Full mode: the scope of the NIC's own subnet; relayed requests pick theirs by giaddr. */
  primaryScope?: Scope;
  leaseSeconds?: number;
  dns?: readonly string[];
  domain?: string | null;
  emit: (event: BootEventInput) => void;
  /** Test hooks: ports (67/68/4011) and how sockets are bound. */
  ports?: Partial<Ports & { proxy: number }>;
  bind?: (opts: BindUdpOptions) => Promise<BoundUdp>;
  /** Boot policy; defaults to the chain-loop-safe first stage (shared/boot/bootfile.ts). */
  choose?: (info: ClientInfo) => BootChoice;
  /**
   * Writes the lease changes the pool has queued, in one transaction. Called before any ACK leaves, so an
   * acknowledged lease is on disk first, while a burst of requests shares one commit (group commit).
   */
  flushLeases?: () => void;
  /** Send option 43 {6:[8]} to UEFI clients too (smee style) for firmware that ignores BINL offers. */
  pxeControlForUefi?: boolean;
  /**
   * Packets per second one client (its hardware address, chaddr: broadcast clients all come from 0.0.0.0) may
   * send (10, bursts of twice that; a client sends a few per boot). Beyond: dropped before decoding, so a flood
   * from one machine costs a lookup per packet and the socket queue drains for everyone else; one warning per 5 s.
   */
  packetsPerClientPerSecond?: number;
}

export interface DhcpService {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
  stats(): { received: number; answered: number; ignored: number; malformed: number; limited: number };
  /** The MAC last seen using `ip` (from leases given and ciaddr of requests), so HTTP and TFTP events name the machine. */
  macForIp(ip: string): string | undefined;
}

const MAX_KNOWN_IPS = 65_536;

const WARN_INTERVAL_MS = 5000;
const RECV_BUFFER = 4 * 1024 * 1024;

export function createDhcpService(opts: DhcpServiceOptions): DhcpService {
  const ports: Ports & { proxy: number } = { ...STANDARD_PORTS, proxy: 4011, ...opts.ports };
  const bind = opts.bind ?? bindUdp;
  const choose = opts.choose ?? ((info: ClientInfo) => chooseBootfile(info, { address: opts.address, httpPort: opts.httpPort }));
  const leaseSeconds = opts.leaseSeconds ?? 3600;
  const sockets: Socket[] = [];
  let sender: Socket | null = null;
  // The addon's synchronous sendto for the sender socket (none for injected test binders).
  let fastSend: FastUdpSend | null = null;
  let state: ServiceStatus = { state: 'stopped', detail: null };
  const counters = { received: 0, answered: 0, ignored: 0, malformed: 0, limited: 0 };
  const perClientRate = opts.packetsPerClientPerSecond ?? 10;
  const rate = createRateLimiter({ perSecond: perClientRate });
  const limitReports = createLimitReporter();
  const lastWarn = new Map<string, number>();
  const macByIp = new Map<string, string>();
  const remember = (ip: string, mac: string) => {
    if (ip === '0.0.0.0') return;
    if (macByIp.size >= MAX_KNOWN_IPS && !macByIp.has(ip)) macByIp.clear();
    macByIp.set(ip, mac);
  };

  if (opts.mode === 'full' && (!opts.pool || !opts.primaryScope)) throw new Error('full mode needs a lease pool and a scope');

  const emit = (level: BootEventInput['level'], msg: string, extra: Partial<BootEventInput> = {}, fields: Record<string, unknown> = {}) =>
    opts.emit({ service: 'dhcp', level, iface: opts.iface, msg, fields, ...extra });

  /** A flood of garbage from one source is one warning per interval, not one per packet. */
  const warnOnce = (key: string, msg: string, extra: Partial<BootEventInput>, fields: Record<string, unknown>) => {
    const now = Date.now();
    if ((lastWarn.get(key) ?? 0) + WARN_INTERVAL_MS > now) return;
    if (lastWarn.size > 10_000) lastWarn.clear();
    lastWarn.set(key, now);
    emit('warn', msg, extra, fields);
  };

  const ignore = (info: ClientInfo, req: DhcpPacket, why: string, level: BootEventInput['level'] = 'debug') => {
    counters.ignored++;
    emit(level, `${typeName(info)} from ${info.mac} ignored: ${why}`, { mac: info.mac, xid: req.xid }, { reason: why });
  };

  const typeName = (info: ClientInfo) => (info.messageType === undefined ? 'BOOTP' : messageTypeName(info.messageType).replace(/^MESSAGE_TYPE_/, 'TYPE '));

  // Replies wait here until the lease changes before them are on disk (see flushLeases); one flush per turn.
  let outbox: { socket: Socket; bytes: Uint8Array; to: { address: string; port: number }; info: ClientInfo; what: string; xid: number }[] = [];
  let flushScheduled = false;
  const scheduleFlush = () => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flushOutbox);
  };
  function flushOutbox() {
    flushScheduled = false;
    try {
      opts.flushLeases?.();
    } catch (e) {
      // The leases stay in memory and the machines keep booting; the technician is told the disk failed.
      warnOnce('lease-write', `could not save leases (${(e as Error).message}); they are kept in memory until rackboot stops`, {}, {});
    }
    const batch = outbox;
    outbox = [];
    for (const m of batch) transmit(m.socket, m.bytes, m.to, m.info, m.what, m.xid);
  }

  function transmit(socket: Socket, bytes: Uint8Array, to: { address: string; port: number }, info: ClientInfo, what: string, xid: number) {
    // One warning per interval for all send failures: a flood of made-up ciaddr values must not flood the log.
    const failed = (e: Error) => warnOnce('send', `could not send ${what} to ${info.mac} at ${to.address}: ${e.message}`, { mac: info.mac, xid }, { to: to.address });
    if (socket === sender && fastSend) {
      try {
        if (fastSend(bytes, to.port, to.address)) return;
      } catch (e) {
        return failed(e as Error);
      }
    }
    socket.send(bytes, to.port, to.address, (e) => {
      if (e) failed(e);
    });
  }

  function send(socket: Socket, reply: DhcpPacket, to: { address: string; port: number }, req: DhcpPacket, info: ClientInfo, what: string, fields: Record<string, unknown>, level: BootEventInput['level'] = 'info') {
    if (!fitsClient(req, reply)) {
      emit('error', `${what} for ${info.mac} does not fit the client's maximum message size; not sent`, { mac: info.mac, xid: req.xid });
      return;
    }
    const bytes = encode(reply);
    if (opts.flushLeases) {
      outbox.push({ socket, bytes, to, info, what, xid: req.xid });
      scheduleFlush();
    } else transmit(socket, bytes, to, info, what, req.xid);
    counters.answered++;
    if (reply.yiaddr !== '0.0.0.0') remember(reply.yiaddr, info.mac);
    emit(level, what, { mac: info.mac, xid: req.xid, ...(reply.yiaddr !== '0.0.0.0' ? { ip: reply.yiaddr } : {}) }, {
      firmware: info.firmware,
      arch: info.archName,
      bootClass: info.bootClass,
      ipxe: info.ipxe,
      to: `${to.address}:${to.port}`,
      ...fields,
    });
  }

  const bootFor = (info: ClientInfo): { boot: BootTarget | null; why: string } => {
    if (!info.bootClass) return { boot: null, why: 'not a network-boot client' };
    const c = choose(info);
    return 'ignore' in c ? { boot: null, why: c.ignore } : { boot: c, why: c.reason };
  };

  function requested(req: DhcpPacket, code: number): string | null {
    const v = getOption(req, code);
    if (!v) return null;
    try {
      return readIp(v, `option ${code}`);
    } catch {
      return null;
    }
  }

  function handleFull(req: DhcpPacket, info: ClientInfo) {
    const pool = opts.pool!;
    const relayed = req.giaddr !== '0.0.0.0';
    const scope = relayed ? pool.scopeFor(req.giaddr) : opts.primaryScope!;
    if (!scope) {
      counters.ignored++;
      return warnOnce('unknown-relay', `${typeName(info)} from ${info.mac} ignored: relayed by ${req.giaddr}, a network rackboot has no pool for`, { mac: info.mac, xid: req.xid }, { relay: req.giaddr, reason: 'no pool for the relay' });
    }
    const base = { serverIp: opts.address, prefix: scope.subnet.prefix, router: scope.router, dns: opts.dns ?? [opts.address], domain: opts.domain ?? null, info };
    const to = (reply: DhcpPacket) => destination(req, reply, ports);
    const serverId = requested(req, DhcpOption.SERVER_ID);

    switch (info.messageType) {
      case MessageType.DISCOVER: {
        const got = pool.offer(info.clientKey, info.mac, scope, requested(req, DhcpOption.REQUESTED_IP));
        if ('none' in got) return ignore(info, req, got.none, 'error');
        const { boot, why } = bootFor(info);
        const reply = fullReply(req, { ...base, type: MessageType.OFFER, yiaddr: got.ip, leaseSeconds, hostname: got.hostname, boot });
        // A debug event: the ACK that follows is the state change; offers are shown live but not stored.
        return send(sender!, reply, to(reply), req, info, `OFFER ${got.ip} to ${info.mac}${boot ? `, boot ${boot.file}` : ''}`, { file: boot?.file ?? null, reason: why, reserved: got.reserved, relay: relayed ? req.giaddr : null }, 'debug');
      }
      case MessageType.REQUEST: {
        if (serverId !== null && serverId !== opts.address) {
          pool.forgetOffer(info.clientKey);
          return ignore(info, req, `it chose the server ${serverId}`, 'info');
        }
        const ciaddr = req.ciaddr !== '0.0.0.0' ? req.ciaddr : null;
        const ip = serverId !== null ? requested(req, DhcpOption.REQUESTED_IP) : (ciaddr ?? requested(req, DhcpOption.REQUESTED_IP));
        if (!ip) return ignore(info, req, 'REQUEST names no address (no option 50, no ciaddr)', 'warn');
        const result = pool.commit(info.clientKey, info.mac, scope, ip, leaseSeconds, { initReboot: serverId === null && ciaddr === null });
        if ('silent' in result) return ignore(info, req, result.silent, 'info');
        if ('nak' in result) {
          const reply = nak(req, opts.address, result.nak);
          return send(sender!, reply, to(reply), req, info, `NAK ${ip} to ${info.mac}: ${result.nak}`, { reason: result.nak });
        }
        const { boot, why } = bootFor(info);
        const reply = fullReply(req, { ...base, type: MessageType.ACK, yiaddr: ip, leaseSeconds, hostname: result.lease.hostname, boot });
        return send(sender!, reply, to(reply), req, info, `ACK ${ip} to ${info.mac} for ${leaseSeconds} s${boot ? `, boot ${boot.file}` : ''}`, { file: boot?.file ?? null, reason: why, reserved: result.reserved, leaseSeconds, relay: relayed ? req.giaddr : null });
      }
      case MessageType.DECLINE: {
        const ip = requested(req, DhcpOption.REQUESTED_IP);
        if (serverId !== opts.address || !ip) return ignore(info, req, 'DECLINE not meant for this server');
        // Only an address of this network can have been given out here; anything else would replace the client's lease row.
        if (!inSubnet(parseIPv4(ip)!, scope.subnet)) return ignore(info, req, `it declined ${ip}, which is not on ${formatIPv4(scope.subnet.network)}/${scope.subnet.prefix}`, 'warn');
        pool.decline(info.clientKey, info.mac, ip);
        scheduleFlush();
        counters.ignored++;
        return emit('warn', `${info.mac} declined ${ip}: something else on the network uses that address; it stays out of the pool for 10 minutes`, { mac: info.mac, ip, xid: req.xid });
      }
      case MessageType.RELEASE: {
        const released = pool.release(info.clientKey, req.ciaddr);
        scheduleFlush();
        counters.ignored++;
        return emit('info', released ? `${info.mac} released ${req.ciaddr}` : `${info.mac} released ${req.ciaddr}, which it did not hold`, { mac: info.mac, ip: req.ciaddr, xid: req.xid });
      }
      case MessageType.INFORM: {
        const { boot, why } = bootFor(info);
        const reply = fullReply(req, { ...base, type: MessageType.ACK, yiaddr: '0.0.0.0', leaseSeconds: null, hostname: null, boot, inform: true });
        return send(sender!, reply, to(reply), req, info, `ACK (INFORM) to ${info.mac} at ${req.ciaddr}`, { reason: why });
      }
      default:
        return ignore(info, req, `message type ${info.messageType ?? 'missing'} is not served`);
    }
  }

  function handleProxy(req: DhcpPacket, info: ClientInfo) {
    // order matters: the site's server owns addresses; rackboot only answers DISCOVERs from boot clients (dnsmasq proxy mode).
    if (info.messageType !== MessageType.DISCOVER) return ignore(info, req, 'proxy mode answers only DISCOVER on port 67');
    if (!info.bootClass) return ignore(info, req, 'not a PXE/HTTP boot client (no PXEClient/HTTPClient vendor class)');
    const { boot, why } = bootFor(info);
    if (!boot) return ignore(info, req, why, 'warn');
    const reply = proxyOffer(req, info, boot, opts.address, { pxeControlForUefi: opts.pxeControlForUefi });
    send(sender!, reply, destination(req, reply, ports), req, info, `ProxyDHCP OFFER to ${info.mac}: boot ${boot.file}`, { file: boot.file, reason: why, relay: req.giaddr !== '0.0.0.0' ? req.giaddr : null });
  }

  function handleBootServer(socket: Socket, req: DhcpPacket, info: ClientInfo, from: RemoteInfo) {
    if (info.messageType !== MessageType.REQUEST && info.messageType !== MessageType.INFORM) return ignore(info, req, 'port 4011 serves only REQUEST');
    if (!info.bootClass) return ignore(info, req, 'port 4011 request without PXEClient');
    let item: { type: number; layer: number } | null;
    try {
      item = bootItem(getOption(req, DhcpOption.VENDOR_SPECIFIC));
    } catch (e) {
      return ignore(info, req, (e as Error).message, 'warn');
    }
    const { boot, why } = bootFor(info);
    if (!boot) return ignore(info, req, why, 'warn');
    const reply = bootServerAck(req, info, boot, opts.address, item);
    send(socket, reply, { address: from.address, port: from.port }, req, info, `boot server ACK (port ${ports.proxy}) to ${info.mac}: boot ${boot.file}`, { file: boot.file, reason: why, item });
  }

  /** The client a packet counts against: chaddr (RFC 2131 §2, bytes 28-43; hlen <= 16), or the source address of a runt. */
  const clientKeyOf = (msg: Buffer, from: RemoteInfo): string => {
    const hlen = Math.min(msg[2] ?? 0, 16);
    return msg.length >= 28 + hlen && hlen > 0 ? msg.toString('hex', 28, 28 + hlen) : `ip ${from.address}`;
  };

  function onPacket(socket: Socket, msg: Buffer, from: RemoteInfo, bootServer: boolean) {
    counters.received++;
    // order matters: the rate is checked before decoding, so a flood costs one lookup per packet.
    const key = clientKeyOf(msg, from);
    if (!rate.take(key)) {
      counters.limited++;
      const report = limitReports.drop(key);
      if (report) {
        const who = key.startsWith('ip ') ? from.address : key.slice(0, 12).replace(/(..)(?!$)/g, '$1:');
        emit('warn', `${who}: ${report.dropped} packet(s) dropped: more than ${perClientRate} a second from one client`, { ip: from.address }, { limit: 'rate', client: who, dropped: report.dropped, ms: report.ms });
      }
      return;
    }
    let req: DhcpPacket;
    try {
      req = decode(msg).value;
    } catch (e) {
      counters.malformed++;
      return warnOnce(from.address, `malformed DHCP packet from ${from.address}:${from.port}: ${(e as Error).message}`, { ip: from.address }, { code: (e as { code?: string }).code });
    }
    if (req.op !== BOOTREQUEST) {
      counters.ignored++;
      return; // another server's reply, seen because we listen on the broadcast address
    }
    const info = classify(req);
    remember(req.ciaddr, info.mac);
    // In proxy mode the only sign of the address the site server gave is the client's REQUEST (option 50).
    if (info.messageType === MessageType.REQUEST) remember(requested(req, DhcpOption.REQUESTED_IP) ?? '0.0.0.0', info.mac);
    try {
      if (bootServer) handleBootServer(socket, req, info, from);
      else if (opts.mode === 'full') handleFull(req, info);
      else handleProxy(req, info);
    } catch (e) {
      // A packet that breaks a builder (absurd field lengths) costs that client its answer, never the service.
      counters.malformed++;
      warnOnce(from.address, `could not answer ${info.mac}: ${(e as Error).message}`, { ip: from.address, mac: info.mac, xid: req.xid }, { code: (e as { code?: string }).code });
    }
  }

  async function open(o: BindUdpOptions, bootServer: boolean, what: string): Promise<BoundUdp> {
    try {
      const bound = await bind(o);
      sockets.push(bound.socket);
      bound.socket.on('message', (msg, from) => onPacket(bound.socket, msg, from, bootServer));
      bound.socket.on('error', (e) => emit('error', `DHCP socket error: ${e.message}`));
      return bound;
    } catch (e) {
      throw Object.assign(e as Error, { rackbootDetail: bindFailure(e as NodeJS.ErrnoException, what, o.port) });
    }
  }

  return {
    async start() {
      if (sockets.length) return;
      try {
        // 4 MiB of queue: a burst of thousands of requests waits in the kernel instead of being dropped.
        const main = await open({ port: ports.server, address: '0.0.0.0', iface: opts.iface, broadcast: true, reuseAddr: true, recvBufferBytes: RECV_BUFFER }, false, 'DHCP');
        const local = await open({ port: ports.server, address: opts.address, broadcast: true, reuseAddr: true, recvBufferBytes: RECV_BUFFER }, false, 'DHCP');
        sender = local.socket;
        fastSend = opts.bind ? null : fastUdpSend(local.socket);
        const listening = [`0.0.0.0:${ports.server}`];
        if (opts.mode === 'proxy') {
          await open({ port: ports.proxy, address: opts.address, broadcast: false }, true, 'PXE boot server');
          listening.push(`${opts.address}:${ports.proxy}`);
        }
        const scope = opts.primaryScope;
        const what = opts.mode === 'full' && scope ? `full DHCP, pool ${fmtRange(scope)}` : 'ProxyDHCP (PXE/HTTP boot clients only)';
        const nic = main.deviceBound ? `bound to ${opts.iface}` : `NOT bound to ${opts.iface}: ${main.note}`;
        state = { state: 'running', detail: `${what} on ${listening.join(' and ')}, ${nic}` };
        if (!main.deviceBound) emit('warn', `DHCP is not tied to ${opts.iface}: ${main.note}`);
      } catch (e) {
        await closeAll();
        state = { state: 'failed', detail: (e as { rackbootDetail?: string }).rackbootDetail ?? (e as Error).message };
        throw e;
      }
    },
    async stop() {
      await closeAll();
      if (state.state !== 'failed') state = { state: 'stopped', detail: null };
    },
    status: () => state,
    stats: () => ({ ...counters }),
    macForIp: (ip) => macByIp.get(ip),
  };

  async function closeAll() {
    // Whatever is queued still goes out (and its leases to disk) before the sockets close.
    if (flushScheduled || outbox.length) flushOutbox();
    const all = sockets.splice(0);
    sender = null;
    fastSend = null;
    await Promise.all(all.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  }
}

function fmtRange(s: Scope): string {
  return `${formatIPv4(s.range.first)}-${formatIPv4(s.range.last)}`;
}
