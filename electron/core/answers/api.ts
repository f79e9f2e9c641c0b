/**
 * The answer-profile half of the API (shared/api/contract.ts): stored profiles with versions, validation and
 * previews against an ISO and a machine, import of existing files. Field errors are values (issues) the forms
 * show next to their fields; only missing things (profile, ISO) are API errors.
 */
import { randomBytes } from 'node:crypto';
import { answerFiles, answerProfileSchema, familyOf, importAnswerFile, renderAnswerFile, validateAnswerProfile, type AnswerFamily, type AnswerProfile } from '../../../shared/answers/answer-profile.ts';
import { hashProfileSecrets, saltFromBytes } from '../../../shared/answers/crypt.ts';
import type { AnswerContext, AnswerIssue } from '../../../shared/answers/profile.ts';
import type { ApiHandlers, ProfileDetail } from '../../../shared/api/contract.ts';
import { RackbootError } from '../../../shared/api/errors.ts';
import { callbackBasePath } from '../../../shared/boot/paths.ts';
import type { Machines } from '../boot/machines.ts';
import type { Plan } from '../boot/plan.ts';
import { personalizeProfile } from '../../../shared/answers/substitute.ts';
import type { IsoLibrary, IsoRecord } from '../iso/library.ts';
import type { Store } from '../store/store.ts';
import { createProfileStore, type ProfileStore, type ProfileVersion } from './profiles.ts';

type AnswerHandlers = Pick<
  ApiHandlers,
  'listProfiles' | 'getProfile' | 'saveProfile' | 'validateProfile' | 'renderProfile' | 'importAnswerFile' | 'profileHistory' | 'revertProfile' | 'removeProfile' | 'exportProfile' | 'importProfile'
>;

export interface AnswerService {
  profiles: ProfileStore<AnswerProfile>;
  api: AnswerHandlers;
  /** For the orchestrator: a machine's profile body, or why it cannot be used. */
  load(id: string): { body: AnswerProfile } | { problem: string };
  close(): void;
}

export interface AnswerServiceOptions {
  store: Pick<Store, 'path'>;
  isos: Pick<IsoLibrary, 'get'>;
  machines: Pick<Machines, 'get'>;
  /** Where the server is (or would be) reachable, for the URLs inside previews. */
  where: () => { address: string; httpPort: number };
  staticAddress: (mac: string) => AnswerContext['address'];
  /** The fleet plan: a preview for a planned machine gets its variables and fixed address, as the served file does. */
  plan?: Pick<Plan, 'forMac'>;
}

const salt = () => saltFromBytes(randomBytes(16));

/** The major/minor of an ISO's version string (`9.4` -> 9, 4). */
function minorOf(version: string | null): number | null {
  const m = version ? /^\d+\.(\d+)/.exec(version) : null;
  return m ? Number(m[1]) : null;
}

function zodIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): AnswerIssue[] {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), code: 'INVALID_FIELD', message: i.message, severity: 'error' as const }));
}

