// Builds the rackboot_net addon (electron/core/net/native: SO_BINDTODEVICE for dgram) with npm's own node-gyp.
// Prints one line and always exits 0 unless RACKBOOT_NATIVE_REQUIRED=1: without the addon rackboot still runs
// and says that it listens on every NIC, so a missing compiler must never break `npm ci`.
// node-gyp runs with --directory: started in the repo root its output and clean steps would clobber build/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'electron', 'core', 'net', 'native');
const OUT = join(DIR, 'build', 'Release', 'rackboot_net.node');
const LOG = join(DIR, 'build', 'build-native.log');
const required = process.env.RACKBOOT_NATIVE_REQUIRED === '1';

function done(ok, line) {
  const level = ok ? 'native' : required ? 'native: error' : 'native: warning';
  (ok ? process.stdout : process.stderr).write(`${level}: ${line}\n`);
  process.exit(ok || !required ? 0 : 1);
}

if (process.platform !== 'linux') {
  done(true, `skipped: per-NIC binding (SO_BINDTODEVICE) is Linux only; on ${process.platform} rackboot listens on every NIC`);
}

// npm sets npm_config_node_gyp for scripts it runs; otherwise find the node-gyp bundled with npm, beside the
// running npm (npm_execpath) or in the usual global layout next to this node; last, one in node_modules.
const prefix = dirname(dirname(process.execPath));
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && join(dirname(dirname(process.env.npm_execpath)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => typeof p === 'string' && p.length > 0);
const nodeGyp = candidates.find((p) => existsSync(p));
if (!nodeGyp) done(false, 'not built: node-gyp not found (it ships with npm); rackboot will listen on every NIC');

// Offline: use the headers installed with this node (official tarballs and distro packages put them in
// <prefix>/include/node) unless npm config already names a nodedir; only then may node-gyp download them.
const args = [nodeGyp, 'rebuild', '--directory', DIR, '--jobs', 'max'];
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}

const started = process.hrtime.bigint();
const run = spawnSync(process.execPath, args, { cwd: DIR, encoding: 'utf8', timeout: 180_000 });
const seconds = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(1);
const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
if (run.error || run.status !== 0 || !existsSync(OUT)) {
  // The whole node-gyp log goes to a file (it names the cause: no compiler, make, Python or headers offline);
  // the terminal gets the one line.
  mkdirSync(dirname(LOG), { recursive: true });
  writeFileSync(LOG, `${process.execPath} ${args.join(' ')}\n${run.error ? `${run.error.message}\n` : ''}${output}`);
  const why = run.error ? run.error.message : `node-gyp exited with ${run.status ?? run.signal}`;
  done(false, `not built (${why}; log: ${relative(ROOT, LOG)}). Needs a C compiler, make and python3. rackboot will listen on every NIC`);
}
done(true, `built ${relative(ROOT, OUT)} in ${seconds} s`);
