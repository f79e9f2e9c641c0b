import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type NetInterface, type ServerStatus } from '../../shared/api/contract.ts';
import type { BootEvent } from '../../shared/model/event.ts';
import { createBootServer, type BootServer } from '../../electron/core/server.ts';
import { tempDir } from '../helpers/rackboot.ts';

const nics: NetInterface[] = [
  { name: 'rack0', mac: '52:54:00:00:00:01', up: true, loopback: false, wireless: false, mtu: 1500, ipv4: [{ address: '198.18.0.1', prefix: 24, network: '198.18.0.0' }] },
];

let dir: ReturnType<typeof tempDir>;
let core: BootServer;
beforeEach(() => {
  dir = tempDir();
  core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics });
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
    await core.api.setSettings({ interface: 'rack0', dhcpMode: 'proxy' });
    const running = await core.api.startServer(undefined);
    expect(running).toMatchObject({ state: 'running', interface: 'rack0', address: '198.18.0.1', httpUrl: 'http://198.18.0.1:8080/' });
    expect(running.services.dhcp.state).toBe('not-implemented');
    await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
    const stopped = await core.api.stopServer(undefined);
    expect(stopped.state).toBe('stopped');
    expect(Object.values(stopped.services).every((s) => s.state === 'stopped')).toBe(true);
    off();
    const states = seen.filter((s) => s.stream === 'status').map((s) => (s.data as ServerStatus).state);
    expect(states).toEqual(expect.arrayContaining(['starting', 'running', 'stopping', 'stopped']));
    const msgs = seen.filter((s) => s.stream === 'event').map((s) => (s.data as BootEvent).msg);
    expect(msgs).toEqual(expect.arrayContaining([expect.stringMatching(/started on rack0/), 'boot server stopped']));
  });

  it('serialises a double click on start', async () => {
    await core.api.setSettings({ interface: 'rack0' });
    const results = await Promise.allSettled([core.api.startServer(undefined), core.api.startServer(undefined)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('checks that every ISO can be read before it starts', async () => {
    const iso = join(dir.path, 'ok.iso');
    writeFileSync(iso, 'x');
    await core.api.setSettings({ interface: 'rack0', isos: [iso, join(dir.path, 'missing.iso')] });
    await expect(core.api.startServer(undefined)).rejects.toMatchObject({ code: 'ISO_NOT_FOUND' });
    await core.api.setSettings({ isos: [iso] });
    expect((await core.api.startServer(undefined)).services.iso.state).toBe('not-implemented');
  });

  it('persists settings and events for the next launch', async () => {
    await core.api.setSettings({ interface: 'rack0', dhcpMode: 'off' });
    await core.api.startServer(undefined);
    await core.close();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics });
    expect(await core.api.getSettings(undefined)).toMatchObject({ interface: 'rack0', dhcpMode: 'off' });
    expect(core.store.recentEvents(10).map((e) => e.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/started on rack0/), 'boot server stopped']));
  });

  it('keeps CLI settings in memory only', async () => {
    await core.close();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics, settings: { ...DEFAULT_SETTINGS, interface: 'rack0', dhcpMode: 'off', httpPort: 8081 } });
    await core.api.setSettings({ httpPort: 9090 });
    await core.close();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => nics });
    expect((await core.api.getSettings(undefined)).httpPort).toBe(8080);
  });
});
