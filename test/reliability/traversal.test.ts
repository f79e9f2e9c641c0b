/**
 * Path traversal (issue 9): `rackboot serve` on loopback with a --tftp-root and an ISO, both holding symlinks
 * that point out, and canary files planted outside the served tree (beside the root, in a sibling folder
 * whose name starts with the root's, at an absolute path). A corpus of hostile TFTP and HTTP paths (`..`,
 * encoded, double-encoded, overlong UTF-8, backslashes, absolute, NUL, over-long, the symlinks) is sent with
 * clients that send the bytes exactly; every response is searched for the canaries' marker. Controls: a file
 * inside the root and a copy of the canary inside the root ARE found, so the search and the clients work.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/rackboot.ts';
import { makeIso } from '../helpers/iso.ts';
import { missing } from '../helpers/tools.ts';
import { httpRaw, tftpFetch } from './clients.ts';
import { figure } from './figures.ts';
import { freePorts, startServe, type Serve } from './lab.ts';

const skip = missing('xorriso');
const MARK = `CANARY-${randomBytes(16).toString('hex')}`;
const INSIDE = `INSIDE-${randomBytes(8).toString('hex')}`;
const base = tempDir('rackboot-rel-trav-');
const root = join(base.path, 'root');
const canary = join(base.path, 'canary.txt');
let server: Serve;
let tftpPort: number;
let httpPort: number;
let isoId: string;

beforeAll(async () => {
  if (skip) return;
  mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(base.path, 'root-evil'), { recursive: true });
  mkdirSync(join(base.path, 'scratch'), { recursive: true });
  const secret = `${MARK}\n`;
  writeFileSync(canary, secret);
  writeFileSync(join(base.path, 'root-evil', 'canary.txt'), secret);
  writeFileSync(join(base.path, 'canary.cfg'), secret);
  writeFileSync(join(root, 'inside.txt'), `${INSIDE}\n`);
  writeFileSync(join(root, 'sub', 'deeper', 'file.txt'), `${INSIDE}\n`);
  // Symlinks in the TFTP root pointing out: to the file, to the folder above, absolute, and via a subfolder.
  symlinkSync('../canary.txt', join(root, 'link-out'));
  symlinkSync('..', join(root, 'dir-out'));
  symlinkSync(canary, join(root, 'abs-link'));
  symlinkSync('../../../canary.txt', join(root, 'sub', 'deeper', 'up'));
  symlinkSync('../root-evil', join(root, 'evil-dir'));
  // An ISO whose Rock Ridge symlinks point out of the image and at the host's canary by absolute path.
  const iso = makeIso(join(base.path, 'hostile.iso'), {
    'ok.txt': `${INSIDE}\n`,
    'esc': { symlink: '../../../../../../canary.txt' },
    'abs': { symlink: canary },
    'dir/up': { symlink: '../..' },
    'dir/deep/loop': { symlink: '../../dir/deep/loop' },
    'dotdot': { symlink: '..' },
  }, { scratch: join(base.path, 'scratch') });
  [tftpPort, httpPort] = (await freePorts(2)) as [number, number];
  server = await startServe(null, ['--interface', 'lo', '--address', '127.0.0.1', '--dhcp', 'off', '--tftp-port', String(tftpPort), '--http-port', String(httpPort), '--tftp-root', root, '--iso', iso, '--data', join(base.path, 'data')]);
  isoId = (server.ready.isos as { id: string }[])[0]!.id;
});
afterAll(async () => {
  await server?.stop();
  base.remove();
});

/** Every spelling of "go up `n` levels then name `target`" a hostile client tries, for a path that is decoded (HTTP) or raw (TFTP). */
function spellings(target: string, depth: number, encoded: boolean): string[] {
  const ups = (sep: string, up: string) => Array(depth).fill(up).join(sep) + sep;
  const raw = [ups('/', '..'), ups('\\', '..'), ups('/', '...'), ups('/', '....'), ups('/', '..\\'), ups('/', './..'), ups('//', '..'), ups('/', '.. ')];
  if (!encoded) return raw.map((u) => u + target);
  const enc = [
    ups('%2f', '..'),
    ups('/', '%2e%2e'),
    ups('%2F', '%2E%2E'),
    ups('%5c', '..'),
    ups('/', '%252e%252e'),
    ups('%252f', '..'),
    ups('%255c', '..'),
    ups('/', '%c0%ae%c0%ae'),
    ups('%c0%af', '..'),
    ups('%e0%80%af', '..'),
    ups('/', '%ef%bc%8e%ef%bc%8e'),
    ups('%ef%bc%8f', '..'),
    ups('/', '..;'),
    ups('/', '.%00.'),
    ups('/', '%2e.'),
    ups('/', '.%2e'),
  ];
  return [...raw, ...enc].map((u) => u + target);
}

