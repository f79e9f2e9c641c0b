/**
 * Password hashing for answer-file profiles: SHA-512 (FIPS 180-4) and SHA-512 crypt (`$6$`, Ulrich Drepper,
 * "Unix crypt using SHA-256 and SHA-512", https://www.akkadia.org/drepper/SHA-crypt.txt), the format
 * kickstart `rootpw --iscrypted`, autoinstall `identity.password` and preseed `passwd/root-password-crypted`
 * take. Pure and synchronous so the renderer can hash a password before it ever leaves the form, and the core
 * can hash what a form sent as `{ plain }` before anything is stored.
 *
 * No randomness in here (shared/ sees neither node:crypto nor the DOM): callers pass a salt generator built
 * on `saltFromBytes` and their platform's CSPRNG.
 */
import { CRYPT_SHA512, type CommonProfileInput, type PasswordInput } from './profile.ts';

// FIPS 180-4 4.2.3: the 80 round constants, each 64-bit word as (high, low) 32-bit halves.
const K = Int32Array.from([
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc,
  0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019, 0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118,
  0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe, 0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
  0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1, 0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694,
  0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3, 0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65,
  0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483, 0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
  0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210, 0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4,
  0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725, 0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70,
  0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926, 0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
  0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8, 0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b,
  0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001, 0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
  0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910, 0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
  0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53, 0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8,
  0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb, 0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3,
  0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60, 0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
  0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9, 0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b,
  0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207, 0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178,
  0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6, 0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
  0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493, 0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c,
  0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a, 0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817,
]);

// FIPS 180-4 5.3.5: the initial hash value.
const IV = Int32Array.from([
  0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
  0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
]);

const TWO32 = 4294967296;

/**
 * One SHA-512 compression (FIPS 180-4 6.4.2) of the 128-byte block at `block[off]` into `H`. 64-bit words are
 * (high, low) pairs of 32-bit halves; sums add the unsigned low halves as doubles (exact below 2^53) and carry
 * `floor(sum / 2^32)` into the high half.
 */
