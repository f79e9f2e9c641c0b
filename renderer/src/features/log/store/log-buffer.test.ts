import { describe, expect, it } from 'vitest';
import type { BootEvent, ServiceName } from '../../../../../shared/model/event.ts';
import { DEFAULT_FILTER } from './filter.ts';
import { LOG_CAPACITY, LogBuffer } from './log-buffer.ts';

const SVC: ServiceName[] = ['dhcp', 'tftp', 'http', 'core'];
const ev = (seq: number): BootEvent => ({
  seq,
  ts: seq,
  service: SVC[seq % 4]!,
  level: seq % 10 === 0 ? 'warn' : 'info',
  mac: `52:54:00:00:00:${(seq % 16).toString(16).padStart(2, '0')}`,
  msg: `event ${seq}`,
  fields: {},
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));
const seqs = (b: LogBuffer) => [...b.rows()].map((e) => e.seq);

/** Storage that counts every element read and write: the guard counts work instead of timing it. */
function countingStorage() {
  const ops = { get: 0, set: 0 };
  const make = <T,>(n: number): T[] =>
    new Proxy(new Array<T>(n), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) ops.get++;
        return Reflect.get(target, key, receiver) as unknown;
      },
      set(target, key, value, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) ops.set++;
        return Reflect.set(target, key, value, receiver);
      },
    });
  return { ops, storage: { events: make<BootEvent>, index: make<number> } };
}

describe('LogBuffer', () => {
  it('keeps the newest events up to capacity, in order', () => {
    const b = new LogBuffer(5);
    b.append(range(1, 3));
    expect(seqs(b)).toEqual([1, 2, 3]);
    b.append(range(4, 8));
    expect(seqs(b)).toEqual([4, 5, 6, 7, 8]);
    expect(b.size).toBe(5);
  });

  it('takes each sequence number once (a replay after a reconnect adds nothing)', () => {
    const b = new LogBuffer(10);
    expect(b.append(range(1, 4))).toBe(4);
    expect(b.append(range(3, 6))).toBe(2);
    expect(b.append(range(1, 6))).toBe(0);
    expect(seqs(b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(b.lastSeq).toBe(6);
  });

  it('indexes only the rows that pass the filter, and re-indexes when it changes', () => {
    const b = new LogBuffer(100, { ...DEFAULT_FILTER, services: ['tftp'] });
    b.append(range(1, 12));
    expect(seqs(b)).toEqual([1, 5, 9]);
    expect(b.rowCount).toBe(3);
    expect(b.row(1)?.event.seq).toBe(5);
    expect(b.row(3)).toBeUndefined();
    b.setFilter({ ...DEFAULT_FILTER, minLevel: 'warn' });
    expect(seqs(b)).toEqual([10]);
    expect(b.matched).toBe(1);
    b.append(range(13, 20));
    expect(seqs(b)).toEqual([10, 20]);
    expect(b.matched).toBe(2);
  });

  it('drops index entries whose events fell off the ring', () => {
    const b = new LogBuffer(4, { ...DEFAULT_FILTER, services: ['tftp'] }); // seq 1, 5, 9, ...
    b.append(range(1, 6));
    expect(seqs(b)).toEqual([5]); // 1 fell off with 2
    b.append(range(7, 12));
    expect(seqs(b)).toEqual([9]);
    expect(b.rowCount).toBe(1);
  });

  it('finds a row by ring position, or the next row when that event is filtered out or gone', () => {
    const b = new LogBuffer(6, { ...DEFAULT_FILTER, services: ['tftp', 'http'] }); // seq 1,2,5,6,9,10
    b.append(range(1, 10)); // kept: 5..10 at positions 4..9; rows: 5,6,9,10
    expect(seqs(b)).toEqual([5, 6, 9, 10]);
    expect(b.rowOf(4)).toBe(0); // seq 5
    expect(b.rowOf(8)).toBe(2); // seq 9
    expect(b.rowOf(6)).toBe(2); // seq 7 is dhcp: the next row
    expect(b.rowOf(0)).toBe(0); // fell off: the first row
    expect(b.rowOf(50)).toBe(4); // past the end
    expect(b.row(b.rowOf(8))?.position).toBe(8);
  });

  it('performance guard: 100,000 events in batches of 1,000 cost O(batch) each and keep 100,000', () => {
    const { ops, storage } = countingStorage();
    const b = new LogBuffer(LOG_CAPACITY, { ...DEFAULT_FILTER, services: ['tftp', 'http'] }, storage);
    const BATCH = 1000;
    let worst = 0;
    // Twice the capacity: the second half runs with a full ring, where eviction happens on every push.
    for (let start = 1; start <= 2 * LOG_CAPACITY; start += BATCH) {
      const before = ops.get + ops.set;
      b.append(range(start, start + BATCH - 1));
      worst = Math.max(worst, ops.get + ops.set - before);
    }
    expect(b.size).toBe(LOG_CAPACITY);
    expect(b.rowCount).toBe(LOG_CAPACITY / 2);
    expect(b.row(0)?.event.seq).toBe(LOG_CAPACITY + 1);
    expect(b.row(b.rowCount - 1)?.event.seq).toBe(2 * LOG_CAPACITY - 2); // seq % 4 === 2: http
    // Per event: one ring write, an index head read and maybe a shift, an index write. Anything that copies,
    // splices or re-filters the ring per batch costs ~100,000 here and fails.
    expect(worst).toBeLessThanOrEqual(4 * BATCH);
  });

  it('performance guard: the filter walk is O(size), once per change', () => {
    const { ops, storage } = countingStorage();
    const b = new LogBuffer(10_000, DEFAULT_FILTER, storage);
    b.append(range(1, 10_000));
    const before = ops.get + ops.set;
    b.setFilter({ ...DEFAULT_FILTER, minLevel: 'warn' });
    expect(b.rowCount).toBe(1000);
    expect(ops.get + ops.set - before).toBeLessThanOrEqual(10_000 + 1000);
  });
});
