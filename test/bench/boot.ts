/**
 * Boot (issue 6): power-on to answer-file-fetched for real firmware in QEMU, rackboot against dnsmasq + nginx
 * set up by hand with the same bootloaders and files.
 *
 *   BIOS   SeaBIOS + QEMU's iPXE ROM (e1000): its DHCP carries user class iPXE, so both servers hand it the
 *          HTTP script at once; kernel, initrd and answer file over HTTP
 *   UEFI   OVMF's own PXE (virtio-net, no option ROM): snponly.efi over TFTP, then iPXE over HTTP
 *   chain  UEFI again, rackboot's TFTP-only chain (`machines assign --chain grub`: Debian's shim, Debian's
 *          GRUB, grub/grub.cfg, the per-machine grub.cfg, kernel and initrd, all over TFTP) against its default
 *          iPXE/HTTP path (snponly.efi over TFTP, the rest over HTTP), both with the same ISO
 *
 * The guests boot fixture ISOs (test/fixtures/installers) carrying Debian's signed kernel and a busybox probe
 * initrd that fetches the kickstart named by `inst.ks=`: `rhel9.iso` for the BIOS and UEFI rows, `rhel7.iso`
 * (byte-identical kernel and initrd) for the chain rows. rhel9.iso carries a shim, which `--chain grub` would
 * chain into its own GRUB; the fixture's GRUB there is debian-installer's (prefix /debian-installer/amd64/grub),
 * which finds no config and stops at `grub>`. rhel7.iso has no shim, so rackboot chains its bundled Debian shim
 * + GRUB, the TFTP-only chain it offers for every ISO. One sample = the time from just before QEMU is
 * spawned to the answer file's HTTP GET, as the server saw it: rackboot's own `answer` stage event (its `ts`),
 * nginx's `$msec` in the access log. Both clocks are this host's.
 *
 * The hand setup: the ISO extracted with `xorriso -osirrox` (timed, reported in the setup, never in a boot
 * time); nginx serving that tree, a static boot.ipxe and a static ks.cfg; dnsmasq (DHCP + TFTP, no DNS)
 * handing out undionly.kpxe / snponly.efi by client architecture and the boot.ipxe URL to iPXE. boot.ipxe holds
 * the kernel, initrd and arguments of rackboot's own per-machine script (fetched from a rackboot once at the
 * start), pointed at nginx's URLs. Every boot gets fresh servers (a fresh lease file, a freshly assigned
 * machine: rackboot boots an installing machine from its disk) and a fresh namespace with a bridge
 * (198.18.0.1/24) and one tap. QEMU (TCG) is pinned to the client CPU, the servers to the server CPU.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findBootloaders } from '../../electron/core/boot/bootloaders.ts';
import { installerFixtures } from '../helpers/installers.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { launchVm, qemuSkipReason, type Firmware } from '../helpers/qemu.ts';
import { CLI, CPU, REPO, log, median, nginxConfig, onCleanup, runProc, sh, startProc, startRackboot, tempDir, whenListening, type Launch, type Proc, type Row } from './shared.ts';

export const BIOS_CASE = 'BIOS (SeaBIOS + iPXE ROM), power-on to answer file';
export const UEFI_CASE = 'UEFI (OVMF PXE), power-on to answer file';
export const CHAIN_CASE = 'UEFI, TFTP-only chain (shim + GRUB) vs iPXE over HTTP';
export const CHAIN_LARGE_CASE = 'UEFI, 100 MiB initrd (RHEL 9 size): TFTP-only chain (shim + GRUB) vs iPXE over HTTP';
export const BASELINE = 'dnsmasq + nginx';
export const TFTP_ONLY = 'rackboot TFTP-only (shim + GRUB)';

export interface BootBenchOptions {
  /** Boots per setup (the median is the row). */
  repeats: number;
  /** Limit on one boot, power-on to answer file. */
  timeoutMs?: number;
}

