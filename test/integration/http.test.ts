/**
 * The HTTP service on real loopback sockets: curl fetches byte-identical files, ranges, HEAD, conditional
 * requests and keep-alive; hostile paths never leave the root; slow and vanishing clients keep memory bounded
 * and end as `aborted` events; stop() is prompt; a taken port is a readable failure. Files on disk go out by
 * sendfile(2) where the addon has it (Linux), generated ones through the copying loop: both are covered.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootEventInput } from '../../shared/model/event.ts';
import { directoryTree, memoryFile, type FileTree, type OpenFile } from '../../electron/core/files/tree.ts';
import { createHttpService, type HttpService } from '../../electron/core/http/service.ts';
import { nativeSendfile } from '../../electron/core/net/bind.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing, run, sha } from '../helpers/tools.ts';


const base = tempDir('rackboot-http-');
const root = join(base.path, 'root');
const out = tempDir('rackboot-http-out-');
const SECRET = 'TOP SECRET: outside the served root';
const files: Record<string, Buffer> = {
  'boot.ipxe': Buffer.from('#!ipxe\ndhcp\nchain http://${next-server}/menu.ipxe\n'),
  'EFI/BOOT/BOOTX64.EFI': randomBytes(100_003),
  'big.iso': randomBytes(8 * 1024 * 1024 + 123),
  'range.bin': Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff)),
  'dyn.ipxe': Buffer.from('#!ipxe\necho from disk\n'),
  'empty.bin': Buffer.alloc(0),
};
const VIRTUAL_SIZE = 64 * 1024 * 1024;
/** A sparse file on disk (zeros, no blocks), far larger than every socket buffer: sendfile(2) runs for a while. */
const SPARSE = 'sparse/huge.bin';
const SPARSE_SIZE = 1024 * 1024 * 1024;
/** Whether this system sends disk files with sendfile(2): Linux with the addon built. */
const ZERO_COPY = nativeSendfile() !== null;
const MAC = '52:54:00:00:00:01';

/** Counts opens and closes, so a leaked file handle fails the suite. */
const handles = { opened: 0, closed: 0 };
function counting(tree: FileTree): FileTree {
  return {
    async open(path) {
      const f = await tree.open(path);
      if (!f) return null;
      handles.opened++;
      return { ...f, read: f.read.bind(f), close: () => (handles.closed++, f.close()) };
    },
  };
}

/** A generated file of any size that records how much of it was read: the backpressure probe. */
const virtualReads: { read: number; closed: boolean }[] = [];
function virtualFile(size: number): OpenFile {
  const log = { read: 0, closed: false };
  virtualReads.push(log);
  return {
    size,
    mtimeMs: Date.UTC(2026, 0, 1),
    async read(position, target, offset, length) {
      const n = Math.max(0, Math.min(length, size - position));
      target.fill(0x5a, offset, offset + n);
      log.read += n;
      return n;
    },
    async close() {
      log.closed = true;
    },
  };
}

/** Claims 1 MiB, then ends after 300 KiB: the file was truncated while being served. */
let shrinkingClosed = false;
function shrinkingFile(): OpenFile {
  return {
    size: 2 * 1024 * 1024,
    mtimeMs: 0,
    async read(position, target, offset, length) {
      const n = Math.max(0, Math.min(length, 700 * 1024 - position));
      target.fill(1, offset, offset + n);
      return n;
    },
    async close() {
      shrinkingClosed = true;
    },
  };
}

const events: BootEventInput[] = [];
/** Process warnings: reaching a socket's fd (net.Socket's `_handle`) must not print a deprecation. */
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
let service: HttpService;
const url = (path: string, port = service.port()) => `http://127.0.0.1:${port}${path}`;

beforeAll(async () => {
  process.on('warning', onWarning);
  writeFileSync(join(base.path, 'secret.txt'), SECRET);
  mkdirSync(join(root, 'sparse'), { recursive: true });
  writeFileSync(join(root, SPARSE), '');
  truncateSync(join(root, SPARSE), SPARSE_SIZE);
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), data);
  }
  service = createHttpService({
    address: '127.0.0.1',
    port: 0,
    tree: counting(directoryTree(root)),
    emit: (e) => events.push(e),
    macForIp: (ip) => (ip === '127.0.0.1' ? MAC : undefined),
    async dynamic(path, req) {
      if (path === 'dyn.ipxe') return memoryFile(Buffer.from(`#!ipxe\necho generated for ${req.headers['user-agent']}\n`));
      if (path === 'virtual/huge.img') return virtualFile(VIRTUAL_SIZE);
      if (path === 'broken/throws.img') throw new Error('disk on fire');
      if (path === 'broken/shrinks.img') return shrinkingFile();
      return null;
    },
  });
  await service.start();
});
afterAll(async () => {
  process.off('warning', onWarning);
  await service.stop();
  base.remove();
  out.remove();
});

