/**
 * Malformed input (issue 9): a mutation fuzzer sends 1,000,000 DHCP and TFTP packets (RACKBOOT_RELIABILITY_SCALE
 * scales the count; a time bound caps it) built from real captures: tcpdump records udhcpc, dhclient, atftp,
 * tftp-hpa and curl talking to rackboot, plus the firmware DISCOVERs in test/fixtures/dhcp. fuzz.mjs mutates
 * them and sends them at `rackboot serve` (full DHCP, TFTP) from a thousand source addresses, then into
 * running TFTP transfers. rackboot must not crash, must report no unhandled rejection (watchdog.mjs), and a
 * real client must still get a lease and files afterwards.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { missing, sha } from '../helpers/tools.ts';
import { figure, fmtMs, SCALE, scaled, sleep } from './figures.ts';
import { BRIDGE, createRack, memoryMiB, SERVER, startServe, udpCounters, type Rack, type Serve } from './lab.ts';
import { udpDatagrams } from './pcap.ts';
import { run } from '../helpers/tools.ts';

const skip = announceSkip('reliability: mutation fuzzer', netnsSkipReason() ?? (missing('busybox', 'dhclient', 'atftp', 'tftp', 'curl', 'tcpdump') ? 'busybox, dhclient, atftp, tftp-hpa, curl and tcpdump are needed' : null), { requiredInCi: true });

const PAYLOAD = randomBytes(200_000);
const root = tempDir('rackboot-rel-fuzz-');
let rack: Rack;
let server: Serve;

beforeAll(async () => {
  if (skip) return;
  mkdirSync(join(root.path, 'images'), { recursive: true });
  mkdirSync(join(root.path, 'pxelinux.cfg'), { recursive: true });
  writeFileSync(join(root.path, 'images', 'payload.bin'), PAYLOAD);
  writeFileSync(join(root.path, 'pxelinux.cfg', 'default'), 'DEFAULT local\nLABEL local\n  LOCALBOOT 0\n');
  rack = createRack({ prefix: 16 });
  server = await startServe(rack.net.ns, ['--interface', BRIDGE, '--address', SERVER, '--dhcp', 'full', '--pool', '198.18.8.0-198.18.255.254', '--tftp-root', root.path, '--tftp-port', '69', '--http-port', '80', '--data', join(root.path, 'data')], { timeoutMs: 60_000, log: 'text' });
});
afterAll(async () => {
  await server?.stop();
  rack?.destroy();
  root.remove();
});

describe.skipIf(skip)('mutation fuzzer', () => {
  it('a million mutated DHCP and TFTP packets: 0 crashes, 0 unhandled rejections, and a real client succeeds after', async ({ task }) => {
    // 1. Captures: real clients against rackboot, recorded on the client's NIC.
    const cap = rack.machine();
    const pcap = join(cap.dir, 'capture.pcap');
    const dump = spawn('ip', ['netns', 'exec', cap.ns, 'tcpdump', '-i', 'eth0', '-n', '-U', '-s', '0', '-w', pcap, 'udp'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let dumpErr = '';
    dump.stderr!.on('data', (d) => (dumpErr += d));
    for (let i = 0; !/listening on/.test(dumpErr); i++) {
      if (i > 200) throw new Error(`tcpdump did not start: ${dumpErr}`);
      await sleep(25);
    }
    const lease = await cap.udhcpc({ tries: 5 });
    expect(lease.lease?.ip ?? 'none', lease.output).toMatch(/^198\.18\./);
    const dh = await cap.dhclient({ timeoutS: 10 });
    expect(dh.lease, dh.output).not.toBeNull();
    // dhclient's hook configured its address; make sure the machine has one for the TFTP clients.
    await run('ip', ['-n', cap.ns, 'addr', 'replace', `${dh.lease!.new_ip_address ?? lease.lease!.ip}/16`, 'dev', 'eth0']);
    const get = (cmd: string, args: string[]) => cap.run(cmd, args, 30_000);
    for (const r of [
      await get('atftp', ['--option', 'blksize 1428', '--option', 'tsize 0', '--option', 'windowsize 4', '--option', 'timeout 2', '-g', '-r', 'images/payload.bin', '-l', join(cap.dir, 'a1'), SERVER, '69']),
      await get('atftp', ['-g', '-r', 'pxelinux.cfg/default', '-l', join(cap.dir, 'a2'), SERVER, '69']),
      await get('atftp', ['-g', '-r', 'no/such/file', '-l', join(cap.dir, 'a3'), SERVER, '69']),
      await get('tftp', ['-m', 'binary', SERVER, '-c', 'get', 'pxelinux.cfg/default', join(cap.dir, 'h1')]),
      await get('tftp', ['-m', 'netascii', SERVER, '-c', 'get', 'pxelinux.cfg/default', join(cap.dir, 'h2')]),
      await get('curl', ['-sS', '-o', join(cap.dir, 'c1'), `tftp://${SERVER}/images/payload.bin`]),
    ]) void r;
    await sleep(300);
    dump.kill('SIGINT');
    await new Promise((r) => dump.once('close', r));
    const grams = udpDatagrams(readFileSync(pcap));
    const fixtures = readdirSync(join(REPO, 'test', 'fixtures', 'dhcp')).map((f) => Buffer.from(readFileSync(join(REPO, 'test', 'fixtures', 'dhcp', f), 'utf8').trim(), 'hex'));
    const dhcpSeeds = [...fixtures, ...grams.filter((g) => g.dport === 67 || g.sport === 67).map((g) => g.payload)];
    const tftpSeeds = grams.filter((g) => g.dport === 69).map((g) => g.payload);
    const transferSeeds = grams.filter((g) => g.dport !== 69 && g.dport !== 67 && g.sport !== 67 && g.dport !== 68).map((g) => g.payload.subarray(0, 600));
    const rrq = tftpSeeds.find((p) => p.includes('images/payload.bin') && !p.includes('windowsize'))!;
    expect(dhcpSeeds.length).toBeGreaterThan(5);
    expect(tftpSeeds.length).toBeGreaterThan(4);
    expect(transferSeeds.length).toBeGreaterThan(10);

    // 2. The fuzzer, from a machine with a thousand addresses (the per-client limits stay out of the way).
    const fuzzer = rack.machine('198.18.0.3');
    const sources = Array.from({ length: 1000 }, (_, i) => `198.18.${4 + (i >> 8)}.${(i & 255) || 254}`).filter((a, i, all) => all.indexOf(a) === i);
    writeFileSync(join(fuzzer.dir, 'addrs'), sources.map((a) => `addr add ${a}/16 dev eth0`).join('\n') + '\n');
    await run('ip', ['-n', fuzzer.ns, '-batch', join(fuzzer.dir, 'addrs')]);
    const count = scaled(1_000_000, 20_000);
    const transfers = scaled(1000, 50);
    const seconds = Math.max(60, Math.round(900 * SCALE));
    const before = memoryMiB(server.pid);
    const snmp0 = udpCounters(rack.net.ns);
    let peak = before.rss;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, memoryMiB(server.pid).rss);
      } catch {
        // exited: asserted below
      }
    }, 500);
    const arg = { server: SERVER, broadcast: '198.18.255.255', sources, seeds: { dhcp: dhcpSeeds.map((b) => b.toString('hex')), tftp: tftpSeeds.map((b) => b.toString('hex')), transfer: transferSeeds.map((b) => b.toString('hex')), rrq: rrq.toString('hex') }, count, transfers, seconds, pps: 6_000, seed: 0x5eed };
    writeFileSync(join(fuzzer.dir, 'fuzz.json'), JSON.stringify(arg));
    let result: { sent: { dhcp: number; tftp: number; transfer: number }; ms: number };
    try {
      const { stdout } = await run('ip', ['netns', 'exec', fuzzer.ns, process.execPath, join(REPO, 'test', 'reliability', 'fuzz.mjs'), `@${join(fuzzer.dir, 'fuzz.json')}`], { maxBuffer: 1 << 20, timeout: (seconds + 180) * 1000 });
      result = JSON.parse(stdout.trim().split('\n').pop()!) as typeof result;
    } finally {
      clearInterval(sampler);
    }
    await sleep(2000);
    const snmp = udpCounters(rack.net.ns);
    const sent = result.sent.dhcp + result.sent.tftp + result.sent.transfer;
    expect(server.alive(), `rackboot died: ${server.stderr().slice(-3000)}`).toBe(true);
    const dog = server.watchdog();
    expect(dog, dog.first ?? '').toMatchObject({ unhandledRejections: 0, uncaughtExceptions: 0 });
    expect(result.sent.dhcp + result.sent.tftp).toBe(count);

    // 3. A real client afterwards: a lease, a file over TFTP and over HTTP, byte-identical.
    const real = rack.machine();
    const t0 = performance.now();
    const after = await real.udhcpc({ tries: 10 });
    expect(after.lease?.ip ?? 'none', after.output).toMatch(/^198\.18\./);
    real.addAddress(`${after.lease!.ip}/16`);
    const got = await real.run('atftp', ['--option', 'blksize 1428', '-g', '-r', 'images/payload.bin', '-l', join(real.dir, 'p'), SERVER, '69'], 30_000);
    expect(got.code, got.output).toBe(0);
    expect(sha(readFileSync(join(real.dir, 'p')))).toBe(sha(PAYLOAD));
    const http = await real.run('curl', ['-sS', '-m', '20', '-o', join(real.dir, 'h'), `http://${SERVER}/images/payload.bin`], 30_000);
    expect(http.code, http.output).toBe(0);
    expect(sha(readFileSync(join(real.dir, 'h')))).toBe(sha(PAYLOAD));
    const realMs = performance.now() - t0;
    expect(server.alive()).toBe(true);
    figure(
      task.meta,
      `${sent} mutated packets (DHCP ${result.sent.dhcp}, TFTP ${result.sent.tftp}, ${result.sent.transfer} into ${transfers} running transfers) from ${dhcpSeeds.length} DHCP and ${tftpSeeds.length + transferSeeds.length} TFTP captured seeds in ${fmtMs(result.ms)} (${Math.round(sent / (result.ms / 1000))}/s); ` +
        `rackboot took in ${snmp.inDatagrams - snmp0.inDatagrams} datagrams (kernel queue drops ${snmp.rcvbufErrors - snmp0.rcvbufErrors}); 0 crashes, 0 unhandled rejections; RSS ${before.rss.toFixed(0)} -> peak ${peak.toFixed(0)} MiB; ` +
        `after: udhcpc lease ${after.lease!.ip}, 200 KB by atftp and curl byte-identical in ${fmtMs(realMs)}`,
    );
  });
});