const ADDRESS = '198.18.0.1';
const PORT = 8080;
const POOL = '198.18.0.100-198.18.0.150';
const ISO_NAME = 'rhel9.iso';
const ISO_ID = 'rhel9';
/** The chain rows' ISO: no shim of its own, so `--chain grub` is rackboot's bundled shim + GRUB (see above). */
const CHAIN_ISO_NAME = 'rhel7.iso';
/**
 * The chain rows again with an installer-sized initrd: the probe initrd (1.2 MB) followed by an uncompressed
 * cpio holding 100 MiB of random bytes (the kernel unpacks concatenated archives; RHEL 9's own
 * images/pxeboot/initrd.img is of that order). Built once from rhel7.iso with xorriso, in the bench's temp dir.
 */
const LARGE_ISO_NAME = 'rhel7-large-initrd.iso';
const LARGE_INITRD_MIB = 100;
const KERNEL = 'images/pxeboot/vmlinuz';
const INITRD = 'images/pxeboot/initrd.img';
const CONSOLE = 'ttyS0,115200n8';
const MAC = '52:54:00:6c:b0:01';
/** The machine whose script the hand-written boot.ipxe is copied from (never booted). */
const TEMPLATE_MAC = '52:54:00:6c:b0:ff';
const MEMORY_MB = 768;

type SetupKey = 'bios-rackboot' | 'bios-baseline' | 'uefi-rackboot' | 'uefi-baseline' | 'uefi-grub-tftp' | 'uefi-ipxe-http' | 'uefi-grub-tftp-large' | 'uefi-ipxe-http-large';

interface Setup {
  key: SetupKey;
  firmware: Firmware;
  server: 'rackboot' | 'baseline';
  iso: string;
  chain?: 'grub';
}

const SETUPS: Setup[] = [
  { key: 'bios-rackboot', firmware: 'bios', server: 'rackboot', iso: ISO_NAME },
  { key: 'bios-baseline', firmware: 'bios', server: 'baseline', iso: ISO_NAME },
  { key: 'uefi-rackboot', firmware: 'uefi', server: 'rackboot', iso: ISO_NAME },
  { key: 'uefi-baseline', firmware: 'uefi', server: 'baseline', iso: ISO_NAME },
  { key: 'uefi-grub-tftp', firmware: 'uefi', server: 'rackboot', iso: CHAIN_ISO_NAME, chain: 'grub' },
  { key: 'uefi-ipxe-http', firmware: 'uefi', server: 'rackboot', iso: CHAIN_ISO_NAME },
  { key: 'uefi-grub-tftp-large', firmware: 'uefi', server: 'rackboot', iso: LARGE_ISO_NAME, chain: 'grub' },
  { key: 'uefi-ipxe-http-large', firmware: 'uefi', server: 'rackboot', iso: LARGE_ISO_NAME },
];

/** rhel7.iso with the large initrd (see LARGE_ISO_NAME), written into `dir`. */
function buildLargeInitrdIso(source: string, dir: string): string {
  const out = join(dir, LARGE_ISO_NAME);
  const initrd = join(dir, 'initrd.img');
  const pad = join(dir, 'pad');
  mkdirSync(pad, { recursive: true });
  sh('xorriso', ['-osirrox', 'on', '-indev', source, '-extract', `/${INITRD}`, initrd]);
  sh('dd', ['if=/dev/urandom', `of=${join(pad, 'rackboot-padding.bin')}`, 'bs=1M', `count=${LARGE_INITRD_MIB}`, 'status=none']);
  // The next archive must start on a 4-byte boundary; the kernel skips the zeros in between.
  sh('sh', ['-c', `s=$(stat -c %s '${initrd}'); head -c $(( (4 - s % 4) % 4 )) /dev/zero >>'${initrd}'; cd '${pad}' && echo rackboot-padding.bin | cpio --quiet -o -H newc >>'${initrd}'`]);
  sh('xorriso', ['-indev', source, '-outdev', out, '-boot_image', 'any', 'replay', '-map', initrd, `/${INITRD}`, '-commit']);
  return out;
}

/** One boot: seconds to the answer file, and when each step happened (seconds from power-on). */
interface Sample {
  ms: number;
  steps: Record<string, number>;
}

