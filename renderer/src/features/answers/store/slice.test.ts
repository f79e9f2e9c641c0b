import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { METHOD_NAMES, type ApiClient, type IsoSummary, type MachineSummary, type MethodInput, type MethodOutput, type ProfileDetail } from '../../../../../shared/api/contract.ts';
import type { Result } from '../../../../../shared/api/result.ts';
import type { AppState, SliceContext } from '../../../app/store.ts';
import { getAt, newBody } from '../form.ts';
import { answerSelectors, createAnswersSlice, PREVIEW_DELAY_MS } from './slice.ts';

const ok = <T,>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const fail = (code: 'NO_SUCH_PROFILE' | 'PROFILE_IN_USE' | 'PROFILE_NAME_TAKEN' | 'INVALID_PROFILE', message: string) => Promise.resolve({ ok: false as const, error: { code, message } });
const HASH = '$6$salt$' + 'a'.repeat(86);

const iso = (id: string, family: IsoSummary['family']): IsoSummary => ({
  id,
  path: `/isos/${id}.iso`,
  size: 1,
  format: 'iso9660',
  label: id,
  files: 1,
  indexMs: 1,
  indexedAt: 1,
  sha256: null,
  family,
  distro: null,
  name: id,
  version: null,
  arch: 'x86_64',
  netboot: null,
  reason: null,
  urlPath: `/iso/${id}/`,
  served: true,
});

const machine: MachineSummary = {
  mac: '52:54:00:aa:bb:cc',
  hostname: 'db1',
  isoId: null,
  profile: null,
  state: 'new',
  chain: 'auto',
  secureBoot: 'unknown',
  firmware: 'bios',
  arch: null,
  ip: null,
  firstSeen: 1,
  lastSeen: 1,
  installedAt: null,
  stage: null,
};

/**
 * A fake core typed by the contract: profiles with versions in memory, the answer methods as the core answers
 * them (plain passwords hashed on save, issues as values), every other method an error nobody should reach.
 */
