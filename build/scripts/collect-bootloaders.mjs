#!/usr/bin/env node
// Collects the bootloaders rackboot hands out from Debian's packages into build/bootloaders/ (git-ignored),
// under the fixed names clients ask for, with each package's copyright file and a manifest.json
// (name -> package, version, sha256, where it came from). electron-builder bundles the folder.
//
//   node build/scripts/collect-bootloaders.mjs [--out DIR] [--force] [--best-effort] [--apt-cache DIR]
//
// --best-effort: a failure is printed and the exit status is 0 (npm run build and the test setup on machines
// without apt; the server then reports what is missing). --apt-cache: where apt keeps .debs (tests).
// Per package: the .deb from apt's cache (/var/cache/apt/archives) if it is there with the right hash, else
// `apt-get download`; unpacked with `dpkg-deb -x` (no root needed). Without network, a package that is
// installed is copied from the system paths instead (and the script says so). Idempotent: when the manifest
// already names the versions apt would give and every file still has its hash, nothing is done.
// No dependencies beyond node and Debian's apt/dpkg tools.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** package -> { served name: path inside the package }. */
export const PACKAGES = {
  ipxe: { 'undionly.kpxe': 'usr/lib/ipxe/undionly.kpxe', 'ipxe.efi': 'usr/lib/ipxe/ipxe.efi', 'snponly.efi': 'usr/lib/ipxe/snponly.efi' },
  pxelinux: { 'pxelinux.0': 'usr/lib/PXELINUX/pxelinux.0', 'lpxelinux.0': 'usr/lib/PXELINUX/lpxelinux.0' },
  // ldlinux.c32 is all a plain PROMPT/TIMEOUT/LABEL config needs (its command line is built in);
  // menu.c32 needs libutil.c32 and libcom32.c32 (syslinux `com32/menu/Makefile`).
  'syslinux-common': {
    'ldlinux.c32': 'usr/lib/syslinux/modules/bios/ldlinux.c32',
    'menu.c32': 'usr/lib/syslinux/modules/bios/menu.c32',
    'libutil.c32': 'usr/lib/syslinux/modules/bios/libutil.c32',
    'libcom32.c32': 'usr/lib/syslinux/modules/bios/libcom32.c32',
  },
  // shim-signed holds the Microsoft-signed shim; shim-signed-common only has maintainer scripts; MokManager
  // (mmx64) is signed by Debian and lives in shim-helpers-amd64-signed.
  'shim-signed': { 'shimx64.efi': 'usr/lib/shim/shimx64.efi.signed' },
  'shim-helpers-amd64-signed': { 'mmx64.efi': 'usr/lib/shim/mmx64.efi.signed' },
  // The network GRUB image: prefix /grub, tftp/efinet built in (boot-chains.md §3.2).
  'grub-efi-amd64-signed': { 'grubx64.efi': 'usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed' },
};

const say = (msg) => process.stdout.write(`collect-bootloaders: ${msg}\n`);

class CollectError extends Error {}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error && r.error.code === 'ENOENT') return { ok: false, missing: true, out: '', err: `${cmd} is not installed` };
  return { ok: r.status === 0, missing: false, out: r.stdout ?? '', err: (r.stderr ?? '').trim() };
}

const firstLine = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';
const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * Version, .deb name and hash apt would install for each package, from one `apt-cache show` (it is slow to
 * start); a package apt does not know is absent from the result.
 */
function candidates(pkgs) {
  const found = {};
  const r = run('apt-cache', ['show', '--no-all-versions', ...pkgs]);
  // apt-cache show fails as a whole on an unknown name: then ask one package at a time.
  const outputs = r.ok ? [r.out] : pkgs.map((p) => run('apt-cache', ['show', '--no-all-versions', p])).filter((x) => x.ok).map((x) => x.out);
  for (const out of outputs) {
    for (const para of out.split(/\n\s*\n/)) {
      const field = (name) => para.match(new RegExp(`^${name}: (.+)$`, 'm'))?.[1]?.trim();
      const pkg = field('Package');
      const version = field('Version');
      if (pkg && version && pkgs.includes(pkg) && !found[pkg]) found[pkg] = { version, arch: field('Architecture'), filename: field('Filename'), sha256: field('SHA256') };
    }
  }
  return found;
}

