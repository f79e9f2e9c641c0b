/**
 * UI ring: the real renderer, built by vite, served by `rackboot serve --ui` and driven in Debian's chromium.
 * Screenshots land in test/ui/__screenshots__/ for a person to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../helpers/browser.ts';
import { REPO, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip } from '../helpers/root.ts';
import { DEFAULT_SETTINGS } from '../../shared/api/contract.ts';
import { openStore } from '../../electron/core/store/store.ts';

const SHOTS = join(REPO, 'test', 'ui', '__screenshots__');
const built = existsSync(join(REPO, 'renderer', 'dist', 'index.html'));
const skip = announceSkip('ui browser mode', chromiumSkipReason() ?? (built ? null : 'renderer not built: run `npm run build:renderer` (test:full does)'), { requiredInCi: true });

describe.skipIf(skip)('browser mode in chromium', () => {
  const data = tempDir();
  let server: Running;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Unprivileged ports, so the ring runs as any user and beside other tests; the UI has no port fields yet.
    const store = openStore(data.path);
    const base = 20000 + Math.floor(Math.random() * 40000);
    store.saveSettings({ ...DEFAULT_SETTINGS, httpPort: base, tftpPort: base + 1 });
    store.close();
    server = await startCli(['ui', '--data', data.path]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it('lists the machine NICs from the API and shows stopped services', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(server.first.ui as string);
    await expect.poll(() => page.getByTestId('nic-lo').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('127.0.0.1/8').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('server-state').textContent()).toBe('stopped');
    expect(await page.getByRole('button', { name: 'Start boot server' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'browser-mode-initial.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('picks loopback, starts the server and shows the honest service states', async () => {
    await page.getByTestId('nic-lo').click();
    await page.getByRole('radio', { name: 'No DHCP' }).click();
    await expect.poll(() => page.getByTestId('nic-lo').getAttribute('aria-checked')).toBe('true');
    await page.getByRole('button', { name: 'Start boot server' }).click();
    await expect.poll(() => page.getByTestId('server-state').textContent()).toBe('running');
    expect(await page.getByTestId('service-tftp').textContent()).toMatch(/running.*listening on 127\.0\.0\.1:\d+/);
    expect(await page.getByTestId('service-http').textContent()).toContain('running');
    expect(await page.getByTestId('service-iso').textContent()).not.toContain('running');
    expect(await page.getByTestId('service-dhcp').textContent()).toContain('off');
    await expect.poll(() => page.getByText(/boot server started on lo/).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'browser-mode-running.png'), fullPage: true });
    await page.getByRole('button', { name: 'Stop boot server' }).click();
    await expect.poll(() => page.getByTestId('server-state').textContent()).toBe('stopped');
  });

  it('keeps the choices after a reload (settings persist in the store)', async () => {
    await page.reload();
    await expect.poll(() => page.getByTestId('nic-lo').getAttribute('aria-checked')).toBe('true');
    expect(await page.getByRole('radio', { name: 'No DHCP' }).getAttribute('aria-checked')).toBe('true');
  });

  it('answers a wrong token with the no-token page, not the app', async () => {
    const url = new URL(server.first.ui as string);
    const bad = await browser.newPage();
    const response = await bad.goto(`${url.origin}/?token=not-the-token`);
    expect(response?.status()).toBe(401);
    expect(await bad.textContent('body')).toContain('no valid token');
    await bad.close();
  });
});
