/**
 * The machines table and the one-shot install lifecycle (boot-chains.md §7): a machine is `armed` to install
 * an ISO, becomes `installing` when its installer fetches the answer file (the definitive sign: a retried PXE
 * boot fetches the kernel again, never the answer file twice by accident), and `installed` when the installer's
 * completion callback arrives with the install's token. An installed machine boots from its disk on every
 * later PXE boot until the technician re-arms it: the reinstall loop of seed 003 cannot happen.
 */
import { randomBytes } from 'node:crypto';
import type { BootEventInput } from '../../../shared/model/event.ts';
import { BOOT_STAGES, STAGE_TEXT, stageProgress, type BootStage } from '../../../shared/model/stage.ts';
import { parseMac } from '../../../shared/net/ipv4.ts';
import type { MachineRow, Store } from '../store/store.ts';

export type Machine = MachineRow;

export interface StageRecord {
  stage: BootStage;
  at: number;
  detail: string | null;
  bytes: number | null;
  ms: number | null;
}

export interface AssignOptions {
  isoId?: string | null;
  profile?: string | null;
  hostname?: string | null;
  chain?: Machine['chain'];
  secureBoot?: Machine['secureBoot'];
  /** Arm the install now (default true when an ISO is given). */
  arm?: boolean;
}

export interface Machines {
  get(mac: string): Machine | null;
  list(): Machine[];
  /** A machine showed up (DHCP): created as `new` if unknown; firmware facts refreshed. */
  seen(mac: string, facts: { firmware?: string | null; arch?: string | null; uuid?: string | null; ip?: string | null }): Machine;
  assign(mac: string, options: AssignOptions): Machine;
  /** Installs again on the next boot (a new token, the old one stops working). */
  rearm(mac: string): Machine;
  /** The tech says it is done (or the installer's callback did): local boot from now on. */
  markDone(mac: string, how: string): Machine;
  /** The installer fetched its answer file. */
  markInstalling(mac: string): Machine;
  /** Boot evidence says the firmware enforces Secure Boot (it refused unsigned iPXE): shim + GRUB from now on. */
  detectSecureBoot(mac: string, evidence: string): Machine;
  remove(mac: string): boolean;
  /** Records a stage reached (an event with the stage and progress); repeated stages within one boot are folded. */
  stage(mac: string, stage: BootStage, detail?: { msg?: string; bytes?: number; ms?: number; ip?: string }): void;
  /** The stages of the machine's current boot, oldest first. */
  timeline(mac: string): StageRecord[];
  /** True when `token` is the machine's current install token. */
  tokenMatches(mac: string, token: string | null | undefined): boolean;
}

export class MachineError extends Error {
  override readonly name = 'MachineError';
  constructor(
    readonly code: 'BAD_MAC' | 'NO_SUCH_MACHINE' | 'NO_ISO',
    message: string,
  ) {
    super(message);
  }
}

function canonical(mac: string): string {
  const m = parseMac(mac);
  if (!m) throw new MachineError('BAD_MAC', `${JSON.stringify(mac)} is not a MAC address`);
  return m;
}