async function waitFor<T>(probe: () => T | undefined | null | false, what: string, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The one event of the request curl made with this User-Agent. */
const eventOf = (ua: string) => waitFor(() => events.find((e) => e.fields?.userAgent === ua), `the event of ${ua}`);

interface Fetched {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  ua: string;
}

let fetches = 0;
/** One curl run: status, response headers (lower-cased names) and body; each run has its own User-Agent. */
async function curl(path: string, args: string[] = [], port?: number): Promise<Fetched> {
  const n = ++fetches;
  const ua = `rackboot-test/${n}`;
  const bodyFile = join(out.path, `body-${n}`);
  const headFile = join(out.path, `head-${n}`);
  const { stdout } = await run('curl', ['-sS', '-A', ua, '-o', bodyFile, '-D', headFile, '-w', '%{http_code}', ...args, url(path, port)], { timeout: 30_000 });
  const headers = new Map<string, string>();
  for (const line of readFileSync(headFile, 'latin1').split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(stdout), headers, body: existsSync(bodyFile) ? readFileSync(bodyFile) : Buffer.alloc(0), ua };
}

/** A raw HTTP/1.1 request on its own socket, for clients curl cannot play (stalled, vanishing, broken). */
function rawRequest(port: number, head: string): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.write(head);
  return socket;
}

