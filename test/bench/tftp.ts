/**
 * TFTP: one big random file downloaded from dnsmasq and from rackboot by the same client, at blksize 512 and
 * 1468 in lockstep and at blksize 1468 with windowsize 16. Each server runs alone in a server namespace
 * joined to the client namespace by a veth pair with MTU 1500, so blksize 1468 fills an Ethernet frame exactly
 * (1468 + 4 TFTP + 8 UDP + 20 IP = 1500). dnsmasq's TFTP always listens on port 69; so does rackboot's here.
 *
 * The client is the same for both servers: atftp by default, timed inside the client namespace, its download
 * written to a temp file and checked against the sha256 afterwards (untimed). The bench's own client
 * (tftp-client.ts, on the repo's codec, hashing as it receives) can stand in or run beside it
 * (--tftp-client node|both): measured side by side, atftp was the faster of the two in every case (about 2.5x
 * with windowsize 16), so it is the default and the one least likely to be the limit. Each row also records
 * the client's and the server's CPU share, and the options the server granted (read from an OACK, untimed).
 */
import { createHash } from 'node:crypto';
import { createReadStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientResult } from './tftp-client.ts';
import {
  CPU,
  childCpuMs,
  REPO,
  cpuSeconds,
  forEachServer,
  log,
  mbps,
  median,
  perServerNetwork,
  randomFile,
  runProc,
  startProc,
  startRackboot,
  tempDir,
  whenListening,
  type BenchServer,
  type Link,
  type Proc,
  type Row,
} from './shared.ts';

export type TftpClientName = 'node' | 'atftp';

export interface TftpOptions {
  fileBytes: number;
  repeats: number;
  clients: TftpClientName[];
}

interface Case {
  name: string;
  blksize: number;
  windowsize: number;
}

export const TFTP_CASES: Case[] = [
  { name: 'blksize 512, lockstep', blksize: 512, windowsize: 1 },
  { name: 'blksize 1468, lockstep', blksize: 1468, windowsize: 1 },
  { name: 'blksize 1468, windowsize 16', blksize: 1468, windowsize: 16 },
];

const FILE = 'bench.bin';
/** A small file for reading the server's OACK. */
const PROBE = 'probe.bin';

interface Sample {
  ms: number;
  mbps: number;
  clientCpuPct: number | null;
  serverCpuPct: number | null;
  grantedBlksize: number | null;
  grantedWindowsize: number | null;
  reacks: number | null;
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}


