/**
 * `rackboot machines ...`: the machines table and the fleet plan from a script. JSON lines by default (`--human`
 * for people); exit 0 on success, 2 on bad arguments, 1 on a failure with a one-line reason (an invalid plan
 * file: one line per problem, then the summary line).
 */
import { resolve } from 'node:path';
import { isIPv4, parseMac } from '../../shared/net/ipv4.ts';
import { HostnameSchema, ProfileIdSchema } from '../../shared/api/contract.ts';
import { RackbootError } from '../../shared/api/errors.ts';
import { formatCsv, type CsvSeparator } from '../../shared/plan/csv.ts';
import { canonicalUuid, formatIssue, planToCsv, type PlanEntry } from '../../shared/plan/plan.ts';
import { MachineError, type Machine } from '../core/boot/machines.ts';
import type { PlanRecord } from '../core/boot/plan.ts';
import { createBootServer, type BootServer } from '../core/server.ts';
import type { Store } from '../core/store/store.ts';
import { defaultDataDir } from '../core/store/paths.ts';
import { parsePositional, UsageError, write } from './args.ts';
import { applyPlan, changeCounts, loadPlan, PlanFileError } from './plan-file.ts';

export const MACHINES_HELP = `rackboot machines: the machines rackboot knows, the fleet plan, and what it installs on them

  rackboot machines [list] [--data DIR] [--human]         every machine: MAC, host name, ISO, state, firmware, last seen;
                                                          plan rows still waiting for their machine too (mac null)
  rackboot machines assign MACHINE --iso ID|PATH [--hostname NAME] [--ip A|dhcp] [--profile ID|none]
                           [--chain auto|ipxe|pxelinux|grub] [--secure-boot on|off|unknown] [--data DIR]
                                                          install that ISO on the machine's next network boot
  rackboot machines rearm MACHINE [--data DIR]            install again on the next boot
  rackboot machines done MACHINE [--data DIR]             mark installed: local boot from now on
  rackboot machines rm MACHINE [--data DIR]               forget the machine (and its plan row)
  rackboot machines import FILE.csv [--dry-run] [--data DIR]
                                                          add or update plan rows from a spreadsheet's CSV
  rackboot machines export [--separator ';'] [--data DIR] the plan (and every assigned machine) as CSV on stdout

MACHINE is a MAC (52:54:00:12:34:56), a UUID, or serial:X / asset:X / uuid:X (a bare word that is neither a
MAC nor a UUID is a serial number). A machine named by serial, UUID or asset tag is matched when it first
network-boots (DHCP's UUID, or iPXE's SMBIOS serial/asset/UUID), then known by its MAC.

Plan CSV: a header row names the columns, in any case and order: mac, serial, uuid, asset, hostname, ip
(an address outside the DHCP pool, or dhcp), iso (an ISO id, its file name, or a path relative to the CSV),
profile, bmc ([ipmi://|redfish://][CREDENTIALS@]HOST[:PORT], kept for power control), notes, and var.NAME
columns ({{var.NAME}}, {{hostname}}, {{ip}}, {{serial}} in the profile's scripts and in host names).
Comma, semicolon or tab separated (from the header), RFC 4180 quotes, UTF-8 with or without a BOM. Every
row is checked; one bad row rejects the whole file and every problem is listed (row, column, reason).
--dry-run prints what would change. Importing the same file again changes nothing (installed machines stay
installed); a row whose install changed (ISO, profile, host name, address, variables) is armed again.

An ISO given by path is added to the library first. --profile names an answer profile (rackboot answers list);
without one the machine gets the bootstrap answer file and its installer asks on the console. Run these while
rackboot is stopped, or use the UI/API while it serves (a running server does not see changes made here until
it restarts; rackboot serve --plan FILE imports a plan at start).
`;

/** A failure that is not the caller's typing: exit 1. */
export class MachinesCommandError extends Error {}

/** How the command line names a machine. */
export type MachineRef = { kind: 'mac' | 'serial' | 'uuid' | 'asset'; value: string };

