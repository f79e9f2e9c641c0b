/** What the Machines screen writes for times, sizes and firmware: pure, tested beside it. */
import type { MachineSummary } from '../../../../shared/api/contract.ts';

/** "just now", "12 s ago", "4 min ago", "3 h ago", "2 days ago"; "never" without a time. */
export function formatAgo(then: number | null, now: number): string {
  if (then === null) return 'never';
  const s = Math.max(0, Math.floor((now - then) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** A duration between stages: "850 ms", "4.2 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Bytes in binary units: "512 B", "63.5 KiB", "48.2 MiB", "1.1 GiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** The CPU part of option 93's name (`X64_EFI_HTTP` -> `x64`), or null. */
export function cpuOf(arch: string | null): string | null {
  if (!arch || arch.startsWith('ARCH_')) return null;
  return arch
    .replace(/_(EFI|BIOS)(_HTTP)?$/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}

/** How the machine boots, as short tags: `UEFI`, `HTTP`, `Secure Boot`, `x64`... or `unknown` before it asked. */
export function firmwareTags(m: Pick<MachineSummary, 'firmware' | 'arch' | 'secureBoot'>): string[] {
  const tags: string[] = [];
  if (m.firmware === 'bios') tags.push('BIOS');
  else if (m.firmware === 'uefi') tags.push('UEFI');
  if (m.arch?.endsWith('_HTTP')) tags.push('HTTP');
  if (m.secureBoot === 'on') tags.push('Secure Boot');
  const cpu = cpuOf(m.arch);
  if (cpu) tags.push(cpu);
  return tags.length ? tags : ['unknown'];
}