export function createAnswerService(o: AnswerServiceOptions): AnswerService {
  const profiles = createProfileStore<AnswerProfile>(o.store, { validate: (body) => answerProfileSchema.parse(body), randomSalt: salt });

  const detail = (v: ProfileVersion<AnswerProfile>): ProfileDetail => {
    const base = { id: v.id, name: v.name, version: v.version, currentVersion: v.currentVersion, note: v.note, createdAt: v.createdAt, updatedAt: v.updatedAt };
    return v.body === null ? { ...base, body: null, problem: v.problem, raw: v.raw } : { ...base, body: v.body as unknown as Record<string, unknown>, problem: null };
  };

  const isoOf = (id: string): IsoRecord => {
    const r = o.isos.get(id);
    if (!r) throw new RackbootError('ISO_NOT_FOUND', `no ISO with id ${id} in the library`);
    return r;
  };
  const familyOfIso = (r: IsoRecord): AnswerFamily => {
    const f = familyOf(r.distro?.family ?? 'unknown');
    if (!f) throw new RackbootError('BAD_REQUEST', `${r.distro?.name ?? r.id} takes no answer file rackboot writes (kickstart, autoinstall or preseed)`);
    return f;
  };
  const distroOf = (r: IsoRecord | null): AnswerContext['distro'] =>
    r?.distro ? { id: r.distro.distro ?? r.distro.family, name: r.distro.name, major: r.distro.major, minor: minorOf(r.distro.version) } : { id: 'rhel', name: 'an installer', major: null, minor: null };

  /** The context a machine would be served with; a preview gets a placeholder token so it cannot finish an install. */
  /** The profile as that machine is served it (the orchestrator does the same): the plan's values in its scripts. */
  function forMachine(body: AnswerProfile, mac: string | undefined): { body: AnswerProfile } | { problem: string } {
    const m = mac ? o.machines.get(mac) : null;
    const planned = mac ? (o.plan?.forMac(mac) ?? null) : null;
    if (!m && !planned) return { body };
    try {
      return { body: personalizeProfile(body, { hostname: m?.hostname ?? planned?.hostname ?? null, mac: m?.mac ?? planned?.mac ?? null, ip: planned?.ip ?? null, serial: planned?.serial ?? null, asset: planned?.asset ?? null, vars: planned?.vars ?? {} }, { staticAddress: Boolean(planned?.ip) }) };
    } catch (e) {
      return { problem: (e as Error).message };
    }
  }

  function previewContext(r: IsoRecord, mac: string | undefined, firmware: 'bios' | 'uefi' | undefined, body: AnswerProfile): AnswerContext {
    const m = mac ? o.machines.get(mac) : null;
    const { address, httpPort } = o.where();
    const mc = m?.mac ?? mac ?? '52:54:00:00:00:01';
    const base = `http://${address}:${httpPort}`;
    return {
      mac: mc,
      hostname: m?.hostname ?? null,
      address: body.network.mode === 'static' ? o.staticAddress(mc) : null,
      firmware: firmware ?? (m?.firmware === 'bios' ? 'bios' : 'uefi'),
      isoUrl: `${base}/iso/${r.id}/`,
      callbacks: { started: `${base}/${callbackBasePath(mc)}/started?token=preview`, done: `${base}/${callbackBasePath(mc)}/done?token=preview` },
      distro: distroOf(r),
    };
  }

  const api: AnswerHandlers = {
    listProfiles: async () => profiles.list(),
    getProfile: async ({ id, version }) => detail(profiles.get(id, version)),
    saveProfile: async ({ id, name, body, note }) => {
      const checked = answerProfileSchema.safeParse({ ...body, name });
      if (!checked.success) return { profile: null, issues: zodIssues(checked.error) };
      const saved = profiles.save({ ...(id ? { id } : {}), name, body: { ...body, name }, note: note ?? null });
      return { profile: detail({ ...saved, problem: null }), issues: [] };
    },
    validateProfile: async ({ body, isoId, family, major, firmware, mac }) => {
      const r = isoId ? isoOf(isoId) : null;
      const f = family ?? (r ? familyOfIso(r) : null);
      if (!f) throw new RackbootError('BAD_REQUEST', 'say which installer to check the profile for: an ISO or a family');
      const parsed = answerProfileSchema.safeParse(body);
      const ctx = r && parsed.success ? previewContext(r, mac, firmware, parsed.data) : undefined;
      const distro = r ? distroOf(r) : { id: f === 'kickstart' ? 'rhel' : f === 'autoinstall' ? 'ubuntu' : 'debian', name: `${f} ${major ?? ''}`.trim(), major: major ?? null, minor: null };
      const { issues } = validateAnswerProfile(body, { family: f, distro, firmware: firmware ?? ctx?.firmware ?? 'uefi', ...(ctx ? { ctx } : {}) });
      return { family: f, issues };
    },
    renderProfile: async ({ id, body, isoId, mac, firmware }) => {
      const r = isoOf(isoId);
      const family = familyOfIso(r);
      let input: unknown = body;
      if (id) {
        const v = profiles.get(id);
        if (v.body === null) throw new RackbootError('INVALID_PROFILE', `answer profile ${id} cannot be used: ${v.problem}`);
        input = v.body;
      }
      if (input === undefined) throw new RackbootError('BAD_REQUEST', 'give a stored profile id or a profile body to render');
      // An unsaved form may carry `{ plain }` passwords: a preview hashes them with a throwaway salt.
      const parsed = answerProfileSchema.safeParse(hashProfileSecrets(input as Parameters<typeof hashProfileSecrets>[0], salt));
      if (!parsed.success) return { family, files: [], issues: zodIssues(parsed.error) };
      const personal = forMachine(parsed.data, mac);
      if ('problem' in personal) return { family, files: [], issues: [{ path: [], code: 'MISSING_VARIABLE', message: personal.problem, severity: 'error' }] };
      const ctx = previewContext(r, mac, firmware, personal.body);
      const { issues } = validateAnswerProfile(personal.body, { family, distro: ctx.distro, firmware: ctx.firmware, ctx });
      const files: { name: string; text: string }[] = [];
      for (const name of answerFiles(family)) {
        try {
          const text = renderAnswerFile(personal.body, family, name, ctx);
          if (text !== null) files.push({ name, text });
        } catch (e) {
          issues.push({ path: [], code: 'RENDER_FAILED', message: `${name}: ${(e as Error).message}`, severity: 'error' });
        }
      }
      return { family, files, issues };
    },
    importAnswerFile: async ({ text, family, name }) => {
      const r = importAnswerFile(text, family, name);
      return { body: r.body as Record<string, unknown>, issues: r.issues };
    },
    profileHistory: async ({ id }) => profiles.history(id),
    revertProfile: async ({ id, version }) => detail({ ...profiles.revert(id, version), problem: null }),
    removeProfile: async ({ id }) => {
      profiles.remove(id);
      return profiles.list();
    },
    exportProfile: async ({ id, version }) => ({ fileName: `${id}.rackboot-profile.json`, text: profiles.export(id, version) + '\n' }),
    importProfile: async ({ text, name }) => detail({ ...profiles.import(text, name ? { name } : {}), problem: null }),
  };

  return {
    profiles,
    api,
    load(id) {
      try {
        const v = profiles.get(id);
        return v.body === null ? { problem: v.problem } : { body: v.body };
      } catch (e) {
        return { problem: (e as Error).message };
      }
    },
    close: () => profiles.close(),
  };
}
