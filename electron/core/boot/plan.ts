/**
 * The fleet plan in the store (migration 6) and how a planned machine is recognised on the wire.
 *
 * Matching (issue 11): a row with a MAC is the machine with that MAC, armed in the machines table at import. A
 * row without one waits until a machine proves who it is, then is bound to that machine's MAC for good:
 *   - UUID: DHCP option 97 (the SMBIOS UUID every PXE ROM and iPXE sends), at the first DISCOVER;
 *   - serial / asset tag / UUID: iPXE reads SMBIOS (`${serial}`, `${asset}`, `${uuid}`). While rows wait, a
 *     machine unknown by MAC and UUID gets iPXE and a one-line script that chains back to its own per-machine
 *     script with those values in the query (`boot/<mac>.ipxe?serial=...`); that request binds the row and is
 *     answered with the install. The generic `boot.ipxe` carries the same query.
 * Serials and asset tags compare without regard to case or edge spaces; UUIDs in either byte order (plan.ts).
 *
 * The repository keeps its own connection to the store's file, as the profile store does.
 */
import Database from 'better-sqlite3';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { parseIPv4, parseMac } from '../../../shared/net/ipv4.ts';
import { isPlaceholderUuid, machineName, uuidMatches, type KnownMachine, type PlanChange, type PlanEntry } from '../../../shared/plan/plan.ts';
import { StoreError, type Store } from '../store/store.ts';
import type { Machine, Machines } from './machines.ts';

const PLAN_SCHEMA = 6;

