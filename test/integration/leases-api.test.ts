/**
 * listLeases (the Leases screen's API): read from the store, so it answers while the server is stopped, with
 * the machine's firmware and arch when the client network-booted and its assigned host name when the lease
 * has none. Real SQLite in a temp folder; no sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBootServer, type BootServer } from '../../electron/core/server.ts';
import { openStore } from '../../electron/core/store/store.ts';
import { dispatch, LeaseSchema } from '../../shared/api/contract.ts';
import { tempDir } from '../helpers/rackboot.ts';

let dir: ReturnType<typeof tempDir> | null = null;
let core: BootServer | null = null;
afterEach(async () => {
  await core?.close();
  dir?.remove();
  core = null;
  dir = null;
});

describe('listLeases', () => {
  it('lists the stored leases newest change first, with machine facts, while the server is stopped', async () => {
    dir = tempDir();
    const store = openStore(dir.path);
    const t = 1_700_000_000_000;
    store.saveMachine({ mac: '52:54:00:00:00:01', hostname: 'node1', isoId: null, profile: null, chain: 'auto', secureBoot: 'unknown', state: 'new', firmware: 'uefi', arch: 'X64_EFI', uuid: null, ip: null, token: null, firstSeen: t, lastSeen: t, installedAt: null, updatedAt: t });
    store.saveLeases([
      { clientKey: 'mac:52:54:00:00:00:01', mac: '52:54:00:00:00:01', ip: '198.18.0.50', state: 'bound', expiresAt: t + 3600_000, hostname: null, updatedAt: t },
      { clientKey: 'id:01aabbccddeeff', mac: 'aa:bb:cc:dd:ee:ff', ip: '198.18.0.51', state: 'released', expiresAt: t + 10, hostname: 'printer', updatedAt: t + 10 },
    ]);
    store.close();

    core = createBootServer({ dataDir: dir.path, listInterfaces: () => [] });
    expect(core.status().state).toBe('stopped');
    const r = await dispatch(core.api, 'listLeases', undefined);
    expect(r.ok).toBe(true);
    const leases = (r as { value: unknown[] }).value.map((l) => LeaseSchema.parse(l));
    expect(leases).toEqual([
      { clientKey: 'id:01aabbccddeeff', mac: 'aa:bb:cc:dd:ee:ff', ip: '198.18.0.51', state: 'released', expiresAt: t + 10, hostname: 'printer', updatedAt: t + 10, firmware: null, arch: null },
      { clientKey: 'mac:52:54:00:00:00:01', mac: '52:54:00:00:00:01', ip: '198.18.0.50', state: 'bound', expiresAt: t + 3600_000, hostname: 'node1', updatedAt: t, firmware: 'uefi', arch: 'X64_EFI' },
    ]);
  });

  it('gives listMachines the address of a bound, unexpired lease (a machine that only did DHCP has none of its own)', async () => {
    dir = tempDir();
    const store = openStore(dir.path);
    const now = Date.now();
    const row = { hostname: null, isoId: null, profile: null, chain: 'auto', secureBoot: 'unknown', state: 'new', firmware: 'uefi', arch: 'X64_EFI', uuid: null, ip: null, token: null, firstSeen: now, lastSeen: now, installedAt: null, updatedAt: now } as const;
    store.saveMachine({ ...row, mac: '52:54:00:00:00:01' });
    store.saveMachine({ ...row, mac: '52:54:00:00:00:02' });
    store.saveMachine({ ...row, mac: '52:54:00:00:00:03', ip: '198.18.0.9' });
    store.saveLeases([
      { clientKey: 'mac:1', mac: '52:54:00:00:00:01', ip: '198.18.0.50', state: 'bound', expiresAt: now + 60_000, hostname: null, updatedAt: now },
      { clientKey: 'mac:2', mac: '52:54:00:00:00:02', ip: '198.18.0.51', state: 'bound', expiresAt: now - 1, hostname: null, updatedAt: now },
    ]);
    store.close();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => [] });
    const ips = Object.fromEntries((await core.api.listMachines(undefined)).map((m) => [m.mac, m.ip]));
    expect(ips).toEqual({ '52:54:00:00:00:01': '198.18.0.50', '52:54:00:00:00:02': null, '52:54:00:00:00:03': '198.18.0.9' });
  });

  it('is an empty list on a fresh store', async () => {
    dir = tempDir();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => [] });
    expect(await core.api.listLeases(undefined)).toEqual([]);
  });
});
