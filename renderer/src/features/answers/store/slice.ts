/**
 * The Answer files screen's slice of the app store: the stored profiles, the one open in the editor (its saved
 * body and the unsaved draft, validated on every change with the shared schema), its version history, an import
 * waiting for the technician's look, and the live preview of the files a machine would be served.
 *
 * The preview (renderProfile + validateProfile on the unsaved draft) runs once the draft has been quiet for
 * PREVIEW_DELAY_MS, never per keystroke; an answer for an older draft than the newest request is dropped.
 */
import type { AnswerFamily } from '../../../../../shared/answers/answer-profile.ts';
import type { AnswerIssue } from '../../../../../shared/answers/profile.ts';
import type { IsoSummary, MachineSummary, MethodOutput, ProfileDetail, ProfileSummary } from '../../../../../shared/api/contract.ts';
import type { ApiError } from '../../../../../shared/api/errors.ts';
import type { AppState, SliceContext } from '../../../app/store.ts';
import { dropIssuesUnder, freeName, newBody, sameBody, schemaIssues, setAt, withDefaults, type Body, type Path } from '../form.ts';
import type { ImportFormat } from '../guess.ts';

export const PREVIEW_DELAY_MS = 400;

/** ISO families a profile renders for. */
const FAMILY_OF_DISTRO: Record<string, AnswerFamily> = { rhel: 'kickstart', ubuntu: 'autoinstall', debian: 'preseed' };
export const isoFamily = (iso: IsoSummary): AnswerFamily | null => FAMILY_OF_DISTRO[iso.family] ?? null;

export type HistoryEntry = MethodOutput<'profileHistory'>[number];
export type PreviewFile = { name: string; text: string };

export interface PreviewState {
  /** The ISO the files are rendered for; null: no ISO, only the checks for `family`. */
  isoId: string | null;
  /** A machine whose host name, address and firmware the preview uses; null: an example machine. */
  mac: string | null;
  firmware: 'uefi' | 'bios';
  /** The family checked while no ISO is picked. */
  family: AnswerFamily;
  /** `pending` while a request is out (the last files stay on screen meanwhile). */
  status: 'idle' | 'pending' | 'ready';
  /** The family the shown files and issues are for. */
  resultFamily: AnswerFamily | null;
  files: PreviewFile[];
  /** The files are from an earlier draft: the current one cannot be rendered (fields to fix first). */
  stale: boolean;
  /** validateProfile's issues for that family and firmware, plus render failures. */
  issues: AnswerIssue[];
  error: ApiError | null;
  tab: string | null;
}

export interface OpenProfile {
  /** Stored id, or null for a profile not saved yet (new, duplicated or imported). */
  id: string | null;
  version: number | null;
  /** A stored body that no longer validates: why (the form shows the raw body to repair). */
  problem: string | null;
}

export interface ViewedVersion {
  version: number;
  note: string | null;
  createdAt: number;
  body: Body | null;
  problem: string | null;
}

export interface ImportResult {
  family: AnswerFamily;
  name: string;
  body: Body;
  issues: AnswerIssue[];
}

export type Failure = ApiError & { during: 'save' | 'remove' | 'import' | 'revert' };

export interface AnswersState {
  list: ProfileSummary[];
  loaded: boolean;
  open: OpenProfile | null;
  /** The body as saved (or as a new draft started), to tell unsaved changes. */
  baseline: Body | null;
  draft: Body | null;
  /** The shared schema's findings on the current draft. */
  localIssues: AnswerIssue[];
  /** The core's findings (validateProfile for the preview target, saveProfile's refusal). */
  serverIssues: AnswerIssue[];
  /** What the import that made this draft dropped or wants looked at; kept until saved or dismissed. */
  importIssues: AnswerIssue[];
  history: HistoryEntry[];
  viewing: ViewedVersion | null;
  /** Read, not yet opened: the technician looks at its issues first. */
  imported: ImportResult | null;
  isos: IsoSummary[];
  machines: MachineSummary[];
  preview: PreviewState;
  saving: boolean;
  /** Counts the bodies put in the editor (open, new, save, revert...): the form starts afresh with each. */
  session: number;
  /** Why the last save, delete, import or revert did not happen, and which (shown where it was asked for). */
  failure: Failure | null;
}

