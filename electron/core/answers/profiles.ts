/**
 * Answer-file profiles in the store, versioned: every save that changes the body is a new version; history is
 * never rewritten (a revert is a new version carrying an old body). The repository does not know the profile's
 * shape: it takes the schema as `validate` (the full profile is assembled elsewhere from the common base and the
 * family sections) and only relies on `accounts.root` / `accounts.user.password` being where passwords live.
 *
 * Secrets: a body's `{ plain }` passwords are hashed (`hashProfileSecrets`) before validation, and a body that
 * still carries one after validation is refused, so plain text never reaches SQLite. Bodies are re-validated on
 * every load (CONVENTIONS §9); a stored version that no longer validates is reported (`problem`, with its raw
 * JSON), never dropped.
 *
 * The repository keeps its own connection to the store's database file (WAL, foreign keys on, statements
 * prepared once); the store must have been opened (and so migrated) with `openStore` first.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { hashProfileSecrets, hasPlainSecrets, saltFromBytes, type ProfileWithSecrets } from '../../../shared/answers/crypt.ts';
import { RackbootError } from '../../../shared/api/errors.ts';
import { StoreError, type Store } from '../store/store.ts';

/** The schema version (migration 5) that created the profile tables. */
const PROFILES_SCHEMA = 5;
/** `format` of an exported profile file. */
export const PROFILE_EXPORT_FORMAT = 'rackboot-answer-profile';
const EXPORT_VERSION = 1;
const ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const NAME_MAX = 100;
const NOTE_MAX = 1000;

export interface ProfileStoreOptions<T> {
  /** The profile schema: returns the validated (defaults filled) body or throws (a ZodError's issues are reported). */
  validate: (body: unknown) => T;
  /** Salt for hashing `{ plain }` passwords; defaults to 16 characters from node:crypto. */
  randomSalt?: () => string;
  /** The installer family a body is written for (`kickstart`, `autoinstall`...), shown in lists; default none. */
  familyHint?: (body: T) => string | null;
  now?: () => number;
}

export interface ProfileSummary {
  id: string;
  name: string;
  familyHint: string | null;
  currentVersion: number;
  createdAt: number;
  updatedAt: number;
  /** Why the current version no longer validates against the schema; null when it does. */
  problem: string | null;
}

export interface ProfileVersionInfo {
  id: string;
  name: string;
  familyHint: string | null;
  /** The version this is. */
  version: number;
  currentVersion: number;
  note: string | null;
  /** When this version was saved. */
  createdAt: number;
  /** When the profile last changed (a version or a rename). */
  updatedAt: number;
}

/** A stored body as loaded: validated, or reported with its raw JSON so a form can show and repair it. */
export type LoadedBody<T> = { body: T; problem: null } | { body: null; problem: string; raw: unknown };

export type ProfileVersion<T> = ProfileVersionInfo & LoadedBody<T>;

export interface SavedProfile<T> extends ProfileVersionInfo {
  body: T;
  /** False when the body equalled the current version's: no version was added. */
  changed: boolean;
}

export interface ProfileHistoryEntry {
  version: number;
  note: string | null;
  createdAt: number;
  current: boolean;
}

export interface SaveProfileInput {
  /** Absent: a new profile (its id is a slug of `name`). Present: a new version of that profile (renamed when `name` differs). */
  id?: string;
  name: string;
  /** The body as a form sends it (`{ plain }` passwords allowed); validated after hashing. */
  body: unknown;
  note?: string | null;
}

export interface ProfileStore<T> {
  /** Every profile, by name. */
  list(): ProfileSummary[];
  /** The current version, or `version`. */
  get(id: string, version?: number): ProfileVersion<T>;
  save(input: SaveProfileInput): SavedProfile<T>;
  /** Versions newest first. */
  history(id: string): ProfileHistoryEntry[];
  /** A new version whose body is `version`'s (no version is added when that equals the current one). */
  revert(id: string, version: number, note?: string | null): SavedProfile<T>;
  rename(id: string, name: string): ProfileSummary;
  /** Refused (`PROFILE_IN_USE`) while machines reference the profile. */
  remove(id: string): void;
  /** The current version (or `version`) as a self-describing JSON file; passwords are hashes. */
  export(id: string, version?: number): string;
  /** A new profile from an exported file (named `options.name`, else the file's name). */
  import(json: string, options?: { name?: string; note?: string | null }): SavedProfile<T>;
  close(): void;
}

