/**
 * A plan CSV read against a core (`rackboot machines import`, `rackboot serve --plan`): the context readPlan
 * checks rows against (the served network from the settings, reservations, known machines, the ISO library,
 * the answer profiles), then the ISOs named by path added to the library and the changes applied.
 * ISO paths in a plan are relative to the plan file's folder.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { profilePlaceholders } from '../../shared/answers/substitute.ts';
import type { AnswerProfile } from '../../shared/answers/answer-profile.ts';
import type { NetInterface, Settings } from '../../shared/api/contract.ts';
import { resolveServerConfig } from '../../shared/boot/server-config.ts';
import { readPlan, type PlanContext, type PlanReading } from '../../shared/plan/plan.ts';
import { isoIdFor } from '../core/iso/library.ts';
import type { BootServer } from '../core/server.ts';

/** The network plan addresses are checked against; null when the settings name no usable interface. */
export function planNetwork(settings: Settings, nics: NetInterface[]): PlanContext['network'] {
  if (!settings.interface) return null;
  try {
    const c = resolveServerConfig(settings, nics);
    return { subnet: c.subnet, self: c.address, pool: c.dhcpMode === 'full' ? c.pool : null };
  } catch {
    return null;
  }
}

export interface LoadedPlan {
  reading: PlanReading;
  /** ISO files the plan names by path that are not in the library yet: predicted id -> path. */
  newIsos: Map<string, string>;
}

export class PlanFileError extends Error {}

export function readPlanText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new PlanFileError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads and checks a plan (nothing is written). `text` defaults to the file's content. */
export async function loadPlan(core: BootServer, file: string, opts: { settings: Settings; nics: NetInterface[]; text?: string }): Promise<LoadedPlan> {
  const text = opts.text ?? readPlanText(file);
  const folder = dirname(resolve(file));
  const newIsos = new Map<string, string>();
  const library = core.isos.list();
  const isoCell = (value: string): ReturnType<PlanContext['iso']> => {
    const v = value.toLowerCase().replace(/;1$/, '');
    const byId = core.isos.get(v) ?? library.find((r) => r.id === v || basename(r.path).toLowerCase() === v);
    if (byId) return { id: byId.id };
    const path = isAbsolute(value) ? value : resolve(folder, value);
    const inLibrary = core.isos.get(path);
    if (inLibrary) return { id: inLibrary.id };
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) return { problem: `no ISO ${value} in the library, and no file ${path} (an ISO id, its file name, or a path to an image)` };
    const known = [...newIsos.entries()].find(([, p]) => p === path);
    if (known) return { id: known[0] };
    const id = isoIdFor(path, (c) => core.isos.get(c) !== null || newIsos.has(c));
    newIsos.set(id, path);
    return { id };
  };
  const profiles = await core.api.listProfiles(undefined);
  const bodies = new Map<string, { body: AnswerProfile | null; problem: string | null }>();
  for (const p of profiles) {
    const d = await core.api.getProfile({ id: p.id });
    bodies.set(p.id, { body: d.body as unknown as AnswerProfile | null, problem: d.problem });
  }
  const profileCell = (value: string): ReturnType<PlanContext['profile']> => {
    const v = value.toLowerCase();
    const p = profiles.find((x) => x.id === v || x.name.toLowerCase() === v);
    if (!p) return { problem: `no answer profile ${value} (rackboot answers list shows them)` };
    const b = bodies.get(p.id)!;
    if (!b.body) return { problem: `answer profile ${p.id} cannot be used: ${b.problem}` };
    return { id: p.id, placeholders: profilePlaceholders(b.body) };
  };
  const reading = readPlan(text, {
    network: planNetwork(opts.settings, opts.nics),
    reservations: opts.settings.reservations,
    known: core.plan.known(),
    iso: isoCell,
    profile: profileCell,
  });
  return { reading, newIsos };
}

/** ISO paths of a plan's rows (for `serve --plan`, which serves them too). */
export function planIsoIds(reading: PlanReading): string[] {
  return [...new Set(reading.changes.map((c) => c.entry.iso).filter((x): x is string => x !== null))];
}

/** Adds the new ISOs, then writes the plan. Returns the MACs armed. */
export async function applyPlan(core: BootServer, loaded: LoadedPlan): Promise<{ armed: string[] }> {
  const rename = new Map<string, string>();
  for (const [predicted, path] of loaded.newIsos) {
    let rec;
    try {
      rec = await core.isos.add(path);
    } catch (e) {
      throw new PlanFileError(`cannot add ${path} to the library: ${(e as Error).message}`);
    }
    if (rec.id !== predicted) rename.set(predicted, rec.id);
  }
  const changes = loaded.reading.changes.map((c) => (c.entry.iso && rename.has(c.entry.iso) ? { ...c, entry: { ...c.entry, iso: rename.get(c.entry.iso)! } } : c));
  return core.plan.apply(changes);
}

/** `added 2, updated 1, unchanged 3` */
export function changeCounts(reading: PlanReading): { added: number; updated: number; unchanged: number } {
  const n = (a: string) => reading.changes.filter((c) => c.action === a).length;
  return { added: n('add'), updated: n('update'), unchanged: n('unchanged') };
}
