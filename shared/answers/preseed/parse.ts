/**
 * Import a Debian preseed file into the common profile + the preseed section. Lines are read the way d-i's
 * `debconf-set-selections` reads them (comment and blank lines dropped first, leading blanks stripped, a
 * trailing `\` joins the next line with one space, `owner question type value`). Questions rackboot writes are
 * mapped; a known question whose value does not map, and every unknown line, is kept verbatim in `advanced`,
 * which is written after rackboot's own lines (debconf keeps the last value, so the imported one wins).
 * rackboot's own command shapes (render.ts) are recognised exactly, so parse -> render -> parse is stable.
 */
import type { AnswerIssue, CommonProfileInput } from '../profile.ts';
import { type AccountsIn, type DiskIn, type LocaleIn, type NetworkIn, type PackagesIn, type PartitionIn, type SecurityIn, type UserIn, importPassword, netmaskToPrefix } from '../deb-common.ts';
import { base64Decode, callbackUrl } from '../shell-quote.ts';
import { FIRST_DISK_COMMAND, ISO_MIRROR_MARK, mbToMib, SETUP_KEYS_MARK, SETUP_SERVICES_MARK, STATIC_RECONFIGURE } from './render.ts';
import type { PreseedSectionInput } from './section.ts';

type Locale = LocaleIn;
type Network = NetworkIn;
type Disk = DiskIn;
type Accounts = AccountsIn;
type User = UserIn;
type Packages = PackagesIn;
type Security = SecurityIn;

export interface PreseedLine {
  owner: string;
  question: string;
  type: string;
  value: string;
  /** The logical line (continuations joined), as written back into `advanced`. */
  raw: string;
}

export interface PreseedImport {
  profile: CommonProfileInput;
  section: PreseedSectionInput;
  issues: AnswerIssue[];
}

/** d-i preseed-common `debconf-set-selections`: the logical lines of a file (syntax errors reported). */
export function preseedLines(text: string, issues: AnswerIssue[] = []): PreseedLine[] {
  const physical = text
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l) && !/^\s*$/.test(l));
  const out: PreseedLine[] = [];
  let pending = '';
  for (const p of physical) {
    const l = p.replace(/^\s+/, '');
    if (/\\$/.test(l)) {
      pending = pending ? `${pending} ${l.replace(/\s*\\$/, '')}` : l.replace(/\s*\\$/, '');
      continue;
    }
    const raw = pending ? `${pending} ${l}` : l;
    pending = '';
    const m = /^(\S+)\s+(\S+)(?:\s+(\S+)(?:\s+(.*))?)?$/.exec(raw);
    if (!m || !m[3]) {
      issues.push({ path: [], code: 'PRESEED_SYNTAX', severity: 'error', message: `not "owner question type value": ${raw.slice(0, 120)}` });
      continue;
    }
    out.push({ owner: m[1]!, question: m[2]!, type: m[3], value: m[4] ?? '', raw });
  }
  if (pending) issues.push({ path: [], code: 'PRESEED_SYNTAX', severity: 'error', message: 'the file ends inside a \\ continuation' });
  return out;
}

const OUR_CALLBACK = /\/(started|done)\?token=/;
const B64 = '([A-Za-z0-9+/]*={0,2})';
const installerRe = (name: string) => new RegExp(`^printf %s ${B64} \\| base64 -d >/tmp/rackboot-${name}\\.sh && sh /tmp/rackboot-${name}\\.sh \\|\\| logger -t rackboot "${name} script failed"$`);
const PRE_RE = installerRe('pre');
const LATE_RE = installerRe('late');
const inTargetRe = (name: string) =>
  new RegExp(`^printf %s ${B64} \\| base64 -d >/target/tmp/rackboot-${name}\\.sh && in-target sh /tmp/rackboot-${name}\\.sh \\|\\| logger -t rackboot "${name} script failed"; rm -f /target/tmp/rackboot-${name}\\.sh$`);
const SETUP_RE = inTargetRe('setup');
const POST_RE = inTargetRe('post');

const isOurCallback = (cmd: string) => {
  const url = callbackUrl(cmd);
  return url !== null && OUR_CALLBACK.test(url);
};

/**
 * Split a command value at `; ` between rackboot's segments. Segments are matched whole, from the ends inward:
 * whatever is left in the middle is someone else's command and stays one string.
 */
function segments(value: string): string[] {
  return value.split('; ');
}