interface ProfileRow {
  id: string;
  name: string;
  family_hint: string | null;
  current_version: number;
  created_at: number;
  updated_at: number;
}

interface VersionRow {
  profile_id: string;
  version: number;
  body: string;
  note: string | null;
  created_at: number;
}

/** JSON with object keys sorted at every level: equal bodies give equal text, whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** A profile id from its name: lower-case ASCII letters, digits and hyphens (`Web Servers (EL9)` -> `web-servers-el9`). */
export function profileSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 48)
    .replace(/^-+|-+$/g, '');
  return slug || 'profile';
}

/** A validation failure as one line: a ZodError's first issues with their paths, else the error's message. */
function describeInvalid(error: unknown): string {
  const issues = (error as { issues?: unknown })?.issues;
  if (Array.isArray(issues) && issues.length) {
    const shown = issues.slice(0, 3).map((i: { path?: unknown; message?: unknown }) => {
      const path = Array.isArray(i.path) && i.path.length ? `${i.path.join('.')}: ` : '';
      return `${path}${String(i.message)}`;
    });
    return shown.join('; ') + (issues.length > 3 ? ` (and ${issues.length - 3} more)` : '');
  }
  return error instanceof Error ? error.message : String(error);
}

function checkName(name: unknown): string {
  const n = typeof name === 'string' ? name.trim() : '';
  if (!n || n.length > NAME_MAX || /[\p{Cc}]/u.test(n)) {
    throw new RackbootError('BAD_REQUEST', `a profile name is 1 to ${NAME_MAX} characters on one line`);
  }
  return n;
}

function checkNote(note: unknown): string | null {
  if (note === undefined || note === null || note === '') return null;
  if (typeof note !== 'string' || note.length > NOTE_MAX) throw new RackbootError('BAD_REQUEST', `a version note is text of at most ${NOTE_MAX} characters`);
  return note;
}

