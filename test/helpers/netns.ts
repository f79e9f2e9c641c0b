/**
 * A throw-away test network: a network namespace holding a bridge (the rack switch) addressed in
 * 198.18.0.0/15, with taps for QEMU guests. Nothing in it can reach the host's real LAN.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestNet {
  ns: string;
  bridge: string;
  /** The bridge's own address (where rackboot listens in later rings). */
  address: string;
  prefix: number;
  /** Creates a tap enslaved to the bridge and returns its name. */
  addTap(): string;
  /**
   * Another machine on the same switch: its own namespace joined to the bridge by a veth pair, with `address`.
   * Destroyed with the net.
   */
  addHost(address: string): Host;
  /** Runs a program inside the namespace. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  exec(cmd: string, args: string[]): string;
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export interface Host {
  ns: string;
  /** The host's interface name inside its namespace. */
  iface: string;
  address: string;
  spawn(cmd: string, args: string[], opts?: SpawnOptions): ChildProcess;
  exec(cmd: string, args: string[]): string;
}

export function createTestNet(opts: { address?: string; prefix?: number } = {}): TestNet {
  const ns = `rb-${randomBytes(4).toString('hex')}`;
  const bridge = 'rackbr0';
  const address = opts.address ?? '198.18.0.1';
  const prefix = opts.prefix ?? 24;
  if (!/^198\.(18|19)\./.test(address)) throw new Error(`test networks stay inside 198.18.0.0/15, not ${address}`);
  ip('netns', 'add', ns);
  const taps: string[] = [];
  const hosts: string[] = [];
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'add', bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    ip('-n', ns, 'addr', 'add', `${address}/${prefix}`, 'dev', bridge);
    ip('-n', ns, 'link', 'set', bridge, 'up');
  } catch (e) {
    ip('netns', 'del', ns);
    throw e;
  }
  return {
    ns,
    bridge,
    address,
    prefix,
    addTap() {
      const tap = `tap${taps.length}`;
      ip('-n', ns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap');
      ip('-n', ns, 'link', 'set', tap, 'master', bridge);
      ip('-n', ns, 'link', 'set', tap, 'up');
      taps.push(tap);
      return tap;
    },
    addHost(hostAddress) {
      if (!/^198\.(18|19)\./.test(hostAddress)) throw new Error(`test hosts stay inside 198.18.0.0/15, not ${hostAddress}`);
      const hostNs = `${ns}-h${hosts.length}`;
      const outside = `vh${hosts.length}`;
      ip('netns', 'add', hostNs);
      hosts.push(hostNs);
      ip('-n', ns, 'link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', hostNs);
      ip('-n', ns, 'link', 'set', outside, 'master', bridge);
      ip('-n', ns, 'link', 'set', outside, 'up');
      ip('-n', hostNs, 'link', 'set', 'lo', 'up');
      ip('-n', hostNs, 'addr', 'add', `${hostAddress}/${prefix}`, 'dev', 'eth0');
      ip('-n', hostNs, 'link', 'set', 'eth0', 'up');
      return {
        ns: hostNs,
        iface: 'eth0',
        address: hostAddress,
        spawn: (cmd, args, spawnOpts = {}) => spawn('ip', ['netns', 'exec', hostNs, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOpts }),
        exec: (cmd, args) => execFileSync('ip', ['netns', 'exec', hostNs, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString(),
      };
    },
    spawn(cmd, args, spawnOpts = {}) {
      return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOpts });
    },
    exec(cmd, args) {
      return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    },
    destroy() {
      deleteNamespaces([...hosts, ns]);
    },
  };
}

/** Deletes each namespace; one never created or already gone is passed over. */
export function deleteNamespaces(names: Iterable<string>): void {
  for (const name of names) {
    try {
      ip('netns', 'del', name);
    } catch {
      // Never created or already gone.
    }
  }
}

/**
 * Stops the children still running (SIGTERM) and resolves once every one has closed. `ip netns del` only
 * drops a namespace's name: a process inside keeps it alive, so stop them before deleting namespaces.
 */
export async function stopChildren(children: readonly ChildProcess[]): Promise<void> {
  const exits = children.map((c) => {
    if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => c.once('close', () => r()));
    c.kill('SIGTERM');
    return exited;
  });
  await Promise.all(exits);
}

/**
 * The one-NIC-only topology: namespace `server` with pxe0 (a veth to `a`'s eth0) and lan0 (a veth to `b`'s
 * eth0), each end addressed with the CIDR given. Interface names live inside each namespace; only the
 * namespace names need to be unique per run. Undo with deleteNamespaces.
 */
export function createTwoNics(ns: { server: string; a: string; b: string }, cidr: { pxe0: string; lan0: string; a: string; b: string }): void {
  for (const name of [ns.server, ns.a, ns.b]) {
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
  }
  ip('-n', ns.server, 'link', 'add', 'pxe0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.a);
  ip('-n', ns.server, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.b);
  for (const [name, dev, address] of [
    [ns.server, 'pxe0', cidr.pxe0],
    [ns.server, 'lan0', cidr.lan0],
    [ns.a, 'eth0', cidr.a],
    [ns.b, 'eth0', cidr.b],
  ] as const) {
    ip('-n', name, 'addr', 'add', address, 'dev', dev);
    ip('-n', name, 'link', 'set', dev, 'up');
  }
}