function installedVersion(pkg) {
  const r = run('dpkg-query', ['-W', '-f=${Status}\t${Version}', pkg]);
  if (!r.ok) return null;
  const [status, version] = r.out.split('\t');
  return /install ok installed/.test(status ?? '') ? version : null;
}

/** The .deb for `pkg` at `cand`: apt's cache first, then apt-get download. Returns the path or throws with why. */
/** Set after the first failed download, so an offline run does not wait for every package's DNS timeout. */
let downloadFailed = null;

function fetchDeb(pkg, cand, work, aptCache) {
  // apt names cached files <pkg>_<version, ':' as %3a>_<arch>.deb; the pool name has no epoch.
  const names = [`${pkg}_${cand.version.replace(/:/g, '%3a')}_${cand.arch}.deb`, cand.filename ? basename(cand.filename) : null];
  for (const name of names) {
    const cached = name && join(aptCache, name);
    if (cached && existsSync(cached) && (!cand.sha256 || sha256(cached) === cand.sha256)) {
      say(`${pkg} ${cand.version}: from apt's cache ${cached}`);
      return cached;
    }
  }
  if (downloadFailed) throw new CollectError("not in apt's cache, and apt-get download failed above");
  const dir = join(work, `deb-${pkg}`);
  mkdirSync(dir);
  // apt drops to the _apt user to download: let it write here.
  chmodSync(dir, 0o777);
  say(`${pkg} ${cand.version}: apt-get download`);
  const r = run('apt-get', ['download', '-q', '-o', 'Acquire::Retries=0', '-o', 'Acquire::http::Timeout=15', `${pkg}=${cand.version}`], { cwd: dir });
  if (!r.ok) {
    downloadFailed = r.missing ? 'apt-get is not installed' : firstLine(r.err).replace(/^E: /, '') || 'no reason given';
    throw new CollectError(`apt-get download failed: ${downloadFailed}`);
  }
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new CollectError('apt-get download left no .deb');
  if (cand.sha256 && sha256(join(dir, deb)) !== cand.sha256) throw new CollectError(`downloaded ${deb} does not match apt's SHA256`);
  return join(dir, deb);
}

/** A path inside an unpacked tree, following symlinks that stay inside it (doc dirs are often symlinks). */
function inside(root, rel, depth = 0) {
  const parts = rel.split('/');
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    cur = join(cur, parts[i]);
    let st;
    try {
      st = lstatSync(cur);
    } catch {
      return null;
    }
    if (st.isSymbolicLink()) {
      if (depth > 8) return null;
      const target = readlinkSync(cur);
      const relTarget = target.startsWith('/') ? target.slice(1) : join(dirname(cur.slice(root.length + 1)), target);
      return inside(root, [relTarget, ...parts.slice(i + 1)].join('/'), depth + 1);
    }
  }
  return cur;
}

function parseArgs(argv) {
  const here = dirname(fileURLToPath(import.meta.url));
  const opts = { out: resolve(here, '..', 'bootloaders'), force: false, bestEffort: false, aptCache: '/var/cache/apt/archives' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out' && argv[i + 1]) opts.out = resolve(argv[++i]);
    else if (a === '--force') opts.force = true;
    else if (a === '--best-effort') opts.bestEffort = true;
    else if (a === '--apt-cache' && argv[i + 1]) opts.aptCache = resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: collect-bootloaders.mjs [--out DIR] [--force] [--best-effort] [--apt-cache DIR]\n');
      process.exit(0);
    } else throw new CollectError(`unknown argument ${a} (usage: collect-bootloaders.mjs [--out DIR] [--force] [--best-effort] [--apt-cache DIR])`);
  }
  return opts;
}

function upToDate(out, wanted) {
  const manifestPath = join(out, 'manifest.json');
  if (!existsSync(manifestPath)) return false;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return false;
  }
  for (const [pkg, files] of Object.entries(PACKAGES)) {
    for (const name of Object.keys(files)) {
      const m = manifest[name];
      if (!m || m.package !== pkg || (wanted[pkg] && m.version !== wanted[pkg])) return false;
      const p = join(out, name);
      if (!existsSync(p) || sha256(p) !== m.sha256) return false;
    }
    if (!existsSync(join(out, 'licenses', pkg))) return false;
  }
  return true;
}

