/**
 * Bad ISOs (issue 9): `rackboot serve` on loopback given a good image beside a truncated one, an empty one,
 * random bytes and one whose directory tree loops, starts, names each bad image with a clear reason and serves
 * the good one. While serving, an image that is deleted, and one that is cut short, fail only their own
 * requests, with a clear event; the others keep serving byte-identical files.
 */
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync, readSync, closeSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/rackboot.ts';
import { bytes, makeIso } from '../helpers/iso.ts';
import { missing, sha } from '../helpers/tools.ts';
import { httpRaw, tftpFetch } from './clients.ts';
import { figure } from './figures.ts';
import { freePorts, startServe, type Serve } from './lab.ts';

const skip = missing('xorriso');
const dir = tempDir('rackboot-rel-badiso-');
const KERNEL = bytes(3 * 1024 * 1024 + 5, 11);
const SMALL = bytes(300, 12);
let server: Serve;
let httpPort: number;
let tftpPort: number;
const path = (name: string) => join(dir.path, name);

/** Both-endian 32-bit field (ECMA-119 7.3.3) at `at`. */
const put733 = (b: Buffer, at: number, v: number) => {
  b.writeUInt32LE(v, at);
  b.writeUInt32BE(v, at + 4);
};

/** The directory record named `name` in the directory extent at `lba` (one sector is enough for these trees). */
function findRecord(image: Buffer, lba: number, name: string): number {
  const start = lba * 2048;
  for (let off = start; off < start + 2048; ) {
    const len = image[off]!;
    if (len === 0) break;
    const nameLen = image[off + 32]!;
    const id = image.subarray(off + 33, off + 33 + nameLen).toString('latin1');
    if (id === name || id === `${name};1`) return off;
    off += len;
  }
  throw new Error(`no directory record ${name} at sector ${lba}`);
}

/** A copy of `src` whose directory A/B points back at the root directory: A/B/A/B/... never ends. */
function loopIso(src: string, out: string): void {
  const image = readFileSync(src);
  const rootLba = image.readUInt32LE(16 * 2048 + 156 + 2);
  const rootLen = image.readUInt32LE(16 * 2048 + 156 + 10);
  const a = findRecord(image, rootLba, 'A');
  const b = findRecord(image, image.readUInt32LE(a + 2), 'B');
  put733(image, b + 2, rootLba);
  put733(image, b + 10, rootLen);
  writeFileSync(out, image);
}

beforeAll(async () => {
  if (skip) return;
  const tree = { 'boot/vmlinuz': KERNEL, 'small.txt': SMALL, 'A/B/C/deep.txt': 'deep\n' };
  makeIso(path('good.iso'), tree, { label: 'GOOD', scratch: dir.path });
  makeIso(path('other.iso'), { ...tree, 'other.txt': 'other\n' }, { label: 'OTHER', scratch: dir.path });
  makeIso(path('doomed.iso'), { ...tree, 'doomed.txt': 'doomed\n' }, { label: 'DOOMED', scratch: dir.path });
  makeIso(path('shrinks.iso'), { ...tree, 'shrinks.txt': 'shrinks\n' }, { label: 'SHRINKS', scratch: dir.path });
  // Truncated: the volume descriptors are there, the directories and files are not.
  const good = readFileSync(path('good.iso'));
  writeFileSync(path('truncated.iso'), good.subarray(0, 17 * 2048 + 100));
  writeFileSync(path('zero.iso'), Buffer.alloc(0));
  writeFileSync(path('random.iso'), randomBytes(4 * 1024 * 1024));
  // Loops built without Joliet so the ISO 9660 tree (with Rock Ridge) is the only one.
  const src = path('loop-src.iso');
  makeIso(src, tree, { label: 'LOOP', scratch: dir.path });
  loopIso(src, path('loop.iso'));
  [httpPort, tftpPort] = (await freePorts(2)) as [number, number];
  const isos = ['good.iso', 'truncated.iso', 'zero.iso', 'random.iso', 'loop.iso', 'other.iso', 'doomed.iso', 'shrinks.iso'];
  server = await startServe(null, ['--interface', 'lo', '--address', '127.0.0.1', '--dhcp', 'off', '--tftp-port', String(tftpPort), '--http-port', String(httpPort), ...isos.flatMap((i) => ['--iso', path(i)]), '--data', path('data')], { timeoutMs: 60_000 });
});
afterAll(async () => {
  await server?.stop();
  dir.remove();
});

const body = (res: Buffer) => res.subarray(res.indexOf('\r\n\r\n') + 4);
const status = (res: Buffer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(res.toString('latin1'))?.[1] ?? 0);

