/**
 * Limits under a flood (issue 9): one machine floods rackboot with TFTP read requests (for a real file, never
 * acknowledged, so each would hold a transfer) and DHCP DISCOVERs (a captured PXE ROM DISCOVER, one
 * hardware address) while another machine boots for real: busybox udhcpc must get its lease and atftp its
 * file, byte-identical, during the flood. rackboot's limits say so in warnings; its memory stays bounded.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode as decodeDhcp, encode as encodeDhcp } from '../../shared/protocol/dhcp4/codec.ts';
import { encode } from '../../shared/protocol/tftp/codec.ts';
import { REPO, tempDir } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { missing, sha } from '../helpers/tools.ts';
import { figure, fmtMs, scaled, sleep } from './figures.ts';
import { BRIDGE, createRack, flood, memoryMiB, SERVER, startServe, udpCounters, warnings, type Rack, type Serve } from './lab.ts';

const skip = announceSkip('reliability: limits under a flood', netnsSkipReason() ?? (missing('busybox', 'atftp') ? 'busybox and atftp are needed' : null), { requiredInCi: true });

const KPXE = randomBytes(150_001);
const root = tempDir('rackboot-rel-limits-');
const data = tempDir('rackboot-rel-limits-data-');
let rack: Rack;
let server: Serve;

beforeAll(async () => {
  if (skip) return;
  mkdirSync(join(root.path, 'images'), { recursive: true });
  writeFileSync(join(root.path, 'images', 'payload.bin'), KPXE);
  rack = createRack();
  server = await startServe(rack.net.ns, ['--interface', BRIDGE, '--address', SERVER, '--dhcp', 'full', '--pool', '198.18.0.100-198.18.0.199', '--tftp-root', root.path, '--tftp-port', '69', '--http-port', '80', '--data', data.path]);
});
afterAll(async () => {
  await server?.stop();
  rack?.destroy();
  root.remove();
  data.remove();
});

describe.skipIf(skip)('limits under a flood from one machine', () => {
  it('a flood of RRQs and DISCOVERs from one source: a real client still gets its lease and its file', async ({ task }) => {
    const seconds = scaled(30, 15);
    const flooder = rack.machine('198.18.0.2');
    const real = rack.machine();
    const before = memoryMiB(server.pid);
    const snmp0 = udpCounters(rack.net.ns);
    const discover = decodeDhcp(Buffer.from(readFileSync(join(REPO, 'test', 'fixtures', 'dhcp', 'discover-bios.hex'), 'utf8').trim(), 'hex')).value;
    const chaddr = new Uint8Array(16);
    chaddr.set([0x02, 0x00, 0x00, 0x00, 0x0f, 0x01]);
    const floodDiscover = encodeDhcp({ ...discover, chaddr });
    const rrq = (file: string, opts: [string, string][] = []) => encode({ op: 'RRQ', filename: file, mode: 'octet', options: opts });
    const floodStart = performance.now();
    const tftpFlood = flood(flooder.ns, { to: { address: SERVER, port: 69 }, packets: [rrq('images/payload.bin'), rrq('images/payload.bin', [['blksize', '1428'], ['tsize', '0']]), rrq('pxelinux.cfg/default')], seconds, sockets: 64 });
    const dhcpFlood = flood(flooder.ns, { bind: { address: '0.0.0.0', port: 68 }, to: { address: '198.18.0.255', port: 67 }, packets: [floodDiscover], seconds, broadcast: true });
    let peak = before.peak;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, memoryMiB(server.pid).rss);
      } catch {
        // exited: the assertions below say so
      }
    }, 250);
    try {
      // Let the flood build up, then boot the real machine in the middle of it.
      await sleep(Math.min(3000, (seconds * 1000) / 4));
      const t0 = performance.now();
      const lease = await real.udhcpc({ tries: 10 });
      const leaseMs = performance.now() - t0;
      expect(lease.lease?.ip ?? 'none', `${lease.output}; rackboot: ${server.lines.filter((l) => l.mac === real.mac || (l.level !== 'info' && !l.fields?.limit)).map((l) => l.msg).join(' / ').slice(0, 1500)}`).toMatch(/^198\.18\.0\.(1[0-9][0-9])$/);
      // The hook records what udhcpc was told; the machine takes that address (as udhcpc's default script would).
      real.addAddress(`${lease.lease!.ip}/24`);
      const t1 = performance.now();
      const local = join(real.dir, 'kpxe');
      const got = await real.run('atftp', ['--tftp-timeout', '1', '--option', 'blksize 1428', '-g', '-r', 'images/payload.bin', '-l', local, SERVER, '69'], 60_000);
      const fileMs = performance.now() - t1;
      expect(got.code, `${got.output}; rackboot about ${lease.lease!.ip}: ${server.lines.filter((l) => l.ip === lease.lease!.ip).map((l) => l.msg).join(' / ')}`).toBe(0);
      expect(sha(readFileSync(local))).toBe(sha(KPXE));
      const stillFlooding = performance.now() - floodStart < seconds * 1000 - 500;
      const [t, d] = await Promise.all([tftpFlood, dhcpFlood]);
      clearInterval(sampler);
      await sleep(500);
      const snmp = udpCounters(rack.net.ns);
      const limitWarnings = warnings(server).filter((l) => l.fields?.limit !== undefined);
      const dropped = (service: string) => limitWarnings.filter((l) => l.service === service).reduce((n, l) => n + Number(l.fields!.dropped ?? 0), 0);
      expect(server.alive(), server.stderr()).toBe(true);
      expect(server.watchdog()).toMatchObject({ unhandledRejections: 0, uncaughtExceptions: 0 });
      expect(limitWarnings.some((l) => l.service === 'tftp')).toBe(true);
      expect(limitWarnings.some((l) => l.service === 'dhcp')).toBe(true);
      // One warning per limit and client per 5 s, not one per packet.
      expect(limitWarnings.length).toBeLessThan(((seconds / 5) + 2) * 6);
      expect(peak - before.rss).toBeLessThan(150);
      figure(
        task.meta,
        `flood ${t.sent} RRQs + ${d.sent} DISCOVERs from one machine in ${fmtMs(Math.max(t.ms, d.ms))} (${Math.round((t.sent + d.sent) / (Math.max(t.ms, d.ms) / 1000))}/s); ` +
          `real client: lease ${lease.lease!.ip} in ${fmtMs(leaseMs)}, 150 KB by atftp in ${fmtMs(fileMs)} byte-identical${stillFlooding ? ' (during the flood)' : ' (flood ending)'}; ` +
          `limits dropped >= ${dropped('tftp')} TFTP / ${dropped('dhcp')} DHCP in ${limitWarnings.length} warnings; kernel queue drops ${snmp.rcvbufErrors - snmp0.rcvbufErrors}; ` +
          `RSS ${before.rss.toFixed(0)} -> peak ${peak.toFixed(0)} MiB; 0 crashes`,
      );
      expect(stillFlooding, 'the real client finished while the flood still ran').toBe(true);
    } finally {
      clearInterval(sampler);
    }
  });
});
