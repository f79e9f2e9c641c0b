/**
 * BMC end to end (issue 12): a QEMU guest (SeaBIOS + QEMU's iPXE ROM) whose power and boot device belong to
 * ipmi_sim, all in a test network namespace with `rackboot serve`. ipmi_sim's chassis control program is the
 * "motherboard": power on starts QEMU, booting the network when the BMC's boot flags say PXE (then the
 * one-time flag is spent) and the empty disk otherwise; power off kills it. rackboot sets PXE for the next
 * boot and powers the machine on through IPMI (`rackboot bmc`), and the guest PXE-boots into its installer
 * and fetches its answer file.
 */
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installerFixtures, parseProbe } from '../helpers/installers.ts';
import { startIpmiSim, type IpmiSim } from '../helpers/ipmi-sim.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { qemuSkipReason } from '../helpers/qemu.ts';
import { runCli, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { has } from '../helpers/tools.ts';

const built = installerFixtures();
const skip = announceSkip('e2e BMC boot', netnsSkipReason() ?? qemuSkipReason('bios') ?? (has('ipmi_sim') ? null : 'ipmi_sim missing: run build/scripts/install-test-tools.sh') ?? built.reason, {
  requiredInCi: true,
});

const MAC = '52:54:00:b3:c0:01';

/** The chassis control protocol of ipmi_sim (lanserv/ipmi_sim_chassiscontrol), wired to QEMU. */
const CHASSIS = `#!/bin/sh
dir=$(dirname "$0")
shift
op=$1; shift
running() { [ -f "$dir/qemu.pid" ] && kill -0 "$(cat "$dir/qemu.pid")" 2>/dev/null; }
if [ "$op" = get ]; then
  for p in "$@"; do
    case $p in
      power) if running; then echo power:1; else echo power:0; fi ;;
      boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo none)" ;;
      *) echo "Invalid parameter: $p"; exit 1 ;;
    esac
  done
  exit 0
fi
while [ $# -gt 0 ]; do
  p=$1; v=$2; shift 2
  case $p in
    power)
      if [ "$v" = 1 ]; then
        if ! running; then
          boot=$(cat "$dir/boot" 2>/dev/null || echo none)
          order=c; [ "$boot" = pxe ] && order=n
          # A one-time boot flag is spent by the boot it selected.
          echo none > "$dir/boot"
          echo "$boot" >> "$dir/boots.log"
          "$dir/qemu.sh" "$order" >/dev/null 2>&1 &
          echo $! > "$dir/qemu.pid"
        fi
      elif running; then
        kill "$(cat "$dir/qemu.pid")"; rm -f "$dir/qemu.pid"
      fi ;;
    boot) echo "$v" > "$dir/boot" ;;
    reset) ;;
    identify) shift ;;
    *) echo "Invalid parameter: $p"; exit 1 ;;
  esac
done
`;

describe.skipIf(skip)('BMC: rackboot sets PXE once and powers the guest on through IPMI', () => {
  it('the guest PXE-boots into its installer and fetches its answer file', async () => {
    const iso = built.fixtures!.iso('rhel9.iso');
    const net: TestNet = createTestNet();
    const work = tempDir('rackboot-e2e-bmc-');
    const data = join(work.path, 'data');
    const pw = join(work.path, 'bmc.pw');
    writeFileSync(pw, 's3cret\n', { mode: 0o600 });
    let sim: IpmiSim | null = null;
    let server: Running | null = null;
    const t0 = Date.now();
    try {
      expect((await runCli(['machines', 'assign', MAC, '--iso', iso, '--hostname', 'bmc-node', '--data', data], { timeoutMs: 60_000 })).code).toBe(0);
      const args = ['serve', '--interface', net.bridge, '--dhcp', 'full', '--pool', '198.18.0.100-198.18.0.150', '--http-port', '8080', '--log', 'json', '--data', data, '--iso', iso, '--console', 'ttyS0,115200n8', '--unknown', 'ignore'];
      server = await startCli(args, { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
      expect(server.first).toMatchObject({ event: 'ready' });
      // The tap comes after serve is up (as in the other e2e files): a bridge whose only port has no carrier is down.
      const tap = net.addTap();

      sim = await startIpmiSim({ setup: 'chassis-control', netns: net.ns, chassisScript: CHASSIS });
      const serial = join(sim.dir, 'serial.log');
      // What QEMU runs when the chassis powers on: $1 is the boot order the BMC's flags chose.
      writeFileSync(
        join(sim.dir, 'qemu.sh'),
        `#!/bin/sh\nexec qemu-system-x86_64 -machine pc,accel=tcg -m 768 -display none -serial file:${serial} -monitor none -no-reboot -boot "$1" -device e1000,netdev=n0,mac=${MAC} -netdev tap,id=n0,ifname=${tap},script=no,downscript=no\n`,
      );
      chmodSync(join(sim.dir, 'qemu.sh'), 0o755);

      const bmc = (...a: string[]) => runCli(['bmc', ...a, '--host', '127.0.0.1', '--port', String(sim!.port), '--user', 'admin', '--password-file', pw], { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
      const before = await bmc('status');
      expect(before.code, before.stderr).toBe(0);
      expect(JSON.parse(before.stdout)).toMatchObject({ power: 'off', bootOverride: { device: 'none' } });
      const boot = await bmc('bootdev', 'pxe', '--legacy');
      expect(boot.code, boot.stderr).toBe(0);
      expect(JSON.parse(boot.stdout)).toMatchObject({ bootDevice: 'pxe', persistent: false, efi: false });
      const on = await bmc('power', 'on');
      expect(on.code, on.stderr).toBe(0);
      expect(JSON.parse(on.stdout)).toMatchObject({ action: 'on', sent: 'on', wasOn: false });
      const poweredAt = Date.now();

      // The answer file served to this MAC (the server's JSON log), within the e2e budget.
      const lines = () => server!.lines as { mac?: string; fields?: Record<string, unknown>; msg?: string; service?: string }[];
      const deadline = Date.now() + 180_000;
      let served: { fields?: Record<string, unknown> } | undefined;
      while (!(served = lines().find((l) => l.mac === MAC && (l.fields?.answer as { file?: string } | undefined)?.file === 'ks.cfg')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
      }
      const consoleText = existsSync(serial) ? readFileSync(serial, 'utf8') : '';
      expect(served, `no answer file served to ${MAC}\n${lines().map((l) => `${l.service} ${l.mac ?? ''} ${l.msg}`).join('\n').slice(-4000)}\n--- console ---\n${consoleText.slice(-3000)}`).toBeDefined();
      const answeredAfter = Math.round((Date.now() - poweredAt) / 100) / 10;

      // The boot the BMC chose was the network, once: the flag is spent.
      expect(readFileSync(join(sim.dir, 'boots.log'), 'utf8').trim().split('\n')).toEqual(['pxe']);
      const after = await bmc('status');
      expect(JSON.parse(after.stdout)).toMatchObject({ power: 'on', bootOverride: { device: 'none' } });

      // The guest's own view: the probe initrd fetched the kickstart for its MAC with HTTP 200.
      const probeDeadline = Date.now() + 60_000;
      let probe = parseProbe(readFileSync(serial, 'utf8'));
      while (!probe.answer && Date.now() < probeDeadline) {
        await new Promise((r) => setTimeout(r, 1000));
        probe = parseProbe(readFileSync(serial, 'utf8'));
      }
      expect(probe.cmdline).toContain(`inst.ks=http://198.18.0.1:8080/answers/${MAC.replaceAll(':', '-')}/ks.cfg`);
      expect(probe.answer?.status).toBe('200');

      const off = await bmc('power', 'off');
      expect(off.code, off.stderr).toBe(0);
      process.stdout.write(`[e2e] BMC: answer file fetched ${answeredAfter} s after IPMI power on, ${Math.round((Date.now() - t0) / 1000)} s in all\n`);
    } finally {
      if (sim) {
        const pid = join(sim.dir, 'qemu.pid');
        if (existsSync(pid)) {
          try {
            process.kill(Number(readFileSync(pid, 'utf8')), 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
        await sim.stop();
      }
      await server?.stop('SIGKILL');
      net.destroy();
      work.remove();
    }
  }, 300_000);
});
