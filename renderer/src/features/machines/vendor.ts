import { parseMac } from '../../../../shared/net/ipv4.ts';
import { OUI_TABLE } from './data/oui.ts';

const BY_PREFIX = new Map(OUI_TABLE.map(([prefix, vendor]) => [prefix, vendor]));

export const UNKNOWN_VENDOR = 'unknown vendor';

/**
 * The NIC's maker from the first three bytes of its MAC, from the small table in data/oui.ts. A locally
 * administered address (bit 1 of the first byte: a VM, a container or a randomised MAC) says so, because no
 * registry can name its maker.
 */
export function vendorOf(mac: string): string {
  const m = parseMac(mac);
  if (!m) return UNKNOWN_VENDOR;
  const known = BY_PREFIX.get(m.slice(0, 8));
  if (known) return known;
  // IEEE 802 universal/local bit.
  if (parseInt(m.slice(0, 2), 16) & 0x02) return 'locally administered (virtual or random)';
  return UNKNOWN_VENDOR;
}
