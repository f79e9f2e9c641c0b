/**
 * Real DHCP clients against rackboot in throw-away network namespaces (CONVENTIONS §10 ring b): ISC dhclient,
 * busybox udhcpc, kea's perfdhcp and a scriptable UDP peer, each in its own namespace whose eth0 is a veth
 * into the server namespace (a port of its bridge, or a routed link of its own). Everything stays inside
 * 198.18.0.0/15; client programs get private config, lease, pid and hook files in a temp folder and a hook
 * script that only records what they were told (and configures the client namespace's own eth0).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { deleteNamespaces } from './netns.ts';
import { tempDir, REPO } from './rackboot.ts';
import { matchWaiter } from './wait.ts';

export const UDP_PEER = join(REPO, 'test', 'helpers', 'udp-peer.mjs');
/** A minimal PATH and nothing else: the hook script records the environment, which should be the client's. */
const CLEAN_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };

export const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export interface Ran {
  /** Exit code; null when it had to be killed (it ran past its time). */
  code: number | null;
  output: string;
}

/** Runs a program inside a namespace with a clean environment; never rejects, kills it after `timeoutMs`. */
export function runIn(ns: string, cmd: string, args: string[], timeoutMs = 30_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, cmd, ...args], { env: CLEAN_ENV, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** The hook dhclient (-sf) and udhcpc (-s) run: records each call; keeps the namespace's eth0 address in step. */
const HOOK = `#!/bin/sh
# Test hook: appends "--- REASON" and the environment to ./calls, next to this script. It runs inside the
# client's own network namespace, so the only interface it can touch is the client's veth.
reason="\${reason:-$1}"
{ echo "--- $reason"; env | sort; } >> "$(dirname "$0")/calls"
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
  RELEASE|EXPIRE|STOP) [ -n "$old_ip_address" ] && ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" ;;
esac
exit 0
`;

export type HookCall = { reason: string; env: Record<string, string> };

export interface DhclientRun extends Ran {
  /** Hook calls made during this run, in order. */
  calls: HookCall[];
  /** The environment of the last BOUND/REBOOT/RENEW call: what the client accepted. */
  lease: Record<string, string> | null;
}

export interface Client {
  ns: string;
  mac: string;
  /** The veth's name in the server namespace. */
  port: string;
  /** Private folder: dhclient.conf, hook, lease and pid files. */
  dir: string;
  /** Adds a static address (CIDR) to eth0. */
  addAddress(cidr: string): void;
  run(cmd: string, args: string[], timeoutMs?: number): Promise<Ran>;
  /**
   * `dhclient -1 -v` on eth0 with a private config, lease file, pid file and hook. dhclient daemonises once
   * bound; that background copy is stopped (without a release) before this resolves.
   */
  dhclient(opts?: { timeoutS?: number; conf?: string[]; release?: boolean }): Promise<DhclientRun>;
  /** `busybox udhcpc -q -f -n` on eth0 with the hook; `-O` for each requested option. */
  udhcpc(opts?: { tries?: number; options?: string[]; extra?: string[] }): Promise<DhclientRun>;
  /** Every hook call so far. */
  calls(): HookCall[];
}

export interface Lab {
  /** The server namespace (rackboot runs here). */
  ns: string;
  /** A client namespace whose eth0 is a port of `bridge` in the server namespace. */
  addClient(opts: { mac: string; bridge: string }): Client;
  /** A client namespace on a routed link of its own: `serverSide` (CIDR) on the server's end, named `port`. */
  addLink(opts: { mac: string; port: string; serverSide: string }): Client;
  /**
   * Stops what still runs in the client namespaces and the server namespace (all of it started by the test),
   * then deletes the client namespaces; the server namespace belongs to its TestNet.
   */
  destroy(): void;
}

function parseCalls(text: string): HookCall[] {
  const calls: HookCall[] = [];
  for (const block of text.split(/^--- /m).slice(1)) {
    const [reason, ...lines] = block.split('\n');
    const env: Record<string, string> = {};
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    calls.push({ reason: reason!.trim(), env });
  }
  return calls;
}

/** Stops the processes left in a namespace (all started by the test), or only those named `comm`. */
function killAllIn(ns: string, comm?: string): void {
  let pids: string[] = [];
  try {
    pids = ip('netns', 'pids', ns).split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      if (comm && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) continue;
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export function createLab(serverNs: string): Lab {
  const namespaces: string[] = [];
  const dirs: { remove(): void }[] = [];

  function makeClient(mac: string, port: string, attach: () => void): Client {
    const ns = `${serverNs}-${port}`;
    ip('netns', 'add', ns);
    namespaces.push(ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', serverNs, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    attach();
    ip('-n', serverNs, 'link', 'set', port, 'up');
    ip('-n', ns, 'link', 'set', 'eth0', 'address', mac);
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    const tmp = tempDir('rackboot-dhcp-client-');
    dirs.push(tmp);
    const dir = tmp.path;
    const hook = join(dir, 'hook.sh');
    writeFileSync(hook, HOOK);
    chmodSync(hook, 0o755);
    const callsFile = join(dir, 'calls');
    const calls = () => (existsSync(callsFile) ? parseCalls(readFileSync(callsFile, 'utf8')) : []);
    const run = (cmd: string, args: string[], timeoutMs?: number) => runIn(ns, cmd, args, timeoutMs);

    const withCalls = async (ran: Promise<Ran>): Promise<DhclientRun> => {
      const before = calls().length;
      const r = await ran;
      const mine = calls().slice(before);
      const bound = mine.filter((c) => /^(BOUND|REBOOT|RENEW|REBIND|bound|renew)$/.test(c.reason)).at(-1);
      return { ...r, calls: mine, lease: bound?.env ?? null };
    };

    return {
      ns,
      mac,
      port,
      dir,
      addAddress: (cidr) => void ip('-n', ns, 'addr', 'add', cidr, 'dev', 'eth0'),
      run,
      calls,
      async dhclient({ timeoutS = 10, conf = [], release = false } = {}) {
        const confFile = join(dir, 'dhclient.conf');
        writeFileSync(
          confFile,
          [
            `timeout ${timeoutS};`,
            'retry 1;',
            'initial-interval 1;',
            'select-timeout 0;',
            'reboot 3;',
            'request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, host-name, dhcp-lease-time;',
            ...conf,
            '',
          ].join('\n'),
        );
        const args = ['-4', release ? '-r' : '-1', '-v', '-cf', confFile, '-sf', hook, '-lf', join(dir, 'dhclient.leases'), '-pf', join(dir, 'dhclient.pid'), 'eth0'];
        const result = await withCalls(run('dhclient', args, (timeoutS + 15) * 1000));
        // Bound, dhclient forks a daemon to renew later; stop every dhclient left here (SIGKILL: no release).
        killAllIn(ns, 'dhclient');
        return result;
      },
      udhcpc({ tries = 3, options = ['subnet', 'router', 'dns', 'domain', 'hostname', 'lease'], extra = [] } = {}) {
        const args = ['udhcpc', '-s', hook, '-q', '-f', '-n', '-t', String(tries), '-T', '1', '-i', 'eth0', ...options.flatMap((o) => ['-O', o]), ...extra];
        return withCalls(run('busybox', args, (tries * 3 + 10) * 1000));
      },
    };
  }

  return {
    ns: serverNs,
    addClient({ mac, bridge }) {
      const port = `c${namespaces.length}`;
      return makeClient(mac, port, () => ip('-n', serverNs, 'link', 'set', port, 'master', bridge));
    },
    addLink({ mac, port, serverSide }) {
      return makeClient(mac, port, () => ip('-n', serverNs, 'addr', 'add', serverSide, 'dev', port));
    },
    destroy() {
      killAllIn(serverNs);
      for (const ns of namespaces.splice(0)) {
        killAllIn(ns);
        deleteNamespaces([ns]);
      }
      for (const d of dirs.splice(0)) d.remove();
    },
  };
}

// ---- perfdhcp ----

export interface PerfExchange {
  sent: number;
  received: number;
  drops: number;
  rejected: number;
  nonUnique: number;
}

export interface PerfSummary {
  discoverOffer: PerfExchange;
  requestAck: PerfExchange;
  malformed: number;
}

/** Reads perfdhcp's end-of-run report ("***Statistics for: DISCOVER-OFFER***" ...). */
export function parsePerfdhcp(output: string): PerfSummary {
  const section = (name: string): PerfExchange => {
    const text = output.split('***Statistics for: ').find((block) => block.startsWith(`${name}***`));
    if (!text) throw new Error(`perfdhcp printed no ${name} statistics:\n${output}`);
    const num = (label: string) => {
      const m = new RegExp(`^${label}: (\\d+)`, 'm').exec(text);
      if (!m) throw new Error(`perfdhcp ${name} statistics have no "${label}":\n${text}`);
      return Number(m[1]);
    };
    return { sent: num('sent packets'), received: num('received packets'), drops: num('drops'), rejected: num('rejected leases'), nonUnique: num('non unique addresses') };
  };
  const malformed = /^Malformed packets: (\d+)/m.exec(output);
  return { discoverOffer: section('DISCOVER-OFFER'), requestAck: section('REQUEST-ACK'), malformed: malformed ? Number(malformed[1]) : 0 };
}

// ---- the scriptable UDP peer ----

export type PeerLine = Record<string, unknown>;

export interface Peer {
  lines: PeerLine[];
  /** The first line (already read or still to come) that matches. */
  waitFor(match: (l: PeerLine) => boolean, what: string, ms?: number): Promise<PeerLine>;
  send(bytes: Uint8Array, address: string, port: number, id?: unknown): void;
  pause(ms: number): void;
  stop(): Promise<void>;
}

/** Starts test/helpers/udp-peer.mjs in a namespace, bound to `bind`, and waits until it listens. */
export async function startPeer(ns: string, bind: { address: string; port: number }): Promise<Peer> {
  const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, UDP_PEER, JSON.stringify({ ...bind, broadcast: true })], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const lines: PeerLine[] = [];
  const waiting = matchWaiter(lines);
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    lines.push(JSON.parse(line) as PeerLine);
    waiting.notify();
  });
  const exited = new Promise<void>((r) => proc.once('close', () => r()));
  const peer: Peer = {
    lines,
    waitFor(match, what, ms = 10_000) {
      return waiting.waitForMatch(match, ms, () => new Error(`no ${what} at the UDP peer in ${ns} within ${ms} ms; stderr ${stderr}`));
    },
    send(bytes, address, port, id) {
      proc.stdin!.write(JSON.stringify({ send: { hex: Buffer.from(bytes).toString('hex'), address, port }, ...(id === undefined ? {} : { id }) }) + '\n');
    },
    pause(ms) {
      proc.stdin!.write(JSON.stringify({ pause: ms }) + '\n');
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
  await peer.waitFor((l) => 'listening' in l, 'listening line');
  return peer;
}
