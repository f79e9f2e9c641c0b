/**
 * Real firmware boots into rackboot through each DHCP mode. In a test namespace (198.18.0.0/24 on a bridge):
 * a SeaBIOS + iPXE-ROM guest and an OVMF guest power on, get their boot file from rackboot and end at rackboot's
 * iPXE script over HTTP. Full mode: rackboot is the only DHCP server. Proxy mode: dnsmasq on another host of
 * the switch hands out addresses and rackboot only says what to boot (ProxyDHCP on 67, boot server on 4011).
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { launchVm, qemuSkipReason, type Vm } from '../helpers/qemu.ts';
import { startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';

const skip = announceSkip('e2e DHCP boot', netnsSkipReason() ?? qemuSkipReason('bios') ?? qemuSkipReason('uefi'), { requiredInCi: true });

type LogLine = { event: string; service?: string; level?: string; mac?: string; ip?: string; msg?: string; fields?: Record<string, unknown> };

/** Resolves with the first log line matching `test`, or rejects with the guest's console and rackboot's log. */
function waitFor(server: Running, test: (l: LogLine) => boolean, timeoutMs: number, what: string, vm: Vm): Promise<LogLine> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const hit = (server.lines as LogLine[]).find(test);
      if (hit) {
        clearInterval(poll);
        resolve(hit);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        const log = (server.lines as LogLine[]).map((l) => `${l.service} ${l.mac ?? ''} ${l.msg}`).join('\n');
        reject(new Error(`${what}: not seen within ${timeoutMs} ms\nrackboot log:\n${log.slice(-4000)}\nguest console:\n${vm.serial().slice(-1500)}`));
      }
    }, 250);
  });
}

const MODES = [
  { mode: 'full', bios: '52:54:00:18:01:01', uefi: '52:54:00:18:01:02' },
  { mode: 'proxy', bios: '52:54:00:18:02:01', uefi: '52:54:00:18:02:02' },
] as const;

