/**
 * Import an existing autoinstall file (NoCloud user-data with `#cloud-config` + `autoinstall:`, or a bare
 * autoinstall.yaml) into the common profile + the autoinstall section. What maps cleanly is mapped; a managed key
 * that does not map (storage with RAID, netplan with bonds...) is kept whole in `advanced` (re-emitted instead of
 * rackboot's own, with a warning); everything else unknown is kept verbatim. rackboot's own callback commands
 * and in-target fixes (render.ts) are recognised exactly, so parse -> render -> parse is stable.
 */
import type { AnswerIssue, CommonProfileInput } from '../profile.ts';
import { type AccountsIn, type DiskIn, type LocaleIn, type NetworkIn, type PackagesIn, type PartitionIn, type SecurityIn, type UserIn, importPassword } from '../deb-common.ts';
import { callbackUrl, shJoin, takeQuotedWord } from '../shell-quote.ts';
import { POST_FAILED_SUFFIX } from './render.ts';
import type { AutoinstallSectionInput } from './section.ts';
import { fromYaml } from './yaml.ts';

type Obj = Record<string, unknown>;
type Locale = LocaleIn;
type Network = NetworkIn;
type Disk = DiskIn;
type Accounts = AccountsIn;
type User = UserIn;
type Packages = PackagesIn;
type Security = SecurityIn;
type Storage = NonNullable<AutoinstallSectionInput['storage']>;
type Match = NonNullable<Storage['match']>;

export interface AutoinstallImport {
  profile: CommonProfileInput;
  section: AutoinstallSectionInput;
  issues: AnswerIssue[];
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const onlyKeys = (o: Obj, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));
const DEVICE = /^\/dev\/[A-Za-z0-9/_.:-]{1,200}$/;
const GLOB = /^[A-Za-z0-9_.:*?[\]/+-]{1,200}$/;
const QUAD = /^\d{1,3}(\.\d{1,3}){3}$/;
const OUR_CALLBACK = /\/(started|done)\?token=/;

/** A command-list item as one shell line (list items are argv: joined with quoting). */
function commandText(item: unknown): string | null {
  if (isStr(item)) return item;
  if (Array.isArray(item) && item.every(isStr)) return shJoin(item);
  return null;
}

function isOurCallback(cmd: string): boolean {
  const url = callbackUrl(cmd);
  return url !== null && OUR_CALLBACK.test(url);
}

/** `512M`, `1G`, `1048576` (bytes), `-1` (grow) -> MiB; null for percentages and anything else. */
function sizeToMiB(size: unknown): number | 'grow' | null {
  if (size === -1 || size === '-1') return 'grow';
  const m = /^(\d+(?:\.\d+)?)([KMGT])?B?$/i.exec(String(size));
  if (!m || typeof size === 'boolean') return null;
  const unit = m[2]?.toUpperCase();
  const mib = unit === 'K' ? Number(m[1]) / 1024 : unit === 'M' ? Number(m[1]) : unit === 'G' ? Number(m[1]) * 1024 : unit === 'T' ? Number(m[1]) * 1024 * 1024 : Number(m[1]) / 2 ** 20;
  return mib >= 1 ? Math.round(mib) : null;
}

function parseMatch(m: unknown): Match | null {
  if (!isObj(m) || !onlyKeys(m, ['size', 'serial', 'model', 'path', 'ssd'])) return null;
  const out: Match = {};
  if (m.size !== undefined) {
    if (m.size !== 'largest' && m.size !== 'smallest') return null;
    out.size = m.size;
  }
  for (const k of ['serial', 'model', 'path'] as const) {
    if (m[k] === undefined) continue;
    if (!isStr(m[k]) || !GLOB.test(m[k])) return null;
    out[k] = m[k];
  }
  if (m.ssd !== undefined) {
    if (typeof m.ssd !== 'boolean') return null;
    out.ssd = m.ssd;
  }
  return out;
}

