/**
 * HTTP: one big random file fetched by 1 client and by 50 concurrent clients, from nginx (sendfile on, one
 * worker, no master: the same single core rackboot's one event loop gets) serving the file extracted from an
 * ISO, and from rackboot serving it from inside the ISO itself (`--iso`, `/iso/<id>/bench.bin`), as issue 4 asks. The client is curl: `curl -o /dev/null` for one client and
 * one `curl --parallel --parallel-immediate` with 50 transfers (50 TCP connections) for fifty, which loads the
 * client core far less than fifty processes would. Aggregate MB/s = all bytes / the longest transfer's time.
 * One untimed download per server is checked against the file's sha256 first.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CPU, childCpuMs, nginxConfig, cpuSeconds, forEachServer, log, mbps, median, perServerNetwork, randomFile, runProc, startProc, startRackboot, tempDir, whenListening, type BenchServer, type Launch, type Link, type Proc, type Row } from './shared.ts';

export interface HttpOptions {
  fileBytes: number;
  repeats: number;
  clients: number[];
}

const FILE = 'bench.bin';
const PORT = 8080;

interface Sample {
  mbps: number;
  ms: number;
  clientCpuPct: number | null;
  serverCpuPct: number | null;
}


async function fetchOnce(link: Link, url: string, clients: number, bytes: number, serverPid: number): Promise<Sample> {
  const transfers = Array.from({ length: clients }, () => `-o /dev/null ${url}`).join(' ');
  const parallel = clients > 1 ? `--parallel --parallel-immediate --parallel-max ${clients}` : '';
  // `times` prints the shell's then its children's CPU time: the second line is curl's.
  const script = `curl -sS --fail ${parallel} -w '%{http_code} %{size_download} %{time_total}\\n' ${transfers}; rc=$?; times >&2; exit $rc`;
  const cpu0 = cpuSeconds(serverPid);
  const r = await runProc('bash', ['-c', script], { ns: link.clientNs, cpu: CPU.client }, 600_000);
  const cpu1 = cpuSeconds(serverPid);
  if (r.code !== 0) throw new Error(`curl exited ${r.code}: ${r.stderr.trim().split('\n')[0]}`);
  const lines = r.stdout.trim().split('\n').map((l) => l.split(' '));
  if (lines.length !== clients) throw new Error(`curl reported ${lines.length} transfers, not ${clients}`);
  let total = 0;
  let longest = 0;
  for (const [code, size, seconds] of lines) {
    if (code !== '200' || Number(size) !== bytes) throw new Error(`a transfer ended with HTTP ${code} after ${size} of ${bytes} bytes`);
    total += Number(size);
    longest = Math.max(longest, Number(seconds) * 1000);
  }
  const clientCpuMs = childCpuMs(r.stderr);
  return {
    mbps: mbps(total, longest),
    ms: longest,
    clientCpuPct: clientCpuMs === null ? null : Math.round((100 * clientCpuMs) / r.ms),
    serverCpuPct: cpu0 === null || cpu1 === null ? null : Math.round((100 * (cpu1 - cpu0) * 1000) / r.ms),
  };
}

async function measureServer(server: string, proc: Proc, link: Link, url: string, o: HttpOptions, sha: string, rows: Row[]): Promise<void> {
  const check = await runProc('bash', ['-c', `set -o pipefail; curl -sS --fail ${url} | sha256sum`], { ns: link.clientNs, cpu: CPU.client }, 300_000);
  const got = check.stdout.split(' ')[0];
  if (check.code !== 0 || got !== sha) {
    const why = check.code !== 0 ? `download failed: ${check.stderr.trim()}` : `sha256 ${got}, want ${sha}`;
    for (const n of o.clients) rows.push({ bench: 'http', case: caseName(n), server, unit: 'MB/s', value: null, samples: [], note: `failed: ${why}` });
    return;
  }
  for (const n of o.clients) {
    const samples: Sample[] = [];
    try {
      for (let i = 0; i < o.repeats; i++) {
        const s = await fetchOnce(link, url, n, o.fileBytes, proc.pid);
        log(`  http ${server} ${caseName(n)} run ${i + 1}: ${s.mbps.toFixed(0)} MB/s (client CPU ${s.clientCpuPct ?? '?'}%, server CPU ${s.serverCpuPct ?? '?'}%)`);
        samples.push(s);
      }
      const rates = samples.map((s) => s.mbps);
      rows.push({
        bench: 'http',
        case: caseName(n),
        server,
        unit: 'MB/s',
        value: median(rates),
        samples: rates,
        detail: { clientCpuPct: median(samples.map((s) => s.clientCpuPct ?? NaN)), serverCpuPct: median(samples.map((s) => s.serverCpuPct ?? NaN)) },
      });
    } catch (e) {
      log(`  http ${server} ${caseName(n)} failed: ${(e as Error).message}`);
      rows.push({ bench: 'http', case: caseName(n), server, unit: 'MB/s', value: null, samples: samples.map((s) => s.mbps), note: `failed: ${(e as Error).message}` });
    }
  }
}

const caseName = (n: number) => (n === 1 ? '1 client' : `${n} clients`);

function nginx(link: Link, root: string): Promise<Launch> {
  // Everything it writes goes to its temp prefix; -e keeps it off the system error log even before it reads
  // the config.
  const dir = tempDir('nginx');
  const conf = nginxConfig({ dir, listen: `${link.serverAddr}:${PORT}`, root });
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = startProc('nginx', ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')], { ns: link.serverNs, cpu: CPU.server });
  return whenListening(proc, 'nginx', link.serverNs, 'tcp', link.serverAddr, PORT);
}

/** The ISO holding the file; rackboot serves it from inside, nginx from the extracted copy in `root`. */
const ISO_NAME = 'bench.iso';
const ISO_ID = 'bench';

