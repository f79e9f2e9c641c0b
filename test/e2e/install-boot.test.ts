/**
 * Real firmware boots an installer out of an ISO that rackboot serves without extracting it, fetches its own
 * answer file with the right kernel arguments, calls back when done, and boots its local disk afterwards
 * (the seed-003 reinstall loop, closed). Each cell: a fresh namespace (198.18.0.0/24 on a bridge), a machine
 * planned with `rackboot machines assign`, `rackboot serve`, one QEMU guest. Probe ISOs carry Debian's signed
 * kernel and a busybox probe initrd that reports what it was given (test/fixtures/installers); the Debian ISO
 * carries the real debian-installer, which must fetch its preseed.
 *
 * CI runs this representative subset; every cell of the matrix is `npm run test:matrix`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installerFixtures, parseProbe, type InstallerIso } from '../helpers/installers.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { launchVm, qemuSkipReason, type Firmware, type Vm } from '../helpers/qemu.ts';
import { runCli, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';

type LogLine = { event: string; service?: string; level?: string; mac?: string; ip?: string; msg?: string; fields?: Record<string, unknown> };

export interface Cell {
  name: string;
  firmware: Firmware;
  mode: 'full' | 'proxy';
  iso: InstallerIso;
  chain?: 'auto' | 'ipxe' | 'pxelinux' | 'grub';
  secureBoot?: 'on' | 'off';
  /** Kernel arguments the guest must have been given. */
  expectArgs: RegExp[];
  /** The real debian-installer: it fetches its preseed but cannot finish an install here. */
  realInstaller?: boolean;
  extra?: string[];
  /**
   * Secure Boot firmware with nothing marked for the machine: rackboot hands out iPXE, the firmware refuses
   * it, and rackboot must notice and hand out shim + GRUB next (the guest is power-cycled once when its
   * firmware gives up instead of retrying, as a technician would).
   */
  detectSecureBoot?: boolean;
}

