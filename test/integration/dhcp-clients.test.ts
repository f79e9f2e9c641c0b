/**
 * rackboot's DHCP against real peers, as root in throw-away network namespaces. The real CLI
 * (`rackboot serve`) runs in a server namespace whose bridge rackbr0 (198.18.0.1/24) is the rack switch;
 * every client is a namespace of its own with eth0 a veth port of that bridge. A far namespace hangs off a
 * second server NIC, lan0 (198.19.0.1/24), where rackboot must not answer.
 *
 * Clients: ISC dhclient and busybox udhcpc (private config, lease and pid files, a hook that records what they
 * were told), kea's perfdhcp (load, as a relay), atftp and curl, and a UDP peer sending packets built with
 * shared/protocol/dhcp4/codec.ts (PXE requests, malformed packets).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIPv4 } from '../../shared/net/ipv4.ts';
import { decode, encode, getOption, BOOTREPLY, FLAG_BROADCAST, type DhcpPacket } from '../../shared/protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../../shared/protocol/dhcp4/options.ts';
import { ipList, option, text, u16, u8 } from '../../shared/protocol/dhcp4/values.ts';
import { createLab, ip, parsePerfdhcp, startPeer, type Client, type Lab, type Peer } from '../helpers/dhcp-clients.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { REPO, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { has } from '../helpers/tools.ts';

const missingTools = ['dhclient', 'busybox', 'perfdhcp', 'atftp', 'curl'].filter((t) => !has(t));
const skip = announceSkip(
  'DHCP with real clients',
  netnsSkipReason() ?? (missingTools.length ? `${missingTools.join(', ')} missing: run build/scripts/install-test-tools.sh` : null),
  { requiredInCi: true },
);

const SERVER = '198.18.0.1';
const BRIDGE = 'rackbr0';
const POOL = { first: '198.18.0.100', last: '198.18.0.199' };
const ROUTER = '198.18.0.254';
const DOMAIN = 'rack.test';
const LEASE = 600;
const RESERVED = { mac: '02:00:00:00:02:22', ip: '198.18.0.50', hostname: 'rack-node-7' };
const FAR = { server: '198.19.0.1', client: '198.19.0.2' };
/** A foreign network behind a pretend relay (perfdhcp with a second address). */
const RELAY_NET = { cidr: '198.19.77.0/24', giaddr: '198.19.77.2', first: '198.19.77.10', last: '198.19.77.250', router: '198.19.77.1' };
const HELLO = 'hello from rackboot over the rack network\n';

const say = (line: string) => console.log(`[dhcp-clients] ${line}`);
const num = (a: string) => parseIPv4(a)!;
const inRange = (a: string, first: string, last: string) => num(a) >= num(first) && num(a) <= num(last);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Log = { event: 'log'; service: string; level: string; msg: string; mac?: string; ip?: string; xid?: number; fields: Record<string, unknown> };
const logs = (server: Running) => server.lines.filter((l): l is Log => l.event === 'log');
/** The kinds of rackboot's answers to one MAC, in order (a client that retransmits may get two of a kind). */
const replies = (server: Running, mac: string) => logs(server).filter((l) => l.mac === mac).map((l) => l.msg.split(' ')[0]);

/** Waits for an event line from rackboot (already printed or still to come). A bound on waiting, not a timing check. */
async function waitLog(server: Running, match: (l: Log) => boolean, what: string, ms = 10_000): Promise<Log> {
  const until = Date.now() + ms;
  for (;;) {
    const hit = logs(server).find(match);
    if (hit) return hit;
    if (Date.now() > until) throw new Error(`rackboot logged no ${what} within ${ms} ms; its events:\n${logs(server).map((l) => `${l.level} ${l.msg}`).join('\n')}`);
    await sleep(50);
  }
}

let net: TestNet;
let lab: Lab;
/** A machine with a fixed address (198.18.0.3) from which the UDP peer speaks DHCP built with the codec. */
let probe: Client;
const PROBE = '198.18.0.3';
let tftpRoot: string;
const dirs: { remove(): void }[] = [];
let macSeq = 0x10;
/** A fresh machine on the rack switch with a MAC no other test uses. */
const machine = (): Client => lab.addClient({ mac: `02:00:00:00:00:${(macSeq++).toString(16).padStart(2, '0')}`, bridge: BRIDGE });

async function serve(mode: 'full' | 'proxy', dataDir: string, extra: string[] = []): Promise<Running> {
  const args = ['serve', '--interface', BRIDGE, '--address', SERVER, '--dhcp', mode, '--tftp-port', '69', '--http-port', '80', '--tftp-root', tftpRoot, '--data', dataDir, '--log', 'json', ...extra];
  say(`in ${net.ns}: rackboot ${args.join(' ')}`);
  const running = await startCli(args, { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 20_000 });
  expect(running.first).toMatchObject({ event: 'ready', address: SERVER, services: { dhcp: { state: 'running', detail: expect.stringContaining(`bound to ${BRIDGE}`) } } });
  return running;
}

