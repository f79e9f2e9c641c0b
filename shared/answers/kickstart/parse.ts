/**
 * Imports an existing kickstart into the profile and the kickstart section. Commands the form models become
 * fields; everything else (unknown commands, `%include`, `%addon`, `%anaconda`, `%onerror`, scripts with an
 * interpreter, a disk layout the form cannot hold, extra users, networks and keys) is kept verbatim in
 * `section.advanced`, which the renderer writes back, so parse -> render -> parse gives the same fields.
 * rackboot's own lines (the callback lines, the RHEL 7 ssh-key %post) are recognised and dropped, so a
 * rendered file imports back to the profile it came from.
 *
 * Lexing follows pykickstart (see syntax.ts); a `\` at the end of a command line joins the next one.
 */
import { parseIPv4 } from '../../net/ipv4.ts';
import {
  CRYPT_SHA512,
  commonProfileSchema,
  deviceSchema,
  hostnameSchema,
  packageSchema,
  partitionSchema,
  sshKeySchema,
  urlSchema,
  usernameSchema,
  type AnswerIssue,
  type CommonProfileInput,
  type Partition,
  type PasswordInput,
} from '../profile.ts';
import { isBootPartition, lvName } from './layout.ts';
import { CALLBACK_MARK, POST_LOG, POST_LOG_NOCHROOT, SSH_KEYS_EOF, SSH_KEYS_MARK } from './render.ts';
import { advancedCommandSchema, kickstartSectionSchema, type KickstartSectionInput } from './section.ts';
import { SECTION_HEADERS, parseArgs, scriptDirective, shlexSplit, splitLines, type ParsedArgs } from './syntax.ts';

export interface KickstartImport {
  profile: CommonProfileInput;
  section: KickstartSectionInput;
  issues: AnswerIssue[];
}

interface Cmd {
  name: string;
  args: string[];
  raw: string;
  line: number;
}

interface Sec {
  header: string;
  args: string[];
  body: string[];
  raw: string;
  line: number;
}

const STORAGE = new Set(['ignoredisk', 'zerombr', 'clearpart', 'autopart', 'reqpart', 'part', 'partition', 'volgroup', 'logvol', 'raid', 'btrfs']);
/** Options written as `--name value` (no `=`) that take the next word. */
const VALUE_OPTS = new Set([
  'url', 'name', 'baseurl', 'device', 'bootproto', 'ip', 'netmask', 'gateway', 'nameserver', 'hostname', 'vckeymap', 'xlayouts', 'username',
  'groups', 'password', 'gecos', 'size', 'fstype', 'ondisk', 'ondrive', 'vgname', 'only-use', 'drives', 'disklabel', 'type', 'append',
  'timeout', 'location', 'boot-drive', 'driveorder', 'ntpservers', 'ntp-server', 'enabled', 'disabled', 'service', 'port', 'pesize', 'log',
  'interpreter', 'reserve-mb', 'addsupport', 'remove-service', 'instLangs', 'inst-langs',
]);

