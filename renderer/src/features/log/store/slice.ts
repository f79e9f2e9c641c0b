/**
 * The Log screen's slice of the app store. Its buffer (up to 100,000 events) is separate from the app's short
 * `events` list and is fed by the same batched subscription: the app's `receiveEvents` asks `take(batch)` for
 * the log's part of its one `set` per batch. The buffer is mutable (copying 100k rows per batch would be
 * O(n)); `version` is the immutable part that changes once per batch that changes what the screen shows.
 */
import type { ApiClient } from '../../../../../shared/api/contract.ts';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import type { LogFilter } from './filter.ts';
import { LOG_CAPACITY, LogBuffer } from './log-buffer.ts';
import { Ring } from './ring.ts';

/** recentEvents' largest page (shared/api/contract.ts). */
const PAGE = 5000;
/** The core keeps far fewer; this only bounds the loop. */
const MAX_PAGES = Math.ceil(LOG_CAPACITY / PAGE);

export interface LogView {
  /** Mutable: read it during render; `version` says when it changed. */
  buffer: LogBuffer;
  version: number;
  filter: LogFilter;
  /** idle until the screen first opens; loading while history arrives. */
  phase: 'idle' | 'loading' | 'ready';
  paused: boolean;
  /** Events that arrived while paused: counted, shown on resume. */
  held: number;
  /** Events the core no longer had when the log caught up after a lost connection. */
  missed: number;
  loadError: string | null;
}

export interface LogActions {
  /** First open: loads the core's recent events, then shows live ones. Later calls do nothing. */
  open(): Promise<void>;
  /** The log's part of the app's one update per streamed batch, or null when nothing it shows changed. */
  take(batch: readonly BootEvent[]): { log: LogView } | null;
  setFilter(patch: Partial<LogFilter>): void;
  pause(): void;
  resume(): void;
}

export interface LogSlice {
  log: LogView;
  logActions: LogActions;
}

/** The part of the app's SliceContext (app/store.ts) the log needs. */
export interface LogSliceContext {
  api: Pick<ApiClient, 'recentEvents'>;
  set(partial: Partial<LogSlice>): void;
  get(): LogSlice;
}

export function createLogSlice({ api, set, get }: LogSliceContext, opts: { capacity?: number } = {}): LogSlice {
  const capacity = opts.capacity ?? LOG_CAPACITY;
  const buffer = new LogBuffer(capacity);
  /** Events that arrived while paused, oldest dropped past capacity. */
  const holding = new Ring<BootEvent>(capacity);
  /** Live events that arrived while history or a gap was being fetched; they follow what the fetch brings. */
  let queue: BootEvent[] | null = null;
  /** The highest sequence number taken into the buffer, holding or queue. */
  let seen = 0;

  const bump = (patch: Partial<LogView> = {}): { log: LogView } => {
    const log = get().log;
    return { log: { ...log, ...patch, version: log.version + 1 } };
  };

  /** Puts events where they belong now: the buffer, or holding while paused. Returns how many were new. */
  const deliver = (events: readonly BootEvent[]): number => {
    if (!get().log.paused) return buffer.append(events);
    let n = 0;
    let last = Math.max(buffer.lastSeq, holding.nth(holding.size - 1)?.seq ?? 0);
    for (const e of events) {
      if (e.seq <= last) continue;
      holding.push(e);
      last = e.seq;
      n++;
    }
    return n;
  };

  /**
   * Fetches what the core has after `from` (history on first open, or a gap after a lost connection), then
   * delivers it and the live events queued meanwhile (starting with `live`). recentEvents answers with the newest `limit` events
   * after `afterSeq`, so a full page means more may have arrived: ask again after its last one.
   */
  const fill = async (from: number, history: boolean, live: BootEvent[] = []): Promise<void> => {
    queue = live;
    const fetched: BootEvent[] = [];
    let after = from;
    let error: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await api.recentEvents({ afterSeq: after, limit: PAGE });
      if (!r.ok) {
        error = r.error.message;
        break;
      }
      fetched.push(...r.value);
      const last = r.value.at(-1)?.seq;
      if (r.value.length < PAGE || last === undefined || last <= after) break;
      after = last;
    }
    const pending = queue;
    queue = null;
    const next = fetched[0]?.seq ?? pending[0]?.seq;
    const lost = !history && next !== undefined && next > from + 1 ? next - from - 1 : 0;
    const paused = get().log.paused;
    const n = deliver(fetched) + deliver(pending);
    seen = Math.max(seen, buffer.lastSeq, holding.nth(holding.size - 1)?.seq ?? 0);
    const log = get().log;
    set(
      bump({
        phase: 'ready',
        missed: log.missed + lost,
        held: paused ? log.held + n : log.held,
        loadError: history ? error : log.loadError,
      }),
    );
  };

  return {
    log: { buffer, version: 0, filter: buffer.filter, phase: 'idle', paused: false, held: 0, missed: 0, loadError: null },
    logActions: {
      async open() {
        if (get().log.phase !== 'idle') return;
        set(bump({ phase: 'loading' }));
        await fill(0, true);
      },
      take(batch) {
        const { phase, paused, held } = get().log;
        if (phase === 'idle') return null;
        const fresh: BootEvent[] = [];
        for (const e of batch) {
          if (e.seq <= seen) continue;
          fresh.push(e);
        }
        if (!fresh.length) return null;
        if (queue) {
          queue.push(...fresh);
          seen = fresh.at(-1)!.seq;
          return null;
        }
        // The core numbers every event it streams, one by one: a jump means the connection dropped meanwhile.
        if (seen > 0 && fresh[0]!.seq > seen + 1) {
          const from = seen;
          seen = fresh.at(-1)!.seq;
          void fill(from, false, fresh);
          return null;
        }
        seen = fresh.at(-1)!.seq;
        const n = deliver(fresh);
        if (!n) return null;
        return paused ? bump({ held: held + n }) : bump();
      },
      setFilter(patch) {
        const filter = { ...get().log.filter, ...patch };
        buffer.setFilter(filter);
        set(bump({ filter }));
      },
      pause() {
        if (get().log.paused) return;
        set(bump({ paused: true, held: 0 }));
      },
      resume() {
        if (!get().log.paused) return;
        buffer.append(holding.values());
        holding.clear();
        set(bump({ paused: false, held: 0 }));
      },
    },
  };
}

/** Named selectors for the Log screen's components. */
export const logSelectors = {
  log: (s: LogSlice) => s.log,
  version: (s: LogSlice) => s.log.version,
  filter: (s: LogSlice) => s.log.filter,
  actions: (s: LogSlice) => s.logActions,
};
