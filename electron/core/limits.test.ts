import { describe, expect, it } from 'vitest';
import { createLimitReporter, createRateLimiter } from './limits.ts';

describe('createRateLimiter', () => {
  it('lets a quiet key send its burst at once, then its rate', () => {
    const l = createRateLimiter({ perSecond: 10, burst: 20 });
    const sent = Array.from({ length: 30 }, () => l.take('a', 0)).filter(Boolean).length;
    expect(sent).toBe(20);
    // 10 per second: after 500 ms, 5 more.
    expect(Array.from({ length: 10 }, () => l.take('a', 500)).filter(Boolean).length).toBe(5);
  });

  it('keeps keys apart: one flooding key does not spend another key\'s tokens', () => {
    const l = createRateLimiter({ perSecond: 5 });
    for (let i = 0; i < 1000; i++) l.take('flood', i / 10);
    expect(l.take('flood', 100)).toBe(false);
    expect(l.take('quiet', 100)).toBe(true);
  });

  it('never refills past the burst', () => {
    const l = createRateLimiter({ perSecond: 100, burst: 3 });
    l.take('a', 0);
    expect(Array.from({ length: 10 }, () => l.take('a', 1_000_000)).filter(Boolean).length).toBe(3);
  });

  it('tracks a bounded number of keys: a flood of made-up sources costs fixed memory', () => {
    const l = createRateLimiter({ perSecond: 1, maxKeys: 100 });
    for (let i = 0; i < 100_000; i++) l.take(`198.18.${i >> 8}.${i & 255}`, 0);
    expect(l.size()).toBe(100);
  });
});

describe('createLimitReporter', () => {
  it('reports the first drop at once, then at most once per interval with the count since the last report', () => {
    const r = createLimitReporter({ intervalMs: 5000 });
    expect(r.drop('a', 0)).toEqual({ key: 'a', dropped: 1, ms: 0 });
    for (let t = 1; t < 5000; t += 10) expect(r.drop('a', t)).toBeNull();
    expect(r.drop('a', 5000)).toEqual({ key: 'a', dropped: 501, ms: 5000 });
    expect(r.drop('b', 5001)).toEqual({ key: 'b', dropped: 1, ms: 0 });
  });

  it('tracks a bounded number of keys', () => {
    const r = createLimitReporter({ maxKeys: 10 });
    for (let i = 0; i < 1000; i++) r.drop(String(i), i);
    expect(r.size()).toBe(10);
  });
});
