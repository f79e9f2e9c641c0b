/** Small helpers the tests against real tools share: run a program, check it is installed, hash bytes. */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** True (and says why) when any of the tools is absent, for `it.skipIf(missing('curl'))`. */
export function missing(...cmds: string[]): boolean {
  const absent = cmds.filter((c) => !has(c));
  if (absent.length) console.log(`[skip] ${absent.join(', ')} missing: run build/scripts/install-test-tools.sh`);
  return absent.length > 0;
}