describe.skipIf(skip)('bad ISOs', () => {
  it('starts with the good images, names each bad one with a clear reason, and serves the good ones', async ({ task }) => {
    const served = server.ready.isos as { id: string; path: string }[];
    expect(served.map((i) => i.path.split('/').pop()).sort()).toEqual(['doomed.iso', 'good.iso', 'other.iso', 'shrinks.iso']);
    const detail = (server.ready.services as { iso: { state: string; detail: string } }).iso;
    expect(detail.state).toBe('running');
    const reasons: Record<string, string> = {};
    for (const bad of ['truncated.iso', 'zero.iso', 'random.iso', 'loop.iso']) {
      const m = new RegExp(`${bad.replace('.', '\\.')}: ([^;]+)`).exec(detail.detail);
      expect(m, `${bad} in ${detail.detail}`).not.toBeNull();
      reasons[bad] = m![1]!;
    }
    // Clear: says what is wrong with the file, not a stack trace or "undefined".
    for (const [bad, why] of Object.entries(reasons)) {
      expect(why, bad).not.toMatch(/undefined|TypeError|RangeError|at \S+ \(/);
      expect(why.length, bad).toBeGreaterThan(10);
    }
    expect(reasons['loop.iso']).toMatch(/loop|cycle|itself|twice|again/i);
    const good = served.find((i) => i.path.endsWith('good.iso'))!;
    const res = await httpRaw('127.0.0.1', httpPort, `/iso/${good.id}/boot/vmlinuz`, 10_000);
    expect(sha(body(res))).toBe(sha(KERNEL));
    figure(task.meta, `4 bad images refused at start (${Object.entries(reasons).map(([k, v]) => `${k}: "${v.slice(0, 70)}"`).join('; ')}); 4 good served`);
  });

  it('an image deleted or cut short while serving fails only its own requests; the others keep serving', async ({ task }) => {
    const served = server.ready.isos as { id: string; path: string }[];
    const id = (name: string) => served.find((i) => i.path.endsWith(name))!.id;
    // Deleted: the open image stays readable on Linux (the inode lives while rackboot holds it) or fails
    // cleanly; either way nothing else is touched.
    expect(sha(body(await httpRaw('127.0.0.1', httpPort, `/iso/${id('doomed.iso')}/small.txt`)))).toBe(sha(SMALL));
    rmSync(path('doomed.iso'));
    const afterDelete = await httpRaw('127.0.0.1', httpPort, `/iso/${id('doomed.iso')}/boot/vmlinuz`, 10_000);
    const deleted = status(afterDelete) === 200 && sha(body(afterDelete)) === sha(KERNEL) ? 'still served from the open file' : `HTTP ${status(afterDelete)}`;
    expect([200, 404, 500, 503]).toContain(status(afterDelete));

    // Cut short under rackboot: the kernel's extent lies past the new end.
    const fd = openSync(path('shrinks.iso'), 'r+');
    const head = Buffer.alloc(64 * 1024);
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    truncateSync(path('shrinks.iso'), 64 * 1024);
    const cut = await httpRaw('127.0.0.1', httpPort, `/iso/${id('shrinks.iso')}/boot/vmlinuz`, 10_000);
    const cutTftp = await tftpFetch('127.0.0.1', tftpPort, Buffer.from(`\0\x01iso/${id('shrinks.iso')}/boot/vmlinuz\0octet\0`, 'latin1'), 2000);
    // Content-Length may already be out: then the connection ends early; never the wrong bytes in full.
    expect(sha(body(cut))).not.toBe(sha(KERNEL));
    expect(cutTftp.data.length).toBeLessThan(KERNEL.length);
    expect(cutTftp.error, 'TFTP says it cannot read the file instead of going silent').toMatchObject({ code: 0, message: 'cannot read the file' });
    await new Promise((r) => setTimeout(r, 500));
    const events = server.lines.filter((l) => l.event === 'log' && (l.level === 'warn' || l.level === 'error') && /shrank|short|cannot|failed/i.test(String(l.msg)));
    expect(events.length, JSON.stringify(server.lines.slice(-10))).toBeGreaterThan(0);

    // The others: HTTP and TFTP, byte-identical.
    for (const name of ['good.iso', 'other.iso']) {
      expect(sha(body(await httpRaw('127.0.0.1', httpPort, `/iso/${id(name)}/boot/vmlinuz`, 10_000)))).toBe(sha(KERNEL));
      const t = await tftpFetch('127.0.0.1', tftpPort, Buffer.from(`\0\x01iso/${id(name)}/small.txt\0octet\0`, 'latin1'));
      expect(sha(t.data)).toBe(sha(SMALL));
    }
    // A file put back at the path does not confuse the running server either.
    writeFileSync(path('doomed.iso'), Buffer.alloc(0));
    const fd2 = openSync(path('shrinks.iso'), 'r+');
    writeSync(fd2, head, 0, head.length, 0);
    closeSync(fd2);
    expect(server.alive(), server.stderr()).toBe(true);
    expect(server.watchdog()).toMatchObject({ unhandledRejections: 0, uncaughtExceptions: 0 });
    figure(
      task.meta,
      `deleted while serving: ${deleted}; cut to 64 KiB while serving: HTTP ${status(cut) || 'closed'} after ${body(cut).length} body bytes, TFTP ${cutTftp.error ? `error ${cutTftp.error.code} "${cutTftp.error.message}"` : `${cutTftp.data.length} bytes then silence`}, event "${String(events[0]!.msg).slice(0, 90)}"; the other images byte-identical over HTTP and TFTP; 0 crashes`,
    );
  });
});