describe.skipIf(skip).each(MODES)('$mode DHCP: BIOS and UEFI firmware boot into rackboot', ({ mode, bios, uefi }) => {
  let net: TestNet;
  let work: ReturnType<typeof tempDir>;
  let server: Running;
  let site: ChildProcess | null = null;

  beforeAll(async () => {
    net = createTestNet();
    work = tempDir('rackboot-e2e-dhcp-');
    if (mode === 'proxy') {
      // The site's DHCP server: another machine on the switch, handing out addresses and nothing about booting.
      const host = net.addHost('198.18.0.2');
      site = host.spawn('dnsmasq', [
        '--no-daemon', '--port=0', '--conf-file=/dev/null', `--interface=${host.iface}`, '--bind-interfaces',
        '--dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,1h', `--dhcp-leasefile=${work.path}/site.leases`, '--dhcp-authoritative',
      ]);
    }
    const args = ['serve', '--interface', net.bridge, '--dhcp', mode, '--http-port', '8080', '--log', 'json', '--data', work.path];
    if (mode === 'full') args.push('--pool', '198.18.0.100-198.18.0.150');
    server = await startCli(args, { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
    expect(server.first).toMatchObject({ event: 'ready', services: { dhcp: { state: 'running' }, tftp: { state: 'running' }, http: { state: 'running' } } });
    expect(String((server.first.services as Record<string, { detail: string } | undefined>).dhcp?.detail)).toMatch(/bound to rackbr0/);
  });

  afterAll(async () => {
    await server?.stop();
    if (site && site.exitCode === null) {
      const gone = new Promise((r) => site!.once('close', r));
      site.kill('SIGKILL');
      await gone;
    }
    net?.destroy();
    work?.remove();
  });

  it('the BIOS iPXE ROM gets the script URL straight away, the UEFI firmware gets snponly.efi over TFTP and then the script', async () => {
    const vms = [
      launchVm({ net, tap: net.addTap(), firmware: 'bios', mac: bios, workDir: work.path }),
      launchVm({ net, tap: net.addTap(), firmware: 'uefi', mac: uefi, workDir: work.path }),
    ];
    const [biosVm, uefiVm] = vms as [Vm, Vm];
    try {
      const scriptPath = (mac: string) => `boot/${mac.replaceAll(':', '-')}.ipxe`;
      const isScript = (mac: string) => (l: LogLine) => l.service === 'http' && l.mac === mac && l.fields?.path === scriptPath(mac) && l.fields?.status === 200;
      const offerFor = (mac: string) => (l: LogLine) =>
        l.service === 'dhcp' && l.mac === mac && (mode === 'full' ? /^ACK 198\.18\.0\.\d+ to/.test(l.msg ?? '') : /^ProxyDHCP OFFER/.test(l.msg ?? ''));

      const [biosOffer, biosScript, uefiOffer, uefiNbp, uefiScript] = await Promise.all([
        waitFor(server, offerFor(bios), 150_000, `DHCP answer to the BIOS guest ${bios}`, biosVm),
        waitFor(server, isScript(bios), 180_000, `the iPXE script fetched by the BIOS guest ${bios}`, biosVm),
        waitFor(server, offerFor(uefi), 150_000, `DHCP answer to the UEFI guest ${uefi}`, uefiVm),
        waitFor(server, (l) => l.service === 'tftp' && l.mac === uefi && /^sent snponly\.efi/.test(l.msg ?? ''), 200_000, `snponly.efi sent to ${uefi}`, uefiVm),
        waitFor(server, isScript(uefi), 240_000, `the iPXE script fetched by iPXE on the UEFI guest ${uefi}`, uefiVm),
      ]);
      // SeaBIOS runs QEMU's iPXE ROM: it is iPXE already, so no TFTP step (no chainload loop).
      expect(biosOffer.fields).toMatchObject({ ipxe: true, firmware: 'bios', file: `http://198.18.0.1:8080/${scriptPath(bios)}` });
      expect(biosScript.ip).toMatch(/^198\.18\.0\.(1[0-4]\d|150)$/);
      expect(uefiOffer.fields).toMatchObject({ ipxe: false, firmware: 'uefi', file: 'snponly.efi' });
      expect(uefiNbp.fields).toMatchObject({ path: 'snponly.efi' });
      expect(uefiScript.fields?.userAgent).toMatch(/iPXE/);
      if (mode === 'proxy') {
        // EDK2 takes a proxy offer without option 43 as BINL and asks the boot server on port 4011.
        await waitFor(server, (l) => l.mac === uefi && /^boot server ACK \(port 4011\)/.test(l.msg ?? ''), 10_000, 'port 4011 ACK to the UEFI guest', uefiVm);
        // rackboot never hands out an address in proxy mode.
        expect((server.lines as LogLine[]).filter((l) => l.service === 'dhcp' && /^(OFFER|ACK) \d/.test(l.msg ?? ''))).toEqual([]);
      }
    } finally {
      await Promise.all(vms.map((v) => v.kill()));
    }
  });

  // Registered only in full mode (not skipped in proxy mode): the firmware's HTTP boot needs rackboot's address.
  if (mode === 'full') it('a UEFI HTTP boot client gets a URL, fetches ipxe.efi with HEAD and GET, and keeps its address into iPXE', async () => {
    const mac = '52:54:00:18:01:03';
    // OVMF's fw_cfg switches turn PXE off, so the firmware goes straight to HTTP boot (HTTPClient, arch 16).
    const vm = launchVm({ net, tap: net.addTap(), firmware: 'uefi', mac, workDir: work.path, extra: ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=n', '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=n'] });
    try {
      const offer = await waitFor(server, (l) => l.service === 'dhcp' && l.mac === mac && /^ACK /.test(l.msg ?? '') && l.fields?.bootClass === 'HTTPClient', 150_000, `HTTP boot ACK to ${mac}`, vm);
      expect(offer.fields).toMatchObject({ arch: 'X64_EFI_HTTP', file: 'http://198.18.0.1:8080/ipxe.efi' });
      const get = await waitFor(server, (l) => l.service === 'http' && l.mac === mac && l.fields?.path === 'ipxe.efi' && l.fields?.method === 'GET', 60_000, `GET ipxe.efi by ${mac}`, vm);
      expect(get.fields).toMatchObject({ status: 200, outcome: 'ok' });
      expect(get.fields?.userAgent).toMatch(/UefiHttpBoot/);
      // EDK2 asks HEAD first for the size, then GET.
      expect((server.lines as LogLine[]).some((l) => l.service === 'http' && l.mac === mac && l.fields?.path === 'ipxe.efi' && l.fields?.method === 'HEAD' && l.fields?.status === 200)).toBe(true);
      const script = await waitFor(server, (l) => l.service === 'http' && l.mac === mac && l.fields?.path === `boot/${mac.replaceAll(':', '-')}.ipxe`, 120_000, `the machine's iPXE script fetched by iPXE on ${mac}`, vm);
      // The firmware and iPXE ask with different client ids; the MAC keeps them on one address.
      expect(script.ip).toBe(offer.ip);
    } finally {
      await vm.kill();
    }
  });
});
