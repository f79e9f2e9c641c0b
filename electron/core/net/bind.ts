/**
 * Binding a UDP socket or a TCP listener to one NIC. Node's dgram has no SO_BINDTODEVICE and no IP_PKTINFO
 * (nodejs/node#1649), so a DHCP socket on 0.0.0.0:67 hears broadcasts from every NIC (boot-chains §1.10); and
 * Linux accepts traffic for any local address on any interface (the weak host model), so TFTP and HTTP bound
 * to the NIC's address still serve a client on another NIC that routes to that address. On Linux the
 * rackboot_net addon (./native, built by build/scripts/build-native.mjs) ties the socket to the chosen
 * interface; where that is impossible the socket is bound as dgram or net would bind it and `note` tells the
 * technician what that means.
 */
import { createSocket, type Socket } from 'node:dgram';
import { closeSync, existsSync, fstatSync } from 'node:fs';
import { Socket as NetSocket, type Server } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isIPv4 } from '../../../shared/net/ipv4.ts';

export interface BindUdpOptions {
  port: number;
  /** Dotted-quad IPv4 address; DHCP needs 0.0.0.0 to hear 255.255.255.255 broadcasts on Linux. */
  address: string;
  /** Interface name (`eth0`). Without one the socket listens wherever `address` reaches. */
  iface?: string | null;
  broadcast?: boolean;
  reuseAddr?: boolean;
  /** A deeper receive queue for bursts (DHCP under load); best effort, root passes the system cap. */
  recvBufferBytes?: number;
}

export interface BoundUdp {
  socket: Socket;
  /** True when the kernel delivers to this socket only what arrives on `iface` (and sends only through it). */
  deviceBound: boolean;
  /** Why the socket is not tied to `iface`, worded for a technician; null when it is or none was asked for. */
  note: string | null;
}

export interface ListenTcpOptions {
  port: number;
  /** Dotted-quad IPv4 address. */
  address: string;
  /** Interface name (`eth0`). Without one the server accepts connections wherever `address` reaches. */
  iface?: string | null;
}

export interface BoundTcp {
  /** True when the kernel hands this server only connections arriving on `iface`. */
  deviceBound: boolean;
  /** Why the server is not tied to `iface`, worded for a technician; null when it is or none was asked for. */
  note: string | null;
}

export interface NativeNetStatus {
  available: boolean;
  /** Why per-NIC binding is unavailable; null when it is available. */
  reason: string | null;
}

/** A sendfile(2) transfer under way (see `nativeSendfile`). */
export interface SendfileJob {
  /**
   * Stops before the next slice (at most 8 MiB) or at once while waiting for room; the callback then gets
   * ECANCELED unless everything had been sent. Does nothing once the callback ran.
   */
  cancel(): void;
  /** Bytes the kernel has accepted so far. */
  sent(): number;
}

/** Called once, asynchronously: `err` carries .code (EPIPE, ECONNRESET, ETIMEDOUT, ECANCELED, ENODATA: the file ended early, ...) and .sent. */
export type SendfileCallback = (err: (NodeJS.ErrnoException & { sent: number }) | null, sent: number) => void;

/**
 * Sends `count` bytes of `fileFd` from `offset` to the connected non-blocking socket `socketFd` with
 * sendfile(2), off the event loop. Both fds are duplicated: the caller may close its own at any time (then
 * the connection lasts until the job ends, so cancel() when the socket closes). `idleMs` (default 30 s): how
 * long the socket may take no byte before the job ends with ETIMEDOUT. Throws for bad arguments, a blocking
 * socket (EINVAL) and fds that cannot be duplicated (EBADF).
 */
export type Sendfile = (socketFd: number, fileFd: number, offset: number, count: number, callback: SendfileCallback, idleMs?: number) => SendfileJob;

