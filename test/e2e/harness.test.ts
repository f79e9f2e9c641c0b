/**
 * The netns + QEMU harness proves itself: each firmware kind, booted for real under TCG, broadcasts a
 * DHCPDISCOVER into the test namespace with the option 93 rackboot will route on.
 * UPDATE_FIXTURES=1 saves the captured packets as golden fixtures under test/fixtures/dhcp/.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/protocol/bytes.ts';
import { clientArchitectures, decode, hardwareAddress, messageType, vendorClass, type DhcpPacket } from '../../shared/protocol/dhcp4/codec.ts';
import { MessageType } from '../../shared/protocol/dhcp4/options.ts';
import { macFromBytes } from '../../shared/net/ipv4.ts';
import { createTestNet, type TestNet } from '../helpers/netns.ts';
import { launchVm, qemuSkipReason, type Firmware } from '../helpers/qemu.ts';
import { announceSkip, netnsSkipReason } from '../helpers/root.ts';
import { REPO } from '../helpers/rackboot.ts';

const skip = announceSkip('e2e harness', netnsSkipReason() ?? qemuSkipReason('bios') ?? qemuSkipReason('uefi') ?? qemuSkipReason('uefi-secureboot'), { requiredInCi: true });

describe.skipIf(skip)('QEMU clients in a test namespace', () => {
  let net: TestNet;
  let work: string;
  let listener: ChildProcess | null = null;
  const packets: { hex: string; packet: DhcpPacket }[] = [];
  const waiters = new Set<() => void>();

  beforeAll(async () => {
    net = createTestNet();
    work = mkdtempSync(join(tmpdir(), 'rackboot-e2e-'));
    const child = net.spawn(process.execPath, [join(REPO, 'test', 'helpers', 'udp-listen.mjs'), '67']);
    listener = child;
    await new Promise<void>((ready, fail) => {
      child.once('exit', (code) => fail(new Error(`udp-listen exited ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const msg = JSON.parse(line) as { listening?: number; hex?: string };
        if (msg.listening) return ready();
        try {
          packets.push({ hex: msg.hex!, packet: decode(fromHex(msg.hex!)).value });
        } catch {
          return; // Not DHCP; the test only cares about DISCOVERs.
        }
        for (const w of waiters) w();
      });
    });
  });

  afterAll(async () => {
    // `ip netns del` only drops the name: a process inside keeps the namespace alive, so end it first.
    if (listener && listener.exitCode === null) {
      const gone = new Promise((r) => listener!.once('close', r));
      listener.kill('SIGKILL');
      await gone;
    }
    net?.destroy(); // VMs are killed per test.
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function discoverFrom(mac: string, timeoutMs: number, vmSerial: () => string) {
    return new Promise<{ hex: string; packet: DhcpPacket }>((resolve, reject) => {
      const check = () => {
        const hit = packets.find((p) => macFromBytes(hardwareAddress(p.packet)) === mac && messageType(p.packet) === MessageType.DISCOVER);
        if (!hit) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no DHCPDISCOVER from ${mac} within ${timeoutMs} ms; serial console:\n${vmSerial().slice(-2000)}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  it.each([
    ['bios', '52:54:00:18:00:01', 0, /^PXEClient:Arch:00000:UNDI:/],
    ['uefi', '52:54:00:18:00:02', 7, /^PXEClient:Arch:00007:UNDI:/],
    ['uefi-secureboot', '52:54:00:18:00:03', 7, /^PXEClient:Arch:00007:UNDI:/],
  ] as [Firmware, string, number, RegExp][])('%s firmware (MAC %s) broadcasts a DISCOVER with option 93 = %i', async (firmware, mac, arch, vendor) => {
    const vm = launchVm({ net, tap: net.addTap(), firmware, mac, workDir: work });
    try {
      const { hex, packet } = await discoverFrom(mac, 180_000, vm.serial);
      expect(clientArchitectures(packet)).toEqual([arch]);
      expect(vendorClass(packet)).toMatch(vendor);
      if (process.env.UPDATE_FIXTURES === '1') {
        writeFileSync(join(REPO, 'test', 'fixtures', 'dhcp', `discover-${firmware}.hex`), hex + '\n');
      }
    } finally {
      await vm.kill();
    }
  });
});
