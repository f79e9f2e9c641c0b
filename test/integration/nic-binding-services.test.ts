/**
 * TFTP and HTTP tied to rackboot's NIC (iface -> bindUdp / listenTcp). Linux accepts traffic for any local
 * address on any interface (the weak host model), so a service bound only to the NIC's address still serves a
 * machine on another NIC that routes to that address. On loopback: iface 'lo' with port 0 serves and reports
 * its port; bind failures keep the technician's wording. As root, in throw-away namespaces: a server namespace
 * with pxe0 (198.18.1.1/24, to client namespace A) and lan0 (198.19.2.1/24, to client namespace B, which routes
 * 198.18.1.1 via 198.19.2.1). Tied to pxe0, B gets nothing from TFTP or HTTP while A gets byte-identical files;
 * untied, B is served (the problem this solves).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BootEventInput } from '../../shared/model/event.ts';
import { directoryTree } from '../../electron/core/files/tree.ts';
import { createHttpService, type HttpService } from '../../electron/core/http/service.ts';
import { nativeNetStatus } from '../../electron/core/net/bind.ts';
import { createTftpService, type TftpService } from '../../electron/core/tftp/service.ts';
import { createTwoNics, deleteNamespaces, stopChildren } from '../helpers/netns.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { REPO, tempDir } from '../helpers/rackboot.ts';
import { missing, run, sha } from '../helpers/tools.ts';

const PEER = join(REPO, 'test', 'helpers', 'boot-services-peer.ts');
const files: Record<string, Buffer> = {
  'hello.txt': Buffer.from('hello from rackboot\n'),
  'boot/undionly.kpxe': randomBytes(150_001),
};
const root = tempDir('rackboot-nicsvc-');
const out = tempDir('rackboot-nicsvc-out-');
beforeAll(() => {
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(root.path, name, '..'), { recursive: true });
    writeFileSync(join(root.path, name), data);
  }
});
afterAll(() => {
  root.remove();
  out.remove();
});

let seq = 0;
/** A fresh output path, so a file left by an earlier fetch can never pass for this one. */
const outPath = (label: string) => join(out.path, `${label}-${++seq}`);
const readOut = (path: string) => (existsSync(path) ? readFileSync(path) : Buffer.alloc(0));
/** The tie the status detail reports: bound, or not bound with the addon's reason. */
const tie = (iface: string) => (nativeNetStatus().available ? `, bound to ${iface}` : `, NOT bound to ${iface}: `);

describe('TFTP and HTTP tied to an interface, on loopback', () => {
  const events: BootEventInput[] = [];
  const running: (TftpService | HttpService)[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    events.length = 0;
  });
  const tftp = (address: string, port: number, iface: string | null) => {
    const s = createTftpService({ address, iface, port, tree: directoryTree(root.path), emit: (e) => events.push(e), initialTimeoutMs: 200 });
    running.push(s);
    return s;
  };
  const http = (address: string, port: number, iface: string | null) => {
    const s = createHttpService({ address, iface, port, tree: directoryTree(root.path), emit: (e) => events.push(e) });
    running.push(s);
    return s;
  };

  it.skipIf(missing('curl'))("iface 'lo' with port 0: both services report their port, say they are tied and serve byte-identical files", async () => {
    const t = tftp('127.0.0.1', 0, 'lo');
    const h = http('127.0.0.1', 0, 'lo');
    await t.start();
    await h.start();
    expect(t.port()).toBeGreaterThan(0);
    expect(h.port()).toBeGreaterThan(0);
    expect(t.status()).toEqual({ state: 'running', detail: expect.stringMatching(new RegExp(`^listening on 127\\.0\\.0\\.1:${t.port()}${tie('lo')}`)) });
    expect(h.status()).toEqual({ state: 'running', detail: expect.stringMatching(new RegExp(`^listening on http://127\\.0\\.0\\.1:${h.port()}/${tie('lo')}`)) });
    const viaTftp = outPath('lo-tftp');
    const viaHttp = outPath('lo-http');
    await run('curl', ['-sS', '-m', '10', '-o', viaTftp, `tftp://127.0.0.1:${t.port()}/boot/undionly.kpxe`]);
    await run('curl', ['-sS', '-m', '10', '-o', viaHttp, `http://127.0.0.1:${h.port()}/boot/undionly.kpxe`]);
    expect(sha(readOut(viaTftp))).toBe(sha(files['boot/undionly.kpxe']!));
    expect(sha(readOut(viaHttp))).toBe(sha(files['boot/undionly.kpxe']!));
    // Tied, neither warns; untied, each says so once.
    const warnings = events.filter((e) => e.level === 'warn').map((e) => e.msg);
    if (nativeNetStatus().available) expect(warnings).toEqual([]);
    else expect(warnings).toEqual([expect.stringMatching(/^TFTP is not tied to lo: UDP port 0 /), expect.stringMatching(/^HTTP is not tied to lo: TCP port 0 /)]);
  });

  it('a port in use fails both with the same technician wording when tied', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const tcp = createServer().listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    try {
      const udpPort = udp.address().port;
      const tcpPort = (tcp.address() as { port: number }).port;
      const t = tftp('127.0.0.1', udpPort, 'lo');
      const h = http('127.0.0.1', tcpPort, 'lo');
      await expect(t.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(h.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(t.status()).toEqual({ state: 'failed', detail: `another program already uses TFTP port ${udpPort} (dnsmasq, tftpd-hpa, a second rackboot?): stop it and start again` });
      expect(h.status()).toEqual({ state: 'failed', detail: `another program already uses HTTP port ${tcpPort} (dnsmasq, tftpd-hpa, a second rackboot?): stop it and start again` });
    } finally {
      udp.close();
      tcp.close();
    }
  });

  it('an address that left the NIC fails both with the technician wording when tied', async () => {
    const t = tftp('198.18.77.77', 0, 'lo');
    const h = http('198.18.77.77', 0, 'lo');
    await expect(t.start()).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    await expect(h.start()).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    for (const s of [t, h]) expect(s.status()).toEqual({ state: 'failed', detail: 'the address is no longer on this machine: check the NIC and start again' });
  });

  it.runIf(nativeNetStatus().available)('an interface this machine does not have fails both instead of listening on every NIC', async () => {
    const t = tftp('127.0.0.1', 0, 'rbnosuch0');
    const h = http('127.0.0.1', 0, 'rbnosuch0');
    await expect(t.start()).rejects.toMatchObject({ code: 'ENODEV' });
    await expect(h.start()).rejects.toMatchObject({ code: 'ENODEV' });
    expect(t.status()).toMatchObject({ state: 'failed', detail: expect.stringMatching(/^TFTP cannot be tied to a network card this machine does not have \(.*rbnosuch0\)/) });
    expect(h.status()).toMatchObject({ state: 'failed', detail: expect.stringMatching(/^HTTP cannot be tied to a network card this machine does not have \(.*rbnosuch0\)/) });
  });
});

