/**
 * Fleet plans (issue 11): the machines to install, one row each, from a spreadsheet's CSV. A row names the
 * machine by MAC and/or SMBIOS serial, UUID or asset tag (a machine can be planned before its MAC is known: the
 * core binds the row to the MAC on the machine's first network boot), and says what it gets: host name, fixed
 * address or DHCP, ISO, answer profile, per-machine variables (`var.NAME` columns, for the answer files),
 * a BMC reference (kept for power control later) and notes.
 *
 * `readPlan(text, ctx)` checks every row against the file itself and against what rackboot already knows
 * (`PlanContext`: the served subnet and pool, reservations, known machines, the ISO library, the profiles) and
 * returns every problem at its row and column, plus what importing would change. Pure: the CLI, the core and
 * the UI's preview all call it; nothing is imported unless `issues` is empty.
 */
import { parseCsv, formatCsv, type CsvSeparator } from './csv.ts';
import { formatIPv4, inSubnet, parseIPv4, parseMac, type IPv4Range, type Subnet } from '../net/ipv4.ts';
import { substitute, VAR_NAME } from '../answers/substitute.ts';

export const PLAN_COLUMNS = ['mac', 'serial', 'uuid', 'asset', 'hostname', 'ip', 'iso', 'profile', 'bmc', 'notes'] as const;
export type PlanColumn = (typeof PLAN_COLUMNS)[number];
const IDENTITY = ['mac', 'serial', 'uuid', 'asset'] as const;
type IdentityColumn = (typeof IDENTITY)[number];

/** Header spellings spreadsheets use for the same columns (compared in lower case, spaces and `_` as `-`). */
const ALIASES: Record<string, PlanColumn> = {
  'mac-address': 'mac',
  'serial-number': 'serial',
  'serial-no': 'serial',
  'system-uuid': 'uuid',
  'asset-tag': 'asset',
  'host-name': 'hostname',
  'ip-address': 'ip',
  image: 'iso',
  'answer-profile': 'profile',
  'bmc-address': 'bmc',
  note: 'notes',
  comment: 'notes',
  comments: 'notes',
};

/** One machine's planned state, as stored and exported. `iso` and `profile` are ids. */
export interface PlanEntry {
  mac: string | null;
  serial: string | null;
  uuid: string | null;
  asset: string | null;
  hostname: string | null;
  ip: string | null;
  iso: string | null;
  profile: string | null;
  bmc: string | null;
  notes: string | null;
  /** `var.NAME` columns, names in lower case. */
  vars: Record<string, string>;
}

export type PlanIssueCode =
  | 'CSV_EMPTY'
  | 'CSV_UNTERMINATED_QUOTE'
  | 'CSV_QUOTE_IN_FIELD'
  | 'CSV_TEXT_AFTER_QUOTE'
  | 'CSV_TOO_LARGE'
  | 'MISSING_HEADER'
  | 'UNKNOWN_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'UNNAMED_COLUMN'
  | 'MISSING_COLUMN'
  | 'NO_ROWS'
  | 'FIELD_COUNT'
  | 'NO_IDENTITY'
  | 'BAD_MAC'
  | 'BAD_SERIAL'
  | 'BAD_UUID'
  | 'BAD_ASSET'
  | 'BAD_HOSTNAME'
  | 'BAD_IP'
  | 'IP_OUTSIDE_SUBNET'
  | 'IP_NOT_HOST'
  | 'IP_IS_SERVER'
  | 'IP_IN_POOL'
  | 'IP_RESERVED'
  | 'MISSING_ISO'
  | 'UNKNOWN_ISO'
  | 'UNKNOWN_PROFILE'
  | 'MISSING_VALUE'
  | 'BAD_BMC'
  | 'BMC_PASSWORD'
  | 'BAD_VALUE'
  | 'DUPLICATE'
  | 'TAKEN'
  | 'IDENTITY_CONFLICT';

export interface PlanIssue {
  /** Spreadsheet row (1 is the header). */
  row: number;
  /** The column as the header names it, in lower case (`ip`, `var.rack`); `#3` for a column without a name; null: the whole row. */
  column: string | null;
  code: PlanIssueCode;
  message: string;
}

