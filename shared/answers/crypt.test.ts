import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex } from '../protocol/bytes.ts';
import { commonProfileSchema, CRYPT_SHA512, type CommonProfile, type CommonProfileInput } from './profile.ts';
import {
  hashPasswordInput,
  hashProfileSecrets,
  hasPlainSecrets,
  parseSha512CryptSetting,
  saltFromBytes,
  Sha512,
  sha512,
  sha512Crypt,
  utf8Bytes,
  verifySha512Crypt,
} from './crypt.ts';

const ascii = (s: string) => utf8Bytes(s);

describe('sha512', () => {
  // FIPS 180-2 appendix C / NIST CSRC "SHA-512 examples with intermediate values".
  it.each([
    ['empty', '', 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
    ['"abc" (one block)', 'abc', 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
    [
      '448 bits',
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445',
    ],
    [
      '896 bits (two blocks)',
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    ],
  ])('%s', (_name, input, digest) => {
    expect(hex(sha512(ascii(input)))).toBe(digest);
  });

  it('one million "a" (FIPS 180-2 C.3), fed in uneven pieces', () => {
    const h = new Sha512();
    const chunk = new Uint8Array(997).fill(0x61);
    let left = 1_000_000;
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      h.update(chunk.subarray(0, n));
      left -= n;
    }
    expect(hex(h.digest())).toBe('e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b');
  });

  it('agrees with node:crypto at every length around the padding boundaries (0..300 bytes)', () => {
    for (let n = 0; n <= 300; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      expect(hex(sha512(data)), `length ${n}`).toBe(createHash('sha512').update(data).digest('hex'));
    }
  });

  it('digest() resets the hasher for reuse', () => {
    const h = new Sha512();
    h.update(ascii('something else'));
    h.digest();
    expect(hex(h.update(ascii('abc')).digest())).toBe(hex(sha512(ascii('abc'))));
  });
});

describe('utf8Bytes', () => {
  it.each([
    ['ASCII', 'abc'],
    ['two-byte', 'pässwörd'],
    ['three-byte', 'パスワード€'],
    ['four-byte (surrogate pair)', 'key🔑'],
    ['lone surrogate becomes U+FFFD', 'a\ud800b'],
  ])('%s matches Buffer.from', (_name, text) => {
    expect(hex(utf8Bytes(text))).toBe(Buffer.from(text, 'utf8').toString('hex'));
  });
});

describe('sha512Crypt', () => {
  // Every SHA-512 test vector of Drepper's "Unix crypt using SHA-256 and SHA-512" (the spec's tests[] table).
  it.each([
    ['$6$saltstring', 'Hello world!', '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
    [
      '$6$rounds=10000$saltstringsaltstring',
      'Hello world!',
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    ],
    [
      '$6$rounds=5000$toolongsaltstring',
      'This is just a test',
      '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
    ],
    [
      '$6$rounds=1400$anotherlongsaltstring',
      'a very much longer text to encrypt.  This one even stretches over morethan one line.',
      '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
    ],
    [
      '$6$rounds=77777$short',
      'we have a short salt string but not a short password',
      '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
    ],
    [
      '$6$rounds=123456$asaltof16chars..',
      'a short string',
      '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
    ],
    [
      '$6$rounds=10$roundstoolow',
      'the minimum number is still observed',
      '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
    ],
  ])('spec vector %s', (setting, password, expected) => {
    expect(sha512Crypt(password, setting)).toBe(expected);
    expect(expected).toMatch(CRYPT_SHA512);
    expect(verifySha512Crypt(password, expected)).toBe(true);
  });

  it('takes an empty salt as glibc does (PHP crypt_sha512.phpt vector 8)', () => {
    const h = '$6$$QMXjqd7rHQZPQ1yHsXkQqC1FBzDiVfTHXL.LaeDAeVV.IzMaV9VU4MQ8kPuZa2SOP1A0RPm772EaFYjpEJtdu.';
    expect(sha512Crypt('foo', '$6$$bar$')).toBe(h);
    expect(verifySha512Crypt('foo', h)).toBe(true);
  });

  it('takes a bare salt and a rounds argument (which wins over rounds= in the setting and is clamped)', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(sha512Crypt('Hello world!', '$6$saltstring'));
    expect(sha512Crypt('Hello world!', 'saltstringsaltstring', 10000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
    expect(sha512Crypt('x', '$6$rounds=2000$abc', 10)).toMatch(/^\$6\$rounds=1000\$abc\$/);
  });

  it.each([
    ['a bare salt', 'saltstring', undefined, { salt: 'saltstring', rounds: 5000, customRounds: false }],
    ['$6$ prefix, salt cut at 16', '$6$toolongsaltstring', undefined, { salt: 'toolongsaltstrin', rounds: 5000, customRounds: false }],
    ['explicit default rounds are still custom', '$6$rounds=5000$abc', undefined, { salt: 'abc', rounds: 5000, customRounds: true }],
    ['too few rounds clamp to 1000', '$6$rounds=10$abc', undefined, { salt: 'abc', rounds: 1000, customRounds: true }],
    ['too many rounds clamp to 999999999', '$6$rounds=99999999999999$abc', undefined, { salt: 'abc', rounds: 999_999_999, customRounds: true }],
    ['empty rounds= is strtoul 0, clamped', 'rounds=$abc', undefined, { salt: 'abc', rounds: 1000, customRounds: true }],
    ['rounds= without $ is part of the salt', 'rounds=12', undefined, { salt: 'rounds=12', rounds: 5000, customRounds: false }],
    ['the argument wins over the setting', '$6$rounds=7000$abc', 3000, { salt: 'abc', rounds: 3000, customRounds: true }],
    ['a whole hash: the salt stops at $', '$6$abc$' + 'x'.repeat(86), undefined, { salt: 'abc', rounds: 5000, customRounds: false }],
  ])('reads the setting: %s', (_name, salt, rounds, expected) => {
    expect(parseSha512CryptSetting(salt, rounds)).toEqual(expected);
  });

  it('ignores the hash part of a whole hash given as the setting (crypt(3) verification style)', () => {
    const h = sha512Crypt('pw', 'abcdefgh');
    expect(sha512Crypt('pw', h)).toBe(h);
  });

  it('refuses salt characters a shadow line cannot carry', () => {
    expect(() => sha512Crypt('pw', 'ab:cd')).toThrow(RangeError);
    expect(() => sha512Crypt('pw', 'sälz')).toThrow(RangeError);
    expect(() => sha512Crypt('pw', 'a b')).toThrow(RangeError);
  });

  it('hashes UTF-8 passwords as their UTF-8 bytes', () => {
    // Reference from `openssl passwd -6 -salt Ab3dEf6hIj9lMn0p 'pässwörd🔑'` (UTF-8 locale).
    expect(sha512Crypt('pässwörd🔑', 'Ab3dEf6hIj9lMn0p')).toBe(
      '$6$Ab3dEf6hIj9lMn0p$.OOBKOVOoCrwMUrve5BtrtTUlhl7eMj1HbXcfdhm9bBqax4ijX7SpHxt8W3DUDq9eK32MUrZGT2HNTtSWyLE7.',
    );
  });

  it('takes well under 100 ms at the default 5000 rounds', () => {
    sha512Crypt('warm up', 'warmup');
    const t0 = performance.now();
    sha512Crypt('correct horse battery staple', 'Ab3dEf6hIj9lMn0p');
    expect(performance.now() - t0).toBeLessThan(100);
  });
});

describe('verifySha512Crypt', () => {
  const hash = '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';
  it.each([
    ['wrong password', 'Hello world?', hash],
    ['empty hash', 'Hello world!', ''],
    ['another scheme ($5$)', 'Hello world!', hash.replace('$6$', '$5$')],
    ['truncated digest', 'Hello world!', hash.slice(0, -1)],
    ['one digest character changed', 'Hello world!', hash.slice(0, -1) + '2'],
    ['non-canonical rounds (crypt(3) would print rounds=1000)', 'the minimum number is still observed', '$6$rounds=10$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.'],
    ['salt with a colon', 'x', '$6$a:b$' + 'a'.repeat(86)],
  ])('false for %s', (_name, password, h) => {
    expect(verifySha512Crypt(password, h)).toBe(false);
  });
});

describe('saltFromBytes', () => {
  it('maps 16 bytes to 16 crypt-alphabet characters, each byte mod 64', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const salt = saltFromBytes(bytes);
    expect(salt).toMatch(/^[./0-9A-Za-z]{16}$/);
    expect(saltFromBytes(new Uint8Array(16))).toBe('................');
    expect(saltFromBytes(new Uint8Array(16).fill(255))).toBe('zzzzzzzzzzzzzzzz');
    expect(saltFromBytes(new Uint8Array(16).fill(64 + 12))).toBe('AAAAAAAAAAAAAAAA');
  });
  it('refuses fewer than 16 bytes', () => {
    expect(() => saltFromBytes(new Uint8Array(15))).toThrow(RangeError);
  });
});

describe('hashPasswordInput', () => {
  const salt = () => 'Ab3dEf6hIj9lMn0p';
  it('keeps null and {hash}, hashes {plain} with the salt it is given', () => {
    expect(hashPasswordInput(null, salt)).toBeNull();
    const stored = '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';
    expect(hashPasswordInput({ hash: stored }, salt)).toEqual({ hash: stored });
    const out = hashPasswordInput({ plain: 'Hello world!' }, () => 'saltstring');
    expect(out).toEqual({ hash: stored });
  });
  it('refuses a salt generator that returns something outside the crypt alphabet', () => {
    expect(() => hashPasswordInput({ plain: 'pw' }, () => 'bad salt!')).toThrow(RangeError);
    expect(() => hashPasswordInput({ plain: 'pw' }, () => '')).toThrow(RangeError);
  });
});

describe('hashProfileSecrets', () => {
  const salt = () => 'Ab3dEf6hIj9lMn0p';
  const base: CommonProfileInput = {
    name: 'lab',
    accounts: { root: { plain: 'rootpw' }, user: { name: 'tech', password: { plain: 'userpw' } }, sshKeys: [] },
  };

  it('replaces every {plain} with {hash} and leaves the input as it was', () => {
    const before = structuredClone(base);
    const out = hashProfileSecrets(base, salt);
    expect(base).toEqual(before);
    expect(out.accounts?.root).toEqual({ hash: sha512Crypt('rootpw', 'Ab3dEf6hIj9lMn0p') });
    expect(out.accounts?.user?.password).toEqual({ hash: sha512Crypt('userpw', 'Ab3dEf6hIj9lMn0p') });
    expect(out.accounts?.user?.name).toBe('tech');
    expect(hasPlainSecrets(base)).toBe(true);
    expect(hasPlainSecrets(out)).toBe(false);
    expect(JSON.stringify(out)).not.toMatch(/rootpw|userpw/);
    // The result passes the schema, with only hashes in it.
    const parsed: CommonProfile = commonProfileSchema.parse(out);
    expect(parsed.accounts.root).toMatchObject({ hash: expect.stringMatching(CRYPT_SHA512) });
  });

  it('passes family sections and untouched parts through by reference', () => {
    const profile = { ...base, kickstart: { bootloaderArgs: ['quiet'] }, packages: { install: ['vim'] } };
    const out = hashProfileSecrets(profile, salt);
    expect(out.kickstart).toBe(profile.kickstart);
    expect(out.packages).toBe(profile.packages);
    const hashedOnly = { name: 'x', accounts: { root: { hash: '$6$a$' + 'b'.repeat(86) } }, preseed: {} };
    expect(hashProfileSecrets(hashedOnly, salt)).toBe(hashedOnly);
  });

  it.each([
    ['no accounts', { name: 'x' }],
    ['root null, no user', { name: 'x', accounts: { root: null, user: null } }],
    ['a plain with extra keys (the schema refuses it)', { name: 'x', accounts: { root: { plain: 'pw', hash: 'x' } } }],
    ['an empty plain (the schema refuses it)', { name: 'x', accounts: { root: { plain: '' } } }],
    ['accounts of the wrong type', { name: 'x', accounts: 'root' as never }],
  ])('leaves %s alone', (_name, profile) => {
    expect(hashProfileSecrets(profile as CommonProfileInput, salt)).toBe(profile);
  });
});
