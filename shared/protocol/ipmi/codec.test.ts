import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../bytes.ts';
import type { ProtocolError } from '../errors.ts';
import {
  bootDeviceName,
  bootDeviceSteps,
  BootDevice,
  chassisControl,
  closeSession,
  decodeBootFlags,
  decodeBootOption,
  decodeChannelAuthCapabilities,
  decodeChassisStatus,
  decodeDeviceId,
  encodeBootFlags,
  getChannelAuthCapabilities,
  getSystemBootOption,
  type BootFlags,
} from './commands.ts';
import { checksum, completionText, decodeRequest, decodeResponse, encodeRequest, encodeResponse, type IpmiRequest, type IpmiResponse } from './message.ts';
import {
  decodeOpenSessionRequest,
  decodeOpenSessionResponse,
  decodeRakp1,
  decodeRakp2,
  decodeRakp3,
  decodeRakp4,
  encodeOpenSessionRequest,
  encodeOpenSessionResponse,
  encodeRakp1,
  encodeRakp2,
  encodeRakp3,
  encodeRakp4,
  rakpStatusName,
} from './rakp.ts';
import { decodeAsf, decodeRmcpHeader, encodeAsf, type AsfPacket } from './rmcp.ts';
import { decodeIpmiPacket, decodeSession, encodeIpmiPacket, encodeSession, encodingLength, type IpmiSession } from './session.ts';

type Codec<T> = { decode: (b: Uint8Array, offset?: number) => { value: T; bytesRead: number }; encode: (v: T) => Uint8Array };

/** decode(encode(v)) = v, the same bytes again, bytesRead = length, and the same at a non-zero offset. */
function roundTrip<T>(codec: Codec<T>, v: T): Uint8Array {
  const bytes = codec.encode(v);
  const { value, bytesRead } = codec.decode(bytes);
  expect(value).toEqual(v);
  expect(bytesRead).toBe(bytes.length);
  expect(hex(codec.encode(value))).toBe(hex(bytes));
  const shifted = new Uint8Array(bytes.length + 5);
  shifted.set(bytes, 5);
  expect(codec.decode(shifted, 5).value).toEqual(v);
  return bytes;
}

const rejects = (fn: () => unknown, code: string) => expect(fn).toThrow(expect.objectContaining({ code }) as ProtocolError);

describe('RMCP and ASF presence ping', () => {
  const asf: Codec<AsfPacket> = { decode: decodeAsf, encode: encodeAsf };
  it('a presence ping is the 12 bytes the ASF spec shows', () => {
    expect(hex(roundTrip(asf, { sequence: 0xff, message: { type: 'ping', tag: 0x42 } }))).toBe('0600ff06000011be80420000');
  });
  it('a pong round-trips with its 16 data bytes', () => {
    const pong: AsfPacket = { sequence: 0xff, message: { type: 'pong', tag: 0x42, iana: 4542, oem: 0, entities: 0x81, interactions: 0 } };
    expect(roundTrip(asf, pong).length).toBe(28);
  });
  it.each([
    ['RMCP_TOO_SHORT', 'three bytes', '0600ff'],
    ['RMCP_BAD_VERSION', 'RMCP version 1', '0100ff06000011be80420000'],
    ['ASF_NOT_ASF', 'an IPMI class packet', '0600ff07000011be80420000'],
    ['ASF_TOO_SHORT', 'header cut short', '0600ff06000011be8042'],
    ['ASF_BAD_IANA', 'an OEM IANA in the ASF header', '0600ff06000011bf80420000'],
    ['ASF_TRUNCATED', 'data length beyond the datagram', '0600ff06000011be40420010'],
    ['ASF_SHORT_PONG', 'a pong with 4 data bytes', '0600ff06000011be4042000400000000'],
    ['ASF_UNKNOWN_TYPE', 'type 0x10 (reset)', '0600ff06000011be10420000'],
  ])('rejects %s: %s', (code, _why, text) => rejects(() => decodeAsf(fromHex(text)), code));
  it('reads the class and ACK bit', () => {
    expect(decodeRmcpHeader(fromHex('0600ff87')).value).toEqual({ sequence: 0xff, messageClass: 7, ack: true });
  });
});

