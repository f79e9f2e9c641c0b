/**
 * Read-only HTTP file service for UEFI HTTP Boot, iPXE, GRUB and installers (boot-chains.md §2.6):
 * GET and HEAD only, Content-Length always (never chunked), one byte range at a time, conditional requests,
 * no compression, no redirects. receive -> normalise the path -> open (dynamic hook, then the tree) ->
 * headers -> body. Every request ends as exactly one typed event.
 *
 * Bodies of files on disk (`OpenFile.source()`) go out by sendfile(2) on Linux when the addon has it: the kernel
 * hands page cache to the socket, no byte passes through JavaScript. Everything else (generated files, no
 * addon, other systems) is read in chunks and written with backpressure.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ServiceStatus } from '../../../shared/api/contract.ts';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { parseMac } from '../../../shared/net/ipv4.ts';
import { contentTypeFor, etagFor, httpDate, ifNoneMatchHits, ifRangeHolds, notModifiedSince, parseRange, requestPath } from '../../../shared/protocol/http/range.ts';
import type { FileSource, FileTree, OpenFile } from '../files/tree.ts';
import { bindFailure, listenTcp, nativeSendfile, tcpSocketFd, type Sendfile, type SendfileJob } from '../net/bind.ts';

export interface HttpServiceOptions {
  /** The NIC's address; nothing else is bound. */
  address: string;
  /**
   * The NIC to answer on. The listening socket is tied to it (SO_BINDTODEVICE), so a connection to `address`
   * arriving on any other NIC (Linux's weak host model) is refused by the kernel.
   */
  iface?: string | null;
  /** 80 by default; 0 picks a free port (tests). */
  port?: number;
  tree: FileTree;
  /** Consulted before the tree (generated configs, answer files); null falls through to the tree. */
  dynamic?: (path: string, req: IncomingMessage) => Promise<OpenFile | null>;
  emit: (event: BootEventInput) => void;
  /** The MAC holding a lease for this address, when DHCP knows it. */
  macForIp?: (ip: string) => string | null | undefined;
  /** Connections beyond this are dropped (with a warning event). */
  maxConnections?: number;
  /** Send files on disk with sendfile(2) where the addon can (default); false copies them through JavaScript. */
  zeroCopy?: boolean;
}

export type HttpOutcome = 'ok' | 'aborted' | 'not-found' | 'refused';

export interface HttpStats {
  /** Requests being answered now. */
  active: number;
  served: number;
  aborted: number;
  notFound: number;
  refused: number;
  /** Body bytes handed to the network. */
  bytes: number;
  /** Of `bytes`, those the kernel sent straight from the file with sendfile(2). */
  zeroCopy: number;
}

export interface HttpService {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
  /** The bound port once started. */
  port(): number;
  stats(): HttpStats;
}