export interface AnswersSlice {
  answers: AnswersState;
  answerActions: {
    /** Profiles, and the ISOs and machines the preview offers. */
    load(): Promise<void>;
    refreshList(): Promise<void>;
    open(id: string): Promise<boolean>;
    close(): void;
    create(): void;
    /** The open profile as a new unsaved one, named `<name> copy`. */
    duplicate(): void;
    edit(path: Path, value: unknown): void;
    discard(): void;
    save(note: string | null): Promise<boolean>;
    remove(id: string): Promise<boolean>;
    /** An installer's file (as a family) or a rackboot export (saved at once); false with `failure` set when refused. */
    readFile(text: string, format: ImportFormat, name: string | null): Promise<boolean>;
    acceptImport(): void;
    cancelImport(): void;
    dismissImportIssues(): void;
    exportProfile(id: string): Promise<MethodOutput<'exportProfile'> | null>;
    loadHistory(): Promise<void>;
    view(version: number): Promise<boolean>;
    closeView(): void;
    /** A new version with an old version's body; the draft follows (unsaved changes are dropped). */
    revert(version: number): Promise<boolean>;
    setPreview(patch: Partial<Pick<PreviewState, 'isoId' | 'mac' | 'firmware' | 'family'>>): void;
    setPreviewTab(name: string): void;
    clearFailure(): void;
  };
}

const EMPTY_PREVIEW: PreviewState = {
  isoId: null,
  mac: null,
  firmware: 'uefi',
  family: 'kickstart',
  status: 'idle',
  resultFamily: null,
  files: [],
  stale: false,
  issues: [],
  error: null,
  tab: null,
};