export function collect(opts) {
  const started = Date.now();
  const found = candidates(Object.keys(PACKAGES));
  const wanted = {};
  for (const pkg of Object.keys(PACKAGES)) wanted[pkg] = found[pkg]?.version ?? installedVersion(pkg);
  if (!opts.force && upToDate(opts.out, wanted)) {
    say(`${opts.out} is up to date (${Object.values(PACKAGES).reduce((n, f) => n + Object.keys(f).length, 0)} files)`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'rackboot-bootloaders-'));
  chmodSync(work, 0o755);
  // Build beside the output and swap in at the end, so a failed run leaves the old folder untouched.
  const staging = `${opts.out}.tmp-${process.pid}`;
  const manifest = {};
  try {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'licenses'), { recursive: true });
    for (const [pkg, files] of Object.entries(PACKAGES)) {
      const cand = found[pkg];
      let root;
      let version;
      let from;
      try {
        if (!cand) throw new CollectError(run('apt-cache', ['--version']).missing ? 'apt-cache is not installed' : 'apt does not know the package (run apt-get update)');
        const deb = fetchDeb(pkg, cand, work, opts.aptCache);
        root = join(work, `x-${pkg}`);
        const x = run('dpkg-deb', ['-x', deb, root]);
        if (!x.ok) throw new CollectError(x.missing ? 'dpkg-deb is not installed' : `dpkg-deb -x ${basename(deb)} failed: ${firstLine(x.err)}`);
        version = cand.version;
        from = deb.startsWith(work) ? 'download' : 'apt-cache';
      } catch (e) {
        if (!(e instanceof CollectError)) throw e;
        const installed = installedVersion(pkg);
        const absent = Object.values(files).map((rel) => `/${rel}`).filter((p) => !existsSync(p));
        if (!installed || absent.length) {
          const fix = run('dpkg-query', ['--version']).missing
            ? 'collect them on Debian/Ubuntu, or point RACKBOOT_BOOTLOADERS at a folder that has them'
            : `connect to a Debian mirror or run: apt-get install ${pkg}`;
          throw new CollectError(`${pkg}: ${e.message}; not installed here either${installed ? ` (missing ${absent.join(', ')})` : ''}: ${fix}`);
        }
        say(`${pkg}: ${e.message}; copying from the installed package ${installed} instead`);
        root = '/';
        version = installed;
        from = 'installed';
      }
      for (const [name, rel] of Object.entries(files)) {
        const src = root === '/' ? `/${rel}` : inside(root, rel);
        if (!src || !existsSync(src)) throw new CollectError(`${pkg} ${version} has no ${rel} (needed for ${name})`);
        copyFileSync(src, join(staging, name));
        manifest[name] = { package: pkg, version, sha256: sha256(join(staging, name)), from };
      }
      const copyright = root === '/' ? `/usr/share/doc/${pkg}/copyright` : inside(root, `usr/share/doc/${pkg}/copyright`);
      if (!copyright || !existsSync(copyright)) throw new CollectError(`${pkg} ${version} has no usr/share/doc/${pkg}/copyright`);
      copyFileSync(copyright, join(staging, 'licenses', pkg));
    }
    const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(sorted, null, 2)}\n`);
    mkdirSync(dirname(opts.out), { recursive: true });
    rmSync(opts.out, { recursive: true, force: true });
    renameSync(staging, opts.out);
    say(`${Object.keys(manifest).length} files from ${Object.keys(PACKAGES).length} packages in ${opts.out} (${Date.now() - started} ms)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
    collect(opts);
  } catch (e) {
    if (e instanceof CollectError) {
      process.stderr.write(`collect-bootloaders: ${e.message}\n`);
      if (opts?.bestEffort) process.stderr.write('collect-bootloaders: continuing without them (--best-effort); rackboot reports the missing bootloaders when it starts\n');
      process.exit(opts?.bestEffort ? 0 : 1);
    }
    throw e;
  }
}
