import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/api/contract.ts';
import { MIGRATIONS } from '../../electron/core/store/migrations.ts';
import { defaultDataDir } from '../../electron/core/store/paths.ts';
import { migrate, openStore } from '../../electron/core/store/store.ts';
import { tempDir } from '../helpers/rackboot.ts';

let dir = tempDir();
afterEach(() => {
  dir.remove();
  dir = tempDir();
});

describe('store', () => {
  it('opens in WAL mode with foreign keys and records the schema in user_version', () => {
    const store = openStore(dir.path);
    store.close();
    const db = new Database(store.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('uses STRICT tables: a wrong type is refused, not coerced', () => {
    const store = openStore(dir.path);
    store.close();
    const db = new Database(store.path);
    expect(() => db.prepare("INSERT INTO events (ts, service, level, msg) VALUES ('soon', 'core', 'info', 'x')").run()).toThrow(/cannot store TEXT value in INTEGER column/);
    db.close();
  });

  it('runs each migration once and refuses a database from a newer rackboot', () => {
    const db = new Database(join(dir.path, 'x.db'));
    expect(migrate(db, ['CREATE TABLE a (x INTEGER) STRICT'])).toBe(1);
    expect(migrate(db, ['CREATE TABLE a (x INTEGER) STRICT', 'CREATE TABLE b (y INTEGER) STRICT'])).toBe(2);
    expect(() => migrate(db, ['CREATE TABLE a (x INTEGER) STRICT'])).toThrow(/newer than this rackboot/);
    db.close();
  });

  it('rolls a failing migration back whole', () => {
    const db = new Database(join(dir.path, 'y.db'));
    expect(() => migrate(db, ['CREATE TABLE ok1 (x INTEGER) STRICT; CREATE TABLE broken (;'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok1'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('keeps settings and events across a reopen', () => {
    const a = openStore(dir.path);
    a.saveSettings({ ...DEFAULT_SETTINGS, interface: 'eth1', dhcpMode: 'full', pool: '198.18.0.10-198.18.0.99' });
    a.appendEvents([{ seq: 1, ts: 1000, service: 'dhcp', level: 'info', mac: '52:54:00:00:00:01', msg: 'offered', fields: { ip: '198.18.0.10' } }]);
    a.close();
    const b = openStore(dir.path);
    expect(b.loadSettings()).toEqual({ settings: { ...DEFAULT_SETTINGS, interface: 'eth1', dhcpMode: 'full', pool: '198.18.0.10-198.18.0.99' }, problem: null });
    expect(b.recentEvents(10)).toMatchObject([{ service: 'dhcp', mac: '52:54:00:00:00:01', msg: 'offered', fields: { ip: '198.18.0.10' } }]);
    b.close();
  });

  it.each([
    ['not JSON', '{oops', /not valid JSON/],
    ['an invalid value', JSON.stringify({ dhcpMode: 'sometimes' }), /saved settings are invalid/],
    ['a hostile address', JSON.stringify({ address: '0xc0.168.1.1' }), /saved settings are invalid/],
  ])('re-validates saved settings on load: %s falls back to defaults and says why', (_what, value, problem) => {
    const a = openStore(dir.path);
    a.close();
    const db = new Database(a.path);
    db.prepare("INSERT INTO settings (key, value) VALUES ('settings', ?)").run(value);
    db.close();
    const b = openStore(dir.path);
    const loaded = b.loadSettings();
    expect(loaded.settings).toEqual(DEFAULT_SETTINGS);
    expect(loaded.problem).toMatch(problem);
    b.close();
  });

  it('refuses a data directory it cannot create', () => {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, '');
    expect(() => openStore(join(file, 'sub'))).toThrow(/ENOTDIR|EEXIST/);
  });
});

describe('default data directory', () => {
  it.each([
    [{ HOME: '/home/tech' }, 'linux', '/home/tech/.local/share/rackboot'],
    [{ HOME: '/home/tech', XDG_DATA_HOME: '/data/xdg' }, 'linux', '/data/xdg/rackboot'],
    [{ HOME: '/home/tech', XDG_DATA_HOME: 'relative/ignored' }, 'linux', '/home/tech/.local/share/rackboot'],
    [{ HOME: '/Users/tech' }, 'darwin', '/Users/tech/Library/Application Support/rackboot'],
  ] as const)('%o on %s is %s', (env, platform, expected) => {
    expect(defaultDataDir(env as NodeJS.ProcessEnv, platform)).toBe(expected);
  });
});
