/**
 * UI ring: the Answer files screen against the real core in browser mode (`rackboot ui` on a temp data dir,
 * no root). A small Rocky-like ISO is added through the API first; then, in chromium, a technician imports a
 * kickstart by pasting it, fixes a field the form flags, sets a root password, saves (version 1), changes the
 * time zone and saves with a note (version 2), sees the rendered ks.cfg for the ISO, and reverts to version 1.
 * The core is then asked (getProfile) whether any plain password was stored. Screenshots of the editor and the
 * preview, light and dark at 1280x800, land in test/ui/__screenshots__/ for a person to look at.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MethodName, MethodOutput } from '../../shared/api/contract.ts';
import { DEFAULT_SETTINGS } from '../../shared/api/contract.ts';
import type { Result } from '../../shared/api/result.ts';
import { openStore } from '../../electron/core/store/store.ts';
import { chromiumSkipReason, launchChromium } from '../helpers/browser.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { REPO, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip } from '../helpers/root.ts';
import { has } from '../helpers/tools.ts';

const SHOTS = join(REPO, 'test', 'ui', '__screenshots__');
const built = existsSync(join(REPO, 'renderer', 'dist', 'index.html'));
const skip = announceSkip(
  'ui answer files',
  chromiumSkipReason() ?? (built ? null : 'renderer not built: run `npm run build:renderer` (test:full does)') ?? (has('xorriso') ? null : 'xorriso is missing (the fixture ISO): run build/scripts/install-test-tools.sh'),
  { requiredInCi: true },
);

/** The kickstart a technician has today (the corpus's Rocky 8 web tier), pasted into Import. */
const KICKSTART = readFileSync(join(REPO, 'shared', 'answers', 'kickstart', 'corpus', 'rocky8-custom-lvm.ks'), 'utf8');
const ROOT_PASSWORD = 'Rack-boot-S3cret';

/** The same API the page uses, over its WebSocket, for setting up and for checking what the core stored. */
async function connectApi(uiUrl: string) {
  const url = new URL(uiUrl);
  const ws = new WebSocket(`ws://${url.host}/api?token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`);
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  let next = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw)) as { type: string; id?: number; result?: Result<unknown> };
    if (msg.type === 'result' && typeof msg.id === 'number') pending.get(msg.id)?.(msg.result!);
  });
  return {
    async call<M extends MethodName>(method: M, input: unknown): Promise<MethodOutput<M>> {
      const id = next++;
      const r = await new Promise<Result<unknown>>((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'call', id, method, input }));
      });
      if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
      return r.value as MethodOutput<M>;
    },
    close: () => ws.close(),
  };
}

