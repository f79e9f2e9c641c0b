import { describe, expect, it } from 'vitest';
import { hex } from '../bytes.ts';
import type { ProtocolError } from '../errors.ts';
import { decode, encode, encodingLength, MAGIC_LENGTH, type MagicPacket } from './magic.ts';

function roundTrip(p: MagicPacket): Uint8Array {
  const bytes = encode(p);
  expect(bytes.length).toBe(encodingLength(p));
  expect(decode(bytes)).toEqual({ value: p, bytesRead: bytes.length });
  expect(encode(decode(bytes).value)).toEqual(bytes);
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  expect(decode(shifted, 3).value).toEqual(p);
  return bytes;
}

describe('Wake-on-LAN magic packet', () => {
  it('is six FFh then the MAC sixteen times (102 bytes)', () => {
    const bytes = roundTrip({ mac: '52:54:00:12:34:56', password: null });
    expect(bytes.length).toBe(102);
    expect(hex(bytes)).toBe('ffffffffffff' + '525400123456'.repeat(16));
  });
  it('carries a SecureOn password of 4 or 6 bytes', () => {
    roundTrip({ mac: '00:11:22:33:44:55', password: Uint8Array.of(1, 2, 3, 4) });
    roundTrip({ mac: '00:11:22:33:44:55', password: Uint8Array.of(1, 2, 3, 4, 5, 6) });
  });
  it('takes dashes and upper case, and writes the canonical form back', () => {
    expect(decode(encode({ mac: 'AA-BB-CC-DD-EE-FF', password: null })).value.mac).toBe('aa:bb:cc:dd:ee:ff');
  });
  it('refuses what is not a MAC or a password', () => {
    expect(() => encode({ mac: '52:54:00:12:34', password: null })).toThrow(RangeError);
    expect(() => encode({ mac: '52:54:00:12:34:56', password: Uint8Array.of(1) })).toThrow(RangeError);
  });
  const good = encode({ mac: '52:54:00:12:34:56', password: null });
  it.each([
    ['WOL_TOO_SHORT', 'one byte short', good.subarray(0, MAGIC_LENGTH - 1)],
    ['WOL_NO_SYNC', 'five FFh only', Uint8Array.from(good, (b, i) => (i === 5 ? 0xfe : b))],
    ['WOL_MAC_MISMATCH', 'the 16th repetition differs', Uint8Array.from(good, (b, i) => (i === MAGIC_LENGTH - 1 ? 0x57 : b))],
    ['WOL_BAD_PASSWORD_LENGTH', 'five trailing bytes', Uint8Array.from([...good, 1, 2, 3, 4, 5])],
  ])('rejects %s: %s', (code, _why, bytes) => {
    expect(() => decode(bytes)).toThrow(expect.objectContaining({ code }) as ProtocolError);
  });
});
