/** classify -> chooseBootfile -> reply builders, table-driven over real captures and synthetic clients. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, latin1 } from '../protocol/bytes.ts';
import { decode, encode, getOption, messageType, type DhcpPacket } from '../protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../protocol/dhcp4/options.ts';
import { bootItem, decodeSuboptions, readU32, userClasses } from '../protocol/dhcp4/values.ts';
import { chooseBootfile } from './bootfile.ts';
import { classify } from './classify.ts';
import { bootServerAck, destination, fitsClient, fullReply, nak, proxyOffer } from './dhcp-reply.ts';

const fixture = (name: string) =>
  decode(fromHex(readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'dhcp', `discover-${name}.hex`), 'utf8').trim())).value;
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const cfg = { address: '198.18.0.1', httpPort: 8080 };

function request(opts: { type?: number; vendor?: string; arch?: number; user?: Uint8Array; ipxeEncap?: boolean; giaddr?: string; ciaddr?: string; prl?: number[]; extra?: { code: number; data: Uint8Array }[] } = {}): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0x00, 0xab, 0xcd, 0xef]);
  const options: { code: number; data: Uint8Array }[] = [{ code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(opts.type ?? MessageType.DISCOVER) }];
  if (opts.vendor) options.push({ code: DhcpOption.VENDOR_CLASS, data: ascii(opts.vendor) });
  if (opts.arch !== undefined) options.push({ code: DhcpOption.CLIENT_ARCH, data: Uint8Array.of(opts.arch >> 8, opts.arch & 0xff) });
  if (opts.user) options.push({ code: DhcpOption.USER_CLASS, data: opts.user });
  if (opts.ipxeEncap) options.push({ code: DhcpOption.IPXE_ENCAP, data: Uint8Array.of(0x13, 1, 1) });
  if (opts.prl) options.push({ code: DhcpOption.PARAMETER_REQUEST_LIST, data: Uint8Array.from(opts.prl) });
  options.push(...(opts.extra ?? []));
  return {
    op: 1, htype: 1, hlen: 6, hops: 0, xid: 0x1234, secs: 0, flags: 0,
    ciaddr: opts.ciaddr ?? '0.0.0.0', yiaddr: '0.0.0.0', siaddr: '0.0.0.0', giaddr: opts.giaddr ?? '0.0.0.0',
    chaddr, sname: '', file: '', options,
  };
}

describe('classify', () => {
  it.each([
    ['SeaBIOS + iPXE ROM capture', fixture('bios'), { firmware: 'bios', arch: 0, bootClass: 'PXEClient', ipxe: true }],
    ['OVMF capture', fixture('uefi'), { firmware: 'uefi', arch: 7, bootClass: 'PXEClient', ipxe: false }],
    ['OVMF Secure Boot capture', fixture('uefi-secureboot'), { firmware: 'uefi', arch: 7, bootClass: 'PXEClient', ipxe: false }],
    ['UEFI HTTP boot client', request({ vendor: 'HTTPClient:Arch:00016:UNDI:003000', arch: 16 }), { firmware: 'uefi', arch: 16, bootClass: 'HTTPClient', ipxe: false }],
    ['old x64 firmware sending arch 9', request({ vendor: 'PXEClient:Arch:00009:UNDI:003000', arch: 9 }), { firmware: 'uefi', arch: 9 }],
    ['PXE ROM without option 93 (arch from option 60)', request({ vendor: 'PXEClient:Arch:00000:UNDI:002001' }), { firmware: 'bios', arch: 0 }],
    ['plain DHCP client (dhclient)', request({}), { firmware: 'unknown', arch: null, bootClass: null, ipxe: false }],
    ['iPXE with RFC 3004 length-prefixed user class', request({ vendor: 'PXEClient', arch: 7, user: Uint8Array.of(4, ...ascii('iPXE')) }), { ipxe: true }],
    ['iPXE seen only through option 175', request({ vendor: 'PXEClient', arch: 0, ipxeEncap: true }), { ipxe: true }],
  ])('%s', (_name, packet, expected) => {
    expect(classify(packet)).toMatchObject(expected);
  });

  it('reads the GUID (option 97) of real firmware as a UUID', () => {
    expect(classify(fixture('uefi')).guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('keeps an odd-length option 93 as a problem instead of dropping the client', () => {
    const p = request({ vendor: 'PXEClient' });
    p.options.push({ code: DhcpOption.CLIENT_ARCH, data: Uint8Array.of(7) });
    expect(classify(p).problems[0]).toMatch(/option 93/);
  });

  it.each([
    [Uint8Array.of(4, ...ascii('iPXE')), ['iPXE']],
    [ascii('iPXE'), ['iPXE']],
    [Uint8Array.of(3, ...ascii('abc'), 2, ...ascii('de')), ['abc', 'de']],
    [Uint8Array.of(9, 1), ['\t\u0001']],
  ])('user class %j reads as %j', (data, list) => {
    expect(userClasses(data)).toEqual(list);
  });
});

describe('chooseBootfile', () => {
  it.each([
    ['BIOS PXE ROM gets undionly.kpxe over TFTP', request({ vendor: 'PXEClient:Arch:00000:UNDI:002001', arch: 0 }), 'undionly.kpxe'],
    ['x64 UEFI PXE gets snponly.efi', fixture('uefi'), 'snponly.efi'],
    ['arch 9 is treated as x64 UEFI', request({ vendor: 'PXEClient:Arch:00009', arch: 9 }), 'snponly.efi'],
    ['iPXE gets its script URL (no chainload loop)', fixture('bios'), 'http://198.18.0.1:8080/boot.ipxe'],
    ['x64 UEFI HTTP client gets a URL bootfile', request({ vendor: 'HTTPClient:Arch:00016:UNDI:003000', arch: 16 }), 'http://198.18.0.1:8080/ipxe.efi'],
  ])('%s', (_name, packet, file) => {
    expect(chooseBootfile(classify(packet), cfg)).toMatchObject({ file });
  });

  it.each([
    ['a plain DHCP client', request({})],
    ['arm64 UEFI (no bootloader for it yet)', request({ vendor: 'PXEClient:Arch:00011', arch: 11 })],
    ['arm64 HTTP boot', request({ vendor: 'HTTPClient:Arch:00019', arch: 19 })],
  ])('ignores %s with a reason', (_name, packet) => {
    const choice = chooseBootfile(classify(packet), cfg);
    expect('ignore' in choice && choice.ignore.length > 10).toBe(true);
  });
});

const roundTrip = (p: DhcpPacket) => decode(encode(p)).value;

describe('reply builders', () => {
  it('a full-mode OFFER carries lease, T1/T2, mask, DNS, the boot file in `file` and siaddr, 53 first, no PXEClient', () => {
    const req = request({ vendor: 'PXEClient:Arch:00000:UNDI:002001', arch: 0, prl: [1, 3, 6, 67] });
    const info = classify(req);
    const r = roundTrip(fullReply(req, { type: MessageType.OFFER, serverIp: '198.18.0.1', yiaddr: '198.18.0.50', leaseSeconds: 3600, prefix: 24, router: null, dns: ['198.18.0.1'], domain: 'rack.test', hostname: 'node-1', boot: { file: 'undionly.kpxe', reason: '' }, info }));
    expect(r.options[0]).toEqual({ code: 53, data: Uint8Array.of(MessageType.OFFER) });
    expect(r.yiaddr).toBe('198.18.0.50');
    expect(r.siaddr).toBe('198.18.0.1');
    expect(r.file).toBe('undionly.kpxe');
    expect(readU32(getOption(r, DhcpOption.LEASE_TIME)!, 'lease')).toBe(3600);
    expect(readU32(getOption(r, DhcpOption.RENEWAL_TIME)!, 't1')).toBe(1800);
    expect(readU32(getOption(r, DhcpOption.REBINDING_TIME)!, 't2')).toBe(3150);
    expect(Array.from(getOption(r, DhcpOption.SUBNET_MASK)!)).toEqual([255, 255, 255, 0]);
    expect(getOption(r, DhcpOption.ROUTER)).toBeUndefined();
    expect(latin1(getOption(r, DhcpOption.BOOTFILE)!)).toBe('undionly.kpxe\0');
    expect(latin1(getOption(r, DhcpOption.HOSTNAME)!)).toBe('node-1');
    expect(getOption(r, DhcpOption.VENDOR_CLASS)).toBeUndefined();
  });

  it('option 67 is left out when the client did not ask for it, and used alone for a URL longer than `file`', () => {
    const req = request({ vendor: 'PXEClient', arch: 0, user: ascii('iPXE') });
    const info = classify(req);
    const base = { type: MessageType.ACK, serverIp: '198.18.0.1', yiaddr: '198.18.0.50', leaseSeconds: 60, prefix: 24, router: null, dns: [], domain: null, hostname: null, info } as const;
    expect(getOption(fullReply(req, { ...base, boot: { file: 'a.efi', reason: '' } }), DhcpOption.BOOTFILE)).toBeUndefined();
    const long = `http://198.18.0.1:8080/${'x'.repeat(140)}`;
    const r = roundTrip(fullReply(req, { ...base, boot: { file: long, reason: '' } }));
    expect(r.file).toBe('');
    expect(latin1(getOption(r, DhcpOption.BOOTFILE)!)).toBe(`${long}\0`);
  });

  it('an iPXE client is told not to wait for ProxyDHCP (175.176 no-pxedhcp = 1); firmware PXE clients are not', () => {
    const base = { type: MessageType.OFFER, serverIp: '198.18.0.1', yiaddr: '198.18.0.50', leaseSeconds: 60, prefix: 24, router: null, dns: [], domain: null, hostname: null, boot: { file: 'x', reason: '' } } as const;
    const ipxe = request({ vendor: 'PXEClient:Arch:00007:UNDI:003016', arch: 7, user: ascii('iPXE') });
    expect(Array.from(getOption(roundTrip(fullReply(ipxe, { ...base, info: classify(ipxe) })), DhcpOption.IPXE_ENCAP)!)).toEqual([176, 1, 1]);
    const rom = request({ vendor: 'PXEClient:Arch:00007:UNDI:003016', arch: 7 });
    expect(getOption(roundTrip(fullReply(rom, { ...base, info: classify(rom) })), DhcpOption.IPXE_ENCAP)).toBeUndefined();
    expect(getOption(roundTrip(fullReply(ipxe, { ...base, boot: null, info: classify(ipxe) })), DhcpOption.IPXE_ENCAP)).toBeUndefined();
  });

  it('echoes option 82 unchanged and last, and relayed replies go to giaddr:67', () => {
    const relay = Uint8Array.of(1, 3, 0x61, 0x62, 0x63, 2, 1, 9);
    const req = request({ giaddr: '198.19.5.1', extra: [{ code: DhcpOption.RELAY_AGENT, data: relay }] });
    const r = fullReply(req, { type: MessageType.OFFER, serverIp: '198.18.0.1', yiaddr: '198.19.5.20', leaseSeconds: 60, prefix: 24, router: '198.19.5.1', dns: [], domain: null, hostname: null, boot: null, info: classify(req) });
    expect(r.options.at(-1)).toEqual({ code: DhcpOption.RELAY_AGENT, data: relay });
    expect(r.giaddr).toBe('198.19.5.1');
    expect(destination(req, r)).toEqual({ address: '198.19.5.1', port: 67, broadcast: false });
  });

  it.each([
    ['broadcast for a client without an address', {}, { address: '255.255.255.255', port: 68, broadcast: true }],
    ['unicast to ciaddr when renewing', { ciaddr: '198.18.0.50' }, { address: '198.18.0.50', port: 68, broadcast: false }],
  ])('reply goes %s', (_n, o, where) => {
    const req = request({ type: MessageType.REQUEST, ...o });
    const r = fullReply(req, { type: MessageType.ACK, serverIp: '198.18.0.1', yiaddr: '198.18.0.50', leaseSeconds: 60, prefix: 24, router: null, dns: [], domain: null, hostname: null, boot: null, info: classify(req) });
    expect(destination(req, r)).toEqual(where);
  });

  it('a NAK is broadcast even to a renewing client, and says why', () => {
    const req = request({ type: MessageType.REQUEST, ciaddr: '198.18.0.77' });
    const r = roundTrip(nak(req, '198.18.0.1', 'address not yours'));
    expect(messageType(r)).toBe(MessageType.NAK);
    expect(latin1(getOption(r, DhcpOption.MESSAGE)!)).toBe('address not yours');
    expect(destination(req, r).broadcast).toBe(true);
  });

  it('a ProxyDHCP offer to a BIOS ROM: yiaddr 0, broadcast, PXEClient, option 43 {6:[8]}, GUID echoed, no lease options', () => {
    const req = fixture('bios');
    const info = classify(req);
    const r = roundTrip(proxyOffer(req, info, { file: 'undionly.kpxe', reason: '' }, '198.18.0.1'));
    expect(r.yiaddr).toBe('0.0.0.0');
    expect(r.flags & 0x8000).toBe(0x8000);
    expect(latin1(getOption(r, DhcpOption.VENDOR_CLASS)!)).toBe('PXEClient');
    expect(decodeSuboptions(getOption(r, DhcpOption.VENDOR_SPECIFIC)!, '43')).toEqual([{ code: 6, data: Uint8Array.of(8) }]);
    expect(Array.from(getOption(r, DhcpOption.VENDOR_SPECIFIC)!)).toEqual([6, 1, 8, 255]);
    expect(getOption(r, DhcpOption.CLIENT_UUID)).toEqual(getOption(req, DhcpOption.CLIENT_UUID));
    for (const code of [DhcpOption.LEASE_TIME, DhcpOption.SUBNET_MASK, DhcpOption.ROUTER, DhcpOption.DNS]) expect(getOption(r, code)).toBeUndefined();
    expect(r.siaddr).toBe('198.18.0.1');
  });

  it('a ProxyDHCP offer to UEFI firmware has no option 43 (EDK2 then asks port 4011), unless the vendor override asks for it', () => {
    const req = fixture('uefi');
    const info = classify(req);
    expect(getOption(proxyOffer(req, info, { file: 'snponly.efi', reason: '' }, '198.18.0.1'), DhcpOption.VENDOR_SPECIFIC)).toBeUndefined();
    expect(getOption(proxyOffer(req, info, { file: 'snponly.efi', reason: '' }, '198.18.0.1', { pxeControlForUefi: true }), DhcpOption.VENDOR_SPECIFIC)).toBeDefined();
  });

  it('a ProxyDHCP offer to an HTTP boot client echoes HTTPClient and carries the URL', () => {
    const req = request({ vendor: 'HTTPClient:Arch:00016:UNDI:003000', arch: 16, prl: [67] });
    const info = classify(req);
    const boot = chooseBootfile(info, cfg);
    if ('ignore' in boot) throw new Error(boot.ignore);
    const r = roundTrip(proxyOffer(req, info, boot, '198.18.0.1'));
    expect(latin1(getOption(r, DhcpOption.VENDOR_CLASS)!)).toBe('HTTPClient');
    expect(r.file).toBe('http://198.18.0.1:8080/ipxe.efi');
    expect(getOption(r, DhcpOption.VENDOR_SPECIFIC)).toBeUndefined();
  });

  it('the port-4011 ACK without a boot item keeps yiaddr 0 and echoes ciaddr; with item 71 it echoes the item', () => {
    const req = request({ type: MessageType.REQUEST, vendor: 'PXEClient:Arch:00007', arch: 7, ciaddr: '198.18.0.60' });
    const info = classify(req);
    const plain = bootServerAck(req, info, { file: 'snponly.efi', reason: '' }, '198.18.0.1', null);
    expect([plain.yiaddr, plain.ciaddr, plain.file, plain.siaddr]).toEqual(['0.0.0.0', '198.18.0.60', 'snponly.efi', '198.18.0.1']);
    const withItem = roundTrip(bootServerAck(req, info, { file: 'snponly.efi', reason: '' }, '198.18.0.1', { type: 0x8000, layer: 0 }));
    expect(withItem.yiaddr).toBe('198.18.0.60');
    expect(bootItem(getOption(withItem, DhcpOption.VENDOR_SPECIFIC))).toEqual({ type: 0x8000, layer: 0 });
  });

  it('knows when a reply would not fit the client (576-byte datagram, option 57)', () => {
    const req = request({});
    const r = fullReply(req, { type: MessageType.ACK, serverIp: '198.18.0.1', yiaddr: '198.18.0.9', leaseSeconds: 60, prefix: 24, router: null, dns: [], domain: 'd'.repeat(250), hostname: 'h'.repeat(63), boot: null, info: classify(req) });
    r.options.push({ code: 224, data: new Uint8Array(255) });
    expect(fitsClient(req, r)).toBe(false);
    req.options.push({ code: DhcpOption.MAX_MESSAGE_SIZE, data: Uint8Array.of(0x05, 0xc0) }); // 1472 (iPXE)
    expect(fitsClient(req, r)).toBe(true);
  });
});
