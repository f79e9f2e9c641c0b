import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type ApiClient, type ServerStatus, type Settings, type StreamData, type StreamName } from '../../../shared/api/contract.ts';
import type { Result } from '../../../shared/api/result.ts';
import type { BootEvent } from '../../../shared/model/event.ts';
import { createAppStore, subscribeStreams } from './store.ts';

const stopped: ServerStatus = {
  state: 'stopped',
  interface: null,
  address: null,
  dhcpMode: 'proxy',
  httpUrl: null,
  startedAt: null,
  error: null,
  services: { dhcp: { state: 'stopped', detail: null }, tftp: { state: 'stopped', detail: null }, http: { state: 'stopped', detail: null }, iso: { state: 'stopped', detail: null } },
};
const ok = <T,>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });

/** A fake core typed by the contract: the store is tested without any transport. */
function fakeApi() {
  let settings: Settings = { ...DEFAULT_SETTINGS };
  const listeners = new Map<StreamName, Set<(d: unknown) => void>>();
  const calls: string[] = [];
  const api: ApiClient = {
    listInterfaces: () => ok([{ name: 'rack0', mac: null, up: true, loopback: false, wireless: false, mtu: 1500, ipv4: [{ address: '198.18.0.1', prefix: 24, network: '198.18.0.0' }] }]),
    getSettings: () => ok(settings),
    setSettings: (patch) => {
      calls.push(`setSettings ${JSON.stringify(patch)}`);
      settings = { ...settings, ...patch };
      return ok(settings);
    },
    getStatus: () => ok(stopped),
    startServer: () => Promise.resolve({ ok: false, error: { code: 'PERMISSION_DENIED', message: 'port 67 needs root' } }),
    stopServer: () => ok(stopped),
    recentEvents: () => ok([]),
    listIsos: () => ok([]),
    addIso: () => Promise.resolve({ ok: false, error: { code: 'ISO_UNREADABLE', message: 'not an ISO' } }),
    removeIso: () => ok([]),
    listMachines: () => ok([]),
    assignMachine: () => Promise.resolve({ ok: false, error: { code: 'ISO_NOT_FOUND', message: 'no such ISO' } }),
    rearmMachine: () => Promise.resolve({ ok: false, error: { code: 'NO_SUCH_MACHINE', message: 'no machine' } }),
    markMachineDone: () => Promise.resolve({ ok: false, error: { code: 'NO_SUCH_MACHINE', message: 'no machine' } }),
    removeMachine: () => ok([]),
    listLeases: () => ok([]),
    verifyIso: () => Promise.resolve({ ok: false, error: { code: 'ISO_NOT_FOUND', message: 'no such ISO' } }),
    findIsos: () => ok([]),
    about: () => ok({ dataDir: '/tmp/rackboot', settingsSaved: true, nicBinding: { available: true, reason: null }, missingBootloaders: [] }),
    probeDhcp: () => ok({ offers: [], ms: 2500, suggestion: 'full', reason: 'no DHCP server answered' }),
    listProfiles: () => ok([]),
    getProfile: () => Promise.resolve({ ok: false, error: { code: 'NO_SUCH_PROFILE', message: 'no profile' } }),
    saveProfile: () => ok({ profile: null, issues: [] }),
    validateProfile: () => ok({ family: 'kickstart', issues: [] }),
    renderProfile: () => ok({ family: 'kickstart', files: [], issues: [] }),
    importAnswerFile: () => ok({ body: {}, issues: [] }),
    profileHistory: () => ok([]),
    revertProfile: () => Promise.resolve({ ok: false, error: { code: 'NO_SUCH_PROFILE', message: 'no profile' } }),
    removeProfile: () => ok([]),
    exportProfile: () => ok({ fileName: 'x.json', text: '{}' }),
    importProfile: () => Promise.resolve({ ok: false, error: { code: 'INVALID_PROFILE', message: 'not a profile' } }),
    on: (<S extends StreamName>(stream: S, l: (d: StreamData<S>) => void) => {
      let set = listeners.get(stream);
      if (!set) listeners.set(stream, (set = new Set()));
      set.add(l as (d: unknown) => void);
      return () => set.delete(l as (d: unknown) => void);
    }) as ApiClient['on'],
  };
  const push = (stream: StreamName, data: unknown) => listeners.get(stream)?.forEach((l) => l(data));
  return { api, calls, push };
}

const event = (seq: number): BootEvent => ({ seq, ts: seq, service: 'dhcp', level: 'info', msg: `e${seq}`, fields: {} });

describe('renderer store', () => {
  it('loads NICs, settings and status, and picking a NIC saves its first address', async () => {
    const { api, calls } = fakeApi();
    const store = createAppStore(api);
    await store.getState().actions.load();
    expect(store.getState().interfaces.map((n) => n.name)).toEqual(['rack0']);
    await store.getState().actions.selectInterface('rack0');
    // Picking a wired NIC with link asks the network for a DHCP server; none answered (the fake), so full DHCP.
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['setSettings {"interface":"rack0","address":"198.18.0.1"}', 'setSettings {"dhcpMode":"full"}']);
    expect(store.getState().dhcpProbe).toMatchObject({ interface: 'rack0', suggestion: 'full' });
    expect(store.getState().settings?.interface).toBe('rack0');
  });

  it('turns an error value into the banner state and clears busy', async () => {
    const { api } = fakeApi();
    const store = createAppStore(api);
    await store.getState().actions.start();
    expect(store.getState().error).toEqual({ code: 'PERMISSION_DENIED', message: 'port 67 needs root' });
    expect(store.getState().busy).toBe(false);
  });

  it('batches streamed events into one update and drops ones it already has', () => {
    const { api, push } = fakeApi();
    const store = createAppStore(api);
    let flush: () => void = () => undefined;
    let updates = 0;
    store.subscribe(() => updates++);
    subscribeStreams(api, store, (f) => (flush = f));
    push('event', event(1));
    push('event', event(2));
    push('event', event(2));
    expect(updates).toBe(0);
    flush();
    expect(updates).toBe(1);
    expect(store.getState().events.map((e) => e.seq)).toEqual([1, 2]);
    push('status', { ...stopped, state: 'running' });
    expect(store.getState().status?.state).toBe('running');
  });
});
