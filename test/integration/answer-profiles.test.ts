import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifySha512Crypt } from '../../shared/answers/crypt.ts';
import { commonProfileSchema, type CommonProfileInput } from '../../shared/answers/profile.ts';
import { RackbootError, type ApiErrorCode } from '../../shared/api/errors.ts';
import { canonicalJson, createProfileStore, profileSlug, type ProfileStore } from '../../electron/core/answers/profiles.ts';
import { openStore, type MachineRow, type Store } from '../../electron/core/store/store.ts';
import { tempDir } from '../helpers/rackboot.ts';

// The full schema is assembled elsewhere; a common base plus one family section stands in for it here.
const schema = commonProfileSchema.extend({
  kickstart: z.object({ bootloaderArgs: z.array(z.string()).default([]) }).strict().optional(),
});
type Profile = z.output<typeof schema>;

const SALT = 'Ab3dEf6hIj9lMn0p';
const base: CommonProfileInput = { name: 'web', locale: { timezone: 'Europe/Berlin' }, packages: { install: ['vim'] } };

let dir = tempDir();
let store: Store;
let profiles: ProfileStore<Profile>;
let clock = 1_000_000;

function open(): void {
  store = openStore(dir.path);
  profiles = createProfileStore(store, {
    validate: (b) => schema.parse(b),
    randomSalt: () => SALT,
    familyHint: (b) => (b.kickstart ? 'kickstart' : null),
    now: () => ++clock,
  });
}

function code(fn: () => unknown): ApiErrorCode {
  try {
    fn();
  } catch (e) {
    if (e instanceof RackbootError) return e.code;
    throw e;
  }
  throw new Error('expected a RackbootError');
}

function machine(mac: string, profile: string | null): MachineRow {
  return {
    mac,
    hostname: null,
    isoId: null,
    profile,
    chain: 'auto',
    secureBoot: 'unknown',
    state: 'new',
    firmware: null,
    arch: null,
    uuid: null,
    ip: null,
    token: null,
    firstSeen: 1,
    lastSeen: 1,
    installedAt: null,
    updatedAt: 1,
  };
}

beforeEach(open);
afterEach(() => {
  profiles.close();
  store.close();
  dir.remove();
  dir = tempDir();
});

