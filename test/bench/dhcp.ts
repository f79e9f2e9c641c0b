/**
 * DHCP: the highest DORA rate each server sustains with < 0.1 % of exchanges lost, found with perfdhcp.
 * perfdhcp runs in the client namespace as a relay agent (giaddr = its own address, 198.19.0.2; the server
 * answers the relay on port 67): perfdhcp's mode when it is given a server address, which needs no raw
 * sockets and no broadcast tricks. Server and relay share 198.19.0.0/16; the pool is 198.19.1.0-198.19.255.254
 * (65,023 addresses) and perfdhcp simulates at most 50,000 clients, so the pool never runs out.
 *
 * Each step starts the server afresh with an empty lease file, runs perfdhcp at a fixed requested rate for a
 * few seconds and counts DISCOVERs sent against ACKs received. A step that loses >= 0.1 % (or that perfdhcp
 * could not send at the asked rate) is tried once more; rates double until a step fails twice, then two
 * bisection steps narrow the gap. The result is the ACK rate of the highest passing step. Every server keeps
 * its default logging (to a file in the temp dir).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CPU, cpuSeconds, createLink, log, runProc, sh, startProc, startRackboot, tempDir, whenListening, type Launch, type Link, type Proc, type Row } from './shared.ts';

export interface DhcpOptions {
  /** perfdhcp test period per step. */
  seconds: number;
  minRate: number;
  maxRate: number;
  /** Bisect between the last passing and the first failing rate. */
  refine: boolean;
  /** Try a failed step once more before calling it failed. */
  retry: boolean;
}

const CASE = 'DORA, relayed, < 0.1 % drops';
const MAX_LOSS = 0.001;
const CLIENTS = 50_000;
const POOL = { first: '198.19.1.0', last: '198.19.255.254' };
const RATES = [125, 250, 500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000];

interface Step {
  requested: number;
  discoversSent: number;
  offers: number;
  requestsSent: number;
  acks: number;
  /** 1 - ACKs / DISCOVERs. */
  loss: number;
  /** ACKs per second of the test period. */
  achieved: number;
  /** perfdhcp could not send at the requested rate (it, not the server, was the limit). */
  clientLimited: boolean;
  pass: boolean;
  serverCpuPct: number | null;
  /** Answers that came after perfdhcp's 1 s drop time (counted as lost), and the slowest answer it timed. */
  orphans: number;
  maxDelayMs: number;
  /** Requests the server's kernel dropped because its UDP receive buffer was full (the server fell behind). */
  serverRcvbufErrors: number | null;
  /** NAKs the server logged (where its log says so): a REQUEST refused, e.g. an address offered twice at once. */
  naks: number | null;
}

interface Server {
  name: string;
  /** Where a row that cannot be measured says why: a reference server failed, rackboot is not available. */
  missing: 'failed' | 'not available';
  /** Starts the server with an empty lease store in `dir`. */
  start(link: Link, dir: string): Promise<Launch>;
  /** NAKs in the server's log after a step, where the log shows them. */
  naks?(dir: string): number;
}

function section(out: string, title: string): Record<string, number> {
  const start = out.indexOf(`***Statistics for: ${title}***`);
  if (start < 0) return {};
  const body = out.slice(start).split('\n').slice(1);
  const values: Record<string, number> = {};
  for (const line of body) {
    if (line.startsWith('***')) break;
    const m = /^([a-z ]+): ([\d.]+)/.exec(line.trim());
    if (m) values[m[1]!] = Number(m[2]);
  }
  return values;
}

/** UDP RcvbufErrors of a namespace (its own /proc/net/snmp). */
function rcvbufErrors(ns: string): number | null {
  try {
    const [head, values] = sh('ip', ['netns', 'exec', ns, 'cat', '/proc/net/snmp'])
      .split('\n')
      .filter((l) => l.startsWith('Udp:'))
      .map((l) => l.split(/\s+/));
    const i = head!.indexOf('RcvbufErrors');
    return i < 0 ? null : Number(values![i]);
  } catch {
    return null;
  }
}

