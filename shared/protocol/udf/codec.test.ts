import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '../errors.ts';
import { crc16, cs0, dstring, symlinkTarget, timestamp, u64 } from './codec.ts';
import { timestampBytes } from './test-image.ts';

const b = (...x: number[]) => Uint8Array.from(x);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('udf codec', () => {
  it.each([
    ['the CRC-16/XMODEM check value (ECMA-167 1/7.2.6 polynomial, initial 0)', ascii('123456789'), 0x31c3],
    ['ECMA-167 example bytes 70 6A 77', b(0x70, 0x6a, 0x77), 0x3299],
    ['no bytes', b(), 0],
  ])('crc16: %s', (_n, bytes, crc) => expect(crc16(bytes)).toBe(crc));

  it.each<[string, Uint8Array, string]>([
    ['8-bit (Latin-1)', b(8, 0x47, 0x72, 0xfc, 0xdf, 0x65), 'Grüße'],
    ['16-bit UTF-16BE', b(16, 0x30, 0xab, 0x00, 0x41), 'カA'],
    ['UDF 2.50 id 254 = 8-bit', b(254, 0x61), 'a'],
    ['UDF 2.50 id 255 = 16-bit', b(255, 0x00, 0x62), 'b'],
    ['empty', b(), ''],
  ])('cs0 %s', (_n, bytes, text) => expect(cs0(bytes)).toBe(text));

  it.each<[string, Uint8Array]>([
    ['unknown compression id', b(7, 0x41)],
    ['odd UTF-16 byte count', b(16, 0x00, 0x41, 0x00)],
  ])('cs0 rejects %s', (_n, bytes) => {
    expect(() => cs0(bytes)).toThrow(expect.objectContaining({ code: 'UDF_BAD_NAME' }) as ProtocolError);
  });

  it('dstring uses the trailing length byte', () => {
    const f = new Uint8Array(32);
    f.set(ascii('\bCCCOMA_X64FRE_EN-US_DV9'));
    f[31] = 24;
    expect(dstring(f, 0, 32)).toBe('CCCOMA_X64FRE_EN-US_DV9');
    f[31] = 40;
    expect(dstring(f, 0, 32)).toBe('');
  });

  it.each([
    ['2^53 - 1 fits', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0], 2 ** 53 - 1],
    ['5 GiB', [0, 0, 0, 0x40, 1, 0, 0, 0], 5 * 2 ** 30],
  ])('u64 %s', (_n, bytes, v) => expect(u64(Uint8Array.from(bytes), 0, 'size')).toBe(v));
  it('u64 refuses 2^53', () => {
    expect(() => u64(b(0, 0, 0, 0, 0, 0, 0x20, 0), 0, 'size')).toThrow(expect.objectContaining({ code: 'UDF_SIZE_TOO_LARGE' }) as ProtocolError);
  });

  it.each([
    ['UTC+1', Date.UTC(2021, 9, 5, 8, 0, 0, 120), 60],
    ['UTC-8', Date.UTC(2009, 6, 13, 22, 12, 1, 5), -480],
  ])('timestamp round-trips %s', (_n, ms, tz) => expect(timestamp(timestampBytes(ms, tz), 0)).toBe(ms));
  it('timestamp: unspecified timezone -2047 is taken as UTC, nonsense is null', () => {
    const t = timestampBytes(Date.UTC(2020, 0, 1), 0);
    t[0] = 0x01; // -2047 = 0x801
    t[1] = 0x18;
    expect(timestamp(t, 0)).toBe(Date.UTC(2020, 0, 1));
    t[4] = 13;
    expect(timestamp(t, 0)).toBeNull();
    expect(timestamp(new Uint8Array(12), 0)).toBeNull();
  });

  it.each<[string, Uint8Array, string]>([
    ['root then names', b(2, 0, 0, 0, 5, 4, 0, 0, 8, 0x65, 0x74, 0x63), '/etc'],
    ['type 1 root ignores its identifier', b(1, 2, 0, 0, 8, 0x78, 5, 2, 0, 0, 8, 0x61), '/a'],
    ['parent and current', b(3, 0, 0, 0, 4, 0, 0, 0, 5, 2, 0, 0, 8, 0x62), '.././b'],
  ])('symlink %s', (_n, bytes, t) => expect(symlinkTarget(bytes)).toBe(t));
  it.each<[string, Uint8Array]>([
    ['unknown component type', b(9, 0, 0, 0)],
    ['root after a name', b(5, 2, 0, 0, 8, 0x61, 2, 0, 0, 0)],
    ['empty name component', b(5, 0, 0, 0)],
    ['truncated header', b(5, 0)],
  ])('symlink rejects %s', (_n, bytes) => {
    expect(() => symlinkTarget(bytes)).toThrow(expect.objectContaining({ code: 'UDF_BAD_SYMLINK' }) as ProtocolError);
  });
});