export const CELLS: Cell[] = [
  { name: 'SeaBIOS + iPXE ROM, full DHCP, RHEL 9 family', firmware: 'bios', mode: 'full', iso: 'rhel9.iso', expectArgs: [/inst\.ks=http:\/\/198\.18\.0\.1:8080\/answers\/[0-9a-f-]+\/ks\.cfg/, /inst\.repo=http:\/\/198\.18\.0\.1:8080\/iso\/rhel9\//] },
  { name: 'OVMF PXE (snponly.efi -> iPXE), proxy DHCP beside dnsmasq, Ubuntu 24.04', firmware: 'uefi', mode: 'proxy', iso: 'ubuntu-24.04-live-server.iso', expectArgs: [/url=http:\/\/198\.18\.0\.1:8080\/iso\/ubuntu-24\.04-live-server\.iso/, /ds=nocloud-net;s=http:\/\/198\.18\.0\.1:8080\/answers\/[0-9a-f-]+\//, /autoinstall/] },
  { name: 'OVMF Secure Boot (shim -> GRUB -> signed kernel), full DHCP, Debian 12 real installer', firmware: 'uefi-secureboot', mode: 'full', iso: 'debian-12-netinst.iso', secureBoot: 'on', realInstaller: true, expectArgs: [/url=http:\/\/198\.18\.0\.1:8080\/answers\/[0-9a-f-]+\/preseed\.cfg/] },
  { name: 'OVMF Secure Boot not marked: refused iPXE detected, then shim -> GRUB, full DHCP, Debian 12 real installer', firmware: 'uefi-secureboot', mode: 'full', iso: 'debian-12-netinst.iso', detectSecureBoot: true, realInstaller: true, expectArgs: [] },
];

/** `npm run test:matrix`: every firmware chain x DHCP mode x installer ISO, with a Markdown + JSON table. */
const MATRIX = process.env.RACKBOOT_MATRIX === '1';

function matrixCells(): Cell[] {
  const chains: { label: string; firmware: Firmware; chain?: Cell['chain']; secureBoot?: 'on'; modes: Cell['mode'][] }[] = [
    { label: 'SeaBIOS + iPXE ROM', firmware: 'bios', modes: ['full', 'proxy'] },
    { label: 'SeaBIOS + lpxelinux', firmware: 'bios', chain: 'pxelinux', modes: ['full', 'proxy'] },
    { label: 'OVMF PXE -> iPXE', firmware: 'uefi', modes: ['full', 'proxy'] },
    // Full mode only: under ProxyDHCP, Debian's signed GRUB takes its TFTP server from the site DHCP server's
    // answer (siaddr / option 54), not from rackboot's proxy offer, and stops at `grub>` (seen in QEMU; the
    // reference's efinet note). Secure Boot machines beside a site DHCP server need full mode on an isolated
    // switch, or the site DHCP's next-server pointed at rackboot (DHCP "off" mode).
    { label: 'OVMF Secure Boot -> shim -> GRUB', firmware: 'uefi-secureboot', secureBoot: 'on', modes: ['full'] },
    { label: 'OVMF HTTP boot -> iPXE', firmware: 'uefi', modes: ['full'] },
  ];
  const isos: [InstallerIso, RegExp[], boolean][] = [
    ['debian-12-netinst.iso', [/auto=true/, /url=http:\/\/198\.18\.0\.1:8080\/answers\/[0-9a-f-]+\/preseed\.cfg/], true],
    ['rhel7.iso', [/inst\.ks=http:\/\/198\.18\.0\.1:8080\/answers\/[0-9a-f-]+\/ks\.cfg/, /inst\.repo=/], false],
    ['rhel9.iso', [/inst\.ks=/, /inst\.repo=http:\/\/198\.18\.0\.1:8080\/iso\/rhel9\//], false],
    ['ubuntu-24.04-live-server.iso', [/url=http:\/\/198\.18\.0\.1:8080\/iso\/ubuntu-24\.04-live-server\.iso/, /autoinstall/], false],
    ['openeuler-22.03.iso', [/inst\.ks=/, /inst\.repo=/], false],
  ];
  const out: Cell[] = [];
  for (const c of chains) {
    for (const mode of c.modes) {
      for (const [iso, expectArgs, realInstaller] of isos) {
        const http = c.label.includes('HTTP boot');
        out.push({
          name: `${c.label}, ${mode} DHCP, ${iso}`,
          firmware: c.firmware,
          mode,
          iso,
          expectArgs,
          realInstaller,
          ...(c.chain ? { chain: c.chain } : {}),
          ...(c.secureBoot ? { secureBoot: c.secureBoot } : {}),
          // OVMF's fw_cfg switches turn PXE off, so the firmware goes straight to HTTP boot.
          ...(http ? { extra: ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n', '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n'] } : {}),
        });
      }
    }
  }
  return out;
}

const built = installerFixtures();
const skip = announceSkip(
  'e2e installs',
  netnsSkipReason() ?? qemuSkipReason('bios') ?? qemuSkipReason('uefi') ?? qemuSkipReason('uefi-secureboot') ?? built.reason,
  { requiredInCi: true },
);

/** The guest console without terminal escapes (debian-installer draws a full-screen UI). */
// eslint-disable-next-line no-control-regex
const plainConsole = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]/g, '');

/** The first log line matching `test`; fails early once the guest has been off for 5 s without it. */
function waitFor(server: Running, test: (l: LogLine) => boolean, timeoutMs: number, what: string, vm: Vm): Promise<LogLine> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let offSince: number | null = null;
    const poll = setInterval(() => {
      const hit = (server.lines as LogLine[]).find(test);
      if (hit) {
        clearInterval(poll);
        resolve(hit);
        return;
      }
      if (vm.proc.exitCode !== null || vm.proc.signalCode !== null) offSince ??= Date.now();
      if (Date.now() - started > timeoutMs || (offSince !== null && Date.now() - offSince > 5000)) {
        clearInterval(poll);
        const log = (server.lines as LogLine[]).map((l) => `${l.service} ${l.mac ?? ''} ${l.msg}`).join('\n');
        reject(new Error(`${what}: not seen within ${Math.round((Date.now() - started) / 1000)} s${offSince ? ' (the guest powered off)' : ''}\nrackboot log:\n${log.slice(-5000)}\nguest console:\n${plainConsole(vm.serial()).slice(-6000)}`));
      }
    }, 250);
  });
}

const stageIs = (mac: string, stage: string) => (l: LogLine) => l.mac === mac && l.fields?.stage === stage;

/**
 * Every cell installs with a real answer profile (shared/answers), imported with `rackboot answers import` and
 * assigned with `machines assign --profile`: the guest fetches the file rendered for its family, its MAC and
 * its ISO. Password "rackboot" (openssl passwd -6).
 */
const PROFILE = {
  name: 'e2e',
  locale: { language: 'en_US.UTF-8', keyboard: 'us', timezone: 'Europe/Berlin' },
  network: { mode: 'dhcp', domain: 'rack.test' },
  disk: { target: 'auto', layout: 'lvm' },
  accounts: {
    root: { hash: '$6$rackbootE2Etest0$ie6n44uIQh/jgSzcm.f5vdyDq1dIhYruWLQ2R4Dc1UJ0A8iMevtu.O1XyUa4UbfD0.DxSyAvroytT0/d.YzwJ/' },
    user: { name: 'ops', fullName: 'Rack Ops', password: { hash: '$6$rackbootE2Etest0$ie6n44uIQh/jgSzcm.f5vdyDq1dIhYruWLQ2R4Dc1UJ0A8iMevtu.O1XyUa4UbfD0.DxSyAvroytT0/d.YzwJ/' }, admin: true },
  },
  packages: { install: ['vim'] },
  postScript: 'echo installed by rackboot > /etc/motd',
};

let n = 0;
/** One cell end to end; returns timings for the matrix table. */
export async function runCell(cell: Cell): Promise<Record<string, number>> {
  const fixtures = built.fixtures!;
  const mac = `52:54:00:6c:00:${(++n).toString(16).padStart(2, '0')}`;
  const net: TestNet = createTestNet();
  const work = tempDir('rackboot-e2e-install-');
  const data = `${work.path}/data`;
  let site: ChildProcess | null = null;
  let server: Running | null = null;
  const vms: Vm[] = [];
  const timings: Record<string, number> = {};
  try {
    const iso = fixtures.iso(cell.iso);
    const profileFile = join(work.path, 'profile.json');
    writeFileSync(profileFile, JSON.stringify(PROFILE));
    const imported = await runCli(['answers', 'import', profileFile, '--data', data], { timeoutMs: 30_000 });
    expect(imported.code, imported.stderr).toBe(0);
    const assign = await runCli(['machines', 'assign', mac, '--iso', iso, '--hostname', 'node1', '--profile', 'e2e', '--data', data, ...(cell.chain ? ['--chain', cell.chain] : []), ...(cell.secureBoot ? ['--secure-boot', cell.secureBoot] : [])], { timeoutMs: 30_000 });
    expect(assign.code, assign.stderr).toBe(0);
    if (cell.mode === 'proxy') {
      const host = net.addHost('198.18.0.2');
      site = host.spawn('dnsmasq', [
        '--no-daemon', '--port=0', '--conf-file=/dev/null', `--interface=${host.iface}`, '--bind-interfaces',
        '--dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,1h', `--dhcp-leasefile=${work.path}/site.leases`, '--dhcp-authoritative',
        // A site DHCP server names a DNS server (dnsmasq with --port=0 would not): debian-installer stops and asks without one.
        '--dhcp-option=option:dns-server,198.18.0.2',
      ]);
    }
    const args = ['serve', '--interface', net.bridge, '--dhcp', cell.mode, '--http-port', '8080', '--log', 'json', '--data', data, '--iso', iso, '--console', 'ttyS0,115200n8', '--unknown', 'ignore'];
    if (cell.mode === 'full') args.push('--pool', '198.18.0.100-198.18.0.150');
    server = await startCli(args, { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
    expect(server.first).toMatchObject({ event: 'ready', services: { iso: { state: 'running' } } });

    const t0 = Date.now();
    let vm = launchVm({ net, tap: net.addTap(), firmware: cell.firmware, mac, workDir: work.path, memoryMb: cell.realInstaller ? 1024 : 768, extra: cell.extra });
    vms.push(vm);
    if (cell.detectSecureBoot) {
      await waitFor(server, (l) => l.mac === mac && l.service === 'tftp' && /snponly\.efi/.test(String(l.fields?.path)) && l.fields?.outcome === 'ok', 180_000, `iPXE downloaded by ${mac}`, vm);
      const detected = (l: LogLine) => l.mac === mac && l.fields?.detected === true && l.fields?.secureBoot === 'on';
      const retried = await waitFor(server, detected, 20_000, `Secure Boot detected for ${mac}`, vm).then(
        () => true,
        () => false,
      );
      timings.refusedRetried = retried ? 1 : 0;
      if (!retried) {
        // The firmware gave up after the refusal (OVMF stops at its boot manager): power-cycle it.
        await vm.kill();
        vm = launchVm({ net, tap: net.addTap(), firmware: cell.firmware, mac, workDir: work.path, memoryMb: cell.realInstaller ? 1024 : 768, extra: cell.extra });
        vms.push(vm);
        await waitFor(server, detected, 180_000, `Secure Boot detected for ${mac} after a power cycle`, vm);
      }
      // Nothing but iPXE before the refusal was noticed; shim only after.
      const lines = server.lines as LogLine[];
      const shimAt = lines.findIndex((l) => l.mac === mac && l.service === 'tftp' && /shimx64\.efi/i.test(String(l.fields?.path)));
      expect(shimAt === -1 || shimAt > lines.findIndex(detected)).toBe(true);
    }
    await waitFor(server, stageIs(mac, 'kernel'), 240_000, `kernel fetched by ${mac}`, vm);
    timings.kernelSeconds = Math.round((Date.now() - t0) / 100) / 10;
    const answer = await waitFor(server, stageIs(mac, 'answer'), 300_000, `answer file fetched by ${mac}`, vm);
    timings.answerSeconds = Math.round((Date.now() - t0) / 100) / 10;
    expect(answer.msg).toMatch(/answer file fetched/);
    const config = (server.lines as LogLine[]).find((l) => l.mac === mac && /config: /.test(l.msg ?? '') && l.fields?.script === 'install');
    expect(config, 'an install config was served').toBeDefined();

    if (cell.realInstaller) {
      // debian-installer got the preseed rendered from the profile, read it and ran its early_command: the
      // "started" callback. That is as far as an install goes here (the guest has no disk).
      expect((server.lines as LogLine[]).some((l) => l.service === 'http' && l.mac === mac && /answers\/.*\/preseed\.cfg/.test(String(l.fields?.path)) && l.fields?.status === 200)).toBe(true);
      await waitFor(server, stageIs(mac, 'installer'), 120_000, `the preseed's early_command callback from ${mac}`, vm);
      timings.installerSeconds = Math.round((Date.now() - t0) / 100) / 10;
      return timings;
    }

    await waitFor(server, stageIs(mac, 'done'), 120_000, `install callback from ${mac}`, vm);
    timings.doneSeconds = Math.round((Date.now() - t0) / 100) / 10;
    await new Promise<void>((r) => (vm.proc.exitCode !== null ? r() : vm.proc.once('exit', () => r())));
    const probe = parseProbe(vm.serial());
    expect(probe.errors).toEqual([]);
    for (const re of cell.expectArgs) expect(probe.cmdline).toMatch(re);
    expect(probe.answer?.status).toBe('200');
    expect(probe.callbacks.map((c) => c.status)).toEqual(expect.arrayContaining(['200']));

    // The same machine powers on again: rackboot now boots it from its disk.
    const again = launchVm({ net, tap: net.addTap(), firmware: cell.firmware, mac, workDir: work.path, memoryMb: 512, extra: cell.extra });
    vms.push(again);
    await waitFor(server, stageIs(mac, 'local'), 240_000, `local boot for ${mac} after the install`, again);
    expect((server.lines as LogLine[]).filter((l) => l.mac === mac && l.fields?.stage === 'kernel').length).toBe(1);
    return timings;
  } finally {
    await Promise.all(vms.map((v) => v.kill()));
    await server?.stop();
    if (site && site.exitCode === null) {
      const gone = new Promise((r) => site!.once('close', r));
      site.kill('SIGKILL');
      await gone;
    }
    net.destroy();
    work.remove();
  }
}

const results: { cell: string; result: 'pass' | 'fail'; seconds: Record<string, number>; error?: string; ranAt?: string }[] = [];

describe.skipIf(skip)('installers boot from ISOs rackboot serves', () => {
  afterAll(() => {
    if (!MATRIX) return;
    const dir = join(import.meta.dirname, '..', 'artifacts');
    mkdirSync(dir, { recursive: true });
    // A run of some cells (-t) updates those rows and keeps the others from earlier runs, in matrix order.
    const file = join(dir, 'matrix.json');
    const earlier = existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as { results?: typeof results }).results ?? []) : [];
    const byCell = new Map([...earlier, ...results].map((r) => [r.cell, r]));
    const all = matrixCells()
      .map((c) => byCell.get(c.name))
      .filter((r): r is (typeof results)[number] => r !== undefined);
    const rows = all.map((r) => `| ${r.cell} | ${r.result} | ${r.seconds.kernelSeconds ?? '-'} | ${r.seconds.answerSeconds ?? '-'} | ${r.seconds.doneSeconds ?? '-'} | ${r.ranAt ?? '-'} | ${(r.error ?? '').split('\n')[0]!.replace(/\|/g, '/')} |`);
    const md = ['| Cell | Result | Kernel (s) | Answer file (s) | Done (s) | Ran at | Error |', '|---|---|---|---|---|---|---|', ...rows].join('\n') + '\n';
    writeFileSync(join(dir, 'matrix.md'), md);
    writeFileSync(file, JSON.stringify({ finishedAt: new Date().toISOString(), results: all }, null, 2) + '\n');
    process.stdout.write(`\n${md}\nwrote test/artifacts/matrix.md and matrix.json (${results.length} cells run now, ${all.length - results.length} kept from earlier runs)\n`);
  });

  // One it() per cell, named in full (it.each's $name is cut at 40 characters, so -t could not pick a cell).
  for (const cell of MATRIX ? matrixCells() : CELLS) {
    it(cell.name, async () => {
      try {
        const t = await runCell(cell);
        results.push({ cell: cell.name, result: 'pass', seconds: t, ranAt: new Date().toISOString() });
        process.stdout.write(`[e2e] ${cell.name}: ${JSON.stringify(t)}\n`);
      } catch (e) {
        results.push({ cell: cell.name, result: 'fail', seconds: {}, error: (e as Error).message, ranAt: new Date().toISOString() });
        throw e;
      }
    }, 600_000);
  }
});
