/**
 * The installer-shaped fixture ISOs and the probe initrd (test/fixtures/installers/build.sh), built on first
 * use (cached; a few seconds when stale), and the PROBE: lines the probe prints on the guest's serial console.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'installers');

export const INSTALLER_ISOS = ['debian-12-netinst.iso', 'rhel7.iso', 'rhel9.iso', 'ubuntu-24.04-live-server.iso', 'openeuler-22.03.iso'] as const;
export type InstallerIso = (typeof INSTALLER_ISOS)[number];

export interface InstallerFixtures {
  dir: string;
  /** Debian 12's debian-installer netboot kernel (Secure-Boot signed by Debian). */
  kernel: string;
  /** busybox probe initrd (see build.sh for the PROBE: line format). */
  probe: string;
  iso(name: InstallerIso): string;
}

let built: { fixtures: InstallerFixtures; reason: null } | { fixtures: null; reason: string } | undefined;

/** Builds the fixtures if needed; null fixtures with the build script's one-line reason when it cannot. */
export function installerFixtures(): { fixtures: InstallerFixtures; reason: null } | { fixtures: null; reason: string } {
  if (built) return built;
  const r = spawnSync('bash', [join(FIXTURES, 'build.sh')], { encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit status ${r.status}`).trim().split('\n').pop();
    return (built = { fixtures: null, reason: `installer fixtures not built: ${why}` });
  }
  const dir = join(FIXTURES, '.cache');
  return (built = { fixtures: { dir, kernel: join(dir, 'linux'), probe: join(dir, 'probe.cpio.gz'), iso: (name) => join(dir, name) }, reason: null });
}

export interface ProbeReport {
  start?: string;
  cmdline?: string;
  net?: { nic: string; mac: string; ip: string; prefix: string; router: string; server: string };
  answer?: { url: string; status: string; bytes: number; sha256: string };
  autoinstall: boolean;
  callbacks: { url: string; status: string }[];
  errors: string[];
  done: boolean;
  /** Every PROBE: line, without the prefix. */
  lines: string[];
}

/** Reads the PROBE: lines out of a serial console log (kernel messages may sit between them). */
export function parseProbe(serial: string): ProbeReport {
  const report: ProbeReport = { autoinstall: false, callbacks: [], errors: [], done: false, lines: [] };
  for (const raw of serial.split(/\r?\n/)) {
    const m = /PROBE: (.*)$/.exec(raw);
    if (!m) continue;
    const line = m[1]!.trimEnd();
    report.lines.push(line);
    const [word, ...rest] = line.split(' ');
    if (word === 'start') report.start = rest.join(' ');
    else if (line.startsWith('cmdline=')) report.cmdline = line.slice('cmdline='.length);
    else if (word === 'net') {
      const [nic = '', mac = '', cidr = '', router = '', server = ''] = rest;
      const [ip = '', prefix = ''] = cidr.split('/');
      report.net = { nic, mac, ip, prefix, router: router.replace(/^router=/, ''), server: server.replace(/^server=/, '') };
    } else if (word === 'answer') {
      const [url = '', status = '', bytes = '0', sha256 = ''] = rest;
      report.answer = { url, status, bytes: Number(bytes), sha256 };
    } else if (word === 'autoinstall') report.autoinstall = true;
    else if (word === 'callback') report.callbacks.push({ url: rest[0] ?? '', status: rest[1] ?? '' });
    else if (word === 'error') report.errors.push(rest.join(' '));
    else if (word === 'done') report.done = true;
  }
  return report;
}
