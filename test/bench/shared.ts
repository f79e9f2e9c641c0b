/**
 * Plumbing shared by the bench modules: network namespaces joined by a veth pair, child processes pinned to a
 * CPU inside a namespace, cleanup that also runs on Ctrl-C, rackboot's CLI as a child, and small statistics.
 * Nothing here measures anything by itself.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'electron', 'bin', 'rackboot.mjs');

/** Where each side runs: the server gets one core, the clients the other (see run.ts for why). */
export const CPU = { server: '1', client: '0' } as const;

// ---------------------------------------------------------------------------------------------------------
// Cleanup: everything that creates a process, a namespace or a temp dir registers its undo here.

const cleanups = new Map<number, () => void | Promise<void>>();
let nextCleanup = 0;

/** Registers an undo step; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(fn: () => void | Promise<void>): () => Promise<void> {
  const id = nextCleanup++;
  cleanups.set(id, fn);
  return async () => {
    if (!cleanups.delete(id)) return;
    await fn();
  };
}

/** Runs every pending undo step, newest first; never throws. */
export async function cleanupAll(): Promise<void> {
  const pending = [...cleanups.entries()].reverse();
  cleanups.clear();
  for (const [, fn] of pending) {
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`bench: cleanup step failed: ${(e as Error).message}\n`);
    }
  }
}

let interrupted: { signal: string; done: Promise<void> } | null = null;

/** After Ctrl-C nothing new may start: the cleanup that is running would miss it. */
function guard(what: string): void {
  if (interrupted) throw new Error(`interrupted by ${interrupted.signal}: not starting ${what}`);
}

/** Ctrl-C / SIGTERM / SIGHUP: clean up, then exit 130 (128 + SIGINT), 143 or 129. */
export function installSignalHandlers(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      process.stderr.write(`\nbench: ${signal}: stopping servers and removing namespaces...\n`);
      interrupted = { signal, done: cleanupAll().finally(() => process.exit(code)) };
    });
  }
}