async function stopServer(server: Running | undefined) {
  if (!server) return;
  const code = await server.stop('SIGTERM');
  expect(code, `rackboot's exit code after SIGTERM; stderr: ${server.stderr()}`).toBe(0);
}

function newDataDir(): string {
  const d = tempDir('rackboot-dhcp-data-');
  dirs.push(d);
  return d.path;
}

// ---- packets built with the codec ----

const mac6 = (mac: string) => Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
const chaddr = (mac: string) => {
  const out = new Uint8Array(16);
  out.set(mac6(mac));
  return out;
};
let xidSeq = 0x5eed0000;

function request(mac: string, options: DhcpPacket['options'], fields: Partial<DhcpPacket> = {}): DhcpPacket {
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: xidSeq++, secs: 4, flags: FLAG_BROADCAST,
    ciaddr: '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: '0.0.0.0',
    chaddr: chaddr(mac), sname: '', file: '', options, ...fields,
  };
}

/** What a PXE ROM sends: option 60 PXEClient with its arch, 93, 94 (UNDI), 97 (GUID), 55. */
function pxe(type: number, mac: string, arch: number, undi: string, fields: Partial<DhcpPacket> = {}): DhcpPacket {
  return request(mac, [
    option(DhcpOption.MESSAGE_TYPE, u8(type)),
    option(DhcpOption.MAX_MESSAGE_SIZE, u16(1260)),
    option(DhcpOption.PARAMETER_REQUEST_LIST, Uint8Array.of(1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135)),
    option(DhcpOption.CLIENT_NDI, Uint8Array.of(1, 2, 1)),
    option(DhcpOption.CLIENT_ARCH, u16(arch)),
    option(DhcpOption.CLIENT_UUID, Uint8Array.of(0, ...mac6(mac), ...mac6(mac), 0xca, 0xfe, 0xf0, 0x0d)),
    option(DhcpOption.VENDOR_CLASS, text(`PXEClient:Arch:${String(arch).padStart(5, '0')}:UNDI:${undi}`)),
  ], fields);
}

const opt = (p: DhcpPacket, code: number) => getOption(p, code);
const optText = (p: DhcpPacket, code: number) => {
  const v = opt(p, code);
  return v ? Buffer.from(v).toString('latin1') : undefined;
};
const hex = (v: Uint8Array | undefined) => (v ? Buffer.from(v).toString('hex') : undefined);

/** Sends one request from the peer and resolves with rackboot's reply to it (matched by xid). */
async function exchange(peer: Peer, req: DhcpPacket, address: string, port: number): Promise<DhcpPacket> {
  peer.send(encode(req), address, port);
  const line = await peer.waitFor((l) => {
    if (typeof l.hex !== 'string') return false;
    const b = Buffer.from(l.hex, 'hex');
    return b.length >= 240 && b[0] === BOOTREPLY && b.readUInt32BE(4) === req.xid;
  }, `reply to xid ${req.xid.toString(16)}`);
  return decode(Buffer.from(line.hex as string, 'hex')).value;
}

// ---- malformed packets ----

/** Deterministic PRNG (mulberry32) so a failing mutation can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Offsets of the option TLVs of an encoded packet (for length-byte mutations). */
function optionOffsets(b: Uint8Array): number[] {
  const at: number[] = [];
  for (let i = 240; i < b.length && b[i] !== 255; ) {
    if (b[i] === 0) {
      i++;
      continue;
    }
    at.push(i);
    i += 2 + (b[i + 1] ?? 0);
  }
  return at;
}

/**
 * One random mutation of a real DISCOVER. htype, hlen and chaddr are put back afterwards: a mutated MAC is a
 * new, well-formed client, and thousands of those would test pool starvation, not malformed input (named
 * cases below cover bad hlen).
 */
function mutate(base: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  let b = Uint8Array.from(base);
  switch (int(6)) {
    case 0: // flip a few bytes anywhere
      for (let n = 1 + int(8); n > 0; n--) b[int(b.length)] = int(256);
      break;
    case 1: // truncate anywhere
      b = b.slice(0, int(b.length));
      break;
    case 2: {
      // an option whose length runs past the end (or falls short)
      const tlvs = optionOffsets(b);
      const at = tlvs[int(tlvs.length)]!;
      b[at + 1] = int(2) ? 255 : int(256);
      if (int(2)) b = b.slice(0, at + 2 + int(8));
      break;
    }
    case 3: {
      // garbage options after the real ones, END dropped
      const end = b.lastIndexOf(255);
      const junk = Uint8Array.from({ length: 1 + int(80) }, () => int(256));
      const out = new Uint8Array(end + junk.length);
      out.set(b.subarray(0, end));
      out.set(junk, end);
      b = out;
      break;
    }
    case 4: {
      // option 52 (overload) first, with garbage in file and sname
      const out = new Uint8Array(b.length + 3);
      out.set(b.subarray(0, 240));
      out.set([52, 1, int(5)], 240);
      out.set(b.subarray(240), 243);
      for (let i = 44; i < 236; i++) if (int(3) === 0) out[i] = int(256);
      b = out;
      break;
    }
    default: // a run of random bytes over the option area
      for (let i = 240 + int(b.length - 240), n = 4 + int(40); n > 0 && i < b.length; n--, i++) b[i] = int(256);
  }
  if (b.length > 2) b.set(base.subarray(1, 3), 1);
  if (b.length >= 44) b.set(base.subarray(28, 44), 28);
  return b;
}

