import { describe, expect, it } from 'vitest';
import type { BootEvent } from '../../../../shared/model/event.ts';
import type { BootStage } from '../../../../shared/model/stage.ts';
import { addMarks, buildTimeline, latestBoot, stageMarks, type StageMark } from './timeline.ts';

const MAC = '52:54:00:00:00:01';
const stageEvent = (seq: number, ts: number, stage: BootStage, extra: Record<string, unknown> = {}, mac = MAC): BootEvent => ({
  seq,
  ts,
  service: 'core',
  level: 'info',
  mac,
  msg: `${mac}: ${stage}`,
  fields: { stage, progress: 0, ...extra },
});
const stages = (marks: StageMark[]) => marks.map((m) => m.stage);

describe('boot timeline from events', () => {
  it('takes stage events only: with a MAC and a known stage, bytes and ms when they are numbers', () => {
    const events: BootEvent[] = [
      stageEvent(1, 1000, 'dhcp'),
      { seq: 2, ts: 1001, service: 'dhcp', level: 'info', mac: MAC, msg: 'OFFER', fields: {} },
      { seq: 3, ts: 1002, service: 'core', level: 'info', msg: 'no mac', fields: { stage: 'kernel' } },
      stageEvent(4, 1003, 'bootloader', { bytes: 1024, ms: 12 }),
      { ...stageEvent(5, 1004, 'kernel'), fields: { stage: 'warp-drive' } },
      stageEvent(6, 1005, 'kernel', { bytes: '9', ms: null }),
    ];
    const marks = stageMarks(events);
    expect(marks.map((m) => [m.seq, m.stage, m.bytes, m.ms])).toEqual([
      [1, 'dhcp', null, null],
      [4, 'bootloader', 1024, 12],
      [6, 'kernel', null, null],
    ]);
  });

  it('keeps the DHCP of a chain-loaded iPXE in the same boot, and starts a new boot at DHCP after the kernel', () => {
    const chain = stageMarks([
      stageEvent(1, 0, 'dhcp'),
      stageEvent(2, 1, 'bootloader'),
      stageEvent(3, 2, 'dhcp'), // iPXE asks again
      stageEvent(4, 3, 'config'),
      stageEvent(5, 4, 'kernel'),
      stageEvent(6, 5, 'initrd'),
    ]);
    expect(stages(latestBoot(chain))).toEqual(['dhcp', 'bootloader', 'dhcp', 'config', 'kernel', 'initrd']);
    const reboot = [...chain, ...stageMarks([stageEvent(7, 10, 'dhcp'), stageEvent(8, 11, 'local')])];
    expect(stages(latestBoot(reboot))).toEqual(['dhcp', 'local']);
  });

  it('measures the time between stages and since the first, in sequence order', () => {
    const marks = stageMarks([stageEvent(3, 9_500, 'kernel', { bytes: 8_000_000, ms: 900 }), stageEvent(1, 1_000, 'dhcp'), stageEvent(2, 1_400, 'bootloader')]);
    const t = buildTimeline(marks);
    expect(t.map((e) => [e.stage, e.sincePrev, e.sinceStart, e.bytes])).toEqual([
      ['dhcp', null, 0, null],
      ['bootloader', 400, 400, null],
      ['kernel', 8_100, 8_500, 8_000_000],
    ]);
    expect(buildTimeline([])).toEqual([]);
  });

  it('adds marks per MAC, each sequence number once, the newest `limit` kept', () => {
    const other = '52:54:00:00:00:02';
    let by = addMarks({}, stageMarks([stageEvent(1, 0, 'dhcp'), stageEvent(2, 0, 'dhcp', {}, other)]));
    by = addMarks(by, stageMarks([stageEvent(1, 0, 'dhcp'), stageEvent(3, 1, 'bootloader'), stageEvent(4, 2, 'config')]), 2);
    expect(Object.keys(by).sort()).toEqual([MAC, other]);
    expect(by[MAC]!.map((m) => m.seq)).toEqual([3, 4]);
    expect(by[other]!.map((m) => m.seq)).toEqual([2]);
    const same = addMarks(by, []);
    expect(same).toBe(by);
  });
});
