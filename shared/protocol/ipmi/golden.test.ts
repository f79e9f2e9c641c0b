/**
 * Known answers from real peers: ipmitool 1.8.19's own trace (-vvvv) of RMCP+ sessions, which prints every
 * key exchange input and output it computes. Captured by test/fixtures/ipmi/capture.sh:
 * - cipher suite 3 (HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128) against ipmi_sim (OpenIPMI 2.0.33);
 * - cipher suite 17 (HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128) against rackboot's test BMC (ipmi_sim has
 *   no SHA256), where every value below is ipmitool's computation, not ours.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesEqual, fromHex, hex, latin1 } from '../bytes.ts';
import { decodeRequest, decodeResponse } from './message.ts';
import { AuthAlgorithm, CIPHER_SUITES, deriveKeys, rakp2Input, type RakpContext } from './rakp.ts';
import { decryptAesCbc128, encodeIpmiPacket, open, seal, type IpmiCrypto, type Session20 } from './session.ts';

export const nodeCrypto: IpmiCrypto = {
  hmac: (hash, key, data) => new Uint8Array(createHmac(hash, key).update(data).digest()),
  aes128Cbc(direction, key, iv, data) {
    const c = direction === 'encrypt' ? createCipheriv('aes-128-cbc', key, iv) : createDecipheriv('aes-128-cbc', key, iv);
    c.setAutoPadding(false);
    return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  },
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'ipmi');

/** The hex block under each occurrence of `label` in an ipmitool -vvvv trace. */
function blocks(log: string, label: string): Uint8Array[] {
  const lines = log.split('\n');
  const out: Uint8Array[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(label)) continue;
    let text = '';
    for (let j = i + 1; j < lines.length && /^( [0-9a-f]{2})+\s*$/.test(lines[j]!); j++) text += lines[j];
    out.push(fromHex(text));
  }
  return out;
}
const first = (log: string, label: string) => {
  const b = blocks(log, label)[0];
  if (!b) throw new Error(`no ${label} in the trace`);
  return b;
};

/** Reads the exchange's context back out of ipmitool's RAKP2 HMAC input (SIDm, SIDc, Rm, Rc, GUIDc, ROLEm, ULENGTHm, UNAMEm). */
function context(log: string): RakpContext {
  const b = first(log, '>> rakp2 mac input buffer');
  const le = (at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  return {
    consoleSessionId: le(0),
    bmcSessionId: le(4),
    consoleRandom: b.slice(8, 24),
    bmcRandom: b.slice(24, 40),
    bmcGuid: b.slice(40, 56),
    role: b[56]!,
    username: latin1(b.subarray(58, 58 + b[57]!)),
  };
}

const traces = [
  { file: 'ipmitool-C3-ipmi_sim.trace.txt', suite: 3, auth: AuthAlgorithm.RAKP_HMAC_SHA1, password: 's3cret' },
  { file: 'ipmitool-C17-testbmc.trace.txt', suite: 17, auth: AuthAlgorithm.RAKP_HMAC_SHA256, password: 's3cret' },
].filter((t) => existsSync(join(FIXTURES, t.file)));

describe.each(traces)('ipmitool trace $file (cipher suite $suite)', ({ file, suite, auth, password }) => {
  const log = readFileSync(join(FIXTURES, file), 'utf8');
  const c = context(log);
  const keys = deriveKeys(nodeCrypto, auth, c, password);

  it('the RAKP2 HMAC input is built byte for byte as ipmitool builds it', () => {
    expect(hex(rakp2Input(c))).toBe(hex(first(log, '>> rakp2 mac input buffer')));
  });
  it('RAKP2 and RAKP3 HMACs, SIK, K1 and K2 equal ipmitool`s', () => {
    expect(hex(keys.rakp2AuthCode)).toBe(hex(first(log, '>> rakp2 mac as computed by the remote console')));
    expect(hex(keys.rakp3AuthCode)).toBe(hex(first(log, 'generated rakp3 mac')));
    expect(hex(keys.sik)).toBe(hex(first(log, 'Generated session integrity key')));
    expect(hex(keys.k1)).toBe(hex(first(log, 'Generated K1')));
    expect(hex(keys.k2)).toBe(hex(first(log, 'Generated K2')));
  });
  it('the RAKP4 integrity check value is the truncated HMAC ipmitool compares', () => {
    const full = first(log, '>> rakp4 mac as computed by the remote console');
    expect(hex(keys.rakp4Icv)).toBe(hex(full.subarray(0, suite === 3 ? 12 : 16)));
  });

  const security = { integrity: CIPHER_SUITES[suite]!.integrity, confidentiality: CIPHER_SUITES[suite]!.confidentiality, k1: keys.k1, k2: keys.k2 };

  it('every request ipmitool sent opens: AuthCode checked with K1, payload decrypted with K2, checksums good', () => {
    const inputs = blocks(log, 'authcode input');
    const outputs = blocks(log, 'authcode output');
    expect(inputs.length).toBeGreaterThan(2);
    inputs.forEach((input, i) => {
      const packet = new Uint8Array(4 + input.length + outputs[i]!.length);
      packet.set([0x06, 0x00, 0xff, 0x07]);
      packet.set(input, 4);
      packet.set(outputs[i]!, 4 + input.length);
      const opened = open(packet, security, nodeCrypto);
      expect(opened.encrypted && opened.authenticated).toBe(true);
      const req = decodeRequest(opened.payload).value;
      expect(req.rsAddr).toBe(0x20);
      expect(req.rqAddr).toBe(0x81);
      // Re-sealed with the same IV, the packet is identical to ipmitool's.
      const again = seal({ payloadType: opened.payloadType, sessionId: opened.sessionId, sequence: opened.sequence, payload: opened.payload, security, crypto: nodeCrypto, iv: input.subarray(12, 28) });
      expect(hex(again)).toBe(hex(packet));
    });
    // The first request after activation is Set Session Privilege Level to ADMINISTRATOR.
    const firstPacket = inputs[0]!;
    const req = decodeRequest(decryptAesCbc128(nodeCrypto, keys.k2, firstPacket.subarray(12, firstPacket.length - 4))).value;
    expect([req.netFn, req.cmd, hex(req.data)]).toEqual([0x06, 0x3b, '04']);
  });

  it('every response the BMC sent opens and decodes', () => {
    const inputs = blocks(log, 'Authcode Input Data');
    const expected = blocks(log, 'Expected authcode');
    expect(inputs.length).toBeGreaterThan(2);
    inputs.forEach((input, i) => {
      const packet = new Uint8Array(4 + input.length + expected[i]!.length);
      packet.set([0x06, 0x00, 0xff, 0x07]);
      packet.set(input, 4);
      packet.set(expected[i]!, 4 + input.length);
      const res = decodeResponse(open(packet, security, nodeCrypto).payload).value;
      expect(res.netFn & 1).toBe(1);
    });
  });

  it('a flipped bit anywhere in a captured packet fails the integrity check', () => {
    const input = first(log, 'authcode input');
    const out = first(log, 'authcode output');
    for (const at of [1, 7, 20, input.length - 1]) {
      const packet = new Uint8Array([0x06, 0x00, 0xff, 0x07, ...input, ...out]);
      packet[4 + at]! ^= 0x01;
      expect(() => open(packet, security, nodeCrypto)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^IPMI_/) }));
    }
    const packet = new Uint8Array([0x06, 0x00, 0xff, 0x07, ...input, ...out]);
    packet[packet.length - 1]! ^= 0x80;
    expect(() => open(packet, security, nodeCrypto)).toThrow(expect.objectContaining({ code: 'IPMI_BAD_AUTHCODE' }));
  });
});

