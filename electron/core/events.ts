/**
 * The core's event model (CONVENTIONS §4): typed events with a per-launch sequence number, a ring buffer for
 * late subscribers, and batched persistence so a burst of DHCP traffic costs one SQLite transaction.
 */
import type { BootEvent, BootEventInput } from '../../shared/model/event.ts';

export interface EventBus {
  emit(input: BootEventInput): BootEvent;
  subscribe(listener: (event: BootEvent) => void): () => void;
  /** Events still in the ring buffer, oldest first, optionally only those after `afterSeq`. */
  recent(opts?: { afterSeq?: number; limit?: number }): BootEvent[];
  /** Writes pending events now (called on stop). */
  flush(): void;
}

const FLUSH_MS = 100;

export function createEventBus(
  opts: { capacity?: number; persist?: (batch: BootEvent[]) => void; onPersistError?: (e: Error) => void; now?: () => number } = {},
): EventBus {
  const capacity = opts.capacity ?? 2000;
  const now = opts.now ?? Date.now;
  // A circular buffer: `start` is the oldest of `size` events (O(1) per emit; an array splice was O(capacity)).
  const ring: BootEvent[] = new Array<BootEvent>(capacity);
  let start = 0;
  let size = 0;
  const listeners = new Set<(e: BootEvent) => void>();
  let seq = 0;
  let pending: BootEvent[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    if (!pending.length || !opts.persist) return;
    const batch = pending;
    pending = [];
    try {
      opts.persist(batch);
    } catch (e) {
      // Disk full or locked: keep the events in memory and say so once per failure, never crash the services.
      pending = batch.concat(pending).slice(-capacity);
      opts.onPersistError?.(e as Error);
    }
  };

  return {
    emit(input) {
      const event: BootEvent = { ...input, seq: ++seq, ts: now(), fields: input.fields ?? {} };
      if (size < capacity) ring[(start + size++) % capacity] = event;
      else {
        ring[start] = event;
        start = (start + 1) % capacity;
      }
      // Debug events (offers, ignored packets) are live only: the ring and subscribers see them, SQLite does not.
      if (opts.persist && event.level !== 'debug') {
        pending.push(event);
        if (!scheduled) {
          scheduled = true;
          // Events are history, not state: one transaction per 100 ms is cheap under a DHCP flood and
          // loses at most that much on a crash (stop() flushes; leases have their own write-before-ACK).
          setTimeout(flush, FLUSH_MS).unref();
        }
      }
      for (const l of listeners) {
        try {
          l(event);
        } catch {
          // A broken subscriber (a closed socket) must not stop the services emitting.
        }
      }
      return event;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    recent({ afterSeq = 0, limit = capacity } = {}) {
      const out: BootEvent[] = [];
      for (let i = 0; i < size; i++) {
        const e = ring[(start + i) % capacity]!;
        if (e.seq > afterSeq) out.push(e);
      }
      return out.slice(Math.max(0, out.length - limit));
    },
    flush,
  };
}