async function download(client: TftpClientName, link: Link, c: Case, bytes: number, sha: string, outDir: string, serverPid: number): Promise<Sample> {
  const cpu0 = cpuSeconds(serverPid);
  let ms: number;
  let clientCpuMs: number | null;
  let granted: { blksize: number; windowsize: number; reacks: number } | null = null;
  if (client === 'node') {
    const r = await runProc(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'bench', 'tftp-client.ts'), link.serverAddr, '69', FILE, String(c.blksize), String(c.windowsize)], { ns: link.clientNs, cpu: CPU.client });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    let result: ClientResult;
    try {
      result = JSON.parse(line) as ClientResult;
    } catch {
      throw new Error(`TFTP client failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    }
    if (!result.ok) throw new Error(`TFTP download failed: ${result.error}`);
    if (result.bytes !== bytes || result.sha256 !== sha) throw new Error(`download corrupt: ${result.bytes} bytes, sha256 ${result.sha256} (want ${bytes}, ${sha})`);
    ms = result.ms;
    clientCpuMs = result.cpuMs;
    granted = { blksize: result.blksize, windowsize: result.windowsize, reacks: result.reacks };
  } else {
    const out = join(outDir, 'atftp.out');
    const opts = [`--option 'blksize ${c.blksize}'`, ...(c.windowsize > 1 ? [`--option 'windowsize ${c.windowsize}'`] : [])].join(' ');
    // Timed inside the namespace around atftp alone (its own start-up, ~1 ms, included); `times` then prints
    // the shell's and its children's CPU time, the last line being atftp's.
    const script = `s=$(date +%s%N); atftp ${opts} -g -r ${FILE} -l ${out} ${link.serverAddr} >/dev/null 2>&1; rc=$?; e=$(date +%s%N); echo "elapsed_ns $((e - s))" >&2; times >&2; exit $rc`;
    const r = await runProc('bash', ['-c', script], { ns: link.clientNs, cpu: CPU.client });
    if (r.code !== 0) throw new Error(`atftp exited ${r.code}: ${r.stderr.trim()}`);
    const elapsed = /elapsed_ns (\d+)/.exec(r.stderr);
    ms = elapsed ? Number(elapsed[1]) / 1e6 : r.ms;
    clientCpuMs = childCpuMs(r.stderr);
    const got = await sha256File(out);
    rmSync(out, { force: true });
    if (got !== sha) throw new Error(`atftp download corrupt: sha256 ${got}, want ${sha}`);
  }
  const cpu1 = cpuSeconds(serverPid);
  return {
    ms,
    mbps: mbps(bytes, ms),
    clientCpuPct: clientCpuMs === null ? null : (100 * clientCpuMs) / ms,
    serverCpuPct: cpu0 === null || cpu1 === null ? null : (100 * (cpu1 - cpu0) * 1000) / ms,
    grantedBlksize: granted?.blksize ?? null,
    grantedWindowsize: granted?.windowsize ?? null,
    reacks: granted?.reacks ?? null,
  };
}

function summarize(server: string, c: Case, client: TftpClientName, samples: Sample[], extra: Record<string, unknown>): Row {
  const rates = samples.map((s) => s.mbps);
  const pct = (xs: (number | null)[]) => (xs.every((x) => x !== null) ? Math.round(median(xs as number[])) : null);
  const g = samples[0];
  return {
    bench: 'tftp',
    case: c.name,
    server,
    client,
    unit: 'MB/s',
    value: median(rates),
    samples: rates,
    detail: {
      clientCpuPct: pct(samples.map((s) => s.clientCpuPct)),
      serverCpuPct: pct(samples.map((s) => s.serverCpuPct)),
      grantedBlksize: g?.grantedBlksize ?? null,
      grantedWindowsize: g?.grantedWindowsize ?? null,
      reacks: samples.map((s) => s.reacks),
      ...extra,
    },
  };
}

/**
 * What the server granted for this case: atftp's trace of an untimed download of a small file shows the OACK
 * (`received OACK <blksize: 1468, >`: dnsmasq drops windowsize, so its windowed row runs in lockstep).
 */
async function grantedOptions(link: Link, c: Case, outDir: string): Promise<string> {
  const opts = [`--option 'blksize ${c.blksize}'`, ...(c.windowsize > 1 ? [`--option 'windowsize ${c.windowsize}'`] : [])].join(' ');
  const out = join(outDir, 'probe.out');
  const r = await runProc('bash', ['-c', `atftp --trace ${opts} -g -r ${PROBE} -l ${out} ${link.serverAddr} 2>&1 | grep -m1 -E 'received (OACK|DATA)'`], { ns: link.clientNs, cpu: CPU.client }, 30_000);
  rmSync(out, { force: true });
  const line = r.stdout.trim();
  const oack = /received OACK <(.*)>/.exec(line);
  // atftp erases its trailing ", " with backspaces.
  if (oack) return oack[1]!.replaceAll('\b', '').replace(/[\s,]+$/, '');
  return line.includes('DATA') ? 'no OACK (plain RFC 1350)' : `unknown (${line || r.stderr.trim()})`;
}

async function measureServer(server: string, proc: Proc, link: Link, o: TftpOptions, sha: string, outDir: string, rows: Row[]): Promise<void> {
  for (const client of o.clients) {
    for (const c of TFTP_CASES) {
      const samples: Sample[] = [];
      let oack: string | null = null;
      try {
        oack = await grantedOptions(link, c, outDir);
        log(`  tftp ${server} ${c.name}: server granted ${oack}`);
        for (let i = 0; i < o.repeats; i++) {
          const s = await download(client, link, c, o.fileBytes, sha, outDir, proc.pid);
          log(`  tftp ${server} ${c.name} [${client}] run ${i + 1}: ${s.mbps.toFixed(1)} MB/s (client CPU ${s.clientCpuPct?.toFixed(0) ?? '?'}%, server CPU ${s.serverCpuPct?.toFixed(0) ?? '?'}%)`);
          samples.push(s);
        }
        rows.push(summarize(server, c, client, samples, { oack }));
      } catch (e) {
        log(`  tftp ${server} ${c.name} [${client}] failed: ${(e as Error).message}`);
        rows.push({ bench: 'tftp', case: c.name, server, client, unit: 'MB/s', value: null, samples: samples.map((s) => s.mbps), note: `failed: ${(e as Error).message}`, detail: { oack } });
      }
    }
  }
}

const SERVERS: BenchServer[] = [
  {
    // TFTP only: --port=0 turns DNS off and there is no DHCP range; its log goes to a file in the temp dir.
    name: 'dnsmasq',
    missing: 'failed',
    start(link, root) {
      const dir = tempDir('dnsmasq-tftp');
      const args = ['--no-daemon', '--port=0', '--enable-tftp', `--tftp-root=${root}`, `--listen-address=${link.serverAddr}`, '--bind-interfaces', '--conf-file=/dev/null', '--user=root', `--pid-file=${join(dir, 'pid')}`, `--dhcp-leasefile=${join(dir, 'leases')}`, `--log-facility=${join(dir, 'log')}`];
      const proc = startProc('dnsmasq', args, { ns: link.serverNs, cpu: CPU.server });
      return whenListening(proc, 'dnsmasq', link.serverNs, 'udp', link.serverAddr, 69);
    },
  },
  {
    // Through its CLI, DHCP off, the same folder as its TFTP root, on port 69 like dnsmasq.
    name: 'rackboot',
    missing: 'not available',
    start(link, root) {
      const args = ['--interface', link.serverIf, '--address', link.serverAddr, '--dhcp', 'off', '--tftp-root', root, '--tftp-port', '69', '--http-port', '8080', '--data', tempDir('rackboot-tftp')];
      return startRackboot(args, { ns: link.serverNs, cpu: CPU.server }, ['tftp']);
    },
  },
];

export async function benchTftp(o: TftpOptions): Promise<{ rows: Row[]; setup: Record<string, unknown> }> {
  const rows: Row[] = [];
  const root = tempDir('tftp-root');
  const outDir = tempDir('tftp-out');
  log(`tftp: writing a ${o.fileBytes} byte random file`);
  const sha = randomFile(join(root, FILE), o.fileBytes);
  randomFile(join(root, PROBE), 4096);
  const net = { serverAddr: '198.18.10.1', clientAddr: '198.18.10.2', prefix: 24, mtu: 1500 };

  await forEachServer({
    bench: 'tftp',
    servers: SERVERS,
    net,
    root,
    unmeasured: (server, note) => {
      for (const client of o.clients) for (const c of TFTP_CASES) rows.push({ bench: 'tftp', case: c.name, server: server.name, client, unit: 'MB/s', value: null, samples: [], note });
    },
    measure: (server, proc, link) => measureServer(server.name, proc, link, o, sha, outDir, rows),
  });

  return {
    rows,
    setup: {
      fileBytes: o.fileBytes,
      sha256: sha,
      repeats: o.repeats,
      clients: o.clients,
      network: perServerNetwork(net),
      cpu: `server pinned to CPU ${CPU.server}, client to CPU ${CPU.client}`,
    },
  };
}
