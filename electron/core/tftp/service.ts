/**
 * Read-only TFTP service (RFC 1350, 2347, 2348, 2349, 7440). Each transfer answers from its own ephemeral
 * port (the TID) on the same local address the request reached. receive -> decode -> negotiate -> send;
 * every early return emits a reason.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { ServiceStatus } from '../../../shared/api/contract.ts';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { ProtocolError } from '../../../shared/protocol/errors.ts';
import { decode, encode, TftpErrorCode, writeDataHeader, type TftpPacket } from '../../../shared/protocol/tftp/codec.ts';
import { negotiate, normalizeRequestPath, type TftpLimits } from '../../../shared/protocol/tftp/negotiate.ts';
import { memoryFile, type FileTree, type OpenFile } from '../files/tree.ts';
import { createLimitReporter, createRateLimiter } from '../limits.ts';
import { bindFailure, bindUdp, fastUdpSend, type FastUdpSend } from '../net/bind.ts';

export interface TftpServiceOptions {
  address: string;
  /**
   * The NIC to answer on. Port 69 is tied to it (SO_BINDTODEVICE), so a request for `address` arriving on any
   * other NIC (Linux's weak host model) is never seen. Ignored when `createSocket` is injected.
   */
  iface?: string | null;
  /** 69 by default; 0 picks a free port (tests). */
  port?: number;
  tree: FileTree;
  emit: (event: BootEventInput) => void;
  limits?: Partial<TftpLimits>;
  /** First retransmission timeout when the client names none; doubles per retry. */
  initialTimeoutMs?: number;
  retries?: number;
  /** Transfers running at once, all clients together (256). Beyond: ERROR "server busy", one warning per 5 s. */
  maxTransfers?: number;
  /**
   * Transfers one client address may run at once (8: a PXE ROM runs one, plus its tsize probe). Beyond: ERROR
   * "server busy", so one client flooding RRQs cannot take every slot from the others.
   */
  maxTransfersPerClient?: number;
  /**
   * Packets per second one client address may send to port 69 (20, bursts of twice that; a booting machine
   * sends a handful). Beyond: dropped unread and unanswered (no reply to amplify), one warning per 5 s.
   */
  requestsPerSecond?: number;
  /** Socket factory, for fault injection in tests. */
  createSocket?: () => Socket;
  /** The MAC known for a client address (from DHCP), so transfer events name the machine. */
  macForIp?: (ip: string) => string | undefined;
}

export interface TftpService {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
  /** The bound port once started. */
  port(): number;
  stats(): { active: number; completed: number; failed: number; bytes: number; limited: number };
}

const NETASCII_LIMIT = 16 * 1024 * 1024;
const READ_AHEAD = 1024 * 1024;

/** netascii (RFC 764): LF -> CR LF, CR -> CR NUL. Only small text files ever travel this way. */
function toNetascii(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x0a) out.push(0x0d, 0x0a);
    else if (b === 0x0d) out.push(0x0d, 0x00);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