describe('HTTP service with curl', () => {
  it.skipIf(missing('curl')).each(['boot.ipxe', 'EFI/BOOT/BOOTX64.EFI', 'big.iso', 'empty.bin'])('GET %s is byte-identical, with Content-Length and no chunking', async (name) => {
    const r = await curl(`/${name}`);
    expect(r.status).toBe(200);
    expect(sha(r.body)).toBe(sha(files[name]!));
    expect(r.headers.get('content-length')).toBe(String(files[name]!.length));
    expect(r.headers.has('transfer-encoding')).toBe(false);
  });

  it.skipIf(missing('curl'))('HEAD gives the headers of a GET and no body, uncompressed even when gzip is offered', async () => {
    const r = await curl('/big.iso', ['-I', '--compressed']);
    expect(r.status).toBe(200);
    expect(Object.fromEntries(r.headers)).toMatchObject({
      'content-length': String(files['big.iso']!.length),
      'content-type': 'application/vnd.efi-iso',
      'accept-ranges': 'bytes',
      etag: expect.stringMatching(/^"[0-9a-f]+-[0-9a-f]+"$/),
      'last-modified': expect.stringMatching(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/),
    });
    expect(r.headers.has('content-encoding')).toBe(false);
    const efi = await curl('/EFI/BOOT/BOOTX64.EFI', ['-I']);
    expect(efi.headers.get('content-type')).toBe('application/efi');
    const event = await eventOf(r.ua);
    expect(event.fields).toMatchObject({ method: 'HEAD', status: 200, bytes: 0, outcome: 'ok' });
  });

  it.skipIf(missing('curl')).each([
    ['0-99', 0, 100],
    ['100-', 100, 900],
    ['-50', 950, 50],
    ['990-5000', 990, 10],
  ])('range %s is a 206 with the right bytes, Content-Range and event', async (spec, start, length) => {
    const r = await curl('/range.bin', ['-r', spec]);
    const data = files['range.bin']!;
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes ${start}-${start + length - 1}/${data.length}`);
    expect(r.headers.get('content-length')).toBe(String(length));
    expect(r.body.equals(data.subarray(start, start + length))).toBe(true);
    const event = await eventOf(r.ua);
    expect(event.fields).toMatchObject({ method: 'GET', path: 'range.bin', status: 206, bytes: length, range: `bytes=${spec}`, outcome: 'ok' });
  });

  it.skipIf(missing('curl'))('a range past the end is a 416 naming the size', async () => {
    const r = await curl('/range.bin', ['-r', '5000-6000']);
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe('bytes */1000');
    expect((await eventOf(r.ua)).fields).toMatchObject({ status: 416, outcome: 'refused' });
  });

  it.skipIf(missing('curl'))('several ranges at once get the whole body (RFC 9110 allows it; boot clients never ask)', async () => {
    const r = await curl('/range.bin', ['-r', '0-1,5-6']);
    expect(r.status).toBe(200);
    expect(r.body.equals(files['range.bin']!)).toBe(true);
  });

  it.skipIf(missing('curl'))('50 parallel downloads of an 8 MiB file are all byte-identical', async () => {
    const before = events.length;
    const args = ['-sS', '--parallel', '--parallel-immediate', '--parallel-max', '50'];
    for (let i = 0; i < 50; i++) args.push('-o', join(out.path, `parallel-${i}.iso`), url('/big.iso'));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, service.stats().active)), 5);
    try {
      await run('curl', args, { timeout: 60_000 });
    } finally {
      clearInterval(sampler);
    }
    const want = sha(files['big.iso']!);
    for (let i = 0; i < 50; i++) expect(sha(readFileSync(join(out.path, `parallel-${i}.iso`)))).toBe(want);
    expect(peak).toBeGreaterThan(1);
    const done = await waitFor(() => {
      const ok = events.slice(before).filter((e) => e.fields?.path === 'big.iso' && e.fields?.outcome === 'ok');
      return ok.length === 50 && ok;
    }, '50 ok events');
    expect(done.every((e) => e.fields!.bytes === files['big.iso']!.length && e.fields!.status === 200)).toBe(true);
  }, 60_000);

  it.skipIf(missing('curl'))('keeps the connection alive: two URLs in one curl run connect once', async () => {
    const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-o', '/dev/null', '-w', '%{num_connects}\\n', url('/boot.ipxe'), url('/range.bin')]);
    expect(stdout.trim().split('\n')).toEqual(['1', '0']);
  });

  it.skipIf(missing('curl'))('answers If-None-Match and If-Modified-Since with 304, and honours If-Range', async () => {
    const head = await curl('/range.bin', ['-I']);
    const etag = head.headers.get('etag')!;
    const hit = await curl('/range.bin', ['-H', `If-None-Match: ${etag}`]);
    expect(hit.status).toBe(304);
    expect(hit.body.length).toBe(0);
    expect(hit.headers.get('etag')).toBe(etag);
    expect((await eventOf(hit.ua)).fields).toMatchObject({ status: 304, bytes: 0, outcome: 'ok' });
    expect((await curl('/range.bin', ['-H', 'If-None-Match: "something-else"'])).status).toBe(200);
    // curl -z sends If-Modified-Since.
    expect((await curl('/range.bin', ['-z', head.headers.get('last-modified')!])).status).toBe(304);
    expect((await curl('/range.bin', ['-z', 'Thu, 01 Jan 1970 00:00:00 GMT'])).status).toBe(200);
    // If-Range: the range applies only while the validator matches.
    const fresh = await curl('/range.bin', ['-r', '0-9', '-H', `If-Range: ${etag}`]);
    expect(fresh.status).toBe(206);
    expect(fresh.body.length).toBe(10);
    const stale = await curl('/range.bin', ['-r', '0-9', '-H', 'If-Range: "stale"']);
    expect(stale.status).toBe(200);
    expect(stale.body.equals(files['range.bin']!)).toBe(true);
  });

  it.skipIf(missing('curl')).each([
    ['/../secret.txt', 400],
    ['/../etc/passwd', 400],
    ['/%2e%2e/x', 400],
    ['/%2e%2e/secret.txt', 400],
    ['/a%00b', 400],
    ['/..%2f..%2fetc/passwd', 400],
    ['/..%5csecret.txt', 400],
    ['/EFI/../../secret.txt', 400],
    ['/', 404],
  ])('hostile path %s never leaves the root (%i)', async (path, status) => {
    const r = await curl(path, ['--path-as-is']);
    expect(r.status).toBe(status);
    const text = r.body.toString('latin1');
    expect(text).not.toContain('TOP SECRET');
    expect(text).not.toContain('root:');
    const event = await eventOf(r.ua);
    expect(event.fields).toMatchObject({ status, outcome: status === 400 ? 'refused' : 'not-found' });
    expect(event.level).toBe(status === 400 ? 'warn' : 'info');
  });

  it.skipIf(missing('curl'))('a missing file is a 404 event at info level', async () => {
    const r = await curl('/pxelinux.cfg/01-52-54-00-00-00-01');
    expect(r.status).toBe(404);
    const event = await eventOf(r.ua);
    expect(event).toMatchObject({ level: 'info', mac: MAC, fields: { path: 'pxelinux.cfg/01-52-54-00-00-00-01', status: 404, outcome: 'not-found' } });
  });

  it.skipIf(missing('curl')).each(['POST', 'PUT', 'DELETE', 'OPTIONS'])('%s is a 405 with Allow: GET, HEAD', async (method) => {
    const r = await curl('/boot.ipxe', ['-X', method, ...(method === 'POST' ? ['--data', 'x=1'] : [])]);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect((await eventOf(r.ua)).fields).toMatchObject({ method, status: 405, outcome: 'refused' });
  });

  it.skipIf(missing('curl'))('every request is one event carrying method, path, status, bytes, time, client and MAC', async () => {
    const r = await curl('/big.iso');
    await new Promise((ok) => setTimeout(ok, 50));
    const mine = events.filter((e) => e.fields?.userAgent === r.ua);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      service: 'http',
      level: 'info',
      ip: '127.0.0.1',
      mac: MAC,
      fields: { method: 'GET', path: 'big.iso', status: 200, bytes: files['big.iso']!.length, ms: expect.any(Number), size: files['big.iso']!.length, outcome: 'ok' },
    });
  });

  it.skipIf(missing('curl'))('the dynamic hook wins over the tree and sees the request; unknown paths fall through to the tree', async () => {
    const r = await curl('/./dyn.ipxe?mac=52:54:00:00:00:01');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe(`#!ipxe\necho generated for ${r.ua}\n`);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.headers.get('content-length')).toBe(String(r.body.length));
    const disk = await curl('/boot.ipxe');
    expect(disk.body.equals(files['boot.ipxe']!)).toBe(true);
  });
});

