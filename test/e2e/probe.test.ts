/**
 * The probe initrd works before the boot-matrix tests lean on it: QEMU boots Debian's d-i netboot kernel with
 * probe.cpio.gz straight from -kernel/-initrd on a test namespace's switch (dnsmasq as the DHCP server, a tiny
 * HTTP server on the bridge). The probe must report its command line, its lease, the answer file with the
 * right SHA-256, the callback, and power the machine off. e1000 (what SeaBIOS guests get) and virtio-net
 * (what OVMF guests get), with the RHEL and the Ubuntu ways of naming the answer file.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installerFixtures, parseProbe, type InstallerFixtures } from '../helpers/installers.ts';
import { createTestNet, stopChildren, type TestNet } from '../helpers/netns.ts';
import { qemuSkipReason } from '../helpers/qemu.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';

const hostReason = netnsSkipReason() ?? qemuSkipReason('bios');
// Built only where the test can run (a few seconds when the cache is stale).
const built = hostReason ? null : installerFixtures();
const skip = announceSkip('e2e probe initrd', hostReason ?? built?.reason ?? null, { requiredInCi: true });

const SERVER = '198.18.0.1';
const PORT = 8080;
const KICKSTART = '#version=RHEL9\ntext\nurl --url=http://198.18.0.1:8080/iso/rhel9/\nrootpw --lock\n%packages\n@core\n%end\nreboot\n';
const USER_DATA = '#cloud-config\nautoinstall:\n  version: 1\n  identity: {hostname: probe, username: u, password: "$6$x$y"}\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

// The HTTP side: serves the two answer files and the callback, and prints one JSON line per request.
const HTTP_SERVER = `
const http = require('node:http');
// node -e: argv[1] is the first argument after the script.
const files = JSON.parse(process.argv[2]);
http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  const body = files[path];
  console.log(JSON.stringify({ method: req.method, url: req.url, ua: req.headers['user-agent'] || '', status: body === undefined ? 404 : 200 }));
  if (body === undefined) { res.writeHead(404); res.end('not found'); return; }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(${PORT}, process.argv[1], () => console.log(JSON.stringify({ ready: true })));
`;

type Req = { method: string; url: string; ua: string; status: number };

describe.skipIf(skip)('probe initrd on the d-i kernel', () => {
  let net: TestNet;
  let work: ReturnType<typeof tempDir>;
  let fx: InstallerFixtures;
  const children: ChildProcess[] = [];
  const requests: Req[] = [];

  beforeAll(async () => {
    fx = built!.fixtures!;
    net = createTestNet({ address: SERVER });
    work = tempDir('rackboot-e2e-probe-');
    const dhcp = net.spawn('dnsmasq', [
      '--no-daemon', '--port=0', '--conf-file=/dev/null', `--interface=${net.bridge}`, '--bind-interfaces',
      '--dhcp-range=198.18.0.100,198.18.0.150,255.255.255.0,1h', `--dhcp-leasefile=${work.path}/leases`, '--dhcp-authoritative',
    ]);
    children.push(dhcp);
    const files = { '/ks.cfg': KICKSTART, '/nocloud/probe-2/user-data': USER_DATA, '/nocloud/probe-2/meta-data': 'instance-id: probe-2\n', '/cb': 'ok\n' };
    const http = net.spawn(process.execPath, ['-e', HTTP_SERVER, SERVER, JSON.stringify(files)]);
    children.push(http);
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error('probe HTTP server did not start')), 15_000);
      http.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = JSON.parse(buf.slice(0, nl)) as Req | { ready: true };
          buf = buf.slice(nl + 1);
          if ('ready' in line) {
            clearTimeout(timer);
            resolve();
          } else requests.push(line);
        }
      });
      let stderr = '';
      http.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      http.once('exit', (code) => reject(new Error(`probe HTTP server exited (${code}): ${stderr}`)));
    });
  });

  afterAll(async () => {
    await stopChildren(children);
    net?.destroy();
    work?.remove();
  });

  /** Boots the probe; resolves with the serial log once QEMU has exited (the probe powers off) or the budget ran out. */
  async function boot(nic: 'e1000' | 'virtio-net-pci', mac: string, append: string, budgetMs: number): Promise<{ serial: string; exited: boolean; ms: number }> {
    const tap = net.addTap();
    const serialPath = join(work.path, `serial-${tap}.log`);
    const started = Date.now();
    const vm = net.spawn('qemu-system-x86_64', [
      '-machine', 'pc,accel=tcg', '-m', '512', '-display', 'none', '-monitor', 'none', '-no-reboot', '-serial', `file:${serialPath}`,
      '-kernel', fx.kernel, '-initrd', fx.probe, '-append', append,
      '-device', `${nic},netdev=n0,mac=${mac},romfile=`, '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`,
    ]);
    let stderr = '';
    vm.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), budgetMs);
      vm.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!exited) await stopChildren([vm]);
    const serial = (existsSync(serialPath) ? readFileSync(serialPath, 'latin1') : '') + (stderr ? `\n[qemu stderr] ${stderr}` : '');
    return { serial, exited, ms: Date.now() - started };
  }

  it('e1000, RHEL style (inst.ks=): lease, kickstart with its SHA-256, callback, power off', async () => {
    const mac = '52:54:00:18:0a:01';
    const append = `console=ttyS0 quiet ip=dhcp inst.ks=http://${SERVER}:${PORT}/ks.cfg rackboot.callback=http://${SERVER}:${PORT}/cb?mac=52-54-00-18-0a-01`;
    const run = await boot('e1000', mac, append, 150_000);
    const p = parseProbe(run.serial);
    const context = `probe lines:\n${p.lines.join('\n')}\nconsole tail:\n${run.serial.slice(-2500)}`;
    expect(run.exited, `QEMU still running after 150 s\n${context}`).toBe(true);
    expect(p.errors, context).toEqual([]);
    expect(p.start, context).toMatch(/^kernel=6\.1\.\d+-\d+-amd64$/);
    expect(p.cmdline).toBe(append);
    expect(p.net, context).toMatchObject({ nic: 'eth0', mac, router: SERVER, server: SERVER });
    expect(p.net!.ip).toMatch(/^198\.18\.0\.(1[0-4]\d|150)$/);
    expect(p.answer).toEqual({ url: `http://${SERVER}:${PORT}/ks.cfg`, status: '200', bytes: Buffer.byteLength(KICKSTART), sha256: sha(KICKSTART) });
    expect(p.callbacks).toEqual([{ url: `http://${SERVER}:${PORT}/cb?mac=52-54-00-18-0a-01`, status: '200' }]);
    expect(p.autoinstall).toBe(false);
    expect(p.done).toBe(true);
    expect(p.lines.at(-1)).toBe('done');
    expect(requests.filter((r) => r.url === '/cb?mac=52-54-00-18-0a-01')).toHaveLength(1);
    expect(requests.find((r) => r.url === '/ks.cfg')?.ua).toMatch(/Wget/);
    console.log(`[probe] e1000 boot to power-off: ${run.ms} ms`);
  }, 170_000);

  it('virtio-net, Ubuntu style (ds=nocloud-net;s=<dir>/ + autoinstall), BOOTIF picks the NIC; a missing callback is reported', async () => {
    const mac = '52:54:00:18:0a:02';
    const append = `console=ttyS0 quiet autoinstall ds=nocloud-net;s=http://${SERVER}:${PORT}/nocloud/probe-2/ BOOTIF=01-52-54-00-18-0a-02 rackboot.callback=http://${SERVER}:${PORT}/missing ---`;
    const run = await boot('virtio-net-pci', mac, append, 150_000);
    const p = parseProbe(run.serial);
    const context = `probe lines:\n${p.lines.join('\n')}\nconsole tail:\n${run.serial.slice(-2500)}`;
    expect(run.exited, `QEMU still running after 150 s\n${context}`).toBe(true);
    expect(p.errors, context).toEqual([]);
    expect(p.cmdline).toBe(append);
    expect(p.net, context).toMatchObject({ mac });
    expect(p.answer).toEqual({ url: `http://${SERVER}:${PORT}/nocloud/probe-2/user-data`, status: '200', bytes: Buffer.byteLength(USER_DATA), sha256: sha(USER_DATA) });
    expect(p.autoinstall).toBe(true);
    expect(p.callbacks).toEqual([{ url: `http://${SERVER}:${PORT}/missing`, status: '404' }]);
    expect(p.done).toBe(true);
    console.log(`[probe] virtio-net boot to power-off: ${run.ms} ms`);
  }, 170_000);
});
