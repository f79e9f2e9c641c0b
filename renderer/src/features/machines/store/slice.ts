/**
 * The Machines screen's slice of the app store: every machine the core has seen, each one's stage events (its
 * boot timeline), and the actions on a machine. Lists refresh on machine events through the store's coalesced
 * refresh, never once per event.
 */
import type { IsoSummary, MachineSummary, MethodInput, ProfileSummary } from '../../../../../shared/api/contract.ts';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import type { AppState, SliceContext } from '../../../app/store.ts';
import { addMarks, stageMarks, type StageMark } from '../timeline.ts';

/** How many past events the timelines start from (the core's ring holds more than the log shows). */
const TIMELINE_EVENTS = 5000;

export interface MachinesState {
  list: MachineSummary[];
  loaded: boolean;
  selected: string | null;
  /** Stage events per MAC, oldest first: the boot timelines. */
  marks: Record<string, StageMark[]>;
  /** What the assign form offers. */
  isos: IsoSummary[];
  profiles: ProfileSummary[];
  /** The MAC an action runs for (its buttons wait), else null. */
  busy: string | null;
}

export interface MachinesSlice {
  machines: MachinesState;
  machineActions: {
    /** The list, the timelines from recent events, and the assign choices. */
    load(): Promise<void>;
    refresh(): Promise<void>;
    select(mac: string | null): void;
    loadChoices(): Promise<void>;
    assign(input: MethodInput<'assignMachine'>): Promise<boolean>;
    rearm(mac: string): Promise<boolean>;
    markDone(mac: string): Promise<boolean>;
    remove(mac: string): Promise<boolean>;
    /** A batch from the app's event subscription: timelines now, the list at the next coalesced refresh. */
    receiveEvents(batch: readonly BootEvent[]): void;
  };
}

/** First seen first, so a new machine joins at the bottom and the rows a technician is looking at stay put. */
export function orderMachines(list: readonly MachineSummary[]): MachineSummary[] {
  return [...list].sort((a, b) => (a.firstSeen ?? Infinity) - (b.firstSeen ?? Infinity) || a.mac.localeCompare(b.mac));
}

export function createMachinesSlice({ api, set, get, run, coalesce }: SliceContext): MachinesSlice {
  const patch = (p: Partial<MachinesState>): Partial<AppState> => ({ machines: { ...get().machines, ...p } });
  const withList = (list: MachineSummary[]): Partial<AppState> => {
    const selected = get().machines.selected;
    return patch({ list: orderMachines(list), loaded: true, selected: selected && list.some((m) => m.mac === selected) ? selected : null });
  };
  /** One machine changed: replace it in place. */
  const withOne = (m: MachineSummary): Partial<AppState> => {
    const list = get().machines.list;
    return patch({ list: list.some((x) => x.mac === m.mac) ? list.map((x) => (x.mac === m.mac ? m : x)) : orderMachines([...list, m]) });
  };
  const refresh = () => run(api.listMachines(undefined), withList).then(() => undefined);
  const refreshSoon = coalesce(refresh);
  const act = async (mac: string, call: () => Promise<boolean>): Promise<boolean> => {
    set(patch({ busy: mac }));
    try {
      return await call();
    } finally {
      set(patch({ busy: null }));
    }
  };

  return {
    machines: { list: [], loaded: false, selected: null, marks: {}, isos: [], profiles: [], busy: null },
    machineActions: {
      async load() {
        await Promise.all([
          refresh(),
          run(api.recentEvents({ limit: TIMELINE_EVENTS }), (events) => patch({ marks: addMarks(get().machines.marks, stageMarks(events)) })),
          get().machineActions.loadChoices(),
        ]);
      },
      refresh,
      select(mac) {
        set(patch({ selected: mac }));
      },
      async loadChoices() {
        await Promise.all([run(api.listIsos(undefined), (isos) => patch({ isos })), run(api.listProfiles(undefined), (profiles) => patch({ profiles }))]);
      },
      assign: (input) => act(input.mac, () => run(api.assignMachine(input), withOne)),
      rearm: (mac) => act(mac, () => run(api.rearmMachine({ mac }), withOne)),
      markDone: (mac) => act(mac, () => run(api.markMachineDone({ mac }), withOne)),
      remove: (mac) => act(mac, () => run(api.removeMachine({ mac }), withList)),
      receiveEvents(batch) {
        const marks = stageMarks(batch);
        if (marks.length) set(patch({ marks: addMarks(get().machines.marks, marks) }));
        if (batch.some((e) => e.mac)) refreshSoon();
      },
    },
  };
}

/** Named selectors for the Machines screen. */
export const machineSelectors = {
  list: (s: AppState) => s.machines.list,
  loaded: (s: AppState) => s.machines.loaded,
  selectedMac: (s: AppState) => s.machines.selected,
  selected: (s: AppState) => s.machines.list.find((m) => m.mac === s.machines.selected) ?? null,
  marks: (s: AppState) => s.machines.marks,
  isos: (s: AppState) => s.machines.isos,
  profiles: (s: AppState) => s.machines.profiles,
  busy: (s: AppState) => s.machines.busy,
  actions: (s: AppState) => s.machineActions,
};