/** `storage: {layout: ...}` -> common layout + section storage, or null when it does not map. */
function parseLayout(st: Obj, disk: Disk, storage: Storage): boolean {
  if (!onlyKeys(st, ['layout']) || !isObj(st.layout)) return false;
  const l = st.layout;
  if (!onlyKeys(l, ['name', 'sizing-policy', 'match'])) return false;
  if (l.name !== 'lvm' && l.name !== 'direct' && l.name !== 'zfs') return false;
  if (l['sizing-policy'] !== undefined && l['sizing-policy'] !== 'scaled' && l['sizing-policy'] !== 'all') return false;
  const match = l.match === undefined ? { size: 'largest' as const } : parseMatch(l.match);
  if (!match) return false;
  disk.layout = l.name === 'lvm' ? 'lvm' : l.name === 'direct' ? 'plain' : 'auto';
  if (l.name === 'zfs') storage.layout = 'zfs';
  if (l['sizing-policy']) storage.sizingPolicy = l['sizing-policy'];
  if (Object.keys(match).length === 1 && match.path && DEVICE.test(match.path)) disk.target = match.path;
  else storage.match = match;
  return true;
}

const FS_IN: Record<string, PartitionIn['fsType']> = { ext4: 'ext4', ext3: 'ext3', xfs: 'xfs', btrfs: 'btrfs', fat32: 'vfat', vfat: 'vfat', swap: 'swap' };

/** A one-disk curtin action list of plain partitions (what render.ts writes for `custom`), else false. */
function parseCurtin(st: Obj, disk: Disk, storage: Storage, issues: AnswerIssue[]): boolean {
  if (!onlyKeys(st, ['config', 'swap', 'version']) || !Array.isArray(st.config) || !st.config.every(isObj)) return false;
  if (st.version !== undefined && st.version !== 1) return false;
  if (st.swap !== undefined && !(isObj(st.swap) && onlyKeys(st.swap, ['size']) && (st.swap.size === 0 || st.swap.size === '0'))) return false;
  const actions = st.config as Obj[];
  const disks = actions.filter((a) => a.type === 'disk');
  if (disks.length !== 1) return false;
  const d = disks[0]!;
  if (!onlyKeys(d, ['type', 'id', 'ptable', 'wipe', 'preserve', 'grub_device', 'path', 'match', 'serial', 'name'])) return false;
  if (d.preserve === true || (d.ptable !== undefined && d.ptable !== 'gpt')) return false;
  let target: string | undefined;
  let match: Match | undefined;
  if (isStr(d.path)) {
    if (!DEVICE.test(d.path)) return false;
    target = d.path;
  } else if (d.match !== undefined) {
    const m = parseMatch(d.match);
    if (!m) return false;
    match = m;
  } else if (isStr(d.serial) && GLOB.test(d.serial)) match = { serial: d.serial };
  else if (d.serial !== undefined) return false;
  else match = {};
  const byId = new Map(actions.map((a) => [a.id, a]));
  const parts = actions.filter((a) => a.type === 'partition');
  const formats = actions.filter((a) => a.type === 'format');
  const mounts = actions.filter((a) => a.type === 'mount');
  if (parts.length + formats.length + mounts.length + 1 !== actions.length) return false; // raid, lvm, dm_crypt, zpool...
  const out: PartitionIn[] = [];
  for (const p of parts) {
    if (!onlyKeys(p, ['type', 'id', 'device', 'number', 'size', 'flag', 'grub_device', 'preserve', 'wipe', 'name'])) return false;
    if (p.device !== d.id || p.preserve === true) return false;
    const size = sizeToMiB(p.size);
    if (size === null) return false;
    const base = size === 'grow' ? { sizeMiB: 1, grow: true } : { sizeMiB: size, grow: false };
    if (p.flag === 'bios_grub') {
      out.push({ mount: 'biosboot', fsType: 'biosboot', ...base });
      continue;
    }
    if (p.flag !== undefined && p.flag !== 'boot' && p.flag !== 'swap' && p.flag !== '') return false;
    const fmts = formats.filter((f) => f.volume === p.id);
    if (fmts.length !== 1) return false;
    const f = fmts[0]!;
    if (!onlyKeys(f, ['type', 'id', 'volume', 'fstype', 'preserve', 'label']) || f.preserve === true || !isStr(f.fstype)) return false;
    const fsType = FS_IN[f.fstype];
    if (!fsType) return false;
    const ms = mounts.filter((m) => m.device === f.id);
    if (ms.length !== 1 || !onlyKeys(ms[0]!, ['type', 'id', 'device', 'path'])) return false;
    const path = ms[0]!.path;
    if (fsType === 'swap') {
      if (path !== undefined && path !== '' && path !== 'none') return false;
      out.push({ mount: 'swap', fsType, ...base });
      continue;
    }
    if (!isStr(path) || !/^(\/[A-Za-z0-9_.-]*)+$/.test(path)) return false;
    if (p.flag === 'boot' && path !== '/boot/efi') return false;
    out.push({ mount: path, fsType, ...base });
  }
  if (mounts.some((m) => !byId.has(m.device)) || formats.some((f) => !byId.has(f.volume))) return false;
  if (st.swap === undefined) {
    issues.push({ path: ['disk', 'partitions'], code: 'IMPORT_SWAPFILE_DROPPED', severity: 'warning', message: 'the file let subiquity add a swap file; rackboot writes exactly the listed partitions' });
  }
  disk.layout = 'custom';
  disk.partitions = out;
  if (target) disk.target = target;
  if (match) storage.match = match;
  return true;
}

