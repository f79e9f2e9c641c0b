/** The Leases table's pure parts: the state a technician reads, sorting, filtering, the expiry countdown. */
import type { Lease } from '../../../../shared/api/contract.ts';
import { parseIPv4 } from '../../../../shared/net/ipv4.ts';

/** `bound` past its expiry reads `expired`: the pool hands that address out again. */
export type ShownState = Lease['state'] | 'expired';

export function shownState(l: Lease, now: number): ShownState {
  return l.state === 'bound' && l.expiresAt <= now ? 'expired' : l.state;
}

export const LEASE_COLUMNS = ['state', 'ip', 'mac', 'hostname', 'expiresAt'] as const;
export type LeaseColumn = (typeof LEASE_COLUMNS)[number];
export interface LeaseSort {
  column: LeaseColumn;
  dir: 'asc' | 'desc';
}

/** Live leases first when sorting by state. */
const STATE_ORDER: Record<ShownState, number> = { bound: 0, expired: 1, released: 2, declined: 3 };

function compare(a: Lease, b: Lease, column: LeaseColumn, now: number): number {
  switch (column) {
    case 'state':
      return STATE_ORDER[shownState(a, now)] - STATE_ORDER[shownState(b, now)];
    case 'ip':
      // Numerically: 198.18.0.9 before 198.18.0.10.
      return (parseIPv4(a.ip) ?? 0) - (parseIPv4(b.ip) ?? 0);
    case 'mac':
      return a.mac.localeCompare(b.mac);
    case 'hostname':
      // Leases without a name last, whichever the direction.
      return (a.hostname ?? '\uffff').localeCompare(b.hostname ?? '\uffff');
    case 'expiresAt':
      return a.expiresAt - b.expiresAt;
  }
}

/** Sorted copy; ties fall back to the address, so rows never swap places between refreshes. */
export function sortLeases(list: readonly Lease[], sort: LeaseSort, now: number): Lease[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...list].sort((a, b) => sign * compare(a, b, sort.column, now) || compare(a, b, 'ip', now) || a.clientKey.localeCompare(b.clientKey));
}

/** Case-insensitive match on every column a technician might type: IP, MAC (any separator), name, state, firmware. */
export function filterLeases(list: readonly Lease[], text: string, now: number): Lease[] {
  const q = text.trim().toLowerCase();
  if (!q) return [...list];
  const bare = q.replace(/[:.-]/g, '');
  return list.filter((l) => {
    const hay = [l.ip, l.mac, l.hostname ?? '', shownState(l, now), l.firmware ?? '', l.arch ?? ''].join(' ').toLowerCase();
    return hay.includes(q) || (bare.length >= 4 && /^[0-9a-f]+$/.test(bare) && l.mac.replace(/:/g, '').includes(bare));
  });
}

/** Time left on a lease: "59:58", "1:02:03", "2 d 4 h"; "expired" at or past zero. */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  const d = Math.floor(s / 86400);
  if (d >= 1) return `${d} d ${Math.floor((s % 86400) / 3600)} h`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The booting client's firmware as the table shows it: `UEFI · x64`, `UEFI · HTTP · arm64`, `BIOS · x86`; `—` for a plain DHCP client. */
export function firmwareText(l: Pick<Lease, 'firmware' | 'arch'>): string {
  const fw = l.firmware === 'bios' ? 'BIOS' : l.firmware === 'uefi' ? 'UEFI' : null;
  const http = l.arch?.endsWith('_HTTP') ? 'HTTP' : null;
  // Option 93's name without its firmware part: X64_EFI_HTTP -> x64.
  const cpu = l.arch && !l.arch.startsWith('ARCH_') ? l.arch.replace(/_(EFI|BIOS)(_HTTP)?$/, '').toLowerCase().replace(/_/g, ' ') : null;
  return [fw, http, cpu].filter(Boolean).join(' · ') || '—';
}
