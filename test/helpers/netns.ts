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
      for (const name of [...hosts, ns]) {
        try {
          ip('netns', 'del', name);
        } catch {
          // Already gone.
        }
      }
    },
  };
}
