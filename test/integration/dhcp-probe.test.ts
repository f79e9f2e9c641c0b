/**
 * `rackboot dhcp-probe`: on a switch where a site DHCP server (busybox udhcpd) answers, the probe sees it and
 * advises ProxyDHCP; where nothing answers, it advises full DHCP. The probe takes no lease: the server's lease
 * file stays empty (no REQUEST was ever sent). Runs inside network namespaces the test creates (198.18.0.0/15).
 * (Not dnsmasq here: in these namespaces it cannot send a broadcast reply, "error binding DHCP socket to device",
 * and the probe asks for broadcast replies as RFC 2131 4.1 allows a client without an address.)
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNet, stopChildren, type TestNet } from '../helpers/netns.ts';
import { runCli, startCli, tempDir } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { missing } from '../helpers/tools.ts';

const skip = announceSkip('dhcp probe', netnsSkipReason() ?? (missing('busybox') ? 'busybox missing (build/scripts/install-test-tools.sh)' : null), { requiredInCi: true });

describe.skipIf(skip)('rackboot dhcp-probe', () => {
  let net: TestNet;
  let work: ReturnType<typeof tempDir>;
  const children: ChildProcess[] = [];
  beforeAll(() => {
    net = createTestNet();
    work = tempDir('rackboot-probe-');
  });
  afterAll(async () => {
    await stopChildren(children);
    net?.destroy();
    work?.remove();
  });

  const probe = async () => {
    const r = await runCli(['dhcp-probe', '--interface', net.bridge, '--data', join(work.path, 'data')], { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim()) as { offers: { server: string; offered: string; router: string | null; proxy: boolean }[]; suggestion: string; reason: string };
  };

  it('nothing answers: full DHCP', async () => {
    const r = await probe();
    expect(r.offers).toEqual([]);
    expect(r.suggestion).toBe('full');
    expect(r.reason).toMatch(/no DHCP server answered/);
  });

  it('a site DHCP server answers: ProxyDHCP beside it, and no lease was taken', async () => {
    const site = net.addHost('198.18.0.2');
    const leases = join(work.path, 'site.leases');
    const conf = join(work.path, 'udhcpd.conf');
    writeFileSync(conf, `start 198.18.0.100\nend 198.18.0.150\ninterface ${site.iface}\nlease_file ${leases}\noption subnet 255.255.255.0\noption router 198.18.0.254\noption lease 3600\n`);
    writeFileSync(leases, '');
    children.push(site.spawn('busybox', ['udhcpd', '-f', conf]));
    await new Promise((r) => setTimeout(r, 500));
    const r = await probe();
    expect(r.offers).toHaveLength(1);
    expect(r.offers[0]).toMatchObject({ server: '198.18.0.2', router: '198.18.0.254', proxy: false });
    expect(r.offers[0]!.offered).toMatch(/^198\.18\.0\.(1[0-4]\d|150)$/);
    expect(r.suggestion).toBe('proxy');
    expect(r.reason).toContain('198.18.0.2 already hands out addresses');
    expect(readFileSync(leases).length).toBe(0);
  });

  it('full mode refuses to start beside that server, naming it; proxy mode starts', async () => {
    const data = join(work.path, 'serve');
    const serve = (mode: string) => ['serve', '--interface', net.bridge, '--dhcp', mode, '--http-port', '18080', '--tftp-port', '18069', '--data', data, '--log', 'json'];
    const refused = await runCli(serve('full'), { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/198\.18\.0\.2 already hands out addresses on rackbr0 \(it offered 198\.18\.0\.\d+, router 198\.18\.0\.254\).*proxy mode/);
    const proxy = await startCli(serve('proxy'), { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 30_000 });
    expect(proxy.first).toMatchObject({ event: 'ready' });
    await proxy.stop();
  });

  it('a DHCP server that appears while rackboot serves in full mode is reported, without rackboot sending anything', async () => {
    const other = createTestNet();
    try {
      const data = join(work.path, 'serve-watch');
      const server = await startCli(['serve', '--interface', other.bridge, '--dhcp', 'full', '--pool', '198.18.0.100-198.18.0.120', '--http-port', '18081', '--tftp-port', '18070', '--data', data, '--log', 'json'], { cmdPrefix: ['ip', 'netns', 'exec', other.ns], timeoutMs: 30_000 });
      try {
        const site = other.addHost('198.18.0.3');
        const conf = join(work.path, 'udhcpd-late.conf');
        writeFileSync(conf, `start 198.18.0.200\nend 198.18.0.210\ninterface ${site.iface}\nlease_file ${join(work.path, 'late.leases')}\noption subnet 255.255.255.0\n`);
        writeFileSync(join(work.path, 'late.leases'), '');
        children.push(site.spawn('busybox', ['udhcpd', '-f', conf]));
        await new Promise((r) => setTimeout(r, 500));
        // A client that asks for broadcast replies (as PXE firmware does): both servers' offers cross the switch.
        const client = other.addHost('198.18.0.4');
        client.exec('ip', ['addr', 'flush', 'dev', 'eth0']);
        try {
          client.exec('busybox', ['udhcpc', '-i', 'eth0', '-B', '-n', '-q', '-t', '3', '-T', '1', '-s', '/bin/true']);
        } catch {
          // Which server it took does not matter here.
        }
        await expect.poll(() => (server.lines as { msg?: string; level?: string }[]).some((l) => l.level === 'error' && /another DHCP server is answering on rackbr0: 198\.18\.0\.3 gave out 198\.18\.0\.2\d\d/.test(l.msg ?? '')), { timeout: 10_000 }).toBe(true);
      } finally {
        await server.stop();
      }
    } finally {
      other.destroy();
    }
  });
});