/** `52:54:..` / a UUID / `serial:X` `asset:X` `uuid:X` `mac:X` / any other word: a serial. */
export function parseMachineRef(text: string): MachineRef {
  const m = /^(mac|serial|uuid|asset):(.*)$/i.exec(text);
  if (m) {
    const kind = m[1]!.toLowerCase() as MachineRef['kind'];
    const v = m[2]!.trim();
    if (kind === 'mac') {
      const mac = parseMac(v);
      if (!mac) throw new UsageError(`${v} is not a MAC address (like 52:54:00:12:34:56)`);
      return { kind, value: mac };
    }
    if (kind === 'uuid') {
      const u = canonicalUuid(v);
      if (!u) throw new UsageError(`${v} is not a UUID`);
      return { kind, value: u };
    }
    if (!/^[\x20-\x7e]{1,64}$/.test(v)) throw new UsageError(`${kind} ${JSON.stringify(v)}: 1 to 64 printable characters`);
    return { kind, value: v };
  }
  const mac = parseMac(text);
  if (mac) return { kind: 'mac', value: mac };
  const uuid = canonicalUuid(text);
  if (uuid) return { kind: 'uuid', value: uuid };
  // Hex pairs with separators that do not make a MAC are a mistyped MAC, not a serial number.
  if (/^[0-9a-f]{1,2}([:-][0-9a-f]{0,2}){2,}$/i.test(text)) throw new UsageError(`${text} is not a MAC address (like 52:54:00:12:34:56)`);
  if (!/^[\x21-\x7e][\x20-\x7e]{0,63}$/.test(text)) throw new UsageError(`${JSON.stringify(text)} is not a MAC address, a UUID nor a serial number`);
  return { kind: 'serial', value: text };
}

const refText = (r: MachineRef) => (r.kind === 'mac' ? r.value : `${r.kind} ${r.value}`);

function human(m: Machine | null, p: PlanRecord | null, steps: StageStep[]): string {
  const seen = m?.lastSeen ? new Date(m.lastSeen).toISOString().slice(0, 19).replace('T', ' ') : 'never';
  const id = m?.mac ?? (p?.serial ? `serial:${p.serial}` : p?.uuid ? `uuid:${p.uuid}` : `asset:${p?.asset}`);
  const state = m?.state ?? 'waiting';
  return `${id.padEnd(17)}  ${(m?.hostname ?? p?.hostname ?? '-').padEnd(16)} ${(m?.isoId ?? p?.iso ?? '-').padEnd(30)} ${state.padEnd(10)} ${(steps.at(-1)?.stage ?? '-').padEnd(9)} ${(m?.firmware ?? '-').padEnd(5)} ${seen}`;
}

/** A machine's boot stages as the event log recorded them (the running server keeps them; they outlive it). */
export interface StageStep {
  stage: string;
  at: number;
  detail: string;
  bytes?: number;
}

function history(store: Store, mac: string): StageStep[] {
  return store
    .machineEvents(mac, 200)
    .filter((e) => typeof e.fields.stage === 'string')
    .map((e) => ({ stage: e.fields.stage as string, at: e.ts, detail: e.msg, ...(typeof e.fields.bytes === 'number' ? { bytes: e.fields.bytes } : {}) }));
}

const planJson = (p: PlanRecord | null) =>
  p && { serial: p.serial, uuid: p.uuid, asset: p.asset, ip: p.ip, bmc: p.bmc, notes: p.notes, vars: p.vars, boundBy: p.boundBy, boundAt: p.boundAt };

function json(m: Machine | null, p: PlanRecord | null, steps: StageStep[]) {
  const last = steps.at(-1);
  return {
    mac: m?.mac ?? null,
    hostname: m?.hostname ?? p?.hostname ?? null,
    iso: m?.isoId ?? p?.iso ?? null,
    profile: m?.profile ?? p?.profile ?? null,
    state: m?.state ?? 'waiting',
    chain: m?.chain ?? 'auto',
    secureBoot: m?.secureBoot ?? 'unknown',
    firmware: m?.firmware ?? null,
    arch: m?.arch ?? null,
    ip: m?.ip ?? null,
    firstSeen: m?.firstSeen ?? null,
    lastSeen: m?.lastSeen ?? null,
    installedAt: m?.installedAt ?? null,
    stage: last ? { stage: last.stage, at: last.at } : null,
    history: steps,
    plan: planJson(p),
  };
}