function takeFirst(parts: string[], n: number, re: RegExp): RegExpExecArray | null {
  if (parts.length < n) return null;
  const m = re.exec(parts.slice(0, n).join('; '));
  if (m) parts.splice(0, n);
  return m;
}

function takeLast(parts: string[], n: number, re: RegExp): RegExpExecArray | null {
  if (parts.length < n) return null;
  const m = re.exec(parts.slice(parts.length - n).join('; '));
  if (m) parts.splice(parts.length - n, n);
  return m;
}

const FS_IN: Record<string, PartitionIn['fsType']> = { ext4: 'ext4', ext3: 'ext3', xfs: 'xfs', btrfs: 'btrfs', fat32: 'vfat', fat16: 'vfat', vfat: 'vfat' };

/**
 * An expert_recipe of plain partitions (what render.ts writes) -> partitions, else null. A partition grows when
 * its maximum is unbounded (-1 or at least 1 TB); a bounded range keeps its minimum (the profile has no maximum).
 */
export function parseRecipe(value: string, issues: AnswerIssue[] = []): PartitionIn[] | null {
  const text = value.replace(/\s+/g, ' ').trim();
  const head = /^(.+?) ::? (.*)$/.exec(text);
  if (!head) return null;
  const chunks = head[2]!.split(/ \.(?: |$)/).filter((c) => c.trim());
  const out: PartitionIn[] = [];
  const found: AnswerIssue[] = [];
  for (const c of chunks) {
    const m = /^(\d+) (\d+) (-?\d+) (\S+)(.*)$/.exec(c.trim());
    if (!m) return null;
    const [min, , max] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const specs = new Map<string, string>();
    const rest = m[5]!.replace(/(\$?[A-Za-z_]+)\{\s*([^}]*?)\s*\}/g, (_, k: string, v: string) => {
      specs.set(k, v);
      return '';
    });
    if (rest.trim()) return null;
    for (const k of specs.keys()) {
      if (!['method', 'format', 'use_filesystem', 'filesystem', 'mountpoint', '$primary', '$bootable', '$iflabel', '$reusemethod', 'label'].includes(k)) return null;
    }
    const sizeMiB = mbToMib(min);
    const grow = max === -1 || max >= 1000000;
    if (!grow && max > min) {
      found.push({ path: ['disk', 'partitions', out.length, 'sizeMiB'], code: 'IMPORT_RECIPE_RANGE', severity: 'warning', message: `a ${min}-${max} MB range becomes a fixed ${sizeMiB} MiB` });
    }
    const method = specs.get('method');
    if (method === 'biosgrub') out.push({ mount: 'biosboot', fsType: 'biosboot', sizeMiB, grow });
    else if (method === 'efi') out.push({ mount: '/boot/efi', fsType: 'vfat', sizeMiB, grow });
    else if (method === 'swap') out.push({ mount: 'swap', fsType: 'swap', sizeMiB, grow });
    else if (method === 'format') {
      const fsType = FS_IN[specs.get('filesystem') ?? ''];
      const mount = specs.get('mountpoint');
      if (!fsType || !mount || !/^(\/[A-Za-z0-9_.-]*)+$/.test(mount)) return null;
      out.push({ mount, fsType, sizeMiB, grow });
    } else return null;
  }
  if (!out.length) return null;
  issues.push(...found);
  return out;
}

/** The setup script render.ts writes -> SSH keys and services. */
function parseSetup(script: string, accounts: Accounts, security: Security) {
  const lines = script.split('\n');
  const k = lines.findIndex((l) => l.startsWith(SETUP_KEYS_MARK));
  if (k >= 0) {
    const start = lines.findIndex((l, i) => i > k && l.endsWith("<<'RACKBOOT_KEYS'"));
    const end = lines.indexOf('RACKBOOT_KEYS', start + 1);
    if (start > 0 && end > start) accounts.sshKeys = lines.slice(start + 1, end);
  }
  if (lines.includes(SETUP_SERVICES_MARK)) {
    for (const l of lines) {
      const m = /^systemctl (enable|disable) ((?:'[A-Za-z0-9@_.-]+' ?)+)$/.exec(l);
      if (m) security[m[1] === 'enable' ? 'enableServices' : 'disableServices'] = m[2]!.trim().split(' ').map((w) => w.slice(1, -1));
    }
  }
}

export interface ParseOptions {
  name?: string;
}