class Opts {
  readonly map = new Map<string, string | null>();
  readonly positional: string[];
  readonly order: string[] = [];
  constructor(parsed: ParsedArgs) {
    for (const o of parsed.options) {
      this.map.set(o.name, o.value);
      this.order.push(o.name);
    }
    this.positional = parsed.positional;
  }
  static of(args: readonly string[]): Opts {
    return new Opts(parseArgs(args, VALUE_OPTS));
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  get(name: string): string | undefined {
    const v = this.map.get(name);
    return v === null ? undefined : v;
  }
  /** Options outside `known`, as written (`--uid=1000`). */
  others(known: readonly string[]): string[] {
    return this.order.filter((n) => !known.includes(n)).map((n) => (this.map.get(n) === null ? `--${n}` : `--${n}=${this.map.get(n)}`));
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ProfileDraft = Mutable<Required<Pick<CommonProfileInput, 'name' | 'preScript' | 'postScript' | 'finish'>>> & {
  locale: NonNullable<CommonProfileInput['locale']>;
  network: NonNullable<CommonProfileInput['network']>;
  disk: NonNullable<CommonProfileInput['disk']>;
  accounts: NonNullable<CommonProfileInput['accounts']>;
  packages: { install: string[]; exclude: string[]; repositories: { name: string; url: string }[] };
  security: NonNullable<CommonProfileInput['security']>;
};

const ok = <T>(schema: { safeParse(v: unknown): { success: boolean } }, v: T): boolean => schema.safeParse(v).success;
const LOCALE = /^[A-Za-z]{2,3}(_[A-Z]{2})?(\.[A-Za-z0-9-]+)?(@[A-Za-z]+)?$/;
const KEYMAP = /^[A-Za-z0-9_-]{1,32}(\([A-Za-z0-9_-]{1,32}\))?$/;
const TIMEZONE = /^(UTC|[A-Z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+){0,2})$/;
const SERVICE = /^[A-Za-z0-9@_.-]{1,128}$/;
const FW_SERVICE = /^[a-z0-9_-]{1,64}$/;
const REPO_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const KERNEL_ARG = /^[A-Za-z0-9_.,:=/+@-]{1,256}$/;
const GRUB_PBKDF2 = /^grub\.pbkdf2\.sha512\.\d{1,7}\.[0-9A-Fa-f]{16,1024}\.[0-9A-Fa-f]{16,1024}$/;
const FS_TYPES = ['xfs', 'ext4', 'ext3', 'btrfs', 'vfat'] as const;
const csv = (v: string | undefined): string[] => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

export function parseKickstart(text: string): KickstartImport {
  const issues: AnswerIssue[] = [];
  const warn = (line: number | null, code: string, message: string, path: (string | number)[] = []) =>
    issues.push({ path, code, message: line === null ? message : `line ${line}: ${message}`, severity: 'warning' });
  const error = (line: number, code: string, message: string, path: (string | number)[] = []) => issues.push({ path, code, message: `line ${line}: ${message}`, severity: 'error' });
  const dropOpts = (c: Cmd, extra: string[], path: (string | number)[] = []) => {
    if (extra.length > 0) warn(c.line, 'KS_IMPORT_DROPPED', `${c.name} ${extra.join(' ')} not kept (the form has no field for it)`, path);
  };

  // ------------------------------------------------------------------------------------------------ lexing
  const lines = splitLines(text);
  // A file rackboot rendered: its url is the ISO it served, which rendering writes again (no warning then).
  const ours = lines.some((l) => l.startsWith('# rackboot-callback: '));
  const cmds: Cmd[] = [];
  const secs: Sec[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i]!;
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    while (/\\$/.test(line.trimEnd()) && i + 1 < lines.length) line = `${line.trimEnd().slice(0, -1)} ${lines[++i]!.trimStart()}`;
    let words: string[];
    try {
      words = shlexSplit(line, (midWord) => {
        if (midWord) warn(lineNo, 'KS_IMPORT_COMMENT', `"#" inside a word starts a comment for anaconda too: "${line.slice(line.indexOf('#')).trim().slice(0, 60)}" is ignored (quote the value)`);
      });
    } catch (e) {
      error(lineNo, 'KS_IMPORT_SYNTAX', `${(e as Error).message}; line not imported: ${line.trim().slice(0, 80)}`);
      continue;
    }
    const first = words[0];
    if (first === undefined) continue;
    if (first.startsWith('%') && first !== '%include' && !first.startsWith('%ksappend')) {
      const body: string[] = [];
      const raw = [line];
      let j = i + 1;
      let terminated = false;
      for (; j < lines.length; j++) {
        const d = scriptDirective(lines[j]!);
        if (d === 'end') {
          raw.push(lines[j]!);
          terminated = true;
          j++;
          break;
        }
        if (d === 'header') break;
        body.push(lines[j]!);
        raw.push(lines[j]!);
      }
      i = j - 1;
      if (!terminated) {
        warn(lineNo, 'KS_UNTERMINATED_SECTION', `${first} has no %end (anaconda refuses that since Fedora 8): %end added`);
        raw.push('%end');
      }
      if (!SECTION_HEADERS.includes(first)) {
        error(lineNo, 'KS_UNKNOWN_SECTION', `unknown section ${first} not imported (anaconda stops on it)`);
        continue;
      }
      const sec: Sec = { header: first, args: words.slice(1), body, raw: raw.join('\n'), line: lineNo };
      secs.push(sec);
      continue;
    }
    const cmd: Cmd = { name: first, args: words.slice(1), raw: line.trim(), line: lineNo };
    cmds.push(cmd);
  }

  // ----------------------------------------------------------------------------------------- the drafts
  const p: ProfileDraft = {
    name: 'Imported kickstart',
    locale: {},
    network: {},
    disk: {},
    accounts: {},
    packages: { install: [], exclude: [], repositories: [] },
    security: {},
    preScript: '',
    postScript: '',
    finish: 'reboot',
  };
  const s = {
    mode: 'graphical' as 'text' | 'graphical' | 'cmdline', // anaconda's default when the file names none
    eula: false,
    skipx: false,
    firstboot: 'default' as 'disable' | 'enable' | 'default',
    kdump: { state: 'default' as 'default' | 'enabled' | 'disabled', reserveMb: 'auto' as 'auto' | number },
    packages: { environment: null as string | null, ignoreMissing: false, noCore: false, excludeWeakdeps: false, excludeDocs: false, instLangs: [] as string[] },
    rootAllowSsh: false,
    bootloader: { append: [] as string[], passwordHash: null as string | null, timeout: null as number | null },
    auth: { profile: 'default' as 'default' | 'sssd' | 'winbind' | 'nis' | 'minimal', features: [] as string[] },
    storage: { diskLabel: 'auto' as 'auto' | 'gpt' | 'msdos', volumeGroup: null as string | null, verbatim: false },
    post: { nochroot: false, log: false },
    advanced: { commands: [] as string[], sections: [] as string[] },
  };
  const keep = (c: Cmd) => {
    if (ok(advancedCommandSchema, c.raw)) s.advanced.commands.push(c.raw);
    else error(c.line, 'KS_IMPORT_SYNTAX', `${c.name} cannot be kept as written; not imported`);
  };
  const ntp: string[] = [];
  let sawFinish = false;
  let sawMode = false;
  const networks: Cmd[] = [];
  const users: Cmd[] = [];
  const keys: Cmd[] = [];
  const storage: Cmd[] = [];

  // --------------------------------------------------------------------------------------- commands
  for (const c of cmds) {
    const o = Opts.of(c.args);
    switch (c.name) {
      case 'install':
        break; // the renderer writes it where the level needs it (RHEL 7)
      case 'url':
      case 'cdrom':
      case 'nfs':
      case 'harddrive':
      case 'liveimg':
        if (!ours) warn(c.line, 'KS_IMPORT_SOURCE', `${c.name}: rackboot installs from the ISO it serves (url --url=<ISO>); the file's source is not kept`);
        break;
      case 'repo': {
        const name = o.get('name');
        const url = o.get('baseurl');
        if (url?.startsWith('file:///run/install/')) {
          warn(c.line, 'KS_IMPORT_SOURCE', `repo ${name ?? ''}: a repository of the install media; the served ISO brings its own (its .treeinfo variants)`);
        } else if (name && url && REPO_NAME.test(name) && ok(urlSchema, url) && o.others(['name', 'baseurl']).length === 0 && o.positional.length === 0) {
          p.packages.repositories.push({ name, url });
        } else keep(c);
        break;
      }
      case 'text':
      case 'graphical':
      case 'cmdline':
        if (sawMode && s.mode !== c.name) warn(c.line, 'KS_IMPORT_DROPPED', `${c.name} overrides the earlier ${s.mode}`);
        s.mode = c.name;
        sawMode = true;
        dropOpts(c, o.others([]), ['kickstart', 'mode']);
        break;
      case 'eula':
        s.eula = ['agreed', 'agree', 'accepted', 'accept'].some((n) => o.has(n));
        break;
      case 'skipx':
        s.skipx = true;
        break;
      case 'firstboot':
        s.firstboot = o.has('disable') || o.has('disabled') ? 'disable' : o.has('enable') || o.has('enabled') || o.has('reconfig') ? 'enable' : 'default';
        dropOpts(c, o.others(['disable', 'disabled', 'enable', 'enabled']), ['kickstart', 'firstboot']);
        break;
      case 'lang': {
        const lang = o.positional[0];
        if (lang && LOCALE.test(lang)) p.locale.language = lang;
        else warn(c.line, 'KS_IMPORT_DROPPED', `lang ${lang ?? ''} is not a locale the form accepts`, ['locale', 'language']);
        dropOpts(c, o.others([]), ['locale', 'language']);
        break;
      }
      case 'keyboard': {
        const xl = csv(o.get('xlayouts'));
        const x0 = xl[0]?.replace(/^([A-Za-z0-9_-]+)\s*\(\s*([A-Za-z0-9_-]+)\s*\)$/, '$1($2)');
        const kb = x0 ?? o.get('vckeymap') ?? o.positional[0];
        if (kb && KEYMAP.test(kb)) p.locale.keyboard = kb;
        else warn(c.line, 'KS_IMPORT_DROPPED', `keyboard ${kb ?? ''} is not a layout the form accepts`, ['locale', 'keyboard']);
        const extra = o.others(['xlayouts', 'vckeymap']);
        if (xl.length > 1) extra.push(`(layouts ${xl.slice(1).join(', ')})`);
        dropOpts(c, extra, ['locale', 'keyboard']);
        break;
      }
      case 'timezone': {
        const tz = o.positional[0];
        if (tz && TIMEZONE.test(tz)) p.locale.timezone = tz;
        else if (tz) warn(c.line, 'KS_IMPORT_DROPPED', `timezone ${tz} is not a time zone name the form accepts`, ['locale', 'timezone']);
        p.locale.utc = o.has('utc') || o.has('isUtc');
        ntp.push(...csv(o.get('ntpservers')));
        dropOpts(c, o.others(['utc', 'isUtc', 'ntpservers']), ['locale', 'ntp']);
        break;
      }
      case 'timesource': {
        const server = o.get('ntp-server');
        if (server && o.others(['ntp-server']).length === 0) ntp.push(server);
        else keep(c);
        break;
      }
      case 'network':
        networks.push(c);
        break;
      case 'rootpw': {
        const pw = o.positional[0];
        s.rootAllowSsh = o.has('allow-ssh');
        if (o.has('lock')) {
          p.accounts.root = null;
          if (pw) warn(c.line, 'KS_IMPORT_DROPPED', 'rootpw --lock with a password: the account stays locked, the password is not kept', ['accounts', 'root']);
        } else if (pw) p.accounts.root = password(pw, o.has('iscrypted'), c.line, ['accounts', 'root']);
        break;
      }
      case 'user':
        users.push(c);
        break;
      case 'sshkey':
        keys.push(c);
        break;
      case 'auth':
      case 'authconfig': {
        const a = authconfigToProfile(o);
        if (a) s.auth = a;
        else keep(c);
        break;
      }
      case 'authselect': {
        const [verb, prof, ...rest] = o.positional;
        const features = rest.filter((f) => /^with-[a-z0-9-]{1,40}$/.test(f));
        const profiles = ['sssd', 'winbind', 'nis', 'minimal'] as const;
        const known = profiles.find((x) => x === prof);
        if (verb === 'select' && known && features.length === rest.length && o.others(['force']).length === 0) s.auth = { profile: known, features };
        else keep(c);
        break;
      }
      case 'selinux':
        p.security.selinux = o.has('disabled') ? 'disabled' : o.has('permissive') ? 'permissive' : 'enforcing';
        break;
      case 'firewall': {
        const enabled = !(o.has('disabled') || o.has('disable'));
        p.security.firewall = enabled;
        if (!enabled) break;
        // firewalld's default zone allows ssh: the form's list says what is open, so ssh is in it unless removed.
        const svc = new Set<string>(['ssh']);
        for (const opt of c.args) {
          const m = /^--service=(.*)$/.exec(opt);
          if (m) for (const x of csv(m[1])) svc.add(x);
        }
        for (const f of ['ssh', 'http', 'smtp', 'ftp']) if (o.has(f)) svc.add(f);
        for (const x of csv(o.get('remove-service'))) svc.delete(x);
        const good = [...svc].filter((x) => FW_SERVICE.test(x));
        p.security.firewallServices = good;
        const extra = o.others(['enabled', 'enable', 'service', 'ssh', 'http', 'smtp', 'ftp', 'remove-service']);
        if (good.length < svc.size) extra.push(`(services ${[...svc].filter((x) => !FW_SERVICE.test(x)).join(', ')})`);
        dropOpts(c, extra, ['security', 'firewallServices']);
        break;
      }
      case 'services': {
        const en = csv(o.get('enabled'));
        const dis = csv(o.get('disabled'));
        p.security.enableServices = [...(p.security.enableServices ?? []), ...en.filter((x) => SERVICE.test(x))];
        p.security.disableServices = [...(p.security.disableServices ?? []), ...dis.filter((x) => SERVICE.test(x))];
        const bad = [...en, ...dis].filter((x) => !SERVICE.test(x));
        dropOpts(c, [...o.others(['enabled', 'disabled']), ...bad], ['security', 'enableServices']);
        break;
      }
      case 'bootloader': {
        const append = (o.get('append') ?? '').split(/\s+/).filter((x) => x !== '');
        s.bootloader.append = append.filter((x) => KERNEL_ARG.test(x));
        const t = o.get('timeout');
        if (t !== undefined && /^\d{1,3}$/.test(t) && Number(t) <= 600) s.bootloader.timeout = Number(t);
        const pw = o.get('password');
        if (pw && o.has('iscrypted') && GRUB_PBKDF2.test(pw)) s.bootloader.passwordHash = pw;
        else if (pw) warn(c.line, 'KS_UNSUPPORTED_HASH', 'bootloader password not kept: only a grub.pbkdf2.sha512 hash (--iscrypted) is', ['kickstart', 'bootloader', 'passwordHash']);
        const extra = o.others(['append', 'timeout', 'password', 'iscrypted', 'boot-drive', 'driveorder', 'location']);
        const loc = o.get('location');
        if (loc !== undefined && loc !== 'mbr') extra.push(`--location=${loc}`);
        if (t !== undefined && s.bootloader.timeout === null) extra.push(`--timeout=${t}`);
        extra.push(...append.filter((x) => !KERNEL_ARG.test(x)).map((x) => `(kernel argument ${x})`));
        dropOpts(c, extra, ['kickstart', 'bootloader']);
        break;
      }
      case 'reboot':
      case 'poweroff':
      case 'shutdown':
      case 'halt':
        p.finish = c.name === 'reboot' ? 'reboot' : 'poweroff';
        sawFinish = true;
        if (c.name === 'halt') warn(c.line, 'KS_IMPORT_DROPPED', 'halt becomes poweroff (the form offers reboot or poweroff)', ['finish']);
        dropOpts(c, o.others([]), ['finish']);
        break;
      default:
        if (STORAGE.has(c.name)) storage.push(c);
        else keep(c);
    }
  }
  if (!sawFinish && cmds.length > 0) warn(null, 'KS_IMPORT_NO_FINISH', 'the file neither reboots nor powers off (anaconda waits at the end): the profile reboots', ['finish']);

  function password(pw: string, crypted: boolean, line: number, path: (string | number)[]): PasswordInput | null {
    if (crypted) {
      if (CRYPT_SHA512.test(pw)) return { hash: pw };
      warn(line, 'KS_UNSUPPORTED_HASH', 'password hash is not SHA-512 crypt ($6$): not kept, the account is locked until a new password is set', path);
      return null;
    }
    warn(line, 'KS_PLAIN_PASSWORD', 'plain-text password: it is hashed (SHA-512 crypt) when the profile is saved', path);
    return { plain: pw };
  }

  // ------------------------------------------------------------------------------------ network
  let primary: { device: string | null } | null = null;
  for (const c of networks) {
    const o = Opts.of(c.args);
    const host = o.get('hostname');
    const configures = o.has('bootproto') || o.has('device') || o.has('ip');
    if (host !== undefined && host !== 'localhost' && host !== 'localhost.localdomain') {
      if (ok(hostnameSchema, host)) p.network.hostname = host;
      else warn(c.line, 'KS_IMPORT_DROPPED', `network --hostname=${host} is not a host name`, ['network', 'hostname']);
    }
    if (!configures) {
      dropOpts(c, o.others(['hostname', 'activate']), ['network']);
      continue;
    }
    const device = o.get('device') ?? null;
    if (primary && device !== null && device !== primary.device) {
      keep(c); // another NIC: verbatim
      continue;
    }
    if (!primary) primary = { device };
    const proto = o.get('bootproto') ?? 'dhcp';
    p.network.mode = proto === 'static' ? 'static' : 'dhcp';
    if (proto !== 'static' && proto !== 'dhcp') warn(c.line, 'KS_IMPORT_DROPPED', `network --bootproto=${proto} becomes dhcp`, ['network', 'mode']);
    if (proto === 'static' && o.has('ip')) warn(c.line, 'KS_IMPORT_STATIC', 'static address not kept: each machine gets its reservation address (the pool gives prefix and gateway)', ['network', 'mode']);
    const dns = csv(o.get('nameserver'));
    if (dns.length > 0) p.network.dns = dns.filter((d) => parseIPv4(d) !== null).slice(0, 4);
    const onboot = o.get('onboot');
    const extra = o.others(['bootproto', 'device', 'activate', 'onboot', 'hostname', 'nameserver', 'ip', 'netmask', 'gateway', 'ipv6']);
    if (onboot !== undefined && !/^(on|yes|true|1)$/i.test(onboot)) extra.push(`--onboot=${onboot}`);
    const v6 = o.get('ipv6');
    if (v6 !== undefined && v6 !== 'auto') extra.push(`--ipv6=${v6}`);
    dropOpts(c, extra, ['network']);
  }

  // ------------------------------------------------------------------------------------ accounts
  let userName: string | null = null;
  for (const c of users) {
    const o = Opts.of(c.args);
    const name = o.get('name');
    if (userName !== null || !name || !ok(usernameSchema, name)) {
      keep(c);
      continue;
    }
    userName = name;
    const groups = csv(o.get('groups'));
    let fullName = o.get('gecos') ?? '';
    const extra = o.others(['name', 'groups', 'iscrypted', 'plaintext', 'password', 'lock', 'gecos']);
    if (/[,:]/.test(fullName)) {
      extra.push(`(gecos fields after "${fullName.split(/[,:]/)[0]}")`);
      fullName = fullName.split(/[,:]/)[0]!;
    }
    if (fullName.length > 200 || /[\r\n\0]/.test(fullName)) fullName = '';
    const pw = o.get('password');
    const other = groups.filter((g) => g !== 'wheel');
    if (other.length > 0) extra.push(`(groups ${other.join(', ')})`);
    p.accounts.user = {
      name,
      fullName,
      admin: groups.includes('wheel'),
      password: pw && !o.has('lock') ? password(pw, o.has('iscrypted'), c.line, ['accounts', 'user', 'password']) : null,
    };
    dropOpts(c, extra, ['accounts', 'user']);
  }
  const owner = userName ?? 'root';
  const sshKeys: string[] = [];
  for (const c of keys) {
    const o = Opts.of(c.args);
    const key = o.positional[0];
    if (o.get('username') === owner && key && ok(sshKeySchema, key) && o.positional.length === 1) sshKeys.push(key);
    else keep(c);
  }

  // ------------------------------------------------------------------------------------ storage
  const disk = parseStorage(storage);
  if (disk === 'none') {
    if (cmds.length > 0) warn(null, 'KS_IMPORT_NO_STORAGE', 'the file has no disk commands (anaconda would ask): the profile wipes the target and uses automatic LVM', ['disk']);
  } else if (disk === 'verbatim') {
    s.storage.verbatim = true;
    for (const c of storage) keep(c);
    warn(storage[0]?.line ?? null, 'KS_IMPORT_STORAGE_VERBATIM', 'the disk layout uses options the form cannot hold: its commands are kept verbatim and written as they are (not adapted to BIOS/UEFI)', ['disk']);
  } else {
    Object.assign(p.disk, disk.disk);
    s.storage.diskLabel = disk.label;
    s.storage.volumeGroup = disk.vg;
    for (const w of disk.warnings) warn(w.line, 'KS_IMPORT_DROPPED', w.message, ['disk', 'partitions']);
  }

  // ------------------------------------------------------------------------------------ sections
  let pre: string | null = null;
  let post: string | null = null;
  for (const sec of secs) {
    const o = Opts.of(sec.args);
    const isMark = (l: string) => l.includes(CALLBACK_MARK) && /^curl /.test(l.trim());
    if (sec.header === '%packages') {
      packages(sec, o);
      continue;
    }
    if (sec.header === '%pre') {
      const lines2 = sec.body.filter((l) => !isMark(l));
      if (pre === null && sec.args.length === 0) {
        pre = script(lines2);
        continue;
      }
      if (lines2.length < sec.body.length) {
        if (lines2.every((l) => l.trim() === '')) continue; // another callback-only %pre of ours
      }
      s.advanced.sections.push(sec.raw);
      continue;
    }
    if (sec.header === '%post') {
      if (sec.body[0]?.startsWith(SSH_KEYS_MARK)) {
        const user = sec.body[0].slice(SSH_KEYS_MARK.length).split(/\s/)[0];
        const start = sec.body.findIndex((l) => l.includes(`<<'${SSH_KEYS_EOF}'`));
        const end = sec.body.indexOf(SSH_KEYS_EOF, start + 1);
        const found = start >= 0 && end > start ? sec.body.slice(start + 1, end) : [];
        if (user === owner && found.length > 0 && found.every((k) => ok(sshKeySchema, k))) {
          sshKeys.push(...found);
          continue;
        }
      }
      const lines2 = sec.body.filter((l) => !isMark(l));
      const removed = lines2.length < sec.body.length;
      if (removed && lines2.every((l) => l.trim() === '')) continue; // the done callback of ours
      const logPath = o.get('log');
      const simple = o.others(['nochroot', 'log']).length === 0 && o.positional.length === 0;
      const text2 = script(removed ? lines2 : sec.body);
      if (post === null && simple && text2 !== '') {
        post = text2;
        s.post = { nochroot: o.has('nochroot'), log: logPath !== undefined };
        if (logPath !== undefined && logPath !== POST_LOG && logPath !== POST_LOG_NOCHROOT) {
          warn(sec.line, 'KS_IMPORT_DROPPED', `%post --log=${logPath}: the log goes to ${o.has('nochroot') ? POST_LOG_NOCHROOT : POST_LOG}`, ['kickstart', 'post', 'log']);
        }
        continue;
      }
      if (simple && text2 === '') continue; // an empty %post does nothing
      s.advanced.sections.push(sec.raw);
      continue;
    }
    if (sec.header === '%addon' && o.positional[0] === 'com_redhat_kdump' && sec.body.every((l) => l.trim() === '' || l.trim().startsWith('#'))) {
      const known = o.others(['enable', 'disable', 'reserve-mb']).length === 0 && o.positional.length === 1;
      const mb = o.get('reserve-mb') ?? 'auto';
      if (known && (mb === 'auto' || (/^\d{2,5}$/.test(mb) && Number(mb) >= 64 && Number(mb) <= 65536))) {
        s.kdump = { state: o.has('disable') ? 'disabled' : 'enabled', reserveMb: mb === 'auto' ? 'auto' : Number(mb) };
        continue;
      }
    }
    s.advanced.sections.push(sec.raw);
  }
  p.preScript = pre ?? '';
  p.postScript = post ?? '';
  p.locale.ntp = [...new Set(ntp)].filter((n) => ok(hostnameSchema, n)).slice(0, 8);
  if (sshKeys.length > 0) p.accounts.sshKeys = [...new Set(sshKeys)];

  function packages(sec: Sec, o: Opts) {
    const k = s.packages;
    k.ignoreMissing ||= o.has('ignoremissing');
    k.noCore ||= o.has('nocore');
    k.excludeDocs ||= o.has('excludedocs');
    k.excludeWeakdeps ||= o.has('excludeWeakdeps') || o.has('exclude-weakdeps');
    const langs = o.get('instLangs') ?? o.get('inst-langs');
    if (langs !== undefined) k.instLangs = langs.split(':').filter((l) => LOCALE.test(l));
    const extra = o.others(['ignoremissing', 'nocore', 'excludedocs', 'excludeWeakdeps', 'exclude-weakdeps', 'instLangs', 'inst-langs']);
    if (extra.length > 0) warn(sec.line, 'KS_IMPORT_DROPPED', `%packages ${extra.join(' ')} not kept`, ['kickstart', 'packages']);
    sec.body.forEach((l, i) => {
      const words = l.split('#')[0]!.trim().split(/\s+/).filter((w) => w !== '');
      const w = words[0];
      if (w === undefined) return;
      const at = sec.line + 1 + i;
      if (words.length > 1) warn(at, 'KS_IMPORT_DROPPED', `${w} ${words.slice(1).join(' ')}: options after a package or group not kept`, ['packages', 'install']);
      if (w.startsWith('@^')) {
        const env = w.slice(2);
        if (/^[A-Za-z0-9_.+-]{1,100}$/.test(env)) k.environment = env;
        else warn(at, 'KS_IMPORT_DROPPED', `${w} is not an environment id`, ['kickstart', 'packages', 'environment']);
      } else if (w.startsWith('-')) {
        const name = w.slice(1);
        if (ok(packageSchema, name) && !name.startsWith('-')) p.packages.exclude.push(name);
        else warn(at, 'KS_IMPORT_DROPPED', `${w} is not a package name`, ['packages', 'exclude']);
      } else if (ok(packageSchema, w)) p.packages.install.push(w);
      else warn(at, 'KS_IMPORT_DROPPED', `${w} is not a package or group name the form accepts`, ['packages', 'install']);
    });
  }

  const profile = p as CommonProfileInput;
  const section = s as KickstartSectionInput;
  // Whatever still fails the schemas (a count over a limit...) is reported; the values are returned as read.
  for (const [res, prefix] of [
    [commonProfileSchema.safeParse(profile), []],
    [kickstartSectionSchema.safeParse(section), ['kickstart']],
  ] as const) {
    if (!res.success) for (const i of res.error.issues) issues.push({ path: [...prefix, ...(i.path as (string | number)[])], code: 'INVALID_FIELD', message: i.message, severity: 'error' });
  }
  return { profile, section, issues };
}

/** A script body as the profile holds it: the section's lines without trailing blank lines. */
function script(body: readonly string[]): string {
  const b = [...body];
  while (b.length > 0 && b[b.length - 1]!.trim() === '') b.pop();
  return b.join('\n');
}

/** RHEL 7 authconfig flags rackboot writes for an authselect profile, read back; null when anything else is set. */
function authconfigToProfile(o: Opts): { profile: 'default' | 'sssd' | 'winbind' | 'nis'; features: string[] } | null {
  const neutral = ['enableshadow', 'useshadow', 'passalgo'];
  if (o.has('passalgo') && o.get('passalgo') !== 'sha512') return null;
  const profiles: Record<string, string[]> = { sssd: ['enablesssd', 'enablesssdauth'], winbind: ['enablewinbind', 'enablewinbindauth'], nis: ['enablenis'] };
  const feats: Record<string, string> = { enablemkhomedir: 'with-mkhomedir', enablefaillock: 'with-faillock', enablefingerprint: 'with-fingerprint' };
  const found = Object.entries(profiles).filter(([, flags]) => flags.some((f) => o.has(f)));
  if (found.length > 1 || o.positional.length > 0) return null;
  const allowed = [...neutral, ...Object.keys(feats), ...(found[0]?.[1] ?? [])];
  if (o.others(allowed).length > 0) return null;
  const features = Object.keys(feats).filter((f) => o.has(f)).map((f) => feats[f]!);
  if (!found[0]) return features.length === 0 ? { profile: 'default', features: [] } : null;
  return { profile: found[0][0] as 'sssd' | 'winbind' | 'nis', features };
}

interface StorageResult {
  disk: { target: string; wipe: boolean; layout: 'auto' | 'lvm' | 'plain' | 'custom'; partitions: Partition[] };
  label: 'auto' | 'gpt' | 'msdos';
  vg: string | null;
  warnings: { line: number; message: string }[];
}

/** The form's disk settings from storage commands, 'verbatim' when the layout needs more than the form holds. */
function parseStorage(cmds: readonly Cmd[]): StorageResult | 'none' | 'verbatim' {
  if (cmds.length === 0) return 'none';
  let target: string | null = null;
  let bad = false;
  const setTarget = (dev: string | undefined) => {
    if (dev === undefined || dev.includes(',')) return void (bad = true);
    const full = dev.startsWith('/dev/') ? dev : `/dev/${dev}`;
    if (!deviceSchema.safeParse(full).success || (target !== null && target !== full)) bad = true;
    target = full;
  };
  let wipe = false;
  let label: StorageResult['label'] = 'auto';
  let auto: StorageResult['disk']['layout'] | null = null;
  const parts: Partition[] = [];
  const pvs: { name: string; grow: boolean }[] = [];
  let vg: { name: string; pvs: string[] } | null = null;
  const lvs: { part: Partition; vg: string; name: string | undefined; line: number }[] = [];
  const size = (o: Opts, grow: boolean): number | null => {
    const v = o.get('size');
    if (v === undefined) return grow ? 1 : null;
    return /^\d{1,10}$/.test(v) && Number(v) >= 1 ? Number(v) : null;
  };
  for (const c of cmds) {
    const o = Opts.of(c.args);
    switch (c.name) {
      case 'ignoredisk':
        if (o.others(['only-use']).length > 0 || o.positional.length > 0) bad = true;
        setTarget(o.get('only-use'));
        break;
      case 'zerombr':
        break;
      case 'clearpart': {
        if (o.others(['all', 'none', 'initlabel', 'drives', 'disklabel']).length > 0 || o.positional.length > 0) bad = true;
        wipe = o.has('all');
        if (o.has('drives')) setTarget(o.get('drives'));
        const l = o.get('disklabel');
        if (l === 'gpt' || l === 'msdos') label = l;
        else if (l !== undefined) bad = true;
        break;
      }
      case 'autopart': {
        const t = o.get('type');
        if (o.others(['type']).length > 0 || (t !== undefined && t !== 'lvm' && t !== 'plain') || auto !== null) bad = true;
        auto = t === 'lvm' || t === 'plain' ? t : 'auto';
        break;
      }
      case 'reqpart':
        if (o.others([]).length > 0) bad = true; // the renderer adds the firmware partitions itself
        break;
      case 'part':
      case 'partition': {
        const mount = o.positional[0];
        const grow = o.has('grow');
        const mb = size(o, grow);
        const fs = o.get('fstype');
        if (o.has('ondisk') || o.has('ondrive')) setTarget(o.get('ondisk') ?? o.get('ondrive'));
        if (o.positional.length !== 1 || mount === undefined || mb === null) {
          bad = true;
          break;
        }
        if (mount.startsWith('pv.')) {
          if (o.others(['size', 'grow', 'ondisk', 'ondrive', 'asprimary']).length > 0 || fs !== undefined) bad = true;
          pvs.push({ name: mount, grow });
          break;
        }
        if (o.others(['size', 'grow', 'fstype', 'ondisk', 'ondrive', 'asprimary']).length > 0) bad = true;
        const part = fsPartition(mount, mb, grow, fs);
        if (part) parts.push(part);
        else bad = true;
        break;
      }
      case 'volgroup': {
        const [name, ...members] = o.positional;
        const pe = o.get('pesize');
        if (vg !== null || !name || members.length === 0 || o.others(['pesize']).length > 0 || (pe !== undefined && pe !== '4096')) bad = true;
        if (name) vg = { name, pvs: members };
        break;
      }
      case 'logvol': {
        const mount = o.positional[0];
        const grow = o.has('grow');
        const mb = size(o, grow);
        const vgname = o.get('vgname');
        if (o.positional.length !== 1 || mount === undefined || mb === null || vgname === undefined || o.others(['vgname', 'name', 'size', 'grow', 'fstype']).length > 0) {
          bad = true;
          break;
        }
        const part = fsPartition(mount, mb, grow, o.get('fstype'));
        if (part && !isBootPartition(mount)) lvs.push({ part, vg: vgname, name: o.get('name'), line: c.line });
        else bad = true;
        break;
      }
      default:
        bad = true;
    }
  }
  const custom = parts.length > 0 || lvs.length > 0;
  if (custom && auto !== null) bad = true;
  if (!custom && auto === null) bad = true; // clearing without a layout: anaconda asks
  const warnings: StorageResult['warnings'] = [];
  const vgFinal = vg as { name: string; pvs: string[] } | null;
  if (lvs.length > 0 || pvs.length > 0 || vgFinal) {
    const pv = pvs[0];
    if (!vgFinal || pvs.length !== 1 || !pv || !pv.grow || vgFinal.pvs.length !== 1 || vgFinal.pvs[0] !== pv.name || lvs.some((l) => l.vg !== vgFinal.name)) bad = true;
    if (vgFinal && !/^[A-Za-z0-9_+.][A-Za-z0-9_+.-]{0,63}$/.test(vgFinal.name)) bad = true;
    for (const l of lvs) {
      if (l.name !== undefined && l.name !== lvName(l.part.mount)) warnings.push({ line: l.line, message: `logvol ${l.part.mount} --name=${l.name} becomes ${lvName(l.part.mount)}` });
    }
  }
  if (bad) return 'verbatim';
  return {
    disk: { target: target ?? 'auto', wipe, layout: custom ? 'custom' : (auto ?? 'lvm'), partitions: [...parts, ...lvs.map((l) => l.part)] },
    label,
    vg: lvs.length > 0 && vgFinal ? vgFinal.name : null,
    warnings,
  };
}

function fsPartition(mount: string, sizeMiB: number, grow: boolean, fs: string | undefined): Partition | null {
  const base = { mount, sizeMiB, grow };
  let part: Partition;
  if (mount === 'biosboot') part = base;
  else if (mount === '/boot/efi') {
    if (fs !== undefined && fs !== 'efi' && fs !== 'vfat') return null;
    part = base;
  } else if (mount === 'swap') {
    if (fs !== undefined && fs !== 'swap') return null;
    part = base;
  } else {
    if (fs !== undefined && !(FS_TYPES as readonly string[]).includes(fs)) return null;
    part = fs === undefined ? base : { ...base, fsType: fs as (typeof FS_TYPES)[number] };
  }
  return partitionSchema.safeParse(part).success ? part : null;
}
