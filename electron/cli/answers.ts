/**
 * `rackboot answers ...`: answer profiles from a script, the same API the UI uses, on the data folder (run while
 * rackboot is stopped, as `rackboot machines`). JSON on stdout; exit 0 on success, 2 on bad arguments, 1 when
 * a profile, an ISO or a file cannot be used, or when `validate` finds errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ANSWER_FAMILIES, importAnswerFile, type AnswerFamily } from '../../shared/answers/answer-profile.ts';
import type { AnswerIssue } from '../../shared/answers/profile.ts';
import { ProfileIdSchema } from '../../shared/api/contract.ts';
import { RackbootError } from '../../shared/api/errors.ts';
import { parseMac } from '../../shared/net/ipv4.ts';
import { createBootServer, type BootServer } from '../core/server.ts';
import { defaultDataDir } from '../core/store/paths.ts';
import { parsePositional, UsageError, write } from './args.ts';

export const ANSWERS_HELP = `rackboot answers: answer profiles (kickstart, Ubuntu autoinstall, Debian preseed) for unattended installs

  rackboot answers [list]                                  every profile: id, name, version, problem
  rackboot answers import FILE [--family F] [--name NAME]  a kickstart / autoinstall user-data / preseed (F guessed
                                                           from the file when not given) or a profile JSON (a body,
                                                           or a file from 'export'): saved as a profile
  rackboot answers show ID [--version N]                   the profile as JSON (passwords as hashes only)
  rackboot answers render ID|FILE [--iso ID|PATH] [--mac MAC] [--firmware bios|uefi] [--file NAME]
  rackboot answers render --profile ID|FILE --mac MAC [...]
                                                           what a machine installing that ISO is served (--iso
                                                           defaults to the ISO assigned to --mac); --file prints
                                                           one file as it is served (ks.cfg, user-data...)
  rackboot answers validate ID|FILE [--iso ID|PATH | --family F [--version N]] [--firmware bios|uefi]
                                                           field and installer-specific problems (a FILE: a kickstart,
                                                           user-data, preseed or profile JSON; line numbers in the
                                                           messages); exit 1 on errors
  rackboot answers history ID | revert ID VERSION | export ID | rm ID

  All take --data DIR (default: rackboot's data folder). Assign a profile with
  rackboot machines assign MAC --iso ... --profile ID.
`;

export class AnswersCommandError extends Error {}

/** Which family a file is written for, from its text. */
export function guessFamily(text: string): AnswerFamily | null {
  if (/^\s*#cloud-config/m.test(text) || /^\s*autoinstall\s*:/m.test(text)) return 'autoinstall';
  if (/^\s*d-i\s+\S+\s+\S+/m.test(text)) return 'preseed';
  if (/^\s*%(packages|post|pre)\b/m.test(text) || /^\s*(rootpw|url|autopart|clearpart|lang|keyboard|timezone)\b/m.test(text)) return 'kickstart';
  return null;
}

async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof RackbootError) throw new AnswersCommandError(e.message);
    throw e;
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnswersCommandError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const errorsIn = (issues: AnswerIssue[]) => issues.filter((i) => i.severity === 'error');

/** A profile body from a file: a profile JSON as is, or an installer's file imported (the issues say what was dropped). */
function bodyFromFile(path: string, family: AnswerFamily | undefined): { body: Record<string, unknown>; issues: AnswerIssue[]; family: AnswerFamily | null } {
  const text = readText(path);
  try {
    const json = JSON.parse(text) as unknown;
    if (json && typeof json === 'object' && !Array.isArray(json)) return { body: json as Record<string, unknown>, issues: [], family: family ?? null };
  } catch {
    // Not JSON: an installer's file.
  }
  const f = family ?? guessFamily(text);
  if (!f) throw new UsageError(`cannot tell which installer ${path} is for: give --family ${ANSWER_FAMILIES.join('|')}`);
  const r = importAnswerFile(text, f, 'file');
  return { body: r.body as Record<string, unknown>, issues: r.issues, family: f };
}