export function createMachines(options: { store: Store; emit: (e: BootEventInput) => void; isoExists: (id: string) => boolean; now?: () => number }): Machines {
  const { store, emit } = options;
  const now = options.now ?? Date.now;
  const byMac = new Map<string, Machine>();
  for (const m of store.loadMachines()) byMac.set(m.mac, m);
  const timelines = new Map<string, StageRecord[]>();

  const save = (m: Machine): Machine => {
    m.updatedAt = now();
    store.saveMachine(m);
    byMac.set(m.mac, m);
    return m;
  };
  const must = (mac: string): Machine => {
    const m = byMac.get(canonical(mac));
    if (!m) throw new MachineError('NO_SUCH_MACHINE', `no machine ${mac}`);
    return m;
  };
  const blank = (mac: string): Machine => ({
    mac,
    hostname: null,
    isoId: null,
    profile: null,
    chain: 'auto',
    secureBoot: 'unknown',
    state: 'new',
    firmware: null,
    arch: null,
    uuid: null,
    ip: null,
    token: null,
    firstSeen: null,
    lastSeen: null,
    installedAt: null,
    updatedAt: now(),
  });
  const token = () => randomBytes(12).toString('hex');
  const changed = (m: Machine, msg: string, extra: Record<string, unknown> = {}) =>
    emit({ service: 'core', level: 'info', mac: m.mac, msg: `${m.mac}: ${msg}`, fields: { machine: { state: m.state, isoId: m.isoId, hostname: m.hostname, ...extra } } });

  return {
    get: (mac) => {
      const m = parseMac(mac);
      return m ? (byMac.get(m) ?? null) : null;
    },
    list: () => [...byMac.values()],
    seen(mac, facts) {
      const key = canonical(mac);
      const m = byMac.get(key) ?? { ...blank(key), firstSeen: now() };
      let dirty = !byMac.has(key);
      for (const k of ['firmware', 'arch', 'uuid', 'ip'] as const) {
        const v = facts[k];
        if (v != null && m[k] !== v) {
          m[k] = v;
          dirty = true;
        }
      }
      // Last-seen alone is not worth a write per DHCP packet: it is saved with the next real change.
      m.lastSeen = now();
      return dirty ? save(m) : (byMac.set(key, m), m);
    },
    assign(mac, o) {
      const key = canonical(mac);
      const m = byMac.get(key) ?? blank(key);
      if (o.isoId !== undefined && o.isoId !== null && !options.isoExists(o.isoId)) throw new MachineError('NO_ISO', `no ISO with id ${o.isoId} in the library`);
      if (o.isoId !== undefined) m.isoId = o.isoId;
      if (o.profile !== undefined) m.profile = o.profile;
      if (o.hostname !== undefined) m.hostname = o.hostname;
      if (o.chain !== undefined) m.chain = o.chain;
      if (o.secureBoot !== undefined) m.secureBoot = o.secureBoot;
      if (o.arm ?? (o.isoId !== undefined && o.isoId !== null)) {
        if (!m.isoId) throw new MachineError('NO_ISO', `${key} has no ISO to install`);
        m.state = 'armed';
        m.token = token();
        m.installedAt = null;
      }
      save(m);
      changed(m, m.state === 'armed' ? `armed to install ${m.isoId}` : 'updated');
      return m;
    },
    rearm(mac) {
      const m = must(mac);
      if (!m.isoId) throw new MachineError('NO_ISO', `${m.mac} has no ISO assigned`);
      m.state = 'armed';
      m.token = token();
      m.installedAt = null;
      timelines.delete(m.mac);
      save(m);
      changed(m, `re-armed: installs ${m.isoId} on its next network boot`);
      return m;
    },
    markDone(mac, how) {
      const m = must(mac);
      m.state = 'installed';
      m.installedAt = now();
      m.token = null;
      save(m);
      changed(m, `install finished (${how}): boots from its disk until re-armed`, { doneBy: how });
      return m;
    },
    markInstalling(mac) {
      const m = must(mac);
      if (m.state !== 'armed') return m;
      m.state = 'installing';
      save(m);
      changed(m, 'installer fetched its answer file: installing');
      return m;
    },
    detectSecureBoot(mac, evidence) {
      const m = must(mac);
      if (m.secureBoot === 'on') return m;
      m.secureBoot = 'on';
      save(m);
      emit({ service: 'core', level: 'warn', mac: m.mac, msg: `${m.mac}: Secure Boot detected (${evidence}): shim + GRUB from now on`, fields: { secureBoot: 'on', detected: true } });
      return m;
    },
    remove(mac) {
      const key = canonical(mac);
      byMac.delete(key);
      timelines.delete(key);
      return store.deleteMachine(key);
    },
    stage(mac, stage, detail = {}) {
      const key = parseMac(mac);
      if (!key) return;
      let t = timelines.get(key) ?? [];
      // A new DHCP exchange after the kernel was loaded is a new boot: start a new timeline.
      if (stage === 'dhcp' && t.some((r) => BOOT_STAGES.indexOf(r.stage) > BOOT_STAGES.indexOf('config'))) t = [];
      const last = t.at(-1);
      const rec: StageRecord = { stage, at: now(), detail: detail.msg ?? null, bytes: detail.bytes ?? null, ms: detail.ms ?? null };
      if (last?.stage === stage) t[t.length - 1] = rec;
      else t.push(rec);
      timelines.set(key, t.slice(-50));
      if (last?.stage === stage) return;
      emit({
        service: 'core',
        level: 'info',
        mac: key,
        ...(detail.ip ? { ip: detail.ip } : {}),
        msg: `${key}: ${STAGE_TEXT[stage]}${detail.msg ? ` (${detail.msg})` : ''}`,
        fields: { stage, progress: stageProgress(stage), ...(detail.bytes !== undefined ? { bytes: detail.bytes } : {}), ...(detail.ms !== undefined ? { ms: detail.ms } : {}) },
      });
    },
    timeline: (mac) => {
      const key = parseMac(mac);
      return key ? [...(timelines.get(key) ?? [])] : [];
    },
    tokenMatches(mac, t) {
      const key = parseMac(mac);
      const m = key ? byMac.get(key) : undefined;
      return Boolean(m?.token && t && m.token === t);
    },
  };
}
