/**
 * Per-machine variables in answer files: `{{hostname}}`, `{{mac}}`, `{{ip}}`, `{{serial}}`, `{{asset}}` and
 * `{{var.NAME}}` (a plan's `var.NAME` columns) in a profile's pre/post scripts and in a plan's host names.
 * Only these names are placeholders: any other `{{...}}` (Jinja in cloud-init, Go templates) is left as it is.
 * Variable names are matched without regard to case, as the plan's column headers are.
 * Pure: the orchestrator calls `personalizeProfile` before rendering; the plan import calls `substitute` on host
 * names (and checks that a profile's placeholders all have values) before anything is saved.
 */
import type { AnswerProfile } from './answer-profile.ts';

/** What one machine fills in. Values are single lines (the plan import refuses line breaks). */
export interface MachineVars {
  hostname?: string | null;
  mac?: string | null;
  ip?: string | null;
  serial?: string | null;
  asset?: string | null;
  /** `var.NAME` columns, keys in lower case. */
  vars?: Readonly<Record<string, string>>;
}

export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
type Builtin = 'hostname' | 'mac' | 'ip' | 'serial' | 'asset';
const PLACEHOLDER = /\{\{\s*(hostname|mac|ip|serial|asset|var\.([A-Za-z_][A-Za-z0-9_-]{0,63}))\s*\}\}/gi;

/** The placeholders `text` uses, as written in lower case (`hostname`, `var.rack`), each once, in order. */
export function placeholdersIn(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) seen.add(m[1]!.toLowerCase());
  return [...seen];
}

/**
 * `text` with every placeholder that has a value replaced; `missing` lists those without one (`var.rack`,
 * `ip`), which stay in the text as written. A value is inserted verbatim: scripts quote it themselves.
 */
export function substitute(text: string, values: MachineVars): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const out = text.replace(PLACEHOLDER, (whole, name: string, varName: string | undefined) => {
    const key = name.toLowerCase();
    let value: string | null | undefined;
    if (varName !== undefined) value = values.vars?.[varName.toLowerCase()];
    else value = values[key as Builtin];
    if (value === undefined || value === null) {
      missing.add(key);
      return whole;
    }
    return value;
  });
  return { text: out, missing: [...missing] };
}

/** The placeholders in a profile's scripts (what a plan row must give values for). */
export function profilePlaceholders(profile: Pick<AnswerProfile, 'preScript' | 'postScript'>): string[] {
  return [...new Set([...placeholdersIn(profile.preScript), ...placeholdersIn(profile.postScript)])];
}

export class MissingVariableError extends Error {
  override readonly name = 'MissingVariableError';
  constructor(readonly missing: string[]) {
    super(`the profile's scripts use ${missing.map((m) => `{{${m}}}`).join(', ')}, which this machine has no value for (add the column to its plan row)`);
  }
}

/**
 * The profile as one machine gets it: scripts with the machine's values filled in, and static networking when
 * the machine has a fixed address in the plan (`staticAddress`). Throws MissingVariableError when a script uses
 * a placeholder the machine has no value for: an install with `{{var.rack}}` left in its script is wrong.
 */
export function personalizeProfile(profile: AnswerProfile, values: MachineVars, opts: { staticAddress?: boolean } = {}): AnswerProfile {
  const pre = substitute(profile.preScript, values);
  const post = substitute(profile.postScript, values);
  const missing = [...new Set([...pre.missing, ...post.missing])];
  if (missing.length) throw new MissingVariableError(missing);
  const network = opts.staticAddress && profile.network.mode !== 'static' ? { ...profile.network, mode: 'static' as const } : profile.network;
  if (pre.text === profile.preScript && post.text === profile.postScript && network === profile.network) return profile;
  return { ...profile, preScript: pre.text, postScript: post.text, network };
}
