/**
 * The per-client limits of the TFTP and DHCP services (issue 9) on loopback, without root: a client over its
 * request rate is dropped unanswered, a client over its share of transfers is told "busy", each limit says so in
 * one warning per interval, and another client is served all along. (The flood-versus-real-client test in
 * namespaces is test/reliability/limits.test.ts.)
 */
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseIPv4, subnetOf } from '../../shared/net/ipv4.ts';
import type { BootEventInput } from '../../shared/model/event.ts';
import { decode as decodeDhcp, encode as encodeDhcp, messageType, type DhcpPacket } from '../../shared/protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../../shared/protocol/dhcp4/options.ts';
import { decode, encode, type TftpPacket } from '../../shared/protocol/tftp/codec.ts';
import { directoryTree } from '../../electron/core/files/tree.ts';
import { createLeasePool, type Scope } from '../../electron/core/dhcp/pool.ts';
import { createDhcpService, type DhcpService } from '../../electron/core/dhcp/service.ts';
import type { BindUdpOptions } from '../../electron/core/net/bind.ts';
import { createTftpService, type TftpService } from '../../electron/core/tftp/service.ts';
import { tempDir } from '../helpers/rackboot.ts';

const root = tempDir('rackboot-limits-');
writeFileSync(join(root.path, 'boot.bin'), Buffer.alloc(64 * 1024, 7));
afterAll(() => root.remove());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sockets: Socket[] = [];
async function udp(address: string, port = 0): Promise<Socket> {
  const s = createSocket({ type: 'udp4', reuseAddr: true });
  sockets.push(s);
  await new Promise<void>((ok) => s.bind(port, address, () => ok()));
  return s;
}
afterEach(() => {
  for (const s of sockets.splice(0)) {
    try {
      s.close();
    } catch {
      // Already closed by the service that was handed it.
    }
  }
});

/** The first answer to an RRQ from `from`, or null after `ms`. */
function ask(from: Socket, port: number, filename: string, ms = 1000): Promise<TftpPacket | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (from.off('message', on), resolve(null)), ms);
    const on = (m: Buffer) => {
      clearTimeout(timer);
      from.off('message', on);
      resolve(decode(m).value);
    };
    from.on('message', on);
    from.send(encode({ op: 'RRQ', filename, mode: 'octet', options: [] }), port, '127.0.0.1');
  });
}