describe('session wrappers', () => {
  const session: Codec<IpmiSession> = { decode: (b, o) => decodeSession(b, o), encode: encodeSession };
  it.each<[string, IpmiSession]>([
    ['v1.5 without authentication (Get Channel Auth Caps)', { format: 'v1.5', authType: 0, sequence: 0, sessionId: 0, authCode: null, payload: fromHex('2018c88100388e04b5') }],
    ['v1.5 with an MD5 authcode', { format: 'v1.5', authType: 2, sequence: 5, sessionId: 0x01020304, authCode: new Uint8Array(16).fill(0xaa), payload: Uint8Array.of(1) }],
    ['v2.0 open session request', { format: 'v2.0', payloadType: 0x10, encrypted: false, authenticated: false, oem: null, sessionId: 0, sequence: 0, payload: new Uint8Array(32), trailer: null }],
    [
      'v2.0 authenticated with a 12-byte authcode and 2 pad bytes',
      { format: 'v2.0', payloadType: 0, encrypted: true, authenticated: true, oem: null, sessionId: 0x102, sequence: 3, payload: new Uint8Array(32), trailer: { padLength: 2, nextHeader: 7, authCode: new Uint8Array(12).fill(1) } },
    ],
    [
      'v2.0 authenticated with a 16-byte authcode and no pad',
      { format: 'v2.0', payloadType: 0, encrypted: false, authenticated: true, oem: null, sessionId: 9, sequence: 1, payload: new Uint8Array(34), trailer: { padLength: 0, nextHeader: 7, authCode: new Uint8Array(16).fill(2) } },
    ],
    ['v2.0 OEM explicit payload', { format: 'v2.0', payloadType: 0x02, encrypted: false, authenticated: false, oem: { iana: 0x0002a2, payloadId: 0x1234 }, sessionId: 1, sequence: 1, payload: Uint8Array.of(5), trailer: null }],
  ])('round-trips %s', (_n, s) => {
    const bytes = roundTrip(session, s);
    expect(bytes.length).toBe(encodingLength(s));
  });

  it('a whole datagram carries the RMCP header 06 00 FF 07', () => {
    const s: IpmiSession = { format: 'v1.5', authType: 0, sequence: 0, sessionId: 0, authCode: null, payload: fromHex('2018c88100388e04b5') };
    const bytes = encodeIpmiPacket(s);
    expect(hex(bytes)).toBe('0600ff0700000000000000000009' + '2018c88100388e04b5');
    expect(decodeIpmiPacket(bytes).value).toEqual(s);
  });

  it('a v1.5 legacy pad byte after the payload is not part of the message', () => {
    const { value, bytesRead } = decodeSession(fromHex('00000000000000000002aabb00'));
    expect(value.payload).toEqual(Uint8Array.of(0xaa, 0xbb));
    expect(bytesRead).toBe(12);
  });

  it.each([
    ['IPMI_SESSION_TOO_SHORT', 'empty', ''],
    ['IPMI_BAD_AUTH_TYPE', 'authentication type 3 (reserved)', '03000000000000000000'],
    ['IPMI_SESSION_TOO_SHORT', 'v1.5 header cut in the session ID', '000000000000'],
    ['IPMI_SESSION_TOO_SHORT', 'v1.5 MD5 header without its authcode', '02000000000000000000'],
    ['IPMI_PAYLOAD_TRUNCATED', 'v1.5 length 9 with 2 bytes', '000000000000000000' + '09aabb'],
    ['IPMI_SESSION_TOO_SHORT', 'v2.0 header of 11 bytes', '0600000000000000000000'],
    ['IPMI_SESSION_TOO_SHORT', 'v2.0 OEM explicit header cut short', '060200000000000000000000'],
    ['IPMI_PAYLOAD_TRUNCATED', 'v2.0 length 0xffff', '06000000000000000000ffff00'],
    ['IPMI_BAD_TRAILER', 'authenticated, no trailer at all', '0640000000000000000000000102'],
    ['IPMI_BAD_TRAILER', 'authenticated, pad length byte disagrees', '06400000000000000000020001020000' + '0307' + '00'.repeat(12)],
    ['IPMI_BAD_INTEGRITY_PAD', 'pad bytes that are not FFh', '06400000000000000000020001020000' + '0207' + '00'.repeat(12)],
    ['IPMI_BAD_NEXT_HEADER', 'next header 06h', '064000000000000000000200' + '0102' + 'ffff' + '0206' + '00'.repeat(12)],
  ])('rejects %s: %s', (code, _why, text) => rejects(() => decodeSession(fromHex(text)), code));

  it.each([
    ['RMCP_NOT_IPMI', 'an ASF packet where IPMI belongs', '0600ff06000011be80420000'],
    ['RMCP_UNEXPECTED_ACK', 'an RMCP ACK', '0600ff87'],
  ])('a datagram: rejects %s: %s', (code, _why, text) => rejects(() => decodeIpmiPacket(fromHex(text)), code));
});