export function createTftpService(opts: TftpServiceOptions): TftpService {
  const limits: TftpLimits = { maxBlksize: 1468, maxWindowsize: 64, ...opts.limits };
  const retries = opts.retries ?? 5;
  const maxTransfers = opts.maxTransfers ?? 256;
  const maxPerClient = opts.maxTransfersPerClient ?? 8;
  const rate = createRateLimiter({ perSecond: opts.requestsPerSecond ?? 20 });
  const limitReports = createLimitReporter();
  /** Transfers running per client address (entries removed at zero: bounded by the transfers themselves). */
  const perClient = new Map<string, number>();
  const makeSocket = opts.createSocket ?? (() => createSocket({ type: 'udp4' }));
  /** Running transfers in start order; `acked` once the client has acknowledged anything (it is really there). */
  const transfers = new Set<{ abort(reason: string): void; evict(): void; started: number; acked: boolean }>();
  const EVICT_AFTER_MS = 1000;
  /** `address:port` of every client with a request being answered or a transfer running (its TID). */
  const peers = new Map<string, { nudge(): void } | null>();
  let listener: Socket | null = null;
  let state: ServiceStatus = { state: 'stopped', detail: null };
  let boundPort = 0;
  const counters = { completed: 0, failed: 0, bytes: 0, limited: 0 };
  const emit = (e: BootEventInput) => {
    const mac = e.ip && !e.mac ? opts.macForIp?.(e.ip) : undefined;
    opts.emit(mac ? { ...e, mac } : e);
  };

  const sendError = (socket: Socket, to: RemoteInfo, code: number, message: string) => {
    socket.send(encode({ op: 'ERROR', code, message }), to.port, to.address);
  };

  /** Answers a request on port 69 with an ERROR (RFC 1350 §5); the listener may be gone after stop(). */
  const refuse = (to: RemoteInfo, code: number, message: string) => {
    if (listener) sendError(listener, to, code, message);
  };

  async function openFor(path: string, mode: string): Promise<OpenFile | null> {
    const file = await opts.tree.open(path);
    if (!file || mode !== 'netascii') return file;
    if (file.size > NETASCII_LIMIT) {
      await file.close();
      throw new ProtocolError('TFTP_NETASCII_TOO_LARGE', 'netascii is for small text files; ask in octet mode');
    }
    const raw = new Uint8Array(file.size);
    await file.read(0, raw, 0, file.size);
    await file.close();
    return memoryFile(toNetascii(raw), file.mtimeMs);
  }

  /** A limit dropped or refused a request: counted, and one warning per client per interval says which. */
  const limited = (from: RemoteInfo, limit: 'rate' | 'per-client' | 'transfers', what: string) => {
    counters.limited++;
    const report = limitReports.drop(`${limit} ${from.address}`);
    if (!report) return;
    emit({ service: 'tftp', level: 'warn', ip: from.address, msg: `${from.address}: ${report.dropped} request(s) ${what}`, fields: { limit, dropped: report.dropped, ms: report.ms } });
  };

  /**
   * The table is full: the oldest transfer whose client has not acknowledged a single packet for a second gives
   * way (a booting machine ACKs within milliseconds; RRQs from spoofed or vanished addresses never do), so a
   * flood from many addresses holds slots for a second, not for the whole retransmission schedule.
   */
  function evictOne(): boolean {
    const now = Date.now();
    for (const t of transfers) {
      if (t.acked || now - t.started < EVICT_AFTER_MS) continue;
      t.evict();
      return true;
    }
    return false;
  }

  async function onRequest(msg: Buffer, from: RemoteInfo) {
    // order matters: the rate is checked before any work (decoding, opening files, replying) is spent on the packet.
    if (!rate.take(from.address)) return limited(from, 'rate', `dropped: more than ${opts.requestsPerSecond ?? 20} a second`);
    const client = `${from.address}:${from.port}`;
    let packet: TftpPacket;
    try {
      packet = decode(msg).value;
    } catch (e) {
      emit({ service: 'tftp', level: 'warn', ip: from.address, msg: `malformed request from ${client}: ${(e as Error).message}` });
      refuse(from, TftpErrorCode.ILLEGAL_OPERATION, 'malformed request');
      return;
    }
    if (packet.op === 'WRQ') {
      emit({ service: 'tftp', level: 'warn', ip: from.address, msg: `refused upload of ${packet.filename} from ${client}: rackboot is read-only` });
      refuse(from, TftpErrorCode.ACCESS_VIOLATION, 'read-only server');
      return;
    }
    if (packet.op !== 'RRQ') {
      // A stray DATA/ACK on port 69 belongs to no transfer (RFC 1350 §4).
      refuse(from, TftpErrorCode.UNKNOWN_TID, 'unknown transfer ID');
      return;
    }
    if (packet.mode !== 'octet' && packet.mode !== 'netascii') {
      refuse(from, TftpErrorCode.ILLEGAL_OPERATION, `mode ${packet.mode} not supported`);
      return;
    }
    // A retransmitted RRQ (its OACK or first DATA was lost, or is just slow) belongs to the transfer already
    // running for that TID; a second transfer would answer from a second port, which clients such as atftp
    // take as an error and abort (dnsmasq ignores the duplicate the same way).
    if (peers.has(client)) {
      emit({ service: 'tftp', level: 'debug', ip: from.address, msg: `repeated request for ${packet.filename} from ${client}: the transfer already running answers it` });
      peers.get(client)?.nudge();
      return;
    }
    peers.set(client, null);
    let handedOver = false;
    try {
      handedOver = await answerRequest(packet, from, client);
    } finally {
      if (!handedOver) peers.delete(client);
    }
  }

  /** The rest of an RRQ's checks; true once a transfer owns the request (it forgets the peer when it ends). */
  async function answerRequest(packet: Extract<TftpPacket, { op: 'RRQ' | 'WRQ' }>, from: RemoteInfo, client: string): Promise<boolean> {
    if ((perClient.get(from.address) ?? 0) >= maxPerClient) {
      limited(from, 'per-client', `refused: ${maxPerClient} transfers to this client already running (last: ${JSON.stringify(packet.filename.slice(0, 128))})`);
      refuse(from, TftpErrorCode.NOT_DEFINED, 'server busy, try again');
      return false;
    }
    if (transfers.size >= maxTransfers && !evictOne()) {
      limited(from, 'transfers', `refused: ${transfers.size} transfers running, the most at once (last: ${JSON.stringify(packet.filename.slice(0, 128))})`);
      refuse(from, TftpErrorCode.NOT_DEFINED, 'server busy, try again');
      return false;
    }
    let path: string;
    try {
      path = normalizeRequestPath(packet.filename);
    } catch (e) {
      emit({ service: 'tftp', level: 'warn', ip: from.address, msg: `refused ${JSON.stringify(packet.filename)} from ${client}: ${(e as Error).message}`, fields: { code: (e as ProtocolError).code } });
      refuse(from, TftpErrorCode.ACCESS_VIOLATION, 'access violation');
      return false;
    }
    let file: OpenFile | null;
    try {
      file = await openFor(path, packet.mode);
    } catch (e) {
      emit({ service: 'tftp', level: 'warn', ip: from.address, msg: `cannot serve ${path} to ${client}: ${(e as Error).message}` });
      refuse(from, TftpErrorCode.ACCESS_VIOLATION, 'cannot read file');
      return false;
    }
    // The file was opening while other requests arrived: check the limits again before holding a slot.
    if (file && ((perClient.get(from.address) ?? 0) >= maxPerClient || (transfers.size >= maxTransfers && !evictOne()))) {
      await file.close();
      limited(from, transfers.size >= maxTransfers ? 'transfers' : 'per-client', `refused: too many transfers running`);
      refuse(from, TftpErrorCode.NOT_DEFINED, 'server busy, try again');
      return false;
    }
    if (!file) {
      emit({ service: 'tftp', level: 'info', ip: from.address, msg: `${path} not found (asked by ${client})`, fields: { path, status: 'not-found' } });
      refuse(from, TftpErrorCode.FILE_NOT_FOUND, 'file not found');
      return false;
    }
    startTransfer(file, path, packet.mode, packet.options, from);
    return true;
  }

  function startTransfer(file: OpenFile, path: string, mode: string, requested: [string, string][], client: RemoteInfo) {
    const n = negotiate(requested, file.size, mode, limits);
    const { blksize, windowsize } = n;
    const totalBlocks = Math.floor(file.size / blksize) + 1; // an exact multiple ends with an empty block
    const baseTimeout = n.timeout ? n.timeout * 1000 : (opts.initialTimeoutMs ?? 1000);
    const socket = makeSocket();
    const started = Date.now();
    const peer = `${client.address}:${client.port}`;
    // 32-bit block counters; the wire carries the low 16 bits (rollover 65535 -> 0, as dnsmasq and iPXE do).
    let lastAcked = 0;
    let sentUpTo = 0;
    let awaitingOack = n.oack.length > 0;
    let attempts = 0;
    let retransmits = 0;
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    // Read-ahead cache: one positional read serves many blocks.
    let cache = new Uint8Array(0);
    let cacheStart = 0;

    const transfer = { abort: (reason: string) => finish('failed', reason), evict: () => finish('evicted'), started, acked: false };
    transfers.add(transfer);
    peers.set(peer, { nudge: () => nudge() });
    perClient.set(client.address, (perClient.get(client.address) ?? 0) + 1);

    const finish = (outcome: 'ok' | 'failed' | 'probe' | 'no-final-ack' | 'evicted', reason?: string) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      transfers.delete(transfer);
      peers.delete(peer);
      const left = (perClient.get(client.address) ?? 1) - 1;
      if (left > 0) perClient.set(client.address, left);
      else perClient.delete(client.address);
      socket.close();
      void file.close();
      const ms = Date.now() - started;
      const bytes = Math.min(file.size, lastAcked * blksize);
      const fields = { path, bytes, ms, blksize, windowsize, retransmits, outcome, client: peer };
      if (outcome === 'ok' || outcome === 'no-final-ack') {
        counters.completed++;
        counters.bytes += file.size;
        const rate = ms > 0 ? ` (${((file.size / ms) * 1000 / 1048576).toFixed(1)} MiB/s)` : '';
        emit({ service: 'tftp', level: 'info', ip: client.address, msg: `sent ${path} to ${peer}: ${file.size} bytes in ${ms} ms${rate}`, fields: { ...fields, bytes: file.size } });
      } else if (outcome === 'evicted') {
        counters.limited++;
        emit({ service: 'tftp', level: 'debug', ip: client.address, msg: `transfer of ${path} to ${peer} gave way: no ACK in ${ms} ms and the server was full`, fields });
        const report = limitReports.drop('evicted');
        if (report) {
          emit({ service: 'tftp', level: 'warn', msg: `${report.dropped} transfer(s) whose client never acknowledged gave way to new requests: ${maxTransfers} transfers at once is the most`, fields: { limit: 'transfers', dropped: report.dropped, ms: report.ms } });
        }
      } else if (outcome === 'probe') {
        emit({ service: 'tftp', level: 'info', ip: client.address, msg: `${peer} read the size of ${path} and ended (size probe)`, fields });
      } else {
        counters.failed++;
        emit({ service: 'tftp', level: 'warn', ip: client.address, msg: `transfer of ${path} to ${peer} failed: ${reason}`, fields: { ...fields, reason } });
      }
    };

    /** The DATA packet for block k from the read-ahead cache, or null when the cache must be refilled first. */
    // The synchronous send copies the packet into the kernel before returning, so one scratch buffer serves
    // every block; only a packet handed to dgram (which sends later) needs a buffer of its own.
    const scratch = new Uint8Array(4 + blksize);
    function cachedBlock(k: number): Uint8Array | null {
      const start = (k - 1) * blksize;
      const len = Math.max(0, Math.min(blksize, file.size - start));
      if (start < cacheStart || start + len > cacheStart + cache.length) return null;
      const packet = fast ? scratch.subarray(0, 4 + len) : new Uint8Array(4 + len);
      packet.set(cache.subarray(start - cacheStart, start - cacheStart + len), 4);
      writeDataHeader(packet, k & 0xffff);
      return packet;
    }

    let refilling = false;
    let fast: FastUdpSend | null = null;
    /** One positional read serves many blocks; the hot path (a cached block) never waits on the thread pool. */
    async function refill(k: number): Promise<void> {
      const start = (k - 1) * blksize;
      const len = Math.max(0, Math.min(blksize, file.size - start));
      const want = Math.min(Math.max(READ_AHEAD, blksize * windowsize), Math.max(0, file.size - start));
      const buf = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const r = await file.read(start + got, buf, got, want - got);
        if (r === 0) break;
        got += r;
      }
      if (got < len) throw new Error(`file shrank while being served (${path})`);
      cache = buf.subarray(0, got);
      cacheStart = start;
    }

    // Retransmission timer without per-packet timer work (this runs once per ACK in lockstep): a send only
    // counts; the timer, when it fires, re-arms itself if anything was sent since it was armed, and otherwise
    // is a real timeout. The first retransmission therefore comes 1 to 2 periods after the last send.
    let sends = 0;
    let sendsAtArm = 0;
    const schedule = () => {
      sendsAtArm = sends;
      timer = setTimeout(onTimer, baseTimeout * 2 ** Math.min(attempts, 4));
    };
    let lastSend = 0;
    const arm = () => {
      sends++;
      lastSend = Date.now();
      if (!timer) schedule();
    };
    function onTimer() {
      timer = null;
      if (done) return;
      if (sends !== sendsAtArm) return schedule();
      onTimeout();
    }

    /** Sends blocks lastAcked+1 .. lastAcked+windowsize; synchronous unless the cache needs a read. */
    function sendWindow(): void {
      if (done || refilling) return;
      const last = Math.min(lastAcked + windowsize, totalBlocks);
      for (let k = lastAcked + 1; k <= last; k++) {
        const data = cachedBlock(k);
        if (!data) {
          refilling = true;
          refill(k).then(
            () => {
              refilling = false;
              sendWindow();
            },
            (e: Error) => {
              // The file cannot be read (cut short, its disk gone): tell the client now rather than let it time out.
              socket.send(encode({ op: 'ERROR', code: TftpErrorCode.NOT_DEFINED, message: 'cannot read the file' }));
              finish('failed', e.message);
            },
          );
          return;
        }
        let went = false;
        try {
          went = fast?.(data) ?? false;
        } catch (e) {
          // The client's port is gone (ICMP unreachable on the connected socket) and the like.
          return finish('failed', (e as Error).message);
        }
        // dgram sends later: give it a copy when the packet sits in the scratch buffer.
        if (!went) socket.send(fast ? data.slice() : data); // connected to the client: no per-packet address lookup
        if (k > sentUpTo) sentUpTo = k;
      }
      arm();
    }

    const sendOack = () => {
      socket.send(encode({ op: 'OACK', options: n.oack }));
      arm();
    };

    /**
     * The client retransmitted (a repeated RRQ, or the ACK of the block before the one it waits for): what we
     * sent last was lost. Answer at once, but at most once per base timeout since our last send, so duplicates
     * in flight never double the traffic (Sorcerer's Apprentice, RFC 1123 4.2.3.1). Without this, recovery
     * waits on our exponential backoff (1, 2, 4, 8 s) while a client retrying every second gives up first.
     */
    function nudge() {
      if (done || refilling || Date.now() - lastSend < baseTimeout) return;
      retransmits++;
      if (awaitingOack) sendOack();
      else sendWindow();
    }

    function onTimeout() {
      if (done) return;
      attempts++;
      if (attempts > retries) {
        // Some clients never send the final ACK (dnsmasq notes the same): the data went out; do not call it an error.
        if (!awaitingOack && sentUpTo === totalBlocks && lastAcked >= totalBlocks - windowsize) return finish('no-final-ack');
        return finish('failed', `no ACK after ${retries} retransmissions`);
      }
      retransmits++;
      if (awaitingOack) sendOack();
      else sendWindow();
    }

    socket.on('message', (msg, from) => {
      // The socket is connected, so only the client's TID arrives; kept as a guard for injected test sockets.
      if (from.port !== client.port || from.address !== client.address) return;
      let p: TftpPacket;
      // Fast path for the packet that arrives once per window: a 4-byte ACK (RFC 1350 §5).
      if (msg.length === 4 && msg[0] === 0 && msg[1] === 4) p = { op: 'ACK', block: (msg[2]! << 8) | msg[3]! };
      else {
        try {
          p = decode(msg).value;
        } catch {
          return; // garbage from the right peer: the timer will retransmit
        }
      }
      if (p.op === 'ERROR') {
        // BIOS ROMs abort the tsize probe with error 0, EDK2 with error 8; both then ask again.
        if (lastAcked === 0 && (p.code === 0 || p.code === TftpErrorCode.OPTION_REFUSED)) return finish('probe');
        return finish('failed', `client sent error ${p.code}: ${p.message}`);
      }
      if (p.op !== 'ACK') return;
      if (awaitingOack) {
        if (p.block !== 0) return;
        awaitingOack = false;
        transfer.acked = true;
        attempts = 0;
        sendWindow();
        return;
      }
      // Map the 16-bit ACK onto the newest 32-bit block number it can mean.
      const k = sentUpTo - ((sentUpTo - p.block) & 0xffff);
      // Duplicate or stale ACK: never answered one for one (Sorcerer's Apprentice, RFC 1123 4.2.3.1); the ACK of
      // the last acknowledged block again, a base timeout after our last send, is the client saying it lost ours.
      if (k <= lastAcked) {
        if (k === lastAcked) nudge();
        return;
      }
      lastAcked = k;
      transfer.acked = true;
      attempts = 0;
      if (lastAcked >= totalBlocks) return finish('ok');
      // RFC 7440: an ACK inside the window means the rest was lost; resume after it.
      sendWindow();
    });
    socket.on('error', (e) => finish('failed', e.message));

    socket.bind(0, opts.address, () => {
      // Connected to the client's TID: the kernel delivers only its packets (a stranger gets ICMP port
      // unreachable instead of ERROR 5) and every send skips dgram's address lookup, which matters in lockstep.
      socket.connect(client.port, client.address, () => {
        // The addon's synchronous send where available (not for injected test sockets, which wrap send()).
        fast = opts.createSocket ? null : fastUdpSend(socket);
        begin();
      });
    });
    const begin = () => {
      emit({
        service: 'tftp',
        level: 'info',
        ip: client.address,
        msg: `sending ${path} to ${peer} (${file.size} bytes, blksize ${blksize}${windowsize > 1 ? `, window ${windowsize}` : ''})`,
        fields: { path, size: file.size, blksize, windowsize, options: Object.fromEntries(requested), client: peer },
      });
      if (awaitingOack) sendOack();
      else sendWindow();
    };
  }

  /** The listener from the socket factory, bound to the address only. */
  async function bindPlain(port: number): Promise<Socket> {
    const socket = makeSocket();
    try {
      await new Promise<void>((ok, fail) => {
        socket.once('error', fail);
        socket.bind(port, opts.address, () => {
          socket.off('error', fail);
          ok();
        });
      });
    } catch (e) {
      socket.close();
      throw e;
    }
    return socket;
  }

  return {
    async start() {
      if (listener) return;
      const port = opts.port ?? 69;
      const iface = opts.iface || null;
      let socket: Socket;
      let nic = '';
      try {
        if (iface && !opts.createSocket) {
          // Only the listener is tied: a transfer socket talks to the one peer whose RRQ reached it (others get
          // UNKNOWN_TID), and its replies follow the route to that peer.
          const bound = await bindUdp({ port, address: opts.address, iface });
          socket = bound.socket;
          nic = bound.deviceBound ? `, bound to ${iface}` : `, NOT bound to ${iface}: ${bound.note}`;
          if (!bound.deviceBound) emit({ service: 'tftp', level: 'warn', msg: `TFTP is not tied to ${iface}: ${bound.note}` });
        } else {
          socket = await bindPlain(port);
        }
      } catch (e) {
        state = { state: 'failed', detail: bindFailure(e as NodeJS.ErrnoException, 'TFTP', port) };
        throw e;
      }
      listener = socket;
      boundPort = socket.address().port;
      socket.on('message', (msg, from) => void onRequest(msg, from));
      socket.on('error', (e) => emit({ service: 'tftp', level: 'error', msg: `TFTP socket error: ${e.message}` }));
      state = { state: 'running', detail: `listening on ${opts.address}:${boundPort}${nic}` };
    },
    async stop() {
      for (const t of [...transfers]) t.abort('server stopped');
      if (listener) {
        const l = listener;
        listener = null;
        await new Promise<void>((ok) => l.close(() => ok()));
      }
      if (state.state !== 'failed') state = { state: 'stopped', detail: null };
    },
    status: () => state,
    port: () => boundPort,
    stats: () => ({ active: transfers.size, ...counters }),
  };
}
