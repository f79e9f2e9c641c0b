import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootEventInput } from '../../shared/model/event.ts';
import { checksumFor, createIsoLibrary, isoIdFor } from '../../electron/core/iso/library.ts';
import { openStore } from '../../electron/core/store/store.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing } from '../helpers/tools.ts';

const kernel = bytes(300_000, 11);
const initrd = bytes(700_000, 12);
let dir: ReturnType<typeof tempDir>;
let rocky: string;

beforeAll(() => {
  dir = tempDir('rackboot-isolib-');
  if (!missing('xorriso')) rocky = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(kernel, initrd), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
});
afterAll(() => dir.remove());

function library(data: string) {
  const events: BootEventInput[] = [];
  const store = openStore(data);
  const lib = createIsoLibrary({ store, emit: (e) => events.push(e) });
  return {
    lib,
    events,
    async close() {
      await lib.close();
      store.close();
    },
  };
}

async function readAll(f: { size: number; read(p: number, t: Uint8Array, o: number, l: number): Promise<number> }): Promise<Uint8Array> {
  const out = new Uint8Array(f.size);
  let at = 0;
  while (at < f.size) at += await f.read(at, out, at, f.size - at);
  return out;
}

describe.skipIf(missing('xorriso'))('ISO library', () => {
  it('adds an image, detects the distro, serves its files, and keeps the index across restarts', async () => {
    const data = join(dir.path, 'data-a');
    const a = library(data);
    const rec = await a.lib.add(rocky);
    expect(rec).toMatchObject({ id: 'rocky-9.4-x86_64-dvd', format: 'iso9660', names: 'rockridge', label: 'Rocky-9-4-x86_64-dvd', netboot: { kind: 'anaconda', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img' }, reason: null });
    expect(rec.distro).toMatchObject({ family: 'rhel', distro: 'rocky', version: '9.4', arch: 'x86_64' });
    expect(rec).toMatchObject({ files: 12, symlinks: 1, dirs: expect.any(Number) });
    expect(a.events.map((e) => e.fields?.phase)).toEqual(expect.arrayContaining(['index', 'done']));

    const o = await a.lib.open(rec.id);
    const f = (await o.tree.open('IMAGES/PXEBOOT/VMLINUZ'))!;
    expect(Buffer.from(await readAll(f)).equals(Buffer.from(kernel))).toBe(true);
    // One extent: the HTTP service can sendfile(2) it straight from the image.
    expect(f.source?.()).toMatchObject({ fd: o.image.fd, offset: expect.any(Number) });
    await f.close();
    const viaLink = (await o.tree.open('isolinux/vmlinuz'))!;
    expect(viaLink.size).toBe(kernel.length);
    await viaLink.close();
    const whole = o.whole();
    expect(whole.size).toBe(readFileSync(rocky).length);
    await whole.close();
    await a.close();

    // A second run reads the stored index: no indexing event.
    const b = library(data);
    expect(b.lib.list().map((r) => r.id)).toEqual([rec.id]);
    const again = await b.lib.open(rec.id);
    expect(again.record.indexedAt).toBe(rec.indexedAt);
    expect(b.events.filter((e) => e.fields?.phase === 'index')).toEqual([]);
    await b.close();
  });

  it('a touched file keeps its index; a changed file is indexed again and served new', async () => {
    const path = join(dir.path, 'changing.iso');
    copyFileSync(rocky, path);
    const a = library(join(dir.path, 'data-b'));
    const first = await a.lib.add(path);
    await a.lib.open(first.id);

    // Same bytes, new mtime (copied again, touched): the fingerprint matches, no re-index.
    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    const touched = await a.lib.add(path);
    expect(touched.indexedAt).toBe(first.indexedAt);
    expect(touched.mtimeMs).not.toBe(first.mtimeMs);

    // New content at the same path: re-indexed on the next open, and the open copy serves the new tree.
    makeIso(path, { ...rockyTree(kernel, initrd), 'NEW-FILE.txt': 'fresh\n' }, { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
    const later2 = new Date(Date.now() + 120_000);
    utimesSync(path, later2, later2);
    const reopened = await a.lib.open(first.id);
    expect(reopened.record.fingerprint).not.toBe(first.fingerprint);
    const f = await reopened.tree.open('new-file.txt');
    expect(f).not.toBeNull();
    await f!.close();
    expect(a.events.filter((e) => e.fields?.phase === 'index').length).toBe(2);
    await a.close();
  });

  it('removes an image: gone from the list, the store and open()', async () => {
    const a = library(join(dir.path, 'data-c'));
    const rec = await a.lib.add(rocky);
    expect(await a.lib.remove(rec.id)).toBe(true);
    expect(a.lib.list()).toEqual([]);
    await expect(a.lib.open(rec.id)).rejects.toMatchObject({ code: 'ISO_UNKNOWN' });
    expect(await a.lib.remove(rec.id)).toBe(false);
    await a.close();
    const b = library(join(dir.path, 'data-c'));
    expect(b.lib.list()).toEqual([]);
    await b.close();
  });

  it('verifies the whole image against a SHA256SUMS file beside it, and reports a mismatch', async () => {
    const sub = join(dir.path, 'verify');
    const path = join(sub, 'Rocky-9.4-x86_64-dvd.iso');
    makeIso(path, rockyTree(kernel, initrd), { scratch: dir.path });
    const sum = createHash('sha256').update(readFileSync(path)).digest('hex');
    writeFileSync(join(sub, 'CHECKSUM'), `# Rocky-9.4-x86_64-dvd.iso: 1234 bytes\nSHA256 (Rocky-9.4-x86_64-dvd.iso) = ${sum}\n`);
    const a = library(join(dir.path, 'data-d'));
    const rec = await a.lib.add(path);
    const ok = await a.lib.verify(rec.id);
    expect(ok).toMatchObject({ sha256: sum, match: true, expected: { sha256: sum, from: join(sub, 'CHECKSUM') } });
    expect(a.lib.get(rec.id)?.sha256).toBe(sum);
    const bad = await a.lib.verify(rec.id, 'a'.repeat(64));
    expect(bad.match).toBe(false);
    expect(a.events.at(-1)).toMatchObject({ level: 'error', msg: expect.stringMatching(/does NOT match/) });
    await a.close();
  });

  it.each([
    ['zero bytes', new Uint8Array(0)],
    ['random bytes', bytes(200_000, 99)],
    ['a text file', new TextEncoder().encode('not an iso\n'.repeat(5000))],
  ])('refuses %s with a ProtocolError code and stores nothing', async (_, content) => {
    const path = join(dir.path, `bad-${content.length}.iso`);
    writeFileSync(path, content);
    const a = library(join(dir.path, `data-bad-${content.length}`));
    await expect(a.lib.add(path)).rejects.toMatchObject({ name: 'ProtocolError', code: expect.stringMatching(/^[A-Z0-9_]+$/) });
    expect(a.lib.list()).toEqual([]);
    await a.close();
  });
});

describe('library helpers', () => {
  it.each([
    ['/isos/Rocky-9.4-x86_64-dvd.iso', 'rocky-9.4-x86_64-dvd'],
    ['/isos/ubuntu-24.04.1-live-server-amd64.iso', 'ubuntu-24.04.1-live-server-amd64'],
    ['/x/Win11 23H2 (English).ISO', 'win11-23h2-english'],
    ['/x/.iso', 'image'],
  ])('id for %s is %s', (path, id) => {
    expect(isoIdFor(path, () => false)).toBe(id);
  });

  it('a taken id gets a number', () => {
    const taken = new Set(['debian-12.5.0-amd64-netinst', 'debian-12.5.0-amd64-netinst-2']);
    expect(isoIdFor('/a/debian-12.5.0-amd64-netinst.iso', (id) => taken.has(id))).toBe('debian-12.5.0-amd64-netinst-3');
  });

  it.each([
    ['GNU sha256sum', `${'ab'.repeat(32)}  debian-12.5.0-amd64-netinst.iso\n`, 'debian-12.5.0-amd64-netinst.iso', 'ab'.repeat(32)],
    ['GNU binary marker', `${'CD'.repeat(32)} *ubuntu.iso\n`, 'ubuntu.iso', 'cd'.repeat(32)],
    ['BSD style (Rocky CHECKSUM)', `SHA256 (Rocky-9.4-x86_64-dvd.iso) = ${'ef'.repeat(32)}\n`, 'Rocky-9.4-x86_64-dvd.iso', 'ef'.repeat(32)],
    ['another file only', `${'ab'.repeat(32)}  other.iso\n`, 'mine.iso', null],
  ])('checksum file, %s', (_, text, file, want) => {
    expect(checksumFor(text, file)).toBe(want);
  });
});
