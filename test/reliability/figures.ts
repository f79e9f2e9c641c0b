/**
 * What the reliability tests share: the scale of their counts (RACKBOOT_RELIABILITY_SCALE) and the figure each
 * test reports (task.meta.figure, printed by figures-reporter.ts as one line per test).
 */
import type { TaskMeta } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** The test's measured figure, one line. */
    figure?: string;
  }
}

/** 1 = the counts issue 9 asks for; CI runs a fraction. */
export const SCALE = (() => {
  const raw = process.env.RACKBOOT_RELIABILITY_SCALE;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 10) throw new Error(`RACKBOOT_RELIABILITY_SCALE must be a number in (0, 10], not ${raw}`);
  return n;
})();

/** `full` scaled, never below `min`. */
export const scaled = (full: number, min = 1) => Math.max(min, Math.round(full * SCALE));

/** Records the figure on the running test (shown even when a later assertion fails). */
export function figure(meta: TaskMeta, text: string): void {
  meta.figure = text.replace(/\s+/g, ' ').trim();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
