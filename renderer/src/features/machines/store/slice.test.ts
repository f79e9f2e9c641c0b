import { describe, expect, it } from 'vitest';
import type { IsoSummary, MachineSummary } from '../../../../../shared/api/contract.ts';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { fakeApi, ok } from '../../../app/fake-api.ts';
import { createAppStore } from '../../../app/store.ts';
import { machineSelectors } from './slice.ts';

const machine = (mac: string, extra: Partial<MachineSummary> = {}): MachineSummary => ({
  mac,
  hostname: null,
  isoId: null,
  profile: null,
  state: 'new',
  chain: 'auto',
  secureBoot: 'unknown',
  firmware: 'uefi',
  arch: 'X64_EFI',
  ip: null,
  firstSeen: 1000,
  lastSeen: 2000,
  installedAt: null,
  stage: null,
  ...extra,
});

const stageEvent = (seq: number, mac: string, stage: string): BootEvent => ({ seq, ts: seq * 1000, service: 'core', level: 'info', mac, msg: `${mac}: ${stage}`, fields: { stage, progress: 0 } });

/** A timer driven by the test: `flush()` runs what is due. */
function manualTimer() {
  let queue: (() => void)[] = [];
  return {
    later: (f: () => void) => void queue.push(f),
    pending: () => queue.length,
    async flush() {
      const q = queue;
      queue = [];
      q.forEach((f) => f());
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

const A = '52:54:00:00:00:0a';
const B = '52:54:00:00:00:0b';

describe('machines slice', () => {
  it('loads the list first-seen first, the timelines from recent events, and the assign choices', async () => {
    const iso = { id: 'debian-12', name: 'Debian 12' } as IsoSummary;
    const { api } = fakeApi({
      listMachines: () => ok([machine(B, { firstSeen: 5000 }), machine(A, { firstSeen: 1000 })]),
      recentEvents: () => ok([stageEvent(1, A, 'dhcp'), stageEvent(2, A, 'bootloader'), stageEvent(3, B, 'dhcp')]),
      listIsos: () => ok([iso]),
      listProfiles: () => ok([]),
    });
    const store = createAppStore(api);
    await store.getState().machineActions.load();
    const s = store.getState();
    expect(machineSelectors.list(s).map((m) => m.mac)).toEqual([A, B]);
    expect(machineSelectors.loaded(s)).toBe(true);
    expect(machineSelectors.marks(s)[A]!.map((m) => m.stage)).toEqual(['dhcp', 'bootloader']);
    expect(machineSelectors.isos(s)).toEqual([iso]);
    expect(s.error).toBeNull();
  });

  it('takes stage events at once but refreshes the list once per burst, never once per event', async () => {
    const timer = manualTimer();
    let list = [machine(A)];
    const { api, calls } = fakeApi({ listMachines: () => ok(list) });
    const store = createAppStore(api, { later: timer.later, refreshGapMs: 1000, now: () => 0 });
    const { receiveEvents } = store.getState().machineActions;
    receiveEvents([stageEvent(1, A, 'dhcp')]);
    receiveEvents([stageEvent(2, A, 'bootloader')]);
    receiveEvents([stageEvent(3, B, 'dhcp'), stageEvent(4, B, 'bootloader')]);
    expect(store.getState().machines.marks[B]!.length).toBe(2);
    expect(calls).toEqual([]);
    expect(timer.pending()).toBe(1);
    list = [machine(A), machine(B, { firstSeen: 3000 })];
    await timer.flush();
    expect(calls).toEqual(['listMachines']);
    expect(store.getState().machines.list.map((m) => m.mac)).toEqual([A, B]);
    // Events without a machine (the server's own) ask for nothing.
    receiveEvents([{ seq: 5, ts: 5, service: 'core', level: 'info', msg: 'boot server started', fields: {} }]);
    expect(timer.pending()).toBe(0);
  });

  it('an action that fails lands in the error banner and frees the buttons', async () => {
    const { api } = fakeApi({
      listMachines: () => ok([machine(A)]),
      rearmMachine: () => Promise.resolve({ ok: false, error: { code: 'ISO_NOT_FOUND', message: `${A} has no ISO assigned` } }),
    });
    const store = createAppStore(api);
    await store.getState().machineActions.refresh();
    expect(await store.getState().machineActions.rearm(A)).toBe(false);
    expect(store.getState().error).toEqual({ code: 'ISO_NOT_FOUND', message: `${A} has no ISO assigned` });
    expect(machineSelectors.busy(store.getState())).toBeNull();
  });

  it('assign replaces the row in place; remove drops the selection with the machine', async () => {
    const assigned: unknown[] = [];
    const { api } = fakeApi({
      listMachines: () => ok([machine(A), machine(B, { firstSeen: 3000 })]),
      assignMachine: (input) => {
        assigned.push(input);
        return ok(machine(A, { isoId: 'debian-12', state: 'armed', hostname: 'node1' }));
      },
      removeMachine: () => ok([machine(B, { firstSeen: 3000 })]),
    });
    const store = createAppStore(api);
    const act = store.getState().machineActions;
    await act.refresh();
    act.select(A);
    expect(await act.assign({ mac: A, isoId: 'debian-12', hostname: 'node1', profile: null })).toBe(true);
    expect(assigned).toEqual([{ mac: A, isoId: 'debian-12', hostname: 'node1', profile: null }]);
    expect(store.getState().machines.list.map((m) => [m.mac, m.state])).toEqual([
      [A, 'armed'],
      [B, 'new'],
    ]);
    expect(machineSelectors.selected(store.getState())?.hostname).toBe('node1');
    await act.remove(A);
    expect(machineSelectors.selectedMac(store.getState())).toBeNull();
    expect(store.getState().machines.list.map((m) => m.mac)).toEqual([B]);
  });
});