describe('TFTP limits', () => {
  let service: TftpService;
  const events: BootEventInput[] = [];
  afterEach(async () => {
    await service.stop();
    events.length = 0;
  });
  const start = async (o: { requestsPerSecond?: number; maxTransfersPerClient?: number; maxTransfers?: number }) => {
    service = createTftpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root.path), emit: (e) => events.push(e), initialTimeoutMs: 5000, ...o });
    await service.start();
  };

  it('drops requests over the per-client rate unanswered, warns once, and still answers another client', async () => {
    await start({ requestsPerSecond: 5, maxTransfersPerClient: 1000 });
    const flood = await udp('127.0.0.1');
    let answers = 0;
    flood.on('message', () => answers++);
    // Uploads: refused at once, so every request that passes the rate is answered (one port, no transfer).
    for (let i = 0; i < 200; i++) flood.send(encode({ op: 'WRQ', filename: `upload-${i}`, mode: 'octet', options: [] }), service.port(), '127.0.0.1');
    await sleep(300);
    // The burst (twice the rate) and what the rate refilled meanwhile; the rest were dropped unread.
    expect(answers).toBeGreaterThanOrEqual(10);
    expect(answers).toBeLessThan(20);
    // The rest were dropped unanswered (some may not even reach the socket in a 200-packet burst).
    expect(service.stats().limited).toBeGreaterThan(40);
    expect(service.stats().limited + answers).toBeLessThanOrEqual(200);
    const warnings = events.filter((e) => e.fields?.limit === 'rate');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', ip: '127.0.0.1', msg: expect.stringMatching(/^127\.0\.0\.1: 1 request\(s\) dropped: more than 5 a second$/) });
    const other = await udp('127.0.0.2');
    expect(await ask(other, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA', block: 1 });
  });

  it('refuses a client past its share of transfers with "busy" while another client still gets its file', async () => {
    await start({ requestsPerSecond: 1000, maxTransfersPerClient: 3 });
    const replies: TftpPacket[] = [];
    // Ten requests from ten ports of one address, never ACKed: each holds its slot until its retransmissions run out.
    for (let i = 0; i < 10; i++) {
      const hog = await udp('127.0.0.1');
      hog.on('message', (m) => replies.push(decode(m).value));
      hog.send(encode({ op: 'RRQ', filename: 'boot.bin', mode: 'octet', options: [] }), service.port(), '127.0.0.1');
    }
    await sleep(300);
    expect(replies.filter((r) => r.op === 'DATA')).toHaveLength(3);
    expect(replies.filter((r) => r.op === 'ERROR')).toEqual(Array(7).fill({ op: 'ERROR', code: 0, message: 'server busy, try again' }));
    expect(service.stats().active).toBe(3);
    expect(events.filter((e) => e.fields?.limit === 'per-client')).toHaveLength(1);
    const other = await udp('127.0.0.2');
    expect(await ask(other, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA', block: 1 });
  });

  it('refuses past the total of transfers with "busy", and serves again once slots free up', async () => {
    await start({ requestsPerSecond: 1000, maxTransfersPerClient: 1000, maxTransfers: 2 });
    const a = await udp('127.0.0.1');
    const a2 = await udp('127.0.0.1');
    const b = await udp('127.0.0.2');
    expect(await ask(a, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA' });
    expect(await ask(a2, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA' });
    expect(await ask(b, service.port(), 'boot.bin')).toMatchObject({ op: 'ERROR', message: 'server busy, try again' });
    expect(events.filter((e) => e.fields?.limit === 'transfers')).toHaveLength(1);
    // The same RRQ again from a running transfer's port is that transfer's business: no second slot, no busy.
    expect(await ask(a, service.port(), 'boot.bin', 300)).toBeNull();
    await service.stop();
    await service.start();
    expect(await ask(b, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA' });
  });
});

describe('TFTP repeated requests', () => {
  it('a retransmitted RRQ from the same port joins the running transfer instead of starting a second one', async () => {
    const events: BootEventInput[] = [];
    const service = createTftpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root.path), emit: (e) => events.push(e), initialTimeoutMs: 5000 });
    await service.start();
    try {
      const c = await udp('127.0.0.1');
      const from = new Set<number>();
      c.on('message', (_m, r) => from.add(r.port));
      const rrq = encode({ op: 'RRQ', filename: 'boot.bin', mode: 'octet', options: [['blksize', '1428']] });
      for (let i = 0; i < 3; i++) c.send(rrq, service.port(), '127.0.0.1');
      await sleep(200);
      expect(service.stats().active).toBe(1);
      expect(from.size).toBe(1);
      expect(events.filter((e) => /^repeated request/.test(e.msg))).toHaveLength(2);
      // Another port of the same machine is another client (TID): served.
      const d = await udp('127.0.0.1');
      expect(await ask(d, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA' });
    } finally {
      await service.stop();
    }
  });
});

describe('TFTP client-driven retransmission', () => {
  it('once backed off, a repeated RRQ or ACK from the client gets the lost packet again at once, never more than once per timeout', async () => {
    const service = createTftpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root.path), emit: () => {}, initialTimeoutMs: 100 });
    await service.start();
    try {
      const c = await udp('127.0.0.1');
      const got: { at: number; block: number; port: number }[] = [];
      c.on('message', (m, r) => got.push({ at: performance.now(), block: m.readUInt16BE(2), port: r.port }));
      const rrq = encode({ op: 'RRQ', filename: 'boot.bin', mode: 'octet', options: [] });
      c.send(rrq, service.port(), '127.0.0.1');
      // Nobody ACKs: the server retransmits on its backoff (100, 200, 400, 800 ms...).
      await sleep(1000);
      const backedOff = got.length;
      expect(backedOff).toBeGreaterThanOrEqual(3);
      const t = performance.now();
      c.send(rrq, service.port(), '127.0.0.1');
      await sleep(50);
      expect(got.length).toBe(backedOff + 1);
      expect(got.at(-1)!.at - t).toBeLessThan(50);
      expect(got.at(-1)!.block).toBe(1);
      // The same again at once: within the timeout of our last send, ignored.
      c.send(rrq, service.port(), '127.0.0.1');
      await sleep(30);
      expect(got.length).toBe(backedOff + 1);
      // ACK 1, then the ACK of block 1 again once block 2 was lost: block 2 again.
      c.send(encode({ op: 'ACK', block: 1 }), got[0]!.port, '127.0.0.1');
      await sleep(30);
      expect(got.at(-1)!.block).toBe(2);
      // Let the backoff grow, then the client repeats its ACK of block 1: block 2 comes again at once, unless
      // the timer itself sent it less than a timeout ago.
      await sleep(1000);
      const before = got.length;
      const asked = performance.now();
      const recent = asked - got.at(-1)!.at < 100;
      c.send(encode({ op: 'ACK', block: 1 }), got[0]!.port, '127.0.0.1');
      await sleep(30);
      if (!recent) {
        expect(got.length).toBe(before + 1);
        expect(got.at(-1)!.block).toBe(2);
      }
    } finally {
      await service.stop();
    }
  });
});

describe('TFTP full table', () => {
  let service: TftpService;
  const events: BootEventInput[] = [];
  afterEach(async () => {
    await service.stop();
  });

  it('a transfer whose client never acknowledged gives way after a second when the table is full', async () => {
    service = createTftpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root.path), emit: (e) => events.push(e), initialTimeoutMs: 5000, maxTransfers: 2 });
    await service.start();
    const silent = await udp('127.0.0.1');
    // Two transfers nobody acknowledges (spoofed or vanished clients) fill the table.
    expect(await ask(silent, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA' });
    const other = await udp('127.0.0.3');
    expect(await ask(other, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA' });
    // Young, they hold their slots: a third client is told "busy".
    const third = await udp('127.0.0.2');
    expect(await ask(third, service.port(), 'boot.bin')).toMatchObject({ op: 'ERROR', message: 'server busy, try again' });
    await sleep(1100);
    // A second on without an ACK, the oldest gives way.
    expect(await ask(third, service.port(), 'boot.bin')).toMatchObject({ op: 'DATA', block: 1 });
    expect(service.stats().active).toBe(2);
    expect(events.filter((e) => e.level === 'warn' && e.fields?.limit === 'transfers').map((e) => e.msg)).toEqual([
      '127.0.0.2: 1 request(s) refused: 2 transfers running, the most at once (last: "boot.bin")',
      '1 transfer(s) whose client never acknowledged gave way to new requests: 2 transfers at once is the most',
    ]);
  });

  it('a transfer whose client acknowledges keeps its slot', async () => {
    service = createTftpService({ address: '127.0.0.1', port: 0, tree: directoryTree(root.path), emit: (e) => events.push(e), initialTimeoutMs: 5000, maxTransfers: 1 });
    await service.start();
    const real = await udp('127.0.0.1');
    const first = await new Promise<{ port: number }>((ok) => {
      real.once('message', (_m, from) => ok(from));
      real.send(encode({ op: 'RRQ', filename: 'boot.bin', mode: 'octet', options: [] }), service.port(), '127.0.0.1');
    });
    real.send(encode({ op: 'ACK', block: 1 }), first.port, '127.0.0.1');
    await sleep(1100);
    const late = await udp('127.0.0.2');
    expect(await ask(late, service.port(), 'boot.bin')).toMatchObject({ op: 'ERROR', message: 'server busy, try again' });
  });
});

describe('DHCP per-client rate', () => {
  let service: DhcpService;
  const events: BootEventInput[] = [];
  afterEach(async () => {
    await service.stop();
    events.length = 0;
  });
  const ip = (s: string) => parseIPv4(s)!;
  const scope: Scope = { subnet: subnetOf(ip('127.0.0.0'), 8), range: { first: ip('127.0.6.10'), last: ip('127.0.6.200') }, router: null };

  function discover(mac: number, xid: number): Uint8Array {
    const chaddr = new Uint8Array(16);
    chaddr.set([0x52, 0x54, 0x00, 0x00, 0x01, mac]);
    const p: DhcpPacket = {
      op: 1, htype: 1, hlen: 6, hops: 1, xid, secs: 0, flags: 0,
      ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '127.0.0.2', chaddr, sname: '', file: '',
      options: [{ code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(MessageType.DISCOVER) }],
    };
    return encodeDhcp(p);
  }

  it('drops a flooding client\'s packets before decoding, warns once, and another client still gets its OFFER', async () => {
    // A relay agent on 127.0.0.2 at the server port, as in dhcp-service.test.ts.
    const relay = await udp('127.0.0.2');
    const port = relay.address().port;
    const pool = createLeasePool({ scopes: [scope], exclude: [], reservations: [], leases: [], persist: () => {} });
    // Plain dgram sockets (the injectable binder): this test is about the limit, not about tying to a NIC.
    const bind = async (o: BindUdpOptions) => ({ socket: await udp(o.address, o.port), deviceBound: false, note: null });
    service = createDhcpService({ mode: 'full', iface: 'lo', address: '127.0.0.1', prefix: 8, httpPort: 8080, pool, primaryScope: scope, emit: (e) => events.push(e), ports: { server: port, client: port + 1, proxy: 0 }, bind, packetsPerClientPerSecond: 5 });
    await service.start();
    const offers: DhcpPacket[] = [];
    relay.on('message', (m) => offers.push(decodeDhcp(m).value));
    for (let i = 0; i < 300; i++) relay.send(discover(1, i), port, '127.0.0.1');
    await sleep(300);
    const flooded = offers.filter((o) => o.chaddr[5] === 1);
    expect(flooded.length).toBeGreaterThanOrEqual(10);
    expect(flooded.length).toBeLessThan(20);
    // What reached the service (the kernel may drop some of a 300-packet burst): all but the answered were limited.
    expect(service.stats().received).toBeGreaterThan(100);
    expect(service.stats().limited).toBe(service.stats().received - flooded.length);
    const warnings = events.filter((e) => e.fields?.limit === 'rate');
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', msg: '52:54:00:00:01:01: 1 packet(s) dropped: more than 5 a second from one client' })]);
    relay.send(discover(2, 9999), port, '127.0.0.1');
    await sleep(200);
    expect(offers.filter((o) => o.chaddr[5] === 2).map((o) => messageType(o))).toEqual([MessageType.OFFER]);
  });
});