export async function answersCommand(argv: string[]): Promise<void> {
  const known = ['list', 'import', 'show', 'render', 'validate', 'history', 'revert', 'export', 'rm'];
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'list';
  if (!known.includes(sub)) throw new UsageError(`unknown answers command ${sub} (${known.join(', ')})`);
  const rest = argv[0] === sub ? argv.slice(1) : argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(ANSWERS_HELP);
    return;
  }
  const { values, positionals } = parsePositional(rest, {
    data: { type: 'string' },
    family: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    iso: { type: 'string' },
    mac: { type: 'string' },
    firmware: { type: 'string' },
    file: { type: 'string' },
    profile: { type: 'string' },
  });
  // `render --profile X` is `render X`.
  if (sub === 'render' && values.profile !== undefined) {
    if (positionals.length) throw new UsageError('give the profile once: render ID|FILE or render --profile ID|FILE');
    positionals.push(values.profile);
  }
  const want = { list: 0, import: 1, show: 1, render: 1, validate: 1, history: 1, revert: 2, export: 1, rm: 1 }[sub]!;
  if (positionals.length !== want) throw new UsageError(`usage: ${ANSWERS_HELP.split('\n').find((l) => l.includes(`answers ${sub}`))?.trim() ?? `rackboot answers ${sub}`}`);
  if (values.family !== undefined && !(ANSWER_FAMILIES as readonly string[]).includes(values.family)) throw new UsageError(`--family takes ${ANSWER_FAMILIES.join(', ')}, not ${values.family}`);
  if (values.firmware !== undefined && !['bios', 'uefi'].includes(values.firmware)) throw new UsageError(`--firmware takes bios or uefi, not ${values.firmware}`);
  if (values.mac !== undefined && !parseMac(values.mac)) throw new UsageError(`--mac ${values.mac} is not a MAC address`);
  if (values.version !== undefined && !/^[1-9][0-9]{0,8}$/.test(values.version)) throw new UsageError(`--version takes a version number, not ${values.version}`);
  const id = positionals[0] ?? '';
  // render and validate also take a file: an installer's own answer file or a profile JSON.
  const isFile = (sub === 'render' || sub === 'validate') && (id.includes('/') || existsSync(id));
  if (!['list', 'import'].includes(sub) && !isFile && !ProfileIdSchema.safeParse(id).success) throw new UsageError(`${id} is not a profile id (rackboot answers list shows them) nor a file`);
  if (sub === 'render' && !values.iso && !values.mac) throw new UsageError('render needs --iso ID|PATH, or --mac of a machine with an ISO assigned');
  if (sub === 'validate' && !values.iso && !values.family && !(isFile && guessFamily(readText(id)))) throw new UsageError('validate needs --iso ID|PATH or --family F');

  const core: BootServer = createBootServer({ dataDir: resolve(values.data ?? defaultDataDir()) });
  const api = core.api;
  const firmware = values.firmware as 'bios' | 'uefi' | undefined;
  /** An ISO id in the library, or a path to add (indexed once) without serving it. */
  const isoId = async (iso: string): Promise<string> => {
    const rec = core.isos.get(iso) ?? (iso.includes('/') || /\.iso$/i.test(iso) ? await core.isos.add(resolve(iso)).catch((e: Error) => Promise.reject(new AnswersCommandError(e.message))) : null);
    if (!rec) throw new AnswersCommandError(`no ISO ${iso} in the library (give a path to add one)`);
    return rec.id;
  };
  try {
    switch (sub) {
      case 'list':
        for (const p of await call(api.listProfiles(undefined))) write(p);
        return;
      case 'import': {
        const text = readText(id);
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          // Not JSON: an installer's own file.
        }
        if (json !== undefined && typeof json === 'object' && json !== null && (json as { format?: unknown }).format !== undefined) {
          const saved = await call(api.importProfile({ text, ...(values.name ? { name: values.name } : {}) }));
          write({ profile: { id: saved.id, name: saved.name, version: saved.version }, issues: [] });
          return;
        }
        let body: Record<string, unknown>;
        let issues: AnswerIssue[] = [];
        if (json !== undefined) {
          if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new AnswersCommandError(`${id}: a profile JSON is an object`);
          body = json as Record<string, unknown>;
        } else {
          const family = (values.family as AnswerFamily | undefined) ?? guessFamily(text);
          if (!family) throw new UsageError(`cannot tell which installer ${id} is for: give --family ${ANSWER_FAMILIES.join('|')}`);
          ({ body, issues } = await call(api.importAnswerFile({ text, family, ...(values.name ? { name: values.name } : {}) })));
        }
        const name = values.name ?? (typeof body.name === 'string' ? body.name : undefined);
        if (!name) throw new UsageError('give the profile a --name');
        const saved = await call(api.saveProfile({ name, body, note: `imported from ${id}` }));
        write({ profile: saved.profile && { id: saved.profile.id, name: saved.profile.name, version: saved.profile.version }, issues: [...issues, ...saved.issues] });
        if (!saved.profile) throw new AnswersCommandError(`${id} was not saved: ${errorsIn(saved.issues).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        return;
      }
      case 'show':
        write(await call(api.getProfile({ id, ...(values.version ? { version: Number(values.version) } : {}) })));
        return;
      case 'render': {
        let iso = values.iso ? await isoId(values.iso) : null;
        if (!iso) {
          const m = (await call(api.listMachines(undefined))).find((x) => x.mac === parseMac(values.mac!));
          if (!m?.isoId) throw new AnswersCommandError(`machine ${values.mac} has no ISO assigned: give --iso`);
          iso = m.isoId;
        }
        const source = isFile ? { body: bodyFromFile(id, values.family as AnswerFamily | undefined).body } : { id };
        const r = await call(api.renderProfile({ ...source, isoId: iso, ...(values.mac ? { mac: values.mac } : {}), ...(firmware ? { firmware } : {}) }));
        if (values.file) {
          const f = r.files.find((x) => x.name === values.file);
          if (!f) throw new AnswersCommandError(`${values.file} is not one of the files for this ISO (${r.files.map((x) => x.name).join(', ') || 'none: see the issues'})`);
          process.stdout.write(f.text);
          for (const i of errorsIn(r.issues)) process.stderr.write(`rackboot: ${i.path.join('.') || 'profile'}: ${i.message}\n`);
          return;
        }
        write(r);
        if (errorsIn(r.issues).length) throw new AnswersCommandError(`${errorsIn(r.issues).length} error(s) in profile ${id}`);
        return;
      }
      case 'validate': {
        let body: Record<string, unknown>;
        let parseIssues: AnswerIssue[] = [];
        let family = values.family as AnswerFamily | undefined;
        if (isFile) {
          const f = bodyFromFile(id, family);
          ({ body, issues: parseIssues } = f);
          family ??= f.family ?? undefined;
        } else {
          const p = await call(api.getProfile({ id }));
          body = p.body ?? (p.raw as Record<string, unknown>);
        }
        const r = await call(
          api.validateProfile({
            body,
            ...(values.iso ? { isoId: await isoId(values.iso) } : {}),
            ...(family ? { family } : {}),
            ...(values.version ? { major: Number(values.version) } : {}),
            ...(firmware ? { firmware } : {}),
          }),
        );
        r.issues = [...parseIssues, ...r.issues];
        write(r);
        if (errorsIn(r.issues).length) throw new AnswersCommandError(`${errorsIn(r.issues).length} error(s) in profile ${id}`);
        return;
      }
      case 'history':
        for (const h of await call(api.profileHistory({ id }))) write(h);
        return;
      case 'revert': {
        if (!/^[1-9][0-9]{0,8}$/.test(positionals[1]!)) throw new UsageError(`${positionals[1]} is not a version number`);
        const p = await call(api.revertProfile({ id, version: Number(positionals[1]) }));
        write({ id: p.id, version: p.version });
        return;
      }
      case 'export':
        process.stdout.write((await call(api.exportProfile({ id }))).text);
        return;
      case 'rm':
        await call(api.removeProfile({ id }));
        return;
    }
  } finally {
    await core.close();
  }
}

