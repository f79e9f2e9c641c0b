/**
 * UI ring: the Setup screen's ISO panel and the Settings screen, in chromium against the real core in browser
 * mode. An ISO added by its path is read and described (distro, netboot); a bad path says why; settings refuse
 * invalid values at the field and persist valid ones.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../helpers/browser.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { REPO, runCli, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { openStore } from '../../electron/core/store/store.ts';
import { announceSkip } from '../helpers/root.ts';
import { missing } from '../helpers/tools.ts';

const SHOTS = join(REPO, 'test', 'ui', '__screenshots__');
const built = existsSync(join(REPO, 'renderer', 'dist', 'index.html'));
const skip = announceSkip('ui setup and settings', chromiumSkipReason() ?? (built ? null : 'renderer not built: run `npm run build:renderer`') ?? (missing('xorriso') ? 'xorriso missing' : null), { requiredInCi: true });

describe.skipIf(skip)('Setup ISOs and Settings in chromium', () => {
  const dir = tempDir('rackboot-ui-setup-');
  let server: Running;
  let browser: Browser;
  let page: Page;
  let iso: string;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    iso = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(1000, 1), bytes(2000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
    browser = await launchChromium();
    // A machine the technician planned earlier, so the Machines screen has one to give a fixed address.
    const planned = await runCli(['machines', 'assign', '52:54:00:70:00:01', '--iso', iso, '--data', join(dir.path, 'data')], { timeoutMs: 60_000 });
    if (planned.code !== 0) throw new Error(planned.stderr);
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    server = await startCli(['ui', '--data', join(dir.path, 'data')]);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.first.ui as string);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir.remove();
  });

  it('adds an ISO by its path and describes it; a path that is no ISO gets a reason', async () => {
    const notIso = join(dir.path, 'notes.iso');
    writeFileSync(notIso, 'this is not an ISO image\n'.repeat(200));
    await page.getByLabel('ISO path').fill(notIso);
    await page.getByTestId('iso-drop').getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/ISO cannot be read/i);
    await page.getByRole('button', { name: 'Dismiss' }).click();

    await page.getByLabel('ISO path').fill(iso);
    await page.getByTestId('iso-drop').getByRole('button', { name: 'Add', exact: true }).click();
    const row = page.getByTestId('iso-rocky-9.4-x86_64-dvd');
    await expect.poll(() => row.isVisible()).toBe(true);
    expect(await row.textContent()).toMatch(/Rocky Linux 9\.4.*boots over the network.*x86_64/);
    await page.screenshot({ path: join(SHOTS, 'setup-iso-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'setup-iso-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('Settings: an invalid value is refused at its field, a valid one is saved and survives a reload', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const countdown = page.getByLabel('Boot menu countdown (s)');
    await countdown.fill('0');
    await expect.poll(() => page.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    expect(await countdown.getAttribute('aria-invalid')).toBe('true');
    await countdown.fill('25');
    await page.getByLabel('Installer console').fill('ttyS1,115200n8');
    // "install" needs the explicit confirmation before it can be saved.
    await page.getByLabel('Machines nothing is planned for').selectOption('install');
    await expect.poll(() => page.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    await page.getByLabel('Machines nothing is planned for').selectOption('ignore');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    expect(await page.getByText(join(dir.path, 'data')).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'settings-light.png'), fullPage: true });

    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => page.getByLabel('Boot menu countdown (s)').inputValue()).toBe('25');
    expect(await page.getByLabel('Installer console').inputValue()).toBe('ttyS1,115200n8');
    expect(await page.getByLabel('Machines nothing is planned for').inputValue()).toBe('ignore');
    expect(errors).toEqual([]);
  });

  it('Machines: a fixed IP given with the install becomes the DHCP reservation', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Machines', exact: true }).click();
    await page.getByTestId('machine-52:54:00:70:00:01').getByRole('button', { name: '52:54:00:70:00:01' }).click();
    await page.getByLabel('Fixed IP').fill('198.18.0.300');
    await expect.poll(() => page.getByText('an IPv4 address like 198.18.0.50').isVisible()).toBe(true);
    await page.getByLabel('Fixed IP').fill('198.18.0.60');
    await page.getByRole('button', { name: 'Assign and arm…' }).click();
    await page.getByRole('button', { name: 'Arm the install' }).click();
    await server.stop();
    const store = openStore(join(dir.path, 'data'));
    try {
      await expect.poll(() => store.loadSettings().settings.reservations).toEqual([{ mac: '52:54:00:70:00:01', ip: '198.18.0.60', hostname: null }]);
    } finally {
      store.close();
    }
    expect(errors).toEqual([]);
  });
});
