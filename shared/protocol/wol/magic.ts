/**
 * The Wake-on-LAN magic packet (AMD "Magic Packet Technology" white paper, 1995): six FFh bytes, then the
 * target MAC sixteen times, optionally followed by a 4- or 6-byte SecureOn password. Sent as a UDP payload
 * (port 9, discard, by convention; 7 also seen) to the broadcast address, so the sleeping NIC sees it
 * whatever IP it had.
 */
import { macFromBytes, parseMac } from '../../net/ipv4.ts';
import { ProtocolError } from '../errors.ts';

export const WOL_PORT = 9;
const SYNC = 6;
const REPEAT = 16;
export const MAGIC_LENGTH = SYNC + REPEAT * 6;

export interface MagicPacket {
  /** Canonical lower-case aa:bb:cc:dd:ee:ff. */
  mac: string;
  /** SecureOn password bytes (4 or 6), or null. */
  password: Uint8Array | null;
}

function macBytes(mac: string): Uint8Array {
  const canonical = parseMac(mac);
  if (!canonical) throw new RangeError(`${JSON.stringify(mac)} is not a MAC address`);
  return Uint8Array.from(canonical.split(':'), (h) => parseInt(h, 16));
}

export function encodingLength(p: MagicPacket): number {
  return MAGIC_LENGTH + (p.password?.length ?? 0);
}

export function encode(p: MagicPacket): Uint8Array {
  const mac = macBytes(p.mac);
  if (p.password && p.password.length !== 4 && p.password.length !== 6) throw new RangeError(`a SecureOn password has 4 or 6 bytes, not ${p.password.length}`);
  const out = new Uint8Array(encodingLength(p));
  out.fill(0xff, 0, SYNC);
  for (let i = 0; i < REPEAT; i++) out.set(mac, SYNC + i * 6);
  if (p.password) out.set(p.password, MAGIC_LENGTH);
  return out;
}

export function decode(bytes: Uint8Array, offset = 0): { value: MagicPacket; bytesRead: number } {
  const b = offset ? bytes.subarray(offset) : bytes;
  if (b.length < MAGIC_LENGTH) throw new ProtocolError('WOL_TOO_SHORT', `${b.length} bytes, a magic packet has ${MAGIC_LENGTH}`);
  for (let i = 0; i < SYNC; i++) if (b[i] !== 0xff) throw new ProtocolError('WOL_NO_SYNC', `byte ${i} is ${b[i]}, not FFh`);
  const mac = b.subarray(SYNC, SYNC + 6);
  for (let r = 1; r < REPEAT; r++) {
    for (let i = 0; i < 6; i++) {
      if (b[SYNC + r * 6 + i] !== mac[i]) throw new ProtocolError('WOL_MAC_MISMATCH', `repetition ${r + 1} of the MAC differs from the first`);
    }
  }
  const rest = b.length - MAGIC_LENGTH;
  if (rest !== 0 && rest !== 4 && rest !== 6) throw new ProtocolError('WOL_BAD_PASSWORD_LENGTH', `${rest} bytes after the MAC repetitions (a SecureOn password has 4 or 6)`);
  return {
    value: { mac: macFromBytes(mac), password: rest ? b.slice(MAGIC_LENGTH) : null },
    bytesRead: b.length,
  };
}