function fakeCore() {
  const calls: string[] = [];
  const versions = new Map<string, { name: string; bodies: { body: Record<string, unknown>; note: string | null; at: number }[] }>();
  let clock = 1000;
  const detail = (id: string, version?: number): ProfileDetail => {
    const p = versions.get(id)!;
    const v = version ?? p.bodies.length;
    const b = p.bodies[v - 1]!;
    return { id, name: p.name, version: v, currentVersion: p.bodies.length, note: b.note, createdAt: p.bodies[0]!.at, updatedAt: b.at, body: b.body, problem: null };
  };
  const hashed = (body: Record<string, unknown>) => {
    const accounts = (body.accounts ?? {}) as Record<string, unknown>;
    const root = accounts.root as { plain?: string } | null | undefined;
    return root && 'plain' in root ? { ...body, accounts: { ...accounts, root: { hash: HASH } } } : body;
  };
  const unreachable = Object.fromEntries(METHOD_NAMES.map((m) => [m, () => Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: `${m} not faked` } })]));
  const answers: Partial<ApiClient> = {
    listProfiles: () =>
      ok([...versions.entries()].map(([id, p]) => ({ id, name: p.name, familyHint: null, currentVersion: p.bodies.length, createdAt: p.bodies[0]!.at, updatedAt: p.bodies.at(-1)!.at, problem: null }))),
    getProfile: ({ id, version }) => (versions.has(id) ? ok(detail(id, version)) : fail('NO_SUCH_PROFILE', `no profile ${id}`)),
    saveProfile: ({ id, name, body, note }: MethodInput<'saveProfile'>) => {
      calls.push(`save ${JSON.stringify(body.accounts ?? null)}`);
      if (typeof getAt(body, ['network', 'hostname']) === 'string' && !/^[a-z0-9.-]+$/.test(getAt(body, ['network', 'hostname']) as string)) {
        return ok({ profile: null, issues: [{ path: ['network', 'hostname'], code: 'INVALID_FIELD', message: 'a host name', severity: 'error' as const }] });
      }
      const key = id ?? name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      if (!id && versions.has(key)) return fail('PROFILE_NAME_TAKEN', `${name} is taken`);
      const p = versions.get(key) ?? { name, bodies: [] };
      p.name = name;
      p.bodies.push({ body: hashed(body), note: note ?? null, at: ++clock });
      versions.set(key, p);
      return ok({ profile: detail(key), issues: [] });
    },
    validateProfile: (input: MethodInput<'validateProfile'>) => {
      calls.push(`validate ${input.isoId ?? input.family} ${input.firmware}`);
      const layout = getAt(input.body, ['disk', 'layout']);
      return ok({
        family: input.family ?? 'kickstart',
        issues: layout === 'custom' ? [{ path: ['disk', 'partitions'], code: 'UEFI_NEEDS_EFI_PARTITION', message: 'rackboot adds /boot/efi', severity: 'warning' as const }] : [],
      });
    },
    renderProfile: (input: MethodInput<'renderProfile'>) => {
      calls.push(`render ${input.isoId} ${input.firmware} ${input.mac ?? '-'}`);
      const tz = getAt(input.body, ['locale', 'timezone']);
      if (typeof tz !== 'string' || !/^[A-Z]/.test(tz)) return ok({ family: 'kickstart' as const, files: [], issues: [] });
      return ok({ family: 'kickstart' as const, files: [{ name: 'ks.cfg', text: `timezone ${tz} --utc\n` }], issues: [] });
    },
    importAnswerFile: ({ text, family }) => {
      calls.push(`import ${family}`);
      return ok({ body: { name: 'Imported web', locale: { timezone: text.includes('Berlin') ? 'Europe/Berlin' : 'UTC' } }, issues: [{ path: [], code: 'KS_IMPORT_SOURCE', message: 'url not kept', severity: 'warning' as const }] });
    },
    importProfile: () => fail('INVALID_PROFILE', 'not a rackboot answer profile'),
    profileHistory: ({ id }) => ok(versions.get(id)!.bodies.map((b, n, all) => ({ version: n + 1, note: b.note, createdAt: b.at, current: n === all.length - 1 }))),
    revertProfile: ({ id, version }) => {
      const p = versions.get(id)!;
      p.bodies.push({ body: p.bodies[version - 1]!.body, note: `reverted to version ${version}`, at: ++clock });
      return ok(detail(id));
    },
    removeProfile: ({ id }) => (id === 'in-use' ? fail('PROFILE_IN_USE', 'machine 52:54:00:aa:bb:cc uses it') : (versions.delete(id), answers.listProfiles!(undefined))) as Promise<Result<MethodOutput<'removeProfile'>>>,
    exportProfile: ({ id }) => ok({ fileName: `${id}.rackboot-profile.json`, text: '{}' }),
    listIsos: () => ok([iso('win11', 'windows'), iso('rocky94', 'rhel'), iso('noble', 'ubuntu')]),
    listMachines: () => ok([machine]),
  };
  const api = { ...unreachable, ...answers, on: () => () => undefined } as ApiClient;
  return { api, calls, versions };
}

/** The app store with only this slice (plus the banner's `error`), as store.ts builds it. */
function makeStore(api: ApiClient) {
  return createStore<AppState>()((set, get) => {
    const ctx: SliceContext = {
      api,
      set,
      get,
      async run(call, apply) {
        const r = await call;
        if (r.ok) set({ ...apply(r.value), error: null });
        else set({ error: r.error });
        return r.ok;
      },
      coalesce: (task) => () => void task(),
    };
    return { error: null, ...createAnswersSlice(ctx) } as unknown as AppState;
  });
}

/** Lets the debounced preview fire and its requests settle. */
async function settlePreview() {
  await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS);
  await vi.runAllTimersAsync();
}