export function createAnswersSlice({ api, set, get, run }: SliceContext): AnswersSlice {
  const state = () => get().answers;
  const patch = (p: Partial<AnswersState>): Partial<AppState> => ({ answers: { ...state(), ...p } });
  const patchPreview = (p: Partial<PreviewState>): Partial<AppState> => patch({ preview: { ...state().preview, ...p } });

  let previewTimer: ReturnType<typeof setTimeout> | null = null;
  let previewSeq = 0;
  let openSeq = 0;

  /** Asks for a preview of the draft once it has been quiet for PREVIEW_DELAY_MS; until then it says it is updating. */
  const schedulePreview = () => {
    if (previewTimer !== null) clearTimeout(previewTimer);
    if (state().preview.status !== 'pending') set(patchPreview({ status: 'pending' }));
    previewTimer = setTimeout(() => {
      previewTimer = null;
      void runPreview();
    }, PREVIEW_DELAY_MS);
  };

  async function runPreview(): Promise<void> {
    const { draft, preview } = state();
    if (!draft) return;
    const seq = ++previewSeq;
    set(patchPreview({ status: 'pending' }));
    const target = {
      ...(preview.isoId ? { isoId: preview.isoId } : { family: preview.family }),
      firmware: preview.firmware,
      ...(preview.mac ? { mac: preview.mac } : {}),
    };
    const [checked, rendered] = await Promise.all([
      api.validateProfile({ body: draft, ...target }),
      preview.isoId ? api.renderProfile({ body: draft, isoId: preview.isoId, firmware: preview.firmware, ...(preview.mac ? { mac: preview.mac } : {}) }) : Promise.resolve(null),
    ]);
    if (seq !== previewSeq) return;
    if (!checked.ok) {
      set(patchPreview({ status: 'ready', error: checked.error, issues: [] }));
      return;
    }
    const failures = rendered?.ok ? rendered.value.issues.filter((i) => i.code === 'RENDER_FAILED') : [];
    const next: Partial<PreviewState> = { status: 'ready', error: rendered && !rendered.ok ? rendered.error : null, resultFamily: checked.value.family, issues: [...checked.value.issues, ...failures] };
    if (rendered === null) Object.assign(next, { files: [], stale: false });
    else if (rendered.ok && rendered.value.files.length > 0) {
      // vendor-data is served empty: a tab with nothing in it only puzzles.
      const files = rendered.value.files.filter((f) => f.text !== '' || f.name !== 'vendor-data');
      const tab = files.some((f) => f.name === preview.tab) ? preview.tab : (files[0]?.name ?? null);
      Object.assign(next, { files, stale: false, tab });
    } else Object.assign(next, { stale: state().preview.files.length > 0 });
    set(patch({ preview: { ...state().preview, ...next }, serverIssues: checked.value.issues }));
  }

  /** Puts a body in the editor as the starting point (saved or new); the preview starts over unless `extra` keeps it. */
  const startEditing = (open: OpenProfile, body: Body, extra: Partial<AnswersState> = {}): void => {
    set(
      patch({
        open,
        preview: { ...state().preview, files: [], issues: [], stale: false, error: null, resultFamily: null },
        baseline: body,
        draft: body,
        localIssues: schemaIssues(body),
        serverIssues: [],
        importIssues: [],
        viewing: null,
        failure: null,
        session: state().session + 1,
        ...extra,
      }),
    );
    schedulePreview();
  };

  const fromDetail = (p: ProfileDetail): { open: OpenProfile; body: Body } => {
    const raw = p.body ?? (p.raw && typeof p.raw === 'object' && !Array.isArray(p.raw) ? (p.raw as Body) : newBody(p.name));
    // The profile's name is the one that counts (importProfile with a new name keeps the file's name in the body).
    return { open: { id: p.id, version: p.version, problem: p.problem }, body: raw.name === p.name ? raw : { ...raw, name: p.name } };
  };

  const loadHistory = async () => {
    const id = state().open?.id;
    if (!id) {
      set(patch({ history: [] }));
      return;
    }
    await run(api.profileHistory({ id }), (history) => (state().open?.id === id ? patch({ history }) : {}));
  };

  const refreshList = () => run(api.listProfiles(undefined), (list) => patch({ list, loaded: true })).then(() => undefined);

  return {
    answers: {
      list: [],
      loaded: false,
      open: null,
      baseline: null,
      draft: null,
      localIssues: [],
      serverIssues: [],
      importIssues: [],
      history: [],
      viewing: null,
      imported: null,
      isos: [],
      machines: [],
      preview: EMPTY_PREVIEW,
      saving: false,
      session: 0,
      failure: null,
    },
    answerActions: {
      async load() {
        await Promise.all([
          refreshList(),
          run(api.listIsos(undefined), (all) => {
            const isos = all.filter((i) => isoFamily(i) !== null);
            const { preview } = state();
            const isoId = preview.isoId && isos.some((i) => i.id === preview.isoId) ? preview.isoId : (isos[0]?.id ?? null);
            if (isoId !== preview.isoId && state().draft) schedulePreview();
            return patch({ isos, preview: { ...preview, isoId } });
          }),
          run(api.listMachines(undefined), (machines) => patch({ machines })),
        ]);
      },
      refreshList,
      async open(id) {
        const seq = ++openSeq;
        const r = await api.getProfile({ id });
        if (seq !== openSeq) return false;
        if (!r.ok) {
          set({ error: r.error });
          return false;
        }
        const { open, body } = fromDetail(r.value);
        startEditing(open, body, { history: [] });
        await loadHistory();
        return true;
      },
      close() {
        openSeq++;
        set(patch({ open: null, baseline: null, draft: null, localIssues: [], serverIssues: [], importIssues: [], history: [], viewing: null, preview: { ...state().preview, files: [], issues: [], status: 'idle', tab: null } }));
      },
      create() {
        openSeq++;
        const name = freeName('New profile', state().list.map((p) => p.name));
        startEditing({ id: null, version: null, problem: null }, newBody(name), { history: [], baseline: newBody(name) });
      },
      duplicate() {
        const { baseline, draft } = state();
        const from = baseline ?? draft;
        if (!from) return;
        openSeq++;
        const name = freeName(`${typeof from.name === 'string' ? from.name : 'Profile'} copy`, state().list.map((p) => p.name));
        const body = { ...from, name };
        startEditing({ id: null, version: null, problem: null }, body, { history: [] });
      },
      edit(path, value) {
        const { draft, serverIssues } = state();
        if (!draft) return;
        const next = setAt(draft, path, value);
        set(patch({ draft: next, localIssues: schemaIssues(next), serverIssues: dropIssuesUnder(serverIssues, path), failure: null }));
        schedulePreview();
      },
      discard() {
        const { baseline } = state();
        if (!baseline) return;
        set(patch({ draft: baseline, localIssues: schemaIssues(baseline), serverIssues: [], failure: null }));
        schedulePreview();
      },
      async save(note) {
        const { draft, open } = state();
        if (!draft || !open) return false;
        const name = typeof draft.name === 'string' ? draft.name.trim() : '';
        if (!name) {
          set(patch({ localIssues: schemaIssues({ ...draft, name: '' }) }));
          return false;
        }
        set(patch({ saving: true, failure: null }));
        const r = await api.saveProfile({ ...(open.id ? { id: open.id } : {}), name, body: { ...draft, name }, note: note?.trim() ? note.trim() : null });
        set(patch({ saving: false }));
        if (!r.ok) {
          const onName = r.error.code === 'PROFILE_NAME_TAKEN' ? [{ path: ['name'], code: r.error.code, message: r.error.message, severity: 'error' as const }] : [];
          set(patch({ failure: { ...r.error, during: 'save' }, serverIssues: [...state().serverIssues, ...onName] }));
          return false;
        }
        if (!r.value.profile) {
          set(patch({ serverIssues: r.value.issues }));
          return false;
        }
        const { open: saved, body } = fromDetail(r.value.profile);
        startEditing(saved, body, { history: state().history, preview: state().preview });
        await Promise.all([refreshList(), loadHistory()]);
        return true;
      },
      async remove(id) {
        const r = await api.removeProfile({ id });
        if (!r.ok) {
          set(patch({ failure: { ...r.error, during: 'remove' } }));
          return false;
        }
        set(patch({ list: r.value, failure: null }));
        if (state().open?.id === id) get().answerActions.close();
        return true;
      },
      async readFile(text, format, name) {
        set(patch({ failure: null }));
        if (format === 'profile') {
          const r = await api.importProfile({ text, ...(name ? { name } : {}) });
          if (!r.ok) {
            set(patch({ failure: { ...r.error, during: 'import' } }));
            return false;
          }
          await refreshList();
          const { open, body } = fromDetail(r.value);
          startEditing(open, body, { history: [] });
          await loadHistory();
          return true;
        }
        const r = await api.importAnswerFile({ text, family: format, ...(name ? { name } : {}) });
        if (!r.ok) {
          set(patch({ failure: { ...r.error, during: 'import' } }));
          return false;
        }
        const named = typeof r.value.body.name === 'string' && r.value.body.name ? r.value.body.name : freeName(name || 'Imported profile', state().list.map((p) => p.name));
        set(patch({ imported: { family: format, name: named, body: { ...r.value.body, name: named }, issues: r.value.issues } }));
        return true;
      },
      acceptImport() {
        const { imported } = state();
        if (!imported) return;
        openSeq++;
        // Defaults filled in where the file said nothing, so each control shows what will be written.
        const start = newBody(imported.name);
        const body = withDefaults(imported.body, imported.name);
        // The check runs for the family the file was written for, so its issues are the ones that matter.
        startEditing({ id: null, version: null, problem: null }, body, {
          history: [],
          baseline: start,
          imported: null,
          importIssues: imported.issues,
          preview: { ...state().preview, files: [], issues: [], stale: false, error: null, resultFamily: null, family: imported.family, isoId: pickIso(state().isos, state().preview.isoId, imported.family) },
        });
      },
      cancelImport() {
        set(patch({ imported: null, failure: null }));
      },
      dismissImportIssues() {
        set(patch({ importIssues: [] }));
      },
      async exportProfile(id) {
        const r = await api.exportProfile({ id });
        if (!r.ok) {
          set({ error: r.error });
          return null;
        }
        return r.value;
      },
      loadHistory,
      async view(version) {
        const id = state().open?.id;
        if (!id) return false;
        const r = await api.getProfile({ id, version });
        if (!r.ok) {
          set({ error: r.error });
          return false;
        }
        const entry = state().history.find((h) => h.version === version);
        const body = r.value.body ?? (r.value.raw && typeof r.value.raw === 'object' ? (r.value.raw as Body) : null);
        set(patch({ viewing: { version, note: entry?.note ?? r.value.note, createdAt: entry?.createdAt ?? r.value.updatedAt, body, problem: r.value.problem } }));
        return true;
      },
      closeView() {
        set(patch({ viewing: null }));
      },
      async revert(version) {
        const id = state().open?.id;
        if (!id) return false;
        const r = await api.revertProfile({ id, version });
        if (!r.ok) {
          set(patch({ failure: { ...r.error, during: 'revert' } }));
          return false;
        }
        const { open, body } = fromDetail(r.value);
        startEditing(open, body, { history: state().history });
        await Promise.all([refreshList(), loadHistory()]);
        return true;
      },
      setPreview(p) {
        const preview = { ...state().preview, ...p };
        if (p.mac !== undefined && p.firmware === undefined) {
          const m = state().machines.find((x) => x.mac === p.mac);
          if (m?.firmware === 'bios' || m?.firmware === 'uefi') preview.firmware = m.firmware;
        }
        set(patch({ preview }));
        schedulePreview();
      },
      setPreviewTab(name) {
        set(patchPreview({ tab: name }));
      },
      clearFailure() {
        set(patch({ failure: null }));
      },
    },
  };
}