/** Netplan with one ethernet (the boot NIC): mode, DNS, domain and the interface name; else false. */
function parseNetwork(value: unknown, network: Network, section: AutoinstallSectionInput, issues: AnswerIssue[]): boolean {
  let n = value;
  if (isObj(n) && onlyKeys(n, ['network']) && isObj(n.network)) n = n.network; // the older nested form
  if (!isObj(n) || !onlyKeys(n, ['version', 'ethernets']) || n.version !== 2 || !isObj(n.ethernets)) return false;
  const entries = Object.entries(n.ethernets);
  if (entries.length !== 1) return false;
  const [id, e] = entries[0]!;
  if (!isObj(e) || !onlyKeys(e, ['match', 'set-name', 'dhcp4', 'addresses', 'routes', 'gateway4', 'nameservers'])) return false;
  if (e.match !== undefined && !(isObj(e.match) && onlyKeys(e.match, ['macaddress', 'name', 'driver']))) return false;
  const nameOk = (s: unknown): s is string => isStr(s) && /^[a-z][a-z0-9]{0,14}$/.test(s);
  const setName = e['set-name'];
  if (setName !== undefined && !nameOk(setName)) return false;
  let nameservers: Obj = {};
  if (e.nameservers !== undefined) {
    if (!isObj(e.nameservers) || !onlyKeys(e.nameservers, ['addresses', 'search'])) return false;
    nameservers = e.nameservers;
  }
  const dns = nameservers.addresses;
  if (dns !== undefined && !(Array.isArray(dns) && dns.every((a) => isStr(a) && QUAD.test(a)) && dns.length <= 4)) return false;
  const search = nameservers.search;
  if (search !== undefined && !(Array.isArray(search) && search.every(isStr))) return false;
  const isStatic = e.addresses !== undefined;
  if (isStatic) {
    if (!Array.isArray(e.addresses) || e.dhcp4 === true) return false;
    network.mode = 'static';
    issues.push({ path: ['network', 'mode'], code: 'IMPORT_STATIC_ADDRESS', severity: 'warning', message: "static addressing kept; the address itself comes from each machine's reservation, not from the file" });
  } else if (e.dhcp4 !== true) return false;
  else network.mode = 'dhcp';
  if (dns?.length) network.dns = dns as string[];
  if (search?.[0] && /^[A-Za-z0-9.-]{1,253}$/.test(search[0])) network.domain = search[0];
  const byMac = isObj(e.match) && isStr(e.match.macaddress);
  if (!byMac) {
    issues.push({ path: ['network'], code: 'IMPORT_NIC_BY_MAC', severity: 'warning', message: "the interface is matched by each machine's boot MAC instead of by name" });
  }
  const net: NonNullable<AutoinstallSectionInput['network']> = {};
  if (setName) net.interfaceName = setName;
  else {
    net.rename = false;
    if (nameOk(id)) net.interfaceName = id;
  }
  section.network = net;
  return true;
}

