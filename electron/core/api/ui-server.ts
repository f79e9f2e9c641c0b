/**
 * Browser mode: serves the built renderer and the one API over a WebSocket, bound to 127.0.0.1 only,
 * guarded by a per-launch token (CONVENTIONS §5). Host and Origin are checked too, so a web page the
 * technician happens to open cannot reach the API through DNS rebinding.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatch, type ApiHandlers } from '../../../shared/api/contract.ts';
import type { StreamSink } from '../server.ts';
import { UI_CSP } from './csp.ts';

export { UI_CSP };

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface UiServerOptions {
  api: ApiHandlers;
  /** Subscribes a sink to every stream; returns an unsubscribe function. */
  subscribe: (sink: StreamSink) => () => void;
  /** Folder holding the built renderer (index.html + assets/). */
  rendererDir: string;
  port?: number;
  token?: string;
}

export interface UiServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A frame shaped like a call: `{type: 'call', id, method, input}` with a number or string id. */
function isCall(msg: unknown): msg is { type: 'call'; id: number | string; method?: unknown; input?: unknown } {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return false;
  const m = msg as { type?: unknown; id?: unknown };
  return m.type === 'call' && (typeof m.id === 'number' || typeof m.id === 'string');
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = resolve(opts.rendererDir);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  /** Returns an HTTP status to refuse with, or null when the request may proceed. */
  const gate = (req: IncomingMessage, needToken: boolean): number | null => {
    if (!allowedHosts().has(req.headers.host ?? '')) return 403;
    const origin = req.headers.origin;
    if (origin && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) return 403;
    if (needToken) {
      const given = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
      if (!sameToken(given, token)) return 401;
    }
    return null;
  };

  const refuse = (res: ServerResponse, code: number) => {
    res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      code === 401
        ? 'rackboot: this link has no valid token. Use the URL rackboot printed when it started.\n'
        : 'rackboot: refused (only http://127.0.0.1 may use this page).\n',
    );
  };

  const sendFile = (res: ServerResponse, file: string) => {
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': UI_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      // Malformed URLs or escapes (`/%E0%A4%A`) are the client's problem, never the server's end.
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad request\n');
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 403);
    if (path === '/' || path === '/index.html') {
      const status = gate(req, true);
      if (status) return refuse(res, status);
      const index = join(root, 'index.html');
      if (!existsSync(index)) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        return res.end('rackboot: the UI is not built. Run `npm run build:renderer` (npm start does it for you).\n');
      }
      return sendFile(res, index);
    }
    // Static assets carry no secrets; they are still kept inside the renderer folder.
    const status = gate(req, false);
    if (status) return refuse(res, status);
    const file = resolve(root, '.' + decodeURIComponent(path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('not found\n');
    }
    sendFile(res, file);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    // Node drops its own error listener on upgrade: a reset from a refused client must not crash the core.
    socket.on('error', () => socket.destroy());
    let status: number | null;
    try {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      status = path === '/api' ? gate(req, true) : 404;
    } catch {
      status = 400;
    }
    if (status) {
      socket.end(`HTTP/1.1 ${status} ${({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' } as Record<number, string>)[status] ?? 'Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws));
  });

  const serveClient = (ws: WebSocket) => {
    const unsubscribe = opts.subscribe((stream, data) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'stream', stream, data }));
    });
    ws.on('close', unsubscribe);
    // Oversized or malformed frames end this client only.
    ws.on('error', () => ws.terminate());
    ws.on('message', async (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.send(JSON.stringify({ type: 'result', id: null, result: { ok: false, error: { code: 'BAD_REQUEST', message: 'not JSON' } } }));
        return;
      }
      // `null`, `42` or `[]` are JSON too: reading `.type` off null would throw inside this async listener,
      // an unhandled rejection that ends the process.
      if (!isCall(msg)) {
        ws.send(JSON.stringify({ type: 'result', id: null, result: { ok: false, error: { code: 'BAD_REQUEST', message: 'expected {type:"call", id, method, input}' } } }));
        return;
      }
      const result = await dispatch(opts.api, msg.method, msg.input);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: msg.id, result }));
    });
  };

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
