/**
 * The addon's sendfile(2) (electron/core/net/native/rackboot_net.c, reached through bind.ts's nativeSendfile)
 * on loopback TCP: whole and partial ranges arrive byte-identical; a client that stops reading ends the job
 * with ETIMEDOUT after idleMs, not before, and holds no CPU meanwhile; cancel() ends it promptly with ECANCELED
 * even after the caller destroyed its socket; a file shorter than the range is ENODATA; a client that leaves
 * is EPIPE/ECONNRESET with the bytes sent; the caller may close its own fds at once (the job holds duplicates);
 * bad arguments throw. Linux with the addon built only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeSendfile, tcpSocketFd, type Sendfile, type SendfileCallback, type SendfileJob } from '../../electron/core/net/bind.ts';
import { tempDir } from '../helpers/rackboot.ts';

const sendfile = nativeSendfile();
const dir = tempDir('rackboot-sendfile-');
const DATA = randomBytes(6 * 1024 * 1024 + 11);
const dataPath = join(dir.path, 'data.bin');
const sparsePath = join(dir.path, 'sparse.bin');
const SPARSE_SIZE = 512 * 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

type Outcome = { err: Parameters<SendfileCallback>[0]; sent: number; ms: number };

/** A connected loopback pair: `server` is the accepted side (the one sendfile writes to), `client` reads. */
async function pair(): Promise<{ server: Socket; client: Socket; close(): void }> {
  const listener: Server = createServer();
  await new Promise<void>((ok) => listener.listen(0, '127.0.0.1', ok));
  const accepted = new Promise<Socket>((ok) => listener.once('connection', ok));
  const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  listener.close();
  // Resets after the tests end a side are expected.
  server.on('error', () => {});
  client.on('error', () => {});
  return {
    server,
    client,
    close() {
      server.destroy();
      client.destroy();
    },
  };
}

/** Starts a job; `done` settles with its single callback. */
function start(send: Sendfile, socket: Socket, fd: number, offset: number, count: number, idleMs?: number): { job: SendfileJob; done: Promise<Outcome> } {
  const socketFd = tcpSocketFd(socket);
  if (socketFd === null) throw new Error('not a TCP socket');
  const t0 = performance.now();
  let calls = 0;
  let job!: SendfileJob;
  const done = new Promise<Outcome>((resolve) => {
    job = send(socketFd, fd, offset, count, (err, sent) => {
      calls++;
      // Exactly once: a second call would resolve nothing, so count it where the test can see it.
      if (calls > 1) throw new Error('sendfile called back twice');
      resolve({ err, sent, ms: performance.now() - t0 });
    }, idleMs);
  });
  return { job, done };
}

function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

let dataFd = -1;
let sparseFd = -1;
beforeAll(() => {
  writeFileSync(dataPath, DATA);
  writeFileSync(sparsePath, '');
  truncateSync(sparsePath, SPARSE_SIZE);
  dataFd = openSync(dataPath, 'r');
  sparseFd = openSync(sparsePath, 'r');
});
afterAll(() => {
  if (dataFd >= 0) closeSync(dataFd);
  if (sparseFd >= 0) closeSync(sparseFd);
  dir.remove();
});

