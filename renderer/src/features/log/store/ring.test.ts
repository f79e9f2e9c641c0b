import { describe, expect, it } from 'vitest';
import { Ring } from './ring.ts';

describe('Ring', () => {
  it('keeps positions while filling, then drops the oldest once full', () => {
    const r = new Ring<string>(3);
    expect([r.push('a'), r.push('b'), r.push('c')]).toEqual([0, 1, 2]);
    expect([r.first, r.end, r.size]).toEqual([0, 3, 3]);
    expect(r.push('d')).toBe(3);
    expect([r.first, r.end, r.size]).toEqual([1, 4, 3]);
    expect([...r.values()]).toEqual(['b', 'c', 'd']);
    expect(r.at(0)).toBeUndefined(); // fell off
    expect(r.at(3)).toBe('d');
    expect(r.at(4)).toBeUndefined(); // not pushed yet
    expect(r.nth(0)).toBe('b');
  });

  it('wraps around many times without moving values', () => {
    const r = new Ring<number>(5);
    for (let i = 0; i < 1003; i++) r.push(i * 10);
    expect([...r.values()]).toEqual([998, 999, 1000, 1001, 1002].map((i) => i * 10));
    expect(r.at(1000)).toBe(10000);
  });

  it('shift and clear forget values but never reuse a position', () => {
    const r = new Ring<string>(4);
    r.push('a');
    r.push('b');
    r.shift();
    expect([...r.values()]).toEqual(['b']);
    r.clear();
    expect(r.size).toBe(0);
    expect(r.push('c')).toBe(2);
    r.shift();
    r.shift(); // on empty: nothing happens
    expect([r.size, r.first, r.end]).toEqual([0, 3, 3]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s', (c) => {
    expect(() => new Ring(c)).toThrow(RangeError);
  });
});