/** A machine rackboot already knows: a stored plan entry or a machine in the machines table. */
export interface KnownMachine extends PlanEntry {
  /** Stable key the caller uses to apply an update (plan entry id, or `mac:<mac>` for a machine without one). */
  key: string;
}

export interface PlanContext {
  /** The served network (from the settings' interface); null when not known: subnet and pool go unchecked. */
  network: { subnet: Subnet; self: string | null; pool: IPv4Range | null } | null;
  /** Fixed addresses from the settings (`--reserve`). */
  reservations: readonly { mac: string; ip: string }[];
  known: readonly KnownMachine[];
  /** An `iso` cell: an ISO id, an ISO's file name, or a path to an image. */
  iso(value: string): { id: string } | { problem: string };
  /** A `profile` cell: a profile id or name; `placeholders` are those its scripts use (`var.rack`, `hostname`). */
  profile(value: string): { id: string; placeholders: string[] } | { problem: string };
}

export interface PlanChange {
  row: number;
  action: 'add' | 'update' | 'unchanged';
  /** The known machine the row updates (KnownMachine.key), or null for a new one. */
  key: string | null;
  /** The entry as it will be stored. */
  entry: PlanEntry;
  changes: { column: string; from: string | null; to: string | null }[];
}

export interface PlanReading {
  separator: CsvSeparator;
  /** The recognised columns in header order (`mac`, `var.rack`...). */
  columns: string[];
  changes: PlanChange[];
  issues: PlanIssue[];
}

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** Printable ASCII, as SMBIOS strings are. */
const PRINTABLE = /^[\x20-\x7e]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const ONE_LINE = /^[^\x00-\x1f\x7f\x85\u2028\u2029]*$/;
// eslint-disable-next-line no-control-regex -- control characters other than tab and line breaks
const NOTE_TEXT = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/;
const BMC = /^(?:(ipmi|redfish):\/\/)?(?:([A-Za-z0-9._-]{1,64})@)?([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::([1-9][0-9]{0,4}))?\/?$/;

/** `8-4-4-4-12` lower case from 32 hex digits with or without hyphens or braces; null otherwise. */
export function canonicalUuid(text: string): string | null {
  const t = text.trim().replace(/^\{(.*)\}$/, '$1');
  if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(t)) return null;
  const h = t.replaceAll('-', '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The same UUID with its first three fields byte-swapped. SMBIOS 2.6+ stores them little-endian; firmware and
 * tools disagree on whether to swap them back when they print (dmidecode does, some BMCs and old ROMs do not),
 * so a planned UUID matches either spelling.
 */
export function swappedUuid(uuid: string): string {
  const [a, b, c, ...rest] = uuid.split('-');
  const rev = (s: string) => s.match(/../g)!.reverse().join('');
  return [rev(a!), rev(b!), rev(c!), ...rest].join('-');
}

export function uuidMatches(planned: string, reported: string): boolean {
  const r = canonicalUuid(reported);
  return r !== null && (r === planned || swappedUuid(r) === planned);
}

/** A UUID that names no machine: unset SMBIOS fields read as all zeros or all ones. */
export const isPlaceholderUuid = (u: string) => /^[0-]+$/.test(u) || /^[f-]+$/.test(u);

/** How a technician names a machine: `node1 (52:54:00:12:34:56)`, `serial ABC123`. */
export function machineName(e: Pick<PlanEntry, IdentityColumn | 'hostname'>): string {
  const id = e.mac ?? (e.serial ? `serial ${e.serial}` : e.uuid ? `uuid ${e.uuid}` : e.asset ? `asset ${e.asset}` : 'a machine');
  return e.hostname ? `${e.hostname} (${id})` : id;
}

function columnName(raw: string): { name: string } | { unknown: string } {
  const t = raw.trim().toLowerCase();
  const v = /^var[.:](.*)$/.exec(t);
  if (v) return VAR_NAME.test(v[1]!) ? { name: `var.${v[1]}` } : { unknown: t };
  if ((PLAN_COLUMNS as readonly string[]).includes(t)) return { name: t };
  const alias = ALIASES[t.replace(/[\s_]+/g, '-')];
  return alias ? { name: alias } : { unknown: t };
}

/** Serials and asset tags compare without regard to case (labels and BIOS setup screens differ), as the core matches them. */
const sameId = (c: IdentityColumn, a: string | null, b: string) => a !== null && (c === 'serial' || c === 'asset' ? a.toLowerCase() === b.toLowerCase() : a === b);

const EMPTY_ENTRY = (): PlanEntry => ({ mac: null, serial: null, uuid: null, asset: null, hostname: null, ip: null, iso: null, profile: null, bmc: null, notes: null, vars: {} });

export function readPlan(text: string, ctx: PlanContext): PlanReading {
  const csv = parseCsv(text);
  const issues: PlanIssue[] = [];
  const reading: PlanReading = { separator: csv.separator, columns: [], changes: [], issues };
  const header = csv.records[0];
  const names: (string | null)[] = [];
  const nameAt = (field: number | null) => (field === null ? null : (names[field - 1] ?? `#${field}`));
  for (const e of csv.errors) issues.push({ row: e.row, column: e.field === null ? null : `#${e.field}`, code: e.code, message: e.message });
  if (!header || csv.errors.some((e) => e.code === 'CSV_EMPTY' || e.code === 'CSV_TOO_LARGE')) return reading;

  // ------------------------------------------------------------------------------------------ the header
  const recognised = header.fields.map(columnName);
  if (!recognised.some((c) => 'name' in c)) {
    const sample = header.fields.find((f) => f.trim() !== '')?.trim() ?? '';
    const data = parseMac(sample) !== null || parseIPv4(sample) !== null || canonicalUuid(sample) !== null;
    issues.push({
      row: 1,
      column: null,
      code: 'MISSING_HEADER',
      message: `the first row must name the columns (${PLAN_COLUMNS.join(', ')}, var.NAME)${data ? `; it holds data (${sample})` : `; it has ${JSON.stringify(sample.slice(0, 40))}`}`,
    });
    return reading;
  }
  const dataRows = csv.records.slice(1);
  const seenColumns = new Map<string, number>();
  header.fields.forEach((raw, i) => {
    const c = recognised[i]!;
    if (raw.trim() === '') {
      names.push(null);
      if (dataRows.some((r) => (r.fields[i] ?? '').trim() !== '')) issues.push({ row: 1, column: `#${i + 1}`, code: 'UNNAMED_COLUMN', message: `column ${i + 1} has values but no name in the first row` });
      return;
    }
    if ('unknown' in c) {
      names.push(null);
      issues.push({ row: 1, column: c.unknown, code: 'UNKNOWN_COLUMN', message: `unknown column ${JSON.stringify(raw.trim())} (columns: ${PLAN_COLUMNS.join(', ')}, var.NAME)` });
      return;
    }
    const first = seenColumns.get(c.name);
    if (first !== undefined) {
      names.push(null);
      issues.push({ row: 1, column: c.name, code: 'DUPLICATE_COLUMN', message: `column ${c.name} appears twice (columns ${first + 1} and ${i + 1})` });
      return;
    }
    seenColumns.set(c.name, i);
    names.push(c.name);
  });
  // CSV errors name a field number; now that the header is known, name the column.
  for (const i of issues) if (i.column?.startsWith('#')) i.column = nameAt(Number(i.column.slice(1)));
  reading.columns = names.filter((n): n is string => n !== null);
  const has = (c: string) => seenColumns.has(c);
  if (!IDENTITY.some(has)) issues.push({ row: 1, column: null, code: 'MISSING_COLUMN', message: 'no column names the machines: give mac, serial, uuid or asset' });

  // ------------------------------------------------------------------------------------------ the rows
  const rows = dataRows.filter((r) => r.fields.some((f) => f.trim() !== ''));
  if (rows.length === 0 && issues.length === 0) issues.push({ row: 2, column: null, code: 'NO_ROWS', message: 'the file names its columns but lists no machines' });

  const isoCache = new Map<string, ReturnType<PlanContext['iso']>>();
  const profileCache = new Map<string, ReturnType<PlanContext['profile']>>();
  const firstRow = new Map<string, number>();
  const reservedBy = new Map(ctx.reservations.map((r) => [r.ip, r.mac]));
  const reservationOf = new Map(ctx.reservations.map((r) => [r.mac, r.ip]));

  /** Rows whose cells are fine so far, for the checks that need every row's target (host names may swap). */
  const pending: { row: number; e: PlanEntry; target: KnownMachine | null; hits: Set<string>; isoCell: string | null; failed: boolean }[] = [];
  for (const rec of rows) {
    const row = rec.row;
    if (rec.fields.length !== header.fields.length) {
      issues.push({ row, column: null, code: 'FIELD_COUNT', message: `the row has ${rec.fields.length} fields and the header ${header.fields.length}: a separator (${csv.separator === '\t' ? 'tab' : csv.separator}) is missing or extra` });
      continue;
    }
    const before = issues.length;
    const add = (column: string | null, code: PlanIssueCode, message: string) => issues.push({ row, column, code, message });
    const cell = (c: string): string | null => {
      const i = seenColumns.get(c);
      if (i === undefined) return null;
      const v = rec.fields[i]!.trim();
      return v === '' ? null : v;
    };
    const e = EMPTY_ENTRY();

    const mac = cell('mac');
    if (mac !== null) {
      e.mac = parseMac(mac);
      if (!e.mac) add('mac', 'BAD_MAC', `${mac} is not a MAC address (like 52:54:00:12:34:56)`);
    }
    for (const c of ['serial', 'asset'] as const) {
      const v = cell(c);
      if (v === null) continue;
      if (PRINTABLE.test(v)) e[c] = v;
      else add(c, c === 'serial' ? 'BAD_SERIAL' : 'BAD_ASSET', `${c === 'serial' ? 'a serial number' : 'an asset tag'} is 1 to 64 printable ASCII characters, as SMBIOS stores it`);
    }
    const uuid = cell('uuid');
    if (uuid !== null) {
      const u = canonicalUuid(uuid);
      if (!u) add('uuid', 'BAD_UUID', `${uuid} is not a UUID (32 hex digits, like 4c4c4544-0042-3510-8052-b4c04f384d32)`);
      else if (isPlaceholderUuid(u)) add('uuid', 'BAD_UUID', `${u} is what firmware without a UUID reports: it names no machine`);
      else e.uuid = u;
    }
    if (!IDENTITY.some((c) => cell(c) !== null)) add(null, 'NO_IDENTITY', 'the row names no machine: give its mac, serial, uuid or asset');

    const vars: Record<string, string> = {};
    for (const name of reading.columns.filter((c) => c.startsWith('var.'))) {
      const v = cell(name);
      if (v === null) continue;
      if (v.length > 1024 || !ONE_LINE.test(v)) add(name, 'BAD_VALUE', 'a variable is one line of at most 1024 characters');
      else vars[name.slice(4)] = v;
    }
    e.vars = vars;

    const ip = cell('ip');
    if (ip !== null && ip.toLowerCase() !== 'dhcp') {
      const n = parseIPv4(ip);
      if (n === null) add('ip', 'BAD_IP', `${ip} is not a dotted-quad IPv4 address (like 198.18.0.20), nor dhcp`);
      else {
        e.ip = ip;
        const net = ctx.network;
        const where = net ? `${formatIPv4(net.subnet.network)}/${net.subnet.prefix}` : '';
        if (net && !inSubnet(n, net.subnet)) add('ip', 'IP_OUTSIDE_SUBNET', `${ip} is not in the served network ${where}`);
        else if (net && (n === net.subnet.network || n === net.subnet.broadcast)) add('ip', 'IP_NOT_HOST', `${ip} is the ${n === net.subnet.network ? 'network' : 'broadcast'} address of ${where}`);
        else if (net && net.self === ip) add('ip', 'IP_IS_SERVER', `${ip} is rackboot's own address`);
        else if (net?.pool && n >= net.pool.first && n <= net.pool.last) {
          add('ip', 'IP_IN_POOL', `${ip} is inside the DHCP pool ${formatIPv4(net.pool.first)}-${formatIPv4(net.pool.last)}: fixed addresses go outside it (set a smaller pool)`);
        } else {
          const owner = reservedBy.get(ip);
          if (owner !== undefined && owner !== e.mac) add('ip', 'IP_RESERVED', `${ip} is reserved for ${owner} in the settings`);
          const own = e.mac ? reservationOf.get(e.mac) : undefined;
          if (own !== undefined && own !== ip) add('ip', 'IP_RESERVED', `${e.mac} already has the reservation ${own} in the settings`);
        }
      }
    }

    const hostname = cell('hostname');
    if (hostname !== null) {
      const s = substitute(hostname, { ...e, vars });
      if (s.missing.length) add('hostname', 'MISSING_VALUE', `${hostname} uses ${s.missing.map((m) => `{{${m}}}`).join(', ')}, which this row has no value for`);
      else if (!HOSTNAME.test(s.text)) add('hostname', 'BAD_HOSTNAME', `${JSON.stringify(s.text)} is not a host name: letters, digits and hyphens, at most 63, no dots (the domain comes from the profile)`);
      else e.hostname = s.text;
    }

    const iso = cell('iso');
    if (iso !== null) {
      const r = isoCache.get(iso) ?? ctx.iso(iso);
      isoCache.set(iso, r);
      if ('problem' in r) add('iso', 'UNKNOWN_ISO', r.problem);
      else e.iso = r.id;
    }

    const profile = cell('profile');
    if (profile !== null && profile.toLowerCase() !== 'none') {
      const r = profileCache.get(profile) ?? ctx.profile(profile);
      profileCache.set(profile, r);
      if ('problem' in r) add('profile', 'UNKNOWN_PROFILE', r.problem);
      else {
        e.profile = r.id;
        for (const p of r.placeholders) {
          const missing = substitute(`{{${p}}}`, { ...e, vars }).missing.length > 0;
          if (!missing) continue;
          // Mark the empty cell when the column is there, else the profile.
          const column = p.startsWith('var.') && has(p) ? p : p === 'hostname' && has('hostname') ? 'hostname' : p === 'ip' && has('ip') ? 'ip' : 'profile';
          add(column, 'MISSING_VALUE', `profile ${r.id} uses {{${p}}} in its scripts, which this row has no value for`);
        }
      }
    }

    const bmc = cell('bmc');
    if (bmc !== null) {
      if (/^[a-z]+:\/\/[^@/]*:[^@/]*@/i.test(bmc) || /^[^/@]*:[^@/]*@/.test(bmc)) add('bmc', 'BMC_PASSWORD', 'no passwords in a plan: name the credentials (redfish://NAME@host), rackboot keeps them elsewhere');
      else if (!BMC.test(bmc)) add('bmc', 'BAD_BMC', `${bmc} is not a BMC address: [ipmi://|redfish://][CREDENTIALS@]HOST[:PORT]`);
      else e.bmc = bmc;
    }
    const notes = cell('notes');
    if (notes !== null) {
      if (notes.length > 2000 || !NOTE_TEXT.test(notes)) add('notes', 'BAD_VALUE', 'notes are text of at most 2000 characters');
      else e.notes = notes;
    }

    // Duplicates within the file (the later row is marked, naming the first).
    const keyed: [string, string | null][] = [
      ['mac', e.mac],
      ['serial', e.serial?.toLowerCase() ?? null],
      ['uuid', e.uuid],
      ['asset', e.asset?.toLowerCase() ?? null],
      ['hostname', e.hostname?.toLowerCase() ?? null],
      ['ip', e.ip],
    ];
    for (const [c, v] of keyed) {
      if (v === null) continue;
      const k = `${c}\u0000${v}`;
      const first = firstRow.get(k);
      if (first !== undefined) add(c, 'DUPLICATE', `${c} ${c === 'hostname' || c === 'serial' || c === 'asset' ? e[c] : v} is also on row ${first}`);
      else firstRow.set(k, row);
    }

    // Against what rackboot knows: which machine the row updates, and nothing taken by another.
    const hits = new Map<string, { k: KnownMachine; by: IdentityColumn }>();
    for (const k of ctx.known) {
      for (const c of IDENTITY) {
        if (e[c] !== null && sameId(c, k[c], e[c]) && !hits.has(k.key)) hits.set(k.key, { k, by: c });
      }
    }
    let target: KnownMachine | null = null;
    if (hits.size > 1) {
      const [a, b] = [...hits.values()];
      add(b!.by, 'IDENTITY_CONFLICT', `${a!.by} ${e[a!.by]} is ${machineName(a!.k)} but ${b!.by} ${e[b!.by]} is ${machineName(b!.k)}: one row cannot be two machines`);
    } else if (hits.size === 1) {
      const { k, by } = [...hits.values()][0]!;
      if (e.mac && k.mac && k.mac !== e.mac) add('mac', 'IDENTITY_CONFLICT', `${by} ${e[by]} is the machine with MAC ${k.mac}, not ${e.mac} (remove it first to plan it again)`);
      else target = k;
    }
    pending.push({ row, e, target, hits: new Set(hits.keys()), isoCell: iso, failed: issues.length > before });
  }

  // A known machine another row of this file gives a new host name or address no longer holds its old one.
  const retargeted = new Set(pending.flatMap((p) => (p.target ? [p.target.key] : [])));
  const stillHolds = (k: KnownMachine, c: 'hostname' | 'ip') => !(retargeted.has(k.key) && has(c));
  for (const p of pending) {
    const { row, e, target } = p;
    const add = (column: string | null, code: PlanIssueCode, message: string) => {
      issues.push({ row, column, code, message });
      p.failed = true;
    };
    for (const k of ctx.known) {
      if (p.hits.has(k.key)) continue;
      if (e.hostname && k.hostname && stillHolds(k, 'hostname') && k.hostname.toLowerCase() === e.hostname.toLowerCase()) add('hostname', 'TAKEN', `host name ${e.hostname} belongs to ${machineName(k)}`);
      if (e.ip && k.ip === e.ip && stillHolds(k, 'ip')) add('ip', 'TAKEN', `${e.ip} is planned for ${machineName(k)}`);
    }
    // A new machine needs an ISO; a known one keeps its own unless the file has an iso column.
    if (p.isoCell === null && !(target?.iso && !has('iso'))) add(has('iso') ? 'iso' : null, 'MISSING_ISO', 'which ISO to install: an ISO id, its file name or a path');
    if (p.failed) continue;
    reading.changes.push(changeOf(row, target, merge(target, e, (c) => has(c))));
  }
  // Spreadsheet order: the row's own problems first, then what it conflicts with.
  issues.sort((a, b) => a.row - b.row);
  if (issues.length) reading.changes = [];
  return reading;
}

/** The stored entry after the row: columns the file has replace (an empty cell clears), others are kept; a bound MAC stays. */
function merge(target: KnownMachine | null, e: PlanEntry, has: (c: string) => boolean): PlanEntry {
  if (!target) return e;
  const out: PlanEntry = { ...target, vars: { ...target.vars } };
  delete (out as Partial<KnownMachine>).key;
  for (const c of PLAN_COLUMNS) {
    if (c === 'mac') out.mac = e.mac ?? target.mac;
    else if (has(c)) out[c] = e[c];
  }
  for (const name of Object.keys(target.vars)) if (has(`var.${name}`) && !(name in e.vars)) delete out.vars[name];
  Object.assign(out.vars, e.vars);
  return out;
}

function changeOf(row: number, target: KnownMachine | null, entry: PlanEntry): PlanChange {
  const before = target ?? EMPTY_ENTRY();
  const changes: PlanChange['changes'] = [];
  for (const c of PLAN_COLUMNS) if (before[c] !== entry[c]) changes.push({ column: c, from: before[c], to: entry[c] });
  const names = [...new Set([...Object.keys(before.vars), ...Object.keys(entry.vars)])].sort();
  for (const n of names) if (before.vars[n] !== entry.vars[n]) changes.push({ column: `var.${n}`, from: before.vars[n] ?? null, to: entry.vars[n] ?? null });
  return { row, action: target === null ? 'add' : changes.length ? 'update' : 'unchanged', key: target?.key ?? null, entry, changes };
}

/** The entries as a CSV a spreadsheet opens and `readPlan` reads back: the fixed columns, then `var.*` sorted. */
export function planToCsv(entries: readonly PlanEntry[], separator: CsvSeparator = ','): string {
  const vars = [...new Set(entries.flatMap((e) => Object.keys(e.vars)))].sort();
  const rows: string[][] = [[...PLAN_COLUMNS, ...vars.map((v) => `var.${v}`)]];
  for (const e of entries) rows.push([...PLAN_COLUMNS.map((c) => e[c] ?? ''), ...vars.map((v) => e.vars[v] ?? '')]);
  return formatCsv(rows, separator);
}

/** One line per issue for a terminal: `row 3, ip: 10.0.0.5 is not in the served network 198.18.0.0/24`. */
export function formatIssue(i: PlanIssue): string {
  return `row ${i.row}${i.column ? `, ${i.column}` : ''}: ${i.message}`;
}
