/** The `_electron` ring: runs where an Electron binary exists, and says why it skipped where it does not. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/rackboot.ts';
import { announceSkip } from '../helpers/root.ts';

function electronSkipReason(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as string;
    if (!existsSync(path)) return `the electron package points at ${path}, which does not exist`;
  } catch (e) {
    return `no Electron binary on this machine (${String((e as Error).message).split('\n')[0]}); npm could not download it here`;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no DISPLAY for an Electron window (run under xvfb-run)';
  return null;
}

const skip = announceSkip('ui electron', electronSkipReason());

describe.skipIf(skip)('Electron window', () => {
  it('opens the hardened window on the renderer and lists the NICs', async () => {
    expect(spawnSync('npm', ['run', '--silent', 'build:electron'], { cwd: REPO }).status).toBe(0);
    const data = tempDir();
    const app = await _electron.launch({ args: [REPO, '--no-sandbox'], cwd: REPO, env: { ...process.env, RACKBOOT_DATA: data.path } });
    try {
      const win = await app.firstWindow();
      await expect.poll(() => win.getByTestId('nic-lo').isVisible()).toBe(true);
      // The renderer sees the preload's object and no Node.
      expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await win.evaluate(() => Object.keys((window as unknown as { rackboot: object }).rackboot).sort())).toContain('startServer');
      // Sandboxed, isolated, no Node: the page sees neither require nor process.
      expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    } finally {
      await app.close();
      data.remove();
    }
  });
});