export function createProfileStore<T>(store: Pick<Store, 'path'>, options: ProfileStoreOptions<T>): ProfileStore<T> {
  const { validate } = options;
  const randomSalt = options.randomSalt ?? (() => saltFromBytes(randomBytes(16)));
  const familyHint = options.familyHint ?? (() => null);
  const now = options.now ?? Date.now;

  const db = new Database(store.path, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  const schema = db.pragma('user_version', { simple: true }) as number;
  if (schema < PROFILES_SCHEMA) {
    db.close();
    throw new StoreError(`database schema ${schema} has no answer profiles (needs ${PROFILES_SCHEMA}); open it with openStore first`);
  }

  const selectProfiles = db.prepare<[], ProfileRow>('SELECT * FROM answer_profiles ORDER BY name COLLATE NOCASE, id');
  const selectProfile = db.prepare<[string], ProfileRow>('SELECT * FROM answer_profiles WHERE id = ?');
  const selectByName = db.prepare<[string], ProfileRow>('SELECT * FROM answer_profiles WHERE name = ?');
  const selectVersion = db.prepare<[string, number], VersionRow>('SELECT * FROM answer_profile_versions WHERE profile_id = ? AND version = ?');
  const selectHistory = db.prepare<[string], Omit<VersionRow, 'body'>>(
    'SELECT profile_id, version, note, created_at FROM answer_profile_versions WHERE profile_id = ? ORDER BY version DESC',
  );
  const insertProfile = db.prepare<[string, string, string | null, number, number, number]>(
    'INSERT INTO answer_profiles (id, name, family_hint, current_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertVersion = db.prepare<[string, number, string, string | null, number]>(
    'INSERT INTO answer_profile_versions (profile_id, version, body, note, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const setCurrent = db.prepare<[number, string | null, number, string]>(
    'UPDATE answer_profiles SET current_version = ?, family_hint = ?, updated_at = ? WHERE id = ?',
  );
  const setName = db.prepare<[string, number, string]>('UPDATE answer_profiles SET name = ?, updated_at = ? WHERE id = ?');
  const deleteProfile = db.prepare<[string]>('DELETE FROM answer_profiles WHERE id = ?');
  const machinesUsing = db.prepare<[string], { mac: string }>('SELECT mac FROM machines WHERE profile = ? ORDER BY mac');

  /** Hash, validate, and make sure no plain password survived: what may be written. */
  const prepareBody = (body: unknown, what: string): { value: T; json: string } => {
    let value: T;
    try {
      value = validate(hashProfileSecrets(body as ProfileWithSecrets, randomSalt));
    } catch (e) {
      throw new RackbootError('INVALID_PROFILE', `${what} is not a valid answer profile: ${describeInvalid(e)}`);
    }
    // The schema should never hand a `{ plain }` back; if a looser one does, it is refused rather than stored.
    if (hasPlainSecrets(value)) throw new RackbootError('INVALID_PROFILE', `${what} still carries a plain-text password after hashing`);
    return { value, json: canonicalJson(value) };
  };

  /** Re-validation on load: a body that no longer passes is reported with its raw JSON. */
  const loadBody = (row: VersionRow): LoadedBody<T> => {
    let raw: unknown;
    try {
      raw = JSON.parse(row.body);
    } catch {
      return { body: null, problem: `version ${row.version} is not valid JSON`, raw: row.body };
    }
    try {
      const body = validate(hashProfileSecrets(raw as ProfileWithSecrets, randomSalt));
      return { body, problem: null };
    } catch (e) {
      return { body: null, problem: `version ${row.version} no longer validates: ${describeInvalid(e)}`, raw };
    }
  };

  const mustProfile = (id: string): ProfileRow => {
    const row = typeof id === 'string' && ID.test(id) ? selectProfile.get(id) : undefined;
    if (!row) throw new RackbootError('NO_SUCH_PROFILE', `no answer profile ${JSON.stringify(id)}`);
    return row;
  };
  const mustVersion = (p: ProfileRow, version: number): VersionRow => {
    const row = Number.isSafeInteger(version) ? selectVersion.get(p.id, version) : undefined;
    if (!row) throw new RackbootError('NO_SUCH_PROFILE', `answer profile ${p.id} has no version ${version} (it has 1 to ${p.current_version})`);
    return row;
  };
  const nameFree = (name: string, exceptId: string | null) => {
    const other = selectByName.get(name);
    if (other && other.id !== exceptId) throw new RackbootError('PROFILE_NAME_TAKEN', `answer profile ${other.id} is already named ${JSON.stringify(name)}`);
  };
  const freeId = (name: string): string => {
    const base = profileSlug(name);
    if (!selectProfile.get(base)) return base;
    for (let n = 2; ; n++) {
      const id = `${base}-${n}`;
      if (!selectProfile.get(id)) return id;
    }
  };
  const info = (p: ProfileRow, v: { version: number; note: string | null; created_at: number }): ProfileVersionInfo => ({
    id: p.id,
    name: p.name,
    familyHint: p.family_hint,
    version: v.version,
    currentVersion: p.current_version,
    note: v.note,
    createdAt: v.created_at,
    updatedAt: p.updated_at,
  });

  /** Writes `json` as the next version of `id` (a new profile when `id` is null) unless it equals the current one. */
  const commit = db.transaction((id: string | null, name: string, prepared: { value: T; json: string }, note: string | null): SavedProfile<T> => {
    const t = now();
    const hint = familyHint(prepared.value);
    if (id === null) {
      nameFree(name, null);
      const newId = freeId(name);
      insertProfile.run(newId, name, hint, 1, t, t);
      insertVersion.run(newId, 1, prepared.json, note, t);
      const p = mustProfile(newId);
      return { ...info(p, { version: 1, note, created_at: t }), body: prepared.value, changed: true };
    }
    let p = mustProfile(id);
    if (p.name !== name) {
      nameFree(name, p.id);
      setName.run(name, t, p.id);
    }
    const current = mustVersion(p, p.current_version);
    if (current.body === prepared.json) {
      p = mustProfile(id);
      return { ...info(p, current), body: prepared.value, changed: false };
    }
    const version = p.current_version + 1;
    insertVersion.run(p.id, version, prepared.json, note, t);
    setCurrent.run(version, hint, t, p.id);
    p = mustProfile(id);
    return { ...info(p, { version, note, created_at: t }), body: prepared.value, changed: true };
  });

  const summary = (p: ProfileRow): ProfileSummary => {
    const current = selectVersion.get(p.id, p.current_version);
    const problem = current ? loadBody(current).problem : `version ${p.current_version} is missing`;
    return { id: p.id, name: p.name, familyHint: p.family_hint, currentVersion: p.current_version, createdAt: p.created_at, updatedAt: p.updated_at, problem };
  };

  const getVersion = (id: string, version?: number): ProfileVersion<T> => {
    const p = mustProfile(id);
    const row = mustVersion(p, version ?? p.current_version);
    return { ...info(p, row), ...loadBody(row) };
  };

  return {
    list: () => selectProfiles.all().map(summary),

    get: getVersion,

    save(input) {
      const name = checkName(input.name);
      const note = checkNote(input.note);
      if (input.id !== undefined) mustProfile(input.id);
      const prepared = prepareBody(input.body, 'the profile');
      return commit.immediate(input.id ?? null, name, prepared, note);
    },

    history(id) {
      const p = mustProfile(id);
      return selectHistory.all(p.id).map((r) => ({ version: r.version, note: r.note, createdAt: r.created_at, current: r.version === p.current_version }));
    },

    revert(id, version, note) {
      const p = mustProfile(id);
      const old = getVersion(p.id, version);
      if (old.body === null) throw new RackbootError('INVALID_PROFILE', `cannot revert ${p.id} to version ${version}: ${old.problem}`);
      const prepared = prepareBody(old.body, `version ${version}`);
      return commit.immediate(p.id, p.name, prepared, checkNote(note) ?? `reverted to version ${version}`);
    },

    rename(id, newName) {
      const name = checkName(newName);
      return db.transaction(() => {
        const p = mustProfile(id);
        if (p.name !== name) {
          nameFree(name, p.id);
          setName.run(name, now(), p.id);
        }
        return summary(mustProfile(id));
      }).immediate();
    },

    remove(id) {
      db.transaction(() => {
        const p = mustProfile(id);
        const macs = machinesUsing.all(p.id).map((m) => m.mac);
        if (macs.length) {
          const shown = macs.slice(0, 5).join(', ') + (macs.length > 5 ? ` and ${macs.length - 5} more` : '');
          throw new RackbootError('PROFILE_IN_USE', `answer profile ${p.id} is assigned to ${macs.length === 1 ? 'machine' : `${macs.length} machines`} ${shown}; assign them another profile first`);
        }
        deleteProfile.run(p.id);
      }).immediate();
    },

    export(id, version) {
      const v = getVersion(id, version);
      if (v.body === null) throw new RackbootError('INVALID_PROFILE', `cannot export ${v.id}: ${v.problem}`);
      return (
        JSON.stringify(
          {
            format: PROFILE_EXPORT_FORMAT,
            formatVersion: EXPORT_VERSION,
            name: v.name,
            familyHint: v.familyHint,
            version: v.version,
            exportedAt: new Date(now()).toISOString(),
            body: v.body,
          },
          null,
          2,
        ) + '\n'
      );
    },

    import(json, importOptions = {}) {
      let file: unknown;
      try {
        file = JSON.parse(json);
      } catch {
        throw new RackbootError('INVALID_PROFILE', 'the file is not JSON');
      }
      const f = (file ?? {}) as { format?: unknown; formatVersion?: unknown; name?: unknown; version?: unknown; body?: unknown };
      if (typeof file !== 'object' || f.format !== PROFILE_EXPORT_FORMAT) {
        throw new RackbootError('INVALID_PROFILE', `the file is not a rackboot answer profile (no "format": "${PROFILE_EXPORT_FORMAT}")`);
      }
      if (f.formatVersion !== EXPORT_VERSION) {
        throw new RackbootError('INVALID_PROFILE', `the file is answer profile format ${JSON.stringify(f.formatVersion)}; this rackboot reads format ${EXPORT_VERSION}`);
      }
      const name = checkName(importOptions.name ?? f.name);
      const note = checkNote(importOptions.note) ?? `imported${typeof f.name === 'string' ? ` from ${JSON.stringify(f.name.slice(0, NAME_MAX))}` : ''}${typeof f.version === 'number' ? ` version ${f.version}` : ''}`;
      const prepared = prepareBody(f.body, 'the imported profile');
      return commit.immediate(null, name, prepared, note);
    },

    close() {
      if (db.open) db.close();
    },
  };
}
