/**
 * Per-NIC binding (electron/core/net/bind.ts + the rackboot_net addon). On loopback: bindUdp and listenTcp with
 * and without an interface, errors in dgram's and net's shape, no fd left behind. As root, in throw-away namespaces: a server namespace with
 * two NICs, pxe0 (198.18.1.1/24, to client namespace A) and lan0 (198.18.2.1/24, to client namespace B).
 * A socket on 0.0.0.0:67 tied to pxe0 hears A's 255.255.255.255 broadcasts and not B's, and its own
 * broadcasts leave only through pxe0; an untied one hears both (the problem this solves).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bindUdp, interfaceIndex, listenTcp, nativeAddonPath, nativeNetStatus, type BoundUdp } from '../../electron/core/net/bind.ts';
import { createTwoNics, deleteNamespaces, stopChildren } from '../helpers/netns.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { REPO } from '../helpers/rackboot.ts';
import { matchWaiter } from '../helpers/wait.ts';

const run = promisify(execFile);
const PEER = join(REPO, 'test', 'helpers', 'nic-bind-peer.ts');
const UDP_LISTEN = join(REPO, 'test', 'helpers', 'udp-listen.mjs');
/** How long a datagram that must not arrive is given to arrive anyway. */
const SILENCE_MS = 1000;

type Line = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const received = (socket: BoundUdp['socket']) => new Promise<string>((r) => socket.once('message', (m) => r(m.toString())));

