import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '../errors.ts';
import { both16, both32, longTime, shortTime, ucs2be, utf8 } from './fields.ts';
import { decodeRecord, directoryRecords, encodeRecord, encodingLength, FileFlag, type DirRecord } from './record.ts';
import { ascii, concat, time17, time7, ucs2beBytes, utf8Bytes } from './test-image.ts';

const rec = (over: Partial<DirRecord> = {}): DirRecord => ({
  xarLength: 0,
  lba: 0x12345,
  size: 0xfffff800,
  time: time7(2024, 2, 29, 23, 59, 58, -20),
  flags: FileFlag.MULTI_EXTENT,
  unitSize: 0,
  gap: 0,
  volumeSequence: 1,
  name: ascii('FILE.TXT;1'),
  systemUse: new Uint8Array(0),
  ...over,
});

function roundTrip(r: DirRecord) {
  const bytes = encodeRecord(r);
  expect(bytes.length).toBe(encodingLength(r));
  const { value, bytesRead } = decodeRecord(bytes, 0, true);
  expect(value).toEqual(r);
  expect(bytesRead).toBe(bytes.length);
  expect(encodeRecord(value)).toEqual(bytes);
  const shifted = concat(new Uint8Array(5), bytes);
  expect(decodeRecord(shifted, 5).value).toEqual(r);
}

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as ProtocolError).code;
  }
  return 'no error';
};

describe('directory record codec (ECMA-119 9.1)', () => {
  it.each<[string, DirRecord]>([
    ['a file record with an odd-length name (no pad byte)', rec()],
    ['an even-length name takes a pad byte', rec({ name: ascii('AB') })],
    ['the "." record of a directory', rec({ name: Uint8Array.of(0), flags: FileFlag.DIRECTORY })],
    ['a System Use area (Rock Ridge)', rec({ systemUse: concat(ascii('NM'), Uint8Array.of(9, 1, 0), ascii('file')) })],
    ['an extended attribute record length and hidden flag', rec({ xarLength: 2, flags: FileFlag.HIDDEN })],
  ])('round-trips %s', (_n, r) => roundTrip(r));

  it.each([
    ['ISO_BAD_RECORD', 'length below 34', Uint8Array.of(20, ...new Uint8Array(40))],
    ['ISO_BAD_RECORD', 'length past the buffer', concat(Uint8Array.of(60), new Uint8Array(40))],
    ['ISO_BAD_RECORD', 'identifier longer than the record', (() => { const b = encodeRecord(rec()); b[32] = 200; return b; })()],
    ['ISO_BAD_RECORD', 'empty identifier', (() => { const b = encodeRecord(rec()); b[32] = 0; return b; })()],
    ['ISO_BAD_RECORD', 'nothing at all', new Uint8Array(0)],
  ])('rejects %s: %s', (code, _why, bytes) => {
    expect(codeOf(() => decodeRecord(bytes))).toBe(code);
  });

  it('strict mode rejects a mismatching big-endian half, directory contents tolerate it', () => {
    const b = encodeRecord(rec());
    b[17] = b[17]! ^ 0xff; // BE half of the data length
    expect(codeOf(() => decodeRecord(b, 0, true))).toBe('ISO_ENDIAN_MISMATCH');
    expect(decodeRecord(b).value.size).toBe(0xfffff800);
  });

  it('a zero length byte ends the sector; the next record starts at the next sector', () => {
    const extent = new Uint8Array(4096);
    extent.set(encodeRecord(rec({ name: ascii('A') })), 0);
    extent.set(encodeRecord(rec({ name: ascii('HIDDEN') })), 200); // after the zero byte: ignored
    extent.set(encodeRecord(rec({ name: ascii('B') })), 2048);
    expect([...directoryRecords(extent)].map((r) => String.fromCharCode(...r.name))).toEqual(['A', 'B']);
  });

  it('a directory of zeros ends without records (and without spinning)', () => {
    expect([...directoryRecords(new Uint8Array(1 << 20))]).toEqual([]);
  });

  it('a record crossing a sector boundary is ISO_RECORD_CROSSES_SECTOR', () => {
    const extent = new Uint8Array(4096);
    // Seven 254-byte records and one of 250 end at byte 2028; the next (44 bytes) would end past 2048.
    let at = 0;
    for (const su of [210, 210, 210, 210, 210, 210, 210, 206]) {
      const r = encodeRecord(rec({ systemUse: new Uint8Array(su) }));
      extent.set(r, at);
      at += r.length;
    }
    expect(at).toBe(2028);
    extent.set(encodeRecord(rec()), at);
    expect(codeOf(() => [...directoryRecords(extent)])).toBe('ISO_RECORD_CROSSES_SECTOR');
  });
});