/** Every plan row and every assigned machine as plan entries (a bound row shows its machine's current install). */
export function exportEntries(core: BootServer): PlanEntry[] {
  const out: PlanEntry[] = [];
  for (const p of core.plan.list()) {
    const m = p.mac ? core.machines.get(p.mac) : null;
    const { id: _id, boundBy: _b, boundAt: _a, createdAt: _c, updatedAt: _u, ...entry } = p;
    out.push(m ? { ...entry, hostname: m.hostname, iso: m.isoId, profile: m.profile } : entry);
  }
  for (const m of core.machines.list()) {
    if (core.plan.forMac(m.mac) || m.isoId === null) continue;
    out.push({ mac: m.mac, serial: null, uuid: null, asset: null, hostname: m.hostname, ip: null, iso: m.isoId, profile: m.profile, bmc: null, notes: null, vars: {} });
  }
  return out;
}

export async function machinesCommand(argv: string[]): Promise<void> {
  const known = ['list', 'assign', 'rearm', 'done', 'rm', 'import', 'export'];
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'list';
  if (!known.includes(sub)) throw new UsageError(`unknown machines command ${sub} (${known.join(', ')})`);
  const rest = argv[0] === sub ? argv.slice(1) : argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(MACHINES_HELP);
    return;
  }
  const { values, positionals } = parsePositional(rest, {
    data: { type: 'string' },
    human: { type: 'boolean' },
    iso: { type: 'string' },
    hostname: { type: 'string' },
    ip: { type: 'string' },
    chain: { type: 'string' },
    'secure-boot': { type: 'string' },
    profile: { type: 'string' },
    'dry-run': { type: 'boolean' },
    separator: { type: 'string' },
  });
  if ((sub === 'list' || sub === 'export') && positionals.length) throw new UsageError(`usage: rackboot machines ${sub} [--data DIR]`);
  if (sub === 'import' && positionals.length !== 1) throw new UsageError('usage: rackboot machines import FILE.csv [--dry-run] [--data DIR]');
  if (!['list', 'export', 'import'].includes(sub) && positionals.length !== 1) throw new UsageError(`usage: rackboot machines ${sub} MACHINE [--data DIR] (a MAC, a UUID, or serial:X / asset:X)`);
  if (sub !== 'assign' && (values.iso ?? values.hostname ?? values.ip ?? values.chain ?? values['secure-boot'] ?? values.profile) !== undefined) throw new UsageError(`--iso, --hostname, --ip, --chain, --secure-boot and --profile go with assign`);
  if (sub !== 'import' && values['dry-run']) throw new UsageError('--dry-run goes with import');
  if (sub !== 'export' && values.separator !== undefined) throw new UsageError('--separator goes with export');
  if (values.separator !== undefined && ![',', ';', 'tab'].includes(values.separator)) throw new UsageError(`--separator takes , ; or tab, not ${values.separator}`);
  const ref = ['list', 'export', 'import'].includes(sub) ? null : parseMachineRef(positionals[0]!);
  if (values.profile !== undefined && values.profile !== 'none' && !ProfileIdSchema.safeParse(values.profile).success) throw new UsageError(`--profile ${values.profile} is not a profile id (rackboot answers list shows them)`);
  if (sub === 'assign' && !values.iso) throw new UsageError('assign needs --iso ID|PATH');
  if (values.chain !== undefined && !['auto', 'ipxe', 'pxelinux', 'grub'].includes(values.chain)) throw new UsageError(`--chain takes auto, ipxe, pxelinux or grub, not ${values.chain}`);
  if (values['secure-boot'] !== undefined && !['on', 'off', 'unknown'].includes(values['secure-boot'])) throw new UsageError(`--secure-boot takes on, off or unknown, not ${values['secure-boot']}`);
  if (values.hostname !== undefined && !HostnameSchema.safeParse(values.hostname).success) throw new UsageError(`--hostname ${values.hostname}: a host name is letters, digits and hyphens`);
  if (values.ip !== undefined && values.ip !== 'dhcp' && !isIPv4(values.ip)) throw new UsageError(`--ip ${values.ip} is not a dotted-quad IPv4 address (or dhcp)`);
  if (ref && ref.kind !== 'mac' && (values.chain !== undefined || values['secure-boot'] !== undefined)) throw new UsageError('--chain and --secure-boot need the machine by its MAC');

  const core = createBootServer({ dataDir: resolve(values.data ?? defaultDataDir()) });
  const { machines, store, plan } = core;
  const print = (list: { m: Machine | null; p: PlanRecord | null }[]) => {
    if (values.human) process.stdout.write(list.map(({ m, p }) => human(m, p, m ? history(store, m.mac) : [])).join('\n') + (list.length ? '\n' : ''));
    else for (const { m, p } of list) write(json(m, p, m ? history(store, m.mac) : []));
  };
  const one = (mac: string) => ({ m: machines.get(mac), p: plan.forMac(mac) });
  /** The MAC of the machine `ref` names: a MAC as is, else the plan row bound to it (or a machine seen with that UUID). */
  const macOf = (r: MachineRef): string | null => {
    if (r.kind === 'mac') return r.value;
    const row = plan.list().find((p) => (r.kind === 'uuid' ? p.uuid === r.value : (p[r.kind] ?? '').toLowerCase() === r.value.toLowerCase()));
    if (row) return row.mac;
    if (r.kind === 'uuid') return machines.list().find((m) => m.uuid === r.value)?.mac ?? null;
    return null;
  };
  try {
    if (sub === 'list') {
      const rows: { m: Machine | null; p: PlanRecord | null }[] = machines.list().map((m) => one(m.mac));
      for (const p of plan.waiting()) rows.push({ m: null, p });
      return print(rows);
    }
    if (sub === 'export') {
      const sep: CsvSeparator = values.separator === ';' ? ';' : values.separator === 'tab' ? '\t' : ',';
      process.stdout.write(planToCsv(exportEntries(core), sep));
      return;
    }
    if (sub === 'import') return await importPlan(core, positionals[0]!, Boolean(values['dry-run']));
    if (sub === 'rm') {
      const mac = macOf(ref!);
      const unplanned = plan.remove(mac ?? `${ref!.kind}:${ref!.value}`);
      const removed = mac ? machines.remove(mac) : false;
      if (!removed && !unplanned) throw new MachinesCommandError(`no machine ${refText(ref!)}`);
      return;
    }
    if (sub === 'assign') return await assign(core, ref!, values, print, one);
    const mac = macOf(ref!);
    if (!mac) throw new MachinesCommandError(ref!.kind === 'mac' ? `no machine ${ref!.value}` : plan.list().some((p) => p.mac === null) ? `${refText(ref!)} has not network-booted yet (its plan row waits for it)` : `no machine ${refText(ref!)}`);
    if (sub === 'rearm') return print([{ m: machines.rearm(mac), p: plan.forMac(mac) }]);
    return print([{ m: machines.markDone(mac, 'marked done from the command line'), p: plan.forMac(mac) }]);
  } catch (e) {
    if (e instanceof MachineError || e instanceof PlanFileError) throw new MachinesCommandError(e.message);
    if (e instanceof RackbootError && e.code !== 'BAD_REQUEST') throw new MachinesCommandError(e.message);
    throw e;
  } finally {
    await core.close();
  }
}

