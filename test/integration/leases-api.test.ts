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

  it('is an empty list on a fresh store', async () => {
    dir = tempDir();
    core = createBootServer({ dataDir: dir.path, listInterfaces: () => [] });
    expect(await core.api.listLeases(undefined)).toEqual([]);
  });
});
