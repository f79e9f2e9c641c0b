/**
 * Fleet plan end to end (issue 11): `rackboot serve --plan plan.csv --exit-when-done` with a two-row plan and two
 * QEMU guests (SeaBIOS + QEMU's iPXE ROM, booted together). Row 1 names its machine by MAC; row 2 only by the
 * SMBIOS serial number QEMU gives the second guest (`-smbios type=1,serial=...`), so rackboot learns that
 * guest's MAC from iPXE's `${serial}` on its first boot. Each guest fetches its own answer file (its host name,
 * its `var.role` in %post; guest 2 also its fixed address as the DHCP reservation and static kickstart
 * networking), calls back done, and serve exits 0 by itself with one summary line per machine.
 *
 * The probe initrd reports the answer file's URL and sha256; the server's JSON log names the sha256 of the file
 * it served each MAC, and `rackboot answers render --mac` reproduces the same bytes (with the preview token
 * swapped for the one the guest used).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installerFixtures, parseProbe } from '../helpers/installers.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { launchVm, qemuSkipReason, type Vm } from '../helpers/qemu.ts';
import { runCli, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';

type LogLine = { event: string; service?: string; level?: string; mac?: string; msg?: string; fields?: Record<string, unknown> } & Record<string, unknown>;

const built = installerFixtures();
const skip = announceSkip('e2e fleet plan', netnsSkipReason() ?? qemuSkipReason('bios') ?? built.reason, { requiredInCi: true });

const MAC_A = '52:54:00:6d:00:01';
const MAC_B = '52:54:00:6d:00:02';
const SERIAL_B = 'RB-E2E-0002';

/** Password "rackboot" (openssl passwd -6), as install-boot.test.ts. */
const HASH = '$6$rackbootE2Etest0$ie6n44uIQh/jgSzcm.f5vdyDq1dIhYruWLQ2R4Dc1UJ0A8iMevtu.O1XyUa4UbfD0.DxSyAvroytT0/d.YzwJ/';
const PROFILE = {
  name: 'fleet',
  network: { mode: 'dhcp', domain: 'rack.test' },
  disk: { target: 'auto', layout: 'lvm' },
  accounts: { root: { hash: HASH } },
  preScript: 'echo installing {{hostname}}',
  postScript: 'echo {{var.role}} > /etc/rackboot-role',
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.skipIf(skip)('fleet plan: two guests, one by MAC and one by SMBIOS serial, serve exits when both are done', () => {
  it('installs both with their own host names and answer files, then exits 0 with a summary line each', async () => {
    const fixtures = built.fixtures!;
    const iso = fixtures.iso('rhel9.iso');
    const net: TestNet = createTestNet();
    const work = tempDir('rackboot-e2e-fleet-');
    const data = join(work.path, 'data');
    const vms: Vm[] = [];
    let server: Running | null = null;
    const t0 = Date.now();
    try {
      const profileFile = join(work.path, 'profile.json');
      writeFileSync(profileFile, JSON.stringify(PROFILE));
      expect((await runCli(['answers', 'import', profileFile, '--data', data], { timeoutMs: 30_000 })).code).toBe(0);
      const plan = join(work.path, 'plan.csv');
      // As a spreadsheet exports it: semicolons, CRLF. Row 2 has no MAC; its host name comes from a variable.
      writeFileSync(plan, ['mac;serial;hostname;ip;iso;profile;var.role', `${MAC_A};;node-a;;rhel9.iso;fleet;web`, `;${SERIAL_B};node-{{var.role}};198.18.0.20;rhel9;fleet;db`, ''].join('\r\n'));

      const args = ['serve', '--interface', net.bridge, '--dhcp', 'full', '--pool', '198.18.0.100-198.18.0.150', '--http-port', '8080', '--log', 'json', '--data', data, '--iso', iso, '--console', 'ttyS0,115200n8', '--unknown', 'ignore', '--plan', plan, '--exit-when-done'];
      server = await startCli(args, { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
      const exited = new Promise<number | null>((r) => (server!.proc.exitCode !== null ? r(server!.proc.exitCode) : server!.proc.once('close', (code) => r(code))));
      expect(server.first).toMatchObject({ event: 'ready', plan: { file: plan, added: 2, updated: 0, unchanged: 0, armed: [MAC_A], waiting: 1 } });
      const ready = Date.now();

      // Both guests at once (2 cores): A by its MAC, B known to the plan only by its SMBIOS serial.
      vms.push(launchVm({ net, tap: net.addTap(), firmware: 'bios', mac: MAC_A, workDir: work.path, memoryMb: 768 }));
      vms.push(launchVm({ net, tap: net.addTap(), firmware: 'bios', mac: MAC_B, workDir: work.path, memoryMb: 768, extra: ['-smbios', `type=1,serial=${SERIAL_B}`] }));

      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 150_000))]);
      const lines = server.lines as LogLine[];
      const log = () => lines.filter((l) => l.event === 'log').map((l) => `${l.service} ${l.mac ?? ''} ${l.msg}`).join('\n').slice(-6000);
      expect(code, `serve did not exit by itself\n${log()}\n--- guest B console ---\n${vms[1]!.serial().slice(-3000)}`).toBe(0);
      const doneSeconds = Math.round((Date.now() - ready) / 100) / 10;

      // One summary line per machine, after the log.
      const summary = lines.filter((l) => l.event === 'summary');
      expect(summary).toEqual([
        { event: 'summary', hostname: 'node-a', mac: MAC_A, iso: 'rhel9', seconds: expect.any(Number), result: 'installed' },
        { event: 'summary', hostname: 'node-db', mac: MAC_B, iso: 'rhel9', seconds: expect.any(Number), result: 'installed' },
      ]);
      expect(lines.at(-1)?.event).toBe('summary');

      // B was matched by the serial iPXE reported, on its first boot.
      expect(lines.some((l) => l.mac === MAC_B && (l.fields?.plan as { by?: string } | undefined)?.by === 'serial' && (l.fields?.plan as { value?: string }).value === SERIAL_B)).toBe(true);

      await Promise.all(vms.map((v) => new Promise<void>((r) => (v.proc.exitCode !== null || v.proc.signalCode !== null ? r() : v.proc.once('exit', () => r())))));
      const probes = vms.map((v) => parseProbe(v.serial()));
      for (const [i, mac] of [MAC_A, MAC_B].entries()) {
        const p = probes[i]!;
        expect(p.errors).toEqual([]);
        expect(p.cmdline).toContain(`inst.ks=http://198.18.0.1:8080/answers/${mac.replaceAll(':', '-')}/ks.cfg`);
        expect(p.answer?.status).toBe('200');
        // The file the guest got is the file the server logged for that MAC.
        const served = lines.find((l) => l.mac === mac && (l.fields?.answer as { file?: string } | undefined)?.file === 'ks.cfg')!;
        expect(served.fields!.answer).toMatchObject({ sha256: p.answer!.sha256, hostname: i === 0 ? 'node-a' : 'node-db', profile: 'fleet', planned: true });
      }
      // B's fixed address from the plan became its DHCP reservation once its serial matched (the installer's own DHCP).
      expect(probes[1]!.net?.ip).toBe('198.18.0.20');
      expect(probes[0]!.net?.ip).toMatch(/^198\.18\.0\.1\d\d$/);

      // The content: the same renderer, offline, for each MAC.
      const render = async (mac: string) => {
        const r = await runCli(['answers', 'render', 'fleet', '--mac', mac, '--file', 'ks.cfg', '--data', data], { timeoutMs: 30_000 });
        expect(r.code, r.stderr).toBe(0);
        return r.stdout;
      };
      const ksA = await render(MAC_A);
      expect(ksA).toMatch(/^network .*--hostname=node-a/m);
      expect(ksA).toContain('echo installing node-a');
      expect(ksA).toContain('echo web > /etc/rackboot-role');
      // Byte for byte what guest A was served, once the preview token is the install's (and the address the
      // server had while serving: offline, the saved settings name none, so previews say 127.0.0.1).
      const tokenA = /token=([0-9a-f]+)/.exec(probes[0]!.callbacks.map((c) => c.url).join(' '))![1]!;
      const asServed = ksA.replaceAll('token=preview', `token=${tokenA}`).replaceAll('http://127.0.0.1:8080/', 'http://198.18.0.1:8080/');
      expect(sha256(asServed), asServed).toBe(probes[0]!.answer!.sha256);
      const ksB = await render(MAC_B);
      expect(ksB).toMatch(/^network .*--hostname=node-db/m);
      expect(ksB).toContain('echo db > /etc/rackboot-role');

      process.stdout.write(`[e2e] fleet plan: both done ${doneSeconds} s after ready (${summary.map((s) => `${s.hostname} ${s.seconds} s`).join(', ')}), ${Math.round((Date.now() - t0) / 1000)} s in all\n`);
    } finally {
      await Promise.all(vms.map((v) => v.kill()));
      await server?.stop('SIGKILL');
      net.destroy();
      work.remove();
    }
  }, 240_000);
});