/** The addon's exports (electron/core/net/native/rackboot_net.c). Failures throw Node-shaped errno errors. */
interface NativeNet {
  socketUdp4(): number;
  setReuseAddr(fd: number, on: boolean): void;
  bindToDevice(fd: number, ifname: string): void;
  bindIPv4(fd: number, address: string, port: number): void;
  setRecvBuffer(fd: number, bytes: number): number;
  /** Optional: older builds lack it and senders fall back to dgram. */
  udpSend?(fd: number, bytes: Uint8Array, port?: number, address?: string): number;
  ifindex(name: string): number;
  listenTcp4(address: string, port: number, ifname: string): number;
  /** Optional: an addon built before it still ties sockets to NICs; HTTP then copies bodies through JavaScript. */
  sendfile?: Sendfile;
  /** Optional (older builds): router advertisements to iPXE clients (./ra.ts). */
  socketIcmp6?(ifname: string): number;
  icmp6Send?(fd: number, bytes: Uint8Array, address: string, ifindex: number): number;
}

/** Sending ICMPv6 to one machine on one NIC (raw socket: root or CAP_NET_RAW). */
export interface Icmp6Sender {
  /** Bytes sent, or -1 when the kernel would block. Throws Node-shaped errno errors (EADDRNOTAVAIL: no IPv6 on the NIC). */
  send(bytes: Uint8Array, linkLocal: string): number;
  close(): void;
}

