/**
 * The answer-profile form as data: a profile body is plain JSON edited by path, validated on every change with
 * the one shared schema (`answerProfileSchema`, which the core applies again on save), and compared with the
 * saved version to mark unsaved changes. Pure: no React, no store, no transport.
 */
import { answerProfileSchema } from '../../../../shared/answers/answer-profile.ts';
import type { AnswerIssue } from '../../../../shared/answers/profile.ts';

/** A profile body as the API moves it (`ProfileBodySchema`): what the form edits. */
export type Body = Record<string, unknown>;
export type Path = readonly (string | number)[];

/** `['disk', 'partitions', 0, 'mount']` -> `disk.partitions.0.mount`: how fields and issues meet. */
export const pathKey = (path: Path): string => path.join('.');

/** The value at `path`, or undefined when any step is missing. */
export function getAt(body: unknown, path: Path): unknown {
  let v: unknown = body;
  for (const step of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}

/**
 * A copy of `body` with `value` at `path` (parents created as objects, or arrays for numeric steps); `undefined`
 * removes the key, so clearing an optional field (host name) leaves the body as if it was never set.
 */
export function setAt<T>(body: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [step, ...rest] = path as [string | number, ...(string | number)[]];
  const base: unknown = body !== null && typeof body === 'object' ? body : typeof step === 'number' ? [] : {};
  const child = setAt((base as Record<string | number, unknown>)[step], rest, value);
  if (Array.isArray(base)) {
    const copy = [...base];
    if (child === undefined && rest.length === 0) copy.splice(Number(step), 1);
    else copy[Number(step)] = child;
    return copy as T;
  }
  const copy = { ...(base as Record<string, unknown>) };
  if (child === undefined) delete copy[step];
  else copy[step] = child;
  return copy as T;
}

/** JSON with sorted keys: two bodies are the same profile when these match (key order is not a change). */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

export const sameBody = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** A complete new profile: every default of the shared schema filled, so each control shows what will be written. */
export function newBody(name: string): Body {
  return answerProfileSchema.parse({ name }) as unknown as Body;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `over` on top of `base`, objects merged key by key (arrays and other values replace). */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/**
 * A partial body (an import) with the schema's defaults where it says nothing: parsed when it validates, else
 * laid over a new profile's defaults so the fields it got wrong stay visible for the technician to fix.
 */
export function withDefaults(body: Body, name: string): Body {
  const parsed = answerProfileSchema.safeParse(body);
  if (parsed.success) return parsed.data as unknown as Body;
  return deepMerge(newBody(name), body) as Body;
}

/** A name not in `taken`: `New profile`, `New profile 2`... */
export function freeName(base: string, taken: readonly string[]): string {
  const lower = new Set(taken.map((n) => n.toLowerCase()));
  if (!lower.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!lower.has(`${base} ${i}`.toLowerCase())) return `${base} ${i}`;
}

/** The zod issue fields the form reads (zod 4 `$ZodIssue`). */
interface ZodIssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: unknown;
  origin?: unknown;
}

/** zod's generic wording where a technician reads better words. */
function wording(i: ZodIssueLike): string {
  if (i.code === 'too_small' && i.origin === 'string' && Number(i.minimum) === 1) return 'required';
  if (i.code === 'invalid_union') return 'not accepted: enter it again';
  if (i.code === 'invalid_type' && /received undefined/.test(i.message)) return 'required';
  if (i.code === 'invalid_type' && /expected number/.test(i.message)) return 'a whole number';
  return i.message;
}

/** Field-level issues of the whole body against the shared schema, with the paths the core would report. */
export function schemaIssues(body: unknown): AnswerIssue[] {
  const r = answerProfileSchema.safeParse(body);
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    code: 'INVALID_FIELD',
    message: wording(i as unknown as ZodIssueLike),
    severity: 'error' as const,
  }));
}

/**
 * The form's own issues (current body, checked locally) with the core's (from validateProfile / saveProfile,
 * possibly for an older body): the core's schema findings are dropped where the form already reports a field,
 * since both come from the same schema and the form's are fresher; duplicates are kept once.
 */
export function mergeIssues(local: readonly AnswerIssue[], server: readonly AnswerIssue[]): AnswerIssue[] {
  const out = [...local];
  const seen = new Set(local.map((i) => `${pathKey(i.path)}|${i.message}`));
  const localKeys = new Set(local.map((i) => pathKey(i.path)));
  for (const i of server) {
    const k = `${pathKey(i.path)}|${i.message}`;
    if (seen.has(k)) continue;
    if (i.code === 'INVALID_FIELD' && localKeys.has(pathKey(i.path))) continue;
    seen.add(k);
    out.push(i);
  }
  return out;
}

/** Issues still about the field just edited are stale: the next validation says again what holds. */
export function dropIssuesUnder(issues: readonly AnswerIssue[], path: Path): AnswerIssue[] {
  return issues.filter((i) => !(i.path.length >= path.length && path.every((p, n) => i.path[n] === p)));
}

export const errorCount = (issues: readonly AnswerIssue[]): number => issues.filter((i) => i.severity === 'error').length;

/** Text of a list field: one entry a line (keys, packages) or separated by spaces (services, tasks). */
export function listText(value: unknown, sep: 'lines' | 'words'): string {
  if (!Array.isArray(value)) return '';
  return value.map(String).join(sep === 'lines' ? '\n' : ' ');
}

/** A list field's entries: blank lines and surrounding spaces dropped; `words` also splits on commas. */
export function parseList(text: string, sep: 'lines' | 'words'): string[] {
  const parts = sep === 'lines' ? text.split(/\r?\n/) : text.split(/[\s,]+/);
  return parts.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Kickstart sections kept from an import (`%post --interpreter=...` ... `%end`), edited as one text: a section
 * ends at its `%end` line; text after the last `%end` is kept as one more (unfinished) section so the schema can
 * say what is missing instead of the form dropping it.
 */
export function splitSections(text: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (cur.length === 0 && line.trim() === '') continue;
    cur.push(line);
    if (/^%end\s*$/.test(line.trim())) {
      out.push(cur.join('\n'));
      cur = [];
    }
  }
  if (cur.some((l) => l.trim() !== '')) out.push(cur.join('\n').trimEnd());
  return out;
}

export const joinSections = (sections: unknown): string => (Array.isArray(sections) ? sections.map(String).join('\n\n') : '');