function corpus(encoded: boolean, iso: string): string[] {
  const out = new Set<string>();
  for (let depth = 1; depth <= 8; depth++) {
    for (const t of ['canary.txt', 'root-evil/canary.txt', 'canary.cfg']) {
      for (const s of spellings(t, depth, encoded)) {
        out.add(s);
        out.add(`/${s}`);
        out.add(`sub/deeper/${s}`);
        out.add(`${iso}/${s}`);
        out.add(`iso/${s}`);
        out.add(`boot/${s}`);
        out.add(`pxelinux.cfg/${s}`);
        if (encoded) out.add(`${s}?x=1`);
      }
    }
  }
  const abs = [canary, canary.replaceAll('/', '\\'), `//${canary}`, `file://${canary}`, `${canary}\0`, `C:\\..\\..${canary.replaceAll('/', '\\')}`, `\\\\?\\${canary}`];
  const symlinks = ['link-out', 'dir-out/canary.txt', 'dir-out/root-evil/canary.txt', 'abs-link', 'sub/deeper/up', 'evil-dir/canary.txt', `${iso}/esc`, `${iso}/abs`, `${iso}/dir/up/canary.txt`, `${iso}/dir/up/../canary.txt`, `${iso}/dotdot/canary.txt`, `${iso}/dir/deep/loop`, `${iso}/dir/up/dir/up/dir/up/canary.txt`];
  for (const p of [...abs, ...symlinks]) {
    out.add(p);
    if (encoded) out.add(encodeURI(p).replaceAll('%5C', '%5c'));
  }
  if (encoded) {
    for (const p of [...abs]) out.add(encodeURIComponent(p));
    out.add(`%2e%2e%2f`.repeat(2000) + 'canary.txt');
    out.add('/' + 'a/'.repeat(30_000) + '../'.repeat(30_001) + 'canary.txt');
    out.add(`inside.txt%00/../../canary.txt`);
    out.add(`inside.txt%00${'/..'.repeat(3)}/canary.txt`);
  } else {
    out.add('../'.repeat(160) + 'canary.txt'); // about as long as an RRQ may be
    out.add('a/'.repeat(100) + '../'.repeat(101) + 'canary.txt');
  }
  return [...out];
}