it('both traces are present (test/fixtures/ipmi/capture.sh makes them)', () => {
  expect(traces.map((t) => t.suite)).toEqual([3, 17]);
});

describe('session sealing without a trace', () => {
  it('an unauthenticated setup packet has no trailer and opens without keys', () => {
    const bytes = seal({ payloadType: 0x10, sessionId: 0, sequence: 0, payload: Uint8Array.of(1, 2, 3), security: null, crypto: nodeCrypto });
    expect(hex(bytes)).toBe('0600ff07061000000000000000000300010203');
    expect(open(bytes, null, nodeCrypto).payload).toEqual(Uint8Array.of(1, 2, 3));
  });
  it('an encrypted payload of any length round-trips through AES-CBC-128 with its 01h 02h ... pad', () => {
    const sec = { integrity: 4, confidentiality: 1, k1: new Uint8Array(32).fill(7), k2: new Uint8Array(32).fill(9) };
    for (let n = 0; n < 40; n++) {
      const payload = Uint8Array.from({ length: n }, (_, i) => i * 7);
      const bytes = seal({ payloadType: 0, sessionId: 0x11223344, sequence: n + 1, payload, security: sec, crypto: nodeCrypto });
      const o = open(bytes, sec, nodeCrypto);
      expect(bytesEqual(o.payload, payload)).toBe(true);
      expect((bytes.length - 4 - 16) % 4).toBe(0);
    }
  });
  it('a session with integrity refuses a packet that is not authenticated', () => {
    const sec = { integrity: 1, confidentiality: 0, k1: new Uint8Array(20), k2: new Uint8Array(20) };
    const plain: Session20 = { format: 'v2.0', payloadType: 0, encrypted: false, authenticated: false, oem: null, sessionId: 1, sequence: 1, payload: Uint8Array.of(1), trailer: null };
    expect(() => open(encodeIpmiPacket(plain), sec, nodeCrypto)).toThrow(expect.objectContaining({ code: 'IPMI_UNAUTHENTICATED' }));
  });
  it('a session with confidentiality refuses an IPMI payload in the clear', () => {
    const sec = { integrity: 0, confidentiality: 1, k1: new Uint8Array(20), k2: new Uint8Array(20) };
    const plain: Session20 = { format: 'v2.0', payloadType: 0, encrypted: false, authenticated: false, oem: null, sessionId: 1, sequence: 1, payload: Uint8Array.of(1), trailer: null };
    expect(() => open(encodeIpmiPacket(plain), sec, nodeCrypto)).toThrow(expect.objectContaining({ code: 'IPMI_UNENCRYPTED' }));
  });
  it('a wrong K2 shows up as a bad confidentiality pad (almost always) rather than garbage', () => {
    const sec = { integrity: 0, confidentiality: 1, k1: new Uint8Array(20), k2: new Uint8Array(20).fill(1) };
    const bytes = seal({ payloadType: 0, sessionId: 1, sequence: 1, payload: Uint8Array.of(0x20, 0x18, 0xc8, 0x81, 0x04, 0x3b, 0x04, 0x3c), security: sec, crypto: nodeCrypto, iv: new Uint8Array(16) });
    const wrong = { ...sec, k2: new Uint8Array(20).fill(2) };
    expect(() => open(bytes, wrong, nodeCrypto)).toThrow(expect.objectContaining({ code: 'IPMI_BAD_CONFIDENTIALITY_PAD' }));
  });
});
