/**
 * UI ring: the Machines and Leases screens, live, against real network traffic. A test network namespace holds
 * the rack switch (bridge rackbr0, 198.18.0.1/24); `rackboot ui` runs inside it and so does chromium (its UI
 * server binds 127.0.0.1, which is the namespace's own loopback: a browser outside could not reach it, and
 * no port is forwarded out of the namespace). Through the UI the technician picks the bridge, full DHCP and
 * starts; then, from client namespaces on the bridge:
 *   - busybox udhcpc takes a lease, which appears in the Leases screen without a reload;
 *   - a PXE client (DISCOVER/REQUEST built with the codec: option 60 PXEClient, 93 = x64 UEFI) appears in
 *     Machines with vendor, firmware and its DHCP stage;
 *   - atftp fetches the bootloader the offer named, from the leased address: the machine moves to the
 *     bootloader stage and its timeline shows the bytes; the RRQ shows in the activity log.
 * Screenshots of both screens in light and dark land in test/ui/__screenshots__/.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode, getOption, BOOTREPLY, FLAG_BROADCAST, type DhcpPacket } from '../../shared/protocol/dhcp4/codec.ts';
import { DhcpOption, MessageType } from '../../shared/protocol/dhcp4/options.ts';
import { ipList, option, text, u16, u8 } from '../../shared/protocol/dhcp4/values.ts';
import { CHROMIUM, chromiumSkipReason } from '../helpers/browser.ts';
import { createLab, ip, startPeer, type Client, type Lab, type Peer } from '../helpers/dhcp-clients.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { REPO, startCli, tempDir, type Running } from '../helpers/rackboot.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { has } from '../helpers/tools.ts';

const SHOTS = join(REPO, 'test', 'ui', '__screenshots__');
const built = existsSync(join(REPO, 'renderer', 'dist', 'index.html'));
const missingTools = ['busybox', 'atftp', 'xorriso'].filter((t) => !has(t));
const skip = announceSkip(
  'ui machines & leases',
  netnsSkipReason() ??
    chromiumSkipReason() ??
    (missingTools.length ? `${missingTools.join(', ')} missing: run build/scripts/install-test-tools.sh` : null) ??
    (built ? null : 'renderer not built: run `npm run build:renderer` (test:full does)'),
  { requiredInCi: true },
);

const SERVER = '198.18.0.1';
const BRIDGE = 'rackbr0';
const LEASE_MAC = '02:00:00:00:0a:21';
/** QEMU's default range, so the vendor column has something to say. */
const PXE_MAC = '52:54:00:0a:00:31';
const say = (line: string) => console.log(`[ui machines-leases] ${line}`);

const mac6 = (mac: string) => Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
let xid = 0x7e570000;
/** What a UEFI x64 PXE ROM sends (EDK2's option set): 53, 57, 55, 94, 93, 97, 60. */
function pxePacket(type: number, extra: DhcpPacket['options'] = []): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set(mac6(PXE_MAC));
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: xid++,
    secs: 4,
    flags: FLAG_BROADCAST,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr,
    sname: '',
    file: '',
    options: [
      option(DhcpOption.MESSAGE_TYPE, u8(type)),
      option(DhcpOption.MAX_MESSAGE_SIZE, u16(1472)),
      option(DhcpOption.PARAMETER_REQUEST_LIST, Uint8Array.of(1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135)),
      option(DhcpOption.CLIENT_NDI, Uint8Array.of(1, 3, 0)),
      option(DhcpOption.CLIENT_ARCH, u16(7)),
      option(DhcpOption.CLIENT_UUID, Uint8Array.of(0, ...mac6(PXE_MAC), ...mac6(PXE_MAC), 0xca, 0xfe, 0xf0, 0x0d)),
      option(DhcpOption.VENDOR_CLASS, text('PXEClient:Arch:00007:UNDI:003000')),
      ...extra,
    ],
  };
}

/** Sends from the peer and resolves with rackboot's reply (matched by xid). */
async function exchange(peer: Peer, req: DhcpPacket): Promise<DhcpPacket> {
  peer.send(encode(req), '255.255.255.255', 67);
  const line = await peer.waitFor((l) => {
    if (typeof l.hex !== 'string') return false;
    const b = Buffer.from(l.hex, 'hex');
    return b.length >= 240 && b[0] === BOOTREPLY && b.readUInt32BE(4) === req.xid;
  }, `reply to xid ${req.xid.toString(16)}`);
  return decode(Buffer.from(line.hex as string, 'hex')).value;
}

