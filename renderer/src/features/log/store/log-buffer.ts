/**
 * The Log screen's buffer: the newest `capacity` events in a ring, plus an index of the ring positions that
 * pass the current filter. A batch costs O(batch): each event is pushed once, tested once, and at most one
 * index entry falls off per event that falls off. Only a filter change walks the whole ring.
 */
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { compileFilter, DEFAULT_FILTER, type LogFilter } from './filter.ts';
import { Ring, plainStorage, type Storage } from './ring.ts';

export const LOG_CAPACITY = 100_000;

export interface LogRow {
  /** The event's ring position: stable while it is kept, so it serves as a key and a scroll anchor. */
  position: number;
  event: BootEvent;
}

export class LogBuffer {
  readonly events: Ring<BootEvent>;
  /** Ring positions of the events that pass the filter, ascending. */
  private readonly index: Ring<number>;
  private test: (e: BootEvent) => boolean;
  private current: LogFilter;
  /** The highest sequence number taken: the core numbers events per launch, so a replay is a duplicate. */
  lastSeq = 0;
  /** Rows that passed the filter since it last changed (monotonic): the "N new" counter subtracts two of these. */
  matched = 0;

  constructor(capacity = LOG_CAPACITY, filter: LogFilter = DEFAULT_FILTER, storage?: { events?: Storage<BootEvent>; index?: Storage<number> }) {
    this.events = new Ring<BootEvent>(capacity, storage?.events ?? plainStorage);
    this.index = new Ring<number>(capacity, storage?.index ?? plainStorage);
    this.current = filter;
    this.test = compileFilter(filter);
  }

  get filter(): LogFilter {
    return this.current;
  }
  /** Events kept, filtered or not. */
  get size(): number {
    return this.events.size;
  }
  /** Rows that pass the filter. */
  get rowCount(): number {
    return this.index.size;
  }

  /** Appends a batch in order, skipping sequence numbers already taken; returns how many were new. */
  append(batch: Iterable<BootEvent>): number {
    let added = 0;
    for (const e of batch) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      const position = this.events.push(e);
      added++;
      // A full ring dropped its oldest event; the index drops it too if it was a row (it is the oldest row then).
      if (this.index.size && this.index.nth(0)! < this.events.first) this.index.shift();
      if (this.test(e)) {
        this.index.push(position);
        this.matched++;
      }
    }
    return added;
  }

  /** Re-indexes the whole ring under a new filter: O(size), once per change the technician makes. */
  setFilter(filter: LogFilter): void {
    this.current = filter;
    this.test = compileFilter(filter);
    this.index.clear();
    for (let p = this.events.first; p < this.events.end; p++) {
      if (this.test(this.events.at(p)!)) this.index.push(p);
    }
    this.matched = this.index.size;
  }

  /** The i-th row that passes the filter, oldest first. */
  row(i: number): LogRow | undefined {
    const position = this.index.nth(i);
    if (position === undefined) return undefined;
    return { position, event: this.events.at(position)! };
  }

  /** The row index of ring position `position`, or of the first row after it when it is filtered out or gone. */
  rowOf(position: number): number {
    let lo = 0;
    let hi = this.index.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.index.nth(mid)! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Every row that passes the filter, oldest first (for export). */
  *rows(): IterableIterator<BootEvent> {
    for (const p of this.index.values()) yield this.events.at(p)!;
  }
}
