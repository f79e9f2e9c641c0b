/**
 * Kickstart lexical rules, as pykickstart applies them (`parser.py` @435ebbe):
 * - the file is split with Python's `str.splitlines()`, which breaks lines on more than `\n` (`LINE_BREAK`);
 * - a command line is split with `shlex.split(line, comments=True)` (POSIX mode): `#` starts a comment even
 *   inside an unquoted word, `'...'` is literal, `"..."` honours `\"` and `\\` only, `\x` outside quotes is `x`;
 * - inside a section, a line whose first word is `%end` ends it, a section header (`%post`...) is an error
 *   ("does not end with %end"), `%include` is read as an include; `%ksappend` lines are replaced by a fetched
 *   file before parsing, anywhere in the file (`_preprocessStateMachine`).
 */

/** Characters Python's `str.splitlines()` breaks on: a value carrying one would start a new kickstart line. */
// The control characters are the point here (Python counts \x1c-\x1e as line breaks).
// eslint-disable-next-line no-control-regex
export const LINE_BREAK = /[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const LINE_BREAKS = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Lines as pykickstart sees them (Python `splitlines()`, no terminators). */
export function splitLines(text: string): string[] {
  const lines = text.split(LINE_BREAKS);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Section headers pykickstart registers for RHEL 7 to 10 (and anaconda's `%anaconda`, `%addon`). */
export const SECTION_HEADERS: readonly string[] = ['%pre', '%pre-install', '%post', '%packages', '%addon', '%anaconda', '%onerror', '%traceback', '%certificate'];

export type ScriptDirective = 'end' | 'header' | 'include';

/** What a line inside a section means to the kickstart parser rather than to the script, or null. */
export function scriptDirective(line: string): ScriptDirective | null {
  // Python's str.isspace() (lstrip, split) also counts \x1c-\x1f and \x85.
  // eslint-disable-next-line no-control-regex
  const t = line.replace(/^[\s\x1c-\x1f\x85]+/, '');
  if (!t.startsWith('%')) return null;
  if (t.startsWith('%ksappend')) return 'include';
  // eslint-disable-next-line no-control-regex
  const first = t.split(/[\s\x1c-\x1f\x85]+/)[0];
  if (first === '%end') return 'end';
  if (first === '%include') return 'include';
  if (first !== undefined && SECTION_HEADERS.includes(first)) return 'header';
  return null;
}

/** A value that needs no quotes in a kickstart command line. */
const BARE = /^[A-Za-z0-9@%+=:,./_^~$-]+$/; // `$` means nothing to shlex (crypt hashes stay bare)

export class KickstartSyntaxError extends Error {
  constructor(
    readonly code: 'KS_LINE_BREAK' | 'KS_SCRIPT_END' | 'KS_SCRIPT_DIRECTIVE' | 'KS_UNSAFE_VALUE',
    message: string,
  ) {
    super(message);
    this.name = 'KickstartSyntaxError';
  }
}

/**
 * One shlex word: bare when it is a safe token, else double-quoted (`\"` and `\\` escaped). Throws on a line
 * break or NUL: those cannot be quoted (pykickstart splits lines before it splits words).
 */
export function quote(value: string): string {
  if (LINE_BREAK.test(value) || value.includes('\0')) throw new KickstartSyntaxError('KS_LINE_BREAK', `value has a line break: ${JSON.stringify(value)}`);
  if (value !== '' && BARE.test(value) && !value.startsWith('#')) return value;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** `--name=value` with the value quoted when needed. */
export const opt = (name: string, value: string | number): string => `--${name}=${quote(String(value))}`;

/** Text for a `#` comment line: every line break and control character becomes a space. */
export function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\0-\x1f\x7f\x85\u2028\u2029]/g, ' ');
}

/**
 * Splits a command line like `shlex.split(line, comments=True)`; throws on an open quote or a trailing `\`.
 * `onComment` hears of a `#` that cut the line, `midWord` when it cut a word (`--password=ab#c` reads `ab`).
 */
export function shlexSplit(line: string, onComment?: (midWord: boolean) => void): string[] {
  const out: string[] = [];
  let token = '';
  let inToken = false;
  let i = 0;
  const ws = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
  while (i < line.length) {
    const c = line[i]!;
    if (ws(c)) {
      if (inToken) out.push(token);
      token = '';
      inToken = false;
      i++;
    } else if (c === '#') {
      onComment?.(inToken);
      break; // comment to the end of the line, even mid-word (shlex checks commenters before word characters)
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      token += line.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (c === '"') {
      inToken = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('No closing quotation');
        const d = line[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          token += line[i + 1];
          i += 2;
        } else {
          token += d;
          i++;
        }
      }
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      token += line[i + 1];
      inToken = true;
      i += 2;
    } else {
      token += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) out.push(token);
  return out;
}

/** `--name=value` / `--name value` / `--flag` options and positional words of one command. */
export interface ParsedArgs {
  /** Options in order, `value` null for a bare flag. `--a=b` and `--a b` both give `{ name: 'a', value: 'b' }` only for options listed as taking a value. */
  options: { name: string; value: string | null }[];
  positional: string[];
}

/**
 * Splits words into options and positionals. `withValue` names the options that take a separate value word when
 * written without `=` (`--vckeymap us`, `url --url http://...`); a following word that starts with `-` is never taken.
 */
export function parseArgs(words: readonly string[], withValue: ReadonlySet<string> = new Set()): ParsedArgs {
  const options: ParsedArgs['options'] = [];
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--') && w.length > 2) {
      const eq = w.indexOf('=');
      if (eq > 0) options.push({ name: w.slice(2, eq), value: w.slice(eq + 1) });
      else if (withValue.has(w.slice(2)) && i + 1 < words.length && !words[i + 1]!.startsWith('-')) options.push({ name: w.slice(2), value: words[++i]! });
      else options.push({ name: w.slice(2), value: null });
    } else positional.push(w);
  }
  return { options, positional };
}