describe('answers slice', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('loads profiles, offers only ISOs a profile renders for, and picks the first one', async () => {
    const { api } = fakeCore();
    const store = makeStore(api);
    await store.getState().answerActions.load();
    const s = store.getState();
    expect(s.answers.loaded).toBe(true);
    expect(s.answers.isos.map((i) => i.id)).toEqual(['rocky94', 'noble']);
    expect(s.answers.preview.isoId).toBe('rocky94');
    expect(s.answers.machines).toHaveLength(1);
  });

  it('validates each edit with the shared schema at once and marks unsaved changes', async () => {
    const { api } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    a().create();
    expect(store.getState().answers.draft?.name).toBe('New profile');
    a().edit(['network', 'hostname'], 'web_01');
    expect(answerSelectors.localIssues(store.getState()).map((i) => i.path.join('.'))).toEqual(['network.hostname']);
    a().edit(['network', 'hostname'], 'web01');
    expect(answerSelectors.localIssues(store.getState())).toEqual([]);
    expect(answerSelectors.dirty(store.getState())).toBe(true);
    expect(await a().save(null)).toBe(true);
    expect(answerSelectors.dirty(store.getState())).toBe(false);
    a().edit(['locale', 'timezone'], 'Europe/Berlin');
    expect(answerSelectors.dirty(store.getState())).toBe(true);
    a().edit(['locale', 'timezone'], 'UTC');
    expect(answerSelectors.dirty(store.getState())).toBe(false);
    a().discard();
  });

  it('previews once the draft is quiet for 400 ms, not per keystroke, and drops answers for older drafts', async () => {
    const { api, calls } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    await a().load();
    await settlePreview();
    a().create();
    calls.length = 0;
    for (const tz of ['E', 'Eu', 'Eur', 'Europe/', 'Europe/Berlin']) {
      a().edit(['locale', 'timezone'], tz);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(calls.filter((c) => c.startsWith('render'))).toEqual([]);
    await settlePreview();
    expect(calls.filter((c) => c.startsWith('render'))).toEqual(['render rocky94 uefi -']);
    const p = store.getState().answers.preview;
    expect(p.files.map((f) => f.name)).toEqual(['ks.cfg']);
    expect(p.files[0]!.text).toContain('timezone Europe/Berlin');
    expect(p.tab).toBe('ks.cfg');
    expect(p.status).toBe('ready');
  });

  it('keeps the last files (marked stale) while the draft cannot be rendered', async () => {
    const { api } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    await a().load();
    a().create();
    await settlePreview();
    a().edit(['locale', 'timezone'], 'berlin');
    await settlePreview();
    const p = store.getState().answers.preview;
    expect(p.files[0]!.text).toContain('timezone UTC');
    expect(p.stale).toBe(true);
  });

  it('checks for the picked machine and takes its firmware; without an ISO it checks the family', async () => {
    const { api, calls } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    await a().load();
    a().create();
    a().setPreview({ mac: machine.mac });
    await settlePreview();
    expect(calls).toContain(`render rocky94 bios ${machine.mac}`);
    expect(calls).toContain('validate rocky94 bios');
    calls.length = 0;
    a().setPreview({ isoId: null, family: 'preseed', mac: null });
    await settlePreview();
    expect(calls).toEqual(['validate preseed bios']);
    expect(store.getState().answers.preview.files).toEqual([]);
  });

  it('shows the core findings for the preview target, and forgets them for a field once edited', async () => {
    const { api } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    await a().load();
    a().create();
    a().edit(['disk', 'layout'], 'custom');
    await settlePreview();
    expect(store.getState().answers.serverIssues.map((i) => i.code)).toEqual(['UEFI_NEEDS_EFI_PARTITION']);
    a().edit(['disk', 'partitions'], [{ mount: '/boot/efi', sizeMiB: 600, grow: false }]);
    expect(store.getState().answers.serverIssues).toEqual([]);
  });

  it('sends a typed password once as plain text; what comes back and stays is the hash', async () => {
    const { api, calls, versions } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    a().create();
    a().edit(['accounts', 'root'], { plain: 'hunter22' });
    expect(await a().save('first')).toBe(true);
    expect(calls.find((c) => c.startsWith('save'))).toContain('"plain":"hunter22"');
    expect(JSON.stringify(store.getState().answers.draft)).not.toContain('hunter22');
    expect(getAt(store.getState().answers.draft, ['accounts', 'root'])).toEqual({ hash: HASH });
    expect(JSON.stringify([...versions.values()])).not.toContain('hunter22');
    expect(store.getState().answers.history.map((h) => [h.version, h.note])).toEqual([[1, 'first']]);
  });

  it('keeps refused saves as issues at their fields, a taken name on the name', async () => {
    const { api, versions } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    a().create();
    store.setState({ answers: { ...store.getState().answers, draft: { ...newBody('New profile'), network: { mode: 'dhcp', hostname: 'BAD HOST', dns: [] } } } });
    expect(await a().save(null)).toBe(false);
    expect(store.getState().answers.serverIssues.map((i) => i.path.join('.'))).toEqual(['network.hostname']);
    expect(versions.size).toBe(0);
    a().edit(['network', 'hostname'], 'ok');
    expect(await a().save(null)).toBe(true);
    a().create();
    a().edit(['name'], 'new profile');
    expect(await a().save(null)).toBe(false);
    expect(store.getState().answers.failure?.code).toBe('PROFILE_NAME_TAKEN');
    expect(store.getState().answers.serverIssues.map((i) => `${i.path.join('.')} ${i.code}`)).toEqual(['name PROFILE_NAME_TAKEN']);
  });

  it('saves with a note, views an old version read-only and reverts to it as a new version', async () => {
    const { api } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    a().create();
    await a().save(null);
    a().edit(['locale', 'timezone'], 'Europe/Berlin');
    await a().save('  Berlin office  ');
    const s = () => store.getState().answers;
    expect(s().history.map((h) => [h.version, h.note, h.current])).toEqual([
      [1, null, false],
      [2, 'Berlin office', true],
    ]);
    expect(await a().view(1)).toBe(true);
    expect(getAt(s().viewing?.body, ['locale', 'timezone'])).toBe('UTC');
    expect(getAt(s().draft, ['locale', 'timezone'])).toBe('Europe/Berlin');
    expect(await a().revert(1)).toBe(true);
    expect(s().viewing).toBeNull();
    expect(s().open?.version).toBe(3);
    expect(getAt(s().draft, ['locale', 'timezone'])).toBe('UTC');
    expect(s().history.map((h) => h.version)).toEqual([1, 2, 3]);
    expect(s().list[0]?.currentVersion).toBe(3);
  });

  it('imports a file for a look first, then opens it unsaved with defaults and its issues', async () => {
    const { api, calls } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    await a().load();
    expect(await a().readFile('timezone Europe/Berlin', 'autoinstall', null)).toBe(true);
    const s = () => store.getState().answers;
    expect(calls).toContain('import autoinstall');
    expect(s().draft).toBeNull();
    expect(s().imported?.issues.map((i) => i.code)).toEqual(['KS_IMPORT_SOURCE']);
    a().acceptImport();
    expect(s().open).toEqual({ id: null, version: null, problem: null });
    expect(getAt(s().draft, ['locale', 'timezone'])).toBe('Europe/Berlin');
    expect(getAt(s().draft, ['locale', 'keyboard'])).toBe('us');
    expect(s().importIssues).toHaveLength(1);
    // The preview follows the file's family: the Ubuntu ISO.
    expect(s().preview.isoId).toBe('noble');
    expect(answerSelectors.dirty(store.getState())).toBe(true);
    await a().save(null);
    expect(s().importIssues).toEqual([]);
  });

  it('reports a refused import or delete where it was asked, not in the banner', async () => {
    const { api } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    expect(await a().readFile('{}', 'profile', null)).toBe(false);
    expect(store.getState().answers.failure?.code).toBe('INVALID_PROFILE');
    expect(await a().remove('in-use')).toBe(false);
    expect(store.getState().answers.failure).toEqual({ code: 'PROFILE_IN_USE', message: 'machine 52:54:00:aa:bb:cc uses it', during: 'remove' });
    expect(store.getState().error).toBeNull();
  });

  it('duplicates as a new unsaved profile and closes the editor when the open profile is deleted', async () => {
    const { api } = fakeCore();
    const store = makeStore(api);
    const a = () => store.getState().answerActions;
    a().create();
    await a().save(null);
    a().duplicate();
    expect(store.getState().answers.open?.id).toBeNull();
    expect(store.getState().answers.draft?.name).toBe('New profile copy');
    await a().open('new-profile');
    expect(await a().remove('new-profile')).toBe(true);
    expect(store.getState().answers.open).toBeNull();
    expect(store.getState().answers.list).toEqual([]);
  });
});
