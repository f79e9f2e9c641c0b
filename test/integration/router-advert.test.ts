/**
 * The "no IPv6 router here" advert rackboot sends an iPXE client (electron/core/net/router-advert.ts), received
 * by a real IPv6 stack: a Linux network namespace standing in for the machine, with the machine's MAC. The
 * kernel counts the advert only when it arrived as a valid ICMPv6 message for it; a second machine on the same
 * switch receives nothing (unicast, never multicast); and the advert changes nothing there (no default route,
 * no address). The time it saves real iPXE is measured by `npm run bench` (boot section).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootEventInput } from '../../shared/model/event.ts';
import { nativeNetStatus } from '../../electron/core/net/bind.ts';
import { createTestNet, type Host, type TestNet } from '../helpers/netns.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';

async function waitUntil(test: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`${what}: not there within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const skip = announceSkip('router advert', netnsSkipReason() ?? (nativeNetStatus().available ? null : nativeNetStatus().reason), { requiredInCi: true });

let net: TestNet;
let machine: Host;
let bystander: Host;
const MACHINE_MAC = '52:54:00:6d:00:01';
const BYSTANDER_MAC = '52:54:00:6d:00:02';

function raCount(h: Host): number {
  const m = /^Icmp6InRouterAdvertisements\s+(\d+)$/m.exec(h.exec('cat', ['/proc/net/snmp6']));
  return Number(m?.[1] ?? NaN);
}
const sysctl = (h: Host, key: string, value: string) => h.exec('sysctl', ['-qw', `${key}=${value}`]);

describe.skipIf(skip)('router advert to an iPXE client', () => {
  beforeAll(async () => {
    net = createTestNet();
    net.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=0']);
    machine = net.addHost('198.18.0.50');
    bystander = net.addHost('198.18.0.51');
    for (const [h, mac] of [[machine, MACHINE_MAC], [bystander, BYSTANDER_MAC]] as const) {
      sysctl(h, 'net.ipv6.conf.eth0.accept_ra', '2');
      sysctl(h, 'net.ipv6.conf.eth0.accept_dad', '0');
      h.exec('ip', ['link', 'set', 'eth0', 'down']);
      h.exec('ip', ['link', 'set', 'eth0', 'address', mac]);
      h.exec('ip', ['link', 'set', 'eth0', 'up']);
    }
    // Both ends need their link-local addresses (the bridge's comes after its own duplicate address detection).
    await waitUntil(() => /inet6 fe80::/.test(net.exec('ip', ['-6', 'addr', 'show', 'dev', net.bridge])) && !/tentative/.test(net.exec('ip', ['-6', 'addr', 'show', 'dev', net.bridge])), 10_000, 'the bridge link-local address');
    await waitUntil(() => /inet6 fe80::5054:ff:fe6d:1\//.test(machine.exec('ip', ['-6', 'addr', 'show', 'dev', 'eth0'])), 10_000, "the machine's EUI-64 link-local address");
  }, 30_000);
  afterAll(() => net?.destroy());

  it('reaches the machine as one valid advert, not the bystander, and leaves no route or address behind', async () => {
    const events: BootEventInput[] = [];
    const script = `
      import { createRouterAdvertiser } from ${JSON.stringify(new URL('../../electron/core/net/router-advert.ts', import.meta.url).pathname)};
      const events = [];
      const ra = createRouterAdvertiser({ iface: ${JSON.stringify(net.bridge)}, mac: null, emit: (e) => events.push(e) });
      ra.nudge(${JSON.stringify(MACHINE_MAC)});
      ra.nudge(${JSON.stringify(MACHINE_MAC)}); // DISCOVER then REQUEST within a second: one advert
      ra.close();
      process.stdout.write(JSON.stringify(events));
    `;
    const before = { machine: raCount(machine), bystander: raCount(bystander) };
    // The advertiser runs inside the switch's namespace, as `rackboot serve` does there.
    const out = net.exec('node', ['--import', 'tsx', '--input-type=module', '-e', script]);
    events.push(...(JSON.parse(out) as BootEventInput[]));
    expect(events.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
    await waitUntil(() => raCount(machine) > before.machine, 5_000, 'the advert at the machine');
    await new Promise((r) => setTimeout(r, 300));
    expect(raCount(machine)).toBe(before.machine + 1);
    expect(raCount(bystander)).toBe(before.bystander);
    expect(machine.exec('ip', ['-6', 'route', 'show', 'default'])).toBe('');
    expect(machine.exec('ip', ['-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'global'])).toBe('');
  });
});
