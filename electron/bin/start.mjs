#!/usr/bin/env node
// `npm start`: builds the UI, then opens the Electron window where an Electron binary is installed, and
// otherwise serves the same UI in browser mode on 127.0.0.1 and says why.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args) => {
  const r = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run(['run', '--silent', 'build:renderer']);

/** The Electron binary's path, or the reason there is none. */
function findElectron() {
  try {
    const path = createRequire(import.meta.url)('electron');
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { reason: `the electron package points at ${path}, which does not exist` };
  } catch (e) {
    return { reason: String(e.message).split('\n')[0] };
  }
}

const electron = findElectron();
const forward = (child) => {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
};

if (electron.path) {
  run(['run', '--silent', 'build:electron']);
  forward(spawn(electron.path, [root], { cwd: root, stdio: 'inherit' }));
} else {
  process.stderr.write(
    [
      '',
      'rackboot: the Electron window is not available on this machine',
      `  (${electron.reason}).`,
      '  npm installs the electron package without its binary where the download is impossible.',
      'rackboot: serving the same UI in browser mode instead; open the URL below in a browser on this machine.',
      '',
    ].join('\n'),
  );
  forward(spawn(process.execPath, [join(root, 'electron', 'bin', 'rackboot.mjs'), 'ui', '--open', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' }));
}
