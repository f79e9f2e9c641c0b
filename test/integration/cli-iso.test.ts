/** `rackboot iso info|ls|cat` as a script would run them: JSON out, exit codes 0/1/2, bytes equal xorriso's. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { CLI, runCli, startCli, tempDir } from '../helpers/rackboot.ts';
import { run } from '../helpers/tools.ts';
import { missing, sha } from '../helpers/tools.ts';

const kernel = bytes(1_500_000, 31);
const initrd = bytes(3_000_000, 32);
let dir: ReturnType<typeof tempDir>;
let rocky: string;

beforeAll(() => {
  dir = tempDir('rackboot-cli-iso-');
  if (!missing('xorriso')) rocky = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(kernel, initrd), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
});
afterAll(() => dir.remove());

const lines = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe.skipIf(missing('xorriso'))('rackboot iso', () => {
  it('info prints one JSON object: file system, label, distro and netboot facts', async () => {
    const r = await runCli(['iso', 'info', rocky]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({
      path: rocky,
      format: 'iso9660',
      names: 'rockridge',
      label: 'Rocky-9-4-x86_64-dvd',
      distro: { family: 'rhel', distro: 'rocky', version: '9.4', arch: 'x86_64' },
      netboot: { kind: 'anaconda', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', stage2: 'images/install.img' },
      reason: null,
    });
    expect(info.indexMs).toBeGreaterThan(0);
    const human = await runCli(['iso', 'info', rocky, '--human']);
    expect(human.stdout).toMatch(/Rocky Linux 9\.4/);
    expect(human.stdout).toMatch(/netboot: anaconda, kernel images\/pxeboot\/vmlinuz/);
  });

  it('ls lists a directory, --recursive the whole tree, with Rock Ridge names, modes and symlink targets', async () => {
    const top = lines((await runCli(['iso', 'ls', rocky])).stdout);
    expect(top.map((e) => e.name)).toEqual(expect.arrayContaining(['.treeinfo', '.discinfo', 'images', 'BaseOS', 'AppStream', 'EFI', 'isolinux']));
    const pxe = lines((await runCli(['iso', 'ls', rocky, 'IMAGES/pxeboot'])).stdout);
    expect(pxe).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'images/pxeboot/vmlinuz', type: 'file', size: kernel.length, mode: expect.stringMatching(/^0[0-7]{3}$/), mtime: expect.any(String) })]),
    );
    const all = lines((await runCli(['iso', 'ls', rocky, '--recursive'])).stdout);
    expect(all.find((e) => e.path === 'isolinux/vmlinuz')).toMatchObject({ type: 'symlink', target: '../images/pxeboot/vmlinuz' });
    // The same file list xorriso reports.
    const theirs = execFileSync('xorriso', ['-indev', rocky, '-find', '/', '-exec', 'echo'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.replace(/^'\/?|'$/g, ''))
      .filter((p) => p !== '' && p !== '/');
    expect(all.map((e) => e.path).sort()).toEqual(theirs.sort());
    const human = await runCli(['iso', 'ls', rocky, 'isolinux', '--human']);
    expect(human.stdout).toMatch(/^l.* vmlinuz -> \.\.\/images\/pxeboot\/vmlinuz$/m);
  });

  it('cat writes the exact bytes xorriso extracts, following symlinks', async () => {
    const out = join(dir.path, 'x-initrd');
    execFileSync('xorriso', ['-osirrox', 'on', '-indev', rocky, '-extract', '/images/pxeboot/initrd.img', out], { stdio: 'ignore' });
    // Bytes, not text: run the CLI directly and keep stdout as a Buffer.
    const got = execFileSync(process.execPath, [CLI, 'iso', 'cat', rocky, 'isolinux/VMLINUZ'], { maxBuffer: 64 << 20 });
    expect(sha(got)).toBe(sha(kernel));
    const initrdOut = execFileSync(process.execPath, [CLI, 'iso', 'cat', rocky, 'images/pxeboot/initrd.img'], { maxBuffer: 64 << 20 });
    expect(sha(initrdOut)).toBe(sha(readFileSync(out)));
  });

  it.each([
    ['no subcommand argument', ['iso', 'info'], 2, /usage: rackboot iso info/],
    ['an unknown subcommand', ['iso', 'mount', 'x.iso'], 2, /unknown iso command mount/],
    ['an unknown flag', ['iso', 'ls', 'x.iso', '--long'], 2, /unknown flag/],
    ['a missing image', ['iso', 'info', '/nonexistent/x.iso'], 1, /cannot open \/nonexistent\/x\.iso: ENOENT/],
    ['a file missing inside the image', ['iso', 'cat', '@ROCKY', 'images/nope'], 1, /no images\/nope in Rocky-9\.4-x86_64-dvd\.iso/],
    ['a directory given to cat', ['iso', 'cat', '@ROCKY', 'images'], 1, /is a directory, not a file/],
    ['ls of a missing directory', ['iso', 'ls', '@ROCKY', 'nope'], 1, /no nope in/],
  ])('%s: the exit code and a one-line reason', async (_, args, code, message) => {
    const r = await runCli(args.map((a) => (a === '@ROCKY' ? rocky : a)));
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a file that is not an image: exit 1 with the reader error code', async () => {
    const junk = join(dir.path, 'junk.iso');
    writeFileSync(junk, bytes(100_000, 3));
    const r = await runCli(['iso', 'info', junk]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rackboot: junk\.iso is not a readable image: [A-Z0-9_]+: /);
  });
});

describe.skipIf(missing('xorriso', 'curl'))('rackboot serve --iso', () => {
  it('lists the served ISOs in the ready line and serves their files at the URL it prints', async () => {
    const base = 20000 + Math.floor(Math.random() * 40000);
    const server = await startCli(['serve', '--interface', 'lo', '--address', '127.0.0.1', '--dhcp', 'off', '--http-port', String(base), '--tftp-port', String(base + 1), '--iso', rocky, '--data', join(dir.path, 'serve-data')]);
    try {
      expect(server.first).toMatchObject({
        event: 'ready',
        services: { iso: { state: 'running' } },
        isos: [{ id: 'rocky-9.4-x86_64-dvd', path: rocky, distro: 'Rocky Linux 9.4', url: `http://127.0.0.1:${base}/iso/rocky-9.4-x86_64-dvd/` }],
      });
      const url = (server.first.isos as { url: string }[])[0]!.url;
      const { stdout } = await run('curl', ['-sS', `${url}.treeinfo`]);
      expect(stdout).toMatch(/name = Rocky Linux/);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(missing('xorriso', 'mkfs.vfat'))('El Torito images without a file name', () => {
  it('an appended EFI partition is listed and readable as [BOOT]/efi-1.img, byte-identical to the image it was made from', async () => {
    const fixtures = join(import.meta.dirname, '..', 'fixtures', 'iso');
    execFileSync('bash', [join(fixtures, 'build.sh')], { stdio: 'ignore', timeout: 180_000 });
    const appended = join(fixtures, '.cache', 'boot-append.iso');
    const listed = lines((await runCli(['iso', 'ls', appended, '[BOOT]'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ path: '[BOOT]/efi-1.img', type: 'file', size: 4_096_000 })]);
    const fromPartition = execFileSync(process.execPath, [CLI, 'iso', 'cat', appended, '[BOOT]/efi-1.img'], { maxBuffer: 64 << 20 });
    // The same FAT image sits in the tree of boot.iso (images/efiboot.img).
    const inTree = execFileSync(process.execPath, [CLI, 'iso', 'cat', join(fixtures, '.cache', 'boot.iso'), 'images/efiboot.img'], { maxBuffer: 64 << 20 });
    expect(sha(fromPartition)).toBe(sha(inTree));
  });
});
