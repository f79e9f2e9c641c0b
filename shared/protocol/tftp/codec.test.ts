import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '../errors.ts';
import { decode, encode, encodingLength, type TftpPacket } from './codec.ts';
import { negotiate, normalizeRequestPath } from './negotiate.ts';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function roundTrip(p: TftpPacket) {
  const bytes = encode(p);
  expect(bytes.length).toBe(encodingLength(p));
  const { value, bytesRead } = decode(bytes);
  expect(value).toEqual(p);
  expect(bytesRead).toBe(bytes.length);
  expect(encode(value)).toEqual(bytes);
  const shifted = new Uint8Array(bytes.length + 7);
  shifted.set(bytes, 7);
  expect(decode(shifted, 7).value).toEqual(p);
}

describe('tftp codec', () => {
  it.each<[string, TftpPacket]>([
    ['an RRQ with options, as iPXE sends it', { op: 'RRQ', filename: 'undionly.kpxe', mode: 'octet', options: [['blksize', '1432'], ['tsize', '0']] }],
    ['a WRQ', { op: 'WRQ', filename: 'x', mode: 'netascii', options: [] }],
    ['a DATA block', { op: 'DATA', block: 65535, data: Uint8Array.of(1, 2, 3) }],
    ['an empty last DATA block', { op: 'DATA', block: 7, data: new Uint8Array(0) }],
    ['an ACK', { op: 'ACK', block: 0 }],
    ['an ERROR', { op: 'ERROR', code: 8, message: 'User aborted the transfer' }],
    ['an OACK', { op: 'OACK', options: [['blksize', '1468'], ['tsize', '123456']] }],
  ])('round-trips %s', (_n, p) => roundTrip(p));

  it('lower-cases the mode and keeps the file name as sent', () => {
    const p = decode(ascii('\0\x01Boot\\PXE.0\0OCTET\0')).value;
    expect(p).toEqual({ op: 'RRQ', filename: 'Boot\\PXE.0', mode: 'octet', options: [] });
  });

  it.each([
    ['TFTP_TOO_SHORT', 'three bytes', Uint8Array.of(0, 4, 0)],
    ['TFTP_BAD_OPCODE', 'opcode 9', Uint8Array.of(0, 9, 0, 0)],
    ['TFTP_UNTERMINATED', 'file name without NUL', ascii('\0\x01file')],
    ['TFTP_NO_MODE', 'no mode string', ascii('\0\x01file\0')],
    ['TFTP_EMPTY_FILENAME', 'empty file name', ascii('\0\x01\0octet\0')],
    ['TFTP_OPTION_UNPAIRED', 'option without value', ascii('\0\x01f\0octet\0blksize\0')],
    ['TFTP_REQUEST_TOO_LONG', 'oversized request', Uint8Array.from({ length: 1025 }, (_, i) => (i === 1 ? 1 : 0))],
    ['TFTP_BAD_ACK', 'ACK with trailing bytes', Uint8Array.of(0, 4, 0, 1, 9)],
  ])('rejects %s: %s', (code, _why, bytes) => {
    expect(() => decode(bytes)).toThrow(expect.objectContaining({ code }) as ProtocolError);
  });
});

describe('option negotiation', () => {
  const limits = { maxBlksize: 1468, maxWindowsize: 64 };
  it.each<[string, [string, string][], number, string, Partial<ReturnType<typeof negotiate>>]>([
    ['no options: plain RFC 1350', [], 100, 'octet', { blksize: 512, windowsize: 1, oack: [] }],
    ['EDK2 asks 1468 and tsize', [['blksize', '1468'], ['tsize', '0']], 4096, 'octet', { blksize: 1468, oack: [['blksize', '1468'], ['tsize', '4096']] }],
    ['a blksize above the link MTU is cut to it', [['blksize', '65464']], 1, 'octet', { blksize: 1468, oack: [['blksize', '1468']] }],
    ['a blksize below 8 is ignored', [['blksize', '4']], 1, 'octet', { blksize: 512, oack: [] }],
    ['windowsize is capped', [['windowsize', '500']], 1, 'octet', { windowsize: 64, oack: [['windowsize', '64']] }],
    ['netascii gets no tsize or windowsize', [['tsize', '0'], ['windowsize', '4']], 9, 'netascii', { windowsize: 1, oack: [] }],
    ['timeout out of range is dropped', [['timeout', '0'], ['TIMEOUT', '300']], 1, 'octet', { timeout: null, oack: [] }],
    ['timeout is echoed', [['Timeout', '3']], 1, 'octet', { timeout: 3, oack: [['Timeout', '3']] }],
    ['unknown and malformed options are dropped', [['rollover', '0'], ['blksize', '1e3']], 1, 'octet', { blksize: 512, oack: [] }],
  ])('%s', (_n, requested, size, mode, expected) => {
    expect(negotiate(requested, size, mode, limits)).toMatchObject(expected);
  });
});

describe('request paths', () => {
  it.each([
    ['pxelinux.0', 'pxelinux.0'],
    ['/boot/grub/grub.cfg', 'boot/grub/grub.cfg'],
    ['\\Boot\\x64\\wdsnbp.com', 'Boot/x64/wdsnbp.com'],
    ['::/pxelinux.cfg/default', 'pxelinux.cfg/default'],
    ['a//./b', 'a/b'],
  ])('%s -> %s', (raw, path) => expect(normalizeRequestPath(raw)).toBe(path));
  it.each([
    ['PATH_TRAVERSAL', '../etc/passwd'],
    ['PATH_TRAVERSAL', 'a/../../b'],
    ['PATH_TRAVERSAL', '..\\..\\windows'],
    ['PATH_EMPTY', '/'],
    ['PATH_NUL', 'a\0b'],
  ])('refuses with %s: %s', (code, raw) => {
    expect(() => normalizeRequestPath(raw)).toThrow(expect.objectContaining({ code }) as ProtocolError);
  });
});
