/** The core's SQLite store: WAL, foreign keys, STRICT tables, numbered migrations, statements prepared once. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from '../../../shared/api/contract.ts';
import type { BootEvent } from '../../../shared/model/event.ts';
import type { Lease } from '../dhcp/pool.ts';
import { MIGRATIONS } from './migrations.ts';

export interface Store {
  readonly path: string;
  readonly schemaVersion: number;
  loadSettings(): { settings: Settings; problem: string | null };
  saveSettings(settings: Settings): void;
  appendEvents(events: readonly BootEvent[]): void;
  recentEvents(limit: number): BootEvent[];
  /** One machine's most recent events, oldest first (index events_mac). */
  machineEvents(mac: string, limit: number): BootEvent[];
  /** Oldest change first, so a later lease for the same address wins when replayed. */
  loadLeases(): Lease[];
  saveLease(lease: Lease): void;
  /** Several lease changes in one transaction (the DHCP service's group commit before its ACKs leave). */
  saveLeases(leases: readonly Lease[]): void;
  /** The ISO library, oldest first. `summary` and `index` are JSON the library owns. */
  loadIsos(): IsoRow[];
  saveIso(row: IsoRow): void;
  /** Records a verified whole-image SHA-256 (null clears it when the file changed). */
  setIsoSha256(id: string, sha256: string | null): void;
  deleteIso(id: string): boolean;
  loadMachines(): MachineRow[];
  saveMachine(row: MachineRow): void;
  deleteMachine(mac: string): boolean;
  close(): void;
}

export interface IsoRow {
  id: string;
  path: string;
  size: number;
  mtimeMs: number;
  fingerprint: string;
  summary: string;
  index: string;
  sha256: string | null;
  addedAt: number;
  indexedAt: number;
}

export interface MachineRow {
  mac: string;
  hostname: string | null;
  isoId: string | null;
  profile: string | null;
  chain: 'auto' | 'ipxe' | 'pxelinux' | 'grub';
  secureBoot: 'unknown' | 'on' | 'off';
  state: 'new' | 'armed' | 'installing' | 'installed';
  firmware: string | null;
  arch: string | null;
  uuid: string | null;
  ip: string | null;
  /** Per-install secret the installer's callbacks must carry. */
  token: string | null;
  firstSeen: number | null;
  lastSeen: number | null;
  installedAt: number | null;
  updatedAt: number;
}

const MACHINE_COLUMNS = ['mac', 'hostname', 'iso_id', 'profile', 'chain', 'secure_boot', 'state', 'firmware', 'arch', 'uuid', 'ip', 'token', 'first_seen', 'last_seen', 'installed_at', 'updated_at'] as const;
type MachineDbRow = Record<(typeof MACHINE_COLUMNS)[number], string | number | null>;

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new StoreError(`database schema ${current} is newer than this rackboot (${migrations.length}); update rackboot`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return migrations.length;
}

type EventRow = { id: number; ts: number; service: string; level: string; mac: string | null; ip: string | null; msg: string; fields: string };

const toEvent = (r: EventRow): BootEvent => ({
  seq: r.id,
  ts: r.ts,
  service: r.service as BootEvent['service'],
  level: r.level as BootEvent['level'],
  ...(r.mac ? { mac: r.mac } : {}),
  ...(r.ip ? { ip: r.ip } : {}),
  msg: r.msg,
  fields: JSON.parse(r.fields) as Record<string, unknown>,
});

