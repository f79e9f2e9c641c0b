/**
 * Shell text the Debian-family answer files embed (autoinstall early/late-commands run by `sh -c`, preseed
 * early_command/late_command run by d-i's `log-output sh -c "$command"`): POSIX single quoting, its inverse for
 * importing, the callback command, and base64 over UTF-8 for scripts that must fit on one preseed line.
 *
 * Pure: no Buffer, no TextEncoder (shared/ targets ES2023 without DOM or Node types).
 */

/**
 * One sh word holding exactly `s`: single quotes, each `'` written as `'\''` (POSIX 2.2.2: nothing is special
 * inside single quotes, so no other character needs care). NUL cannot be passed through argv at all.
 */
export function shQuote(s: string): string {
  if (s.includes('\0')) throw new Error('a shell word cannot hold a NUL character');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one command line, quoting only the words that need it (Python's `shlex.join` rule). */
export function shJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : shQuote(a))).join(' ');
}

/**
 * The inverse of `shQuote` for words made only of single-quoted runs and `\'` (what `shQuote` writes), or null
 * for anything else: an import never guesses at general shell syntax.
 */
export function shUnquote(word: string): string | null {
  let out = '';
  let i = 0;
  while (i < word.length) {
    if (word[i] === "'") {
      const end = word.indexOf("'", i + 1);
      if (end < 0) return null;
      out += word.slice(i + 1, end);
      i = end + 1;
    } else if (word.startsWith("\\'", i)) {
      out += "'";
      i += 2;
    } else return null;
  }
  return i > 0 ? out : null;
}

/** The single-quoted word at the start of `text` (as `shQuote` writes it): the value and the text after it. */
export function takeQuotedWord(text: string): { value: string; rest: string } | null {
  const m = /^'[^']*'(?:\\''[^']*')*/.exec(text);
  if (!m) return null;
  const value = shUnquote(m[0]);
  return value === null ? null : { value, rest: text.slice(m[0].length) };
}

/**
 * GET a callback URL once and never fail (a callback that cannot reach us must not stop an install).
 * `timeout`: GNU wget (Ubuntu's live session) takes -T/-t; busybox wget 1.35 in d-i crashes with -T (see
 * bootstrap-answers.ts), so d-i gets the bare form.
 */
export function callbackCommand(url: string, opts: { gnuWget: boolean }): string {
  if (!/^https?:\/\/[^\s'"`\\]+$/.test(url)) throw new Error(`not a callback URL: ${JSON.stringify(url)}`);
  const flags = opts.gnuWget ? '-q -T 10 -t 2 -O /dev/null' : '-q -O /dev/null';
  return `wget ${flags} ${shQuote(url)} || true`;
}

/** The URL of a command `callbackCommand` wrote (either flavour, also the bootstrap files' form), else null. */
export function callbackUrl(command: string): string | null {
  const m = /^wget -q (?:-T \d+ -t \d+ )?-O \/dev\/null '(https?:\/\/[^\s'"`\\]+)' \|\| true$/.exec(command.trim());
  return m ? m[1]! : null;
}

// ---- UTF-8 + base64 (RFC 4648 §4) ----

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** Strict UTF-8 decoding (no overlongs, no surrogates), null on malformed input. */
function fromUtf8(bytes: number[]): string | null {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0 || i + n >= bytes.length) return null;
    let c = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cont = bytes[i + k];
      if (cont === undefined || (cont & 0xc0) !== 0x80) return null;
      c = (c << 6) | (cont & 63);
    }
    if ((n === 2 && c < 0x800) || (n === 3 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff)) return null;
    out += String.fromCodePoint(c);
    i += n + 1;
  }
  return out;
}

export function base64Encode(text: string): string {
  const b = utf8(text);
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return out;
}

/** Canonical base64 (padded, no whitespace) of UTF-8 text back to the text, else null. */
export function base64Decode(b64: string): string | null {
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < b64.length; i += 4) {
    const q = [0, 1, 2, 3].map((k) => (b64[i + k] === '=' ? -1 : B64.indexOf(b64[i + k]!)));
    const n = (q[0]! << 18) | (q[1]! << 12) | (Math.max(q[2]!, 0) << 6) | Math.max(q[3]!, 0);
    bytes.push(n >> 16);
    if (q[2]! >= 0) bytes.push((n >> 8) & 255);
    if (q[3]! >= 0) bytes.push(n & 255);
  }
  const text = fromUtf8(bytes);
  return text !== null && base64Encode(text) === b64 ? text : null;
}