// ---- as root, in network namespaces ----

const reason =
  netnsSkipReason() ??
  (nativeNetStatus().available ? null : `addon unavailable: ${nativeNetStatus().reason}`) ??
  (missing('atftp', 'curl') ? 'atftp and curl are needed: run build/scripts/install-test-tools.sh' : null);
const skip = announceSkip('nic binding of TFTP and HTTP', reason, { requiredInCi: true });

type Line = Record<string, unknown>;
interface Event {
  service: string;
  level: string;
  ip?: string;
  msg: string;
  fields?: Record<string, unknown>;
}
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const id = randomBytes(3).toString('hex');
const NS = { server: `rb-nsv-${id}-s`, a: `rb-nsv-${id}-a`, b: `rb-nsv-${id}-b` };
const PXE = { server: '198.18.1.1', client: '198.18.1.2' };
const LAN = { server: '198.19.2.1', client: '198.19.2.2' };
const children: ChildProcess[] = [];

/** The services in the server namespace; resolves with its first line: started, or the error. */
async function startServices(opts: { iface?: string }): Promise<{ first: Line; events: () => Event[] }> {
  const args = JSON.stringify({ address: PXE.server, tftpPort: 69, httpPort: 80, root: root.path, ...opts });
  const proc = spawn('ip', ['netns', 'exec', NS.server, process.execPath, '--import', 'tsx', PEER, args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const lines: Line[] = [];
  const first = await new Promise<Line>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no first line from the services within 15 s; stderr ${stderr}`)), 15_000);
    proc.once('close', (code) => reject(new Error(`services exited (${code}) before starting; lines ${JSON.stringify(lines)}; stderr ${stderr}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const value = JSON.parse(line) as Line;
      lines.push(value);
      if ('started' in value || 'error' in value) {
        clearTimeout(timer);
        resolve(value);
      }
    });
  });
  return { first, events: () => lines.filter((l) => 'event' in l).map((l) => l.event as Event) };
}

interface Attempt {
  /** Null when the client was killed for taking too long. */
  code: number | null;
  output: string;
}

