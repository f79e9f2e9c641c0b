/**
 * UI ring, Log screen: the real renderer (built by vite) in Debian's chromium, served by `rackboot ui`, against
 * the real core on loopback. Real clients make the traffic: tftp-hpa / atftp read files over TFTP and curl fetches
 * over HTTP; a node script then pushes a burst of 20,000 HTTP 404s. Screenshots land in test/ui/__screenshots__/.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSkipReason, launchChromium } from '../helpers/browser.ts';
import { REPO, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { announceSkip } from '../helpers/root.ts';
import { has, run } from '../helpers/tools.ts';
import { DEFAULT_SETTINGS } from '../../shared/api/contract.ts';
import { openStore } from '../../electron/core/store/store.ts';

const SHOTS = join(REPO, 'test', 'ui', '__screenshots__');
const built = existsSync(join(REPO, 'renderer', 'dist', 'index.html'));
const tftpClient = has('tftp') ? 'tftp' : has('atftp') ? 'atftp' : null;
const skip = announceSkip(
  'ui log screen',
  chromiumSkipReason() ??
    (built ? null : 'renderer not built: run `npm run build:renderer` (test:full does)') ??
    (tftpClient ? null : 'no TFTP client (tftp-hpa or atftp): run build/scripts/install-test-tools.sh') ??
    (has('curl') ? null : 'curl is missing: run build/scripts/install-test-tools.sh'),
  { requiredInCi: true },
);

/** `count` GETs of 404 paths over `parallel` keep-alive connections, from a child process (not this event loop). */
function httpBurst(port: number, count: number, parallel = 8): Promise<number> {
  const script = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: ${parallel} });
    let next = 0, done = 0, failed = 0;
    const one = () => {
      if (next >= ${count}) return;
      const i = next++;
      http.get({ host: '127.0.0.1', port: ${port}, path: '/burst/missing-' + i, agent }, (res) => {
        res.resume();
        res.on('end', () => { done++; if (res.statusCode !== 404) failed++; if (done === ${count}) { console.log(failed); process.exit(0); } else one(); });
      }).on('error', () => { failed++; done++; one(); });
    };
    for (let k = 0; k < ${parallel}; k++) one();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`burst exited ${code}`))));
  });
}

/** expect.poll with room for a loaded CI machine (QEMU rings run beside this one). */
const poll = <T,>(fn: () => T | Promise<T>, opts: { timeout?: number } = {}) => expect.poll(fn, { timeout: 10_000, ...opts });