async function step(link: Link, rate: number, seconds: number, proc: Proc): Promise<Step> {
  const cpu0 = cpuSeconds(proc.pid);
  const rcv0 = rcvbufErrors(link.serverNs);
  const args = ['-4', '-l', link.clientAddr, '-r', String(rate), '-R', String(CLIENTS), '-p', String(seconds), '-W', '1000000', link.serverAddr];
  const r = await runProc('perfdhcp', args, { ns: link.clientNs, cpu: CPU.client }, (seconds + 30) * 1000);
  const cpu1 = cpuSeconds(proc.pid);
  const rcv1 = rcvbufErrors(link.serverNs);
  // Exit 3 means some exchanges were not completed: a result, not a failure.
  if (r.code !== 0 && r.code !== 3) throw new Error(`perfdhcp exited ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  const dora = section(r.stdout, 'DISCOVER-OFFER');
  const ra = section(r.stdout, 'REQUEST-ACK');
  const discoversSent = dora['sent packets'] ?? 0;
  const acks = ra['received packets'] ?? 0;
  if (discoversSent === 0) throw new Error(`perfdhcp sent nothing: ${r.stdout.trim().split('\n').slice(-3).join(' / ')}`);
  const loss = 1 - acks / discoversSent;
  const clientLimited = discoversSent < 0.95 * rate * seconds;
  return {
    requested: rate,
    discoversSent,
    offers: dora['received packets'] ?? 0,
    requestsSent: ra['sent packets'] ?? 0,
    acks,
    loss,
    achieved: acks / seconds,
    clientLimited,
    pass: loss < MAX_LOSS && !clientLimited,
    serverCpuPct: cpu0 === null || cpu1 === null ? null : Math.round((100 * (cpu1 - cpu0) * 1000) / r.ms),
    orphans: (dora.orphans ?? 0) + (ra.orphans ?? 0),
    maxDelayMs: Math.max(dora['max delay'] ?? 0, ra['max delay'] ?? 0),
    serverRcvbufErrors: rcv0 === null || rcv1 === null ? null : rcv1 - rcv0,
    naks: null,
  };
}

async function measure(server: Server, link: Link, o: DhcpOptions): Promise<Row> {
  const steps: Step[] = [];
  // A failed step is tried once more from a fresh start: on a shared machine one stall of another program can
  // cost a few exchanges, and the question is what the server sustains, not whether the host was ever busy.
  const run = async (rate: number): Promise<Step | string> => {
    const first = await attempt(rate);
    if (typeof first === 'string' || first.pass || !o.retry) return first;
    return attempt(rate);
  };
  const attempt = async (rate: number): Promise<Step | string> => {
    const dir = tempDir(`dhcp-${server.name}`);
    const started = await server.start(link, dir);
    if ('reason' in started) return started.reason;
    try {
      const s = await step(link, rate, o.seconds, started.proc);
      try {
        s.naks = server.naks?.(dir) ?? null;
      } catch {
        // No log to read: leave it unknown.
      }
      if (!started.proc.running()) throw new Error(`${server.name} exited during the step: ${started.proc.stderr().trim().split('\n').at(-1)}`);
      const why = [s.clientLimited ? 'perfdhcp could not keep up' : '', s.serverRcvbufErrors ? `${s.serverRcvbufErrors} dropped in the server's socket buffer` : '', s.orphans ? `${s.orphans} answered after 1 s` : '', s.naks ? `${s.naks} NAKs` : ''].filter(Boolean).join(', ');
      log(`  dhcp ${server.name} ${rate}/s: ${s.acks} ACKs for ${s.discoversSent} DISCOVERs, loss ${(s.loss * 100).toFixed(3)} %${why ? ` (${why})` : ''}, max delay ${s.maxDelayMs.toFixed(0)} ms, server CPU ${s.serverCpuPct ?? '?'}% -> ${s.pass ? 'pass' : 'fail'}`);
      steps.push(s);
      return s;
    } finally {
      await started.proc.stop();
    }
  };
  let best: Step | null = null;
  let failed: Step | null = null;
  try {
    for (const rate of RATES.filter((r) => r >= o.minRate && r <= o.maxRate)) {
      const s = await run(rate);
      if (typeof s === 'string') return { bench: 'dhcp', case: CASE, server: server.name, unit: 'DORA/s', value: null, samples: [], note: `${server.missing}: ${s}` };
      if (!s.pass) {
        failed = s;
        break;
      }
      best = s;
    }
    if (o.refine && failed) {
      let lo = best?.requested ?? 0;
      let hi = failed.requested;
      for (let i = 0; i < 2; i++) {
        const mid = Math.round((lo + hi) / 2);
        if (mid <= lo || mid >= hi) break;
        const s = await run(mid);
        if (typeof s === 'string') break;
        if (s.pass) {
          lo = mid;
          if (!best || s.requested > best.requested) best = s;
        } else {
          hi = mid;
          failed = s;
        }
      }
    }
  } catch (e) {
    return { bench: 'dhcp', case: CASE, server: server.name, unit: 'DORA/s', value: null, samples: [], note: `failed: ${(e as Error).message}`, detail: { steps } };
  }
  const limit = !failed
    ? `passed every step up to ${o.maxRate}/s`
    : failed.clientLimited
      ? `perfdhcp itself could not send ${failed.requested}/s`
      : `lost ${(failed.loss * 100).toFixed(2)} % at ${failed.requested}/s`;
  if (!best) return { bench: 'dhcp', case: CASE, server: server.name, unit: 'DORA/s', value: null, samples: [], note: `no step passed (${limit})`, detail: { steps } };
  return {
    bench: 'dhcp',
    case: CASE,
    server: server.name,
    unit: 'DORA/s',
    // The completed rate at the highest passing step (ACKs per second), not merely the rate asked for.
    value: best.achieved,
    samples: [best.achieved],
    detail: { requestedRate: best.requested, lossPct: +(best.loss * 100).toFixed(3), limit, serverCpuPct: best.serverCpuPct, steps },
  };
}