describe('HTTP service with difficult clients', () => {
  it('a client that disconnects mid-download is an aborted event with the bytes sent, and the next request is served', async () => {
    const ua = 'vanishing-client';
    const socket = rawRequest(service.port(), `GET /big.iso HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${ua}\r\n\r\n`);
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        received += d.length;
        if (received >= 1024 * 1024) {
          socket.destroy();
          resolve();
        }
      });
    });
    const event = await eventOf(ua);
    expect(event.level).toBe('info');
    expect(event.fields).toMatchObject({ path: 'big.iso', status: 200, outcome: 'aborted' });
    const bytes = event.fields!.bytes as number;
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(files['big.iso']!.length);
    // The server is still answering.
    const next = rawRequest(service.port(), 'GET /boot.ipxe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      next.on('data', (d: Buffer) => (text += d.toString('latin1')));
      next.on('end', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply.endsWith(files['boot.ipxe']!.toString())).toBe(true);
  });

  it('50 clients that stop reading hold back the server: each file is read only a few MiB ahead, then aborted cleanly', async () => {
    const first = virtualReads.length;
    const sockets = Array.from({ length: 50 }, (_, i) => {
      const s = rawRequest(service.port(), `GET /virtual/huge.img HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: stalled-${i}\r\n\r\n`);
      s.pause();
      return s;
    });
    const mine = () => virtualReads.slice(first);
    await waitFor(() => mine().length === 50 && mine().every((r) => r.read > 0), '50 stalled downloads to start');
    // Wait until the kernel buffers are full and reading stops.
    let last = -1;
    await waitFor(
      () => {
        const total = mine().reduce((n, r) => n + r.read, 0);
        const settled = total === last;
        last = total;
        return settled;
      },
      'reads to stop',
      10_000,
    );
    // Socket buffers on loopback plus one chunk; without backpressure each would read all 64 MiB.
    const most = Math.max(...mine().map((r) => r.read));

    expect(most).toBeLessThan(24 * 1024 * 1024);
    expect(service.stats().active).toBeGreaterThanOrEqual(50);
    for (const s of sockets) s.destroy();
    await waitFor(() => mine().every((r) => r.closed), 'every stalled file to be closed');
    const aborted = await waitFor(() => {
      const a = events.filter((e) => String(e.fields?.userAgent).startsWith('stalled-') && e.fields?.outcome === 'aborted');
      return a.length === 50 && a;
    }, '50 aborted events');
    expect(aborted.every((e) => (e.fields!.bytes as number) < VIRTUAL_SIZE)).toBe(true);
  }, 30_000);

  it.skipIf(missing('curl'))('a source that fails to open is a 500 error event; one that shrinks mid-body cuts the connection', async () => {
    const failed = await curl('/broken/throws.img');
    expect(failed.status).toBe(500);
    expect(await eventOf(failed.ua)).toMatchObject({ level: 'error', fields: { status: 500, outcome: 'refused', reason: 'cannot serve: disk on fire' } });
    // curl reports the short body (exit 18) once the server gives up on the connection.
    await expect(curl('/broken/shrinks.img')).rejects.toMatchObject({ code: 18 });
    const short = await waitFor(() => events.find((e) => e.fields?.path === 'broken/shrinks.img'), 'the shrink event');
    expect(short).toMatchObject({ level: 'error', fields: { status: 200, outcome: 'aborted', reason: expect.stringContaining('file shrank') } });
    // One whole read chunk (512 KiB) went out before the short read was found.
    expect(short.fields!.bytes).toBe(512 * 1024);
    await waitFor(() => shrinkingClosed, 'the shrinking file to be closed');
  });

  it('an unparsable request gets a 400 and a warning event', async () => {
    const socket = rawRequest(service.port(), 'GARBAGE\r\n\r\n');
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    await waitFor(() => events.find((e) => e.level === 'warn' && e.fields?.status === 400 && String(e.msg).includes('cannot be parsed')), 'a parse-error event');
  });
});

