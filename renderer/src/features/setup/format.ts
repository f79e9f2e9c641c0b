/** 4.7 GB, 812 MB, 9.9 kB: decimal units, as file managers and ISO download pages show sizes. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** What a technician should know about a NIC before picking it, worst first. */
export function nicWarnings(nic: { up: boolean; loopback: boolean; wireless: boolean; ipv4: unknown[]; defaultRoute?: boolean }): string[] {
  const out: string[] = [];
  if (!nic.up) out.push('no link: plug the cable into the rack switch');
  if (nic.ipv4.length === 0) out.push('no IPv4 address: give it one (for example 198.18.0.1/24) to serve on it');
  if (nic.wireless) out.push('Wi-Fi: PXE firmware boots over a cable');
  if (nic.defaultRoute) out.push("carries this laptop's default route: likely the office network, not the rack switch");
  if (nic.loopback) out.push('loopback: this computer only (for trying rackboot out)');
  return out;
}
