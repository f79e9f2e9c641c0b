import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import type { ApiClient, MethodInput } from '../../../../../shared/api/contract.ts';
import type { Result } from '../../../../../shared/api/result.ts';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { createLogSlice, type LogSlice } from './slice.ts';

const ev = (seq: number): BootEvent => ({ seq, ts: seq, service: seq % 2 ? 'tftp' : 'http', level: 'info', msg: `e${seq}`, fields: {} });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));

/**
 * The core's side of recentEvents as electron/core/events.ts answers it: the newest `limit` events after
 * `afterSeq` from a ring of `capacity`. Calls wait until `release()` so tests can stream events meanwhile.
 */
function fakeCore(capacity = 2000) {
  let ring: BootEvent[] = [];
  const calls: MethodInput<'recentEvents'>[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const api: Pick<ApiClient, 'recentEvents'> = {
    async recentEvents(input): Promise<Result<BootEvent[]>> {
      calls.push(input);
      await gate;
      const after = ring.filter((e) => e.seq > (input.afterSeq ?? 0));
      return { ok: true, value: after.slice(Math.max(0, after.length - (input.limit ?? capacity))) };
    },
  };
  return {
    api,
    calls,
    emit: (events: BootEvent[]) => (ring = [...ring, ...events].slice(-capacity)),
    hold: () => (gate = new Promise((r) => (open = r))),
    release: () => open(),
  };
}

function logStore(api: Pick<ApiClient, 'recentEvents'>, capacity?: number) {
  const store = createStore<LogSlice>()((set, get) => createLogSlice({ api, set, get }, { capacity }));
  let updates = 0;
  store.subscribe(() => updates++);
  /** What the app's receiveEvents does with the log's part of a batch. */
  const stream = (batch: BootEvent[]) => {
    const part = store.getState().logActions.take(batch);
    if (part) store.setState(part);
  };
  const shown = () => [...store.getState().log.buffer.rows()].map((e) => e.seq);
  return { store, stream, shown, updates: () => updates };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('log slice', () => {
  it('ignores the stream until the screen first opens, then loads history and follows live events', async () => {
    const core = fakeCore();
    const { store, stream, shown } = logStore(core.api);
    core.emit(range(1, 3));
    stream(range(1, 3));
    expect(store.getState().log.phase).toBe('idle');
    expect(shown()).toEqual([]);
    await store.getState().logActions.open();
    expect(core.calls).toEqual([{ afterSeq: 0, limit: 5000 }]);
    expect(store.getState().log.phase).toBe('ready');
    expect(shown()).toEqual([1, 2, 3]);
    stream(range(4, 5));
    expect(shown()).toEqual([1, 2, 3, 4, 5]);
    await store.getState().logActions.open(); // once only
    expect(core.calls).toHaveLength(1);
  });

  it('queues live events that arrive while history loads and shows each once, in order', async () => {
    const core = fakeCore();
    const { store, stream, shown } = logStore(core.api);
    core.emit(range(1, 10));
    core.hold();
    const opening = store.getState().logActions.open();
    expect(store.getState().log.phase).toBe('loading');
    core.emit(range(11, 12));
    stream(range(9, 12)); // overlaps what the history answer will hold
    expect(shown()).toEqual([]);
    core.release();
    await opening;
    expect(shown()).toEqual(range(1, 12).map((e) => e.seq));
  });

  it('pages recentEvents with afterSeq while pages come back full', async () => {
    const core = fakeCore(20_000);
    const { store, shown } = logStore(core.api);
    core.emit(range(1, 12_000));
    await store.getState().logActions.open();
    // The core answers with the newest 5000 after afterSeq, so paging can only move forward from there.
    expect(core.calls).toEqual([
      { afterSeq: 0, limit: 5000 },
      { afterSeq: 12_000, limit: 5000 },
    ]);
    expect(shown()).toHaveLength(5000);
    expect(shown()[0]).toBe(7001);
  });

  it('makes one store update per streamed batch, however large', async () => {
    const core = fakeCore();
    const { store, stream, updates } = logStore(core.api);
    await store.getState().logActions.open();
    const before = updates();
    stream(range(1, 1000));
    stream(range(1001, 2000));
    stream(range(1500, 2000)); // all duplicates: no update
    expect(updates() - before).toBe(2);
    expect(store.getState().log.buffer.size).toBe(2000);
  });

  it('pause counts new events without showing them; resume shows them', async () => {
    const core = fakeCore();
    const { store, stream, shown } = logStore(core.api);
    await store.getState().logActions.open();
    stream(range(1, 2));
    store.getState().logActions.pause();
    stream(range(3, 5));
    stream(range(6, 6));
    expect(shown()).toEqual([1, 2]);
    expect(store.getState().log.held).toBe(4);
    store.getState().logActions.resume();
    expect(shown()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.getState().log).toMatchObject({ paused: false, held: 0 });
  });

  it('fills a gap in sequence numbers (a lost connection) from the core, and counts what it no longer had', async () => {
    const core = fakeCore(5);
    const { store, stream, shown } = logStore(core.api);
    await store.getState().logActions.open();
    core.emit(range(1, 2));
    stream(range(1, 2));
    core.emit(range(3, 6)); // the socket was down: these never streamed
    stream(range(6, 6));
    await settle();
    expect(core.calls.at(-1)).toEqual({ afterSeq: 2, limit: 5000 });
    expect(shown()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.getState().log.missed).toBe(0);
    core.emit(range(7, 20)); // more than the core keeps (5)
    stream(range(20, 20));
    await settle();
    expect(shown()).toEqual([1, 2, 3, 4, 5, 6, 16, 17, 18, 19, 20]);
    expect(store.getState().log.missed).toBe(9);
  });

  it('a filter change re-indexes the kept events', async () => {
    const core = fakeCore();
    const { store, stream, shown } = logStore(core.api);
    await store.getState().logActions.open();
    stream(range(1, 6));
    store.getState().logActions.setFilter({ services: ['http'] });
    expect(shown()).toEqual([2, 4, 6]);
    expect(store.getState().log.filter.services).toEqual(['http']);
    stream(range(7, 8));
    expect(shown()).toEqual([2, 4, 6, 8]);
  });

  it('keeps the buffer at capacity', async () => {
    const core = fakeCore();
    const { store, stream } = logStore(core.api, 100);
    await store.getState().logActions.open();
    for (let i = 0; i < 10; i++) stream(range(i * 50 + 1, i * 50 + 50));
    expect(store.getState().log.buffer.size).toBe(100);
  });

  it('says when history could not be loaded, and still shows live events', async () => {
    const api: Pick<ApiClient, 'recentEvents'> = { recentEvents: () => Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: 'connection to rackboot lost' } }) };
    const { store, stream, shown } = logStore(api);
    await store.getState().logActions.open();
    expect(store.getState().log.loadError).toBe('connection to rackboot lost');
    stream(range(1, 1));
    expect(shown()).toEqual([1]);
  });
});

describe('log slice in the app store', () => {
  it('takes its part of each streamed batch in the app store\'s one update', async () => {
    const { createAppStore, subscribeStreams } = await import('../../../app/store.ts');
    const core = fakeCore();
    const listeners = new Set<(e: BootEvent) => void>();
    // A fake core typed by the contract: recentEvents answers, the event stream is pushed by hand, the rest is unused.
    const api = new Proxy({} as ApiClient, {
      get(_t, name) {
        if (name === 'recentEvents') return core.api.recentEvents;
        if (name === 'on')
          return (stream: string, l: (e: BootEvent) => void) => {
            if (stream === 'event') listeners.add(l);
            return () => listeners.delete(l);
          };
        return () => Promise.resolve({ ok: true, value: [] });
      },
    });
    const store = createAppStore(api);
    let flush: () => void = () => undefined;
    subscribeStreams(api, store, (f) => (flush = f));
    await store.getState().logActions.open();
    let updates = 0;
    store.subscribe(() => updates++);
    for (const e of range(1, 1000)) listeners.forEach((l) => l(e));
    flush();
    expect(updates).toBe(1);
    expect(store.getState().log.buffer.size).toBe(1000);
    expect(store.getState().events.at(-1)?.seq).toBe(1000);
  });
});
