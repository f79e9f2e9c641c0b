/**
 * Packet loss (issue 9): `tc netem loss 10% delay 50ms` on both ends of the test link (the machine's NIC and
 * rackboot's side of it, so both directions lose and wait); on a kernel without sch_netem, netem.py does the
 * same in userspace in a namespace spliced into the link. Over that link a real client gets its lease
 * (busybox udhcpc), and atftp (TFTP, lockstep, blksize 1428) and curl (HTTP) download files byte-identical.
 * The TFTP download is timed against dnsmasq's TFTP server on the same link, address, file and client.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../helpers/dhcp-clients.ts';
import { deleteNamespaces } from '../helpers/netns.ts';
import { REPO, tempDir } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { missing, sha } from '../helpers/tools.ts';
import { figure, fmtMs, scaled, sleep } from './figures.ts';
import { BRIDGE, createRack, SERVER, startServe, type Rack, type Serve } from './lab.ts';

const skip = announceSkip('reliability: packet loss', netnsSkipReason() ?? (missing('busybox', 'atftp', 'curl', 'dnsmasq', 'tc', 'python3') ? 'busybox, atftp, curl, dnsmasq and tc are needed' : null), { requiredInCi: true });

const NETEM = ['loss', '10%', 'delay', '50ms'];
const TFTP_FILE = randomBytes(scaled(256 * 1024, 32 * 1024));
// TCP over 100 ms and 10 % loss moves some tens of KB/s: 1 MiB is a minute's worth.
const HTTP_FILE = randomBytes(scaled(1024 * 1024, 128 * 1024));
const root = tempDir('rackboot-rel-loss-');
let rack: Rack;
let machine: Client;
let server: Serve | null = null;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let netem: ChildProcess | null = null;
let how = '';
let netemErr = '';
const MID = () => `${rack.net.ns}-netem`;
const ipc = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

beforeAll(async () => {
  if (skip) return;
  writeFileSync(join(root.path, 'payload.bin'), TFTP_FILE);
  writeFileSync(join(root.path, 'big.bin'), HTTP_FILE);
  rack = createRack();
  machine = rack.machine();
  try {
    // Both directions: the machine's egress and rackboot's egress towards it (the bridge port).
    ipc('netns', 'exec', machine.ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', ...NETEM);
    ipc('netns', 'exec', rack.net.ns, 'tc', 'qdisc', 'add', 'dev', machine.port, 'root', 'netem', ...NETEM);
    how = 'tc netem';
  } catch (e) {
    if (!/qdisc kind is unknown/.test(String((e as { stderr?: Buffer }).stderr ?? e))) throw e;
    // This kernel has no sch_netem: the same loss and delay in userspace. The machine's link is cut at the
    // bridge and a namespace in between forwards every frame each way after 50 ms, dropping 10 % (netem.py).
    const mid = MID();
    ipc('netns', 'add', mid);
    ipc('netns', 'exec', mid, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    ipc('-n', rack.net.ns, 'link', 'set', machine.port, 'nomaster');
    ipc('-n', rack.net.ns, 'link', 'set', machine.port, 'netns', mid);
    ipc('-n', rack.net.ns, 'link', 'add', 'lossy0', 'type', 'veth', 'peer', 'name', 'toserver', 'netns', mid);
    ipc('-n', rack.net.ns, 'link', 'set', 'lossy0', 'master', BRIDGE);
    ipc('-n', rack.net.ns, 'link', 'set', 'lossy0', 'up');
    for (const dev of [machine.port, 'toserver']) ipc('-n', mid, 'link', 'set', dev, 'promisc', 'on', 'up');
    // No segmentation offload towards the splice: a 64 KB TCP super-frame cannot be forwarded as one frame.
    ipc('-n', rack.net.ns, 'link', 'set', 'dev', BRIDGE, 'gso_max_segs', '1');
    ipc('-n', machine.ns, 'link', 'set', 'dev', 'eth0', 'gso_max_segs', '1');
    netemErr = '';
    netem = spawn('ip', ['netns', 'exec', mid, 'python3', join(REPO, 'test', 'reliability', 'netem.py'), machine.port, 'toserver', '10', '50'], { stdio: ['ignore', 'pipe', 'pipe'] });
    netem.stderr!.on('data', (d) => (netemErr += d));
    await new Promise<void>((ok, fail) => {
      netem!.stdout!.once('data', () => ok());
      netem!.once('close', (code) => fail(new Error(`netem.py exited ${code}`)));
    });
    how = 'userspace netem (this kernel lacks sch_netem)';
  }
});
afterAll(async () => {
  await server?.stop();
  if (netem) {
    netem.kill('SIGTERM');
    await new Promise((r) => netem!.once('close', r));
  }
  if (rack) deleteNamespaces([MID()]);
  rack?.destroy();
  root.remove();
});

/** atftp in lockstep (1 s retransmission timeout), timed; checks the bytes. */
async function tftpOnce(label: string): Promise<number> {
  const local = join(machine.dir, `${label}-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  const r = await machine.run('atftp', ['--tftp-timeout', '1', '--option', 'blksize 1428', '-g', '-r', 'payload.bin', '-l', local, SERVER, '69'], 600_000);
  const ms = performance.now() - t0;
  expect(r.code, `${label}: ${r.output}`).toBe(0);
  expect(sha(readFileSync(local)), `${label}: bytes`).toBe(sha(TFTP_FILE));
  return ms;
}

describe.skipIf(skip)('under 10 % loss and 50 ms delay each way', () => {
  it('DHCP, TFTP and HTTP complete byte-identical; TFTP time against dnsmasq under the same loss', async ({ task }) => {
    const repeats = scaled(3, 1);
    server = await startServe(rack.net.ns, ['--interface', BRIDGE, '--address', SERVER, '--dhcp', 'full', '--pool', '198.18.0.100-198.18.0.199', '--tftp-root', root.path, '--tftp-port', '69', '--http-port', '80', '--data', join(root.path, 'data')], { timeoutMs: 60_000 });

    const t0 = performance.now();
    const lease = await machine.udhcpc({ tries: 20 });
    const leaseMs = performance.now() - t0;
    expect(lease.lease?.ip ?? 'none', `${lease.output}; netem: ${netemErr}; rackboot: ${server.lines.map((l) => l.msg).join(' / ')}`).toMatch(/^198\.18\.0\.1\d\d$/);
    machine.addAddress(`${lease.lease!.ip}/24`);

    const rackbootTftp: number[] = [];
    for (let i = 0; i < repeats; i++) rackbootTftp.push(await tftpOnce('rackboot'));

    const httpOut = join(machine.dir, 'big.bin');
    const h0 = performance.now();
    const http = await machine.run('curl', ['-sS', '--max-time', '300', '-o', httpOut, `http://${SERVER}/big.bin`], 320_000);
    const httpMs = performance.now() - h0;
    expect(http.code, http.output).toBe(0);
    expect(sha(readFileSync(httpOut))).toBe(sha(HTTP_FILE));
    expect(server.alive()).toBe(true);
    await server.stop();
    server = null;

    // dnsmasq's TFTP alone (no DNS, no DHCP), on the same address and folder, as the bench runs it.
    const dm = tempDir('rackboot-rel-dnsmasq-');
    const dnsmasq = spawn('ip', ['netns', 'exec', rack.net.ns, 'dnsmasq', '--no-daemon', '--port=0', '--enable-tftp', `--tftp-root=${root.path}`, `--listen-address=${SERVER}`, '--bind-interfaces', '--conf-file=/dev/null', '--user=root', `--pid-file=${join(dm.path, 'pid')}`, `--dhcp-leasefile=${join(dm.path, 'leases')}`, `--log-facility=${join(dm.path, 'log')}`], { stdio: 'ignore' });
    const dnsmasqTftp: number[] = [];
    try {
      await sleep(1000);
      for (let i = 0; i < repeats; i++) dnsmasqTftp.push(await tftpOnce('dnsmasq'));
    } finally {
      dnsmasq.kill('SIGTERM');
      await new Promise((r) => dnsmasq.once('close', r));
      dm.remove();
    }
    const r = median(rackbootTftp);
    const d = median(dnsmasqTftp);
    figure(
      task.meta,
      `${how}, loss 10% delay 50ms both ways: udhcpc lease in ${fmtMs(leaseMs)}; TFTP ${TFTP_FILE.length >> 10} KiB (atftp, blksize 1428) rackboot ${fmtMs(r)} vs dnsmasq ${fmtMs(d)} (median of ${repeats}; ${(r / d).toFixed(2)}x; runs ${rackbootTftp.map(fmtMs).join('/')} vs ${dnsmasqTftp.map(fmtMs).join('/')}); ` +
        `HTTP ${HTTP_FILE.length >> 10} KiB (curl) in ${fmtMs(httpMs)}; all byte-identical`,
    );
  });
});