describe.skipIf(skip)('path traversal', () => {
  it('no TFTP or HTTP response carries a byte of the canaries outside the served tree', async ({ task }) => {
    const iso = `iso/${isoId}`;
    let requests = 0;
    let responseBytes = 0;
    const leaks: string[] = [];
    const leak = (what: string, body: Buffer) => {
      requests++;
      responseBytes += body.length;
      if (body.includes(MARK) || body.includes(MARK.slice(0, 16))) leaks.push(what);
    };

    // Controls: the clients fetch files inside the tree, and the search finds a marker where it is.
    const inTftp = await tftpFetch('127.0.0.1', tftpPort, Buffer.from(`\0\x01inside.txt\0octet\0`, 'latin1'));
    expect(inTftp.data.toString()).toBe(`${INSIDE}\n`);
    expect((await httpRaw('127.0.0.1', httpPort, `/${iso}/ok.txt`)).toString()).toContain(INSIDE);
    expect((await httpRaw('127.0.0.1', httpPort, '/sub/deeper/file.txt')).toString()).toContain(INSIDE);

    // TFTP: the raw spellings (TFTP decodes nothing), NUL inside the name, a packet past 512 bytes.
    const tftpPaths = corpus(false, iso);
    const rrq = (name: Buffer) => Buffer.concat([Buffer.from([0, 1]), name, Buffer.from('\0octet\0')]);
    const tftpRequests: [string, Buffer][] = tftpPaths.map((p) => [p, rrq(Buffer.from(p, 'utf8'))]);
    tftpRequests.push(['NUL inside the name', Buffer.from(`\0\x01inside.txt\0../../canary.txt\0octet\0`, 'latin1')]);
    tftpRequests.push(['NUL then traversal as the mode', Buffer.from(`\0\x01../canary.txt\0\0octet\0`, 'latin1')]);
    tftpRequests.push(['over-long RRQ', rrq(Buffer.from('../'.repeat(3000) + 'canary.txt'))]);
    tftpRequests.push(['latin1 name', rrq(Buffer.from('..\xff/..\xfe/canary.txt', 'latin1'))]);
    tftpRequests.push(['utf-8 overlong bytes', rrq(Buffer.concat([Buffer.from([0xc0, 0xae, 0xc0, 0xae, 0x2f]), Buffer.from('canary.txt')]))]);
    tftpRequests.push(['netascii mode', Buffer.from(`\0\x01../canary.txt\0netascii\0`, 'latin1')]);
    const tftpErrors = new Map<number, number>();
    // One client over 20 requests/s is dropped (the rate limit): each request of a batch comes from its own
    // loopback address (127.0.1.x), and each address sends one request per batch.
    for (let i = 0; i < tftpRequests.length; i += 16) {
      const batch = tftpRequests.slice(i, i + 16);
      const results = await Promise.all(batch.map(([, req], k) => tftpFetch('127.0.0.1', tftpPort, req, 800, `127.0.1.${k + 1}`)));
      results.forEach((r, k) => {
        leak(`TFTP ${JSON.stringify(batch[k]![0]).slice(0, 120)}`, r.raw);
        if (r.error) tftpErrors.set(r.error.code, (tftpErrors.get(r.error.code) ?? 0) + 1);
      });
      await new Promise((r) => setTimeout(r, 60));
    }

    // HTTP: raw and encoded spellings, each as the request target exactly (with and without a leading slash).
    const httpPaths = corpus(true, iso);
    const targets = httpPaths.flatMap((p) => (p.startsWith('/') ? [p] : [`/${p}`, p]));
    targets.push(`http://127.0.0.1:${httpPort}/../canary.txt`, `/${iso}/../../canary.txt`, '*', '/%', '/%zz/../canary.txt', `/inside.txt/../../canary.txt`);
    const statuses = new Map<string, number>();
    for (let i = 0; i < targets.length; i += 16) {
      const batch = targets.slice(i, i + 16);
      const bodies = await Promise.all(batch.map((t) => httpRaw('127.0.0.1', httpPort, t)));
      bodies.forEach((b, k) => {
        leak(`HTTP ${JSON.stringify(batch[k]).slice(0, 120)}`, b);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(b.toString('latin1'))?.[1] ?? 'closed';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
    }
    // The NUL byte itself in an HTTP request line (not %00).
    leak('HTTP raw NUL', await httpRaw('127.0.0.1', httpPort, Buffer.from('/inside.txt\0/../../canary.txt', 'latin1')));

    // Control for the search: a copy of the canary inside the root is found by the same path through both.
    writeFileSync(join(root, 'control-canary.txt'), `${MARK}\n`);
    const control = [(await tftpFetch('127.0.0.1', tftpPort, rrq(Buffer.from('control-canary.txt')))).raw, await httpRaw('127.0.0.1', httpPort, '/control-canary.txt')];
    expect(control.every((b) => b.includes(MARK))).toBe(true);

    expect(server.alive(), server.stderr()).toBe(true);
    expect(server.watchdog()).toMatchObject({ unhandledRejections: 0, uncaughtExceptions: 0 });
    figure(
      task.meta,
      `${requests} hostile requests (TFTP ${tftpRequests.length}, HTTP ${requests - tftpRequests.length}), ${responseBytes} response bytes, ${leaks.length} carried the canary: 0 bytes from outside the root ` +
        `(TFTP errors ${[...tftpErrors].map(([c, n]) => `${c}:${n}`).join(' ')}; HTTP ${[...statuses].sort().map(([s, n]) => `${s}:${n}`).join(' ')}); controls inside the root found`,
    );
    expect(leaks, `responses carrying the canary: ${leaks.slice(0, 20).join('; ')}`).toEqual([]);
  });
});