/** Runs a client inside a namespace; never throws: a failure is the answer some tests want. */
function attempt(ns: string, cmd: string, args: string[], ms = 8000): Promise<Attempt> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, cmd, ...args], { timeout: ms, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error ? (error.killed ? null : typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const KPXE = 'boot/undionly.kpxe';
const atftp = (ns: string, to: string, local: string) => attempt(ns, 'atftp', ['--tftp-timeout', '1', '--option', 'blksize 1428', '-g', '-r', KPXE, '-l', local, to, '69']);
const curlTftp = (ns: string, to: string, local: string) => attempt(ns, 'curl', ['-sS', '-m', '5', '-o', local, `tftp://${to}/${KPXE}`]);
const curlHttp = (ns: string, to: string, local: string) => attempt(ns, 'curl', ['-sS', '-m', '5', '-o', local, `http://${to}/${KPXE}`]);

/** Each of the three clients from one namespace to pxe0's address, with what it wrote. */
async function fetchAll(ns: string, label: string) {
  const [t1, t2, h] = [outPath(`${label}-atftp`), outPath(`${label}-curl-tftp`), outPath(`${label}-curl-http`)];
  const results = { atftp: await atftp(ns, PXE.server, t1), curlTftp: await curlTftp(ns, PXE.server, t2), curlHttp: await curlHttp(ns, PXE.server, h) };
  return { ...results, got: { atftp: readOut(t1), curlTftp: readOut(t2), curlHttp: readOut(h) } };
}

describe.skipIf(skip)('TFTP and HTTP on one NIC only, in network namespaces (root)', () => {
  beforeAll(() => {
    createTwoNics(NS, { pxe0: `${PXE.server}/24`, lan0: `${LAN.server}/24`, a: `${PXE.client}/24`, b: `${LAN.client}/24` });
    // B reaches pxe0's address through lan0, as a machine on the office LAN with a route to the rack would.
    ip('-n', NS.b, 'route', 'add', `${PXE.server}/32`, 'via', LAN.server);
  });
  afterEach(() => stopChildren(children.splice(0)));
  afterAll(() => deleteNamespaces(Object.values(NS)));

  it("untied, B on lan0 is served from pxe0's address by TFTP and HTTP (the problem)", async () => {
    const { first, events } = await startServices({});
    expect(first).toEqual({
      started: {
        tftp: { port: 69, status: { state: 'running', detail: `listening on ${PXE.server}:69` } },
        http: { port: 80, status: { state: 'running', detail: `listening on http://${PXE.server}:80/` } },
      },
    });
    const b = await fetchAll(NS.b, 'untied-b');
    expect(b.atftp.code, b.atftp.output).toBe(0);
    expect(b.curlTftp.code, b.curlTftp.output).toBe(0);
    expect(b.curlHttp.code, b.curlHttp.output).toBe(0);
    for (const got of Object.values(b.got)) expect(sha(got)).toBe(sha(files[KPXE]!));
    expect(events().filter((e) => e.ip === LAN.client).length).toBeGreaterThan(0);
  }, 60_000);

  it("tied to pxe0, B on lan0 gets nothing from TFTP or HTTP; A on pxe0 gets the files byte-identical", async () => {
    const { first, events } = await startServices({ iface: 'pxe0' });
    expect(first).toEqual({
      started: {
        tftp: { port: 69, status: { state: 'running', detail: `listening on ${PXE.server}:69, bound to pxe0` } },
        http: { port: 80, status: { state: 'running', detail: `listening on http://${PXE.server}:80/, bound to pxe0` } },
      },
    });
    // B first; A's success afterwards shows the services were up all along.
    const b = await fetchAll(NS.b, 'tied-b');
    expect(b.atftp.code, b.atftp.output).not.toBe(0);
    expect(b.curlTftp.code, b.curlTftp.output).not.toBe(0);
    // The kernel finds no listener for a SYN arriving on lan0 and resets it.
    expect(b.curlHttp.code, b.curlHttp.output).toBe(7);
    expect(b.curlHttp.output).toMatch(/Connection refused|Couldn't connect/);
    for (const got of Object.values(b.got)) expect(got.length).toBe(0);

    const a = await fetchAll(NS.a, 'tied-a');
    expect(a.atftp.code, a.atftp.output).toBe(0);
    expect(a.curlTftp.code, a.curlTftp.output).toBe(0);
    expect(a.curlHttp.code, a.curlHttp.output).toBe(0);
    for (const got of Object.values(a.got)) expect(sha(got)).toBe(sha(files[KPXE]!));

    // The services never heard B: no event names its address; A's three fetches are there. An HTTP request's
    // event leaves when its response closes, which can be just after curl exits: wait for it (bounded).
    const okFromA = () => events().filter((e) => e.ip === PXE.client && e.fields?.outcome === 'ok');
    for (let waited = 0; okFromA().length < 3 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(events().filter((e) => e.ip === LAN.client || e.msg.includes(LAN.client))).toEqual([]);
    const served = okFromA();
    expect(served.map((e) => [e.service, e.fields?.path])).toEqual(expect.arrayContaining([['tftp', KPXE], ['http', KPXE]]));
    expect(served).toHaveLength(3);
  }, 60_000);
});