/** Reads until `bytes` arrived, then hands the socket back paused (or destroyed). */
function readSome(socket: Socket, bytes: number, then: 'pause' | 'destroy'): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (d: Buffer) => {
      received += d.length;
      if (received < bytes) return;
      socket.off('data', onData);
      if (then === 'pause') socket.pause();
      else socket.destroy();
      resolve(received);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe.runIf(ZERO_COPY)('HTTP service with sendfile(2)', () => {
  it.skipIf(missing('curl'))('sends files on disk by sendfile(2), byte-identical whole and ranged; generated files are copied', async () => {
    const big = files['big.iso']!;
    const before = service.stats().zeroCopy;
    const whole = await curl('/big.iso');
    expect(sha(whole.body)).toBe(sha(big));
    const ranges: [string, number, number][] = [
      ['1000-4000000', 1000, 4_000_000],
      ['-77', big.length - 77, big.length - 1],
      ['8388600-', 8388600, big.length - 1],
    ];
    let expected = big.length;
    for (const [spec, start, end] of ranges) {
      const r = await curl('/big.iso', ['-r', spec]);
      expect(r.status).toBe(206);
      expect(r.headers.get('content-range')).toBe(`bytes ${start}-${end}/${big.length}`);
      expect(r.body.equals(big.subarray(start, end + 1))).toBe(true);
      expect((await eventOf(r.ua)).fields).toMatchObject({ status: 206, bytes: end - start + 1, outcome: 'ok' });
      expected += end - start + 1;
    }
    await eventOf(whole.ua);
    expect(service.stats().zeroCopy - before).toBe(expected);
    // Generated files have no fd: the copying loop serves them, byte-identical too.
    const generated = await curl('/dyn.ipxe');
    expect(generated.body.toString()).toBe(`#!ipxe\necho generated for ${generated.ua}\n`);
    await eventOf(generated.ua);
    expect(service.stats().zeroCopy - before).toBe(expected);
  });

  it.skipIf(missing('curl'))('keeps the connection alive after a sendfile(2) body: the next requests on it are served', async () => {
    const names = ['big.iso', 'EFI/BOOT/BOOTX64.EFI', 'dyn.ipxe', 'range.bin'];
    const outs = names.map((_, i) => join(out.path, `keepalive-${i}`));
    const args = ['-sS', '-w', '%{num_connects}\n'];
    names.forEach((name, i) => args.push('-o', outs[i]!, url(`/${name}`)));
    const { stdout } = await run('curl', args, { timeout: 30_000 });
    expect(stdout.trim().split('\n')).toEqual(['1', '0', '0', '0']);
    expect(sha(readFileSync(outs[0]!))).toBe(sha(files['big.iso']!));
    expect(sha(readFileSync(outs[1]!))).toBe(sha(files['EFI/BOOT/BOOTX64.EFI']!));
    expect(readFileSync(outs[2]!).toString()).toMatch(/^#!ipxe\necho generated for curl\//);
    expect(readFileSync(outs[3]!).equals(files['range.bin']!)).toBe(true);
  });

  it('a client that disconnects mid-sendfile is an aborted event with the bytes sent, and the next request is served', async () => {
    const ua = 'vanishing-sendfile-client';
    const before = service.stats().zeroCopy;
    const socket = rawRequest(service.port(), `GET /${SPARSE} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${ua}\r\n\r\n`);
    const received = await readSome(socket, 4 * 1024 * 1024, 'destroy');
    const event = await eventOf(ua);
    expect(event).toMatchObject({ level: 'info', fields: { path: SPARSE, status: 200, outcome: 'aborted', reason: 'client went away' } });
    const bytes = event.fields!.bytes as number;
    // At least what the client read (less its header bytes); at most that plus both sides' socket buffers.
    expect(bytes).toBeGreaterThan(received - 1024);
    expect(bytes).toBeLessThan(received + 128 * 1024 * 1024);
    expect(service.stats().zeroCopy - before).toBe(bytes);
    // The server is still answering, by sendfile(2) too.
    const next = rawRequest(service.port(), 'GET /EFI/BOOT/BOOTX64.EFI HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    const reply = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      next.on('data', (d: Buffer) => chunks.push(d));
      next.on('end', () => resolve(Buffer.concat(chunks)));
    });
    expect(reply.subarray(0, 17).toString('latin1')).toBe('HTTP/1.1 200 OK\r\n');
    expect(sha(reply.subarray(reply.length - files['EFI/BOOT/BOOTX64.EFI']!.length))).toBe(sha(files['EFI/BOOT/BOOTX64.EFI']!));
  });

  it.skipIf(missing('curl'))('clients that stop reading mid-sendfile hold no thread and no CPU: other downloads go on, then they abort cleanly', async () => {
    const opened = handles.opened;
    // More stalled transfers than libuv has pool threads (4): a design that waited on the pool would starve every file read.
    const stalled = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const s = rawRequest(service.port(), `GET /${SPARSE} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sendfile-stalled-${i}\r\n\r\n`);
        await readSome(s, 64 * 1024, 'pause');
        return s;
      }),
    );
    await waitFor(() => service.stats().active >= 12, '12 stalled downloads');
    // Let the socket buffers fill, then measure: waiting for room must not spin.
    await new Promise((ok) => setTimeout(ok, 300));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((ok) => setTimeout(ok, 500));
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(0.5 * (performance.now() - t0));
    // Another client, reading disk files through the same pool, is served at once.
    const r = await curl('/big.iso', ['--max-time', '10']);
    expect(sha(r.body)).toBe(sha(files['big.iso']!));
    for (const s of stalled) s.destroy();
    const aborted = await waitFor(() => {
      const a = events.filter((e) => String(e.fields?.userAgent).startsWith('sendfile-stalled-'));
      return a.length === 12 && a;
    }, '12 aborted events');
    for (const e of aborted) {
      expect(e.fields).toMatchObject({ outcome: 'aborted', status: 200 });
      expect(e.fields!.bytes as number).toBeGreaterThan(0);
      expect(e.fields!.bytes as number).toBeLessThan(SPARSE_SIZE);
    }
    await waitFor(() => handles.closed >= opened + 13 && handles.opened === handles.closed, 'every stalled file to be closed');
  }, 30_000);

  it('stop() is prompt while sendfile(2) waits on a stalled client, and closes the file', async () => {
    const local: BootEventInput[] = [];
    const tree = counting(directoryTree(root));
    const s = createHttpService({ address: '127.0.0.1', port: 0, tree, emit: (e) => local.push(e) });
    await s.start();
    const opened = handles.opened;
    const downloading = rawRequest(s.port(), `GET /${SPARSE} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const closed = new Promise((ok) => downloading.on('close', ok));
    await readSome(downloading, 64 * 1024, 'pause');
    await new Promise((ok) => setTimeout(ok, 200));
    expect(s.stats().active).toBe(1);
    const t0 = Date.now();
    await s.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    const aborted = await waitFor(() => local.find((e) => e.fields?.path === SPARSE), 'the aborted event');
    expect(aborted).toMatchObject({ level: 'info', fields: { outcome: 'aborted', reason: 'server stopped' } });
    expect(aborted.fields!.bytes as number).toBeGreaterThan(0);
    expect(s.stats().zeroCopy).toBe(aborted.fields!.bytes);
    await waitFor(() => handles.opened === handles.closed && handles.opened > opened, 'the file to be closed');
    // The client drains what the kernel holds, then sees the connection end.
    downloading.resume();
    await closed;
  });

  it('reaching the socket fd prints no deprecation warning', () => {
    expect(service.stats().zeroCopy).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.name === 'DeprecationWarning').map((w) => w.message)).toEqual([]);
  });
});

describe.skipIf(missing('curl'))('HTTP service without sendfile(2)', () => {
  it('zeroCopy: false copies files on disk through the stream loop, byte-identical, whole and ranged', async () => {
    const s = createHttpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root), emit: () => {}, zeroCopy: false });
    await s.start();
    try {
      const whole = await curl('/big.iso', [], s.port());
      expect(sha(whole.body)).toBe(sha(files['big.iso']!));
      const part = await curl('/big.iso', ['-r', '12345-999999'], s.port());
      expect(part.status).toBe(206);
      expect(part.body.equals(files['big.iso']!.subarray(12345, 1_000_000))).toBe(true);
      await waitFor(() => s.stats().served === 2, 'both requests reported');
      expect(s.stats()).toMatchObject({ served: 2, bytes: files['big.iso']!.length + 1_000_000 - 12345, zeroCopy: 0 });
    } finally {
      await s.stop();
    }
  });
});

describe('HTTP service life', () => {
  it('stop() is prompt with a download in flight and an idle keep-alive connection, and idempotent', async () => {
    const local: BootEventInput[] = [];
    const s = createHttpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root), emit: (e) => local.push(e), dynamic: async (p) => (p === 'huge.img' ? virtualFile(VIRTUAL_SIZE) : null) });
    await s.start();
    expect(s.status()).toEqual({ state: 'running', detail: `listening on http://127.0.0.1:${s.port()}/` });
    // Anaconda names its NIC in a header (inst.ks.sendmac): the event carries the MAC when DHCP does not know it.
    const downloading = rawRequest(s.port(), 'GET /huge.img HTTP/1.1\r\nHost: x\r\nX-RHN-Provisioning-MAC-0: eth0 52-54-00-AB-CD-EF\r\n\r\n');
    downloading.pause();
    const idle = rawRequest(s.port(), 'GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n');
    const closedBoth = Promise.all([downloading, idle].map((c) => new Promise((ok) => c.on('close', ok))));
    idle.on('data', () => {});
    await waitFor(() => local.some((e) => e.fields?.path === 'boot.ipxe') && s.stats().active === 1, 'one idle connection and one download');
    const t0 = Date.now();
    await s.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    // The stalled client drains what the kernel still holds, then sees the connection end.
    downloading.resume();
    await closedBoth;
    const aborted = await waitFor(() => local.find((e) => e.fields?.path === 'huge.img'), 'the aborted event');
    expect(aborted).toMatchObject({ level: 'info', mac: '52:54:00:ab:cd:ef', fields: { outcome: 'aborted', reason: 'server stopped' } });
    expect(s.status()).toEqual({ state: 'stopped', detail: null });
    await s.stop();
    expect(s.status().state).toBe('stopped');
  });

  it('a port already in use is a failed status a technician can read', async () => {
    const s = createHttpService({ address: '127.0.0.1', port: service.port(), tree: directoryTree(root), emit: () => {} });
    await expect(s.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(s.status().state).toBe('failed');
    expect(s.status().detail).toBe(`another program already uses HTTP port ${service.port()} (dnsmasq, tftpd-hpa, a second rackboot?): stop it and start again`);
    await s.stop();
    expect(s.status().state).toBe('failed');
  });

  it('closes every file it opened', async () => {
    await waitFor(() => handles.opened > 0 && handles.opened === handles.closed && service.stats().active === 0, 'every file closed');
    expect(handles.opened).toBe(handles.closed);
  });
});