async function importPlan(core: BootServer, file: string, dryRun: boolean): Promise<void> {
  const settings = await core.api.getSettings(undefined);
  const nics = await core.api.listInterfaces(undefined);
  const loaded = await loadPlan(core, file, { settings, nics });
  const { reading } = loaded;
  if (reading.issues.length) {
    for (const i of reading.issues) {
      write({ event: 'issue', ...i });
      process.stderr.write(`rackboot: ${file}: ${formatIssue(i)}\n`);
    }
    throw new MachinesCommandError(`${file}: ${reading.issues.length} problem(s); nothing imported`);
  }
  for (const c of reading.changes) {
    write({ event: dryRun ? 'would' : 'change', row: c.row, action: c.action, machine: c.entry.mac ?? (c.entry.serial ? `serial:${c.entry.serial}` : c.entry.uuid ? `uuid:${c.entry.uuid}` : `asset:${c.entry.asset}`), hostname: c.entry.hostname, changes: c.changes });
  }
  const counts = changeCounts(reading);
  const newIsos = [...loaded.newIsos.values()];
  if (dryRun) {
    write({ event: 'dry-run', file, ...counts, newIsos, network: reading.columns.includes('ip') && !settingsNetworkKnown(settings, nics) ? 'not checked: the settings name no interface (addresses were not checked against a subnet or pool)' : null });
    return;
  }
  const { armed } = await applyPlan(core, loaded);
  write({ event: 'imported', file, ...counts, armed, waiting: core.plan.waiting().length, newIsos });
}

