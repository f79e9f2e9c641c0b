import { describe, expect, it } from 'vitest';
import { formatIPv4, maskToPrefix, parseCidr, parseIPv4, parseIPv4Range, parseMac, prefixToMask } from './ipv4.ts';

describe('strict IPv4', () => {
  it.each(['0.0.0.0', '127.0.0.1', '198.18.0.1', '255.255.255.255'])('accepts %s', (text) => {
    expect(formatIPv4(parseIPv4(text)!)).toBe(text);
  });
  it.each([
    ['0xc0.168.1.1', 'hex octet'],
    ['010.1.1.1', 'leading zero reads as octal in inet_aton'],
    ['127.1', 'short form'],
    ['256.1.1.1', 'octet out of range'],
    [' 1.2.3.4', 'surrounding space'],
    ['1.2.3.4.', 'trailing dot'],
    ['1.2.3', 'three octets'],
    ['', 'empty'],
    ['1.2.3.-4', 'sign'],
  ])('rejects %s (%s)', (text) => {
    expect(parseIPv4(text)).toBeNull();
  });
});

describe('masks, CIDR and ranges', () => {
  it.each([
    [0, '0.0.0.0'],
    [15, '255.254.0.0'],
    [24, '255.255.255.0'],
    [32, '255.255.255.255'],
  ])('prefix %i is mask %s and back', (prefix, mask) => {
    expect(formatIPv4(prefixToMask(prefix))).toBe(mask);
    expect(maskToPrefix(parseIPv4(mask)!)).toBe(prefix);
  });
  it('refuses a non-contiguous mask', () => expect(maskToPrefix(parseIPv4('255.0.255.0')!)).toBeNull());
  it('parses a CIDR', () => {
    const c = parseCidr('198.19.4.5/15')!;
    expect(formatIPv4(c.network)).toBe('198.18.0.0');
    expect(formatIPv4(c.broadcast)).toBe('198.19.255.255');
  });
  it.each(['198.18.0.0', '198.18.0.0/33', '198.18.0.0/015', '198.18.0/24'])('rejects CIDR %s', (t) => {
    expect(parseCidr(t)).toBeNull();
  });
  it('parses a pool range', () => {
    expect(parseIPv4Range('198.18.0.100-198.18.0.200')).toEqual({ first: parseIPv4('198.18.0.100'), last: parseIPv4('198.18.0.200') });
  });
  it.each(['198.18.0.200-198.18.0.100', '198.18.0.1', '198.18.0.1-', '1-2', '198.18.0.1-198.18.0.2-198.18.0.3'])(
    'rejects range %s',
    (t) => expect(parseIPv4Range(t)).toBeNull(),
  );
});

describe('MAC', () => {
  it.each(['52:54:00:AB:cd:01', '52-54-00-ab-cd-01', '525400abcd01'])('canonicalises %s', (t) => {
    expect(parseMac(t)).toBe('52:54:00:ab:cd:01');
  });
  it.each(['52:54:00:ab:cd', '52:54-00:ab:cd:01', 'zz:54:00:ab:cd:01'])('rejects %s', (t) => expect(parseMac(t)).toBeNull());
});