/** A send-only raw ICMPv6 socket on `iface`, or the reason there is none. */
export function openIcmp6(iface: string): Icmp6Sender | { reason: string } {
  const { native, reason } = load();
  if (!native) return { reason };
  if (typeof native.socketIcmp6 !== 'function' || typeof native.icmp6Send !== 'function') return { reason: `rackboot's network helper is out of date (run: ${BUILD_HINT})` };
  const index = native.ifindex(iface);
  const fd = native.socketIcmp6(iface);
  let open = true;
  return {
    send: (bytes, linkLocal) => native.icmp6Send!(fd, bytes, linkLocal, index),
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

type Loaded = { native: NativeNet; reason: null } | { native: null; reason: string };

const BUILD_HINT = 'node build/scripts/build-native.mjs';
let loaded: Loaded | undefined;

/** Where the built addon lives. */
export function nativeAddonPath(): string {
  // ESM (tsx, vitest, the CLI): this file's folder. The Electron main process is a CommonJS bundle in
  // build/out/main where esbuild empties import.meta; there the repo root is three folders up, as in
  // electron/main/index.ts.
  const here: string | undefined =
    (import.meta as { dirname?: string }).dirname ??
    (typeof __dirname === 'string' ? join(__dirname, '..', '..', '..', 'electron', 'core', 'net') : undefined);
  return join(here ?? process.cwd(), 'native', 'build', 'Release', 'rackboot_net.node');
}

function load(): Loaded {
  if (loaded) return loaded;
  if (process.platform !== 'linux') {
    return (loaded = { native: null, reason: `this system (${process.platform}) cannot tie a socket to one network card; only Linux can` });
  }
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    return (loaded = { native: null, reason: `rackboot's network helper is not built (run: ${BUILD_HINT})` });
  }
  try {
    const native = createRequire(path)(path) as Partial<NativeNet>;
    const missing = (['socketUdp4', 'setReuseAddr', 'bindToDevice', 'bindIPv4', 'ifindex', 'listenTcp4', 'setRecvBuffer'] as const).filter((k) => typeof native[k] !== 'function');
    if (missing.length) {
      return (loaded = { native: null, reason: `rackboot's network helper is out of date (lacks ${missing.join(', ')}; run: ${BUILD_HINT})` });
    }
    return (loaded = { native: native as NativeNet, reason: null });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return (loaded = { native: null, reason: `rackboot's network helper did not load (${message}; run: ${BUILD_HINT})` });
  }
}

export function nativeNetStatus(): NativeNetStatus {
  const { native, reason } = load();
  return { available: native !== null, reason };
}

/**
 * The addon's sendfile(2) (zero-copy file bodies), or null where it cannot be used: not Linux, the addon not
 * built, or built before it had sendfile.
 */
export function nativeSendfile(): Sendfile | null {
  const native = load().native;
  return typeof native?.sendfile === 'function' ? native.sendfile.bind(native) : null;
}

/**
 * The fd of a connected plain TCP socket (net.Socket, not TLS, not a pipe) for the addon; null for anything
 * else or once it is closed. net.Socket's `_handle` is the libuv TCP wrap; unlike dgram's it is not deprecated.
 */
export function tcpSocketFd(socket: unknown): number | null {
  if (!(socket instanceof NetSocket) || 'encrypted' in socket || socket.destroyed) return null;
  const handle = (socket as unknown as { _handle?: { fd?: unknown; constructor?: { name?: string } } | null })._handle;
  const fd = handle?.fd;
  return handle?.constructor?.name === 'TCP' && typeof fd === 'number' && fd >= 0 ? fd : null;
}

/** The kernel's index of an interface; null without the addon. Throws ENODEV for an unknown name. */
export function interfaceIndex(name: string): number | null {
  return load().native?.ifindex(name) ?? null;
}

function errnoCode(e: unknown): string | undefined {
  return e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
}

function checkAddress(fn: string, opts: { address: string; port: number }): void {
  if (!isIPv4(opts.address)) throw new TypeError(`${fn}: address must be a dotted-quad IPv4 address, not ${JSON.stringify(opts.address)}`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new RangeError(`${fn}: port must be 0 to 65535, not ${opts.port}`);
}

function unboundNote(opts: BindUdpOptions, iface: string, reason: string): string {
  const hears =
    opts.address === '0.0.0.0'
      ? 'broadcasts (such as DHCP requests) arriving on every other network card of this computer'
      : `traffic for ${opts.address} arriving on other network cards of this computer`;
  return `UDP port ${opts.port} is not tied to ${iface}: ${reason}. It also hears ${hears}; unplug networks that must not be served.`;
}

function unboundTcpNote(opts: ListenTcpOptions, iface: string, reason: string): string {
  return `TCP port ${opts.port} is not tied to ${iface}: ${reason}. It also accepts connections to ${opts.address} arriving on other network cards of this computer; unplug networks that must not be served.`;
}

/** Before Linux 5.7 SO_BINDTODEVICE needs CAP_NET_RAW; then the socket still works, on every NIC. */
const REFUSED = (code: string) => `the system refused (${code}: on this kernel that needs root or the CAP_NET_RAW capability)`;

/** The fd of a bound dgram socket (Linux/macOS), read from its state without the deprecated `_handle`; null when absent. */
function stateFd(socket: Socket): number | null {
  const key = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'state symbol');
  const fd = key ? (socket as unknown as Record<symbol, { handle?: { fd?: number } }>)[key]?.handle?.fd : undefined;
  return typeof fd === 'number' && fd > 0 ? fd : null;
}

/** Sends one datagram; false when it could not go out this way (the caller then uses dgram's send). */
export type FastUdpSend = (bytes: Uint8Array, port?: number, address?: string) => boolean;

/**
 * A synchronous sender for a bound dgram socket, through the addon's send(2)/sendto(2): no address lookup,
 * no request object, no completion callback per packet (the TFTP lockstep and DHCP hot paths). Null where
 * the addon or the socket's fd is unavailable. Errors other than "would block" are thrown, as dgram would
 * report them; would-block returns false so nothing is lost.
 */
export function fastUdpSend(socket: Socket): FastUdpSend | null {
  const native = load().native;
  const fd = stateFd(socket);
  if (!native?.udpSend || fd === null) return null;
  const send = native.udpSend.bind(native);
  return (bytes, port, address) => (port === undefined ? send(fd, bytes) : send(fd, bytes, port, address)) >= 0;
}

/** dgram's own bind, for when no interface is asked for or the addon cannot be used. */
function plainBind(opts: BindUdpOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: opts.reuseAddr === true });
    const onError = (e: Error) => {
      socket.close();
      reject(e);
    };
    socket.once('error', onError);
    // exclusive: in a cluster worker, bind here rather than share the primary's handle.
    socket.bind({ port: opts.port, address: opts.address, exclusive: true }, () => {
      socket.off('error', onError);
      if (opts.broadcast) socket.setBroadcast(true);
      if (opts.recvBufferBytes) {
        const fd = stateFd(socket);
        const native = load().native;
        try {
          if (native && fd !== null) native.setRecvBuffer(fd, opts.recvBufferBytes);
          else socket.setRecvBufferSize(opts.recvBufferBytes);
        } catch {
          // Best effort, as above (SO_RCVBUF is capped by net.core.rmem_max without root).
        }
      }
      resolve(socket);
    });
  });
}

