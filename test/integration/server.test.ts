import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type NetInterface, type ServerStatus } from '../../shared/api/contract.ts';
import type { BootEvent } from '../../shared/model/event.ts';
import { createBootServer, type BootServer } from '../../electron/core/server.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing, run } from '../helpers/tools.ts';

// The real loopback NIC, so the services really bind; unprivileged ports picked per run.
const nics: NetInterface[] = [
  { name: 'lo', mac: null, up: true, loopback: true, wireless: false, mtu: 65536, ipv4: [{ address: '127.0.0.1', prefix: 8, network: '127.0.0.0' }] },
];
const ports = () => {
  const base = 20000 + Math.floor(Math.random() * 40000);
  return { httpPort: base, tftpPort: base + 1 };
};
const dhcpPorts = { server: 0, client: 0, proxy: 0 };

let dir: ReturnType<typeof tempDir>;
let core: BootServer;
beforeEach(() => {
  dir = tempDir();
  core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics, dhcpPorts });
});
afterEach(async () => {
  await core.close();
  dir.remove();
});

describe('boot server core', () => {
  it('refuses to start before a NIC is picked, and says so in status', async () => {
    await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'NO_SUCH_INTERFACE' });
    expect(core.status()).toMatchObject({ state: 'failed', error: { code: 'NO_SUCH_INTERFACE' } });
  });

  it('starts and stops, streaming status and events to a subscriber', async () => {
    const seen: { stream: string; data: unknown }[] = [];
    const off = core.subscribe((stream, data) => seen.push({ stream, data }));
    await core.api.setSettings({ interface: 'lo', ...ports(), dhcpMode: 'proxy' });
    const running = await core.api.startServer(undefined);
    expect(running).toMatchObject({ state: 'running', interface: 'lo', address: '127.0.0.1', httpUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) });
    expect(running.services.dhcp).toMatchObject({ state: 'running', detail: expect.stringMatching(/ProxyDHCP/) });
    // Tied to the chosen NIC (or saying why not), so no other NIC is served through the weak host model.
    expect(running.services.tftp).toMatchObject({ state: 'running', detail: expect.stringMatching(/^listening on 127\.0\.0\.1:\d+, (NOT )?bound to lo/) });
    expect(running.services.http).toMatchObject({ state: 'running', detail: expect.stringMatching(/^listening on http:\/\/127\.0\.0\.1:\d+\/, (NOT )?bound to lo/) });
    await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
    const stopped = await core.api.stopServer(undefined);
    expect(stopped.state).toBe('stopped');
    expect(Object.values(stopped.services).every((s) => s.state === 'stopped')).toBe(true);
    off();
    const states = seen.filter((s) => s.stream === 'status').map((s) => (s.data as ServerStatus).state);
    expect(states).toEqual(expect.arrayContaining(['starting', 'running', 'stopping', 'stopped']));
    const msgs = seen.filter((s) => s.stream === 'event').map((s) => (s.data as BootEvent).msg);
    expect(msgs).toEqual(expect.arrayContaining([expect.stringMatching(/started on lo/), 'boot server stopped']));
  });

  it('serialises a double click on start', async () => {
    await core.api.setSettings({ interface: 'lo', ...ports() });
    const results = await Promise.allSettled([core.api.startServer(undefined), core.api.startServer(undefined)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('checks that every ISO can be read before it starts', async () => {
    const iso = join(dir.path, 'ok.iso');
    writeFileSync(iso, 'x');
    await core.api.setSettings({ interface: 'lo', ...ports(), isos: [iso, join(dir.path, 'missing.iso')] });
    await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'ISO_NOT_FOUND' });
    // There, but not an image: the start fails with the reason instead of serving nothing.
    await core.api.setSettings({ isos: [iso] });
    await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'ISO_UNREADABLE' });
    expect(core.status().services.iso).toMatchObject({ state: 'failed', detail: expect.stringMatching(/ok\.iso/) });
  });

  it('a port another program holds fails start with PORT_IN_USE, the fix in the service status, and nothing left bound', async () => {
    const { httpPort, tftpPort } = ports();
    const blocker = createServer().listen(httpPort, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      await core.api.setSettings({ interface: 'lo', dhcpMode: 'off', httpPort, tftpPort });
      await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'PORT_IN_USE' });
      const s = core.status();
      expect(s.state).toBe('failed');
      expect(s.services.http).toMatchObject({ state: 'failed', detail: expect.stringMatching(/another program already uses HTTP port/) });
      // TFTP started before HTTP failed; it must have been stopped again.
      expect(s.services.tftp.state).toBe('stopped');
    } finally {
      blocker.close();
    }
  });

  it('persists settings and events for the next launch', async () => {
    await core.api.setSettings({ interface: 'lo', ...ports(), dhcpMode: 'off' });
    await core.api.startServer(undefined);
    await core.close();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics, dhcpPorts });
    expect(await core.api.getSettings(undefined)).toMatchObject({ interface: 'lo', dhcpMode: 'off' });
    expect(core.store.recentEvents(10).map((e) => e.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/started on lo/), 'boot server stopped']));
  });

  it.skipIf(missing('curl')).each([
    [1500, 1468],
    [9000, 8192],
  ])('on a NIC with MTU %i, TFTP grants curl a block size of %i (one frame, RFC 2348)', async (mtu, granted) => {
    await core.close();
    const nic = { ...nics[0]!, mtu };
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => [nic], dhcpPorts });
    const { httpPort, tftpPort } = ports();
    await core.api.setSettings({ interface: 'lo', dhcpMode: 'off', httpPort, tftpPort });
    await core.api.startServer(undefined);
    const out = join(dir.path, 'u.kpxe');
    await run('curl', ['-s', '--tftp-blksize', '8192', '-o', out, `tftp://127.0.0.1:${tftpPort}/undionly.kpxe`]);
    const sent = core.events.recent({ limit: 50 }).find((e) => e.service === 'tftp' && /^sending undionly\.kpxe/.test(e.msg));
    expect(sent?.fields).toMatchObject({ blksize: granted });
  });

  it('keeps CLI settings in memory only', async () => {
    await core.close();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics, settings: { ...DEFAULT_SETTINGS, interface: 'lo', dhcpMode: 'off', httpPort: 8081 } });
    await core.api.setSettings({ httpPort: 9090 });
    await core.close();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics, dhcpPorts });
    expect((await core.api.getSettings(undefined)).httpPort).toBe(8080);
  });
});
