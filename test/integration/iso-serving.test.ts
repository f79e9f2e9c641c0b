/**
 * The boot server serving installer files straight out of ISOs (no mount, no extraction) to real clients:
 * curl over HTTP (whole files, ranges, HEAD, the image itself), tftp-hpa and atftp over TFTP with the names
 * PXE ROMs send (any case, backslashes), and the ISO library driven through the API while it runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetInterface } from '../../shared/api/contract.ts';
import { createBootServer, type BootServer } from '../../electron/core/server.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing, run, sha } from '../helpers/tools.ts';

const nics: NetInterface[] = [
  { name: 'lo', mac: null, up: true, loopback: true, wireless: false, mtu: 65536, ipv4: [{ address: '127.0.0.1', prefix: 8, network: '127.0.0.0' }] },
];
const ports = () => {
  const base = 20000 + Math.floor(Math.random() * 40000);
  return { httpPort: base, tftpPort: base + 1 };
};

const kernel = bytes(2_000_000, 21);
const initrd = bytes(5_000_000, 22);
const ID = 'rocky-9.4-x86_64-dvd';
let dir: ReturnType<typeof tempDir>;
let rocky: string;
let other: string;
let core: BootServer | null = null;

beforeAll(() => {
  dir = tempDir('rackboot-isoserve-');
  if (missing('xorriso')) return;
  rocky = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(kernel, initrd), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
  other = makeIso(join(dir.path, 'tools.iso'), { 'README.TXT': 'tools\n', 'bin/memtest.bin': bytes(10_000, 5) }, { scratch: dir.path });
});
afterAll(() => dir.remove());
afterEach(async () => {
  await core?.close();
  core = null;
});

async function serve(isos: string[]) {
  core = createBootServer({ dataDir: join(dir.path, `data-${Math.random().toString(36).slice(2)}`), listInterfaces: () => nics, dhcpPorts: { server: 0, client: 0, proxy: 0 } });
  const p = ports();
  await core.api.setSettings({ interface: 'lo', dhcpMode: 'off', ...p, isos });
  const status = await core.api.startServer(undefined);
  return { status, http: `http://127.0.0.1:${p.httpPort}`, tftpPort: p.tftpPort };
}

async function curl(url: string, ...args: string[]): Promise<{ code: number; body: Buffer; headers: string }> {
  const body = join(dir.path, `body-${Math.random().toString(36).slice(2)}`);
  const head = `${body}.h`;
  const { stdout } = await run('curl', ['-sS', '-o', body, '-D', head, '-w', '%{http_code}', ...args, url], { timeout: 30_000 });
  return { code: Number(stdout), body: readFileSync(body), headers: readFileSync(head, 'utf8') };
}

describe.skipIf(missing('xorriso', 'curl'))('serving from inside ISOs', () => {
  it('HTTP: files byte-identical, any case, ranges, HEAD, symlinks, the whole image; nothing outside', async () => {
    const { status, http } = await serve([rocky]);
    expect(status.services.iso).toMatchObject({ state: 'running', detail: expect.stringContaining(`${ID} (Rocky Linux 9.4`) });

    const k = await curl(`${http}/iso/${ID}/images/pxeboot/vmlinuz`);
    expect(k.code).toBe(200);
    expect(sha(k.body)).toBe(sha(kernel));
    expect(k.headers).toMatch(/content-length: 2000000/i);
    expect(k.headers).toMatch(/etag: /i);

    const upper = await curl(`${http}/iso/${ID}/IMAGES/PXEBOOT/INITRD.IMG`);
    expect(sha(upper.body)).toBe(sha(initrd));

    const range = await curl(`${http}/iso/${ID}/images/pxeboot/initrd.img`, '-r', '1000-1999');
    expect(range.code).toBe(206);
    expect(Buffer.compare(range.body, Buffer.from(initrd.subarray(1000, 2000)))).toBe(0);
    expect(range.headers).toMatch(/content-range: bytes 1000-1999\/5000000/i);

    const head = await curl(`${http}/iso/${ID}/.treeinfo`, '-I');
    expect(head.code).toBe(200);
    expect(head.headers).toMatch(/content-length: \d+/i);

    const link = await curl(`${http}/iso/${ID}/isolinux/vmlinuz`);
    expect(sha(link.body)).toBe(sha(kernel));

    // casper's url= downloads the whole ISO: it is served under /iso/<id>.iso.
    const whole = await curl(`${http}/iso/${ID}.iso`);
    expect(sha(whole.body)).toBe(sha(readFileSync(rocky)));

    for (const path of [`/iso/${ID}/nope`, `/iso/${ID}/images`, `/iso/unknown/.treeinfo`, `/iso/${ID}/../../../etc/passwd`, `/iso/${ID}/%2e%2e/%2e%2e/etc/passwd`]) {
      const r = await curl(`${http}${path}`, '--path-as-is');
      expect([400, 404], path).toContain(r.code);
    }
  });

  it.skipIf(missing('tftp', 'atftp'))('TFTP: tftp-hpa and atftp fetch from inside the ISO with PXE-ROM style names', async () => {
    const { tftpPort } = await serve([rocky]);
    const out = join(dir.path, `tftp-${tftpPort}`);
    await run('tftp', ['-m', 'binary', '127.0.0.1', String(tftpPort), '-c', 'get', `iso/${ID}/images/pxeboot/vmlinuz`, `${out}-a`]);
    expect(sha(readFileSync(`${out}-a`))).toBe(sha(kernel));
    await run('tftp', ['-m', 'binary', '127.0.0.1', String(tftpPort), '-c', 'get', `\\ISO\\${ID.toUpperCase()}\\IMAGES\\PXEBOOT\\INITRD.IMG`, `${out}-b`]);
    expect(sha(readFileSync(`${out}-b`))).toBe(sha(initrd));
    await run('atftp', ['--option', 'blksize 1468', '--option', 'windowsize 8', '-g', '-r', `/iso/${ID}/images/pxeboot/initrd.img`, '-l', `${out}-c`, '127.0.0.1', String(tftpPort)], { timeout: 30_000 });
    expect(sha(readFileSync(`${out}-c`))).toBe(sha(initrd));
  });

  it('the API adds and removes ISOs while serving, without a restart', async () => {
    const { http } = await serve([rocky]);
    expect((await curl(`${http}/iso/tools/README.TXT`)).code).toBe(404);
    const added = await core!.api.addIso({ path: other });
    expect(added).toMatchObject({ id: 'tools', served: true, family: 'unknown', netboot: null, reason: expect.any(String), urlPath: '/iso/tools/' });
    expect((await curl(`${http}/iso/tools/readme.txt`)).body.toString()).toBe('tools\n');
    expect((await core!.api.listIsos(undefined)).map((i) => i.id).sort()).toEqual(['rocky-9.4-x86_64-dvd', 'tools']);
    expect((await core!.api.getSettings(undefined)).isos).toEqual([rocky, other]);
    await core!.api.removeIso({ id: 'tools' });
    expect((await curl(`${http}/iso/tools/readme.txt`)).code).toBe(404);
    expect((await core!.api.getSettings(undefined)).isos).toEqual([rocky]);
    await expect(core!.api.addIso({ path: join(dir.path, 'missing.iso') })).rejects.toMatchObject({ code: 'ISO_NOT_FOUND' });
    const junk = join(dir.path, 'junk.iso');
    writeFileSync(junk, bytes(100_000, 9));
    await expect(core!.api.addIso({ path: junk })).rejects.toMatchObject({ code: 'ISO_UNREADABLE' });
  });

  it('one unreadable ISO is reported and skipped; when none can be read, start fails with ISO_UNREADABLE', async () => {
    const junk = join(dir.path, 'broken.iso');
    writeFileSync(junk, bytes(300_000, 7));
    const { status, http } = await serve([rocky, junk]);
    expect(status.services.iso).toMatchObject({ state: 'running', detail: expect.stringMatching(/cannot read broken\.iso/) });
    expect((await curl(`${http}/iso/${ID}/.treeinfo`)).code).toBe(200);
    await core!.close();
    await expect(serve([junk])).rejects.toMatchObject({ code: 'ISO_UNREADABLE' });
    expect(core!.status()).toMatchObject({ state: 'failed', error: { code: 'ISO_UNREADABLE' } });
  });
});
