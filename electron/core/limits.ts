/**
 * Per-client limits the boot services share (issue 9): a token bucket per client key and a counter of what a
 * limit dropped, reported as one warning per key per interval. Both keep a bounded number of keys, so a flood
 * from many made-up sources costs a fixed amount of memory.
 */

export interface RateLimiter {
  /** True when `key` may send one more packet now (a token is taken); false when it is over its rate. */
  take(key: string, now?: number): boolean;
  /** Keys tracked now (bounded by maxKeys). */
  size(): number;
}

export interface RateLimitOptions {
  /** Sustained packets per second per key. */
  perSecond: number;
  /** Packets a quiet key may send at once; twice the rate by default. */
  burst?: number;
  /** Keys kept; the oldest is forgotten first (a forgotten key starts again with a full bucket). */
  maxKeys?: number;
}

const nowMs = () => performance.now();

export function createRateLimiter(opts: RateLimitOptions): RateLimiter {
  const rate = opts.perSecond / 1000;
  const burst = Math.max(1, opts.burst ?? opts.perSecond * 2);
  const maxKeys = opts.maxKeys ?? 4096;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, now = nowMs()) {
      let b = buckets.get(key);
      if (!b) {
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
        b = { tokens: burst, at: now };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(burst, b.tokens + (now - b.at) * rate);
        b.at = now;
      }
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    size: () => buckets.size,
  };
}

export interface LimitReport {
  key: string;
  /** What was dropped for this key since its last report (including this one). */
  dropped: number;
  /** Milliseconds the count covers. */
  ms: number;
}

/**
 * Counts drops per key and hands back a report at most once per `intervalMs` per key (the first drop reports at
 * once): a flood becomes one warning every few seconds, never one per packet.
 */
export function createLimitReporter(opts: { intervalMs?: number; maxKeys?: number } = {}) {
  const interval = opts.intervalMs ?? 5000;
  const maxKeys = opts.maxKeys ?? 1024;
  const pending = new Map<string, { dropped: number; since: number; last: number }>();
  return {
    /** Counts one drop; returns a report when one is due. */
    drop(key: string, now = nowMs()): LimitReport | null {
      let p = pending.get(key);
      if (!p) {
        if (pending.size >= maxKeys) pending.delete(pending.keys().next().value!);
        p = { dropped: 0, since: now, last: -Infinity };
        pending.set(key, p);
      }
      p.dropped++;
      if (now - p.last < interval) return null;
      const report = { key, dropped: p.dropped, ms: Math.round(now - p.since) };
      p.dropped = 0;
      p.since = now;
      p.last = now;
      return report;
    },
    size: () => pending.size,
  };
}
