/**
 * A machine's boot timeline from the event stream (CONVENTIONS §4): the core emits one event per stage reached,
 * with `mac` and `fields.stage` (plus `bytes` and `ms` for a transfer). Pure, so it is tested without a DOM.
 */
import type { BootEvent } from '../../../../shared/model/event.ts';
import { BOOT_STAGES, type BootStage } from '../../../../shared/model/stage.ts';

/** One stage event, reduced to what the timeline shows. */
export interface StageMark {
  seq: number;
  ts: number;
  mac: string;
  stage: BootStage;
  bytes: number | null;
  ms: number | null;
  msg: string;
}

export interface TimelineEntry extends StageMark {
  /** Milliseconds since the previous stage of this boot; null for the first. */
  sincePrev: number | null;
  /** Milliseconds since the boot's first stage. */
  sinceStart: number;
}

const isStage = (x: unknown): x is BootStage => typeof x === 'string' && (BOOT_STAGES as readonly string[]).includes(x);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The stage events in a batch (others are ignored). */
export function stageMarks(events: readonly BootEvent[]): StageMark[] {
  const out: StageMark[] = [];
  for (const e of events) {
    const stage = e.fields?.stage;
    if (!e.mac || !isStage(stage)) continue;
    out.push({ seq: e.seq, ts: e.ts, mac: e.mac, stage, bytes: num(e.fields.bytes), ms: num(e.fields.ms), msg: e.msg });
  }
  return out;
}

const CONFIG = BOOT_STAGES.indexOf('config');

/**
 * The marks of the latest boot: as the core does (electron/core/boot/machines.ts), a DHCP exchange after the
 * kernel was fetched starts a new boot, while the DHCP of a chain-loaded iPXE belongs to the same one.
 */
export function latestBoot(marks: readonly StageMark[]): StageMark[] {
  let start = 0;
  let pastConfig = false;
  marks.forEach((m, i) => {
    if (m.stage === 'dhcp' && pastConfig) {
      start = i;
      pastConfig = false;
    }
    if (BOOT_STAGES.indexOf(m.stage) > CONFIG) pastConfig = true;
  });
  return marks.slice(start);
}

/** The latest boot with the time between stages. */
export function buildTimeline(marks: readonly StageMark[]): TimelineEntry[] {
  const boot = latestBoot([...marks].sort((a, b) => a.seq - b.seq));
  const t0 = boot[0]?.ts ?? 0;
  return boot.map((m, i) => ({ ...m, sincePrev: i === 0 ? null : m.ts - boot[i - 1]!.ts, sinceStart: m.ts - t0 }));
}

/** Adds a batch to per-machine marks, keeping each MAC's newest `limit` and each sequence number once. */
export function addMarks(by: Readonly<Record<string, StageMark[]>>, fresh: readonly StageMark[], limit = 100): Record<string, StageMark[]> {
  if (!fresh.length) return by as Record<string, StageMark[]>;
  const next: Record<string, StageMark[]> = { ...by };
  for (const m of fresh) {
    const list = next[m.mac] ?? [];
    if (list.some((x) => x.seq === m.seq)) continue;
    next[m.mac] = [...list, m].sort((a, b) => a.seq - b.seq).slice(-limit);
  }
  return next;
}