describe('Open Session and RAKP', () => {
  it('an open session request for suite 17 is ipmitool`s 32 bytes', () => {
    const bytes = roundTrip({ decode: decodeOpenSessionRequest, encode: encodeOpenSessionRequest }, { tag: 0, maxPrivilege: 0, consoleSessionId: 0xa0a2a3a4, auth: 3, integrity: 4, confidentiality: 1 });
    expect(hex(bytes)).toBe('00000000a4a3a2a0' + '0000000803000000' + '0100000804000000' + '0200000801000000');
  });
  it.each([
    ['success', { tag: 1, status: 0, maxPrivilege: 4, consoleSessionId: 7, bmcSessionId: 0x102, auth: 1, integrity: 1, confidentiality: 1 }, 36],
    ['an error: 8 bytes only', { tag: 1, status: 0x04, maxPrivilege: 0, consoleSessionId: 7, bmcSessionId: null, auth: null, integrity: null, confidentiality: null }, 8],
  ])('open session response: %s', (_n, v, length) => {
    expect(roundTrip({ decode: decodeOpenSessionResponse, encode: encodeOpenSessionResponse }, v).length).toBe(length);
  });
  it('RAKP 1 to 4 round-trip', () => {
    roundTrip({ decode: decodeRakp1, encode: encodeRakp1 }, { tag: 2, bmcSessionId: 0x102, consoleRandom: new Uint8Array(16).fill(5), role: 0x14, username: 'admin' });
    roundTrip({ decode: decodeRakp2, encode: encodeRakp2 }, { tag: 2, status: 0, consoleSessionId: 9, bmcRandom: new Uint8Array(16).fill(1), bmcGuid: new Uint8Array(16).fill(2), keyExchangeAuthCode: new Uint8Array(32).fill(3) });
    roundTrip({ decode: decodeRakp2, encode: encodeRakp2 }, { tag: 2, status: 0x0d, consoleSessionId: 9, bmcRandom: null, bmcGuid: null, keyExchangeAuthCode: new Uint8Array(0) });
    roundTrip({ decode: decodeRakp3, encode: encodeRakp3 }, { tag: 3, status: 0, bmcSessionId: 0x102, keyExchangeAuthCode: new Uint8Array(20).fill(4) });
    roundTrip({ decode: decodeRakp4, encode: encodeRakp4 }, { tag: 3, status: 0, consoleSessionId: 9, integrityCheckValue: new Uint8Array(12).fill(6) });
  });
  it('accepts the 2-byte error answers ipmi_sim sends (tag and status only)', () => {
    expect(decodeOpenSessionResponse(Uint8Array.of(7, 0x04))).toEqual({ value: { tag: 7, status: 4, maxPrivilege: 0, consoleSessionId: 0, bmcSessionId: null, auth: null, integrity: null, confidentiality: null }, bytesRead: 2 });
    expect(decodeRakp2(Uint8Array.of(7, 0x0d)).value).toMatchObject({ status: 0x0d, bmcRandom: null });
    expect(decodeRakp4(Uint8Array.of(7, 0x0f)).value).toMatchObject({ status: 0x0f });
  });
  it('names RAKP status codes, keeping unknown ones', () => {
    expect(rakpStatusName(0x0d)).toBe('unauthorized name');
    expect(rakpStatusName(0x40)).toBe('status 40h');
  });
  it.each([
    ['RMCP_OPEN_SESSION_TOO_SHORT', 'a 1-byte response', () => decodeOpenSessionResponse(Uint8Array.of(1))],
    ['RAKP_TOO_SHORT', 'a RAKP2 of 1 byte', () => decodeRakp2(Uint8Array.of(1))],
    ['RAKP_TOO_SHORT', 'a successful RAKP4 of 7 bytes', () => decodeRakp4(new Uint8Array(7))],
    ['RMCP_OPEN_SESSION_TOO_SHORT', 'a 31-byte request', () => decodeOpenSessionRequest(new Uint8Array(31))],
    ['RMCP_BAD_ALGORITHM_PAYLOAD', 'integrity payload where authentication belongs', () => decodeOpenSessionRequest(fromHex('00000000a4a3a2a0' + '0100000803000000'.repeat(3)))],
    ['RMCP_BAD_ALGORITHM_PAYLOAD', 'algorithm payload length 0 in a response', () => decodeOpenSessionResponse(fromHex('0000040007000000' + '02010000' + '0000000003000000' + '0100000804000000' + '0200000801000000'))],
    ['RMCP_OPEN_SESSION_TOO_SHORT', 'a success response of 8 bytes', () => decodeOpenSessionResponse(fromHex('0000040007000000'))],
    ['RAKP_TOO_SHORT', 'RAKP1 of 27 bytes', () => decodeRakp1(new Uint8Array(27))],
    ['RAKP_NAME_TOO_LONG', 'RAKP1 with name length 17', () => decodeRakp1(Uint8Array.from({ length: 45 }, (_, i) => (i === 27 ? 17 : 0)))],
    ['RAKP_TOO_SHORT', 'RAKP1 name length beyond the message', () => decodeRakp1(Uint8Array.from({ length: 30 }, (_, i) => (i === 27 ? 5 : 0)))],
    ['RAKP_TOO_SHORT', 'RAKP2 success without GUID', () => decodeRakp2(new Uint8Array(30))],
    ['RAKP_AUTHCODE_TOO_LONG', 'RAKP2 with 100 bytes of HMAC', () => decodeRakp2(new Uint8Array(140))],
    ['RAKP_TOO_SHORT', 'RAKP3 of 4 bytes', () => decodeRakp3(new Uint8Array(4))],
  ])('rejects %s: %s', (code, _why, fn) => rejects(fn, code));
});