function compress(H: Int32Array, W: Int32Array, block: Uint8Array, off: number): void {
  for (let i = 0; i < 32; i++, off += 4) {
    W[i] = (block[off]! << 24) | (block[off + 1]! << 16) | (block[off + 2]! << 8) | block[off + 3]!;
  }
  for (let i = 32; i < 160; i += 2) {
    // σ0(W[t-15]) = ROTR1 ^ ROTR8 ^ SHR7
    let xh = W[i - 30]!;
    let xl = W[i - 29]!;
    const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
    const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
    // σ1(W[t-2]) = ROTR19 ^ ROTR61 ^ SHR6
    xh = W[i - 4]!;
    xl = W[i - 3]!;
    const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
    const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
    // W[t] = σ1 + W[t-7] + σ0 + W[t-16]
    const lo = (s1l >>> 0) + (W[i - 13]! >>> 0) + (s0l >>> 0) + (W[i - 31]! >>> 0);
    W[i] = (s1h + W[i - 14]! + s0h + W[i - 32]! + ((lo / TWO32) | 0)) | 0;
    W[i + 1] = lo | 0;
  }

  let ah = H[0]!, al = H[1]!, bh = H[2]!, bl = H[3]!, ch = H[4]!, cl = H[5]!, dh = H[6]!, dl = H[7]!;
  let eh = H[8]!, el = H[9]!, fh = H[10]!, fl = H[11]!, gh = H[12]!, gl = H[13]!, hh = H[14]!, hl = H[15]!;
  for (let i = 0; i < 160; i += 2) {
    // Σ1(e) = ROTR14 ^ ROTR18 ^ ROTR41
    const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
    const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
    // Ch(e, f, g)
    const chH = (eh & fh) ^ (~eh & gh);
    const chL = (el & fl) ^ (~el & gl);
    // T1 = h + Σ1 + Ch + K[t] + W[t]
    const t1l = (hl >>> 0) + (S1l >>> 0) + (chL >>> 0) + (K[i + 1]! >>> 0) + (W[i + 1]! >>> 0);
    const t1h = (hh + S1h + chH + K[i]! + W[i]! + ((t1l / TWO32) | 0)) | 0;
    // Σ0(a) = ROTR28 ^ ROTR34 ^ ROTR39
    const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
    const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
    // Maj(a, b, c)
    const mjH = (ah & bh) ^ (ah & ch) ^ (bh & ch);
    const mjL = (al & bl) ^ (al & cl) ^ (bl & cl);
    // T2 = Σ0 + Maj
    const t2l = (S0l >>> 0) + (mjL >>> 0);
    const t2h = S0h + mjH + ((t2l / TWO32) | 0);

    hh = gh;
    hl = gl;
    gh = fh;
    gl = fl;
    fh = eh;
    fl = el;
    const e = (dl >>> 0) + (t1l >>> 0);
    eh = (dh + t1h + ((e / TWO32) | 0)) | 0;
    el = e | 0;
    dh = ch;
    dl = cl;
    ch = bh;
    cl = bl;
    bh = ah;
    bl = al;
    const a = (t1l >>> 0) + (t2l >>> 0);
    ah = (t1h + t2h + ((a / TWO32) | 0)) | 0;
    al = a | 0;
  }

  let lo: number;
  lo = (H[1]! >>> 0) + (al >>> 0);
  H[0] = (H[0]! + ah + ((lo / TWO32) | 0)) | 0;
  H[1] = lo | 0;
  lo = (H[3]! >>> 0) + (bl >>> 0);
  H[2] = (H[2]! + bh + ((lo / TWO32) | 0)) | 0;
  H[3] = lo | 0;
  lo = (H[5]! >>> 0) + (cl >>> 0);
  H[4] = (H[4]! + ch + ((lo / TWO32) | 0)) | 0;
  H[5] = lo | 0;
  lo = (H[7]! >>> 0) + (dl >>> 0);
  H[6] = (H[6]! + dh + ((lo / TWO32) | 0)) | 0;
  H[7] = lo | 0;
  lo = (H[9]! >>> 0) + (el >>> 0);
  H[8] = (H[8]! + eh + ((lo / TWO32) | 0)) | 0;
  H[9] = lo | 0;
  lo = (H[11]! >>> 0) + (fl >>> 0);
  H[10] = (H[10]! + fh + ((lo / TWO32) | 0)) | 0;
  H[11] = lo | 0;
  lo = (H[13]! >>> 0) + (gl >>> 0);
  H[12] = (H[12]! + gh + ((lo / TWO32) | 0)) | 0;
  H[13] = lo | 0;
  lo = (H[15]! >>> 0) + (hl >>> 0);
  H[14] = (H[14]! + hh + ((lo / TWO32) | 0)) | 0;
  H[15] = lo | 0;
}

/** Incremental SHA-512: `update` as often as needed, then `digest` (which resets it for reuse). */
export class Sha512 {
  private readonly H = new Int32Array(16);
  private readonly W = new Int32Array(160);
  private readonly buffer = new Uint8Array(128);
  private buffered = 0;
  private length = 0;

  constructor() {
    this.reset();
  }

  reset(): this {
    this.H.set(IV);
    this.buffered = 0;
    this.length = 0;
    return this;
  }

  update(data: Uint8Array): this {
    let off = 0;
    const n = data.length;
    this.length += n;
    if (this.buffered > 0) {
      const take = Math.min(128 - this.buffered, n);
      this.buffer.set(data.subarray(0, take), this.buffered);
      this.buffered += take;
      off = take;
      if (this.buffered < 128) return this;
      compress(this.H, this.W, this.buffer, 0);
      this.buffered = 0;
    }
    for (; off + 128 <= n; off += 128) compress(this.H, this.W, data, off);
    if (off < n) {
      this.buffer.set(data.subarray(off), 0);
      this.buffered = n - off;
    }
    return this;
  }

