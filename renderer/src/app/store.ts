/**
 * The renderer's one zustand store, built from slices (CONVENTIONS §8). Components read it through the named
 * selectors below and never touch a transport: the API client is handed in once by `connectStore`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ApiClient, DhcpMode, IsoSummary, MethodOutput, NetInterface, ServerStatus, Settings } from '../../../shared/api/contract.ts';
import type { ApiError } from '../../../shared/api/errors.ts';
import type { Result } from '../../../shared/api/result.ts';
import type { BootEvent } from '../../../shared/model/event.ts';
import { createAnswersSlice, type AnswersSlice } from '../features/answers/store/slice.ts';
import { createLeasesSlice, type LeasesSlice } from '../features/leases/store/slice.ts';
import { createMachinesSlice, type MachinesSlice } from '../features/machines/store/slice.ts';
import { createLogSlice, type LogSlice } from '../features/log/store/slice.ts';

const EVENT_LIMIT = 500;

export interface AppState extends MachinesSlice, LeasesSlice, LogSlice, AnswersSlice {
  connection: 'connecting' | 'open' | 'closed';
  interfaces: NetInterface[];
  settings: Settings | null;
  status: ServerStatus | null;
  events: BootEvent[];
  error: ApiError | null;
  busy: boolean;
  /** The ISO library (Setup screen), and ISO files found on this computer that are not in it yet. */
  isos: IsoSummary[];
  foundIsos: MethodOutput<'findIsos'>;
  /** An ISO being added (indexing a large image takes a moment): its path, else null. */
  addingIso: string | null;
  /** The last DHCP probe of the chosen NIC; null before one ran. */
  /** Data folder, NIC binding, missing bootloaders (Settings screen); null until loaded. */
  about: MethodOutput<'about'> | null;
  dhcpProbe: ((MethodOutput<'probeDhcp'> & { error?: undefined }) | { error: ApiError }) & { interface: string } | null;
  probing: boolean;
  actions: {
    load(): Promise<void>;
    refreshInterfaces(): Promise<void>;
    selectInterface(name: string): Promise<void>;
    setDhcpMode(mode: DhcpMode): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
    dismissError(): void;
    refreshIsos(): Promise<void>;
    loadAbout(): Promise<void>;
    /** Saves settings (true when the core accepted them). */
    saveSettings(patch: Partial<Settings>): Promise<boolean>;
    addIso(path: string): Promise<boolean>;
    removeIso(id: string): Promise<void>;
    /** Asks the chosen NIC which DHCP servers answer there, and applies the suggested mode. */
    probeDhcp(): Promise<void>;
    /** Events arrive in batches from the subscription module. */
    receiveEvents(batch: BootEvent[]): void;
    receiveStatus(status: ServerStatus): void;
    setConnection(state: AppState['connection']): void;
  };
}

export type AppStore = StoreApi<AppState>;

/** What a feature's slice is built with (features/<feature>/store/slice.ts). */
export interface SliceContext {
  api: ApiClient;
  set(partial: Partial<AppState>): void;
  get(): AppState;
  /** Runs an API call; an error value lands in the app's error banner, never as an exception. */
  run<T>(call: Promise<Result<T>>, apply: (value: T) => Partial<AppState>): Promise<boolean>;
  /** `coalesce` with the store's timing: one refresh per burst of events, however many arrive. */
  coalesce(task: () => Promise<unknown>): () => void;
}

export interface StoreOptions {
  /** The least time between two refreshes a burst of events asks for. */
  refreshGapMs?: number;
  /** Timer and clock (tests drive them by hand). */
  later?: (f: () => void, ms: number) => void;
  now?: () => number;
}

/**
 * Asks for `task` as often as you like; it runs at most once per `gapMs` and never twice at a time: the first
 * ask runs soon, asks meanwhile fold into one run after the gap. Live screens refresh through this, so a storm
 * of DHCP events costs one request a second, not one per event.
 */
export function coalesce(task: () => Promise<unknown>, opts: StoreOptions = {}): () => void {
  const gap = opts.refreshGapMs ?? 1000;
  const later = opts.later ?? ((f, ms) => void setTimeout(f, ms));
  const now = opts.now ?? Date.now;
  let last = -Infinity;
  let queued = false;
  let running = false;
  let again = false;
  const run = async () => {
    queued = false;
    running = true;
    last = now();
    try {
      await task();
    } finally {
      running = false;
      if (again) {
        again = false;
        ask();
      }
    }
  };
  const ask = () => {
    if (running) {
      again = true;
      return;
    }
    if (queued) return;
    queued = true;
    later(() => void run(), Math.max(0, last + gap - now()));
  };
  return ask;
}