interface Outcome {
  samples: Sample[];
  errors: string[];
}

/** What the hand setup serves, built once. */
interface Baseline {
  www: string;
  tftp: string;
  bootIpxe: string;
  ksCfg: string;
  extractMs: number;
  dnsmasqArgs: (work: string, bridge: string) => string[];
  nginxConf: (work: string) => string;
}

// ---------------------------------------------------------------------------------------------------------
// Network and guest

/** A bridge in a namespace of its own (test/helpers/netns.ts), removed by the bench's cleanup as well. */
function benchNet(): { net: TestNet; destroy: () => Promise<void> } {
  const net = createTestNet({ address: ADDRESS, prefix: 24 });
  const destroy = onCleanup(() => {
    // Anything still inside was started by this bench (servers and guests are stopped before this runs).
    let pids: number[] = [];
    try {
      pids = sh('ip', ['netns', 'pids', net.ns]).split('\n').filter(Boolean).map(Number);
    } catch {
      // Already gone.
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    net.destroy();
  });
  return { net, destroy };
}

/** Pins every thread of a process (threads it starts later inherit it); affinity survives `ip netns exec`'s exec. */
function pin(pid: number | undefined, cpu: string): void {
  if (pid !== undefined) spawnSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
}

/** The last lines of the guest console, without terminal escapes, for a failed boot's log line. */
function consoleTail(serial: string, lines = 6): string {
  // eslint-disable-next-line no-control-regex
  const plain = serial.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]/g, '').replace(/\r/g, '');
  return plain
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ');
}

// ---------------------------------------------------------------------------------------------------------
// The servers, per boot

/** A started server and how to read, from its own log, when the answer file was fetched. */
interface Served {
  procs: Proc[];
  /** Epoch ms of the answer file's GET, or null (not yet). */
  answerAt(): number | null;
  /** Epoch ms of each step the server logged (first time seen). */
  steps(): Record<string, number>;
  /** The servers' logs, for a failed boot's artifact. */
  logText(): string;
}

async function startRackbootFor(s: Setup, net: TestNet, work: string, iso: string): Promise<Served | { reason: string }> {
  const data = join(work, 'data');
  const assign = await runProc(process.execPath, [CLI, 'machines', 'assign', MAC, '--iso', iso, '--hostname', 'node1', '--data', data, ...(s.chain ? ['--chain', s.chain] : [])], {}, 60_000);
  if (assign.code !== 0) return { reason: `rackboot machines assign exited ${assign.code}: ${assign.stderr.trim().split('\n').at(-1) ?? ''}` };
  const launched = await startRackboot(serveArgs(net.bridge, data, iso), { ns: net.ns, cpu: CPU.server }, ['dhcp', 'tftp', 'http']);
  if ('reason' in launched) return launched;
  const stages: Record<string, number> = {};
  const lines: string[] = [];
  createInterface({ input: launched.proc.child.stdout! }).on('line', (line) => {
    try {
      const e = JSON.parse(line) as { event?: string; ts?: number; service?: string; level?: string; mac?: string; msg?: string; fields?: { stage?: unknown } };
      if (e.event !== 'log') return;
      if (lines.length < 5000) lines.push(`${new Date(e.ts ?? 0).toISOString().slice(11, 23)} ${e.service} ${e.level} ${e.msg}`);
      if (e.mac === MAC && typeof e.fields?.stage === 'string' && typeof e.ts === 'number') stages[e.fields.stage] ??= e.ts;
    } catch {
      // Not JSON.
    }
  });
  return { procs: [launched.proc], answerAt: () => stages.answer ?? null, steps: () => ({ ...stages }), logText: () => `rackboot serve ${serveArgs(net.bridge, data, iso).join(' ')}\n${lines.join('\n')}\n${launched.proc.stderr()}` };
}

function serveArgs(bridge: string, data: string, iso: string): string[] {
  return ['--interface', bridge, '--dhcp', 'full', '--pool', POOL, '--http-port', String(PORT), '--log', 'json', '--data', data, '--iso', iso, '--console', CONSOLE, '--unknown', 'ignore'];
}