export function parsePreseed(text: string, opts: ParseOptions = {}): PreseedImport {
  const issues: AnswerIssue[] = [];
  const headerName = /^# rackboot preseed for .* from profile "(.*)"$/m.exec(text)?.[1];
  const isoMirror = text.split(/\r?\n/).includes(ISO_MIRROR_MARK);
  const lines = preseedLines(text, issues);
  const locale: Locale = {};
  const network: Network = {};
  const disk: Disk = {};
  const accounts: Accounts = {};
  const packages: Packages = {};
  const security: Security = {};
  const section: PreseedSectionInput = {};
  const advanced: string[] = [];
  const profile: CommonProfileInput = { name: (headerName || opts.name || 'Imported preseed').slice(0, 100) };
  const warn = (path: (string | number)[], code: string, message: string) => issues.push({ path, code, severity: 'warning', message });

  // debconf keeps the last value of a question: so does the import.
  const q = new Map<string, PreseedLine>();
  for (const l of lines) q.set(l.question, l);
  const used = new Set<string>();
  const get = (question: string): string | undefined => {
    const l = q.get(question);
    if (l) used.add(question);
    return l?.value;
  };
  const bool = (question: string) => {
    const v = get(question);
    return v === 'true' ? true : v === 'false' ? false : undefined;
  };
  /** Keep a known question's line as imported (it then overrides rackboot's). */
  const keep = (question: string, why: string) => {
    used.delete(question);
    warn(['preseed', 'advanced'], 'IMPORT_KEPT_ADVANCED', `${question}: ${why}; the line is kept and overrides the form's setting`);
  };

  // Localisation
  const lang = get('debian-installer/locale');
  if (lang) locale.language = lang;
  const layout = get('keyboard-configuration/xkb-keymap');
  const variant = get('keyboard-configuration/variantcode');
  const layoutCode = get('keyboard-configuration/layoutcode');
  if (layoutCode !== undefined && layoutCode !== layout) keep('keyboard-configuration/layoutcode', 'differs from xkb-keymap');
  if (layout) locale.keyboard = variant ? `${layout}(${variant})` : layout;

  // Network
  const iface = get('netcfg/choose_interface');
  if (iface !== undefined && iface !== 'auto' && !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(iface)) {
    warn(['network'], 'IMPORT_NIC_BY_MAC', `the interface (${iface}) is chosen by each machine's boot MAC instead`);
  }
  if (bool('netcfg/disable_autoconfig') === true || bool('netcfg/disable_dhcp') === true) {
    network.mode = 'static';
    if (get('netcfg/get_ipaddress') !== undefined) {
      warn(['network', 'mode'], 'IMPORT_STATIC_ADDRESS', "static addressing kept; the address itself comes from each machine's reservation, not from the file");
    }
    const mask = get('netcfg/get_netmask');
    if (mask !== undefined && netmaskToPrefix(mask) === null) keep('netcfg/get_netmask', 'not a netmask');
    get('netcfg/get_gateway');
    get('netcfg/confirm_static');
    get('netcfg/no_default_route');
  }
  const ns = get('netcfg/get_nameservers');
  if (ns?.trim()) network.dns = ns.trim().split(/\s+/);
  const host = get('netcfg/hostname') ?? get('netcfg/get_hostname');
  get('netcfg/get_hostname');
  if (host && host !== 'debian' && host !== 'unassigned-hostname') {
    const dot = host.indexOf('.');
    network.hostname = dot < 0 ? host : host.slice(0, dot);
    if (dot > 0) network.domain = host.slice(dot + 1);
  }
  const dom = get('netcfg/get_domain');
  if (dom && dom !== 'unassigned-domain') network.domain = dom;

  // Mirror
  const mhost = get('mirror/http/hostname');
  const mdir = get('mirror/http/directory');
  const proto = get('mirror/protocol');
  get('mirror/country');
  if (proto !== undefined && proto !== 'http') keep('mirror/protocol', `${proto} mirrors are not in the form`);
  if (!isoMirror && mhost && mdir) section.mirror = { hostname: mhost, directory: mdir };
  const proxy = get('mirror/http/proxy');
  if (proxy) section.proxy = proxy;
  const suite = get('mirror/suite');
  if (suite) section.suite = suite;
  if (isoMirror) get('debian-installer/allow_unauthenticated');

  // Accounts
  const rootLogin = bool('passwd/root-login');
  const rootCrypted = get('passwd/root-password-crypted');
  const rootPlain = get('passwd/root-password');
  get('passwd/root-password-again');
  if (rootLogin === false) accounts.root = null;
  else if (rootCrypted !== undefined && rootCrypted !== '!') accounts.root = importPassword(rootCrypted, ['accounts', 'root'], issues);
  else if (rootPlain) accounts.root = importPassword(rootPlain, ['accounts', 'root'], issues);
  const makeUser = bool('passwd/make-user');
  const username = get('passwd/username');
  if (makeUser === false) accounts.user = null;
  else if (username) {
    const crypted = get('passwd/user-password-crypted');
    const plain = get('passwd/user-password');
    get('passwd/user-password-again');
    const groups = get('passwd/user-default-groups');
    const user: User = {
      name: username,
      fullName: get('passwd/user-fullname') ?? '',
      password: crypted !== undefined && crypted !== '!' ? importPassword(crypted, ['accounts', 'user', 'password'], issues) : plain ? importPassword(plain, ['accounts', 'user', 'password'], issues) : null,
      // user-setup makes the user a sudoer when root cannot log in; otherwise only through the default groups.
      admin: rootLogin === false || (groups !== undefined && /\bsudo\b/.test(groups)),
    };
    accounts.user = user;
  }

  // Clock
  const utc = bool('clock-setup/utc');
  if (utc !== undefined) locale.utc = utc;
  const tz = get('time/zone');
  if (tz) locale.timezone = tz;
  get('clock-setup/ntp');
  const ntp = get('clock-setup/ntp-server');
  if (ntp) locale.ntp = [ntp];

  // Partitioning
  const method = get('partman-auto/method');
  const target = get('partman-auto/disk');
  const partmanEarly = get('partman/early_command');
  if (partmanEarly !== undefined && partmanEarly !== FIRST_DISK_COMMAND) keep('partman/early_command', 'not rackboot\'s first-disk choice');
  if (target) {
    if (/^\/dev\/[A-Za-z0-9/_.:-]{1,200}$/.test(target)) disk.target = target;
    else keep('partman-auto/disk', 'several disks or not a device path');
  }
  const recipeValue = get('partman-auto/expert_recipe');
  const recipe = recipeValue !== undefined ? parseRecipe(recipeValue, issues) : null;
  if (recipeValue !== undefined && !recipe) keep('partman-auto/expert_recipe', 'a recipe with LVM, RAID, percentages or kept partitions');
  if (method === 'lvm') disk.layout = recipe ? 'custom' : 'lvm';
  else if (method === 'regular') disk.layout = recipe ? 'custom' : 'plain';
  else if (method !== undefined) keep('partman-auto/method', `${method} is not in the form`);
  if (recipe) {
    disk.layout = 'custom';
    disk.partitions = recipe;
    if (method === 'lvm') keep('partman-auto/method', 'an LVM expert recipe');
  }
  const chosen = get('partman-auto/choose_recipe');
  if (chosen === 'atomic' || chosen === 'home' || chosen === 'multi') section.recipe = chosen;
  else if (chosen !== undefined) keep('partman-auto/choose_recipe', 'not atomic, home or multi');
  const guided = get('partman-auto-lvm/guided_size');
  if (guided !== undefined && guided !== 'max') keep('partman-auto-lvm/guided_size', 'not max');
  for (const label of ['partman-partitioning/choose_label', 'partman-partitioning/default_label']) {
    const v = get(label);
    if (v !== undefined && v !== 'gpt') keep(label, `${v} labels are not in the form`);
  }
  get('partman-basicfilesystems/no_swap');
  const confirms = ['partman-lvm/device_remove_lvm', 'partman-md/device_remove_md', 'partman-lvm/confirm', 'partman-lvm/confirm_nooverwrite', 'partman-partitioning/confirm_write_new_label', 'partman/choose_partition', 'partman/confirm', 'partman/confirm_nooverwrite'];
  for (const c of confirms) get(c);
  disk.wipe = q.get('partman/confirm_nooverwrite')?.value === 'true' && q.get('partman/confirm')?.value === 'true';

  // Packages
  const services = get('apt-setup/services-select');
  if (services !== undefined) {
    const list = services.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.every((s) => s === 'security' || s === 'updates' || s === 'backports')) section.aptServices = list as ('security' | 'updates' | 'backports')[];
    else keep('apt-setup/services-select', 'services the form does not have');
  }
  const repos: { name: string; url: string }[] = [];
  const repoMeta: NonNullable<PreseedSectionInput['repositories']> = {};
  for (let i = 0; i < 10; i++) {
    const value = get(`apt-setup/local${i}/repository`);
    if (value === undefined) continue;
    const m = /^(\[trusted=yes\] )?((?:https?|ftp):\/\/[^\s'"`$\\]+) (\S+)((?: [a-z0-9-]+)*)$/.exec(value.trim());
    const name = get(`apt-setup/local${i}/comment`) ?? `local${i}`;
    if (!m || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      keep(`apt-setup/local${i}/repository`, 'not "URL SUITE COMPONENTS"');
      continue;
    }
    repos.push({ name, url: m[2]! });
    const comps = m[4]!.trim().split(' ').filter(Boolean);
    const key = get(`apt-setup/local${i}/key`);
    repoMeta[name] = { suite: m[3], ...(comps.length && comps.join(' ') !== 'main' ? { components: comps } : {}), ...(key ? { key } : {}), ...(m[1] ? { trusted: true } : {}) };
  }
  if (repos.length) {
    packages.repositories = repos;
    section.repositories = repoMeta;
  }
  const tasks = get('tasksel/first');
  if (tasks !== undefined) section.tasks = tasks.split(',').map((t) => t.trim()).filter(Boolean);
  const include = get('pkgsel/include');
  if (include?.trim()) packages.install = include.trim().split(/[\s,]+/);
  const upgrade = get('pkgsel/upgrade');
  if (upgrade === 'none' || upgrade === 'safe-upgrade' || upgrade === 'full-upgrade') section.upgrade = upgrade;
  else if (upgrade !== undefined) keep('pkgsel/upgrade', 'not none, safe-upgrade or full-upgrade');
  const popcon = bool('popularity-contest/participate');
  if (popcon !== undefined) section.popularityContest = popcon;

  // Boot loader
  get('grub-installer/only_debian');
  get('grub-installer/with_other_os');
  const bootdev = get('grub-installer/bootdev');
  if (bootdev !== undefined && bootdev !== 'default' && bootdev !== disk.target) {
    if (/^\/dev\/[A-Za-z0-9/_.:-]{1,200}$/.test(bootdev)) section.bootDevice = bootdev;
    else keep('grub-installer/bootdev', 'several devices or a GRUB device name');
  }

  // Commands
  const early = get('preseed/early_command');
  if (early !== undefined) {
    const parts = segments(early);
    if (parts.length && isOurCallback(parts[0]!)) parts.shift();
    const pre = takeFirst(parts, 1, PRE_RE);
    if (parts.length >= 2 && parts.slice(-2).join('; ') === STATIC_RECONFIGURE) parts.splice(-2, 2);
    const scripts: string[] = [];
    if (pre) {
      const s = base64Decode(pre[1]!);
      if (s === null) issues.push({ path: ['preScript'], code: 'IMPORT_DROPPED', severity: 'warning', message: 'the pre script is not valid base64 UTF-8' });
      else scripts.push(s);
    }
    if (parts.length) scripts.push(parts.join('; '));
    if (scripts.length) profile.preScript = scripts.join('\n');
  }
  const late = get('preseed/late_command');
  if (late !== undefined) {
    const parts = segments(late);
    if (parts.length && isOurCallback(parts[parts.length - 1]!)) parts.pop();
    const setup = takeFirst(parts, 2, SETUP_RE);
    if (setup) {
      const s = base64Decode(setup[1]!);
      if (s !== null) parseSetup(s, accounts, security);
    }
    const post = takeLast(parts, 2, POST_RE);
    if (post) {
      const s = base64Decode(post[1]!);
      if (s === null) issues.push({ path: ['postScript'], code: 'IMPORT_DROPPED', severity: 'warning', message: 'the post script is not valid base64 UTF-8' });
      else profile.postScript = s;
    }
    const ours = takeLast(parts, 1, LATE_RE);
    const foreign = ours ? base64Decode(ours[1]!) : null;
    if (foreign !== null) section.lateCommand = foreign;
    else if (parts.length) section.lateCommand = parts.join('; ');
  }

  // Finish
  get('finish-install/reboot_in_progress');
  if (bool('debian-installer/exit/poweroff') === true) profile.finish = 'poweroff';

  for (const l of lines) if (!used.has(l.question)) advanced.push(l.raw);
  if (advanced.length) section.advanced = advanced;
  Object.assign(profile, { locale, network, disk, accounts, packages, security });
  return { profile, section, issues };
}