describe('answer profile store', () => {
  it('creates a profile as version 1 under a slug of its name, validated with defaults filled', () => {
    const saved = profiles.save({ name: 'Web Servers (EL9)', body: base, note: 'first' });
    expect(saved).toMatchObject({ id: 'web-servers-el9', name: 'Web Servers (EL9)', version: 1, currentVersion: 1, changed: true, note: 'first' });
    expect(saved.body.locale).toEqual({ language: 'en_US.UTF-8', keyboard: 'us', timezone: 'Europe/Berlin', utc: true, ntp: [] });
    expect(profiles.list()).toEqual([
      { id: 'web-servers-el9', name: 'Web Servers (EL9)', familyHint: null, currentVersion: 1, createdAt: saved.createdAt, updatedAt: saved.updatedAt, problem: null },
    ]);
    const got = profiles.get('web-servers-el9');
    expect(got.problem).toBeNull();
    expect(got.body).toEqual(saved.body);
  });

  it('gives a second profile whose name slugs the same a suffixed id, and refuses a taken name', () => {
    expect(profiles.save({ name: 'Lab', body: base }).id).toBe('lab');
    expect(profiles.save({ name: 'lab!', body: base }).id).toBe('lab-2');
    expect(code(() => profiles.save({ name: 'Lab', body: base }))).toBe('PROFILE_NAME_TAKEN');
    expect(profileSlug('Dépôt ÉL 9 / ärger')).toBe('depot-el-9-arger');
    expect(profileSlug('パスワード')).toBe('profile');
    expect(code(() => profiles.save({ name: '  ', body: base }))).toBe('BAD_REQUEST');
    expect(code(() => profiles.save({ name: 'two\nlines', body: base }))).toBe('BAD_REQUEST');
  });

  it('adds a version per changed save, keeps every old one readable, lists history newest first', () => {
    const v1 = profiles.save({ name: 'web', body: base, note: 'first' });
    const v2 = profiles.save({ id: v1.id, name: 'web', body: { ...base, packages: { install: ['vim', 'tmux'] } }, note: 'tmux' });
    const v3 = profiles.save({ id: v1.id, name: 'web', body: { ...base, finish: 'poweroff', kickstart: { bootloaderArgs: ['quiet'] } } });
    expect([v2.version, v3.version, v3.currentVersion]).toEqual([2, 3, 3]);
    expect(profiles.get(v1.id, 1).body?.packages.install).toEqual(['vim']);
    expect(profiles.get(v1.id, 2).body?.packages.install).toEqual(['vim', 'tmux']);
    expect(profiles.get(v1.id).body).toMatchObject({ finish: 'poweroff', kickstart: { bootloaderArgs: ['quiet'] } });
    expect(profiles.get(v1.id, 1)).toMatchObject({ version: 1, currentVersion: 3, note: 'first' });
    expect(profiles.list()[0]).toMatchObject({ currentVersion: 3, familyHint: 'kickstart' });
    expect(profiles.history(v1.id)).toEqual([
      { version: 3, note: null, createdAt: v3.createdAt, current: true },
      { version: 2, note: 'tmux', createdAt: v2.createdAt, current: false },
      { version: 1, note: 'first', createdAt: v1.createdAt, current: false },
    ]);
  });

  it('adds no version when the body equals the current one (defaults filled, keys in any order)', () => {
    const v1 = profiles.save({ name: 'web', body: base });
    const same = profiles.save({ id: v1.id, name: 'web', body: { packages: { install: ['vim'] }, locale: { timezone: 'Europe/Berlin', utc: true }, name: 'web' } });
    expect(same).toMatchObject({ version: 1, currentVersion: 1, changed: false });
    expect(profiles.history(v1.id)).toHaveLength(1);
    // Saving the returned (validated) body again is a no-op too.
    expect(profiles.save({ id: v1.id, name: 'web', body: v1.body }).changed).toBe(false);
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('reverts by adding a version with the old body; history is never rewritten', () => {
    const v1 = profiles.save({ name: 'web', body: base });
    profiles.save({ id: v1.id, name: 'web', body: { ...base, finish: 'poweroff' } });
    const r = profiles.revert(v1.id, 1);
    expect(r).toMatchObject({ version: 3, changed: true, note: 'reverted to version 1' });
    expect(r.body).toEqual(v1.body);
    expect(profiles.get(v1.id, 2).body?.finish).toBe('poweroff');
    expect(profiles.history(v1.id).map((h) => h.version)).toEqual([3, 2, 1]);
    // Reverting to what is already current adds nothing.
    expect(profiles.revert(v1.id, 1).changed).toBe(false);
    expect(code(() => profiles.revert(v1.id, 9))).toBe('NO_SUCH_PROFILE');
  });

  it('renames without changing the id (machines keep pointing at it) or adding a version', () => {
    const a = profiles.save({ name: 'web', body: base });
    profiles.save({ name: 'db', body: base });
    expect(profiles.rename(a.id, 'Web (old)')).toMatchObject({ id: 'web', name: 'Web (old)', currentVersion: 1 });
    expect(code(() => profiles.rename(a.id, 'db'))).toBe('PROFILE_NAME_TAKEN');
    expect(code(() => profiles.rename('nope', 'x'))).toBe('NO_SUCH_PROFILE');
    // A save under another name renames as well.
    expect(profiles.save({ id: a.id, name: 'Web', body: base })).toMatchObject({ name: 'Web', changed: false });
    expect(profiles.list().map((p) => [p.id, p.name])).toEqual([
      ['db', 'db'],
      ['web', 'Web'],
    ]);
  });

  it('refuses to remove a profile machines reference, then removes it with all its versions', () => {
    const p = profiles.save({ name: 'web', body: base });
    profiles.save({ id: p.id, name: 'web', body: { ...base, finish: 'poweroff' } });
    store.saveMachine(machine('52:54:00:00:00:01', p.id));
    store.saveMachine(machine('52:54:00:00:00:02', p.id));
    let err: unknown;
    try {
      profiles.remove(p.id);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RackbootError);
    expect(err).toMatchObject({ code: 'PROFILE_IN_USE', message: expect.stringContaining('52:54:00:00:00:01, 52:54:00:00:00:02') });
    expect(profiles.list()).toHaveLength(1);

    store.saveMachine(machine('52:54:00:00:00:01', null));
    store.saveMachine(machine('52:54:00:00:00:02', 'other'));
    profiles.remove(p.id);
    expect(profiles.list()).toEqual([]);
    expect(code(() => profiles.get(p.id))).toBe('NO_SUCH_PROFILE');
    expect(code(() => profiles.remove(p.id))).toBe('NO_SUCH_PROFILE');
    const db = new Database(store.path, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM answer_profile_versions').get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses an invalid body with the field path and writes nothing', () => {
    let err: unknown;
    try {
      profiles.save({ name: 'bad', body: { ...base, locale: { timezone: 'not a zone' } } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_PROFILE', message: expect.stringContaining('locale.timezone') });
    expect(code(() => profiles.save({ name: 'bad', body: 'nope' }))).toBe('INVALID_PROFILE');
    expect(code(() => profiles.save({ name: 'bad', body: { ...base, accounts: { root: { hash: 'x' } } } }))).toBe('INVALID_PROFILE');
    expect(profiles.list()).toEqual([]);
    expect(code(() => profiles.save({ id: 'nope', name: 'x', body: base }))).toBe('NO_SUCH_PROFILE');
  });

  it('re-validates on load: a stored version that no longer passes is reported with its raw JSON, not dropped', () => {
    const p = profiles.save({ name: 'web', body: base });
    profiles.save({ id: p.id, name: 'web', body: { ...base, finish: 'poweroff' } });
    // Someone (an older rackboot, a hand edit) left a body the schema refuses as version 2.
    const db = new Database(store.path);
    const broken = { ...JSON.parse(String((db.prepare('SELECT body FROM answer_profile_versions WHERE version = 2').get() as { body: string }).body)), finish: 'explode' };
    db.prepare('UPDATE answer_profile_versions SET body = ? WHERE profile_id = ? AND version = 2').run(JSON.stringify(broken), p.id);
    db.close();

    const got = profiles.get(p.id);
    expect(got).toMatchObject({ version: 2, body: null, problem: expect.stringMatching(/version 2 no longer validates: finish/) });
    expect(got.body === null && got.raw).toMatchObject({ finish: 'explode', name: 'web' });
    expect(profiles.list()).toEqual([expect.objectContaining({ id: p.id, problem: expect.stringContaining('finish') })]);
    expect(profiles.history(p.id)).toHaveLength(2);
    expect(profiles.get(p.id, 1).problem).toBeNull();
    expect(code(() => profiles.export(p.id))).toBe('INVALID_PROFILE');
    expect(code(() => profiles.revert(p.id, 2))).toBe('INVALID_PROFILE');
    // Repair: revert to the good version (or save a fixed body); the bad version stays in history.
    expect(profiles.revert(p.id, 1)).toMatchObject({ version: 3, changed: true });
    expect(profiles.list()[0]?.problem).toBeNull();
    expect(profiles.get(p.id, 2).problem).not.toBeNull();
  });

  it('hashes plain passwords before anything is written: the database files never hold the plain text', () => {
    const rootPw = 'Pl41n-R00t-S3cret-xq';
    const userPw = 'Üser-Pässwort-🔑-zz';
    const saved = profiles.save({
      name: 'secrets',
      body: { ...base, accounts: { root: { plain: rootPw }, user: { name: 'technicianmarker', password: { plain: userPw } } } },
    });
    const root = saved.body.accounts.root;
    const user = saved.body.accounts.user?.password;
    expect(root && 'hash' in root && verifySha512Crypt(rootPw, root.hash)).toBe(true);
    expect(user && 'hash' in user && verifySha512Crypt(userPw, user.hash)).toBe(true);
    expect(profiles.export(saved.id)).not.toContain(rootPw);
    // A second version (and a reopen, so the WAL holds and is checkpointed) before looking at the bytes.
    profiles.save({ id: saved.id, name: 'secrets', body: { ...saved.body, finish: 'poweroff' } });
    const files = () => readdirSync(dir.path).map((f) => readFileSync(join(dir.path, f)));
    const contains = (needle: string) => files().some((b) => b.includes(Buffer.from(needle, 'utf8')) || b.includes(Buffer.from(needle, 'utf16le')));
    // Positive control: the scan does see what was written (the user name, the hash).
    expect(contains('technicianmarker')).toBe(true);
    expect(root && 'hash' in root && contains(root.hash)).toBe(true);
    expect(contains(rootPw)).toBe(false);
    expect(contains(userPw)).toBe(false);
    profiles.close();
    store.close();
    expect(contains(rootPw)).toBe(false);
    expect(contains(userPw)).toBe(false);
    open();
    expect(profiles.get(saved.id).body?.accounts.root).toEqual(root);
  });

  it('keeps profiles and versions across a reopen', () => {
    const p = profiles.save({ name: 'web', body: base });
    profiles.save({ id: p.id, name: 'web', body: { ...base, finish: 'poweroff' } });
    profiles.close();
    store.close();
    open();
    expect(profiles.list()).toMatchObject([{ id: 'web', currentVersion: 2, problem: null }]);
    expect(profiles.get('web', 1).body?.finish).toBe('reboot');
  });

  it('exports a self-describing file and imports it as a new profile; plain passwords in a file are hashed', () => {
    const p = profiles.save({ name: 'web', body: { ...base, accounts: { root: { plain: 'imp0rt-pw' } }, kickstart: { bootloaderArgs: ['quiet'] } } });
    const file = profiles.export(p.id);
    const parsed = JSON.parse(file) as { format: string; formatVersion: number; name: string; body: unknown };
    expect(parsed).toMatchObject({ format: 'rackboot-answer-profile', formatVersion: 1, name: 'web', version: 1, familyHint: 'kickstart' });
    expect(file).not.toContain('imp0rt-pw');

    expect(code(() => profiles.import(file))).toBe('PROFILE_NAME_TAKEN');
    const copy = profiles.import(file, { name: 'web copy' });
    expect(copy).toMatchObject({ id: 'web-copy', name: 'web copy', version: 1, note: 'imported from "web" version 1' });
    expect(copy.body).toEqual(p.body);

    const withPlain = JSON.stringify({ ...parsed, name: 'from file', body: { ...base, accounts: { root: { plain: 'fr0m-file-pw' } } } });
    const imported = profiles.import(withPlain);
    const root = imported.body.accounts.root;
    expect(root && 'hash' in root && verifySha512Crypt('fr0m-file-pw', root.hash)).toBe(true);

    expect(code(() => profiles.import('{not json'))).toBe('INVALID_PROFILE');
    expect(code(() => profiles.import('{"name":"x","body":{}}'))).toBe('INVALID_PROFILE');
    expect(code(() => profiles.import(JSON.stringify({ ...parsed, formatVersion: 99, name: 'future' })))).toBe('INVALID_PROFILE');
    expect(code(() => profiles.import(JSON.stringify({ ...parsed, name: 'broken', body: { name: 'x', finish: 'explode' } })))).toBe('INVALID_PROFILE');
    expect(profiles.list().map((x) => x.id)).toEqual(['from-file', 'web', 'web-copy']);
  });

  it('says NO_SUCH_PROFILE for unknown ids and versions', () => {
    const p = profiles.save({ name: 'web', body: base });
    expect(code(() => profiles.get('nope'))).toBe('NO_SUCH_PROFILE');
    expect(code(() => profiles.get('../etc'))).toBe('NO_SUCH_PROFILE');
    expect(code(() => profiles.get(p.id, 2))).toBe('NO_SUCH_PROFILE');
    expect(code(() => profiles.get(p.id, 0.5))).toBe('NO_SUCH_PROFILE');
    expect(code(() => profiles.history('nope'))).toBe('NO_SUCH_PROFILE');
    expect(code(() => profiles.export('nope'))).toBe('NO_SUCH_PROFILE');
  });
});