/** Hand-made bad packets, each with what makes it bad. */
function namedBadPackets(base: Uint8Array): [string, Uint8Array][] {
  const withByte = (at: number, v: number) => {
    const b = Uint8Array.from(base);
    b[at] = v;
    return b;
  };
  const header = base.subarray(0, 240);
  const withOptions = (...bytes: number[]) => Uint8Array.from([...header, ...bytes]);
  const tlvs = optionOffsets(base);
  const overrun = Uint8Array.from(base);
  overrun[tlvs[2]! + 1] = 255;
  const dhcp = (...opts: DhcpPacket['options']) => encode(request('02:00:00:00:0b:ad', opts));
  return [
    ['empty datagram', new Uint8Array(0)],
    ['one byte', Uint8Array.of(1)],
    ['header cut at 239 bytes', base.slice(0, 239)],
    ['header only, no cookie', base.slice(0, 236)],
    ['bad magic cookie', withByte(236, 0x64)],
    ['option length past the end', overrun],
    ['option code with no length byte', withOptions(53)],
    ['options without END, last one cut', withOptions(53, 1, 1, 60, 40, 0x50, 0x58)],
    ['hlen 17 (chaddr is 16 bytes)', withByte(2, 17)],
    ['hlen 0', withByte(2, 0)],
    ['op 3 (neither request nor reply)', withByte(0, 3)],
    ['option 52 = 9', withOptions(52, 1, 9, 53, 1, 1, 255)],
    ['option 52 = 3 with an overrun in file', Uint8Array.from([...base.slice(0, 108), 53, 200, ...new Uint8Array(126), ...base.slice(236, 240), 52, 1, 3, 255])],
    ['9001 bytes', Uint8Array.from({ length: 9001 }, (_, i) => base[i % base.length]!)],
    ['message type 0', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(0)))],
    ['message type 2 bytes long', dhcp(option(DhcpOption.MESSAGE_TYPE, Uint8Array.of(1, 1)))],
    ['option 93 odd length, PXEClient', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(1)), option(DhcpOption.VENDOR_CLASS, text('PXEClient:Arch:00000:UNDI:002001')), option(DhcpOption.CLIENT_ARCH, Uint8Array.of(0)))],
    ['option 57 = 0', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(1)), option(DhcpOption.MAX_MESSAGE_SIZE, u16(0)))],
    ['REQUEST with a 3-byte option 50', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(3)), option(DhcpOption.REQUESTED_IP, Uint8Array.of(198, 18, 0)))],
    ['REQUEST with a 2-byte server id', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(3)), option(DhcpOption.SERVER_ID, Uint8Array.of(198, 18)), option(DhcpOption.REQUESTED_IP, ipList(['198.18.0.120'])))],
    ['DECLINE for an address outside every pool', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(4)), option(DhcpOption.SERVER_ID, ipList([SERVER])), option(DhcpOption.REQUESTED_IP, ipList(['198.19.250.9'])))],
    ['RELEASE of 0.0.0.0', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(7)), option(DhcpOption.SERVER_ID, ipList([SERVER])))],
    ['PXE request with a bad option 43 on port 67', dhcp(option(DhcpOption.MESSAGE_TYPE, u8(3)), option(DhcpOption.VENDOR_CLASS, text('PXEClient')), option(DhcpOption.VENDOR_SPECIFIC, Uint8Array.of(71, 9, 1)))],
  ];
}

// ---- the tests ----