interface UserDataMapped {
  user?: User | null;
  hostname?: string;
  domain?: string;
  ntp?: string[];
  keys: string[];
}

/** Take rackboot's own keys out of `autoinstall.user-data` (render.ts); the rest stays as userDataAdvanced. */
function parseUserData(ud: Obj, hasIdentity: boolean, issues: AnswerIssue[]): UserDataMapped {
  const out: UserDataMapped = { keys: [] };
  if (isObj(ud.ntp) && onlyKeys(ud.ntp, ['enabled', 'servers']) && ud.ntp.enabled === true && Array.isArray(ud.ntp.servers) && ud.ntp.servers.every(isStr)) {
    out.ntp = ud.ntp.servers as string[];
    delete ud.ntp;
  }
  if (hasIdentity) return out;
  if (isStr(ud.hostname) && /^[A-Za-z0-9-]{1,63}$/.test(ud.hostname)) {
    out.hostname = ud.hostname;
    delete ud.hostname;
    if (isStr(ud.fqdn) && ud.fqdn.startsWith(`${out.hostname}.`)) {
      out.domain = ud.fqdn.slice(out.hostname.length + 1);
      delete ud.fqdn;
    }
  }
  const users = ud.users;
  if (Array.isArray(users) && users.length === 0) {
    out.user = null;
    delete ud.users;
    if (ud.disable_root === false) delete ud.disable_root;
  } else if (Array.isArray(users) && users.length === 1 && isObj(users[0])) {
    const u = users[0];
    const known = ['name', 'gecos', 'groups', 'shell', 'lock_passwd', 'sudo', 'ssh_authorized_keys', 'passwd', 'hashed_passwd'];
    if (isStr(u.name) && onlyKeys(u, known) && (u.ssh_authorized_keys === undefined || (Array.isArray(u.ssh_authorized_keys) && u.ssh_authorized_keys.every(isStr)))) {
      const groups = Array.isArray(u.groups) ? u.groups : isStr(u.groups) ? u.groups.split(',').map((g) => g.trim()) : [];
      const hash = u.hashed_passwd ?? u.passwd;
      const password = u.lock_passwd === false ? importPassword(hash, ['accounts', 'user', 'password'], issues) : null;
      out.user = { name: u.name, fullName: isStr(u.gecos) ? u.gecos : '', password, admin: groups.includes('sudo') || isStr(u.sudo) };
      out.keys = (u.ssh_authorized_keys as string[] | undefined) ?? [];
      delete ud.users;
    }
  }
  return out;
}

export interface ParseOptions {
  /** Profile name when the file does not carry rackboot's header. */
  name?: string;
}

