/**
 * The reliability tests' lab: `rackboot serve` (the real CLI) in a server namespace whose bridge is the rack
 * switch (198.18.0.0/15 only), machines in client namespaces on that bridge (test/helpers/dhcp-clients.ts),
 * and what the tests read off the server: its JSON lines, the watchdog's count of unhandled rejections and
 * uncaught exceptions, its memory, and the kernel's UDP counters inside the namespace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createLab, type Client, type Lab } from '../helpers/dhcp-clients.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { CLI, REPO } from '../helpers/rackboot.ts';
import { run } from '../helpers/tools.ts';
import { matchWaiter } from '../helpers/wait.ts';

export const WATCHDOG = join(REPO, 'test', 'reliability', 'watchdog.mjs');

export type Line = Record<string, unknown> & { event?: string; msg?: string; level?: string; service?: string; fields?: Record<string, unknown> };

export interface Serve {
  proc: ChildProcess;
  pid: number;
  /** The ready line. */
  ready: Line;
  /** Every JSON line after the ready line. */
  lines: Line[];
  /** The first line (already printed or still to come) that matches. */
  waitFor(match: (l: Line) => boolean, what: string, ms?: number): Promise<Line>;
  stderr(): string;
  /** What the watchdog saw: promise rejections nobody handled, exceptions nobody caught. */
  watchdog(): { unhandledRejections: number; uncaughtExceptions: number; first: string | null };
  /** Still running (not exited, not killed). */
  alive(): boolean;
  /** Exit code and signal once it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (or `signal`) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `rackboot serve ARGS --log json` in `ns` (null: here, for loopback) under node with the watchdog
 * preloaded, and waits
 * for its ready line; rejects with its stderr when it exits first.
 */
export function startServe(ns: string | null, args: string[], opts: { timeoutMs?: number; log?: 'json' | 'text' } = {}): Promise<Serve> {
  const node = [process.execPath, '--import', WATCHDOG, CLI, 'serve', ...args, '--log', opts.log ?? 'json'];
  // `ip netns exec` execs node in place: the child's pid is rackboot's (kill -9 and /proc read it directly).
  const [cmd, ...argv] = ns ? ['ip', 'netns', 'exec', ns, ...node] : node;
  const proc = spawn(cmd!, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const dog = { unhandledRejections: 0, uncaughtExceptions: 0, first: null as string | null };
  createInterface({ input: proc.stderr! }).on('line', (line) => {
    stderr += `${line}\n`;
    if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19));
    const m = /^rackboot-watchdog: (unhandledRejection|uncaughtException): (.*)$/.exec(line);
    if (!m) return;
    if (m[1] === 'unhandledRejection') dog.unhandledRejections++;
    else dog.uncaughtExceptions++;
    dog.first ??= `${m[1]}: ${m[2]}`;
  });
  const lines: Line[] = [];
  const waiting = matchWaiter(lines);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => proc.once('close', (code, signal) => r({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  return new Promise((resolve, reject) => {
    let ready: Line | null = null;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`rackboot serve printed no ready line within ${opts.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      let value: Line;
      try {
        value = JSON.parse(text) as Line;
      } catch {
        return;
      }
      if (ready) {
        lines.push(value);
        if (lines.length > 200_000) lines.splice(0, 100_000);
        waiting.notify();
        return;
      }
      ready = value;
      clearTimeout(timer);
      resolve({
        proc,
        pid: proc.pid!,
        ready,
        lines,
        waitFor: (match, what, ms = 15_000) => waiting.waitForMatch(match, ms, () => new Error(`rackboot logged no ${what} within ${ms} ms`)),
        stderr: () => stderr,
        watchdog: () => ({ ...dog }),
        alive: () => !done,
        exited,
        async stop(signal = 'SIGTERM') {
          if (!done) proc.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code, signal }) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`rackboot serve exited (${code ?? signal}) before its ready line; stderr: ${stderr}`));
    });
  });
}

/** Resident and peak memory of a process, in MiB (Linux /proc). */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The kernel's UDP counters inside a namespace (/proc/net/snmp): datagrams in, and those dropped for a full queue. */
export function udpCounters(ns: string): { inDatagrams: number; rcvbufErrors: number; inErrors: number } {
  const snmp = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp']).toString();
  const [head, values] = snmp.split('\n').filter((l) => l.startsWith('Udp:'));
  const names = head!.split(/\s+/);
  const nums = values!.split(/\s+/);
  const get = (n: string) => Number(nums[names.indexOf(n)] ?? 0);
  return { inDatagrams: get('InDatagrams'), rcvbufErrors: get('RcvbufErrors'), inErrors: get('InErrors') };
}

/** Log lines of one service at warn or above. */
export const warnings = (s: Serve, service?: string) => s.lines.filter((l) => l.event === 'log' && (l.level === 'warn' || l.level === 'error') && (!service || l.service === service));

// ---- the rack: a server namespace with a bridge, machines on it ----

export const SERVER = '198.18.0.1';
export const BRIDGE = 'rackbr0';

export interface Rack {
  net: TestNet;
  lab: Lab;
  /** A machine on the rack switch with a MAC no other machine of this rack has; `address` adds a static one. */
  machine(address?: string): Client;
  /** Everything started in the namespaces is stopped and the namespaces deleted. */
  destroy(): void;
}

export function createRack(opts: { prefix?: number } = {}): Rack {
  const prefix = opts.prefix ?? 24;
  const net = createTestNet({ address: SERVER, prefix });
  const lab = createLab(net.ns);
  let seq = 0x10;
  return {
    net,
    lab,
    machine(address) {
      const c = lab.addClient({ mac: `02:00:00:00:09:${(seq++).toString(16).padStart(2, '0')}`, bridge: BRIDGE });
      if (address) c.addAddress(`${address}/${prefix}`);
      return c;
    },
    destroy() {
      lab.destroy();
      net.destroy();
    },
  };
}

/** Runs flood.mjs in `ns`; resolves with what it sent. */
export async function flood(ns: string, o: { to: { address: string; port: number }; packets: Uint8Array[]; seconds?: number; count?: number; bind?: { address: string; port: number }; broadcast?: boolean; sockets?: number }): Promise<{ sent: number; ms: number }> {
  const arg = JSON.stringify({ ...o, packets: o.packets.map((p) => Buffer.from(p).toString('hex')) });
  const { stdout } = await run('ip', ['netns', 'exec', ns, process.execPath, join(REPO, 'test', 'reliability', 'flood.mjs'), arg], { maxBuffer: 1 << 20, timeout: ((o.seconds ?? 600) + 60) * 1000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { sent: number; ms: number };
}

/** A TCP and a UDP port both free on 127.0.0.1 now (for a server on loopback). */
export async function freePorts(n: number): Promise<number[]> {
  const { createServer } = await import('node:net');
  const { createSocket } = await import('node:dgram');
  const out: number[] = [];
  while (out.length < n) {
    const srv = createServer();
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    const port = (srv.address() as { port: number }).port;
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((ok) => {
      udp.once('error', () => ok(false));
      udp.bind(port, '127.0.0.1', () => ok(true));
    });
    udp.close();
    await new Promise<void>((ok) => srv.close(() => ok()));
    if (free && !out.includes(port)) out.push(port);
  }
  return out;
}