describe('IPMI messages', () => {
  const req: IpmiRequest = { rsAddr: 0x20, netFn: 0x06, rsLun: 0, rqAddr: 0x81, rqSeq: 0, rqLun: 0, cmd: 0x38, data: Uint8Array.of(0x8e, 0x04) };
  it('Get Channel Authentication Capabilities is the request ipmitool sends first', () => {
    expect(hex(roundTrip({ decode: decodeRequest, encode: encodeRequest }, req))).toBe('2018c88100388e04b5');
  });
  it('a response carries its completion code first', () => {
    const res: IpmiResponse = { rqAddr: 0x81, netFn: 0x07, rqLun: 0, rsAddr: 0x20, rqSeq: 1, rsLun: 0, cmd: 0x3b, completionCode: 0, data: Uint8Array.of(4) };
    const bytes = roundTrip({ decode: decodeResponse, encode: encodeResponse }, res);
    expect(checksum(bytes, 3)).toBe(0);
  });
  it.each([
    ['IPMI_MESSAGE_TOO_SHORT', 'six bytes', '2018c8810038'],
    ['IPMI_BAD_HEADER_CHECKSUM', 'header checksum off by one', '2018c98100388e04b5'],
    ['IPMI_BAD_DATA_CHECKSUM', 'data checksum off by one', '2018c88100388e04b6'],
    ['IPMI_NOT_A_RESPONSE', 'a request read as a response', '2018c88100388e04b5'],
    ['IPMI_NO_COMPLETION_CODE', 'a response without a completion code', '811c63200038a8'],
  ])('rejects %s: %s', (code, _why, text) => rejects(() => decodeResponse(fromHex(text)), code));
  it('rejects a response read as a request', () => rejects(() => decodeRequest(fromHex('811c6320003800a8')), 'IPMI_NOT_A_REQUEST'));
  it('words completion codes, command-specific first, unknown by number', () => {
    expect(completionText(0xcc)).toBe('invalid data field in request');
    expect(completionText(0x80, { 0x80: 'parameter not supported' })).toBe('parameter not supported');
    expect(completionText(0x99)).toBe('completion code 99h');
  });
});

