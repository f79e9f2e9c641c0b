/**
 * shared/answers/crypt.ts against a real SHA-512 crypt implementation: `openssl passwd -6` (OpenSSL's own
 * code, not glibc's) for random passwords (ASCII, Latin-1, CJK, emoji: all UTF-8 on argv) and random salts,
 * byte for byte; then our verifier accepts what OpenSSL printed and refuses a near miss.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CRYPT_SHA512 } from '../../shared/answers/profile.ts';
import { saltFromBytes, sha512Crypt, verifySha512Crypt } from '../../shared/answers/crypt.ts';
import { missing, run } from '../helpers/tools.ts';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const WIDE = ['ä', 'ö', 'ß', 'é', 'ñ', 'パ', 'ス', 'ワ', '密', '码', '€', '🔑', '🚀', 'Ω'];

function randomPassword(): string {
  const length = randomInt(1, 40);
  let pw = '';
  for (let i = 0; i < length; i++) pw += randomInt(4) === 0 ? WIDE[randomInt(WIDE.length)]! : PRINTABLE[randomInt(PRINTABLE.length)]!;
  // A leading '-' would read as an openssl option.
  return pw.startsWith('-') ? `x${pw}` : pw;
}

function randomSalt(): string {
  const length = randomInt(1, 17);
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]!).join('');
}

async function openssl(password: string, salt: string): Promise<string> {
  const { stdout } = await run('openssl', ['passwd', '-6', '-salt', salt, password], { encoding: 'utf8' });
  return stdout.trim();
}

const skip = missing('openssl');

describe.skipIf(skip)('SHA-512 crypt against openssl passwd -6', () => {
  const cases: { password: string; salt: string; rounds?: number }[] = [
    { password: 'Hello world!', salt: 'saltstring' },
    { password: 'pässwörd', salt: saltFromBytes(randomBytes(16)) },
    { password: 'パスワード🔑', salt: saltFromBytes(randomBytes(16)) },
    { password: 'a'.repeat(200), salt: 'x' }, // longer than the 64-byte digest: the P sequence repeats
    { password: 'salt cut at 16', salt: 'abcdefghijklmnopqrstuvwxyz' },
    { password: 'custom rounds', salt: 'r0undsR0unds', rounds: 7000 },
    ...Array.from({ length: 12 }, () => ({ password: randomPassword(), salt: randomSalt() })),
  ];

  it.each(cases)('$password / $salt', async ({ password, salt, rounds }) => {
    const ours = sha512Crypt(password, salt, rounds);
    const theirs = await openssl(password, rounds === undefined ? salt : `rounds=${rounds}$${salt}`);
    expect(ours).toBe(theirs);
    expect(theirs).toMatch(CRYPT_SHA512);
    expect(verifySha512Crypt(password, theirs)).toBe(true);
    expect(verifySha512Crypt(password + ' ', theirs)).toBe(false);
    expect(verifySha512Crypt(password.slice(0, -1), theirs)).toBe(false);
  });
});