describe('field encodings', () => {
  it.each<[string, Uint8Array, number | null]>([
    ['seven-byte time in UTC', time7(2024, 5, 6, 7, 8, 9), Date.UTC(2024, 4, 6, 7, 8, 9)],
    ['seven-byte time at GMT+2 (8 quarter hours)', time7(2024, 5, 6, 7, 8, 9, 8), Date.UTC(2024, 4, 6, 5, 8, 9)],
    ['seven-byte time at GMT-5', time7(1999, 12, 31, 20, 0, 0, -20), Date.UTC(2000, 0, 1, 1, 0, 0)],
    ['all zero: not recorded', new Uint8Array(7), null],
    ['month 13: not a date', time7(2024, 13, 1, 0, 0, 0), null],
  ])('short time: %s', (_n, bytes, ms) => expect(shortTime(bytes, 0)).toBe(ms));

  it.each<[string, Uint8Array, number | null]>([
    ['long form with hundredths', time17('2023111422133420'), Date.UTC(2023, 10, 14, 22, 13, 34, 200)],
    ['long form at GMT+1', time17('2023111422133400', 4), Date.UTC(2023, 10, 14, 21, 13, 34)],
    ['zeros: not recorded', time17('0000000000000000'), null],
    ['not digits', new Uint8Array(17), null],
  ])('long time: %s', (_n, bytes, ms) => expect(longTime(bytes, 0)).toBe(ms));

  it.each([
    ['ASCII', 'hello.txt'],
    ['two-byte', 'café'],
    ['three-byte', '日本語'],
    ['four-byte (a surrogate pair in JS)', '🚀 launch'],
  ])('UTF-8 decodes %s', (_n, text) => expect(utf8(utf8Bytes(text))).toBe(text));

  it.each([
    ['a lone continuation byte', Uint8Array.of(0x41, 0x80), 'A\x80'],
    ['an overlong slash', Uint8Array.of(0xc0, 0xaf), '\xc0\xaf'],
    ['a truncated sequence', Uint8Array.of(0xe6, 0x97), '\xe6\x97'],
    ['an encoded surrogate', Uint8Array.of(0xed, 0xa0, 0x80), '\xed\xa0\x80'],
  ])('invalid UTF-8 (%s) falls back to Latin-1', (_n, bytes, text) => expect(utf8(bytes)).toBe(text));

  it('UCS-2 BE keeps surrogate pairs and drops an odd byte', () => {
    expect(ucs2be(ucs2beBytes('Ünïcode 🚀;1'))).toBe('Ünïcode 🚀;1');
    expect(ucs2be(concat(ucs2beBytes('ab'), Uint8Array.of(0x41)))).toBe('ab');
  });

  it('both-endian fields: the LE half, strictly checked on request', () => {
    const b = Uint8Array.of(1, 2, 0, 0, 0, 0, 2, 1);
    expect(both32(b, 0, true, 'x')).toBe(0x201);
    b[7] = 9;
    expect(codeOf(() => both32(b, 0, true, 'x'))).toBe('ISO_ENDIAN_MISMATCH');
    expect(both32(b, 0, false, 'x')).toBe(0x201);
    expect(codeOf(() => both16(Uint8Array.of(0, 8, 0, 9), 0, true, 'x'))).toBe('ISO_ENDIAN_MISMATCH');
  });
});