describe('commands', () => {
  it('decodes ipmi_sim`s channel authentication capabilities', () => {
    // ipmi_sim (OpenIPMI 2.0.33), captured: channel 1, none/MD2/MD5/straight, non-null users, IPMI 1.5 + 2.0.
    const caps = decodeChannelAuthCapabilities(fromHex('01971403000000 00'.replace(' ', '')));
    expect(caps).toMatchObject({ channel: 1, extended: true, ipmi20: true, ipmi15: true, nonNullUsers: true, kgSet: false });
    expect(hex(getChannelAuthCapabilities(4).data)).toBe('8e04');
  });
  it('decodes Get Device ID as ipmitool prints it', () => {
    // The device ipmi_sim emulates with "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02".
    const id = decodeDeviceId(fromHex('0003090802' + '9f' + '911200' + '020f'));
    expect(id).toMatchObject({ deviceId: 0, deviceRevision: 3, firmware: '9.08', ipmiVersion: '2.0', manufacturerId: 4753, productId: 0x0f02, available: true, auxFirmware: null });
  });
  it('decodes chassis status with and without the front panel byte', () => {
    expect(decodeChassisStatus(fromHex('010000'))).toMatchObject({ powerOn: true, restorePolicy: 'always-off', frontPanel: null });
    expect(decodeChassisStatus(fromHex('40100070'))).toMatchObject({ powerOn: false, restorePolicy: 'always-on', lastPowerEvent: 0x10, frontPanel: 0x70 });
  });
  it.each([
    ['Get Device ID of 10 bytes', () => decodeDeviceId(new Uint8Array(10))],
    ['Get Chassis Status of 2 bytes', () => decodeChassisStatus(new Uint8Array(2))],
    ['channel capabilities of 7 bytes', () => decodeChannelAuthCapabilities(new Uint8Array(7))],
    ['a boot option without its parameter byte', () => decodeBootOption(Uint8Array.of(1))],
  ])('rejects IPMI_RESPONSE_TOO_SHORT: %s', (_why, fn) => rejects(fn, 'IPMI_RESPONSE_TOO_SHORT'));
  it('rejects boot flags of 4 bytes', () => rejects(() => decodeBootFlags(new Uint8Array(4)), 'IPMI_BOOT_FLAGS_TOO_SHORT'));

  it('chassis control and close session', () => {
    expect(hex(chassisControl(2).data)).toBe('02');
    expect(() => chassisControl(6)).toThrow(RangeError);
    expect(hex(closeSession(0x0102).data)).toBe('02010000');
  });

  it.each<[string, boolean, boolean, string]>([
    // ipmitool chassis bootdev pxe                              -> 80 04 00 00 00
    ['pxe, next boot, legacy', false, false, '8004000000'],
    // ipmitool chassis bootdev pxe options=efiboot              -> a0 04 00 00 00 (boot-chains.md §8.1 raw example)
    ['pxe, next boot, EFI', false, true, 'a004000000'],
    // ipmitool chassis bootdev pxe options=persistent           -> c0 04 00 00 00
    ['pxe, persistent, legacy', true, false, 'c004000000'],
    // ipmitool chassis bootdev pxe options=persistent,efiboot   -> e0 04 00 00 00
    ['pxe, persistent, EFI', true, true, 'e004000000'],
  ])('boot flags: %s', (_n, persistent, efi, flags) => {
    const steps = bootDeviceSteps({ device: BootDevice.pxe, persistent, efi });
    expect(steps.map((s) => `${s.step}:${hex(s.command.data)}`)).toEqual([
      'set-in-progress:0001',
      'clear-bios-ack:040101',
      `boot-flags:05${flags}`,
      'commit-write:0002',
      'set-complete:0000',
    ]);
    expect(steps.every((s) => s.command.netFn === 0 && s.command.cmd === 0x08)).toBe(true);
    const decoded = decodeBootFlags(fromHex(flags));
    expect(decoded).toMatchObject({ valid: true, persistent, efi, device: BootDevice.pxe });
    expect(hex(encodeBootFlags(decoded))).toBe(flags);
  });
  it('boot flags keep the other bits and name unknown devices', () => {
    const f: BootFlags = { valid: true, persistent: false, efi: false, device: 0xa, data2Flags: 0x81, data3: 1, data4: 2, data5: 3 };
    expect(decodeBootFlags(encodeBootFlags(f))).toEqual(f);
    expect(bootDeviceName(0xa)).toBe('DEVICE_10');
    expect(bootDeviceName(1)).toBe('pxe');
  });
  it('Get System Boot Options for parameter 5 and its answer', () => {
    expect(hex(getSystemBootOption(5).data)).toBe('050000');
    expect(decodeBootOption(fromHex('0105a004000000'))).toMatchObject({ version: 1, param: 5, invalid: false, data: fromHex('a004000000') });
  });
});