describe.skipIf(skip)('Machines and Leases screens, live, in a test network', () => {
  const data = tempDir('rackboot-ui-ml-');
  const scratch = tempDir('rackboot-ui-ml-tmp-');
  let net: TestNet;
  let lab: Lab;
  let server: Running;
  let browser: Browser;
  let page: Page;
  let pxe: Client;
  let peer: Peer | undefined;
  const pageErrors: string[] = [];

  const tab = (name: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name, exact: true });
  const shoot = async (name: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    net = createTestNet({ address: SERVER, prefix: 24 });
    lab = createLab(net.ns);
    say(`namespace ${net.ns}: ${BRIDGE} ${SERVER}/24; rackboot ui and chromium both run inside it`);
    server = await startCli(['ui', '--data', data.path], { cmdPrefix: ['ip', 'netns', 'exec', net.ns], timeoutMs: 20_000 });
    // Chromium inside the namespace too: playwright talks to it over the inherited pipe, which `ip netns exec` keeps.
    const wrapper = join(scratch.path, 'chromium-in-netns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${net.ns} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    say(`rackboot ui at ${String(server.first.ui)}; launching chromium in the namespace`);
    browser = await chromium.launch({
      executablePath: wrapper,
      headless: true,
      timeout: 30_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  });
  afterAll(async () => {
    await peer?.stop();
    await browser?.close();
    // A core that does not exit on SIGTERM within 10 s is killed, so the namespace never outlives the test.
    if (server) {
      const killer = setTimeout(() => server.proc.kill('SIGKILL'), 10_000);
      await server.stop();
      clearTimeout(killer);
    }
    lab?.destroy();
    net?.destroy();
    data.remove();
    scratch.remove();
  });

  it('shows what to do while there is nothing yet, then starts full DHCP on the bridge from Setup', async () => {
    await page.goto(server.first.ui as string);
    await tab('Machines').click();
    await expect.poll(() => page.getByText('Start the boot server and power on a machine set to network boot.').isVisible()).toBe(true);
    await tab('Leases').click();
    await expect.poll(() => page.getByText('No DHCP leases yet').isVisible()).toBe(true);

    await tab('Setup').click();
    await page.getByTestId(`nic-${BRIDGE}`).click();
    await expect.poll(() => page.getByTestId(`nic-${BRIDGE}`).getAttribute('aria-checked')).toBe('true');
    const full = page.getByRole('radio', { name: 'rackboot is the DHCP server' });
    await full.click();
    await expect.poll(() => full.getAttribute('aria-checked')).toBe('true');
    // A fixture installer ISO, added from the Setup screen by its path.
    const iso = makeIso(join(scratch.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(1000, 1), bytes(2000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: scratch.path });
    await page.getByLabel('ISO path').fill(iso);
    await page.getByTestId('iso-drop').getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByTestId('iso-rocky-9.4-x86_64-dvd').textContent(), { timeout: 20_000 }).toMatch(/Rocky Linux 9\.4.*boots over the network/);
    await page.getByRole('button', { name: 'Start boot server' }).click();
    await expect.poll(() => page.getByTestId('server-state').textContent(), { timeout: 20_000 }).toBe('running');
    expect(await page.getByTestId('service-iso').textContent()).toMatch(/running.*rocky-9\.4-x86_64-dvd/);
  });

  it('a real udhcpc lease appears live in Leases, with its state and a countdown', async () => {
    await tab('Leases').click();
    const client = lab.addClient({ mac: LEASE_MAC, bridge: BRIDGE });
    const got = await client.udhcpc();
    expect(got.lease, `udhcpc output:\n${got.output}`).not.toBeNull();
    const leased = got.lease!.ip!;
    say(`udhcpc in ${client.ns} bound ${leased}`);
    const row = page.getByTestId(`lease-${LEASE_MAC}`);
    // No reload: the DHCP events refresh the list.
    await expect.poll(() => row.isVisible(), { timeout: 10_000 }).toBe(true);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 3)).toEqual(['bound', leased, LEASE_MAC]);
    expect(cells[4]).toMatch(/^(1:00:0\d|59:\d\d)$/); // an hour's lease, counting down (the clocks may differ by a second)
    const first = cells[4];
    await expect.poll(async () => (await row.locator('td').nth(4).textContent()) !== first, { timeout: 5000 }).toBe(true);
  });

  it('a PXE client appears in Machines with vendor, firmware and stage; a TFTP fetch of its bootloader moves it on', async () => {
    await tab('Machines').click();
    pxe = lab.addClient({ mac: PXE_MAC, bridge: BRIDGE });
    // Without a route for it, a socket on 0.0.0.0 cannot send to 255.255.255.255 (ENETUNREACH).
    ip('-n', pxe.ns, 'route', 'add', 'default', 'dev', 'eth0');
    peer = await startPeer(pxe.ns, { address: '0.0.0.0', port: 68 });
    const offer = await exchange(peer, pxePacket(MessageType.DISCOVER));
    expect(offer.yiaddr).toMatch(/^198\.18\.0\./);
    say(`OFFER ${offer.yiaddr}, file ${offer.file}`);
    const ack = await exchange(peer, pxePacket(MessageType.REQUEST, [option(DhcpOption.REQUESTED_IP, ipList([offer.yiaddr])), option(DhcpOption.SERVER_ID, ipList([SERVER]))]));
    expect(getOption(ack, DhcpOption.MESSAGE_TYPE)?.[0]).toBe(MessageType.ACK);

    const row = page.getByTestId(`machine-${PXE_MAC}`);
    await expect.poll(() => row.isVisible(), { timeout: 10_000 }).toBe(true);
    const text = await row.textContent();
    expect(text).toContain('QEMU/KVM (virtual NIC)');
    expect(text).toMatch(/UEFI.*x64/);
    expect(text).toMatch(/DHCP\s*0%/);

    // The firmware's next step: TFTP the bootloader the offer named, from the address it was given.
    pxe.addAddress(`${ack.yiaddr}/24`);
    const got = await pxe.run('atftp', ['-g', '-r', offer.file, '-l', join(scratch.path, 'bootloader'), SERVER]);
    expect(got.code, `atftp: ${got.output}`).toBe(0);
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/Bootloader\s*\d+%/);

    // Select it: the timeline shows both stages, the bootloader with its size.
    await row.getByRole('button', { name: PXE_MAC }).click();
    const detail = page.getByTestId('machine-detail');
    await expect.poll(() => detail.isVisible()).toBe(true);
    const timeline = detail.getByRole('list', { name: 'Boot timeline' });
    await expect.poll(() => timeline.locator('li').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await timeline.textContent()).toMatch(/DHCP.*start.*Bootloader.*[\d.]+ KiB in [\d.]+ m?s\s*\+[\d.]+ m?s/s);
    await shoot('machines');
  });

  it('the TFTP read request shows in the activity log, and the lease of the PXE client in Leases', async () => {
    await tab('Leases').click();
    await expect.poll(() => page.getByTestId(`lease-${PXE_MAC}`).isVisible(), { timeout: 10_000 }).toBe(true);
    // Sorted by IP; a press on the header turns it around, and the header says so for screen readers too.
    expect(await page.getByRole('columnheader', { name: /^IP/ }).getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: /^IP/ }).click();
    expect(await page.getByRole('columnheader', { name: /^IP/ }).getAttribute('aria-sort')).toBe('descending');
    await shoot('leases');
    await page.getByRole('searchbox').fill('52:54');
    await expect.poll(() => page.locator('[data-testid^="lease-"]').count()).toBe(1);
    await page.getByRole('searchbox').fill('');

    await tab('Setup').click();
    const activity = page.getByRole('region', { name: 'Activity' });
    await expect.poll(() => activity.textContent(), { timeout: 10_000 }).toMatch(/sending (ipxe|snponly)\.efi to 198\.18\.0\.\d+/);
  });

  it('marks the machine done, then removes it after a confirmation', async () => {
    await tab('Machines').click();
    const detail = page.getByTestId('machine-detail');
    await expect.poll(() => detail.isVisible()).toBe(true);
    await detail.getByRole('button', { name: 'Mark done' }).click();
    await expect.poll(() => page.getByTestId(`machine-${PXE_MAC}`).textContent()).toContain('installed');
    await detail.getByRole('button', { name: 'Remove' }).click();
    // Nothing happened yet: the question is asked, with the confirming button focused.
    expect(await page.getByTestId(`machine-${PXE_MAC}`).isVisible()).toBe(true);
    const yes = detail.getByRole('group', { name: /^Forget/ }).getByRole('button', { name: 'Remove' });
    expect(await yes.evaluate((b) => b === document.activeElement)).toBe(true);
    await yes.click();
    await expect.poll(() => page.getByTestId(`machine-${PXE_MAC}`).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
