/**
 * The DHCP service on real sockets without root: a fake relay agent on 127.0.0.2 exchanges relayed packets with
 * rackboot (giaddr set, RFC 2131 §4.1: replies unicast to the relay's server port), so full DORA, NAK,
 * INIT-REBOOT silence, relay pools, option 82 echo and lease persistence are all exercised over UDP.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseIPv4, subnetOf } from '../../shared/net/ipv4.ts';
import type { BootEventInput } from '../../shared/model/event.ts';
import { latin1 } from '../../shared/protocol/bytes.ts';
import { decode, encode, getOption, messageType, type DhcpPacket } from '../../shared/protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../../shared/protocol/dhcp4/options.ts';
import { createLeasePool, type Lease, type Scope } from '../../electron/core/dhcp/pool.ts';
import { createDhcpService, type DhcpService } from '../../electron/core/dhcp/service.ts';
import { openStore, type Store } from '../../electron/core/store/store.ts';
import { tempDir } from '../helpers/rackboot.ts';

const ip = (s: string) => parseIPv4(s)!;
const own: Scope = { subnet: subnetOf(ip('198.18.0.1'), 24), range: { first: ip('198.18.0.10'), last: ip('198.18.0.20') }, router: null };
// The relay's network: loopback addresses so the test needs no namespace.
const relayed: Scope = { subnet: subnetOf(ip('127.0.0.0'), 8), range: { first: ip('127.0.5.10'), last: ip('127.0.5.12') }, router: '127.0.0.2' };
const RELAY = '127.0.0.2';

let relay: Socket;
let service: DhcpService;
let events: BootEventInput[];
let store: Store;
let dir: ReturnType<typeof tempDir>;
const inbox: DhcpPacket[] = [];
let waiters: ((p: DhcpPacket) => void)[] = [];

async function startService(port: number) {
  const pool = createLeasePool({ scopes: [own, relayed], exclude: ['198.18.0.1'], reservations: [{ mac: '52:54:00:00:00:99', ip: '127.0.5.99', hostname: 'fixed' }], leases: store.loadLeases(), persist: (l: Lease) => store.saveLease(l) });
  service = createDhcpService({ mode: 'full', iface: 'lo', address: '127.0.0.1', prefix: 24, httpPort: 8080, pool, primaryScope: own, leaseSeconds: 600, emit: (e) => events.push(e), ports: { server: port, client: port + 1, proxy: 0 } });
  await service.start();
}

beforeEach(async () => {
  dir = tempDir('rackboot-dhcp-');
  store = openStore(dir.path);
  events = [];
  inbox.length = 0;
  waiters = [];
  relay = createSocket({ type: 'udp4', reuseAddr: true });
  // The relay listens on its own address at the server port, where RFC 2131 sends relayed replies.
  await new Promise<void>((ok) => relay.bind(0, RELAY, () => ok()));
  relay.on('message', (m) => {
    const p = decode(m).value;
    const w = waiters.shift();
    if (w) w(p);
    else inbox.push(p);
  });
  const port = relay.address().port;
  relay.close();
  relay = createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((ok) => relay.bind(port, RELAY, () => ok()));
  relay.on('message', (m) => {
    const p = decode(m).value;
    const w = waiters.shift();
    if (w) w(p);
    else inbox.push(p);
  });
  await startService(port);
});
afterEach(async () => {
  await service.stop();
  relay.close();
  store.close();
  dir.remove();
});

function packet(type: number, mac: number, opts: { requested?: string; serverId?: string; ciaddr?: string; giaddr?: string; relayInfo?: Uint8Array } = {}): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0x00, 0x00, 0x00, mac]);
  const options: DhcpPacket['options'] = [{ code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(type) }];
  if (opts.requested) options.push({ code: DhcpOption.REQUESTED_IP, data: Uint8Array.from(opts.requested.split('.').map(Number)) });
  if (opts.serverId) options.push({ code: DhcpOption.SERVER_ID, data: Uint8Array.from(opts.serverId.split('.').map(Number)) });
  if (opts.relayInfo) options.push({ code: DhcpOption.RELAY_AGENT, data: opts.relayInfo });
  return {
    op: 1, htype: 1, hlen: 6, hops: 1, xid: 0x1000 + mac + type, secs: 0, flags: 0,
    ciaddr: opts.ciaddr ?? '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: opts.giaddr ?? RELAY, chaddr, sname: '', file: '', options,
  };
}

async function exchange(p: DhcpPacket, expectReply = true): Promise<DhcpPacket | null> {
  const reply = new Promise<DhcpPacket | null>((ok) => {
    const timer = setTimeout(() => {
      waiters = waiters.filter((w) => w !== got);
      ok(null);
    }, expectReply ? 3000 : 400);
    const got = (r: DhcpPacket) => {
      clearTimeout(timer);
      ok(r);
    };
    waiters.push(got);
  });
  relay.send(encode(p), relay.address().port, '127.0.0.1');
  return reply;
}

describe('DHCP service through a relay agent', () => {
  it('runs DISCOVER/OFFER/REQUEST/ACK from the relay pool chosen by giaddr, echoing option 82', async () => {
    const agent = Uint8Array.of(1, 4, 0x70, 0x6f, 0x72, 0x74);
    const offer = await exchange(packet(MessageType.DISCOVER, 1, { relayInfo: agent }));
    expect(offer && messageType(offer)).toBe(MessageType.OFFER);
    expect(offer!.yiaddr).toBe('127.0.5.10');
    expect(offer!.giaddr).toBe(RELAY);
    expect(Array.from(getOption(offer!, DhcpOption.RELAY_AGENT)!)).toEqual(Array.from(agent));
    expect(Array.from(getOption(offer!, DhcpOption.ROUTER)!)).toEqual([127, 0, 0, 2]);
    const ack = await exchange(packet(MessageType.REQUEST, 1, { requested: offer!.yiaddr, serverId: '127.0.0.1' }));
    expect(ack && messageType(ack)).toBe(MessageType.ACK);
    expect(ack!.yiaddr).toBe('127.0.5.10');
    expect(store.loadLeases()).toEqual([expect.objectContaining({ ip: '127.0.5.10', mac: '52:54:00:00:00:01', state: 'bound' })]);
  });

  it('NAKs an address that is not the client\'s, stays silent on INIT-REBOOT with no record, and drops offers for another server', async () => {
    const nak = await exchange(packet(MessageType.REQUEST, 2, { requested: '127.0.9.9', serverId: '127.0.0.1' }));
    expect(nak && messageType(nak)).toBe(MessageType.NAK);
    expect(latin1(getOption(nak!, DhcpOption.MESSAGE)!)).toMatch(/outside the pool/);
    expect(await exchange(packet(MessageType.REQUEST, 3, { requested: '127.0.5.11' }), false)).toBeNull();
    await exchange(packet(MessageType.DISCOVER, 4));
    expect(await exchange(packet(MessageType.REQUEST, 4, { requested: '127.0.5.10', serverId: '127.0.0.77' }), false)).toBeNull();
    expect(events.some((e) => /chose the server 127\.0\.0\.77/.test(e.msg))).toBe(true);
  });

  it('ignores a relay from a network with no pool, with a warning', async () => {
    expect(await exchange(packet(MessageType.DISCOVER, 5, { giaddr: '198.19.250.1' }), false)).toBeNull();
    expect(events.some((e) => e.level === 'warn' && /198\.19\.250\.1, a network rackboot has no pool for/.test(e.msg))).toBe(true);
  });

  it('gives a reserved MAC its address and host name', async () => {
    const offer = await exchange(packet(MessageType.DISCOVER, 0x99));
    expect(offer!.yiaddr).toBe('127.0.5.99');
    expect(latin1(getOption(offer!, DhcpOption.HOSTNAME)!)).toBe('fixed');
  });

  it('keeps an acknowledged lease across a restart and refuses it to another client', async () => {
    const offer = await exchange(packet(MessageType.DISCOVER, 6));
    await exchange(packet(MessageType.REQUEST, 6, { requested: offer!.yiaddr, serverId: '127.0.0.1' }));
    await service.stop();
    await startService(relay.address().port);
    const other = await exchange(packet(MessageType.DISCOVER, 7, { requested: offer!.yiaddr }));
    expect(other!.yiaddr).not.toBe(offer!.yiaddr);
    const again = await exchange(packet(MessageType.REQUEST, 6, { requested: offer!.yiaddr }));
    expect(again && messageType(again)).toBe(MessageType.ACK);
  });

  it('answers INFORM with options but no address or lease time (RFC 2131 4.3.5), and records DECLINE and RELEASE', async () => {
    const inform = await exchange(packet(MessageType.INFORM, 10, { ciaddr: '127.0.5.77' }));
    expect(inform && messageType(inform)).toBe(MessageType.ACK);
    expect(inform!.yiaddr).toBe('0.0.0.0');
    expect(inform!.ciaddr).toBe('127.0.5.77');
    expect(getOption(inform!, DhcpOption.LEASE_TIME)).toBeUndefined();
    expect(getOption(inform!, DhcpOption.SUBNET_MASK)).toBeDefined();

    const offer = await exchange(packet(MessageType.DISCOVER, 11));
    expect(await exchange(packet(MessageType.DECLINE, 11, { requested: offer!.yiaddr, serverId: '127.0.0.1' }), false)).toBeNull();
    expect(events.some((e) => e.level === 'warn' && e.msg.includes(`declined ${offer!.yiaddr}`))).toBe(true);
    // The declined address is kept out: the same machine is offered another one.
    const second = await exchange(packet(MessageType.DISCOVER, 11));
    expect(second!.yiaddr).not.toBe(offer!.yiaddr);
    const ack = await exchange(packet(MessageType.REQUEST, 11, { requested: second!.yiaddr, serverId: '127.0.0.1' }));
    expect(ack && messageType(ack)).toBe(MessageType.ACK);
    expect(await exchange(packet(MessageType.RELEASE, 11, { ciaddr: second!.yiaddr, serverId: '127.0.0.1' }), false)).toBeNull();
    expect(store.loadLeases().find((l) => l.ip === second!.yiaddr)).toMatchObject({ state: 'released' });
  });

  it('survives garbage and answers the next client', async () => {
    for (const junk of [new Uint8Array(10), new Uint8Array(300).fill(0xff), encode(packet(MessageType.DISCOVER, 8)).subarray(0, 242)]) {
      relay.send(junk, relay.address().port, '127.0.0.1');
    }
    const offer = await exchange(packet(MessageType.DISCOVER, 9));
    expect(offer && messageType(offer)).toBe(MessageType.OFFER);
    expect(service.stats().malformed).toBeGreaterThanOrEqual(3);
    // One warning per source per interval, not one per packet.
    expect(events.filter((e) => e.level === 'warn' && /malformed/.test(e.msg))).toHaveLength(1);
  });
});