function settingsNetworkKnown(settings: { interface: string | null }, nics: { name: string }[]): boolean {
  return settings.interface !== null && nics.some((n) => n.name === settings.interface);
}

type Values = { iso?: string; hostname?: string; ip?: string; chain?: string; 'secure-boot'?: string; profile?: string };

/**
 * A MAC with nothing but an install to plan goes straight to the machines table; a machine named by serial,
 * UUID or asset tag, one with --ip, or one already in the plan goes through the plan (a one-row plan import:
 * the same checks as a CSV).
 */
async function assign(core: BootServer, ref: MachineRef, values: Values, print: (l: { m: Machine | null; p: PlanRecord | null }[]) => void, one: (mac: string) => { m: Machine | null; p: PlanRecord | null }): Promise<void> {
  const iso = values.iso!;
  const rec = core.isos.get(iso) ?? (iso.includes('/') || /\.iso$/i.test(iso) ? await core.isos.add(resolve(iso)).catch((e: Error) => Promise.reject(new MachinesCommandError(e.message))) : null);
  if (!rec) throw new MachinesCommandError(`no ISO ${iso} in the library (give a path to add one)`);
  const profile = values.profile === undefined ? undefined : values.profile === 'none' ? null : values.profile;
  if (profile) {
    const d = await core.api.getProfile({ id: profile }).catch((e: Error) => Promise.reject(new MachinesCommandError(e.message)));
    if (d.body === null) throw new MachinesCommandError(`answer profile ${profile} cannot be used: ${d.problem}`);
  }
  const viaPlan = ref.kind !== 'mac' || values.ip !== undefined || core.plan.forMac(ref.value) !== null;
  if (!viaPlan) {
    const m = core.machines.assign(ref.value, {
      isoId: rec.id,
      ...(values.hostname !== undefined ? { hostname: values.hostname } : {}),
      ...(values.chain !== undefined ? { chain: values.chain as Machine['chain'] } : {}),
      ...(values['secure-boot'] !== undefined ? { secureBoot: values['secure-boot'] as Machine['secureBoot'] } : {}),
      ...(profile !== undefined ? { profile } : {}),
    });
    return print([one(m.mac)]);
  }
  const columns: [string, string][] = [[ref.kind, ref.value], ['iso', rec.id]];
  if (values.hostname !== undefined) columns.push(['hostname', values.hostname]);
  if (values.ip !== undefined) columns.push(['ip', values.ip]);
  if (profile !== undefined) columns.push(['profile', profile ?? 'none']);
  const text = formatCsv([columns.map((c) => c[0]), columns.map((c) => c[1])]);
  const settings = await core.api.getSettings(undefined);
  const loaded = await loadPlan(core, 'assign', { settings, nics: await core.api.listInterfaces(undefined), text });
  if (loaded.reading.issues.length) {
    // One line: the first problem, in the words of the flag it came from.
    const i = loaded.reading.issues[0]!;
    const flag = i.column && i.column !== ref.kind ? `--${i.column}` : refText(ref);
    throw new MachinesCommandError(`${flag}: ${i.message}`);
  }
  await applyPlan(core, loaded);
  const mac = ref.kind === 'mac' ? ref.value : (core.plan.list().find((p) => (ref.kind === 'uuid' ? p.uuid === ref.value : p[ref.kind] === ref.value))?.mac ?? null);
  if (mac && (values.chain !== undefined || values['secure-boot'] !== undefined)) {
    core.machines.assign(mac, {
      ...(values.chain !== undefined ? { chain: values.chain as Machine['chain'] } : {}),
      ...(values['secure-boot'] !== undefined ? { secureBoot: values['secure-boot'] as Machine['secureBoot'] } : {}),
      arm: false,
    });
  }
  if (mac) return print([one(mac)]);
  const row = core.plan.list().find((p) => (ref.kind === 'uuid' ? p.uuid === ref.value : p[ref.kind] === ref.value)) ?? null;
  print([{ m: null, p: row }]);
}