export interface PlanRecord extends PlanEntry {
  id: number;
  /** How a row without a MAC was matched to one, or null (planned by MAC). */
  boundBy: 'uuid' | 'serial' | 'asset' | null;
  boundAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What iPXE reported about itself (the query of `boot/<mac>.ipxe?serial=...&asset=...&uuid=...`). */
export interface SmbiosIds {
  serial?: string | null;
  asset?: string | null;
  uuid?: string | null;
}

export interface Plan {
  list(): PlanRecord[];
  forMac(mac: string): PlanRecord | null;
  /** Rows still waiting for their machine (no MAC yet). */
  waiting(): PlanRecord[];
  /** Plan rows plus machines without one: what a plan file is checked against (shared/plan readPlan). */
  known(): KnownMachine[];
  /** Writes validated changes (readPlan) and arms the machines whose install changed; returns the MACs armed. */
  apply(changes: readonly PlanChange[]): { armed: string[] };
  /** A DHCP packet's option 97: binds a waiting row planned by that UUID. */
  matchDhcp(mac: string, uuid: string | null): PlanRecord | null;
  /** iPXE's SMBIOS values: binds a waiting row planned by serial, asset tag or UUID. */
  matchIpxe(mac: string, ids: SmbiosIds): PlanRecord | null;
  /** Forgets a row (by MAC, or `serial:X` / `uuid:X` / `asset:X` for one still waiting). */
  remove(key: string): boolean;
  /** A fixed address for full-mode DHCP, from the plan. */
  reservationFor(mac: string): { mac: string; ip: string; hostname: string | null } | undefined;
  /** Who an address is planned for (a MAC, or `plan:<id>` for a row still waiting): nobody else gets it. */
  ipOwner(ip: number): string | undefined;
  close(): void;
}

type Row = {
  id: number;
  mac: string | null;
  serial: string | null;
  uuid: string | null;
  asset: string | null;
  hostname: string | null;
  ip: string | null;
  iso_id: string | null;
  profile: string | null;
  bmc: string | null;
  notes: string | null;
  vars: string;
  bound_by: PlanRecord['boundBy'];
  bound_at: number | null;
  created_at: number;
  updated_at: number;
};

const toRecord = (r: Row): PlanRecord => ({
  id: r.id,
  mac: r.mac,
  serial: r.serial,
  uuid: r.uuid,
  asset: r.asset,
  hostname: r.hostname,
  ip: r.ip,
  iso: r.iso_id,
  profile: r.profile,
  bmc: r.bmc,
  notes: r.notes,
  vars: JSON.parse(r.vars) as Record<string, string>,
  boundBy: r.bound_by,
  boundAt: r.bound_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Columns whose change means a different install: the machine is armed again. */
const INSTALL_COLUMNS = new Set(['mac', 'iso', 'profile', 'hostname', 'ip']);

const same = (a: string | null | undefined, b: string | null | undefined) => Boolean(a && b && a.trim().toLowerCase() === b.trim().toLowerCase());

export function createPlan(options: { store: Pick<Store, 'path'>; machines: Machines; emit: (e: BootEventInput) => void; now?: () => number }): Plan {
  const { machines, emit } = options;
  const now = options.now ?? Date.now;
  const db = new Database(options.store.path, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
  const schema = db.pragma('user_version', { simple: true }) as number;
  if (schema < PLAN_SCHEMA) {
    db.close();
    throw new StoreError(`database schema ${schema} has no fleet plan (needs ${PLAN_SCHEMA}); open it with openStore first`);
  }
  const selectAll = db.prepare<[], Row>('SELECT * FROM plan ORDER BY id');
  const insert = db.prepare(
    `INSERT INTO plan (mac, serial, uuid, asset, hostname, ip, iso_id, profile, bmc, notes, vars, bound_by, bound_at, created_at, updated_at)
     VALUES (@mac, @serial, @uuid, @asset, @hostname, @ip, @iso, @profile, @bmc, @notes, @vars, NULL, NULL, @now, @now)`,
  );
  const update = db.prepare(
    `UPDATE plan SET mac = @mac, serial = @serial, uuid = @uuid, asset = @asset, hostname = @hostname, ip = @ip, iso_id = @iso,
       profile = @profile, bmc = @bmc, notes = @notes, vars = @vars, updated_at = @now WHERE id = @id`,
  );
  const bindRow = db.prepare<[string, string, number, number, number]>('UPDATE plan SET mac = ?, bound_by = ?, bound_at = ?, updated_at = ? WHERE id = ? AND mac IS NULL');
  const deleteRow = db.prepare<[number]>('DELETE FROM plan WHERE id = ?');
  const release = db.prepare<[number]>('UPDATE plan SET hostname = NULL, ip = NULL WHERE id = ?');

  // The plan is small (a fleet): kept in memory, indexed for the DHCP hot path.
  let rows: PlanRecord[] = [];
  let byMac = new Map<string, PlanRecord>();
  let byIp = new Map<number, string>();
  const reload = () => {
    rows = selectAll.all().map(toRecord);
    byMac = new Map(rows.filter((r) => r.mac).map((r) => [r.mac!, r]));
    byIp = new Map(rows.filter((r) => r.ip).map((r) => [parseIPv4(r.ip!)!, r.mac ?? `plan:${r.id}`]));
  };
  reload();

  const params = (e: PlanEntry) => ({
    mac: e.mac,
    serial: e.serial,
    uuid: e.uuid,
    asset: e.asset,
    hostname: e.hostname,
    ip: e.ip,
    iso: e.iso,
    profile: e.profile,
    bmc: e.bmc,
    notes: e.notes,
    vars: JSON.stringify(e.vars),
    now: now(),
  });

  /** The machine gets the row's install: ISO, profile, host name (armed unless `arm` is false). */
  function arm(r: PlanEntry & { mac: string }, armIt: boolean): Machine | null {
    if (!r.iso) return null;
    return machines.assign(r.mac, { isoId: r.iso, profile: r.profile, hostname: r.hostname, arm: armIt });
  }

  function bind(r: PlanRecord, mac: string, by: 'uuid' | 'serial' | 'asset', value: string): PlanRecord | null {
    const t = now();
    if (bindRow.run(mac, by, t, t, r.id).changes !== 1) return null;
    reload();
    const bound = byMac.get(mac)!;
    arm(bound as PlanRecord & { mac: string }, true);
    emit({
      service: 'core',
      level: 'info',
      mac,
      msg: `${mac}: is ${machineName({ ...bound, mac: null })} of the plan (${by} ${value})${bound.iso ? `: armed to install ${bound.iso}` : ''}`,
      fields: { plan: { id: bound.id, by, value, hostname: bound.hostname } },
    });
    return bound;
  }

  const waiting = () => rows.filter((r) => r.mac === null);

  return {
    list: () => [...rows],
    forMac(mac) {
      const m = parseMac(mac);
      return m ? (byMac.get(m) ?? null) : null;
    },
    waiting,
    known() {
      // A bound row's machine may have been changed since (UI, assign): its current install is what a file updates.
      const out: KnownMachine[] = rows.map((r) => {
        const m = r.mac ? machines.get(r.mac) : null;
        const now = m ? { hostname: m.hostname, iso: m.isoId, profile: m.profile } : { hostname: r.hostname, iso: r.iso, profile: r.profile };
        return { key: `plan:${r.id}`, mac: r.mac, serial: r.serial, uuid: r.uuid, asset: r.asset, ip: r.ip, bmc: r.bmc, notes: r.notes, vars: { ...r.vars }, ...now };
      });
      for (const m of machines.list()) {
        if (byMac.has(m.mac)) continue;
        const uuid = m.uuid && !isPlaceholderUuid(m.uuid) ? m.uuid : null;
        out.push({ key: `mac:${m.mac}`, mac: m.mac, serial: null, uuid, asset: null, hostname: m.hostname, ip: null, iso: m.isoId, profile: m.profile, bmc: null, notes: null, vars: {} });
      }
      return out;
    },
    apply(changes) {
      const writes = db.transaction(() => {
        // Host names and addresses may move between rows in one file: free them all first (UNIQUE is checked per statement).
        for (const c of changes) if (c.action === 'update' && c.key?.startsWith('plan:')) release.run(Number(c.key.slice(5)));
        for (const c of changes) {
          if (c.action === 'unchanged') continue;
          const id = c.key?.startsWith('plan:') ? Number(c.key.slice(5)) : null;
          if (id === null) insert.run(params(c.entry));
          else update.run({ ...params(c.entry), id });
        }
      });
      writes();
      reload();
      const armed: string[] = [];
      for (const c of changes) {
        const mac = c.entry.mac;
        if (!mac || !c.entry.iso) continue;
        const m = machines.get(mac);
        const installChanged = c.action === 'add' || c.changes.some((x) => INSTALL_COLUMNS.has(x.column) || x.column.startsWith('var.'));
        // An unchanged row leaves an installed machine alone: importing the same plan again never reinstalls.
        const needsArm = installChanged || !m || m.isoId !== c.entry.iso || m.state === 'new';
        if (needsArm) {
          arm({ ...c.entry, mac }, true);
          armed.push(mac);
        } else if (c.action === 'update') arm({ ...c.entry, mac }, false);
      }
      return { armed };
    },
    matchDhcp(mac, uuid) {
      const key = parseMac(mac);
      if (!key) return null;
      const planned = byMac.get(key);
      if (planned || !uuid || isPlaceholderUuid(uuid)) return planned ?? null;
      const r = waiting().find((w) => w.uuid && uuidMatches(w.uuid, uuid));
      return r ? bind(r, key, 'uuid', uuid) : null;
    },
    matchIpxe(mac, ids) {
      const key = parseMac(mac);
      if (!key) return null;
      const planned = byMac.get(key);
      if (planned) return planned;
      const list = waiting();
      const serial = ids.serial?.trim() || null;
      const asset = ids.asset?.trim() || null;
      const uuid = ids.uuid?.trim() || null;
      let r = serial ? list.find((w) => same(w.serial, serial)) : undefined;
      if (r) return bind(r, key, 'serial', serial!);
      r = asset ? list.find((w) => same(w.asset, asset)) : undefined;
      if (r) return bind(r, key, 'asset', asset!);
      r = uuid && !isPlaceholderUuid(uuid.toLowerCase()) ? list.find((w) => w.uuid && uuidMatches(w.uuid, uuid)) : undefined;
      if (r) return bind(r, key, 'uuid', uuid!);
      return null;
    },
    remove(key) {
      const m = /^(serial|uuid|asset):(.+)$/.exec(key);
      const mac = m ? null : parseMac(key);
      const r = mac ? byMac.get(mac) : m ? rows.find((x) => x.mac === null && same(x[m[1] as 'serial' | 'uuid' | 'asset'], m[2]!)) : undefined;
      if (!r) return false;
      deleteRow.run(r.id);
      reload();
      return true;
    },
    reservationFor(mac) {
      const r = byMac.get(mac);
      return r?.ip ? { mac, ip: r.ip, hostname: r.hostname } : undefined;
    },
    ipOwner: (ip) => byIp.get(ip),
    close() {
      if (db.open) db.close();
    },
  };
}