const NET = { serverAddr: '198.19.0.1', clientAddr: '198.19.0.2', prefix: 16, mtu: 1500 };
const SUBNET = '198.19.0.0/16';

const SERVERS: Server[] = [
  {
    name: 'kea',
    missing: 'failed',
    start(link, dir) {
      const config = {
        Dhcp4: {
          'interfaces-config': { interfaces: [link.serverIf], 'dhcp-socket-type': 'udp' },
          'lease-database': { type: 'memfile', persist: true, name: join(dir, 'leases4.csv'), 'lfc-interval': 0 },
          'multi-threading': { 'enable-multi-threading': true, 'thread-pool-size': 2, 'packet-queue-size': 64 },
          'valid-lifetime': 3600,
          subnet4: [{ id: 1, subnet: SUBNET, pools: [{ pool: `${POOL.first} - ${POOL.last}` }] }],
          loggers: [{ name: 'kea-dhcp4', output_options: [{ output: join(dir, 'kea.log') }], severity: 'INFO' }],
        },
      };
      writeFileSync(join(dir, 'kea.json'), JSON.stringify(config, null, 2));
      // Kea's pid and lock files go to the temp dir too.
      const env = { ...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };
      const proc = startProc('kea-dhcp4', ['-c', join(dir, 'kea.json')], { ns: link.serverNs, cpu: CPU.server }, { env });
      return whenListening(proc, 'kea-dhcp4', link.serverNs, 'udp', link.serverAddr, 67);
    },
  },
  {
    name: 'dnsmasq',
    missing: 'failed',
    start(link, dir) {
      const args = [
        '--no-daemon',
        '--port=0',
        '--conf-file=/dev/null',
        '--user=root',
        '--bind-interfaces',
        `--listen-address=${link.serverAddr}`,
        `--dhcp-range=${POOL.first},${POOL.last},255.255.0.0,1h`,
        `--dhcp-leasefile=${join(dir, 'leases')}`,
        '--no-ping',
        // The default cap is 1000 leases; the pool is 65,023.
        '--dhcp-lease-max=70000',
        `--log-facility=${join(dir, 'log')}`,
        `--pid-file=${join(dir, 'pid')}`,
      ];
      const proc = startProc('dnsmasq', args, { ns: link.serverNs, cpu: CPU.server });
      return whenListening(proc, 'dnsmasq', link.serverNs, 'udp', link.serverAddr, 67);
    },
    // dnsmasq does not hold an address between OFFER and REQUEST: two clients offered the same one at once
    // both ask for it, and the second gets "DHCPNAK ... address in use". A NAKed exchange is a lost one.
    naks: (dir) => (readFileSync(join(dir, 'log'), 'utf8').match(/DHCPNAK/g) ?? []).length,
  },
  {
    name: 'rackboot',
    missing: 'not available',
    start(link, dir) {
      const args = ['--interface', link.serverIf, '--address', link.serverAddr, '--dhcp', 'full', '--pool', `${POOL.first}-${POOL.last}`, '--http-port', '8080', '--data', dir];
      return startRackboot(args, { ns: link.serverNs, cpu: CPU.server }, ['dhcp']);
    },
  },
];

export async function benchDhcp(o: DhcpOptions): Promise<{ rows: Row[]; setup: Record<string, unknown> }> {
  const rows: Row[] = [];
  // Each server gets namespaces of its own, made for it and removed after it.
  for (const server of SERVERS) {
    log(`dhcp: ${server.name}`);
    const link = createLink(NET);
    try {
      const row = await measure(server, link, o);
      if (row.value === null) log(`  dhcp ${server.name}: ${row.note}`);
      rows.push(row);
    } finally {
      await link.destroy();
    }
  }
  return {
    rows,
    setup: {
      mode: 'perfdhcp as a relay agent (giaddr), unicast to the server',
      network: `per server: its own namespace, a veth pair (MTU ${NET.mtu}) to the relay's namespace, server ${NET.serverAddr}/${NET.prefix}, relay ${NET.clientAddr}/${NET.prefix}`,
      pool: `${POOL.first}-${POOL.last}`,
      simulatedClients: CLIENTS,
      secondsPerStep: o.seconds,
      rates: RATES.filter((r) => r >= o.minRate && r <= o.maxRate),
      retryFailedStep: o.retry,
      maxLossPct: MAX_LOSS * 100,
      kea: 'memfile (persist, lfc off), multi-threading on (2 threads, queue 64), INFO logging to a file',
      dnsmasq: '--no-ping, --dhcp-lease-max=70000, default logging to a file',
      cpu: `server pinned to CPU ${CPU.server}, perfdhcp to CPU ${CPU.client}`,
    },
  };
}