describe.skipIf(skip)('Log screen in chromium', () => {
  const data = tempDir();
  const files = tempDir('rackboot-log-files-');
  let server: Running;
  let browser: Browser;
  let page: Page;
  let httpPort: number;
  let tftpPort: number;
  const errors: string[] = [];

  const rows = () => page.getByTestId('log-row');
  const rowsWith = (text: string | RegExp) => rows().filter({ hasText: text });
  const chip = (name: string) => page.getByRole('group', { name: 'Services' }).getByRole('button', { name, exact: true });
  const search = () => page.getByRole('searchbox', { name: 'Search' });
  const openTab = (name: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name, exact: true }).click();
  const tftpGet = async (file: string) => {
    const out = join(files.path, `got-${Date.now()}-${file}`);
    // tftp-hpa ends 0 even when the server answers "not found"; the log row is what is checked.
    if (tftpClient === 'tftp') await run('tftp', ['-m', 'binary', '127.0.0.1', String(tftpPort), '-c', 'get', file, out], { timeout: 10_000 });
    else await run('atftp', ['--option', 'blksize 1428', '--get', '-r', file, '-l', out, '127.0.0.1', String(tftpPort)], { timeout: 10_000 }).catch(() => undefined);
  };
  const tftpPut = async (file: string) => {
    const local = join(files.path, 'hello.txt');
    // rackboot is read-only: the write request is refused (a warning row); the client's exit status does not matter.
    if (tftpClient === 'tftp') await run('tftp', ['-m', 'binary', '127.0.0.1', String(tftpPort), '-c', 'put', local, file], { timeout: 10_000 }).catch(() => undefined);
    else await run('atftp', ['--put', '-l', local, '-r', file, '127.0.0.1', String(tftpPort)], { timeout: 10_000 }).catch(() => undefined);
  };
  const curl = async (path: string) => (await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${httpPort}${path}`], { timeout: 10_000 })).stdout;
  const gridScroll = () =>
    page.getByTestId('log-grid').evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(files.path, 'hello.txt'), 'hello from the log test\n'.repeat(200));
    // Unprivileged ports (the ring runs as any user, beside other tests); the technician's folder holds hello.txt.
    const store = openStore(data.path);
    const base = 20000 + Math.floor(Math.random() * 40000);
    httpPort = base;
    tftpPort = base + 1;
    store.saveSettings({ ...DEFAULT_SETTINGS, httpPort, tftpPort, tftpRoot: files.path });
    store.close();
    server = await startCli(['ui', '--data', data.path]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  });
  afterAll(async () => {
    await browser?.close();
    // A core that does not stop on SIGTERM within 10 s is killed, so no run leaves a server behind.
    const stopped = server?.stop();
    if (stopped && (await Promise.race([stopped.then(() => true), new Promise((r) => setTimeout(r, 10_000, false))])) === false) await server.stop('SIGKILL');
    data.remove();
    files.remove();
  });

  it('says what will appear before anything has happened', async () => {
    await page.goto(server.first.ui as string);
    await poll(() => page.getByTestId('server-state').textContent()).toBe('stopped');
    await openTab('Log');
    await poll(() => page.getByTestId('log-empty').textContent()).toContain('Requests from machines appear here as they boot');
    expect(await rows().count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'log-empty.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'log-empty-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows TFTP RRQs and HTTP requests from real clients live', async () => {
    await openTab('Setup');
    await page.getByTestId('nic-lo').click();
    await page.getByRole('radio', { name: 'No DHCP' }).click();
    await poll(() => page.getByTestId('nic-lo').getAttribute('aria-checked')).toBe('true');
    await page.getByRole('button', { name: 'Start boot server' }).click();
    await poll(() => page.getByTestId('server-state').textContent(), { timeout: 20_000 }).toBe('running');
    // The ports the technician would read off the status: the ones the settings asked for.
    expect(await page.getByTestId('service-tftp').textContent()).toContain(`127.0.0.1:${tftpPort}`);
    await openTab('Log');
    await poll(() => rowsWith(/boot server started/).count()).toBeGreaterThan(0);

    await tftpGet('hello.txt');
    await tftpGet('no-such-file.efi');
    expect(await curl('/hello.txt')).toBe('200');
    expect(await curl('/log-test-missing')).toBe('404');
    await tftpPut('upload.bin');

    await poll(() => rowsWith(/sent hello\.txt/).filter({ hasText: 'TFTP' }).count()).toBe(1);
    await poll(() => rowsWith('no-such-file.efi not found').count()).toBe(1);
    await poll(() => rowsWith(/GET \/?hello\.txt 200/).filter({ hasText: 'HTTP' }).count()).toBe(1);
    await poll(() => rowsWith(/GET \/?log-test-missing 404/).count()).toBe(1);
    await poll(() => rows().filter({ hasText: 'refused upload of upload.bin' }).locator('.log-lvl').textContent()).toBe('warn');
    // The client's address in its own column, the time to the millisecond.
    const row = rowsWith(/GET \/?hello\.txt 200/);
    expect(await row.locator('.log-ip').textContent()).toBe('127.0.0.1');
    expect(await row.locator('.log-time').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
  });

  it('opens a row to its structured fields, by mouse and by keyboard', async () => {
    const sent = rowsWith(/sent hello\.txt/);
    await sent.click();
    await poll(() => sent.getAttribute('aria-expanded')).toBe('true');
    const detail = sent.locator('.log-detail');
    expect(await detail.locator('dt').allTextContents()).toEqual(expect.arrayContaining(['path', 'bytes', 'blksize', 'ms']));
    expect(await detail.textContent()).toContain('4800'); // bytes: 200 lines of 24
    await page.screenshot({ path: join(SHOTS, 'log-live.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'log-live-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });

    // Keyboard: the grid takes focus (visibly), arrows move the active row, Enter opens it, Escape closes it.
    await page.getByTestId('log-grid').focus();
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('log-grid').evaluate((el) => el.matches(':focus-visible') && getComputedStyle(el).outlineStyle)).toBe('solid');
    await poll(() => sent.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('ArrowDown');
    const active = page.locator('[data-testid=log-row][aria-selected=true]');
    await poll(() => active.count()).toBe(1);
    await page.keyboard.press('Enter');
    await poll(() => active.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getByTestId('log-grid').getAttribute('aria-activedescendant')).toBe(await active.getAttribute('id'));
    await page.keyboard.press('Enter');
    await poll(() => active.getAttribute('aria-expanded')).toBe('false');
  });

  it('filters by service, level, machine and text', async () => {
    const tftpRows = () => rows().filter({ has: page.locator('.svc-tftp') });
    const httpRows = () => rows().filter({ has: page.locator('.svc-http') });
    expect(await tftpRows().count()).toBeGreaterThan(0);
    await chip('TFTP').click();
    expect(await chip('TFTP').getAttribute('aria-pressed')).toBe('false');
    await poll(() => tftpRows().count()).toBe(0);
    expect(await httpRows().count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'log-filtered.png') });
    await chip('TFTP').click();
    await poll(() => tftpRows().count()).toBeGreaterThan(0);

    await page.getByRole('combobox', { name: 'Level' }).selectOption('warn');
    await poll(() => rowsWith(/GET \/?hello\.txt 200/).count()).toBe(0);
    expect(await rowsWith('refused upload of upload.bin').count()).toBe(1);
    await page.getByRole('combobox', { name: 'Level' }).selectOption('debug');
    await poll(() => rowsWith(/GET \/?hello\.txt 200/).count()).toBe(1);

    // Loopback traffic has no MAC: a machine filter leaves nothing, and says so.
    await page.getByRole('combobox', { name: 'Machine' }).fill('52:54:00');
    await poll(() => rows().count()).toBe(0);
    expect(await page.getByTestId('log-empty').textContent()).toContain('No events match');
    await page.getByRole('combobox', { name: 'Machine' }).fill('');
    await poll(() => rows().count()).toBeGreaterThan(3);

    await search().fill('HELLO.txt');
    await poll(() => rowsWith('log-test-missing').count()).toBe(0);
    expect((await rows().allTextContents()).every((t) => /hello\.txt/i.test(t))).toBe(true);
    expect(await rowsWith(/GET \/?hello\.txt 200/).count()).toBe(1);
    expect(await rowsWith('log-test-missing').count()).toBe(0);
    expect(await page.getByTestId('log-count').textContent()).toMatch(/^\d+ of \d+ events/);
  });

  it('exports the filtered rows as JSON lines and CSV downloads', async () => {
    // Still filtered to hello.txt.
    const save = async (label: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
      return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
    };
    const jsonl = await save('JSON lines');
    expect(jsonl.name).toMatch(/^rackboot-log-\d{8}-\d{6}\.jsonl$/);
    const events = jsonl.text.trimEnd().split('\n').map((l) => JSON.parse(l) as { service: string; msg: string; fields: Record<string, unknown> });
    expect(events.length).toBe(await rows().count());
    expect(events.every((e) => /hello\.txt/i.test(e.msg))).toBe(true);
    expect(events.some((e) => e.service === 'tftp' && e.fields.path === 'hello.txt' && e.fields.bytes === 4800)).toBe(true);
    expect(events.some((e) => e.service === 'http' && /GET \/?hello\.txt 200/.test(e.msg))).toBe(true);

    const csv = await save('CSV');
    expect(csv.name).toMatch(/\.csv$/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,time,service,level,mac,ip,message,fields');
    expect(lines.length).toBe(events.length + 1);
    expect(lines.some((l) => /,http,info,,127\.0\.0\.1,127\.0\.0\.1 GET \/?hello\.txt 200/.test(l))).toBe(true);
    await search().fill('');
    await poll(() => rowsWith('log-test-missing').count()).toBe(1);
  });

  it('pause holds new rows and counts them; resume shows them', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    expect(await curl('/while-paused-1')).toBe('404');
    expect(await curl('/while-paused-2')).toBe('404');
    await poll(() => page.getByTestId('log-held').textContent()).toMatch(/Paused: 2 new events not shown/);
    expect(await rowsWith('while-paused').count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await poll(() => rowsWith('while-paused').count()).toBe(2);
    expect(await page.getByTestId('log-held').count()).toBe(0);
  });

  it('stays responsive and virtualised under a burst of 20,000 HTTP 404s', async () => {
    // Opening a row earlier held the list in place; End (keyboard) follows the newest rows again.
    await page.getByTestId('log-grid').focus();
    await page.keyboard.press('End');
    expect(await page.getByTestId('log-jump').count()).toBe(0);
    const before = Number((await page.getByTestId('log-count').textContent())!.match(/^([\d,]+) events/)![1]!.replace(/,/g, ''));
    const burst = httpBurst(httpPort, 20_000);
    let finished = false;
    void burst.then(() => (finished = true));
    // Once the burst is flowing, a filter click still takes effect at once.
    await poll(() => rowsWith('burst/missing-').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await chip('HTTP').click();
    await poll(() => rows().filter({ has: page.locator('.svc-http') }).count(), { timeout: 3000 }).toBe(0);
    console.log(`[log ui] filter clicked ${finished ? 'after' : 'during'} the burst`);
    await chip('HTTP').click();
    await poll(() => rowsWith('burst/missing-').count(), { timeout: 3000 }).toBeGreaterThan(0);
    // Mid-burst the DOM holds a window of rows, not thousands.
    expect(await rows().count()).toBeLessThan(100);

    expect(await burst).toBe(0); // every answer was a 404
    const total = () => page.getByTestId('log-count').textContent();
    await poll(async () => Number((await total())!.match(/^([\d,]+) events/)?.[1]?.replace(/,/g, '') ?? 0), { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 20_000);
    expect(await rows().count()).toBeLessThan(100);
    // It followed the tail: at the bottom, the newest request in view.
    const s = await gridScroll();
    expect(s.max - s.top).toBeLessThan(2);
    await poll(() => rowsWith(/burst\/missing-19999 404/).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'log-burst.png') });
  });

  it('holds its place when scrolled up, counts new rows, and jumps down on request', async () => {
    const grid = page.getByTestId('log-grid');
    await grid.evaluate((el) => (el.scrollTop = 24 * 100));
    await page.waitForTimeout(100);
    const firstBefore = await rows().first().getAttribute('id');
    const topBefore = (await gridScroll()).top;
    await httpBurst(httpPort, 500, 4);
    const jump = async () => Number((await page.getByTestId('log-jump').textContent())?.match(/^↓ ([\d,]+) new$/)?.[1]?.replace(/,/g, '') ?? 0);
    await poll(jump, { timeout: 10_000 }).toBeGreaterThanOrEqual(500);
    expect((await gridScroll()).top).toBe(topBefore);
    expect(await rows().first().getAttribute('id')).toBe(firstBefore);
    await page.screenshot({ path: join(SHOTS, 'log-scrolled-up.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'log-scrolled-up-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('log-jump').click();
    await poll(async () => {
      const s = await gridScroll();
      return s.max - s.top;
    }).toBeLessThan(2);
    expect(await page.getByTestId('log-jump').count()).toBe(0);
    await poll(() => rowsWith(/burst\/missing-499 404/).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