export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'rackboot.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process kill -9 (only an OS crash can lose the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  const schemaVersion = migrate(db);

  const getSetting = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const putSetting = db.prepare<[string, string]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const insertEvent = db.prepare<[number, string, string, string | null, string | null, string, string]>(
    'INSERT INTO events (ts, service, level, mac, ip, msg, fields) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectEvents = db.prepare<[number], { id: number; ts: number; service: string; level: string; mac: string | null; ip: string | null; msg: string; fields: string }>(
    'SELECT * FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id',
  );
  const selectMachineEvents = db.prepare<[string, number], { id: number; ts: number; service: string; level: string; mac: string | null; ip: string | null; msg: string; fields: string }>(
    'SELECT * FROM (SELECT * FROM events WHERE mac = ? ORDER BY id DESC LIMIT ?) ORDER BY id',
  );
  const upsertLease = db.prepare<[string, string, string, string, number, string | null, number]>(
    `INSERT INTO leases (client_key, mac, ip, state, expires_at, hostname, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (client_key) DO UPDATE SET mac = excluded.mac, ip = excluded.ip, state = excluded.state,
       expires_at = excluded.expires_at, hostname = excluded.hostname, updated_at = excluded.updated_at`,
  );
  const selectLeases = db.prepare<[], { client_key: string; mac: string; ip: string; state: string; expires_at: number; hostname: string | null; updated_at: number }>(
    'SELECT * FROM leases ORDER BY updated_at, rowid',
  );
  const upsertIso = db.prepare<[string, string, number, number, string, string, string, string | null, number, number]>(
    `INSERT INTO isos (id, path, size, mtime_ms, fingerprint, summary, idx, sha256, added_at, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET path = excluded.path, size = excluded.size, mtime_ms = excluded.mtime_ms,
       fingerprint = excluded.fingerprint, summary = excluded.summary, idx = excluded.idx, sha256 = excluded.sha256,
       indexed_at = excluded.indexed_at`,
  );
  const selectIsos = db.prepare<[], { id: string; path: string; size: number; mtime_ms: number; fingerprint: string; summary: string; idx: string; sha256: string | null; added_at: number; indexed_at: number }>(
    'SELECT * FROM isos ORDER BY added_at, rowid',
  );
  const updateIsoSha = db.prepare<[string | null, string]>('UPDATE isos SET sha256 = ? WHERE id = ?');
  const removeIso = db.prepare<[string]>('DELETE FROM isos WHERE id = ?');
  const upsertMachine = db.prepare<MachineDbRow>(
    `INSERT INTO machines (${MACHINE_COLUMNS.join(', ')}) VALUES (${MACHINE_COLUMNS.map((c) => '@' + c).join(', ')})
     ON CONFLICT (mac) DO UPDATE SET ${MACHINE_COLUMNS.filter((c) => c !== 'mac' && c !== 'first_seen').map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  const selectMachines = db.prepare<[], MachineDbRow>('SELECT * FROM machines ORDER BY first_seen, rowid');
  const removeMachine = db.prepare<[string]>('DELETE FROM machines WHERE mac = ?');
  const saveMany = db.transaction((leases: readonly Lease[]) => {
    for (const l of leases) upsertLease.run(l.clientKey, l.mac, l.ip, l.state, l.expiresAt, l.hostname, l.updatedAt);
  });
  const appendMany = db.transaction((events: readonly BootEvent[]) => {
    for (const e of events) {
      insertEvent.run(e.ts, e.service, e.level, e.mac ?? null, e.ip ?? null, e.msg, JSON.stringify(e.fields ?? {}));
    }
  });

  return {
    path,
    schemaVersion,
    loadSettings() {
      const row = getSetting.get('settings');
      if (!row) return { settings: DEFAULT_SETTINGS, problem: null };
      // Re-validate on load (CONVENTIONS §9): a hand-edited or older row must not reach the services.
      let raw: unknown;
      try {
        raw = JSON.parse(row.value);
      } catch {
        return { settings: DEFAULT_SETTINGS, problem: 'saved settings are not valid JSON; using defaults' };
      }
      const parsed = SettingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...(raw as object) });
      if (!parsed.success) {
        return { settings: DEFAULT_SETTINGS, problem: `saved settings are invalid (${parsed.error.issues[0]?.message}); using defaults` };
      }
      return { settings: parsed.data, problem: null };
    },
    saveSettings(settings) {
      putSetting.run('settings', JSON.stringify(SettingsSchema.parse(settings)));
    },
    appendEvents(events) {
      if (events.length) appendMany(events);
    },
    recentEvents(limit) {
      return selectEvents.all(limit).map(toEvent);
    },
    machineEvents(mac, limit) {
      return selectMachineEvents.all(mac, limit).map(toEvent);
    },
    loadLeases() {
      return selectLeases.all().map((r) => ({
        clientKey: r.client_key,
        mac: r.mac,
        ip: r.ip,
        state: r.state as Lease['state'],
        expiresAt: r.expires_at,
        hostname: r.hostname,
        updatedAt: r.updated_at,
      }));
    },
    saveLease(l) {
      upsertLease.run(l.clientKey, l.mac, l.ip, l.state, l.expiresAt, l.hostname, l.updatedAt);
    },
    saveLeases(leases) {
      if (leases.length) saveMany(leases);
    },
    loadIsos() {
      return selectIsos.all().map((r) => ({
        id: r.id,
        path: r.path,
        size: r.size,
        mtimeMs: r.mtime_ms,
        fingerprint: r.fingerprint,
        summary: r.summary,
        index: r.idx,
        sha256: r.sha256,
        addedAt: r.added_at,
        indexedAt: r.indexed_at,
      }));
    },
    saveIso(r) {
      upsertIso.run(r.id, r.path, r.size, r.mtimeMs, r.fingerprint, r.summary, r.index, r.sha256, r.addedAt, r.indexedAt);
    },
    setIsoSha256(id, sha256) {
      updateIsoSha.run(sha256, id);
    },
    deleteIso(id) {
      return removeIso.run(id).changes > 0;
    },
    loadMachines() {
      return selectMachines.all().map((r) => ({
        mac: r.mac as string,
        hostname: r.hostname as string | null,
        isoId: r.iso_id as string | null,
        profile: r.profile as string | null,
        chain: r.chain as MachineRow['chain'],
        secureBoot: r.secure_boot as MachineRow['secureBoot'],
        state: r.state as MachineRow['state'],
        firmware: r.firmware as string | null,
        arch: r.arch as string | null,
        uuid: r.uuid as string | null,
        ip: r.ip as string | null,
        token: r.token as string | null,
        firstSeen: r.first_seen as number | null,
        lastSeen: r.last_seen as number | null,
        installedAt: r.installed_at as number | null,
        updatedAt: r.updated_at as number,
      }));
    },
    saveMachine(m) {
      upsertMachine.run({
        mac: m.mac,
        hostname: m.hostname,
        iso_id: m.isoId,
        profile: m.profile,
        chain: m.chain,
        secure_boot: m.secureBoot,
        state: m.state,
        firmware: m.firmware,
        arch: m.arch,
        uuid: m.uuid,
        ip: m.ip,
        token: m.token,
        first_seen: m.firstSeen,
        last_seen: m.lastSeen,
        installed_at: m.installedAt,
        updated_at: m.updatedAt,
      });
    },
    deleteMachine(mac) {
      return removeMachine.run(mac).changes > 0;
    },
    close() {
      if (db.open) db.close();
    },
  };
}