  /** The 64-byte digest; the hasher starts over afterwards. */
  digest(): Uint8Array {
    const b = this.buffer;
    const bits = this.length * 8;
    b[this.buffered++] = 0x80;
    if (this.buffered > 112) {
      b.fill(0, this.buffered);
      compress(this.H, this.W, b, 0);
      this.buffered = 0;
    }
    // FIPS 180-4 5.1.2: the message length in bits as a 128-bit big-endian integer (the top 64 bits stay 0 here).
    b.fill(0, this.buffered, 120);
    const hi = Math.floor(bits / TWO32);
    const lo = bits >>> 0;
    b[120] = hi >>> 24;
    b[121] = hi >>> 16;
    b[122] = hi >>> 8;
    b[123] = hi;
    b[124] = lo >>> 24;
    b[125] = lo >>> 16;
    b[126] = lo >>> 8;
    b[127] = lo;
    compress(this.H, this.W, b, 0);
    const out = new Uint8Array(64);
    for (let i = 0; i < 16; i++) {
      const w = this.H[i]!;
      out[i * 4] = w >>> 24;
      out[i * 4 + 1] = w >>> 16;
      out[i * 4 + 2] = w >>> 8;
      out[i * 4 + 3] = w;
    }
    this.reset();
    return out;
  }
}

/** SHA-512 of `bytes` (FIPS 180-4). */
export function sha512(bytes: Uint8Array): Uint8Array {
  return new Sha512().update(bytes).digest();
}

/** UTF-8 bytes of `text` (shared/ has no TextEncoder); a lone surrogate becomes U+FFFD as TextEncoder does. */
export function utf8Bytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/** The crypt alphabet (`b64t` in the spec): not RFC 4648 base64's order. */
const B64T = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const SHA512_CRYPT_ROUNDS_DEFAULT = 5000;
export const SHA512_CRYPT_ROUNDS_MIN = 1000;
export const SHA512_CRYPT_ROUNDS_MAX = 999_999_999;
export const SHA512_CRYPT_SALT_MAX = 16;

/** `len` bytes of `digest` repeated (steps 16 and 20 of the spec: P and S sequences). */
function repeatTo(digest: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let off = 0; off < len; off += 64) out.set(digest.subarray(0, Math.min(64, len - off)), off);
  return out;
}

/** What a crypt(3) setting string says: the salt (at most 16 characters) and the rounds (clamped). */
export interface Sha512CryptSetting {
  salt: string;
  rounds: number;
  /** Rounds were asked for (printed as `rounds=N$` even when N is the default). */
  customRounds: boolean;
}

/** Reads a salt or setting string as `sha512Crypt` does (see there); throws RangeError on an unusable salt. */
export function parseSha512CryptSetting(salt: string, rounds?: number): Sha512CryptSetting {
  let setting = salt.startsWith('$6$') ? salt.slice(3) : salt;
  let n = SHA512_CRYPT_ROUNDS_DEFAULT;
  let custom = false;
  // Spec: strtoul() on what follows `rounds=`; only a number directly followed by `$` counts.
  const r = /^rounds=(\d*)\$/.exec(setting);
  if (r) {
    setting = setting.slice(r[0].length);
    n = r[1] ? Number(r[1]) : 0;
    custom = true;
  }
  if (rounds !== undefined) {
    if (!Number.isFinite(rounds)) throw new RangeError(`rounds must be a number, not ${rounds}`);
    n = Math.trunc(rounds);
    custom = true;
  }
  n = Math.max(SHA512_CRYPT_ROUNDS_MIN, Math.min(n, SHA512_CRYPT_ROUNDS_MAX));
  const dollar = setting.indexOf('$');
  const saltText = (dollar < 0 ? setting : setting.slice(0, dollar)).slice(0, SHA512_CRYPT_SALT_MAX);
  // Salt characters are bytes to crypt(3); only printable ASCII without ':' survives a shadow(5) line.
  if (!/^[\x21-\x39\x3b-\x7e]*$/.test(saltText)) {
    throw new RangeError(`a crypt salt is printable ASCII without ':' (got ${JSON.stringify(saltText)})`);
  }
  return { salt: saltText, rounds: n, customRounds: custom };
}

