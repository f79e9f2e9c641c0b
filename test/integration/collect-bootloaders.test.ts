/**
 * build/scripts/collect-bootloaders.mjs against this machine's apt: collects into a temp folder, checks the
 * manifest against the files, runs again (nothing to do), and, as root, runs without network and without
 * apt's cache (copied from the installed packages, and said so).
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOTLOADERS, findBootloaders } from '../../electron/core/boot/bootloaders.ts';
import { tempDir } from '../helpers/rackboot.ts';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '..', '..', 'build', 'scripts', 'collect-bootloaders.mjs');
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function skipReason(): string | null {
  if (spawnSync('apt-get', ['--version']).status !== 0) return 'apt-get is not installed (not a Debian/Ubuntu system)';
  if (spawnSync('dpkg-deb', ['--version']).status !== 0) return 'dpkg-deb is not installed';
  return null;
}
const reason = skipReason();
if (reason) console.log(`[skip] collect-bootloaders: ${reason}`);

type Manifest = Record<string, { package: string; version: string; sha256: string; from: string }>;

describe.skipIf(reason)('collect-bootloaders.mjs', () => {
  const work = tempDir('rackboot-collect-');
  afterAll(() => work.remove());

  it('collects every served name with its package, version, hash and license, then finds nothing to do', async () => {
    const out = join(work.path, 'bootloaders');
    const first = await run('node', [SCRIPT, '--out', out], { timeout: 180_000 });
    expect(first.stdout).toMatch(/12 files from 6 packages/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(Object.keys(manifest).sort()).toEqual(BOOTLOADERS.map((b) => b.name).sort());
    for (const b of BOOTLOADERS) {
      const m = manifest[b.name]!;
      expect(m.package, b.name).toBe(b.debianPackage);
      expect(m.version).toMatch(/^\S+$/);
      expect(sha(join(out, b.name)), b.name).toBe(m.sha256);
    }
    expect(readdirSync(join(out, 'licenses')).sort()).toEqual([...new Set(BOOTLOADERS.map((b) => b.debianPackage))].sort());
    expect(readFileSync(join(out, 'licenses', 'shim-signed'), 'utf8')).toMatch(/Copyright|License/i);
    // The signed shim is a PE image ("MZ").
    expect(readFileSync(join(out, 'shimx64.efi')).subarray(0, 2).toString('latin1')).toBe('MZ');

    const second = await run('node', [SCRIPT, '--out', out], { timeout: 60_000 });
    expect(second.stdout).toMatch(/up to date/);

    // What the server would serve with this folder given explicitly: everything from it.
    const inv = findBootloaders(undefined, undefined, { dir: out, resourcesPath: undefined, repoDir: null, systemPaths: false, env: {} });
    expect(inv.missing).toEqual([]);
    expect(inv.files.get('grubx64.efi')).toBe(join(out, 'grubx64.efi'));
  }, 200_000);

  const offlineSkip = process.getuid?.() !== 0 ? 'not root (unshare -n needs root)' : spawnSync('unshare', ['-n', 'true']).status !== 0 ? 'unshare -n does not work here' : null;
  const installed = BOOTLOADERS.every((b) => b.sources.some((s) => existsSync(s)));
  if (offlineSkip || !installed) console.log(`[skip] collect-bootloaders offline: ${offlineSkip ?? 'the packages are not installed'}`);

  it.skipIf(offlineSkip || !installed)('without network and an empty apt cache it copies from the installed packages and says so', async () => {
    const out = join(work.path, 'offline');
    const emptyCache = join(work.path, 'empty-cache');
    mkdirSync(emptyCache);
    const r = await run('unshare', ['-n', 'node', SCRIPT, '--out', out, '--apt-cache', emptyCache], { timeout: 120_000 });
    expect(r.stdout).toMatch(/apt-get download failed/);
    expect(r.stdout).toMatch(/copying from the installed package/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(new Set(Object.values(manifest).map((m) => m.from))).toEqual(new Set(['installed']));
  }, 150_000);

  it('an unknown argument is one clear line and exit status 1; --best-effort turns a failure into status 0', async () => {
    const bad = spawnSync('node', [SCRIPT, '--nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/unknown argument --nope/);
    // No apt tools on PATH: nothing can be collected.
    const env = { ...process.env, PATH: '/nonexistent' };
    const hard = spawnSync(process.execPath, [SCRIPT, '--out', join(work.path, 'none')], { encoding: 'utf8', env });
    expect(hard.status).toBe(1);
    expect(hard.stderr).toMatch(/apt-cache is not installed/);
    const soft = spawnSync(process.execPath, [SCRIPT, '--out', join(work.path, 'none'), '--best-effort'], { encoding: 'utf8', env });
    expect(soft.status).toBe(0);
    expect(soft.stderr).toMatch(/continuing without them/);
    expect(existsSync(join(work.path, 'none'))).toBe(false);
  });
});