/**
 * Creates the socket itself so SO_BINDTODEVICE is set BEFORE bind(2), then hands the bound fd to dgram with
 * `bind({ fd })`. Setting it after dgram's bind (reaching the fd through the socket's `Symbol(state symbol)`
 * .handle.fd, or the deprecated `_handle`) depends on Node internals and is too late: bind(2) checks port
 * conflicts against the device, so only a socket tied first can share 0.0.0.0:67 with a server on another
 * NIC without SO_REUSEADDR (as dnsmasq and ISC dhcpd do), and datagrams from other NICs could queue between
 * bind and setsockopt. Here the fd is ours from the start and dgram's public API takes it over.
 */
function deviceBind(native: NativeNet, opts: BindUdpOptions, iface: string): { socket: Socket } | { refused: string } {
  let fd = native.socketUdp4();
  if (fd === 0) {
    // dgram's bind({ fd }) only takes fd > 0 (with 0 it would bind a random port); stdin closed lets a socket get 0.
    const again = native.socketUdp4();
    closeSync(fd);
    fd = again;
  }
  try {
    if (opts.reuseAddr) native.setReuseAddr(fd, true);
    if (opts.recvBufferBytes) {
      try {
        native.setRecvBuffer(fd, opts.recvBufferBytes);
      } catch {
        // Best effort: the default queue still works, it only drops sooner under a burst.
      }
    }
    try {
      native.bindToDevice(fd, iface);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'EPERM' || code === 'EACCES') {
        closeSync(fd);
        return { refused: REFUSED(code) };
      }
      throw e; // ENODEV (no such interface) and the like: the caller's configuration is wrong, not degraded.
    }
    try {
      native.bindIPv4(fd, opts.address, opts.port);
    } catch (e) {
      // The same shape dgram gives a bind error (ExceptionWithHostPort), so callers word both alike.
      if (e instanceof Error) Object.assign(e, { address: opts.address, port: opts.port });
      throw e;
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const socket = createSocket({ type: 'udp4' });
  try {
    // Synchronous: dgram opens the fd (uv_udp_open), starts reading and emits 'listening' before returning.
    socket.bind({ fd, exclusive: true });
  } catch (e) {
    // It throws before adopting the fd (not a UDP fd, or uv_udp_open refused it): both are still ours to close.
    socket.close();
    closeSync(fd);
    throw e;
  }
  // uv_udp_open turns SO_REUSEADDR on for every fd it adopts; put back what the caller asked for, so that
  // without reuseAddr a second socket on the same port and interface still gets EADDRINUSE.
  if (!opts.reuseAddr) native.setReuseAddr(fd, false);
  if (opts.broadcast) socket.setBroadcast(true);
  return { socket };
}

/**
 * Creates and binds a udp4 socket; with `iface`, tied to that interface when the system allows. Bind errors
 * (EADDRINUSE, EACCES, EADDRNOTAVAIL) and an unknown interface (ENODEV) reject with the original errno error.
 */
export async function bindUdp(opts: BindUdpOptions): Promise<BoundUdp> {
  checkAddress('bindUdp', opts);
  const iface = opts.iface ?? null;
  if (iface === null || iface === '') return { socket: await plainBind(opts), deviceBound: false, note: null };
  const { native, reason } = load();
  if (!native) return { socket: await plainBind(opts), deviceBound: false, note: unboundNote(opts, iface, reason) };
  const bound = deviceBind(native, opts, iface);
  if ('refused' in bound) return { socket: await plainBind(opts), deviceBound: false, note: unboundNote(opts, iface, bound.refused) };
  return { socket: bound.socket, deviceBound: true, note: null };
}

/** server.listen(...) as a promise: resolves on 'listening', rejects with the 'error' it emits instead. */
function serverListen(server: Server, how: { port: number; host: string; exclusive: true } | { fd: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      server.listen(how);
    } catch (e) {
      server.off('error', onError);
      server.off('listening', onListening);
      reject(e as Error);
    }
  });
}