/**
 * SHA-512 crypt of `password` (UTF-8) as `$6$[rounds=N$]salt$hash`. `salt` is a bare salt or a setting
 * string as crypt(3) takes it (`$6$salt`, `$6$rounds=N$salt`, or a whole hash, whose hash part is ignored);
 * it stops at the first `$` and is cut to 16 characters. `rounds` (when given, it wins over `rounds=` in
 * `salt`) is clamped to 1000..999999999; `rounds=` appears in the output whenever rounds were asked for,
 * even 5000, as glibc does.
 */
export function sha512Crypt(password: string, salt: string, rounds?: number): string {
  const setting = parseSha512CryptSetting(salt, rounds);
  const n = setting.rounds;
  const saltText = setting.salt;
  const P = utf8Bytes(password);
  const S = utf8Bytes(saltText);
  const pl = P.length;
  const sl = S.length;
  const h = new Sha512();

  // Steps 4-8: digest B = SHA512(P S P).
  const B = h.update(P).update(S).update(P).digest();
  // Steps 1-3, 9-12: digest A.
  h.update(P).update(S);
  let k = pl;
  for (; k > 64; k -= 64) h.update(B);
  h.update(B.subarray(0, k));
  for (k = pl; k > 0; k >>>= 1) h.update(k & 1 ? B : P);
  let C = h.digest();
  // Steps 13-16: DP = SHA512(P repeated |P| times) -> the P sequence.
  for (let i = 0; i < pl; i++) h.update(P);
  const Pseq = repeatTo(h.digest(), pl);
  // Steps 17-20: DS = SHA512(S repeated 16 + A[0] times) -> the S sequence.
  for (let i = 0; i < 16 + C[0]!; i++) h.update(S);
  const Sseq = repeatTo(h.digest(), sl);
  // Step 21: the rounds.
  for (let i = 0; i < n; i++) {
    h.update(i & 1 ? Pseq : C);
    if (i % 3) h.update(Sseq);
    if (i % 7) h.update(Pseq);
    h.update(i & 1 ? C : Pseq);
    C = h.digest();
  }

  // Step 22: the output; the spec's byte order for the 22 base-64 groups: (k, k+21, k+42) rotated by k mod 3.
  let out = `$6$${setting.customRounds ? `rounds=${n}$` : ''}${saltText}$`;
  const put = (b2: number, b1: number, b0: number, chars: number) => {
    let w = (b2 << 16) | (b1 << 8) | b0;
    for (let j = 0; j < chars; j++, w >>>= 6) out += B64T[w & 0x3f];
  };
  for (let g = 0; g < 21; g++) {
    const x = [C[g]!, C[g + 21]!, C[g + 42]!];
    const r3 = g % 3;
    put(x[r3]!, x[(r3 + 1) % 3]!, x[(r3 + 2) % 3]!, 4);
  }
  put(0, 0, C[63]!, 2);
  return out;
}

const HASH_SHAPE = /^\$6\$(?:rounds=\d+\$)?[^$]{0,16}\$[./0-9A-Za-z]{86}$/;

/**
 * True when `hash` is a SHA-512 crypt hash of `password` (what crypt(3) does: recompute with the hash as the
 * setting and compare the whole string). A malformed hash is simply false; the comparison does not stop early.
 */
export function verifySha512Crypt(password: string, hash: string): boolean {
  if (!HASH_SHAPE.test(hash)) return false;
  let computed: string;
  try {
    computed = sha512Crypt(password, hash);
  } catch {
    return false;
  }
  if (computed.length !== hash.length) return false;
  let diff = 0;
  for (let i = 0; i < hash.length; i++) diff |= computed.charCodeAt(i) ^ hash.charCodeAt(i);
  return diff === 0;
}