/** The ISO to preview an imported file with: the one picked if it suits the family, else the first that does. */
function pickIso(isos: readonly IsoSummary[], current: string | null, family: AnswerFamily): string | null {
  const cur = isos.find((i) => i.id === current);
  if (cur && isoFamily(cur) === family) return cur.id;
  return isos.find((i) => isoFamily(i) === family)?.id ?? current;
}

/** Named selectors for the Answer files screen. */
export const answerSelectors = {
  list: (s: AppState) => s.answers.list,
  loaded: (s: AppState) => s.answers.loaded,
  open: (s: AppState) => s.answers.open,
  draft: (s: AppState) => s.answers.draft,
  baseline: (s: AppState) => s.answers.baseline,
  dirty: (s: AppState) => s.answers.draft !== null && s.answers.baseline !== null && (s.answers.open?.id === null || !sameBody(s.answers.draft, s.answers.baseline)),
  localIssues: (s: AppState) => s.answers.localIssues,
  serverIssues: (s: AppState) => s.answers.serverIssues,
  importIssues: (s: AppState) => s.answers.importIssues,
  history: (s: AppState) => s.answers.history,
  viewing: (s: AppState) => s.answers.viewing,
  imported: (s: AppState) => s.answers.imported,
  isos: (s: AppState) => s.answers.isos,
  machines: (s: AppState) => s.answers.machines,
  preview: (s: AppState) => s.answers.preview,
  saving: (s: AppState) => s.answers.saving,
  session: (s: AppState) => s.answers.session,
  failure: (s: AppState) => s.answers.failure,
  actions: (s: AppState) => s.answerActions,
};