export function createAppStore(api: ApiClient, options: StoreOptions = {}): AppStore {
  return createStore<AppState>()((set, get) => {
    /** Runs an API call; an error value lands in `error` for the banner, never as an exception. */
    const run = async <T>(call: Promise<Result<T>>, apply: (value: T) => Partial<AppState>): Promise<boolean> => {
      const r = await call;
      if (r.ok) set({ ...apply(r.value), error: null });
      else set({ error: r.error });
      return r.ok;
    };
    const patchSettings = (patch: Partial<Settings>) => run(api.setSettings(patch), (settings) => ({ settings }));
    const ctx: SliceContext = { api, set, get, run, coalesce: (task) => coalesce(task, options) };

    return {
      ...createMachinesSlice(ctx),
      ...createLeasesSlice(ctx),
      ...createAnswersSlice(ctx),
      ...createLogSlice(ctx),
      connection: 'connecting',
      interfaces: [],
      settings: null,
      status: null,
      events: [],
      error: null,
      busy: false,
      isos: [],
      foundIsos: [],
      addingIso: null,
      dhcpProbe: null,
      probing: false,
      about: null,
      actions: {
        async load() {
          await Promise.all([
            run(api.listInterfaces(undefined), (interfaces) => ({ interfaces })),
            run(api.getSettings(undefined), (settings) => ({ settings })),
            run(api.getStatus(undefined), (status) => ({ status })),
            run(api.recentEvents({ limit: EVENT_LIMIT }), (events) => ({ events })),
            get().machineActions.load(),
            get().leaseActions.load(),
            run(api.listIsos(undefined), (isos) => ({ isos })),
            run(api.findIsos({}), (foundIsos) => ({ foundIsos })),
          ]);
        },
        async refreshInterfaces() {
          await run(api.listInterfaces(undefined), (interfaces) => ({ interfaces }));
        },
        async selectInterface(name) {
          const nic = get().interfaces.find((n) => n.name === name);
          // A new NIC means its own address: forget an address picked on another one.
          await patchSettings({ interface: name, address: nic?.ipv4[0]?.address ?? null });
          // The DHCP mode is chosen for the technician: proxy beside a site DHCP server, full otherwise.
          if (nic && nic.up && !nic.loopback && nic.ipv4.length > 0) void get().actions.probeDhcp();
        },
        async setDhcpMode(mode) {
          await patchSettings({ dhcpMode: mode });
        },
        async start() {
          set({ busy: true });
          await run(api.startServer(undefined), (status) => ({ status }));
          set({ busy: false });
        },
        async stop() {
          set({ busy: true });
          await run(api.stopServer(undefined), (status) => ({ status }));
          set({ busy: false });
        },
        dismissError() {
          set({ error: null });
        },
        async loadAbout() {
          await run(api.about(undefined), (about) => ({ about }));
        },
        saveSettings(patch) {
          return patchSettings(patch);
        },
        async refreshIsos() {
          await Promise.all([run(api.listIsos(undefined), (isos) => ({ isos })), run(api.findIsos({}), (foundIsos) => ({ foundIsos }))]);
        },
        async addIso(path) {
          set({ addingIso: path });
          const ok = await run(api.addIso({ path }), () => ({}));
          const failure = get().error;
          set({ addingIso: null });
          await get().actions.refreshIsos();
          // The refresh succeeding must not hide why the ISO was refused.
          if (!ok) set({ error: failure });
          return ok;
        },
        async removeIso(id) {
          await run(api.removeIso({ id }), (isos) => ({ isos }));
          await get().actions.refreshIsos();
        },
        async probeDhcp() {
          const nic = get().settings?.interface;
          if (!nic || get().status?.state === 'running') return;
          set({ probing: true });
          const r = await api.probeDhcp({ interface: nic });
          set({ probing: false });
          // Shown beside the DHCP choice, not in the error banner: the probe runs by itself when a NIC is picked.
          if (!r.ok) {
            set({ dhcpProbe: { error: r.error, interface: nic } });
            return;
          }
          set({ dhcpProbe: { ...r.value, interface: nic } });
          if (get().settings?.dhcpMode !== r.value.suggestion) await patchSettings({ dhcpMode: r.value.suggestion });
        },
        receiveEvents(batch) {
          const seen = get().events;
          let last = seen.at(-1)?.seq ?? 0;
          // Reconnects replay what the client already has; keep each sequence number once, in order.
          const fresh: BootEvent[] = [];
          for (const e of batch) {
            if (e.seq <= last) continue;
            fresh.push(e);
            last = e.seq;
          }
          if (!fresh.length) return;
          // The Log screen's buffer takes its part in the same update: one store update per batch.
          set({ events: [...seen, ...fresh].slice(-EVENT_LIMIT), ...get().logActions.take(fresh) });
          get().machineActions.receiveEvents(fresh);
          get().leaseActions.receiveEvents(fresh);
        },
        receiveStatus(status) {
          set({ status });
        },
        setConnection(connection) {
          set({ connection });
        },
      },
    };
  });
}

/** Named selectors: components subscribe to exactly what they show. */
export const selectors = {
  interfaces: (s: AppState) => s.interfaces,
  settings: (s: AppState) => s.settings,
  status: (s: AppState) => s.status,
  events: (s: AppState) => s.events,
  error: (s: AppState) => s.error,
  busy: (s: AppState) => s.busy,
  isos: (s: AppState) => s.isos,
  foundIsos: (s: AppState) => s.foundIsos,
  addingIso: (s: AppState) => s.addingIso,
  dhcpProbe: (s: AppState) => s.dhcpProbe,
  about: (s: AppState) => s.about,
  probing: (s: AppState) => s.probing,
  connection: (s: AppState) => s.connection,
  actions: (s: AppState) => s.actions,
  running: (s: AppState) => s.status?.state === 'running',
};

/**
 * The one subscription module: streams from the core enter here, events are batched per animation frame
 * so a burst of DHCP traffic costs one render.
 */
export function subscribeStreams(api: ApiClient, store: AppStore, schedule: (f: () => void) => void = (f) => setTimeout(f, 50)): () => void {
  let batch: BootEvent[] = [];
  let scheduled = false;
  const offEvent = api.on('event', (e) => {
    batch.push(e);
    if (scheduled) return;
    scheduled = true;
    schedule(() => {
      scheduled = false;
      const b = batch;
      batch = [];
      store.getState().actions.receiveEvents(b);
    });
  });
  const offStatus = api.on('status', (s) => store.getState().actions.receiveStatus(s));
  return () => {
    offEvent();
    offStatus();
  };
}
