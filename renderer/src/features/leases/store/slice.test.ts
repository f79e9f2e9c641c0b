import { describe, expect, it } from 'vitest';
import type { Lease } from '../../../../../shared/api/contract.ts';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { fakeApi, ok } from '../../../app/fake-api.ts';
import { createAppStore, subscribeStreams } from '../../../app/store.ts';
import { leaseSelectors, touchesLeases } from './slice.ts';

const lease = (ip: string): Lease => ({ clientKey: `mac:${ip}`, mac: '52:54:00:00:00:01', ip, state: 'bound', expiresAt: 2, hostname: null, updatedAt: 1, firmware: null, arch: null });
const dhcp = (seq: number, extra: Partial<BootEvent> = {}): BootEvent => ({ seq, ts: seq, service: 'dhcp', level: 'info', mac: '52:54:00:00:00:01', ip: '198.18.0.50', msg: 'ACK', fields: {}, ...extra });

describe('leases slice', () => {
  it('loads the leases, also while the server is stopped', async () => {
    const { api } = fakeApi({ listLeases: () => ok([lease('198.18.0.50')]) });
    const store = createAppStore(api);
    expect(leaseSelectors.loaded(store.getState())).toBe(false);
    await store.getState().leaseActions.load();
    expect(leaseSelectors.list(store.getState()).map((l) => l.ip)).toEqual(['198.18.0.50']);
    expect(leaseSelectors.loaded(store.getState())).toBe(true);
  });

  it.each([
    [dhcp(1), true, 'a DHCP exchange with a client'],
    [dhcp(1, { mac: undefined, ip: undefined, msg: 'DHCP socket error' }), false, 'a DHCP service problem'],
    [dhcp(1, { service: 'tftp' }), false, 'a file transfer'],
    [{ ...dhcp(1), service: 'core', mac: undefined, ip: undefined, msg: 'boot server started' } as BootEvent, true, 'the server started: its pool is loaded'],
  ])('%o changes leases: %s (%s)', (e, yes) => {
    expect(touchesLeases(e)).toBe(yes);
  });

  it('a storm of DHCP events through the subscription costs one refresh per gap, and one more for what came during it', async () => {
    const timers: { f: () => void; ms: number }[] = [];
    let clock = 0;
    const { api, calls, push } = fakeApi({ listLeases: () => ok([lease('198.18.0.50')]), listMachines: () => ok([]) });
    const store = createAppStore(api, { later: (f, ms) => void timers.push({ f, ms }), now: () => clock, refreshGapMs: 1000 });
    let flushEvents: () => void = () => undefined;
    subscribeStreams(api, store, (f) => (flushEvents = f));
    const runDue = async () => {
      const due = timers.splice(0);
      due.forEach((t) => t.f());
      await new Promise((r) => setTimeout(r, 0));
      return due.map((t) => t.ms);
    };

    for (let i = 1; i <= 300; i++) push('event', dhcp(i));
    flushEvents();
    expect(await runDue()).toEqual([0, 0]); // leases and machines, each at once
    expect(calls.filter((c) => c === 'listLeases')).toHaveLength(1);
    clock = 200;
    for (let i = 301; i <= 600; i++) {
      push('event', dhcp(i));
      if (i % 50 === 0) flushEvents();
    }
    // Six batches inside the gap fold into one refresh, 800 ms later.
    expect(timers.map((t) => t.ms)).toEqual([800, 800]);
    await runDue();
    expect(calls.filter((c) => c === 'listLeases')).toHaveLength(2);
    expect(store.getState().events).toHaveLength(500);
  });
});
