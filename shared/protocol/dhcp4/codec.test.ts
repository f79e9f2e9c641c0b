import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.ts';
import {
  clientArchitectures,
  decode,
  encode,
  encodingLength,
  hardwareAddress,
  messageType,
  vendorClass,
  type DhcpPacket,
} from './codec.ts';
import { ClientArch, DhcpOption, MessageType, clientArchName, optionFromName, optionName } from './options.ts';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function discover(overrides: Partial<DhcpPacket> = {}): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0xdeadbeef,
    secs: 4,
    flags: 0x8000,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr,
    sname: '',
    file: '',
    options: [
      { code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(MessageType.DISCOVER) },
      { code: DhcpOption.CLIENT_ARCH, data: Uint8Array.of(0, 7) },
      { code: DhcpOption.VENDOR_CLASS, data: ascii('PXEClient:Arch:00007:UNDI:003016') },
      { code: 224, data: Uint8Array.of(1, 2, 3) },
    ],
    ...overrides,
  };
}

function roundTrip(packet: DhcpPacket) {
  const bytes = encode(packet);
  expect(bytes.length).toBe(encodingLength(packet));
  const { value, bytesRead } = decode(bytes);
  expect(bytesRead).toBe(bytes.length);
  expect(value).toEqual(packet);
  expect(encode(value)).toEqual(bytes);
  const shifted = new Uint8Array(bytes.length + 10);
  shifted.set(bytes, 10);
  expect(decode(shifted, 10).value).toEqual(packet);
}

describe('dhcp4 codec', () => {
  it.each([
    ['a UEFI PXE DISCOVER with an unknown option', discover()],
    ['a reply with sname and file', discover({ op: 2, yiaddr: '198.18.0.10', siaddr: '198.18.0.1', sname: 'rackboot', file: 'snponly.efi' })],
    ['a 600-byte option split per RFC 3396', discover({ options: [{ code: 43, data: new Uint8Array(600).fill(7) }] })],
  ])('round-trips %s', (_name, packet) => roundTrip(packet));

  it('pads replies to the 300-byte BOOTP minimum', () => {
    expect(encode(discover({ options: [] })).length).toBe(300);
  });

  it('reads the typed fields a PXE client sends', () => {
    const p = decode(encode(discover())).value;
    expect(messageType(p)).toBe(MessageType.DISCOVER);
    expect(clientArchitectures(p)).toEqual([ClientArch.X64_EFI]);
    expect(vendorClass(p)).toBe('PXEClient:Arch:00007:UNDI:003016');
    expect(Array.from(hardwareAddress(p))).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
  });

  it('merges options carried in file and sname when option 52 overloads them', () => {
    const bytes = encode(discover({ options: [{ code: DhcpOption.MESSAGE_TYPE, data: Uint8Array.of(2) }] }));
    // Put option 52 = 3 in the main area (overwrite END), then options in file and sname.
    bytes.set([52, 1, 3, 255], 243);
    bytes.set([67, 4, ...ascii('a.efi'.slice(0, 4)), 255], 108);
    bytes.set([66, 2, 0x61, 0x62, 255], 44);
    const p = decode(bytes).value;
    expect(p.overload).toBe(3);
    expect(p.file).toBe('');
    expect(p.sname).toBe('');
    expect(p.options.map((o) => o.code)).toEqual([53, 67, 66]);
  });

  const base = encode(discover());
  const mutate = (f: (b: Uint8Array) => Uint8Array | void) => {
    const copy = base.slice();
    return f(copy) ?? copy;
  };
  it.each([
    ['DHCP_TOO_SHORT', 'shorter than the fixed header', base.subarray(0, 239)],
    ['DHCP_BAD_COOKIE', 'plain BOOTP without the magic cookie', mutate((b) => void b.set([0, 0, 0, 0], 236))],
    ['DHCP_BAD_OP', 'op is neither request nor reply', mutate((b) => void (b[0] = 9))],
    ['DHCP_BAD_HLEN', 'hlen larger than chaddr', mutate((b) => void (b[2] = 17))],
    ['DHCP_OPTION_OVERRUN', 'option length runs past the datagram', mutate((b) => b.subarray(0, 244).map((x, i) => (i === 241 ? 200 : x)))],
    ['DHCP_OPTION_TRUNCATED', 'option code as the last byte', mutate((b) => b.subarray(0, 241))],
    ['DHCP_BAD_OVERLOAD', 'option 52 with value 4', mutate((b) => void b.set([52, 1, 4, 255], 240))],
    ['DHCP_TOO_LONG', 'larger than any frame', new Uint8Array(9001)],
  ])('rejects %s: %s', (code, _reason, bytes) => {
    expect(() => decode(bytes)).toThrow(expect.objectContaining({ code }) as ProtocolError);
  });

  it('rejects an odd-length option 93', () => {
    const p = decode(encode(discover({ options: [{ code: 93, data: Uint8Array.of(0, 7, 1) }] }))).value;
    expect(() => clientArchitectures(p)).toThrow(expect.objectContaining({ code: 'DHCP_BAD_ARCH' }) as ProtocolError);
  });

  it('refuses to encode a file name that leaves no room for the NUL', () => {
    expect(() => encode(discover({ file: 'x'.repeat(128) }))).toThrow(
      expect.objectContaining({ code: 'DHCP_FIELD_TOO_LONG' }) as ProtocolError,
    );
  });

  it.each([
    [93, 'CLIENT_ARCH'],
    [224, 'OPTION_224'],
  ])('names option %i %s and maps the name back', (code, name) => {
    expect(optionName(code)).toBe(name);
    expect(optionFromName(name)).toBe(code);
  });

  it('keeps unknown architecture codes readable', () => {
    expect(clientArchName(7)).toBe('X64_EFI');
    expect(clientArchName(99)).toBe('ARCH_99');
  });
});
