/**
 * The Machines screen rendered to HTML (react-dom/server: no DOM needed) from a store fed by the fake core:
 * what a technician reads for the empty state, the table and the selected machine.
 */
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { MachineSummary, ServerStatus } from '../../../../../shared/api/contract.ts';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { StoreContext } from '../../../app/context.ts';
import { fakeApi, ok } from '../../../app/fake-api.ts';
import { createAppStore, type AppStore } from '../../../app/store.ts';
import { MachinesScreen } from './MachinesScreen.tsx';

// The unit project compiles JSX with the classic runtime (React.createElement; vitest.config.ts sets no jsx),
// the renderer build with the automatic one: the same elements either way, once React is in scope.
Object.assign(globalThis, { React });

const A = '52:54:00:12:34:56';
const B = '00:25:90:aa:bb:cc';
const now = Date.now();
const machine = (mac: string, extra: Partial<MachineSummary> = {}): MachineSummary => ({
  mac,
  hostname: null,
  isoId: null,
  profile: null,
  state: 'new',
  chain: 'auto',
  secureBoot: 'unknown',
  firmware: null,
  arch: null,
  ip: null,
  firstSeen: now - 60_000,
  lastSeen: now - 12_000,
  installedAt: null,
  stage: null,
  ...extra,
});
const stage = (seq: number, ts: number, name: string, fields: Record<string, unknown> = {}): BootEvent => ({ seq, ts, service: 'core', level: 'info', mac: A, msg: `${A}: ${name}`, fields: { stage: name, progress: 0, ...fields } });

async function storeWith(machines: MachineSummary[], events: BootEvent[] = [], running = false): Promise<AppStore> {
  const { api } = fakeApi({
    listMachines: () => ok(machines),
    recentEvents: () => ok(events),
    listIsos: () => ok([{ id: 'debian-12.5.0-amd64-netinst', name: 'Debian 12.5', label: 'Debian 12.5.0 amd64 n', netboot: { kind: 'd-i-cdrom', kernel: null, initrd: null, notes: [] } } as never]),
    listProfiles: () => ok([]),
  });
  const store = createAppStore(api);
  await store.getState().machineActions.load();
  store.getState().actions.receiveStatus({ state: running ? 'running' : 'stopped' } as ServerStatus);
  return store;
}
// Rendering on the "server", zustand reads getInitialState(): hand it the state the fake core loaded.
const html = (store: AppStore) =>
  renderToStaticMarkup(
    <StoreContext.Provider value={{ ...store, getInitialState: store.getState }}>
      <MachinesScreen />
    </StoreContext.Provider>,
  );
const text = (h: string) => h.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('Machines screen', () => {
  it('with no machine, tells the technician what to do', async () => {
    const t = text(html(await storeWith([])));
    expect(t).toContain('No machines yet');
    expect(t).toContain('Start the boot server and power on a machine set to network boot.');
    expect(t).toContain('start it on the Setup screen first');
  });

  it('lists each machine with its vendor, firmware, assignment, stage with progress and last seen', async () => {
    const store = await storeWith([
      machine(A, { ip: '198.18.0.50', firmware: 'uefi', arch: 'X64_EFI', secureBoot: 'on', isoId: 'debian-12.5.0-amd64-netinst', state: 'armed', stage: { stage: 'kernel', progress: 38, at: now } }),
      machine(B, { firmware: 'bios', arch: 'X86_BIOS', firstSeen: now - 30_000 }),
    ]);
    const h = html(store);
    const t = text(h);
    expect(t).toContain('QEMU/KVM (virtual NIC)');
    expect(t).toContain('Supermicro');
    expect(t).toMatch(/UEFI\s+Secure Boot\s+x64/);
    expect(t).toMatch(/BIOS\s+x86/);
    expect(t).toContain('Debian 12.5'); // the ISO's name, not its id
    expect(t).toMatch(/Kernel 38%/);
    expect(h).toContain('aria-valuenow="38"');
    expect(t).toContain('12 s ago');
    expect(t).toContain('not booted yet');
    // Rows are reached with the keyboard through a real button.
    expect(h.match(/<button type="button" class="row-select"/g)?.length).toBe(2);
    expect(t).toContain('Select a machine to see its boot timeline');
  });

  it('shows the selected machine: its boot timeline with durations and bytes, the install form and the actions', async () => {
    const t0 = now - 20_000;
    const store = await storeWith(
      [machine(A, { isoId: 'debian-12.5.0-amd64-netinst', state: 'armed', firmware: 'uefi', arch: 'X64_EFI' })],
      [stage(1, t0, 'dhcp'), stage(2, t0 + 400, 'bootloader', { bytes: 1_048_576, ms: 300 }), stage(3, t0 + 2_900, 'kernel', { bytes: 8_388_608, ms: 1_500 })],
    );
    store.getState().machineActions.select(A);
    const h = html(store);
    const t = text(h);
    expect(h).toContain('data-testid="machine-detail"');
    expect(t).toMatch(/DHCP .*start/);
    expect(t).toMatch(/Bootloader \(bootloader loaded\) 1\.0 MiB in 300 ms \+400 ms/);
    expect(t).toMatch(/Kernel \(kernel loaded\) 8\.0 MiB in 1\.5 s \+2\.5 s/);
    expect(t).toContain('Assign and arm');
    expect(t).toContain('None: installer asks');
    for (const action of ['Re-arm', 'Mark done', 'Remove']) expect(h).toContain(`>${action}</button>`);
  });
});