describe.skipIf(skip)('rackboot DHCP with real clients, in network namespaces (root)', () => {
  beforeAll(() => {
    const root = tempDir('rackboot-dhcp-root-');
    dirs.push(root);
    tftpRoot = root.path;
    writeFileSync(join(tftpRoot, 'hello.txt'), HELLO);
    net = createTestNet({ address: SERVER, prefix: 24 });
    lab = createLab(net.ns);
    probe = lab.addClient({ mac: '02:00:00:00:00:03', bridge: BRIDGE });
    probe.addAddress(`${PROBE}/24`);
    // Without a route for it, a socket on 0.0.0.0 cannot send to 255.255.255.255 (ENETUNREACH).
    ip('-n', probe.ns, 'route', 'add', 'default', 'dev', 'eth0');
    say(`server namespace ${net.ns}: ${BRIDGE} ${SERVER}/24; clients are ${net.ns}-cN namespaces on veth ports of ${BRIDGE}`);
  });
  afterAll(() => {
    lab?.destroy();
    net?.destroy();
    for (const d of dirs) d.remove();
  });

  describe('full mode', () => {
    let server: Running;
    let dataDir: string;
    const fullArgs = ['--pool', `${POOL.first}-${POOL.last}`, '--lease', String(LEASE), '--router', ROUTER, '--domain', DOMAIN, '--reserve', `${RESERVED.mac}=${RESERVED.ip}=${RESERVED.hostname}`];

    beforeAll(async () => {
      dataDir = newDataDir();
      server = await serve('full', dataDir, fullArgs);
    });
    afterAll(async () => {
      await stopServer(server);
    });

    it('dhclient gets a pool address with mask (1), router (3), DNS = rackboot (6), domain (15) and lease time (51)', async () => {
      const c = machine();
      const r = await c.dhclient();
      say(`dhclient in ${c.ns} (${c.mac}): exit ${r.code}, hook calls ${r.calls.map((x) => x.reason).join(', ')}`);
      expect(r.code, r.output).toBe(0);
      expect(r.lease, r.output).toMatchObject({
        reason: 'BOUND',
        interface: 'eth0',
        new_subnet_mask: '255.255.255.0',
        new_routers: ROUTER,
        new_domain_name_servers: SERVER,
        new_domain_name: DOMAIN,
        new_dhcp_lease_time: String(LEASE),
        new_dhcp_server_identifier: SERVER,
      });
      const got = r.lease!.new_ip_address!;
      say(`dhclient was given ${got}`);
      expect(got).not.toBe(SERVER);
      expect(inRange(got, POOL.first, POOL.last), `${got} in ${POOL.first}-${POOL.last}`).toBe(true);
      await waitLog(server, (l) => l.mac === c.mac && l.msg.startsWith(`ACK ${got} `), `ACK ${got} for ${c.mac}`);
      expect(replies(server, c.mac)).toEqual(expect.arrayContaining(['OFFER', 'ACK']));
    });

    it('udhcpc gets a pool address; with --reserve for its MAC it gets exactly that address and host name (12)', async () => {
      const plain = machine();
      const r = await plain.udhcpc();
      say(`udhcpc in ${plain.ns} (${plain.mac}): exit ${r.code}, ip ${r.lease?.ip}, hostname ${r.lease?.hostname ?? '(none)'}`);
      expect(r.code, r.output).toBe(0);
      expect(r.lease, r.output).toMatchObject({ subnet: '255.255.255.0', router: ROUTER, dns: SERVER, domain: DOMAIN, lease: String(LEASE), serverid: SERVER });
      expect(inRange(r.lease!.ip!, POOL.first, POOL.last)).toBe(true);
      expect(r.lease!.hostname).toBeUndefined();

      const reserved = lab.addClient({ mac: RESERVED.mac, bridge: BRIDGE });
      const rr = await reserved.udhcpc();
      say(`udhcpc in ${reserved.ns} (${reserved.mac}, reserved): exit ${rr.code}, ip ${rr.lease?.ip}, hostname ${rr.lease?.hostname}`);
      expect(rr.code, rr.output).toBe(0);
      expect(rr.lease).toMatchObject({ ip: RESERVED.ip, hostname: RESERVED.hostname, subnet: '255.255.255.0', router: ROUTER });
      const ack = await waitLog(server, (l) => l.mac === RESERVED.mac && l.msg.startsWith('ACK '), `ACK for ${RESERVED.mac}`);
      expect(ack).toMatchObject({ ip: RESERVED.ip, fields: { reserved: true } });
    });

    it('dhclient renews (INIT-REBOOT from its lease file) to the same address; dhclient -r releases it', async () => {
      const c = machine();
      const first = await c.dhclient();
      expect(first.code, first.output).toBe(0);
      const got = first.lease!.new_ip_address!;

      const acks = () => logs(server).filter((l) => l.mac === c.mac && l.msg.startsWith(`ACK ${got} `)).length;
      const acksBefore = acks();
      const again = await c.dhclient();
      say(`dhclient again with the same lease file: ${again.calls.map((x) => x.reason).join(', ')} ${again.lease?.new_ip_address}`);
      expect(again.code, again.output).toBe(0);
      // REBOOT: rackboot ACKed the REQUEST for the remembered address without a new DISCOVER/OFFER round.
      expect(again.lease).toMatchObject({ reason: 'REBOOT', new_ip_address: got });
      await waitLog(server, () => acks() > acksBefore, 'the ACK for the renewal');
      const seen = replies(server, c.mac);
      expect(seen.slice(seen.indexOf('ACK') + 1)).not.toContain('OFFER');

      const rel = await c.dhclient({ release: true });
      say(`dhclient -r: exit ${rel.code}; ${rel.output.split('\n').find((l) => l.includes('DHCPRELEASE'))}`);
      expect(rel.code, rel.output).toBe(0);
      expect(rel.output).toContain(`DHCPRELEASE of ${got}`);
      expect(rel.calls.map((x) => x.reason)).toContain('RELEASE');
      const released = await waitLog(server, (l) => l.mac === c.mac && l.msg.includes('released'), `release from ${c.mac}`);
      expect(released).toMatchObject({ level: 'info', msg: `${c.mac} released ${got}`, ip: got });

      // The lease row says so...
      const db = new Database(join(dataDir, 'rackboot.db'), { readonly: true, fileMustExist: true });
      try {
        const row = db.prepare('SELECT ip, state FROM leases WHERE mac = ?').get(c.mac);
        expect(row).toEqual({ ip: got, state: 'released' });
      } finally {
        db.close();
      }
      // ...and the pool takes it back: another machine asking for that address gets it.
      const other = machine();
      const o = await other.dhclient({ conf: [`send dhcp-requested-address ${got};`] });
      say(`another machine asking for the released ${got} got ${o.lease?.new_ip_address}`);
      expect(o.code, o.output).toBe(0);
      expect(o.lease?.new_ip_address).toBe(got);
    });

    it('leases survive a restart: the address stays with its machine, another asking for it gets a different one', async () => {
      const p = machine();
      const q = machine();
      const first = await p.dhclient();
      expect(first.code, first.output).toBe(0);
      const got = first.lease!.new_ip_address!;
      say(`${p.mac} holds ${got}; stopping rackboot (SIGTERM) and starting it again on ${dataDir}`);

      await stopServer(server);
      server = await serve('full', dataDir, fullArgs);

      // Q believes it holds P's address (a lease file saying so), so it asks for it first (INIT-REBOOT).
      writeFileSync(
        join(q.dir, 'dhclient.leases'),
        `lease {\n  interface "eth0";\n  fixed-address ${got};\n  option subnet-mask 255.255.255.0;\n  option dhcp-server-identifier ${SERVER};\n  renew 4 2037/12/31 00:00:00;\n  rebind 4 2037/12/31 00:00:00;\n  expire 4 2037/12/31 00:00:00;\n}\n`,
      );
      const asked = await q.dhclient();
      say(`${q.mac}, with a lease file claiming ${got}: ${asked.output.split('\n').filter((l) => /^DHCP(REQUEST|NAK|ACK)/.test(l)).join(' / ')}`);
      expect(asked.code, asked.output).toBe(0);
      expect(asked.output).toContain(`DHCPREQUEST for ${got}`);
      expect(asked.output).toContain('DHCPNAK');
      expect(asked.lease).toMatchObject({ reason: 'BOUND' });
      expect(asked.lease!.new_ip_address).not.toBe(got);
      expect(inRange(asked.lease!.new_ip_address!, POOL.first, POOL.last)).toBe(true);
      const nak = await waitLog(server, (l) => l.mac === q.mac && l.msg.startsWith('NAK'), `NAK to ${q.mac}`);
      expect(nak.msg).toBe(`NAK ${got} to ${q.mac}: ${got} belongs to another machine`);

      const back = await p.dhclient();
      say(`${p.mac} came back: ${back.calls.map((x) => x.reason).join(', ')} ${back.lease?.new_ip_address}`);
      expect(back.code, back.output).toBe(0);
      // REBOOT (not BOUND): the restarted rackboot knew the lease; without it, it stays silent (RFC 2131 §4.3.2).
      expect(back.lease).toMatchObject({ reason: 'REBOOT', new_ip_address: got });
    });

    it('a client on a second interface (another namespace, another NIC) gets no answer from any service', async () => {
      const far = lab.addLink({ mac: '02:00:00:00:07:02', port: 'lan0', serverSide: `${FAR.server}/24` });
      say(`second NIC lan0 ${FAR.server}/24 in ${net.ns}, wired to ${far.ns} (${far.mac}); rackboot serves ${BRIDGE} only`);

      const d = await far.dhclient({ timeoutS: 4 });
      say(`far: dhclient -1 (4 s) -> exit ${d.code}, hook calls ${d.calls.map((x) => x.reason).join(', ')}`);
      expect(d.code, d.output).not.toBe(0);
      expect(d.lease).toBeNull();
      expect(d.output).toContain('DHCPDISCOVER on eth0');
      const u = await far.udhcpc({ tries: 2 });
      say(`far: udhcpc (2 tries) -> exit ${u.code}, lease ${u.lease?.ip ?? 'none'}`);
      expect(u.code, u.output).not.toBe(0);
      expect(u.lease).toBeNull();
      expect(u.output).toContain('broadcasting discover');

      far.addAddress(`${FAR.client}/24`);
      const tftp = await far.run('atftp', ['--tftp-timeout', '1', '-g', '-r', 'hello.txt', '-l', join(far.dir, 'hello.txt'), FAR.server, '69'], 4000);
      say(`far: atftp get hello.txt from ${FAR.server}:69 -> ${tftp.code === null ? 'no answer in 4 s (killed)' : `exit ${tftp.code}`}: ${tftp.output.trim().split('\n').at(-1) ?? ''}`);
      expect(tftp.code).not.toBe(0);
      expect(existsSync(join(far.dir, 'hello.txt')) ? readFileSync(join(far.dir, 'hello.txt'), 'utf8') : '').toBe('');
      const http = await far.run('curl', ['-sS', '-m', '5', `http://${FAR.server}/hello.txt`]);
      say(`far: curl http://${FAR.server}/hello.txt -> exit ${http.code}: ${http.output.trim()}`);
      expect(http.code).toBe(7); // couldn't connect
      expect(http.output).toMatch(/Connection refused|Couldn't connect/);
      // rackboot never heard the far machine: no event of any service names its MAC or address.
      expect(logs(server).filter((l) => l.mac === far.mac || l.ip === FAR.client || JSON.stringify(l.fields).includes(FAR.client))).toEqual([]);

      // Control: from the rack network the same three services answer.
      const near = machine();
      const n = await near.dhclient();
      expect(n.code, n.output).toBe(0);
      const nearTftp = await near.run('atftp', ['--tftp-timeout', '1', '-g', '-r', 'hello.txt', '-l', join(near.dir, 'hello.txt'), SERVER, '69'], 10_000);
      const nearHttp = await near.run('curl', ['-sS', '-m', '5', `http://${SERVER}/hello.txt`]);
      say(`near (${near.mac}): dhclient -> ${n.lease?.new_ip_address}; atftp -> exit ${nearTftp.code}; curl -> exit ${nearHttp.code}`);
      expect(nearTftp.code, nearTftp.output).toBe(0);
      expect(readFileSync(join(near.dir, 'hello.txt'), 'utf8')).toBe(HELLO);
      expect(nearHttp).toEqual({ code: 0, output: HELLO });

      // Not asserted, reported: TFTP and HTTP listen on rackboot's address, not on the NIC, so Linux (weak host
      // model) delivers a far client's packets for 198.18.0.1 arriving on lan0 if the far side routes to it.
      ip('-n', far.ns, 'route', 'add', `${SERVER}/32`, 'via', FAR.server);
      const weak = await far.run('curl', ['-sS', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', `http://${SERVER}/hello.txt`]);
      say(`note: far with a route to ${SERVER} via ${FAR.server}: curl http://${SERVER}/hello.txt -> exit ${weak.code} ${weak.output.trim()} (weak host model; HTTP/TFTP are bound to the address, not to ${BRIDGE})`);
    }, 60_000);

    it('malformed and mutated DHCP packets do not stop rackboot: rate-limited warnings, then a dhclient still gets a lease', async () => {
      const peer = await startPeer(probe.ns, { address: '0.0.0.0', port: 68 });
      try {
        const fixture = decode(Buffer.from(readFileSync(join(REPO, 'test', 'fixtures', 'dhcp', 'discover-bios.hex'), 'utf8').trim(), 'hex')).value;
        // Without option 61 every mutation keeps one client key (the MAC), so the flood cannot drain the pool.
        const base = encode({ ...fixture, options: fixture.options.filter((o) => o.code !== DhcpOption.CLIENT_ID) });
        const fixtureMac = Array.from(fixture.chaddr.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
        const named = namedBadPackets(base);
        const seed = 0x0dcb_2026;
        const rnd = prng(seed);
        const mutations = Array.from({ length: 10_000 }, () => mutate(base, rnd));
        const decodes = (b: Uint8Array) => {
          try {
            decode(b);
            return true;
          } catch {
            return false;
          }
        };
        const decoded = [...named.map(([, b]) => b), ...mutations].filter(decodes);
        const wellFormed = decoded.length;
        const requests = decoded.filter((b) => b[0] === 1).length;
        const undecodable = named.length + mutations.length - wellFormed;

        const before = logs(server).length;
        for (const [, bytes] of named) peer.send(bytes, '255.255.255.255', 67);
        mutations.forEach((bytes, i) => {
          peer.send(bytes, '255.255.255.255', 67, i === mutations.length - 1 ? 'last' : undefined);
          if (i % 10 === 9) peer.pause(5); // quick, but not faster than rackboot drains its socket buffer
        });
        await peer.waitFor((l) => l.sent === 'last' || l.id === 'last', 'the last mutated packet leaving', 60_000);
        expect(peer.lines.filter((l) => 'sendError' in l)).toEqual([]);
        say(`sent ${named.length} named bad packets (${named.map(([n]) => n).join('; ')}) and ${mutations.length} mutations (seed ${seed.toString(16)}) to 255.255.255.255:67: ${undecodable} the codec refuses, ${wellFormed} it decodes`);

        // Still serving: a real client gets a lease after the flood.
        const after = machine();
        const r = await after.dhclient();
        expect(r.code, r.output).toBe(0);
        expect(inRange(r.lease!.new_ip_address!, POOL.first, POOL.last)).toBe(true);
        expect(server.proc.exitCode).toBeNull();
        expect(server.stderr()).toBe('');

        const flood = logs(server).slice(before);
        const warnings = flood.filter((l) => l.level === 'warn' || l.level === 'error');
        const malformed = flood.filter((l) => l.level === 'warn' && l.msg.startsWith('malformed DHCP packet'));
        const byLevel = ['debug', 'info', 'warn', 'error'].map((level) => `${level} ${flood.filter((l) => l.level === level).length}`).join(', ');
        say(`during the flood rackboot logged ${flood.length} events (${byLevel}) for ${requests} decodable BOOTREQUESTs (each gets one event unless lost in a socket buffer); after it ${after.mac} got ${r.lease!.new_ip_address}. Warnings by kind:`);
        const kinds = new Map<string, number>();
        for (const w of warnings) {
          const kind = `${w.level}: ${w.msg.replace(/[0-9a-f]{2}(:[0-9a-f]{2}){5}/g, 'MAC').replace(/\d+(\.\d+){3}(:\d+)?/g, 'IP').replace(/TYPE \d+/, 'TYPE n').replace(/: [A-Z_]+: .*/, ': CODE...')}`;
          kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        }
        for (const [kind, n] of kinds) say(`  ${n} x ${kind}`);
        // Undecodable packets are warnings, rate-limited per source: thousands of them from one address are a
        // handful of lines (one per 5 s), not one each. Decodable ones get at most one event each.
        expect(undecodable).toBeGreaterThan(1000);
        expect(malformed.length).toBeGreaterThan(0);
        expect(malformed.length).toBeLessThan(10);
        expect(warnings.length - malformed.length).toBeLessThanOrEqual(wellFormed);
        // Mutations that still decode were served as the client they claim to be.
        expect(flood.some((l) => l.mac === fixtureMac && l.msg.startsWith('OFFER '))).toBe(true);
        // Nothing from the flood put an address outside the served network into the lease table.
        const db = new Database(join(dataDir, 'rackboot.db'), { readonly: true, fileMustExist: true });
        try {
          const rows = db.prepare('SELECT ip, state, mac FROM leases').all() as { ip: string; state: string; mac: string }[];
          expect(rows.filter((row) => !row.ip.startsWith('198.18.0.'))).toEqual([]);
        } finally {
          db.close();
        }
      } finally {
        await peer.stop();
      }
    }, 90_000);
  });

  describe('perfdhcp load (perfdhcp relays: giaddr is its own address)', () => {
    let server: Running;
    let perf: Client;
    beforeAll(async () => {
      const extra = ['--pool', '198.18.0.10-198.18.0.250', '--lease', '600', '--relay-pool', `${RELAY_NET.cidr}=${RELAY_NET.first}-${RELAY_NET.last}=${RELAY_NET.router}`];
      server = await serve('full', newDataDir(), extra);
      perf = machine();
      perf.addAddress('198.18.0.2/24');
    });
    afterAll(async () => {
      await stopServer(server);
    });

    // -R 200 clients fit the 241-address pool; -d 5 and -W 3 s give late answers time to count (no timing checks).
    const load = ['-4', '-r', '200', '-R', '200', '-p', '3', '-d', '5', '-W', '3000000'];
    const check = (output: string, what: string) => {
      const s = parsePerfdhcp(output);
      say(`perfdhcp ${what}: DISCOVER sent ${s.discoverOffer.sent}, OFFER received ${s.discoverOffer.received}, drops ${s.discoverOffer.drops}; REQUEST sent ${s.requestAck.sent}, ACK received ${s.requestAck.received}, drops ${s.requestAck.drops}; rejected ${s.discoverOffer.rejected + s.requestAck.rejected}, non-unique ${s.discoverOffer.nonUnique + s.requestAck.nonUnique}, malformed ${s.malformed}`);
      expect(s.discoverOffer.sent).toBeGreaterThan(100);
      expect(s.discoverOffer.received).toBe(s.discoverOffer.sent);
      expect(s.requestAck.sent).toBe(s.discoverOffer.received);
      expect(s.requestAck.received).toBe(s.requestAck.sent);
      expect(s).toMatchObject({ discoverOffer: { drops: 0, rejected: 0, nonUnique: 0 }, requestAck: { drops: 0, rejected: 0, nonUnique: 0 }, malformed: 0 });
      return s;
    };

    it('broadcast from eth0 (perfdhcp -l eth0): every DISCOVER gets an OFFER, every REQUEST an ACK', async () => {
      const r = await perf.run('perfdhcp', [...load, '-l', 'eth0'], 40_000);
      expect(r.output).toContain('***Statistics for: REQUEST-ACK***');
      check(r.output, '-l eth0');
      expect(r.code, r.output).toBe(0);
      const ack = await waitLog(server, (l) => l.msg.startsWith('ACK ') && l.fields.relay === '198.18.0.2', 'an ACK relayed by 198.18.0.2');
      expect(inRange(ack.ip!, '198.18.0.10', '198.18.0.250')).toBe(true);
    }, 60_000);

    it('unicast to rackboot as a relay in its own subnet (perfdhcp 198.18.0.1): no drops', async () => {
      const r = await perf.run('perfdhcp', [...load, SERVER], 40_000);
      check(r.output, `${SERVER}`);
      expect(r.code, r.output).toBe(0);
    }, 60_000);

    it('a relay on a foreign network (giaddr 198.19.77.2, --relay-pool): addresses from that pool, no drops', async () => {
      perf.addAddress(`${RELAY_NET.giaddr}/24`);
      ip('-n', net.ns, 'route', 'add', RELAY_NET.cidr, 'via', '198.18.0.2', 'dev', BRIDGE);
      const before = logs(server).length;
      const r = await perf.run('perfdhcp', [...load, '-l', RELAY_NET.giaddr, SERVER], 40_000);
      check(r.output, `-l ${RELAY_NET.giaddr} ${SERVER}`);
      expect(r.code, r.output).toBe(0);
      const acks = logs(server).slice(before).filter((l) => l.msg.startsWith('ACK '));
      expect(acks.length).toBeGreaterThan(0);
      expect(acks.filter((l) => l.fields.relay !== RELAY_NET.giaddr || !inRange(l.ip!, RELAY_NET.first, RELAY_NET.last))).toEqual([]);
    }, 60_000);
  });

  describe('proxy mode', () => {
    let server: Running;
    let peer: Peer;
    beforeAll(async () => {
      server = await serve('proxy', newDataDir());
      peer = await startPeer(probe.ns, { address: '0.0.0.0', port: 68 });
    });
    afterAll(async () => {
      await peer?.stop();
      await stopServer(server);
    });

    it('a plain dhclient gets nothing: rackboot hears it and ignores it', async () => {
      const c = machine();
      const r = await c.dhclient({ timeoutS: 4 });
      say(`proxy mode: dhclient (4 s) -> exit ${r.code}, lease ${r.lease?.new_ip_address ?? 'none'}`);
      expect(r.code, r.output).not.toBe(0);
      expect(r.lease).toBeNull();
      expect(r.output).not.toMatch(/DHCPOFFER of/);
      const ignored = await waitLog(server, (l) => l.mac === c.mac, `an event for ${c.mac}`);
      expect(ignored.msg).toMatch(/ignored: not a PXE\/HTTP boot client/);
      expect(logs(server).filter((l) => l.mac === c.mac && !l.msg.includes('ignored'))).toEqual([]);
    });

    it('a BIOS PXE DISCOVER gets a proxy OFFER: yiaddr 0, PXEClient, option 43 = 06 01 08 ff, file undionly.kpxe', async () => {
      const req = pxe(MessageType.DISCOVER, '02:00:00:00:0b:05', 0, '002001');
      const offer = await exchange(peer, req, '255.255.255.255', 67);
      say(`proxy OFFER to arch 0: yiaddr ${offer.yiaddr}, siaddr ${offer.siaddr}, file ${offer.file}, 60 ${optText(offer, 60)}, 43 ${hex(opt(offer, 43))}`);
      expect(offer).toMatchObject({ op: BOOTREPLY, yiaddr: '0.0.0.0', ciaddr: '0.0.0.0', siaddr: SERVER, file: 'undionly.kpxe', flags: FLAG_BROADCAST });
      expect(hex(opt(offer, DhcpOption.MESSAGE_TYPE))).toBe(hex(u8(MessageType.OFFER)));
      expect(hex(opt(offer, DhcpOption.SERVER_ID))).toBe(hex(ipList([SERVER])));
      expect(optText(offer, DhcpOption.VENDOR_CLASS)).toBe('PXEClient');
      expect(hex(opt(offer, DhcpOption.VENDOR_SPECIFIC))).toBe('060108ff');
      expect(hex(opt(offer, DhcpOption.CLIENT_UUID))).toBe(hex(opt(req, DhcpOption.CLIENT_UUID)));
      for (const code of [DhcpOption.SUBNET_MASK, DhcpOption.ROUTER, DhcpOption.DNS, DhcpOption.LEASE_TIME]) expect(opt(offer, code), `option ${code}`).toBeUndefined();
    });

    it('an x64 UEFI (arch 7) DISCOVER gets no option 43; its REQUEST to port 4011 gets an ACK with snponly.efi', async () => {
      const mac = '02:00:00:00:0b:07';
      const offer = await exchange(peer, pxe(MessageType.DISCOVER, mac, 7, '003016'), '255.255.255.255', 67);
      say(`proxy OFFER to arch 7: yiaddr ${offer.yiaddr}, file ${offer.file}, 60 ${optText(offer, 60)}, 43 ${hex(opt(offer, 43)) ?? '(none)'}`);
      expect(offer).toMatchObject({ yiaddr: '0.0.0.0', siaddr: SERVER });
      expect(optText(offer, DhcpOption.VENDOR_CLASS)).toBe('PXEClient');
      expect(opt(offer, DhcpOption.VENDOR_SPECIFIC)).toBeUndefined();

      const req = pxe(MessageType.REQUEST, mac, 7, '003016', { ciaddr: PROBE, flags: 0 });
      const ack = await exchange(peer, req, SERVER, 4011);
      say(`port 4011 ACK: ciaddr ${ack.ciaddr}, yiaddr ${ack.yiaddr}, siaddr ${ack.siaddr}, file ${ack.file}`);
      expect(hex(opt(ack, DhcpOption.MESSAGE_TYPE))).toBe(hex(u8(MessageType.ACK)));
      expect(ack).toMatchObject({ file: 'snponly.efi', siaddr: SERVER, ciaddr: PROBE, yiaddr: '0.0.0.0' });
      expect(optText(ack, DhcpOption.VENDOR_CLASS)).toBe('PXEClient');
      expect(hex(opt(ack, DhcpOption.SERVER_ID))).toBe(hex(ipList([SERVER])));
      await waitLog(server, (l) => l.mac === mac && l.msg.startsWith('boot server ACK (port 4011)'), 'the port 4011 ACK event');
    });
  });
});