/** Read size: each client holds at most two of these (one being sent, one being read) in user space. */
const CHUNK = 512 * 1024;
// Firmware and iPXE fetch several files in a row over one connection; give them time between requests.
const KEEP_ALIVE_MS = 15_000;
// Must exceed the keep-alive timeout, or an idle socket can be cut while a request is arriving.
const HEADERS_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 30_000;
// A client that takes no byte for this long (a firmware that hung mid-download) loses its connection.
const IDLE_SOCKET_MS = 120_000;
const STOP_GRACE_MS = 1000;
/** sendfile(2) failures that mean the client or its connection is gone, not that the file cannot be served. */
const CONNECTION_LOST = new Set(['EPIPE', 'ECONNRESET', 'ECONNABORTED', 'ENOTCONN', 'ETIMEDOUT', 'ECANCELED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/** What one request did, filled in as it goes and reported once when its response closes. */
interface RequestRecord {
  ip: string;
  mac: string | undefined;
  method: string;
  path: string;
  userAgent: string;
  range: string | undefined;
  status: number;
  /** Body bytes the socket accepted. */
  sent: number;
  /** Body bytes promised by Content-Length. */
  length: number;
  size: number | undefined;
  outcome: HttpOutcome;
  level: BootEventInput['level'];
  reason: string | undefined;
  closed: boolean;
  /** The body goes out by sendfile(2). */
  zeroCopy: boolean;
  /**
   * While sendfile(2) runs: settles with its byte count once it calls back. A response that closes meanwhile
   * cancels it and reports that exact count, not a guess (one sendfile(2) call can move megabytes).
   */
  inflight: Promise<number> | undefined;
}

const clip = (s: string, n = 256) => (s.length > n ? `${s.slice(0, n)}…` : s);
const clientIp = (address: string | undefined) => (address ?? '').replace(/^::ffff:/, '');
const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);

/** Anaconda's `inst.ks.sendmac` header: `X-RHN-Provisioning-MAC-0: eth0 52:54:00:12:34:56` (boot-chains.md §2.6). */
function macFromHeaders(req: IncomingMessage): string | undefined {
  for (const [name, value] of Object.entries(req.headers)) {
    if (!name.startsWith('x-rhn-provisioning-mac-') || typeof value !== 'string') continue;
    const mac = parseMac(value.trim().split(/\s+/).pop() ?? '');
    if (mac) return mac;
  }
  return undefined;
}

export function createHttpService(opts: HttpServiceOptions): HttpService {
  let server: Server | null = null;
  let state: ServiceStatus = { state: 'stopped', detail: null };
  let boundPort = 0;
  let active = 0;
  const counters = { served: 0, aborted: 0, notFound: 0, refused: 0, bytes: 0, zeroCopy: 0 };
  const sendfile = opts.zeroCopy === false ? null : nativeSendfile();
  let sendfileWarned = false;
  const handlers = new Set<Promise<void>>();
  // Sockets with a response under way: a parse error there cannot be answered in the middle of a body.
  const busy = new WeakMap<object, number>();

  function report(rec: RequestRecord, started: number) {
    const ms = Math.round(performance.now() - started);
    const fields: Record<string, unknown> = {
      method: rec.method,
      path: rec.path,
      status: rec.status,
      bytes: rec.sent,
      ms,
      userAgent: rec.userAgent,
      outcome: rec.outcome,
    };
    if (rec.range !== undefined) fields.range = rec.range;
    if (rec.size !== undefined) fields.size = rec.size;
    if (rec.reason !== undefined) fields.reason = rec.reason;
    counters.bytes += rec.sent;
    if (rec.zeroCopy) counters.zeroCopy += rec.sent;
    let msg: string;
    const what = `${rec.method} ${rec.path}`;
    switch (rec.outcome) {
      case 'ok':
        counters.served++;
        msg = `${rec.ip} ${what} ${rec.status}: ${rec.sent} bytes in ${ms} ms${rec.reason ? ` (${rec.reason})` : ''}`;
        break;
      case 'aborted':
        counters.aborted++;
        msg = `${rec.ip} ${what} ${rec.status}: ${rec.reason ?? 'client went away'} after ${rec.sent} of ${rec.length} bytes (${ms} ms)`;
        break;
      case 'not-found':
        counters.notFound++;
        msg = `${rec.ip} ${what} ${rec.status}: ${rec.reason ?? 'not found'}`;
        break;
      case 'refused':
        counters.refused++;
        msg = `${rec.ip} ${what} ${rec.status}: ${rec.reason ?? STATUS_CODES[rec.status] ?? 'refused'}`;
        break;
    }
    opts.emit({ service: 'http', level: rec.level, ip: rec.ip, ...(rec.mac ? { mac: rec.mac } : {}), msg, fields });
  }

  /** A short text answer (errors, 304, 416); HEAD gets the same headers and no body (node drops it). */
  function reply(res: ServerResponse, rec: RequestRecord, status: number, outcome: HttpOutcome, level: BootEventInput['level'], reason: string, headers: OutgoingHttpHeaders = {}) {
    rec.status = status;
    rec.outcome = outcome;
    rec.level = level;
    rec.reason = reason;
    const body = status === 304 ? '' : `${status} ${STATUS_CODES[status] ?? ''}\n`;
    const bytes = Buffer.from(body);
    rec.length = rec.method === 'HEAD' ? 0 : bytes.length;
    res.writeHead(status, status === 304 ? headers : { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': bytes.length, ...headers });
    res.end(rec.method === 'HEAD' ? undefined : bytes);
  }

  async function open(path: string, req: IncomingMessage): Promise<OpenFile | null> {
    // order matters: generated files shadow files of the same name on disk.
    const generated = opts.dynamic ? await opts.dynamic(path, req) : null;
    return generated ?? (await opts.tree.open(path));
  }

  async function serve(req: IncomingMessage, res: ServerResponse, rec: RequestRecord) {
    if (rec.method !== 'GET' && rec.method !== 'HEAD') {
      return reply(res, rec, 405, 'refused', 'warn', `method ${clip(rec.method, 32)} not allowed`, { Allow: 'GET, HEAD' });
    }
    const target = requestPath(req.url ?? '');
    if (!target.ok) {
      rec.path = JSON.stringify(clip(req.url ?? ''));
      if (target.status === 404) return reply(res, rec, 404, 'not-found', 'info', target.reason);
      return reply(res, rec, 400, 'refused', 'warn', `${target.reason} (${target.code})`);
    }
    rec.path = target.path;
    const file = await open(target.path, req);
    if (!file) return reply(res, rec, 404, 'not-found', 'info', 'not found');
    try {
      // The client left while the file was opening: its event is already out.
      if (rec.closed) return;
      rec.size = file.size;
      await sendFile(req, res, rec, file);
    } finally {
      await file.close().catch(() => {});
    }
  }

  async function sendFile(req: IncomingMessage, res: ServerResponse, rec: RequestRecord, file: OpenFile) {
    const etag = etagFor(file.size, file.mtimeMs);
    const validators = { ETag: etag, 'Last-Modified': httpDate(file.mtimeMs) };
    // RFC 9110 §13.2.2: If-None-Match decides when present; only then If-Modified-Since.
    const inm = single(req.headers['if-none-match']);
    const ims = single(req.headers['if-modified-since']);
    if (inm !== undefined ? ifNoneMatchHits(inm, etag) : ims !== undefined && notModifiedSince(ims, file.mtimeMs)) {
      return reply(res, rec, 304, 'ok', 'info', 'not modified', validators);
    }
    const headers: OutgoingHttpHeaders = { 'Content-Type': contentTypeFor(rec.path), ...validators, 'Accept-Ranges': 'bytes' };
    let start = 0;
    let length = file.size;
    let status = 200;
    // Range is defined for GET only (RFC 9110 §14.2); a stale If-Range validator means "send it all" (§13.1.5).
    const range = req.headers.range;
    const ifRange = single(req.headers['if-range']);
    if (range !== undefined && rec.method === 'GET' && (ifRange === undefined || ifRangeHolds(ifRange, etag, file.mtimeMs))) {
      const r = parseRange(range, file.size);
      if (r.kind === 'unsatisfiable') {
        return reply(res, rec, 416, 'refused', 'info', `range ${clip(range, 64)} outside ${file.size} bytes`, { 'Content-Range': `bytes */${file.size}` });
      }
      if (r.kind === 'span') {
        status = 206;
        start = r.start;
        length = r.end - r.start + 1;
        headers['Content-Range'] = `bytes ${r.start}-${r.end}/${file.size}`;
      } else {
        rec.reason = `range ignored: ${r.reason}`;
      }
    } else if (range !== undefined) {
      rec.reason = rec.method === 'GET' ? 'If-Range validator is stale: whole body sent' : 'range ignored for HEAD';
    }
    rec.status = status;
    rec.length = rec.method === 'HEAD' ? 0 : length;
    // Boot loaders want Content-Length, never chunked (boot-chains.md §2.6).
    res.writeHead(status, { ...headers, 'Content-Length': length });
    if (rec.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    const source = sendfile ? (file.source?.() ?? null) : null;
    if (sendfile && source && (await sendZeroCopy(res, rec, sendfile, source, start, length))) return;
    await stream(res, rec, file, start, length);
  }

  /**
   * The body by sendfile(2), off the event loop (the addon's thread-pool rounds and fd poll). The headers go
   * out first, completely, so the body cannot overtake them; from then on only the addon writes to the socket
   * until it calls back. False, with no body byte sent, when this response cannot go that way (not a plain
   * TCP socket); the caller then streams it.
   */
  async function sendZeroCopy(res: ServerResponse, rec: RequestRecord, send: Sendfile, source: FileSource, start: number, length: number): Promise<boolean> {
    const socket = res.socket;
    // A pipelined response waiting for its turn has no socket yet: it is streamed into Node's queue instead.
    if (!socket || tcpSocketFd(socket) === null) return false;
    // order matters: the headers must be in the kernel before sendfile(2) puts the body behind them.
    await headersWritten(res);
    if (rec.closed) return true;
    const fd = tcpSocketFd(socket);
    if (fd === null || socket.writableLength > 0) return false;
    let job: SendfileJob;
    let finish!: (r: { err: (NodeJS.ErrnoException & { sent: number }) | null; sent: number }) => void;
    const finished = new Promise<Parameters<typeof finish>[0]>((resolve) => (finish = resolve));
    try {
      job = send(fd, source.fd, source.offset + start, length, (err, sent) => finish({ err, sent }), IDLE_SOCKET_MS);
    } catch (e) {
      // Bad fds or arguments: nothing was sent, the copying loop can still serve this (the headers are out).
      if (!sendfileWarned) {
        sendfileWarned = true;
        opts.emit({ service: 'http', level: 'warn', msg: `HTTP cannot use sendfile(2), files are copied instead: ${(e as Error).message}` });
      }
      return false;
    }
    rec.zeroCopy = true;
    rec.inflight = finished.then((r) => r.sent);
    // The client left or stop() closed the connection: the addon holds its own fd, so it must be told.
    const cancel = () => job.cancel();
    // Node's idle timer sees none of the addon's writes; the addon ends an idle client itself (idleMs).
    const busySocket = () => socket.setTimeout(IDLE_SOCKET_MS);
    res.once('close', cancel);
    res.on('timeout', busySocket);
    const { err, sent } = await finished;
    res.off('close', cancel);
    res.off('timeout', busySocket);
    rec.inflight = undefined;
    rec.sent = sent;
    if (!err) {
      if (!rec.closed) res.end();
      return true;
    }
    // Content-Length is already on the wire: a short file can only end the connection.
    if (err.code === 'ENODATA') throw new Error(`file shrank while being served: ${sent} of ${length} bytes from ${start}`);
    if (!CONNECTION_LOST.has(err.code ?? '')) throw err;
    if (err.code === 'ETIMEDOUT') rec.reason = `client took no data for ${IDLE_SOCKET_MS / 1000} s`;
    else if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET' && err.code !== 'ECANCELED') rec.reason = `connection lost (${err.code})`;
    if (!rec.closed) res.destroy();
    return true;
  }

  /** Resolves once the headers are written to the socket (their write callback ran), or the response closed. */
  const headersWritten = (res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('close', done);
        resolve();
      };
      res.once('close', done);
      // An empty write sends the pending headers; its callback runs once the kernel has them.
      res.write('', () => done());
    });

  /** Reads exactly `want` bytes at `position` into a fresh buffer (the socket may still hold the previous one). */
  async function readChunk(file: OpenFile, position: number, want: number): Promise<Buffer> {
    const chunk = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = await file.read(position + got, chunk, got, want - got);
      if (n === 0) break;
      got += n;
    }
    // Content-Length is already on the wire: a short file can only end the connection.
    if (got < want) throw new Error(`file shrank while being served: ${got} of ${want} bytes at ${position}`);
    return chunk;
  }

  /**
   * Copies `length` bytes from `start`, waiting for 'drain' whenever the socket is full. The next chunk is read
   * while the current one is being sent, so the disk and the network overlap; at most two chunks are held.
   */
  async function stream(res: ServerResponse, rec: RequestRecord, file: OpenFile, start: number, length: number) {
    const end = start + length;
    let position = start;
    const next = () => {
      const want = Math.min(CHUNK, end - position);
      const read = readChunk(file, position, want);
      // Marked handled now: it may fail while we wait for 'drain', before the loop awaits it (and rethrows).
      read.catch(() => undefined);
      position += want;
      return read;
    };
    let pending: Promise<Buffer> | null = next();
    while (pending && !rec.closed) {
      const chunk: Buffer = await pending;
      pending = position < end ? next() : null;
      if (rec.closed) break;
      const more = res.write(chunk, (err) => {
        if (!err) rec.sent += chunk.length;
      });
      if (!more && !rec.closed) await drained(res);
    }
    // Settle a read still in flight before the file is closed by the caller.
    if (pending) await pending.catch(() => undefined);
    if (!rec.closed) res.end();
  }

  const drained = (res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });

  function onRequest(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const ip = clientIp(req.socket.remoteAddress);
    const rec: RequestRecord = {
      ip,
      mac: opts.macForIp?.(ip) ?? macFromHeaders(req),
      method: req.method ?? '',
      path: JSON.stringify(clip(req.url ?? '')),
      userAgent: clip(single(req.headers['user-agent']) ?? ''),
      range: req.headers.range === undefined ? undefined : clip(req.headers.range, 128),
      status: 0,
      sent: 0,
      length: 0,
      size: undefined,
      outcome: 'ok',
      level: 'info',
      reason: undefined,
      closed: false,
      zeroCopy: false,
      inflight: undefined,
    };
    active++;
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    // 'close' ends every response: after 'finish' when complete, on its own when the connection dropped.
    res.once('close', () => {
      rec.closed = true;
      active--;
      busy.set(socket, (busy.get(socket) ?? 1) - 1);
      const gone = server ? 'client went away' : 'server stopped';
      const settle = (bodyDone: boolean) => {
        if (bodyDone) {
          if (rec.outcome === 'ok') rec.sent = rec.length;
        } else if (rec.outcome === 'ok' || rec.outcome === 'aborted') {
          rec.outcome = 'aborted';
          rec.reason ??= gone;
        }
        report(rec, started);
      };
      if (rec.inflight) {
        // A sendfile(2) under way is cancelled by its own 'close' listener and calls back within one slice. When
        // it had sent everything, the body is complete on the wire: the client read it all and hung up before
        // the callback could end the response.
        void rec.inflight.then((sent) => {
          rec.sent = sent;
          settle(sent === rec.length);
        });
      } else {
        settle(res.writableFinished);
      }
    });
    const task = serve(req, res, rec).catch((e: Error) => {
      rec.level = 'error';
      rec.reason = `cannot serve: ${e.message}`;
      if (!res.headersSent && !rec.closed) return reply(res, rec, 500, 'refused', 'error', rec.reason);
      rec.outcome = 'aborted';
      res.destroy();
    });
    handlers.add(task);
    void task.finally(() => handlers.delete(task));
  }

  return {
    async start() {
      if (server) return;
      const port = opts.port ?? 80;
      const s = createServer({
        keepAliveTimeout: KEEP_ALIVE_MS,
        headersTimeout: HEADERS_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
        noDelay: true,
        // Firmware HTTP stacks vary; one server, one root: a missing Host header changes nothing here.
        requireHostHeader: false,
      });
      s.timeout = IDLE_SOCKET_MS;
      s.maxConnections = opts.maxConnections ?? 1024;
      const iface = opts.iface || null;
      let nic = '';
      try {
        const bound = await listenTcp(s, { port, address: opts.address, iface });
        if (iface) nic = bound.deviceBound ? `, bound to ${iface}` : `, NOT bound to ${iface}: ${bound.note}`;
        if (iface && !bound.deviceBound) opts.emit({ service: 'http', level: 'warn', msg: `HTTP is not tied to ${iface}: ${bound.note}` });
      } catch (e) {
        state = { state: 'failed', detail: bindFailure(e as NodeJS.ErrnoException, 'HTTP', port) };
        throw e;
      }
      server = s;
      boundPort = (s.address() as AddressInfo).port;
      s.on('request', onRequest);
      s.on('error', (e) => opts.emit({ service: 'http', level: 'error', msg: `HTTP server error: ${e.message}` }));
      s.on('drop', (d) => {
        const ip = clientIp(d?.remoteAddress);
        opts.emit({ service: 'http', level: 'warn', ip, msg: `${ip} connection dropped: ${s.maxConnections} connections open`, fields: { outcome: 'refused' } });
      });
      s.on('clientError', (e: NodeJS.ErrnoException, socket) => {
        // A client that resets or vanishes is not a protocol error; an unparsable request is.
        if (e.code === 'ECONNRESET' || !socket.writable || (busy.get(socket) ?? 0) > 0) return socket.destroy();
        const status = e.code === 'HPE_HEADER_OVERFLOW' ? 431 : e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
        const ip = clientIp((socket as Socket).remoteAddress);
        opts.emit({ service: 'http', level: 'warn', ip, msg: `${ip} sent a request that cannot be parsed: ${e.code ?? e.message}`, fields: { status, outcome: 'refused', reason: e.code ?? e.message } });
        socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      });
      state = { state: 'running', detail: `listening on http://${opts.address}:${boundPort}/${nic}` };
    },
    async stop() {
      const s = server;
      if (s) {
        server = null;
        const closed = new Promise<void>((ok) => s.close(() => ok()));
        // Idle keep-alive sockets and in-flight bodies alike: a stop must not wait for a slow download.
        s.closeAllConnections();
        await closed;
        // The handlers see their responses close and release their files.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...handlers]), new Promise<void>((ok) => (timer = setTimeout(ok, STOP_GRACE_MS)))]);
        clearTimeout(timer);
      }
      if (state.state !== 'failed') state = { state: 'stopped', detail: null };
    },
    status: () => state,
    port: () => boundPort,
    stats: () => ({ active, ...counters }),
  };
}
