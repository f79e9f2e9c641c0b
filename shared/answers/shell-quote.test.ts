import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, callbackCommand, callbackUrl, shJoin, shQuote, shUnquote, takeQuotedWord } from './shell-quote.ts';

describe('shell quoting', () => {
  it.each([
    ['empty', ''],
    ['plain', 'abc'],
    ['a single quote', "it's"],
    ['only quotes', "'''"],
    ['metacharacters', '$(rm -rf /) `id` ${x} ; | & > < * ? [ ] # ~ \\ "'],
    ['newlines and tabs', 'a\nb\tc\r\n'],
    ['unicode', 'é 漢字 \u2028 🚀'],
  ])('%s: shUnquote(shQuote(s)) = s, one word', (_, s) => {
    const q = shQuote(s);
    expect(shUnquote(q)).toBe(s);
    expect(takeQuotedWord(`${q} rest`)).toEqual({ value: s, rest: ' rest' });
  });

  it('refuses NUL; shUnquote refuses anything shQuote would not write', () => {
    expect(() => shQuote('a\0b')).toThrow();
    for (const w of ['abc', "'unterminated", '"double"', "'a'b", "'a'\\\"", '']) expect(shUnquote(w)).toBeNull();
  });

  it('shJoin quotes only the words that need it', () => {
    expect(shJoin(['curtin', 'in-target', '--', 'sh', '-c', "echo 'x' > /y"])).toBe("curtin in-target -- sh -c 'echo '\\''x'\\'' > /y'");
  });
});

describe('base64 over UTF-8 (RFC 4648 §10 vectors)', () => {
  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
    ['é', 'w6k='],
    ['漢', '5ryi'],
    ['🚀', '8J+agA=='],
  ])('%j <-> %s', (text, b64) => {
    expect(base64Encode(text)).toBe(b64);
    expect(base64Decode(b64)).toBe(text);
  });

  it.each([['Zg='], ['Zg==='], ['Z g=='], ['Zh=='], ['/w=='], ['wA=='], ['7aCA']])('refuses non-canonical or non-UTF-8 %s', (b64) => {
    expect(base64Decode(b64)).toBeNull();
  });
});

describe('callback commands', () => {
  it('never fail, and read back to their URL', () => {
    const url = 'http://198.18.0.1:8080/api/callback/52-54-00-ab-cd-ef/started?token=abc';
    for (const gnuWget of [true, false]) {
      const c = callbackCommand(url, { gnuWget });
      expect(c.endsWith(' || true')).toBe(true);
      expect(callbackUrl(c)).toBe(url);
    }
    expect(() => callbackCommand("http://x/'; reboot; '", { gnuWget: true })).toThrow();
    expect(callbackUrl("wget -q -O /dev/null 'http://x/a' || reboot")).toBeNull();
  });
});
