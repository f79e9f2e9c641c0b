import { describe, expect, it } from 'vitest';
import { createEventBus } from './events.ts';

describe('event bus', () => {
  it('keeps the newest `capacity` events in order as the ring wraps, and answers afterSeq/limit', () => {
    const bus = createEventBus({ capacity: 5, now: () => 1 });
    for (let i = 1; i <= 12; i++) bus.emit({ service: 'dhcp', level: 'info', msg: `e${i}` });
    expect(bus.recent().map((e) => e.msg)).toEqual(['e8', 'e9', 'e10', 'e11', 'e12']);
    expect(bus.recent({ afterSeq: 10 }).map((e) => e.seq)).toEqual([11, 12]);
    expect(bus.recent({ limit: 2 }).map((e) => e.msg)).toEqual(['e11', 'e12']);
  });

  it('persists in one batch per interval and keeps events when the write fails', async () => {
    const batches: number[] = [];
    let fail = true;
    const errors: string[] = [];
    const bus = createEventBus({
      persist: (b) => {
        if (fail) throw new Error('disk full');
        batches.push(b.length);
      },
      onPersistError: (e) => errors.push(e.message),
    });
    for (let i = 0; i < 3; i++) bus.emit({ service: 'tftp', level: 'info', msg: 'x' });
    await new Promise((r) => setTimeout(r, 150));
    expect(errors).toEqual(['disk full']);
    fail = false;
    bus.emit({ service: 'tftp', level: 'info', msg: 'y' });
    await new Promise((r) => setTimeout(r, 150));
    expect(batches).toEqual([4]);
  });

  it('keeps debug events live only: subscribers and the ring see them, storage does not', async () => {
    const stored: string[] = [];
    const live: string[] = [];
    const bus = createEventBus({ persist: (b) => stored.push(...b.map((e) => e.msg)) });
    bus.subscribe((e) => live.push(e.msg));
    bus.emit({ service: 'dhcp', level: 'debug', msg: 'OFFER' });
    bus.emit({ service: 'dhcp', level: 'info', msg: 'ACK' });
    await new Promise((r) => setTimeout(r, 150));
    expect(live).toEqual(['OFFER', 'ACK']);
    expect(bus.recent().map((e) => e.msg)).toEqual(['OFFER', 'ACK']);
    expect(stored).toEqual(['ACK']);
  });
});