describe.runIf(sendfile)('sendfile(2) from the addon', () => {
  const send = sendfile!;

  it('sends a whole file and a range byte-identical, calls back once with null and the count, and sent() agrees', async () => {
    for (const [offset, count] of [
      [0, DATA.length],
      [12_345, 3_000_001],
      [DATA.length - 1, 1],
      [100, 0],
    ] as const) {
      const p = await pair();
      const got = readAll(p.client);
      const { job, done } = start(send, p.server, dataFd, offset, count);
      const r = await done;
      expect(r.err).toBeNull();
      expect(r.sent).toBe(count);
      expect(job.sent()).toBe(count);
      // Too late to matter: nothing happens.
      job.cancel();
      p.server.end();
      expect(sha(await got)).toBe(sha(DATA.subarray(offset, offset + count)));
      p.close();
    }
  });

  it('a client that stops reading ends the job with ETIMEDOUT after idleMs, and the wait costs no CPU', async () => {
    const p = await pair();
    p.client.pause();
    const cpu0 = process.cpuUsage();
    const { done } = start(send, p.server, sparseFd, 0, SPARSE_SIZE, 700);
    const r = await done;
    const cpu = process.cpuUsage(cpu0);
    expect(r.err).toMatchObject({ code: 'ETIMEDOUT', syscall: 'sendfile', errno: -110, sent: r.sent });
    expect(r.err!.message).toMatch(/^sendfile ETIMEDOUT after \d+ of 536870912 bytes$/);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThan(SPARSE_SIZE);
    expect(r.ms).toBeGreaterThanOrEqual(690);
    expect(r.ms).toBeLessThan(5000);
    // Filling the socket buffers takes a few ms; spinning on a full socket would take the whole 700.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(350);
    p.close();
  });

  it('cancel() ends a job waiting on a stalled client promptly with ECANCELED, even once the socket is destroyed', async () => {
    const p = await pair();
    p.client.pause();
    const { job, done } = start(send, p.server, sparseFd, 0, SPARSE_SIZE);
    await new Promise((ok) => setTimeout(ok, 200));
    const before = job.sent();
    expect(before).toBeGreaterThan(0);
    // What the HTTP service does when a response closes: Node closes its fd, the job still holds its own.
    p.server.destroy();
    const t0 = performance.now();
    job.cancel();
    job.cancel();
    const r = await done;
    expect(performance.now() - t0).toBeLessThan(500);
    expect(r.err).toMatchObject({ code: 'ECANCELED' });
    expect(r.sent).toBe(before);
    // With the job's duplicate closed too, the connection ends for the client.
    const ended = new Promise((ok) => p.client.once('close', ok));
    p.client.resume();
    await ended;
    p.close();
  });

  it('a client that leaves is EPIPE or ECONNRESET with the bytes sent so far', async () => {
    const p = await pair();
    let received = 0;
    p.client.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= 1024 * 1024) p.client.destroy();
    });
    const { done } = start(send, p.server, sparseFd, 0, SPARSE_SIZE);
    const r = await done;
    expect(['EPIPE', 'ECONNRESET']).toContain(r.err?.code);
    expect(r.sent).toBeGreaterThanOrEqual(1024 * 1024);
    expect(r.sent).toBeLessThan(SPARSE_SIZE);
    p.close();
  });

  it('a range past the end of the file is ENODATA after the bytes that exist', async () => {
    const p = await pair();
    const got = readAll(p.client);
    const { done } = start(send, p.server, dataFd, DATA.length - 1000, 5000);
    const r = await done;
    expect(r.err).toMatchObject({ code: 'ENODATA', sent: 1000 });
    expect(r.sent).toBe(1000);
    p.server.end();
    expect((await got).equals(DATA.subarray(DATA.length - 1000))).toBe(true);
    p.close();
  });

  it('the caller may close its own file fd at once: the job reads through its duplicate', async () => {
    const p = await pair();
    const got = readAll(p.client);
    const fd = openSync(dataPath, 'r');
    const { done } = start(send, p.server, fd, 0, DATA.length);
    closeSync(fd);
    const r = await done;
    expect(r.err).toBeNull();
    p.server.end();
    expect(sha(await got)).toBe(sha(DATA));
    p.close();
  });

  it('bad arguments throw before anything is sent', async () => {
    const p = await pair();
    const fd = tcpSocketFd(p.server)!;
    const cb = () => {};
    expect(() => send(fd, dataFd, -1, 1, cb)).toThrow(/offset must be an integer/);
    expect(() => send(fd, dataFd, 0.5, 1, cb)).toThrow(/offset must be an integer/);
    expect(() => send(fd, dataFd, 0, 2 ** 53, cb)).toThrow(/count must be an integer/);
    expect(() => send(fd, dataFd, 0, 1, 'nope' as unknown as SendfileCallback)).toThrow(/callback must be a function/);
    expect(() => send(fd, dataFd, 0, 1, cb, 0)).toThrow(/idleMs must be/);
    expect(() => send(fd, 1 << 30, 0, 1, cb)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => (send as unknown as (...a: unknown[]) => unknown)(fd, dataFd, 0)).toThrow(/missing arguments/);
    p.close();
  });

  it('tcpSocketFd gives the fd of a TCP socket only', async () => {
    const p = await pair();
    expect(tcpSocketFd(p.server)).toBeGreaterThan(2);
    expect(tcpSocketFd({})).toBeNull();
    expect(tcpSocketFd(null)).toBeNull();
    p.close();
    expect(tcpSocketFd(p.server)).toBeNull();
  });
});
