import { describe, expect, it } from 'vitest';
import { contentTypeFor, etagFor, httpDate, ifNoneMatchHits, ifRangeHolds, notModifiedSince, parseRange, requestPath, type RangeDecision } from './range.ts';

const span = (start: number, end: number): RangeDecision => ({ kind: 'span', start, end });
const UNSATISFIABLE: RangeDecision = { kind: 'unsatisfiable' };

describe('Range: bytes= (RFC 9110 §14.1.2)', () => {
  it.each<[string, string, number, RangeDecision]>([
    ['first-last inside the body', 'bytes=0-99', 1000, span(0, 99)],
    ['a single byte', 'bytes=5-5', 1000, span(5, 5)],
    ['last past the end is clamped', 'bytes=900-5000', 1000, span(900, 999)],
    ['first- runs to the end', 'bytes=100-', 1000, span(100, 999)],
    ['first- at the last byte', 'bytes=999-', 1000, span(999, 999)],
    ['suffix inside the body', 'bytes=-50', 1000, span(950, 999)],
    ['suffix longer than the body means the whole body', 'bytes=-5000', 1000, span(0, 999)],
    ['unit is case-insensitive', 'Bytes=0-0', 10, span(0, 0)],
    ['whitespace around the spec', 'bytes= 1-2 ', 10, span(1, 2)],
    ['an empty list element is skipped', 'bytes=1-2,', 10, span(1, 2)],
    ['numbers beyond 2^53 clamp like any other last-pos', 'bytes=0-99999999999999999999999', 10, span(0, 9)],
  ])('%s: %s of %i bytes', (_why, header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each<[string, string, number]>([
    ['first at the size', 'bytes=1000-', 1000],
    ['first past the size', 'bytes=2000-3000', 1000],
    ['zero-length suffix', 'bytes=-0', 1000],
    ['any first-pos on an empty body', 'bytes=0-', 0],
    ['a huge first-pos', 'bytes=99999999999999999999999-', 10],
  ])('unsatisfiable (416): %s', (_why, header, size) => {
    expect(parseRange(header, size)).toEqual(UNSATISFIABLE);
  });

  it.each<[string, string, number]>([
    ['several ranges (no multipart/byteranges)', 'bytes=0-1,5-6', 1000],
    ['another unit', 'items=0-1', 1000],
    ['no unit at all', '0-99', 1000],
    ['last before first', 'bytes=10-5', 1000],
    ['a lone dash', 'bytes=-', 1000],
    ['a negative number', 'bytes=--5', 1000],
    ['letters', 'bytes=a-b', 1000],
    ['an exponent', 'bytes=1e3-', 1000],
    ['a decimal point', 'bytes=1.5-2', 1000],
    ['an empty set', 'bytes=', 1000],
    ['a space inside a number', 'bytes=1 0-20', 1000],
    ['suffix on an empty body (nothing to point a Content-Range at)', 'bytes=-5', 0],
  ])('ignored, whole body served: %s (%s of %i bytes)', (_why, header, size) => {
    expect(parseRange(header, size).kind).toBe('ignore');
  });
});

describe('content types', () => {
  it.each([
    ['EFI/BOOT/BOOTX64.EFI', 'application/efi'],
    ['grubx64.efi', 'application/efi'],
    ['images/ubuntu-24.04.iso', 'application/vnd.efi-iso'],
    ['disk.IMG', 'application/vnd.efi-img'],
    ['boot.ipxe', 'text/plain; charset=utf-8'],
    ['grub/grub.cfg', 'text/plain; charset=utf-8'],
    ['pxelinux.cfg/default', 'application/octet-stream'],
    ['notes.txt', 'text/plain; charset=utf-8'],
    ['ks/rhel9.ks', 'text/plain; charset=utf-8'],
    ['d-i/preseed', 'text/plain; charset=utf-8'],
    ['d-i/bookworm.seed', 'text/plain; charset=utf-8'],
    ['autoinstall/host1/user-data', 'text/plain; charset=utf-8'],
    ['autoinstall/host1/meta-data', 'text/plain; charset=utf-8'],
    ['api/state.json', 'application/json'],
    ['vmlinuz', 'application/octet-stream'],
    ['initrd.img-6.1', 'application/octet-stream'],
    ['undionly.kpxe', 'application/octet-stream'],
    ['weird.constructor', 'application/octet-stream'],
    ['x.__proto__', 'application/octet-stream'],
    ['user-data/vmlinuz', 'application/octet-stream'],
  ])('%s is %s', (path, type) => {
    expect(contentTypeFor(path)).toBe(type);
  });
});

describe('validators and conditionals (RFC 9110 §13)', () => {
  const mtime = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const tag = etagFor(1234, mtime);

  it('makes a strong tag that changes with size and mtime', () => {
    expect(tag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(etagFor(1235, mtime)).not.toBe(tag);
    expect(etagFor(1234, mtime + 1)).not.toBe(tag);
    expect(etagFor(1234, mtime + 0.25)).toBe(tag);
  });

  it('writes Last-Modified as IMF-fixdate in whole seconds', () => {
    expect(httpDate(mtime)).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
  });

  it.each<[string, string, boolean]>([
    ['the same tag', tag, true],
    ['the weak form of the tag (weak comparison)', `W/${tag}`, true],
    ['a list holding the tag', `"nope", ${tag}`, true],
    ['a list with empty elements', `"nope",, ${tag}`, true],
    ['a star', '*', true],
    ['another tag', '"abc"', false],
    ['an unquoted tag', tag.slice(1, -1), false],
    ['a malformed list', `${tag} junk`, false],
    ['an empty header', '', false],
  ])('If-None-Match with %s -> %s', (_why, header, hit) => {
    expect(ifNoneMatchHits(header, tag)).toBe(hit);
  });

  it.each<[string, string, boolean]>([
    ['the Last-Modified date itself', httpDate(mtime), true],
    ['a later date', 'Sat, 03 Jan 2026 00:00:00 GMT', true],
    ['one second earlier', 'Fri, 02 Jan 2026 03:04:04 GMT', false],
    ['garbage', 'yesterday-ish', false],
  ])('If-Modified-Since %s -> not modified: %s', (_why, header, notModified) => {
    expect(notModifiedSince(header, mtime)).toBe(notModified);
  });

  it.each<[string, string, boolean]>([
    ['the current tag', tag, true],
    ['a weak tag (If-Range needs a strong match)', `W/${tag}`, false],
    ['another tag', '"abc"', false],
    ['two tags', `${tag}, ${tag}`, false],
    ['the exact Last-Modified date', httpDate(mtime), true],
    ['a later date (must be exact)', 'Sat, 03 Jan 2026 00:00:00 GMT', false],
    ['garbage', 'soon', false],
  ])('If-Range with %s -> range applies: %s', (_why, header, holds) => {
    expect(ifRangeHolds(header, tag, mtime)).toBe(holds);
  });
});

describe('request targets', () => {
  it.each([
    ['/boot.ipxe', 'boot.ipxe'],
    ['/EFI/BOOT/BOOTX64.EFI', 'EFI/BOOT/BOOTX64.EFI'],
    ['/boot.ipxe?mac=52:54:00:12:34:56&arch=x64', 'boot.ipxe'],
    ['/a%20b/c%3Fd', 'a b/c?d'],
    ['//double//slashes/./x', 'double/slashes/x'],
    ['/grub\\grub.cfg', 'grub/grub.cfg'],
    ['/%252e%252e/x', '%2e%2e/x'],
    ['/...', '...'],
    ['http://10.0.0.1:8080/images/x.iso', 'images/x.iso'],
    ['/%E2%82%AC.txt', '€.txt'],
  ])('%s -> %s', (target, path) => {
    expect(requestPath(target)).toEqual({ ok: true, path });
  });

  it.each<[string, string, 400 | 404, string]>([
    ['a parent segment', '/../etc/passwd', 400, 'PATH_TRAVERSAL'],
    ['an encoded parent segment', '/%2e%2e/x', 400, 'PATH_TRAVERSAL'],
    ['encoded slashes around parents', '/..%2f..%2fetc/passwd', 400, 'PATH_TRAVERSAL'],
    ['backslash parents', '/..\\..\\etc\\passwd', 400, 'PATH_TRAVERSAL'],
    ['an encoded backslash parent', '/a/..%5c..%5cb', 400, 'PATH_TRAVERSAL'],
    ['a parent in the middle', '/a/b/../../../c', 400, 'PATH_TRAVERSAL'],
    ['an encoded NUL', '/a%00b', 400, 'PATH_NUL'],
    ['broken percent-encoding', '/a%zzb', 400, 'HTTP_BAD_ENCODING'],
    ['a truncated escape', '/a%2', 400, 'HTTP_BAD_ENCODING'],
    ['invalid UTF-8', '/%ff', 400, 'HTTP_BAD_ENCODING'],
    ['asterisk-form', '*', 400, 'HTTP_BAD_TARGET'],
    ['authority-form', 'example.com:80', 400, 'HTTP_BAD_TARGET'],
    ['the root', '/', 404, 'PATH_EMPTY'],
    ['only dots and slashes', '/././/', 404, 'PATH_EMPTY'],
  ])('refuses %s: %s -> %i', (_why, target, status, code) => {
    expect(requestPath(target)).toMatchObject({ ok: false, status, code });
  });
});