export function parseAutoinstall(text: string, opts: ParseOptions = {}): AutoinstallImport {
  const issues: AnswerIssue[] = [];
  const headerName = /^# rackboot autoinstall for .* from profile "(.*)"$/m.exec(text)?.[1];
  const locale: Locale = {};
  const network: Network = {};
  const disk: Disk = {};
  const accounts: Accounts = {};
  const packages: Packages = {};
  const security: Security = {};
  const storage: Storage = {};
  const section: AutoinstallSectionInput = {};
  const advanced: Obj = {};
  const profile: CommonProfileInput = { name: (headerName || opts.name || 'Imported autoinstall').slice(0, 100) };
  const result = (): AutoinstallImport => {
    Object.assign(profile, { locale, network, disk, accounts, packages, security });
    if (Object.keys(storage).length) section.storage = storage;
    if (Object.keys(advanced).length) section.advanced = advanced;
    return { profile, section, issues };
  };

  const y = fromYaml(text);
  if (!y.ok) {
    issues.push({ path: [], code: 'YAML_SYNTAX', severity: 'error', message: y.message });
    return result();
  }
  if (!isObj(y.value)) {
    issues.push({ path: [], code: 'AI_NOT_A_MAPPING', severity: 'error', message: 'an autoinstall file is a YAML mapping' });
    return result();
  }
  let ai: Obj;
  if ('autoinstall' in y.value) {
    if (!isObj(y.value.autoinstall)) {
      issues.push({ path: [], code: 'AI_NOT_A_MAPPING', severity: 'error', message: '`autoinstall:` must hold a mapping' });
      return result();
    }
    ai = { ...y.value.autoinstall };
    const live = Object.fromEntries(Object.entries(y.value).filter(([k]) => k !== 'autoinstall'));
    if (Object.keys(live).length) section.liveUserData = live;
    if (!/^#cloud-config[ \t]*\r?\n/.test(text)) {
      issues.push({ path: [], code: 'AI_NO_CLOUD_CONFIG_HEADER', severity: 'warning', message: 'NoCloud user-data without a first line `#cloud-config` is not read as cloud-config (rackboot writes it)' });
    }
  } else ai = { ...y.value };

  if (ai.version !== 1) {
    issues.push({ path: [], code: 'AI_VERSION', severity: 'error', message: `autoinstall version must be 1, got ${JSON.stringify(ai.version ?? null)}` });
  }
  delete ai.version;
  const keep = (key: string, why: string | null) => {
    advanced[key] = ai[key];
    if (why) issues.push({ path: ['autoinstall', 'advanced', key], code: 'IMPORT_KEPT_ADVANCED', severity: 'warning', message: `${key}: ${why}; kept verbatim and written instead of the form's settings` });
  };

  const sshKeys: string[] = [];
  let user: User | null | undefined;
  let hostname: string | undefined;
  let nonAdmin = false;
  for (const [key, v] of Object.entries(ai)) {
    switch (key) {
      case 'interactive-sections':
        if (!Array.isArray(v) || !v.every(isStr)) keep(key, 'not a list of section names');
        else {
          if (v.includes('storage')) disk.wipe = false;
          const rest = v.filter((s) => s !== 'storage');
          if (rest.length) section.interactiveSections = rest;
        }
        break;
      case 'refresh-installer':
        if (isObj(v) && onlyKeys(v, ['update', 'channel']) && typeof v.update === 'boolean' && (v.channel === undefined || isStr(v.channel))) {
          section.refreshInstaller = v.channel === undefined ? { update: v.update } : { update: v.update, channel: v.channel };
        } else keep(key, 'not in the {update, channel} form');
        break;
      case 'early-commands': {
        if (!Array.isArray(v)) {
          keep(key, 'not a command list');
          break;
        }
        const cmds = v.map(commandText);
        if (cmds.some((c) => c === null)) {
          keep(key, 'not a command list');
          break;
        }
        const own = (cmds as string[]).filter((c) => !isOurCallback(c));
        // Several commands become one script; `set -e` keeps "any failing command stops the install".
        if (own.length === 1) profile.preScript = own[0]!;
        else if (own.length > 1) profile.preScript = ['set -e', ...own].join('\n');
        break;
      }
      case 'late-commands': {
        if (!Array.isArray(v) || v.some((c) => commandText(c) === null)) {
          keep(key, 'not a command list');
          break;
        }
        const foreign: string[] = [];
        let post: string | undefined;
        for (const c of v.map(commandText) as string[]) {
          if (isOurCallback(c)) continue;
          const rootPw = /^curtin in-target -- usermod -p (.*) root$/.exec(c);
          const word = rootPw ? takeQuotedWord(rootPw[1]!) : null;
          if (word && word.rest === '') {
            accounts.root = importPassword(word.value, ['accounts', 'root'], issues);
            continue;
          }
          if (/^curtin in-target -- gpasswd -d '[a-z_][a-z0-9_-]*' sudo$/.test(c)) {
            nonAdmin = true;
            continue;
          }
          const svc = /^curtin in-target -- systemctl (enable|disable) ((?:'[A-Za-z0-9@_.-]+' ?)+)$/.exec(c);
          if (svc) {
            const names = svc[2]!.trim().split(' ').map((w) => w.slice(1, -1));
            security[svc[1] === 'enable' ? 'enableServices' : 'disableServices'] = names;
            continue;
          }
          if (post === undefined && c.startsWith('curtin in-target -- sh -c ') && c.endsWith(POST_FAILED_SUFFIX)) {
            const w = takeQuotedWord(c.slice('curtin in-target -- sh -c '.length, c.length - POST_FAILED_SUFFIX.length));
            if (w && w.rest === '') {
              post = w.value;
              continue;
            }
          }
          foreign.push(c);
        }
        if (post !== undefined) profile.postScript = post;
        if (foreign.length) section.lateCommands = foreign;
        break;
      }
      case 'locale':
        if (isStr(v)) locale.language = v;
        else keep(key, 'not a string');
        break;
      case 'keyboard':
        if (isObj(v) && onlyKeys(v, ['layout', 'variant', 'toggle']) && isStr(v.layout) && !v.layout.includes(',') && (v.variant === undefined || isStr(v.variant)) && (v.toggle === undefined || v.toggle === null)) {
          locale.keyboard = v.variant ? `${v.layout}(${v.variant})` : v.layout;
        } else keep(key, 'several layouts or a toggle');
        break;
      case 'timezone':
        if (isStr(v) && v !== 'geoip' && v !== '') locale.timezone = v;
        else keep(key, 'geoip or empty');
        break;
      case 'network':
        if (!parseNetwork(v, network, section, issues)) keep(key, 'more than one plain ethernet (bonds, VLANs, several NICs...)');
        break;
      case 'apt': {
        if (!isObj(v) || !onlyKeys(v, ['geoip', 'sources']) || (v.geoip !== undefined && typeof v.geoip !== 'boolean')) {
          keep(key, 'mirror or pinning settings the form does not have');
          break;
        }
        const repos: { name: string; url: string }[] = [];
        const meta: NonNullable<AutoinstallSectionInput['repositories']> = {};
        let ok = true;
        for (const [name, src] of Object.entries(isObj(v.sources) ? v.sources : {})) {
          const m = isObj(src) && onlyKeys(src, ['source', 'key']) && isStr(src.source) ? /^deb (\[trusted=yes\] )?(\S+) (\S+)((?: [a-z0-9-]+)+)$/.exec(src.source) : null;
          if (!m || !/^[A-Za-z0-9_.-]{1,64}$/.test(name) || !/^(https?|ftp):\/\/[^\s'"`$\\]+$/.test(m[2]!)) {
            ok = false;
            break;
          }
          repos.push({ name, url: m[2]! });
          const comps = m[4]!.trim().split(' ');
          meta[name] = {
            ...(m[3] !== '$RELEASE' ? { suite: m[3] } : {}),
            ...(comps.join(' ') !== 'main' ? { components: comps } : {}),
            ...(isObj(src) && isStr(src.key) ? { key: src.key } : {}),
            ...(m[1] ? { trusted: true } : {}),
          };
        }
        if (!ok || (v.sources !== undefined && !isObj(v.sources))) {
          keep(key, 'sources not in the "deb URL SUITE COMPONENTS" form');
          break;
        }
        if (v.geoip !== undefined) section.apt = { geoip: v.geoip as boolean };
        if (repos.length) {
          packages.repositories = repos;
          section.repositories = Object.fromEntries(Object.entries(meta).filter(([, m]) => Object.keys(m).length));
        }
        break;
      }
      case 'source':
        if (isObj(v) && onlyKeys(v, ['id']) && isStr(v.id)) section.source = { id: v.id };
        else keep(key, 'search_drivers or another setting the form does not have');
        break;
      case 'storage':
        if (!isObj(v) || !(parseLayout(v, disk, storage) || parseCurtin(v, disk, storage, issues))) {
          keep(key, 'a layout or action list the form cannot show (RAID, LVM volumes, encryption, several disks...)');
        }
        break;
      case 'identity':
        if (!isObj(v) || !isStr(v.username)) {
          issues.push({ path: ['accounts', 'user'], code: 'IMPORT_DROPPED', severity: 'warning', message: 'identity without a username was dropped' });
          break;
        }
        user = {
          name: v.username,
          fullName: isStr(v.realname) ? v.realname : '',
          password: importPassword(v.password, ['accounts', 'user', 'password'], issues),
          admin: true,
        };
        if (isStr(v.hostname)) hostname = v.hostname;
        if (v.groups !== undefined) {
          issues.push({ path: ['accounts', 'user'], code: 'IMPORT_DROPPED', severity: 'warning', message: 'identity.groups is not kept: the user is an administrator (sudo) or not' });
        }
        break;
      case 'ssh':
        if (!isObj(v) || !onlyKeys(v, ['install-server', 'authorized-keys', 'allow-pw'])) keep(key, 'settings the form does not have');
        else {
          const ssh: NonNullable<AutoinstallSectionInput['ssh']> = {};
          if (typeof v['install-server'] === 'boolean') ssh.installServer = v['install-server'];
          else ssh.installServer = false; // subiquity's default
          if (typeof v['allow-pw'] === 'boolean') ssh.allowPw = v['allow-pw'];
          if (Array.isArray(v['authorized-keys'])) sshKeys.push(...v['authorized-keys'].filter(isStr));
          section.ssh = ssh;
        }
        break;
      case 'kernel':
        if (isObj(v) && Object.keys(v).length === 1 && (isStr(v.flavor) || isStr(v.package))) section.kernel = isStr(v.flavor) ? { flavor: v.flavor } : { package: v.package as string };
        else keep(key, 'neither one flavor nor one package');
        break;
      case 'drivers':
        if (isObj(v) && onlyKeys(v, ['install']) && typeof v.install === 'boolean') section.drivers = { install: v.install };
        else keep(key, 'not {install: true|false}');
        break;
      case 'updates':
        if (v === 'security' || v === 'all') section.updates = v;
        else keep(key, 'neither security nor all');
        break;
      case 'packages':
        if (Array.isArray(v) && v.every(isStr)) packages.install = v;
        else keep(key, 'not a list of package names');
        break;
      case 'snaps':
        if (Array.isArray(v) && v.every((s) => isObj(s) && isStr(s.name) && onlyKeys(s, ['name', 'channel', 'classic']))) section.snaps = v as { name: string }[];
        else keep(key, 'not a list of {name, channel, classic}');
        break;
      case 'shutdown':
        if (v === 'reboot' || v === 'poweroff') profile.finish = v;
        else issues.push({ path: ['finish'], code: 'IMPORT_DROPPED', severity: 'warning', message: `shutdown ${JSON.stringify(v)} is not reboot or poweroff` });
        break;
      case 'user-data':
        break; // after identity (below)
      default:
        advanced[key] = v; // reporting, proxy, debconf-selections, error-commands, codecs, oem...: verbatim
    }
  }

  if (ai['user-data'] !== undefined) {
    if (!isObj(ai['user-data'])) issues.push({ path: ['autoinstall', 'userDataAdvanced'], code: 'IMPORT_DROPPED', severity: 'warning', message: 'user-data is not a mapping' });
    else {
      const ud = { ...ai['user-data'] };
      const m = parseUserData(ud, user !== undefined, issues);
      if (m.user !== undefined) user = m.user;
      hostname ??= m.hostname;
      if (m.domain) network.domain = m.domain;
      if (m.ntp) locale.ntp = m.ntp;
      sshKeys.push(...m.keys);
      if (Object.keys(ud).length) section.userDataAdvanced = ud;
    }
  }
  // subiquity's defaults where rackboot's differ: no SSH server, geoip on.
  if (!('ssh' in ai)) section.ssh = { installServer: false };
  if (!isObj(ai.apt) || ai.apt.geoip === undefined) section.apt = { geoip: true };
  if (user && nonAdmin) user.admin = false;
  if (user !== undefined) accounts.user = user;
  if (sshKeys.length) accounts.sshKeys = [...new Set(sshKeys)];
  if (hostname) network.hostname = hostname;
  return result();
}