describe('bindUdp on loopback', () => {
  const open: BoundUdp[] = [];
  afterEach(() => {
    for (const b of open.splice(0)) b.socket.close();
  });
  const bind = async (...args: Parameters<typeof bindUdp>) => {
    const b = await bindUdp(...args);
    open.push(b);
    return b;
  };
  const sendTo = async (port: number, text: string) => {
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => s.send(text, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    s.close();
  };

  it('nativeNetStatus says whether the addon is usable, and why not', () => {
    const status = nativeNetStatus();
    expect(status.available).toBe(status.reason === null);
    if (process.platform !== 'linux') {
      expect(status).toEqual({ available: false, reason: expect.stringContaining(process.platform) });
    } else if (!existsSync(nativeAddonPath())) {
      expect(status).toEqual({ available: false, reason: expect.stringContaining('build/scripts/build-native.mjs') });
    } else {
      expect(status).toEqual({ available: true, reason: null });
    }
  });

  it('without an interface binds like dgram and receives', async () => {
    const b = await bind({ port: 0, address: '127.0.0.1', broadcast: true });
    expect(b).toMatchObject({ deviceBound: false, note: null });
    const port = b.socket.address().port;
    expect(port).toBeGreaterThan(0);
    const got = received(b.socket);
    await sendTo(port, 'plain');
    expect(await got).toBe('plain');
  });

  it('with interface lo ties the socket to it when the addon is available, and says so when not', async () => {
    const b = await bind({ port: 0, address: '127.0.0.1', iface: 'lo' });
    if (nativeNetStatus().available) {
      expect(b).toMatchObject({ deviceBound: true, note: null });
    } else {
      expect(b.deviceBound).toBe(false);
      expect(b.note).toContain('not tied to lo');
      expect(b.note).toContain(nativeNetStatus().reason);
    }
    const got = received(b.socket);
    await sendTo(b.socket.address().port, 'tied');
    expect(await got).toBe('tied');
  });

  it('a port in use rejects with the same errno error dgram gives, with or without an interface', async () => {
    const first = await bind({ port: 0, address: '127.0.0.1', iface: 'lo' });
    const port = first.socket.address().port;
    const shape = { code: 'EADDRINUSE', errno: -98, syscall: 'bind', address: '127.0.0.1', port, message: `bind EADDRINUSE 127.0.0.1:${port}` };
    await expect(bindUdp({ port, address: '127.0.0.1' })).rejects.toMatchObject(shape);
    // Without reuseAddr the port stays exclusive on its interface, although libuv turns SO_REUSEADDR on.
    await expect(bindUdp({ port, address: '127.0.0.1', iface: 'lo' })).rejects.toMatchObject(shape);
    await expect(bindUdp({ port, address: '127.0.0.1', reuseAddr: true })).rejects.toMatchObject(shape);
  });

  it('with reuseAddr two sockets share a port on one interface', async () => {
    const first = await bind({ port: 0, address: '127.0.0.1', iface: 'lo', reuseAddr: true });
    const second = await bind({ port: first.socket.address().port, address: '127.0.0.1', iface: 'lo', reuseAddr: true });
    expect(second.socket.address().port).toBe(first.socket.address().port);
  });

  it('refuses what is not a dotted-quad address or a port', async () => {
    await expect(bindUdp({ port: 0, address: 'localhost' })).rejects.toThrow(TypeError);
    await expect(bindUdp({ port: 65536, address: '127.0.0.1' })).rejects.toThrow(RangeError);
  });

  it.runIf(nativeNetStatus().available)('an unknown interface rejects with ENODEV instead of listening everywhere', async () => {
    await expect(bindUdp({ port: 0, address: '127.0.0.1', iface: 'rbnosuch0' })).rejects.toMatchObject({ code: 'ENODEV', syscall: 'setsockopt' });
    expect(() => interfaceIndex('rbnosuch0')).toThrow(expect.objectContaining({ code: 'ENODEV' }));
  });

  it.runIf(nativeNetStatus().available)('interfaceIndex matches the kernel', () => {
    expect(interfaceIndex('lo')).toBe(Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8')));
  });
});

describe('listenTcp on loopback', () => {
  const open: Server[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  const server = () => {
    const s = createServer((c) => c.end('hello from rackboot'));
    open.push(s);
    return s;
  };
  const portOf = (s: Server) => (s.address() as AddressInfo).port;
  const fetchText = (port: number) =>
    new Promise<string>((resolve, reject) => {
      let text = '';
      const c = connect(port, '127.0.0.1');
      c.on('data', (d: Buffer) => (text += d.toString()));
      c.on('error', reject);
      c.on('close', () => resolve(text));
    });
  const openFds = () => (process.platform === 'linux' ? readdirSync('/proc/self/fd').length : 0);

  it('without an interface listens like net and serves', async () => {
    const s = server();
    expect(await listenTcp(s, { port: 0, address: '127.0.0.1' })).toEqual({ deviceBound: false, note: null });
    expect(portOf(s)).toBeGreaterThan(0);
    expect(await fetchText(portOf(s))).toBe('hello from rackboot');
  });

  it('with interface lo and port 0 is tied to lo when the addon is available, reports its port and serves', async () => {
    const s = server();
    const bound = await listenTcp(s, { port: 0, address: '127.0.0.1', iface: 'lo' });
    if (nativeNetStatus().available) {
      expect(bound).toEqual({ deviceBound: true, note: null });
    } else {
      expect(bound.deviceBound).toBe(false);
      expect(bound.note).toContain('TCP port 0 is not tied to lo');
      expect(bound.note).toContain(nativeNetStatus().reason);
    }
    expect(s.address()).toEqual({ address: '127.0.0.1', family: 'IPv4', port: expect.any(Number) });
    expect(portOf(s)).toBeGreaterThan(0);
    expect(await fetchText(portOf(s))).toBe('hello from rackboot');
  });

  it('a port in use rejects with EADDRINUSE and the address and port, tied or not, and leaves no fd behind', async () => {
    const first = server();
    await listenTcp(first, { port: 0, address: '127.0.0.1', iface: 'lo' });
    const port = portOf(first);
    const shape = { code: 'EADDRINUSE', errno: -98, address: '127.0.0.1', port };
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      await expect(listenTcp(createServer(), { port, address: '127.0.0.1', iface: 'lo' })).rejects.toMatchObject(shape);
    }
    expect(openFds()).toBe(before);
    await expect(listenTcp(createServer(), { port, address: '127.0.0.1' })).rejects.toMatchObject({ ...shape, syscall: 'listen' });
    // The port is Node's once adopted: closing the server frees it for the next listener.
    await new Promise((r) => first.close(r));
    const again = server();
    await listenTcp(again, { port, address: '127.0.0.1', iface: 'lo' });
    expect(portOf(again)).toBe(port);
  });

  it('an address that is not on this machine rejects with EADDRNOTAVAIL', async () => {
    const iface = nativeNetStatus().available ? 'lo' : null;
    await expect(listenTcp(createServer(), { port: 0, address: '198.18.77.77', iface })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL', address: '198.18.77.77', port: 0 });
  });

  it('refuses what is not a dotted-quad address or a port', async () => {
    await expect(listenTcp(createServer(), { port: 0, address: 'localhost' })).rejects.toThrow(TypeError);
    await expect(listenTcp(createServer(), { port: -1, address: '127.0.0.1', iface: 'lo' })).rejects.toThrow(RangeError);
  });

  it.runIf(nativeNetStatus().available)('an unknown interface rejects with ENODEV instead of listening everywhere, and leaves no fd behind', async () => {
    const before = openFds();
    const s = createServer();
    await expect(listenTcp(s, { port: 0, address: '127.0.0.1', iface: 'rbnosuch0' })).rejects.toMatchObject({ code: 'ENODEV', errno: -19, syscall: 'setsockopt' });
    expect(s.listening).toBe(false);
    expect(openFds()).toBe(before);
  });
});

// ---- as root, in network namespaces ----

const reason = netnsSkipReason() ?? (nativeNetStatus().available ? null : `addon unavailable: ${nativeNetStatus().reason}`);
const skip = announceSkip('nic binding', reason, { requiredInCi: true });

interface Proc {
  lines: Line[];
  /** Resolves with the first line (already read or still to come) that matches. */
  waitFor(match: (l: Line) => boolean, what: string, ms?: number): Promise<Line>;
  write(value: unknown): void;
}

const id = randomBytes(3).toString('hex');
const NS = { server: `rb-nic-${id}-s`, a: `rb-nic-${id}-a`, b: `rb-nic-${id}-b` };
const children: ChildProcess[] = [];

/** Starts node inside a namespace and reads its stdout as JSON lines. */
function spawnIn(ns: string, args: string[]): Proc {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const lines: Line[] = [];
  const waiting = matchWaiter(lines);
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(JSON.parse(line) as Line);
    waiting.notify();
  });
  return {
    lines,
    waitFor(match, what, ms = 10_000) {
      return waiting.waitForMatch(match, ms, () => new Error(`no ${what} from ${ns} within ${ms} ms; lines ${JSON.stringify(lines)}; stderr ${stderr}`));
    },
    write(value) {
      proc.stdin!.write(JSON.stringify(value) + '\n');
    },
  };
}

/** A bindUdp socket in the server namespace; resolves once it reported bound (or its error). */
async function peer(opts: Record<string, unknown>): Promise<{ proc: Proc; first: Line }> {
  const proc = spawnIn(NS.server, ['--import', 'tsx', PEER, JSON.stringify({ address: '0.0.0.0', port: 67, ...opts })]);
  const first = await proc.waitFor((l) => 'bound' in l || 'error' in l, 'bound line');
  return { proc, first };
}

/** Sends one 255.255.255.255 broadcast from a client namespace, from its own address. */
async function broadcastFrom(ns: string, from: string, port: number, text: string) {
  const code =
    "const [from, port, text] = process.argv.slice(1); const s = require('node:dgram').createSocket('udp4');" +
    "s.bind(0, from, () => { s.setBroadcast(true); s.send(text, Number(port), '255.255.255.255', (e) => { if (e) throw e; s.close(); }); });";
  await run('ip', ['netns', 'exec', ns, process.execPath, '-e', code, from, String(port), text]);
}

const heard = (p: Proc, from: string) => p.lines.filter((l) => l.from === from);

describe.skipIf(skip)('one NIC only, in network namespaces (root)', () => {
  beforeAll(() => createTwoNics(NS, { pxe0: '198.18.1.1/24', lan0: '198.18.2.1/24', a: '198.18.1.2/24', b: '198.18.2.2/24' }));
  afterEach(() => stopChildren(children.splice(0)));
  afterAll(() => deleteNamespaces(Object.values(NS)));

  it('untied, 0.0.0.0:67 hears broadcasts from both NICs (the problem)', async () => {
    const { proc, first } = await peer({});
    expect(first).toEqual({ bound: { deviceBound: false, note: null, port: 67 } });
    await broadcastFrom(NS.a, '198.18.1.2', 67, 'from A');
    await broadcastFrom(NS.b, '198.18.2.2', 67, 'from B');
    await proc.waitFor((l) => l.from === '198.18.1.2' && l.text === 'from A', 'broadcast from A');
    await proc.waitFor((l) => l.from === '198.18.2.2' && l.text === 'from B', 'broadcast from B');
  });

  it('tied to pxe0, 0.0.0.0:67 hears the broadcast from A and not the one from B', async () => {
    const { proc, first } = await peer({ iface: 'pxe0', broadcast: true });
    expect(first).toEqual({ bound: { deviceBound: true, note: null, port: 67 } });
    // B first: by the time A's datagram is in, B's had its chance; then give it a further second.
    for (let i = 0; i < 3; i++) await broadcastFrom(NS.b, '198.18.2.2', 67, `from B ${i}`);
    await broadcastFrom(NS.a, '198.18.1.2', 67, 'from A');
    await proc.waitFor((l) => l.from === '198.18.1.2' && l.text === 'from A', 'broadcast from A');
    await sleep(SILENCE_MS);
    expect(heard(proc, '198.18.2.2')).toEqual([]);
  });

  it("tied to pxe0, its broadcast reply leaves through pxe0 only: A hears it, B does not", async () => {
    const [listenA, listenB] = [spawnIn(NS.a, [UDP_LISTEN, '68']), spawnIn(NS.b, [UDP_LISTEN, '68'])];
    await Promise.all([listenA, listenB].map((l) => l.waitFor((x) => x.listening === 68, 'listening line')));
    const { proc, first } = await peer({ iface: 'pxe0', broadcast: true });
    expect(first).toMatchObject({ bound: { deviceBound: true } });
    const text = 'offer via pxe0';
    proc.write({ send: { address: '255.255.255.255', port: 68, text } });
    await proc.waitFor((l) => 'sent' in l || 'sendError' in l, 'send result');
    expect(proc.lines.find((l) => 'sendError' in l)).toBeUndefined();
    const hex = Buffer.from(text).toString('hex');
    // From pxe0's own address and port 67, as a DHCP server's broadcast OFFER would come.
    expect(await listenA.waitFor((l) => l.hex === hex, 'reply at A')).toEqual({ from: '198.18.1.1', port: 67, hex });
    await sleep(SILENCE_MS);
    expect(listenB.lines.filter((l) => 'hex' in l)).toEqual([]);
  });

  it('two sockets tied to different NICs share 0.0.0.0:67 without SO_REUSEADDR; an untied one cannot join', async () => {
    const pxe = await peer({ iface: 'pxe0' });
    const lan = await peer({ iface: 'lan0' });
    expect(pxe.first).toMatchObject({ bound: { deviceBound: true, port: 67 } });
    expect(lan.first).toMatchObject({ bound: { deviceBound: true, port: 67 } });
    await broadcastFrom(NS.a, '198.18.1.2', 67, 'A');
    await broadcastFrom(NS.b, '198.18.2.2', 67, 'B');
    await pxe.proc.waitFor((l) => l.text === 'A', 'A at the pxe0 socket');
    await lan.proc.waitFor((l) => l.text === 'B', 'B at the lan0 socket');
    await sleep(SILENCE_MS);
    expect(pxe.proc.lines.filter((l) => 'text' in l)).toEqual([{ from: '198.18.1.2', port: expect.any(Number), text: 'A' }]);
    expect(lan.proc.lines.filter((l) => 'text' in l)).toEqual([{ from: '198.18.2.2', port: expect.any(Number), text: 'B' }]);
    // Errors reach the caller as the original errno errors.
    const untied = await peer({});
    expect(untied.first).toEqual({ error: { code: 'EADDRINUSE', syscall: 'bind', message: 'bind EADDRINUSE 0.0.0.0:67' } });
    const samePxe = await peer({ iface: 'pxe0' });
    expect(samePxe.first).toEqual({ error: { code: 'EADDRINUSE', syscall: 'bind', message: 'bind EADDRINUSE 0.0.0.0:67' } });
  });
});