/** nginx's access log: `$msec $status $request_uri`, one line per request. */
function accessLog(path: string): { ms: number; status: string; uri: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length >= 3)
    .map(([msec, status, uri]) => ({ ms: Number(msec) * 1000, status: status!, uri: uri! }));
}

async function startBaseline(b: Baseline, net: TestNet, work: string): Promise<Served | { reason: string }> {
  writeFileSync(join(work, 'nginx.conf'), b.nginxConf(work));
  const nginx = startProc('nginx', ['-p', work, '-e', join(work, 'nginx-error.log'), '-c', join(work, 'nginx.conf')], { ns: net.ns, cpu: CPU.server });
  const n: Launch = await whenListening(nginx, 'nginx', net.ns, 'tcp', ADDRESS, PORT);
  if ('reason' in n) return n;
  const dnsmasq = startProc('dnsmasq', b.dnsmasqArgs(work, net.bridge), { ns: net.ns, cpu: CPU.server });
  // DHCP's socket is bound before TFTP's, so TFTP listening means both are up.
  const d: Launch = await whenListening(dnsmasq, 'dnsmasq', net.ns, 'udp', ADDRESS, 69);
  if ('reason' in d) {
    await nginx.stop();
    return d;
  }
  const access = join(work, 'access.log');
  const first = () => {
    const steps: Record<string, number> = {};
    for (const r of accessLog(access)) steps[r.uri] ??= r.ms;
    return steps;
  };
  return {
    procs: [dnsmasq, nginx],
    answerAt: () => accessLog(access).find((r) => r.uri === '/ks.cfg' && r.status === '200')?.ms ?? null,
    steps: first,
    logText: () => ['dnsmasq.log', 'access.log', 'nginx-error.log'].map((f) => `== ${f}\n${existsSync(join(work, f)) ? readFileSync(join(work, f), 'utf8') : '(none)'}`).join('\n'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The hand setup, built once

/** rackboot's per-machine iPXE script for an assigned machine, fetched from a running rackboot. */
async function rackbootScript(iso: string): Promise<{ kernel: string; initrd: string; script: string }> {
  const { net, destroy } = benchNet();
  const work = tempDir('boot-template');
  try {
    const data = join(work, 'data');
    const assign = await runProc(process.execPath, [CLI, 'machines', 'assign', TEMPLATE_MAC, '--iso', iso, '--hostname', 'node1', '--data', data], {}, 60_000);
    if (assign.code !== 0) throw new Error(`rackboot machines assign exited ${assign.code}: ${assign.stderr.trim()}`);
    const launched = await startRackboot(serveArgs(net.bridge, data, iso), { ns: net.ns, cpu: CPU.server }, ['http']);
    if ('reason' in launched) throw new Error(`rackboot: ${launched.reason}`);
    try {
      const url = `http://${ADDRESS}:${PORT}/boot/${TEMPLATE_MAC.replaceAll(':', '-')}.ipxe`;
      const r = await runProc('curl', ['-sS', '--fail', url], { ns: net.ns }, 30_000);
      if (r.code !== 0) throw new Error(`curl ${url}: ${r.stderr.trim()}`);
      const kernel = /^kernel (.+?) \|\| goto failed$/m.exec(r.stdout)?.[1];
      const initrd = /^initrd (.+?) \|\| goto failed$/m.exec(r.stdout)?.[1];
      if (!kernel || !initrd) throw new Error(`no kernel/initrd lines in rackboot's script:\n${r.stdout}`);
      return { kernel, initrd, script: r.stdout };
    } finally {
      await launched.proc.stop();
    }
  } finally {
    await destroy();
  }
}

async function buildBaseline(iso: string): Promise<Baseline> {
  const dir = tempDir('boot-baseline');
  const www = join(dir, 'www');
  const tftp = join(dir, 'tftp');
  mkdirSync(www);
  mkdirSync(join(tftp, ISO_ID), { recursive: true });
  // What the hand setup needs before nginx can serve anything: the ISO's files on disk.
  const t0 = performance.now();
  const x = await runProc('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', join(www, ISO_ID)], {}, 600_000);
  const extractMs = performance.now() - t0;
  if (x.code !== 0) throw new Error(`xorriso extraction failed: ${x.stderr.trim().split('\n').at(-1)}`);
  // dnsmasq's TFTP root: the bootloaders rackboot serves (same files) and the kernel and initrd.
  const loaders = findBootloaders();
  for (const name of ['undionly.kpxe', 'snponly.efi', 'ipxe.efi', 'lpxelinux.0', 'ldlinux.c32']) {
    const f = loaders.files.get(name);
    if (!f) throw new Error(`bootloader ${name} not found (npm run bootloaders)`);
    copyFileSync(f, join(tftp, name));
  }
  copyFileSync(join(www, ISO_ID, KERNEL), join(tftp, ISO_ID, 'vmlinuz'));
  copyFileSync(join(www, ISO_ID, INITRD), join(tftp, ISO_ID, 'initrd.img'));

  // boot.ipxe: rackboot's kernel line and initrd line, pointed at nginx; BOOTIF from iPXE's own variable.
  const r = await rackbootScript(iso);
  const base = `http://${ADDRESS}:${PORT}`;
  const toNginx = (s: string) =>
    s
      .replaceAll(`${base}/iso/${ISO_ID}/`, `${base}/${ISO_ID}/`)
      .replace(/inst\.ks=\S+/, `inst.ks=${base}/ks.cfg`)
      .replace(`BOOTIF=01-${TEMPLATE_MAC.replaceAll(':', '-')}`, 'BOOTIF=01-${netX/mac:hexhyp}');
  const bootIpxe = ['#!ipxe', '# by hand: the kernel, initrd and arguments rackboot hands an assigned machine, from nginx', `kernel ${toNginx(r.kernel)}`, `initrd ${toNginx(r.initrd)}`, 'boot', ''].join('\n');
  if (bootIpxe.includes('/answers/') || bootIpxe.includes('/iso/')) throw new Error(`boot.ipxe still points at rackboot:\n${bootIpxe}`);
  writeFileSync(join(www, 'boot.ipxe'), bootIpxe);
  const ksCfg = ['# by hand: kickstart for the baseline (dnsmasq + nginx)', `url --url=${base}/${ISO_ID}/`, 'text', 'network --bootproto=dhcp --hostname=node1', ''].join('\n');
  writeFileSync(join(www, 'ks.cfg'), ksCfg);

  const dnsmasqArgs = (work: string, bridge: string) => [
    '--no-daemon',
    '--port=0',
    '--conf-file=/dev/null',
    '--user=root',
    `--interface=${bridge}`,
    '--bind-interfaces',
    `--dhcp-range=${POOL.replace('-', ',')},255.255.255.0,1h`,
    `--dhcp-leasefile=${join(work, 'leases')}`,
    '--dhcp-authoritative',
    '--no-ping',
    '--dhcp-userclass=set:ipxe,iPXE',
    '--dhcp-match=set:efi64,option:client-arch,7',
    `--dhcp-boot=tag:ipxe,${base}/boot.ipxe`,
    '--dhcp-boot=tag:!ipxe,tag:efi64,snponly.efi',
    '--dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe',
    '--enable-tftp',
    `--tftp-root=${tftp}`,
    `--pid-file=${join(work, 'dnsmasq.pid')}`,
    '--log-dhcp',
    `--log-facility=${join(work, 'dnsmasq.log')}`,
  ];
  const nginxConf = (work: string) =>
    nginxConfig({ dir: work, listen: `${ADDRESS}:${PORT}`, root: www, errorLog: join(work, 'nginx-error.log'), logFormat: '$msec $status $request_uri $remote_addr $body_bytes_sent' });
  return { www, tftp, bootIpxe, ksCfg, extractMs, dnsmasqArgs, nginxConf };
}

// ---------------------------------------------------------------------------------------------------------
// One boot

/** A bootloader waiting at its own prompt: nothing more will happen without a keyboard. */
const PROMPT = /(?:^|\n)\s*(?:grub>|iPXE>|boot:)\s*$/;

/** Where a failed boot's console and server logs go (test/artifacts, next to the bench JSON). */
function saveFailure(s: Setup, run: number, text: string): string {
  const dir = join(REPO, 'test', 'artifacts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-boot-failed-${s.key}-run${run}.log`);
  writeFileSync(file, text);
  return file;
}

let largeIsoDir = '';

async function bootOnce(s: Setup, run: number, isoDir: string, baseline: Baseline | null, timeoutMs: number): Promise<Sample> {
  const { net, destroy } = benchNet();
  const work = tempDir(`boot-${s.key}`);
  try {
    const served = s.server === 'rackboot' ? await startRackbootFor(s, net, work, join(s.iso === LARGE_ISO_NAME ? largeIsoDir : isoDir, s.iso)) : await startBaseline(baseline!, net, work);
    if ('reason' in served) throw new Error(served.reason);
    const tap = net.addTap();
    try {
      const t0 = Date.now();
      const vm = launchVm({ net, tap, firmware: s.firmware, mac: MAC, workDir: work, memoryMb: MEMORY_MB });
      const killVm = onCleanup(() => vm.kill());
      pin(vm.proc.pid, CPU.client);
      try {
        let offSince: number | null = null;
        let promptSince: number | null = null;
        for (;;) {
          const at = served.answerAt();
          if (at !== null) {
            const steps = Object.fromEntries(Object.entries(served.steps()).map(([k, v]) => [k, Math.round(v - t0) / 1000]));
            return { ms: at - t0, steps };
          }
          if (vm.proc.exitCode !== null || vm.proc.signalCode !== null) offSince ??= Date.now();
          // eslint-disable-next-line no-control-regex
          if (PROMPT.test(vm.serial().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, ''))) promptSince ??= Date.now();
          else promptSince = null;
          const off = offSince !== null && Date.now() - offSince > 3000;
          const stuck = promptSince !== null && Date.now() - promptSince > 5000;
          if (off || stuck || Date.now() - t0 > timeoutMs) {
            const steps = JSON.stringify(Object.fromEntries(Object.entries(served.steps()).map(([k, v]) => [k, Math.round(v - t0) / 1000])));
            const why = off ? 'before the guest powered off' : stuck ? 'before the guest stopped at a bootloader prompt' : `within ${timeoutMs / 1000} s`;
            const file = saveFailure(s, run, `${s.key} run ${run}: no answer-file GET ${why}\n\n== guest console\n${vm.serial()}\n\n== servers\n${served.logText()}\n`);
            throw new Error(`no answer-file GET ${why} (${Math.round((Date.now() - t0) / 1000)} s); steps ${steps}; console: ${consoleTail(vm.serial())}; logs in ${file}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await killVm();
      }
    } finally {
      for (const p of served.procs) await p.stop();
    }
  } finally {
    await destroy();
    spawnSync('rm', ['-rf', work]);
  }
}

// ---------------------------------------------------------------------------------------------------------

function toolVersion(cmd: string, args: string[], pattern: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return pattern.exec(`${r.stdout ?? ''}\n${r.stderr ?? ''}`)?.[1] ?? 'unknown';
}

function packageVersions(names: string[]): Record<string, string> {
  const r = spawnSync('dpkg-query', ['-W', ...names], { encoding: 'utf8' });
  return Object.fromEntries((r.stdout ?? '').split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]));
}

export async function benchBoot(o: BootBenchOptions): Promise<{ rows: Row[]; setup: Record<string, unknown> }> {
  const timeoutMs = o.timeoutMs ?? 300_000;
  const rows: Row[] = [];
  const unavailable = (note: string): { rows: Row[]; setup: Record<string, unknown> } => {
    for (const [c, servers] of [
      [BIOS_CASE, [BASELINE, 'rackboot']],
      [UEFI_CASE, [BASELINE, 'rackboot']],
      [CHAIN_CASE, [TFTP_ONLY, 'rackboot']],
      [CHAIN_LARGE_CASE, [TFTP_ONLY, 'rackboot']],
    ] as const) {
      for (const server of servers) rows.push({ bench: 'boot', case: c, server, unit: 'ms', better: 'lower', value: null, samples: [], note });
    }
    return { rows, setup: { skipped: note } };
  };
  const why = qemuSkipReason('bios') ?? qemuSkipReason('uefi');
  if (why) return unavailable(`not available: ${why}`);
  for (const t of ['dnsmasq', 'nginx', 'xorriso', 'curl', 'taskset']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return unavailable(`not available: ${t} missing (build/scripts/install-test-tools.sh)`);
  }
  const fixtures = installerFixtures();
  if (!fixtures.fixtures) return unavailable(`not available: ${fixtures.reason}`);
  const iso = fixtures.fixtures.iso(ISO_NAME);
  const isoDir = fixtures.fixtures.dir;

  log('boot: extracting the ISO and writing the hand setup (dnsmasq + nginx)');
  let baseline: Baseline | null = null;
  let baselineError: string | null = null;
  try {
    baseline = await buildBaseline(iso);
  } catch (e) {
    baselineError = (e as Error).message;
    log(`  baseline not built: ${baselineError}`);
  }

  log(`boot: building ${LARGE_ISO_NAME} (${LARGE_INITRD_MIB} MiB initrd)`);
  largeIsoDir = tempDir('boot-large-initrd');
  onCleanup(() => void spawnSync('rm', ['-rf', largeIsoDir]));
  buildLargeInitrdIso(fixtures.fixtures.iso(CHAIN_ISO_NAME), largeIsoDir);

  const outcomes = new Map<SetupKey, Outcome>(SETUPS.map((s) => [s.key, { samples: [], errors: [] }]));
  for (let i = 0; i < o.repeats; i++) {
    // Alternate the order round by round: drift on a busy machine then hits every setup alike.
    const order = i % 2 === 0 ? SETUPS : [...SETUPS].reverse();
    for (const s of order) {
      const out = outcomes.get(s.key)!;
      if (s.server === 'baseline' && !baseline) {
        if (!out.errors.length) out.errors.push(`baseline not built: ${baselineError}`);
        continue;
      }
      // A setup that failed every time so far will not start working: skip its remaining runs.
      if (i > 0 && out.samples.length === 0) continue;
      try {
        const sample = await bootOnce(s, i + 1, isoDir, baseline, timeoutMs);
        out.samples.push(sample);
        log(`  boot ${s.key} run ${i + 1}/${o.repeats}: ${(sample.ms / 1000).toFixed(1)} s ${JSON.stringify(sample.steps)}`);
      } catch (e) {
        out.errors.push((e as Error).message);
        log(`  boot ${s.key} run ${i + 1}/${o.repeats} failed: ${(e as Error).message}`);
      }
    }
  }

  const row = (c: string, server: string, key: SetupKey, extra: Record<string, unknown> = {}): Row => {
    const out = outcomes.get(key)!;
    const ms = out.samples.map((s) => s.ms);
    const detail = { setup: key, ...extra, runs: out.samples.map((s) => ({ seconds: s.ms / 1000, steps: s.steps })), ...(out.errors.length ? { errors: out.errors } : {}) };
    if (!ms.length) return { bench: 'boot', case: c, server, unit: 'ms', better: 'lower', value: null, samples: [], note: `failed: ${(out.errors[0] ?? 'no run').slice(0, 300)}`, detail };
    return { bench: 'boot', case: c, server, unit: 'ms', better: 'lower', value: median(ms), samples: ms, detail };
  };
  const ipxeChain = { chain: 'DHCP -> iPXE (BIOS: the ROM itself; UEFI: snponly.efi over TFTP) -> script, kernel, initrd over HTTP' };
  rows.push(row(BIOS_CASE, BASELINE, 'bios-baseline', ipxeChain));
  rows.push(row(BIOS_CASE, 'rackboot', 'bios-rackboot', ipxeChain));
  rows.push(row(UEFI_CASE, BASELINE, 'uefi-baseline', ipxeChain));
  rows.push(row(UEFI_CASE, 'rackboot', 'uefi-rackboot', ipxeChain));
  const chainIso = { iso: CHAIN_ISO_NAME };
  rows.push(row(CHAIN_CASE, TFTP_ONLY, 'uefi-grub-tftp', { ...chainIso, chain: 'OVMF PXE -> shimx64.efi -> grubx64.efi (Debian signed) -> grub/grub.cfg -> grub.cfg-<mac> -> kernel, initrd: all TFTP' }));
  rows.push(row(CHAIN_CASE, 'rackboot', 'uefi-ipxe-http', { ...chainIso, chain: 'OVMF PXE -> snponly.efi (TFTP) -> iPXE: script, kernel, initrd over HTTP' }));
  const largeIso = { iso: `${LARGE_ISO_NAME}: ${CHAIN_ISO_NAME} with ${LARGE_INITRD_MIB} MiB of random bytes appended to its initrd as a second cpio archive` };
  rows.push(row(CHAIN_LARGE_CASE, TFTP_ONLY, 'uefi-grub-tftp-large', { ...largeIso, chain: 'as the TFTP-only row above' }));
  rows.push(row(CHAIN_LARGE_CASE, 'rackboot', 'uefi-ipxe-http-large', { ...largeIso, chain: 'as the iPXE/HTTP row above' }));

  return {
    rows,
    setup: {
      measured: 'Date.now() just before QEMU is spawned -> the answer file GET as the server logged it (rackboot: its `answer` stage event ts; nginx: $msec in the access log); median of the runs',
      repeats: o.repeats,
      order: 'round-robin over the setups, reversed every other round; fresh namespace, servers, leases and machine data for every boot',
      timeoutSeconds: timeoutMs / 1000,
      guest: {
        iso: `test/fixtures/installers/.cache/${ISO_NAME} (chain rows: ${CHAIN_ISO_NAME}, the same kernel and initrd bytes): Debian's signed d-i kernel + busybox probe initrd that fetches inst.ks=`,
        mac: MAC,
        memoryMb: MEMORY_MB,
        qemu: toolVersion('qemu-system-x86_64', ['--version'], /QEMU emulator version (\S+)/),
        accel: 'tcg',
        bios: 'pc machine, SeaBIOS, e1000 with QEMU\'s iPXE ROM (/usr/lib/ipxe/qemu/efi-e1000.rom)',
        uefi: 'q35, OVMF_CODE_4M.fd (Secure Boot off), virtio-net with romfile= (OVMF\'s own PXE)',
        packages: packageVersions(['ovmf', 'seabios', 'ipxe-qemu', 'ipxe']),
        cpu: `QEMU pinned to CPU ${CPU.client}, servers to CPU ${CPU.server}`,
      },
      network: `per boot: namespace with a bridge ${ADDRESS}/24 and one tap (test/helpers/netns.ts)`,
      rackboot: {
        assign: `rackboot machines assign ${MAC} --iso ${ISO_NAME} --hostname node1 --data DIR (chain rows: --iso ${CHAIN_ISO_NAME} [--chain grub])`,
        serve: `rackboot serve ${serveArgs('rackbr0', 'DIR', ISO_NAME).join(' ')}`,
      },
      baseline: baseline
        ? {
            extraction: `xorriso -osirrox on -indev ${ISO_NAME} -extract / www/${ISO_ID}`,
            extractSeconds: Math.round(baseline.extractMs) / 1000,
            dnsmasq: { version: toolVersion('dnsmasq', ['--version'], /Dnsmasq version (\S+)/), args: baseline.dnsmasqArgs('WORK', 'rackbr0') },
            nginx: { version: toolVersion('nginx', ['-v'], /nginx\/(\S+)/), conf: baseline.nginxConf('WORK') },
            tftpRoot: "undionly.kpxe, snponly.efi, ipxe.efi, lpxelinux.0, ldlinux.c32 (the files rackboot serves) + rhel9/vmlinuz, rhel9/initrd.img",
            bootIpxe: baseline.bootIpxe,
            ksCfg: baseline.ksCfg,
          }
        : { error: baselineError },
    },
  };
}