function rackboot(link: Link, root: string): Promise<Launch> {
  const args = ['--interface', link.serverIf, '--address', link.serverAddr, '--dhcp', 'off', '--iso', join(root, '..', 'iso', ISO_NAME), '--http-port', String(PORT), '--data', tempDir('rackboot-http')];
  return startRackboot(args, { ns: link.serverNs, cpu: CPU.server }, ['http']);
}

const SERVERS: BenchServer[] = [
  { name: 'nginx', missing: 'failed', start: nginx },
  { name: 'rackboot', missing: 'not available', start: rackboot },
];

export async function benchHttp(o: HttpOptions): Promise<{ rows: Row[]; setup: Record<string, unknown> }> {
  const rows: Row[] = [];
  const base = tempDir('http');
  const src = join(base, 'src');
  const root = join(base, 'extracted');
  mkdirSync(src);
  mkdirSync(join(base, 'iso'));
  log(`http: writing a ${o.fileBytes} byte random file into an ISO, and extracting it again for nginx`);
  const sha = randomFile(join(src, FILE), o.fileBytes);
  const iso = join(base, 'iso', ISO_NAME);
  execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-R', '-J', '-V', 'BENCH', '-o', iso, src], { stdio: 'ignore' });
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', root], { stdio: 'ignore' });
  const net = { serverAddr: '198.18.30.1', clientAddr: '198.18.30.2', prefix: 24, mtu: 1500 };
  const urlFor = (server: string) => `http://${net.serverAddr}:${PORT}/${server === 'rackboot' ? `iso/${ISO_ID}/${FILE}` : FILE}`;

  await forEachServer({
    bench: 'http',
    servers: SERVERS,
    net,
    root,
    unmeasured: (server, note) => {
      for (const n of o.clients) rows.push({ bench: 'http', case: caseName(n), server: server.name, unit: 'MB/s', value: null, samples: [], note });
    },
    measure: (server, proc, link) => measureServer(server.name, proc, link, urlFor(server.name), o, sha, rows),
  });

  return {
    rows,
    setup: {
      fileBytes: o.fileBytes,
      sha256: sha,
      source: 'rackboot: from inside an ISO (xorriso -R -J) via --iso; nginx: the same file extracted with xorriso -osirrox',
      repeats: o.repeats,
      clients: o.clients,
      client: 'curl -o /dev/null; 50 clients = one curl --parallel --parallel-immediate with 50 transfers',
      nginx: 'daemon off, master_process off, 1 worker, sendfile on, tcp_nopush on, access log to a file',
      network: perServerNetwork(net),
      cpu: `server pinned to CPU ${CPU.server}, curl to CPU ${CPU.client}`,
    },
  };
}
