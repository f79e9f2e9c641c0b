/**
 * Wake-on-LAN out of the chosen NIC, in throw-away namespaces (root): rackboot's namespace has pxe0
 * (198.18.1.1/24, to machine namespace A) and lan0 (198.18.2.1/24, to namespace B). The magic packet sent
 * "on pxe0" is captured in A (a UDP listener on port 9 and tcpdump on A's NIC: Ethernet broadcast, a valid
 * magic packet for the MAC) and never reaches B.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../shared/protocol/wol/magic.ts';
import { createTwoNics, deleteNamespaces, stopChildren } from '../helpers/netns.ts';
import { REPO } from '../helpers/rackboot.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { has, run } from '../helpers/tools.ts';

const skip = announceSkip('Wake-on-LAN in namespaces', netnsSkipReason());
const tag = randomBytes(3).toString('hex');
const NS = { server: `rbw-${tag}-s`, a: `rbw-${tag}-a`, b: `rbw-${tag}-b` };
const UDP_LISTEN = join(REPO, 'test', 'helpers', 'udp-listen.mjs');
const MAC = '52:54:00:ab:cd:ef';
const children: ChildProcess[] = [];

function listen(ns: string, port: number): { lines: Record<string, string>[]; ready: Promise<void> } {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, UDP_LISTEN, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const lines: Record<string, string>[] = [];
  const ready = new Promise<void>((resolve) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const v = JSON.parse(l) as Record<string, string>;
      if ('listening' in v) resolve();
      else lines.push(v);
    });
  });
  return { lines, ready };
}

/** sendWakeOnLan run inside rackboot's namespace; resolves with its result. */
async function wake(options: Record<string, unknown>): Promise<Record<string, unknown>> {
  const code = `import { sendWakeOnLan } from ${JSON.stringify(join(REPO, 'electron/core/bmc/wol.ts'))};
    console.log(JSON.stringify(await sendWakeOnLan(${JSON.stringify(options)})));`;
  const { stdout } = await run('ip', ['netns', 'exec', NS.server, process.execPath, '--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe.skipIf(skip)('Wake-on-LAN out of one NIC (namespaces)', () => {
  beforeAll(() => createTwoNics(NS, { pxe0: '198.18.1.1/24', lan0: '198.18.2.1/24', a: '198.18.1.2/24', b: '198.18.2.2/24' }));
  afterAll(async () => {
    await stopChildren(children.splice(0));
    deleteNamespaces(Object.values(NS));
  });

  it('the packet sent on pxe0 is a valid magic packet for the MAC at A, broadcast, and B hears nothing', async () => {
    const a = listen(NS.a, 9);
    const b = listen(NS.b, 9);
    await Promise.all([a.ready, b.ready]);
    let dump: ChildProcess | null = null;
    let captured = '';
    if (has('tcpdump')) {
      dump = spawn('ip', ['netns', 'exec', NS.a, 'tcpdump', '-i', 'eth0', '-n', '-e', '-x', '-c', '1', 'udp port 9'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(dump);
      dump.stdout!.on('data', (d: Buffer) => (captured += d.toString()));
      // tcpdump says "listening on eth0" on stderr once the capture is open.
      await new Promise<void>((resolve) => dump!.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
    }

    const result = await wake({ mac: MAC.toUpperCase(), iface: 'pxe0', count: 2, gapMs: 50 });
    expect(result).toMatchObject({ mac: MAC, sent: 2, bytes: 102, destination: '255.255.255.255', port: 9, iface: 'pxe0', deviceBound: true, note: null });

    const deadline = Date.now() + 5000;
    while (a.lines.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(a.lines).toHaveLength(2);
    for (const line of a.lines) {
      expect(line.from).toBe('198.18.1.1');
      expect(decode(Buffer.from(line.hex!, 'hex')).value).toEqual({ mac: MAC, password: null });
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(b.lines).toEqual([]);

    if (dump) {
      await new Promise((r) => (dump!.exitCode !== null ? r(null) : dump!.once('exit', r)));
      // Ethernet header: to ff:ff:ff:ff:ff:ff, so a NIC in standby sees it whatever address it had.
      expect(captured).toMatch(/> ff:ff:ff:ff:ff:ff, ethertype IPv4/);
      expect(captured).toMatch(/198\.18\.1\.1\.\d+ > 255\.255\.255\.255\.9: UDP, length 102/);
    }
  });

  it('a NIC this computer does not have is refused with its name', async () => {
    await expect(wake({ mac: MAC, iface: 'nope0' })).rejects.toThrow(/there is no network card nope0/);
  });
});