/** Ends the bench. After an interrupt it waits for the interrupt's cleanup, which exits with the signal's code. */
export async function exit(code: number): Promise<never> {
  if (interrupted) await interrupted.done;
  await cleanupAll();
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------------------
// Commands

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

/** Where to run a child: inside a namespace, pinned to a CPU. */
export interface Place {
  ns?: string;
  cpu?: string;
}

function wrap(cmd: string, args: string[], place: Place): [string, string[]] {
  // `ip netns exec` and `taskset` both exec() the next program, so the child's pid is the program's own pid.
  let full = [cmd, ...args];
  if (place.cpu !== undefined) full = ['taskset', '-c', place.cpu, ...full];
  if (place.ns) full = ['ip', 'netns', 'exec', place.ns, ...full];
  return [full[0]!, full.slice(1)];
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its output has been read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after 3 s; resolves once it has gone. Idempotent. */
  stop(): Promise<void>;
}

/** Starts a long-running child (a server); it is stopped by cleanupAll() if nobody stops it first. */
export function startProc(cmd: string, args: string[], place: Place = {}, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  guard(cmd);
  const [c, a] = wrap(cmd, args, place);
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, env: opts.env ?? process.env });
  let out = '';
  let err = '';
  const cap = (s: string, d: Buffer) => (s.length > 1 << 20 ? s : s + d.toString());
  child.stdout!.on('data', (d: Buffer) => (out = cap(out, d)));
  child.stderr!.on('data', (d: Buffer) => (err = cap(err, d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (e) => {
      err += `${e.message}\n`;
      resolve({ code: -1, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = onCleanup(async () => {
    if (!running() || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => running() && child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  });
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    exited,
    running,
    async stop() {
      await stop();
    },
  };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** Runs a child to completion (killed after `timeoutMs`). */
export async function runProc(cmd: string, args: string[], place: Place = {}, timeoutMs = 120_000): Promise<Finished> {
  const started = performance.now();
  const p = startProc(cmd, args, place);
  const timer = setTimeout(() => void p.stop(), timeoutMs);
  const { code, signal } = await p.exited;
  clearTimeout(timer);
  await p.stop();
  const ms = performance.now() - started;
  const killed = signal ? `killed by ${signal}${ms >= timeoutMs ? ` after the ${timeoutMs} ms limit` : ''}` : '';
  return { code: signal ? null : code, stdout: p.stdout(), stderr: [p.stderr().trimEnd(), killed].filter(Boolean).join('\n'), ms };
}

/** CPU seconds (user + system, all threads) a process has used so far; null once it has gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces: utime is field 14, stime 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * The CPU time (user + system) of the children of a `bash -c '...; times >&2'` script: bash's `times` prints
 * one line for the shell and then one for its children, the last line of stderr.
 */
export function childCpuMs(stderr: string): number | null {
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(stderr.trim());
  if (!m) return null;
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

/** Polls until `check` is true or `timeoutMs` passes. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True when something in the namespace listens on addr:port (`ss` inside the namespace). */
export function listening(ns: string, proto: 'udp' | 'tcp', addr: string, port: number): boolean {
  const out = sh('ip', ['netns', 'exec', ns, 'ss', '-Hln', proto === 'udp' ? '-u' : '-t']);
  return out.split('\n').some((line) => {
    const local = line.trim().split(/\s+/)[3] ?? '';
    return local === `${addr}:${port}` || local === `0.0.0.0:${port}` || local === `*:${port}` || (local.startsWith(`${addr}%`) && local.endsWith(`:${port}`));
  });
}

/** A server that started, or why it could not. */
export type Launch = { proc: Proc } | { reason: string };

/** Waits until a freshly started server listens on addr:port inside its namespace, or has died. */
export async function whenListening(proc: Proc, what: string, ns: string, proto: 'udp' | 'tcp', addr: string, port: number): Promise<Launch> {
  try {
    await waitFor(`${what} on ${proto}/${port}`, () => !proc.running() || listening(ns, proto, addr, port));
  } catch (e) {
    await proc.stop();
    return { reason: (e as Error).message };
  }
  if (!proc.running()) return { reason: `${what} exited: ${proc.stderr().trim().split('\n').at(-1) ?? ''}` };
  return { proc };
}

// ---------------------------------------------------------------------------------------------------------
// Network: a server namespace and a client namespace joined by one veth pair (real Ethernet MTU).

export interface Link {
  serverNs: string;
  clientNs: string;
  /** Interface names inside the namespaces. */
  serverIf: string;
  clientIf: string;
  serverAddr: string;
  clientAddr: string;
  prefix: number;
  mtu: number;
  destroy(): Promise<void>;
}

export function createLink(opts: { serverAddr: string; clientAddr: string; prefix: number; mtu?: number; extraServerAddrs?: string[] }): Link {
  for (const a of [opts.serverAddr, opts.clientAddr, ...(opts.extraServerAddrs ?? [])]) {
    if (!/^198\.(18|19)\./.test(a)) throw new Error(`bench networks stay inside 198.18.0.0/15, not ${a}`);
  }
  guard('a network namespace');
  const id = randomBytes(3).toString('hex');
  const serverNs = `rbb-${id}-s`;
  const clientNs = `rbb-${id}-c`;
  const mtu = opts.mtu ?? 1500;
  const serverIf = 'rbb0';
  const clientIf = 'rbb1';
  const destroy = onCleanup(() => {
    for (const ns of [serverNs, clientNs]) {
      // Anything still inside was started by this bench (servers are stopped before this runs).
      const pids = (() => {
        try {
          return sh('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean).map(Number);
        } catch {
          return [];
        }
      })();
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        // Never created, or already gone.
      }
    }
  });
  try {
    sh('ip', ['netns', 'add', serverNs]);
    sh('ip', ['netns', 'add', clientNs]);
    // The veth is created inside the server namespace with its peer straight in the client namespace: no
    // interface ever appears in the host's own namespace.
    sh('ip', ['-n', serverNs, 'link', 'add', serverIf, 'mtu', String(mtu), 'type', 'veth', 'peer', 'name', clientIf, 'mtu', String(mtu), 'netns', clientNs]);
    for (const [ns, dev, addr] of [
      [serverNs, serverIf, opts.serverAddr],
      [clientNs, clientIf, opts.clientAddr],
    ] as const) {
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      sh('ip', ['-n', ns, 'addr', 'add', `${addr}/${opts.prefix}`, 'dev', dev]);
      sh('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
    for (const a of opts.extraServerAddrs ?? []) sh('ip', ['-n', serverNs, 'addr', 'add', `${a}/${opts.prefix}`, 'dev', serverIf]);
  } catch (e) {
    void destroy();
    throw e;
  }
  return { serverNs, clientNs, serverIf, clientIf, serverAddr: opts.serverAddr, clientAddr: opts.clientAddr, prefix: opts.prefix, mtu, destroy };
}

/** A server a bench compares against the others. */
export interface BenchServer {
  name: string;
  /** Where a row that cannot be measured says why: a reference server failed, rackboot is not available. */
  missing: 'failed' | 'not available';
  start(link: Link, root: string): Promise<Launch>;
}

/**
 * Each server gets namespaces of its own, made for it and removed after it. A server that cannot start is
 * logged and handed to `unmeasured` with the note its rows carry; one that starts is measured, then stopped.
 */
export async function forEachServer(opts: {
  bench: string;
  servers: readonly BenchServer[];
  net: Parameters<typeof createLink>[0];
  root: string;
  unmeasured(server: BenchServer, note: string): void;
  measure(server: BenchServer, proc: Proc, link: Link): Promise<void>;
}): Promise<void> {
  for (const server of opts.servers) {
    log(`${opts.bench}: ${server.name}`);
    const link = createLink(opts.net);
    try {
      const launched = await server.start(link, opts.root);
      if ('reason' in launched) {
        log(`  ${server.name} ${server.missing}: ${launched.reason}`);
        opts.unmeasured(server, `${server.missing}: ${launched.reason}`);
        continue;
      }
      try {
        await opts.measure(server, launched.proc, link);
      } finally {
        await launched.proc.stop();
      }
    } finally {
      await link.destroy();
    }
  }
}

/** The setup line for forEachServer's network: a link of its own per server. */
export function perServerNetwork(net: { serverAddr: string; clientAddr: string; mtu: number }): string {
  return `per server: its own namespace, a veth pair (MTU ${net.mtu}) to a client namespace, server ${net.serverAddr} / client ${net.clientAddr}`;
}

/** Namespaces left by an earlier bench that was killed with SIGKILL (reported, not removed). */
export function leftoverNamespaces(): string[] {
  try {
    return sh('ip', ['netns', 'list'])
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => /^rbb-[0-9a-f]{6}-[sc]$/.test(n));
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Files

export function tempDir(prefix: string): string {
  guard('a temp dir');
  const path = mkdtempSync(join(tmpdir(), `rackboot-bench-${prefix}-`));
  onCleanup(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

/** Writes `bytes` random bytes to `path` and returns their sha256. */
export function randomFile(path: string, bytes: number): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    const chunk = 4 << 20;
    for (let done = 0; done < bytes; done += chunk) {
      const block = randomBytes(Math.min(chunk, bytes - done));
      hash.update(block);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------------------
// rackboot through its CLI

/**
 * Starts `rackboot serve ARGS` in a namespace and waits for its ready line. Never throws for rackboot's own
 * refusals: a missing flag or a service that is not running comes back as `{ reason }` so the row can say
 * "not available: <reason>".
 */
export async function startRackboot(args: string[], place: Place, needs: ('dhcp' | 'tftp' | 'http')[], timeoutMs = 30_000): Promise<Launch> {
  const proc = startProc(process.execPath, [CLI, 'serve', ...args], place, { cwd: REPO });
  const lastLine = (s: string) =>
    s
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .at(-1) ?? '';
  const ready = await new Promise<Record<string, unknown> | string>((resolve) => {
    const timer = setTimeout(() => resolve(`no ready line within ${timeoutMs} ms; stderr: ${lastLine(proc.stderr()) || '(empty)'}`), timeoutMs);
    createInterface({ input: proc.child.stdout! }).on('line', (line) => {
      try {
        const value = JSON.parse(line) as Record<string, unknown>;
        if (value.event === 'ready') {
          clearTimeout(timer);
          resolve(value);
        }
      } catch {
        // Not JSON: ignore.
      }
    });
    void proc.exited.then(({ code }) => {
      clearTimeout(timer);
      resolve(`rackboot exited ${code} before it was ready: ${lastLine(proc.stderr()).replace(/^rackboot: /, '') || '(no message)'}`);
    });
  });
  if (typeof ready === 'string') {
    await proc.stop();
    return { reason: ready };
  }
  const services = (ready.services ?? {}) as Record<string, { state?: string; detail?: string | null }>;
  for (const name of needs) {
    const s = services[name];
    if (s?.state !== 'running') {
      await proc.stop();
      return { reason: `its ${name} service is ${s?.state ?? 'missing'}${s?.detail ? `: ${s.detail}` : ''}` };
    }
  }
  return { proc };
}

export function rackbootVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const commit = sh('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']).trim();
    const dirty = sh('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no', '--', 'electron', 'shared']).trim() ? '+uncommitted' : '';
    return `${pkg.version} (${commit}${dirty})`;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Results

/** One line of the result table: one server, one case, the median of its runs. */
export interface Row {
  bench: 'tftp' | 'dhcp' | 'http' | 'iso' | 'boot';
  case: string;
  /** 'lower' for times: the ratio against a reference is then reference / rackboot (a speed-up). */
  better?: 'lower';
  server: string;
  /** The client program, where the bench offers more than one (TFTP). */
  client?: string;
  unit: string;
  /** Median of `samples`; null when the row could not be measured (then `note` says why). */
  value: number | null;
  samples: number[];
  note?: string;
  detail?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------------
// Statistics and formatting

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Decimal megabytes per second (1 MB = 10^6 bytes), as the table prints them. */
export function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

export const MiB = 1024 * 1024;

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// nginx as the reference HTTP server

/**
 * The nginx.conf the bench runs: no daemon, no master, one worker (the single core rackboot's event loop
 * gets), sendfile + tcp_nopush, every file it writes under `dir`. `accessLog` may name a log_format line.
 */
export function nginxConfig(o: { dir: string; listen: string; root: string; errorLog?: string; logFormat?: string }): string {
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${join(o.dir, 'nginx.pid')};`,
    `error_log ${o.errorLog ?? join(o.dir, 'error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    '  default_type application/octet-stream;',
    '  sendfile on;',
    '  tcp_nopush on;',
    ...(o.logFormat ? [`  log_format bench '${o.logFormat}';`, `  access_log ${join(o.dir, 'access.log')} bench;`] : [`  access_log ${join(o.dir, 'access.log')};`]),
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(o.dir, t)};`),
    `  server { listen ${o.listen}; root ${o.root}; }`,
    '}',
    '',
  ].join('\n');
}