describe.skipIf(skip)('Answer files screen in chromium', () => {
  const data = tempDir('rackboot-ui-answers-');
  let server: Running;
  let api: Awaited<ReturnType<typeof connectApi>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const field = (label: string) => page.getByLabel(label, { exact: true });
  const section = (name: string) => page.getByRole('tablist', { name: 'Profile sections' }).getByRole('tab', { name: new RegExp(`^${name}`) });
  const version = () => page.getByTestId('af-version').textContent();
  const fileText = () => page.getByTestId('af-file').textContent();

  /** Save… then the note dialog's Save; resolves once the editor shows `Version n`. */
  async function save(note: string | null, n: number) {
    await page.getByRole('button', { name: 'Save…' }).click();
    const dialog = page.getByTestId('af-save');
    if (note) await dialog.getByLabel('Version note (optional)').fill(note);
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(version).toMatch(new RegExp(`^Version ${n}\\b`));
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Unprivileged ports, so the ring runs as any user and beside other tests.
    const store = openStore(data.path);
    const base = 20000 + Math.floor(Math.random() * 40000);
    store.saveSettings({ ...DEFAULT_SETTINGS, httpPort: base, tftpPort: base + 1 });
    store.close();
    const iso = makeIso(join(data.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(4000, 1), bytes(8000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: data.path });
    server = await startCli(['ui', '--data', data.path]);
    api = await connectApi(server.first.ui as string);
    const added = await api.call('addIso', { path: iso });
    expect(added.family).toBe('rhel');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  });
  afterAll(async () => {
    api?.close();
    await browser?.close();
    await server?.stop();
    data.remove();
  });

  it('starts empty and says what to do', async () => {
    await page.goto(server.first.ui as string);
    await page.getByRole('button', { name: 'Answer files' }).click();
    await expect.poll(() => page.getByTestId('af-empty').textContent()).toContain('Create a profile, or import the kickstart you use today');
    await shot('answers-empty-light');
  });

  it('imports a pasted kickstart, shows what the import found, and opens it unsaved', async () => {
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByTestId('af-import');
    await dialog.getByLabel('Or paste it here').fill(KICKSTART);
    expect(await dialog.getByLabel('Written for').locator('option:checked').textContent()).toContain('Guess: Kickstart');
    await dialog.getByLabel('Profile name').fill('Web tier');
    await dialog.getByRole('button', { name: 'Read it' }).click();
    const review = page.getByTestId('af-import-review');
    await expect.poll(() => review.textContent()).toContain('url');
    expect(await review.textContent()).toContain('static address not kept');
    await shot('answers-import-review-light');
    await review.getByRole('button', { name: 'Open in the editor' }).click();
    expect(await version()).toContain('Not saved yet');
    expect(await page.getByTestId('af-import-issues').textContent()).toContain('From the import');
    expect(await field('Name').inputValue()).toBe('Web tier');
  });

  it('flags an invalid host name at its field and will not save until it is fixed', async () => {
    await section('Network').click();
    await field('Host name').fill('web_01');
    const hostField = page.locator('.af-field', { has: field('Host name') });
    await expect.poll(() => hostField.locator('.af-issues').textContent()).toMatch(/host name/);
    expect(await field('Host name').getAttribute('aria-invalid')).toBe('true');
    expect(await section('Network').textContent()).toMatch(/1$/);
    await page.getByRole('button', { name: 'Save…' }).click();
    expect(await page.locator('.af-notice').textContent()).toMatch(/Not saved: one field needs fixing/);
    expect(await page.getByTestId('af-save').count()).toBe(0);
    await shot('answers-editor-error-light');
    await field('Host name').fill('web01');
    await expect.poll(() => hostField.locator('.af-issues').count()).toBe(0);
    expect(await page.locator('.af-notice').count()).toBe(0);
  });

  it('sets a root password, saves version 1 and shows it in the history', async () => {
    await section('Accounts').click();
    await page.getByRole('radiogroup', { name: 'Root password' }).getByLabel('Password').check();
    await field('Root password: new password').fill(ROOT_PASSWORD);
    await shot('answers-editor-accounts-light');
    await save(null, 1);
    // The password came back as a hash: shown only as set, never as text.
    await expect.poll(() => page.getByText('Password set').count()).toBeGreaterThan(0);
    expect(await page.locator('input[type=password]').count()).toBe(0);
    await page.getByRole('tab', { name: /^History/ }).click();
    await expect.poll(() => page.getByTestId('af-version-1').textContent()).toContain('current');
  });

  it('saves a new time zone with a note, previews ks.cfg for the ISO with it and the crypted root password', async () => {
    await section('Locale').click();
    await field('Time zone').fill('Europe/Berlin');
    await expect.poll(() => page.getByTestId('af-dirty').count()).toBe(1);
    await save('Berlin office', 2);
    await expect.poll(() => page.getByTestId('af-version-2').textContent()).toContain('Berlin office');
    await page.getByRole('tab', { name: 'Preview' }).click();
    await expect.poll(fileText, { timeout: 10_000 }).toMatch(/^timezone Europe\/Berlin/m);
    const ks = (await fileText()) ?? '';
    expect(ks).toMatch(/^rootpw --iscrypted \$6\$/m);
    expect(ks).not.toContain(ROOT_PASSWORD);
    expect(await page.getByRole('tab', { name: 'ks.cfg' }).getAttribute('aria-selected')).toBe('true');
    await shot('answers-preview-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('answers-preview-dark');
    await section('Network').click();
    await shot('answers-editor-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await shot('answers-editor-light');
  });

  it('updates the preview after typing stops, keeping its size meanwhile', async () => {
    await section('Locale').click();
    const box = await page.getByTestId('af-file').boundingBox();
    await field('Time zone').fill('Asia/Tokyo');
    await expect.poll(fileText, { timeout: 10_000 }).toMatch(/^timezone Asia\/Tokyo/m);
    expect(await page.getByTestId('af-file').boundingBox()).toEqual(box);
    // Back to what is saved: nothing left unsaved.
    await field('Time zone').fill('Europe/Berlin');
    await expect.poll(() => page.getByTestId('af-dirty').count()).toBe(0);
  });

  it('shows an old version read-only and reverts to version 1 as version 3', async () => {
    await page.getByRole('tab', { name: /^History/ }).click();
    await page.getByRole('button', { name: 'View version 1' }).click();
    await expect.poll(() => page.getByTestId('af-viewing').textContent()).toContain('Version 1');
    expect(await field('Time zone').inputValue()).toBe('America/New_York');
    expect(await field('Time zone').getAttribute('readonly')).not.toBeNull();
    await shot('answers-history-light');
    await page.getByTestId('af-viewing').getByRole('button', { name: 'Revert to version 1' }).click();
    await page.getByTestId('af-confirm').getByRole('button', { name: 'Revert to version 1' }).click();
    await expect.poll(version).toMatch(/^Version 3\b/);
    expect(await field('Time zone').inputValue()).toBe('America/New_York');
    await expect.poll(() => page.getByTestId('af-version-3').textContent()).toContain('current');
  });

  it('shows the disk table and the per-installer panels, and is reachable by keyboard', async () => {
    await section('Disk').click();
    expect(await page.getByRole('table', { name: 'Partitions' }).locator('tbody tr').count()).toBe(4);
    expect(await page.getByLabel('Partition 1 mount point').inputValue()).toBe('/boot');
    await shot('answers-disk-light');
    await section('Kickstart').click();
    expect(await field('Environment').inputValue()).toBe('server-product-environment');
    expect(await field('Commands').inputValue()).toContain('logging --level=info');
    await shot('answers-kickstart-light');
    await section('Ubuntu autoinstall').click();
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('answers-autoinstall-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await section('Debian preseed').click();
    await shot('answers-preseed-light');
    // Keyboard: the sections are one tab stop, arrows move between them, Tab goes on into the form; focus is visible.
    await section('Basics').click();
    await page.keyboard.press('ArrowDown');
    expect(await section('Locale').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('af-sec-locale');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('af-locale-language');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await expect.poll(() => page.getByTestId('af-dirty').count()).toBe(0);
  });

  let exported = '';
  it('exports the profile as a file, and that file imports as a new saved profile', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe('web-tier.rackboot-profile.json');
    exported = readFileSync((await download.path())!, 'utf8');
    expect(exported).not.toContain(ROOT_PASSWORD);
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByTestId('af-import');
    await dialog.getByLabel('Or paste it here').fill(exported);
    expect(await dialog.getByLabel('Written for').locator('option:checked').textContent()).toContain('rackboot profile export');
    await dialog.getByLabel('Profile name').fill('Web tier copy');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('answers-import-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await dialog.getByRole('button', { name: 'Import and save' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Web tier copy' }).count()).toBe(1);
    expect(await version()).toMatch(/^Version 1\b/);
    expect(await field('Time zone').inputValue()).toBe('America/New_York');
  });

  it('stored only hashes: no plain password in any version the core holds', async () => {
    const list = await api.call('listProfiles', undefined);
    expect(list.map((p) => [p.id, p.currentVersion, p.problem]).sort()).toEqual([
      ['web-tier', 3, null],
      ['web-tier-copy', 1, null],
    ]);
    const current = await api.call('getProfile', { id: 'web-tier' });
    const accounts = current.body?.accounts as { root: unknown; user: { password: unknown } | null };
    expect(accounts.root).toEqual({ hash: expect.stringMatching(/^\$6\$/) });
    expect(Object.keys(accounts.root as object)).toEqual(['hash']);
    for (const v of [1, 2, 3]) {
      const text = JSON.stringify(await api.call('getProfile', { id: 'web-tier', version: v }));
      expect(text).not.toContain(ROOT_PASSWORD);
      expect(text).not.toContain('"plain"');
    }
    expect(((await api.call('getProfile', { id: 'web-tier', version: 2 })).body?.locale as { timezone: string }).timezone).toBe('Europe/Berlin');
    expect(errors).toEqual([]);
  });

  it('will not delete a profile a machine uses, says so in words, and deletes it once it is free', async () => {
    const mac = '52:54:00:12:34:56';
    const isoId = (await api.call('listIsos', undefined))[0]!.id;
    await api.call('assignMachine', { mac, isoId, profile: 'web-tier' });
    await page.getByTestId('af-profile-web-tier').click();
    await expect.poll(() => page.getByRole('heading', { name: 'Web tier', exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByTestId('af-delete');
    await dialog.getByRole('button', { name: 'Delete profile' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Machines still use this answer profile');
    await shot('answers-delete-in-use-light');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    expect((await api.call('listProfiles', undefined)).map((p) => p.id).sort()).toEqual(['web-tier', 'web-tier-copy']);
    await api.call('removeMachine', { mac });
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByTestId('af-delete').getByRole('button', { name: 'Delete profile' }).click();
    await expect.poll(() => page.getByTestId('af-empty').count()).toBe(1);
    expect(await page.getByTestId('af-profiles').textContent()).toContain('Web tier copy');
    expect((await api.call('listProfiles', undefined)).map((p) => p.id)).toEqual(['web-tier-copy']);
    expect(errors).toEqual([]);
  });
});
