import { describe, expect, it } from 'vitest';
import type { ImageEntry } from '../protocol/image.ts';
import { encodeUtf8, memorySource, sourceFromEntries } from './source.ts';
import { lines, looksBinary, utf8 } from './text.ts';

describe('utf8', () => {
  it.each([
    ['ascii', [0x61, 0x62], 'ab'],
    ['BOM dropped', [0xef, 0xbb, 0xbf, 0x61], 'a'],
    ['2, 3 and 4 byte forms', [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], 'é€😀'],
    ['overlong', [0xc0, 0xaf], '\ufffd\ufffd'],
    ['surrogate encoded', [0xed, 0xa0, 0x80], '\ufffd'],
    ['truncated sequence', [0xe2, 0x82], '\ufffd'],
    ['stray continuation', [0x80, 0x61], '\ufffda'],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], '\ufffd'],
  ])('%s', (_why, bytes, text) => expect(utf8(Uint8Array.from(bytes))).toBe(text));
  it('round-trips long text with encodeUtf8', () => {
    const text = 'Ubuntu 24.04 "Noble Numbat" – Привет 你好 '.repeat(500);
    expect(utf8(encodeUtf8(text))).toBe(text);
  });
});

describe('lines and binary sniffing', () => {
  it('splits on LF, CRLF and CR, bounded', () => {
    expect(lines('a\r\nb\nc\rd')).toEqual(['a', 'b', 'c', 'd']);
    expect(lines('x\n'.repeat(10), 3)).toEqual(['x', 'x', 'x']);
    expect(lines('y'.repeat(10), 5, 4)).toEqual(['yyyy']);
  });
  it.each([
    ['text', '[general]\nname = x\n', false],
    ['empty', '', false],
    ['NULs', '\u0000\u0000\u0000abc', true],
    ['replacement characters', '\ufffd'.repeat(20), true],
  ])('%s', (_why, text, binary) => expect(looksBinary(text)).toBe(binary));
});

const entry = (path: string, type: ImageEntry['type'], size = 0, target: string | null = null): ImageEntry => ({
  path,
  name: path.split('/').pop() ?? '',
  type,
  size,
  mode: null,
  mtimeMs: null,
  target,
  extents: [],
});

describe('sourceFromEntries', () => {
  const entries = [
    entry('', 'dir'),
    entry('DISTS', 'dir'),
    entry('DISTS/BOOKWORM', 'dir'),
    entry('DISTS/BOOKWORM/RELEASE;1', 'file', 5000),
    entry('DISTS/stable', 'symlink', 0, 'BOOKWORM'),
    entry('dists/stable', 'file', 1),
    entry('loop', 'symlink', 0, 'loop'),
    entry('up', 'symlink', 0, '/DISTS/stable/RELEASE'),
  ];
  const reads: Array<[string, number, number]> = [];
  const src = sourceFromEntries('  LABEL  ', entries, async (e, offset, length) => {
    reads.push([e.path, offset, length]);
    return new Uint8Array(length).fill(0x41);
  });

  it('trims the label, looks up case-insensitively, first duplicate wins', () => {
    expect(src.label).toBe('LABEL');
    expect(src.stat('dists/bookworm/release')).toEqual({ path: 'DISTS/BOOKWORM/RELEASE;1', type: 'file', size: 5000 });
    expect(src.stat('Dists/Stable')?.type).toBe('symlink');
    expect(src.list('dists').sort()).toEqual(['BOOKWORM', 'stable']);
    expect(src.list('dists/bookworm/release')).toEqual([]);
    expect(src.list('missing')).toEqual([]);
  });

  it('reads capped prefixes, follows symlinks, refuses loops and directories', async () => {
    expect((await src.read('dists/bookworm/release', 100))!.length).toBe(100);
    expect((await src.read('dists/stable/release', 1 << 20))!.length).toBe(5000);
    expect((await src.read('up', 10))!.length).toBe(10);
    expect(await src.read('loop', 10)).toBeNull();
    expect(await src.read('dists', 10)).toBeNull();
    expect(await src.read('nope', 10)).toBeNull();
    expect(reads.every(([, offset, length]) => offset === 0 && length <= 5000)).toBe(true);
  });
});

describe('memorySource', () => {
  it('implies directories, sizes without content read as zeros', async () => {
    const src = memorySource('L', { 'a/b/c.txt': 'hi', 'big.img': 10, 'empty/': '' });
    expect(src.stat('a/b')?.type).toBe('dir');
    expect(src.stat('empty')?.type).toBe('dir');
    expect(await src.read('big.img', 4)).toEqual(new Uint8Array(4));
    expect(utf8((await src.read('A/B/C.TXT', 100))!)).toBe('hi');
  });
});