/**
 * A 16-character salt from the crypt alphabet, from at least 16 random bytes (each byte mod 64: unbiased, since
 * 64 divides 256; 96 bits). The core passes `randomBytes(16)`, the renderer `crypto.getRandomValues(...)`.
 */
export function saltFromBytes(bytes: Uint8Array): string {
  if (bytes.length < SHA512_CRYPT_SALT_MAX) throw new RangeError(`a salt needs ${SHA512_CRYPT_SALT_MAX} random bytes, got ${bytes.length}`);
  let s = '';
  for (let i = 0; i < SHA512_CRYPT_SALT_MAX; i++) s += B64T[bytes[i]! & 0x3f];
  return s;
}

const SALT = /^[./0-9A-Za-z]{1,16}$/;

/**
 * What may be stored for a form's password: `{ hash }` stays as it is, `{ plain }` becomes a SHA-512 crypt hash
 * (default rounds, the `openssl passwd -6` form) with a fresh salt from `randomSalt`; null stays null.
 */
export function hashPasswordInput(input: PasswordInput | null, randomSalt: () => string): { hash: string } | null {
  if (input === null) return null;
  if ('hash' in input) return { hash: input.hash };
  const salt = randomSalt();
  if (!SALT.test(salt)) throw new RangeError('randomSalt must return 1 to 16 characters of ./0-9A-Za-z');
  const hash = sha512Crypt(input.plain, salt);
  if (!CRYPT_SHA512.test(hash)) throw new Error('internal: SHA-512 crypt produced a malformed hash');
  return { hash };
}

/** The parts of a profile that carry secrets: any object with the common profile's `accounts` section. */
export type ProfileWithSecrets = { accounts?: CommonProfileInput['accounts'] };

/** `{ plain }` as `passwordInputSchema` accepts it; anything else is left for the schema to refuse. */
function isPlain(value: unknown): value is { plain: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const plain = (value as { plain?: unknown }).plain;
  return keys.length === 1 && keys[0] === 'plain' && typeof plain === 'string' && plain.length >= 1 && plain.length <= 1024;
}

/** Whether a `{ plain }` password is still in `profile` (the store's last check before a body is written). */
export function hasPlainSecrets(profile: unknown): boolean {
  if (typeof profile !== 'object' || profile === null) return false;
  const accounts = (profile as { accounts?: unknown }).accounts;
  if (typeof accounts !== 'object' || accounts === null) return false;
  const { root, user } = accounts as { root?: unknown; user?: unknown };
  const hasPlainKey = (v: unknown) => typeof v === 'object' && v !== null && 'plain' in v;
  return hasPlainKey(root) || (typeof user === 'object' && user !== null && hasPlainKey((user as { password?: unknown }).password));
}

/**
 * A copy of `profile` with every `{ plain }` password (`accounts.root`, `accounts.user.password`) replaced by
 * `{ hash }`. Everything else, family sections included, is passed through untouched (the same references).
 * Tolerates a body that has not been validated yet (the core runs this before the schema): whatever is not a
 * `{ plain: string }` at those places is left for the schema to judge.
 */
export function hashProfileSecrets<T extends ProfileWithSecrets>(profile: T, randomSalt: () => string): T {
  if (typeof profile !== 'object' || profile === null) return profile;
  const accounts: unknown = profile.accounts;
  if (typeof accounts !== 'object' || accounts === null) return profile;
  const a = accounts as Record<string, unknown>;
  let next: Record<string, unknown> = a;
  if (isPlain(a.root)) next = { ...next, root: hashPasswordInput({ plain: a.root.plain }, randomSalt) };
  const user = a.user;
  if (typeof user === 'object' && user !== null && isPlain((user as Record<string, unknown>).password)) {
    const u = user as Record<string, unknown> & { password: { plain: string } };
    next = { ...next, user: { ...u, password: hashPasswordInput({ plain: u.password.plain }, randomSalt) } };
  }
  return next === a ? profile : { ...profile, accounts: next };
}