/**
 * The addon's listening fd, adopted by the server (uv_tcp_open). Node takes the fd only when it can open it;
 * when it emits an error instead, the fd is still ours, unless Node had adopted it and closed it again (then
 * the number is gone or belongs to a new file, which the inode check tells apart).
 */
async function adopt(server: Server, fd: number): Promise<void> {
  const inode = fstatSync(fd).ino;
  try {
    await serverListen(server, { fd });
  } catch (e) {
    try {
      if (fstatSync(fd).ino === inode) closeSync(fd);
    } catch {
      // Already closed by Node.
    }
    throw e;
  }
}

/**
 * Makes `server` (net or http) listen on address:port; with `iface`, tied to that interface when the system
 * allows: the addon makes the listening socket (SO_BINDTODEVICE before bind(2)) and the server adopts it with
 * `listen({ fd })`, so the kernel refuses connections that arrive on any other NIC (RST: "connection refused").
 * Port 0 picks a free port: read it from server.address(). Bind errors (EADDRINUSE, EACCES, EADDRNOTAVAIL)
 * and an unknown interface (ENODEV) reject with errno errors carrying code, errno, syscall, address and port.
 */
export async function listenTcp(server: Server, opts: ListenTcpOptions): Promise<BoundTcp> {
  checkAddress('listenTcp', opts);
  const plain = { port: opts.port, host: opts.address, exclusive: true } as const;
  const iface = opts.iface ?? null;
  if (iface === null || iface === '') {
    await serverListen(server, plain);
    return { deviceBound: false, note: null };
  }
  const { native, reason } = load();
  if (!native) {
    await serverListen(server, plain);
    return { deviceBound: false, note: unboundTcpNote(opts, iface, reason) };
  }
  let fd: number;
  try {
    fd = native.listenTcp4(opts.address, opts.port, iface);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.syscall === 'setsockopt' && (err.code === 'EPERM' || err.code === 'EACCES')) {
      await serverListen(server, plain);
      return { deviceBound: false, note: unboundTcpNote(opts, iface, REFUSED(err.code)) };
    }
    // The shape net gives a listen error (ExceptionWithHostPort), so callers word both alike.
    if (err instanceof Error && (err.syscall === 'bind' || err.syscall === 'listen')) Object.assign(err, { address: opts.address, port: opts.port });
    throw e;
  }
  await adopt(server, fd);
  return { deviceBound: true, note: null };
}

/** Human words for a bind failure, with the fix (CONVENTIONS §3). */
export function bindFailure(e: NodeJS.ErrnoException, what: string, port: number): string {
  if (e.code === 'EACCES') return `${what} port ${port} needs root or CAP_NET_BIND_SERVICE: run rackboot with sudo (or setcap cap_net_bind_service=+ep on node)`;
  if (e.code === 'EADDRINUSE') return `another program already uses ${what} port ${port} (dnsmasq, tftpd-hpa, a second rackboot?): stop it and start again`;
  if (e.code === 'EADDRNOTAVAIL') return `the address is no longer on this machine: check the NIC and start again`;
  if (e.code === 'ENODEV') return `${what} cannot be tied to a network card this machine does not have (${e.message}): check the NIC and start again`;
  return `${what} could not bind port ${port}: ${e.message}`;
}
