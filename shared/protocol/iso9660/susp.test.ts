import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '../errors.ts';
import { RockRidgeCollector, suspEntries, type RockRidgeInfo } from './susp.ts';
import { ce, concat, er, nm, px, re, cl, sl, sp, st, susp, tf, time17, time7, zf } from './test-image.ts';

const collect = (...areas: Uint8Array[]): RockRidgeInfo => {
  const c = new RockRidgeCollector();
  for (const a of areas) c.add(suspEntries(a));
  return c.info;
};

describe('SUSP entries (IEEE P1281)', () => {
  it('splits an area and stops at ST', () => {
    const area = concat(sp(0), er(), st(), nm('ignored'));
    expect(suspEntries(area).map((e) => e.signature)).toEqual(['SP', 'ER']);
  });

  it.each([
    ['a length below 4', Uint8Array.of(0x4e, 0x4d, 2, 1, 0, 0)],
    ['a length past the area', Uint8Array.of(0x4e, 0x4d, 200, 1, 0, 0)],
    ['fewer than four bytes left (padding)', Uint8Array.of(0, 0, 0)],
  ])('stops quietly at %s', (_n, area) => {
    expect(suspEntries(concat(px(0o100644), area)).map((e) => e.signature)).toEqual(['PX']);
  });

  it('starts after LEN_SKP bytes', () => {
    expect(suspEntries(concat(Uint8Array.of(1, 2, 3), nm('x')), 3).map((e) => e.signature)).toEqual(['NM']);
  });

  it('returns the continuation area of a CE entry', () => {
    const c = new RockRidgeCollector();
    expect(c.add(suspEntries(concat(nm('a'), ce(40, 100, 28))))).toEqual({ lba: 40, offset: 100, length: 28 });
    expect(c.add(suspEntries(nm('b')))).toBeNull();
  });
});

describe('Rock Ridge (RRIP)', () => {
  it.each<[string, Uint8Array[], Partial<RockRidgeInfo>]>([
    ['SP with LEN_SKP and the RRIP ER', [concat(sp(4), er('IEEE_1282'))], { sp: { skip: 4 }, extensions: ['IEEE_1282'], rrip: false }],
    ['PX mode', [px(0o100755)], { mode: 0o100755, rrip: true }],
    ['NM in one piece', [nm('name.txt')], { name: 'name.txt' }],
    ['NM in pieces (flag 1 = continues)', [concat(nm('first-', 1), nm('second-', 1), nm('last'))], { name: 'first-second-last' }],
    ['NM continued in a CE area', [nm('head-', 1), nm('tail')], { name: 'head-tail' }],
    ['NM "." and ".." entries do not rename', [concat(nm('', 2), nm('real'))], { name: 'real' }],
    ['NM after the final piece is ignored', [concat(nm('one'), nm('two'))], { name: 'one' }],
    ['SL absolute path', [sl([[8, ''], [0, 'etc'], [0, 'hostname']])], { target: '/etc/hostname' }],
    ['SL relative with . and ..', [sl([[2, ''], [4, ''], [0, 'x']])], { target: './../x' }],
    ['SL root only', [sl([[8, '']])], { target: '/' }],
    ['SL component continued (flag 1) inside one entry', [sl([[1, 'abc'], [0, 'def'], [0, 'g']])], { target: 'abcdef/g' }],
    ['SL continued across entries and areas', [sl([[8, ''], [0, 'usr'], [1, 'lo']], 1), sl([[0, 'cal'], [0, 'bin']])], { target: '/usr/local/bin' }],
    ['TF short modify time with GMT offset', [tf(0x02 | 0x04, time7(2020, 1, 2, 3, 4, 5, 4), time7(2021, 1, 1, 0, 0, 0))], { mtimeMs: Date.UTC(2020, 0, 2, 2, 4, 5) }],
    ['TF creation then modify', [tf(0x01 | 0x02, time7(2001, 1, 1, 0, 0, 0), time7(2002, 2, 2, 2, 2, 2))], { mtimeMs: Date.UTC(2002, 1, 2, 2, 2, 2) }],
    ['TF LONG_FORM', [tf(0x80 | 0x01 | 0x02, time17('2001010100000000'), time17('2023111422133450'))], { mtimeMs: Date.UTC(2023, 10, 14, 22, 13, 34, 500) }],
    ['TF without a modify stamp', [tf(0x04, time7(2020, 1, 1, 0, 0, 0))], { mtimeMs: null }],
    ['TF truncated: ignored', [tf(0x02, Uint8Array.of(1, 2))], { mtimeMs: null }],
    ['RE marks a relocated directory', [re()], { relocated: true }],
    ['CL names the relocated child', [cl(1234)], { childLba: 1234 }],
    ['ZF zisofs', [zf(200000)], { zisofs: { algorithm: 'pz', headerSize: 16, blockSizeLog2: 15, size: 200000 } }],
    ['unknown and AAIP entries are ignored', [concat(susp('AL', Uint8Array.of(0, 1, 2)), susp('XX', new Uint8Array(3)), px(0o40755))], { mode: 0o40755 }],
  ])('%s', (_n, areas, want) => {
    expect(collect(...areas)).toMatchObject(want);
  });

  it.each([
    ['an SL component running past its entry', susp('SL', Uint8Array.of(0, 0, 50, 0x41))],
    ['an NM name above 4 KiB', concat(...Array.from({ length: 20 }, () => nm('x'.repeat(240), 1)))],
  ])('rejects %s with ISO_BAD_ROCK_RIDGE', (_n, area) => {
    expect(() => collect(area)).toThrow(expect.objectContaining({ code: 'ISO_BAD_ROCK_RIDGE' }) as ProtocolError);
  });
});
