/**
 * Renders a kickstart for one machine from the common profile, the kickstart section and the machine's
 * context, in the syntax of the RHEL level its distro matches (`rhelLevel`). Per-level differences, from
 * pykickstart @435ebbe (`handlers/rhel{7,8,9,10}.py`, `commands/*.py`, `sections.py`):
 * - `install`: RHEL 7 only (F29_Install deprecated in 8, F34_Install removed in 9).
 * - `authconfig` (7) vs `authselect` (8+; F28_Authconfig only warns in 8/9, removed in 10).
 * - `sshkey`: RHEL 8+ (the RHEL 7 handler has none): RHEL 7 gets the keys from a %post.
 * - `timezone --ntpservers=` (7, 8) vs `timesource --ntp-server=` (9+: F33_Timezone warns, RHEL10 removed it).
 *   `--utc` is accepted by every level (RHEL7_Timezone aliases `--isUtc`; RHEL 10 dropped `--isUtc`).
 * - `%packages --excludeWeakdeps` (F24: RHEL 8; yum-based RHEL 7 has none), `--exclude-weakdeps` and
 *   `--inst-langs` (F32 aliases: RHEL 9+; RHEL 10 removed the camel-case spellings), `--instLangs` (7, 8),
 *   `--nocore` (F21: every level).
 * - `rootpw --allow-ssh`: F37/RHEL9_RootPw, RHEL 9.1+ (`knowsRootAllowSsh`).
 * - `keyboard --vckeymap= --xlayouts=`: F18_Keyboard at every level.
 * Values are safe tokens or quoted for pykickstart's shlex (`quote`); a value that cannot be (a line break)
 * throws, as does a script line that would end its section (`%end`) or a password that is not yet hashed.
 */
import { parseIPv4, formatIPv4, prefixToMask } from '../../net/ipv4.ts';
import { callbackComment, commonProfileSchema, hostnameSchema, type AnswerContext, type CommonProfile, type Partition, type PasswordInput } from '../profile.ts';
import { firmwareLayout, isBootPartition, lvName } from './layout.ts';
import { kickstartSectionSchema, type KickstartSection } from './section.ts';
import { KickstartSyntaxError, LINE_BREAK, commentText, opt, quote, scriptDirective, splitLines } from './syntax.ts';
import { knowsRootAllowSsh, rhelLevel, type RhelLevel } from './version.ts';

/** Trailing comment on the callback lines rackboot writes: the parser recognises and drops them on import. */
export const CALLBACK_MARK = '# rackboot-callback';
/** First line of the RHEL 7 %post that installs the ssh keys. */
export const SSH_KEYS_MARK = '# rackboot: ssh keys for ';
export const SSH_KEYS_EOF = 'RACKBOOT_KEYS';
export const POST_LOG = '/root/ks-post.log';
export const POST_LOG_NOCHROOT = '/mnt/sysimage/root/ks-post.log';

const SAFE_URL = /^(https?|ftp):\/\/[A-Za-z0-9._~:/?#[\]@!&()*+,;=%-]+$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function fail(message: string): never {
  throw new KickstartSyntaxError('KS_UNSAFE_VALUE', message);
}

function checkContext(ctx: AnswerContext): void {
  if (!MAC.test(ctx.mac)) fail(`context MAC is not canonical: ${JSON.stringify(ctx.mac)}`);
  if (ctx.hostname !== null && !hostnameSchema.safeParse(ctx.hostname).success) fail(`context host name is not a host name: ${JSON.stringify(ctx.hostname)}`);
  for (const [what, url] of [['isoUrl', ctx.isoUrl], ['callbacks.started', ctx.callbacks.started], ['callbacks.done', ctx.callbacks.done]] as const) {
    if (!SAFE_URL.test(url)) fail(`context ${what} is not a plain http(s) URL: ${JSON.stringify(url)}`);
  }
  const a = ctx.address;
  if (a) {
    if (parseIPv4(a.ip) === null || !Number.isInteger(a.prefix) || a.prefix < 1 || a.prefix > 32) fail(`context address is not an IPv4 address/prefix: ${JSON.stringify(a)}`);
    if (a.gateway !== null && parseIPv4(a.gateway) === null) fail(`context gateway is not an IPv4 address: ${JSON.stringify(a.gateway)}`);
    for (const d of a.dns) if (parseIPv4(d) === null) fail(`context DNS server is not an IPv4 address: ${JSON.stringify(d)}`);
  }
}

function hashOf(p: PasswordInput, what: string): string {
  if ('plain' in p) fail(`${what} is not hashed yet: the core hashes { plain } passwords before rendering`);
  return p.hash;
}

/** Throws when a script line would mean something to the kickstart parser (`%end`, a section header, `%include`). */
export function checkScript(script: string, what: string): void {
  splitLines(script).forEach((line, i) => {
    const d = scriptDirective(line);
    if (d === 'end') throw new KickstartSyntaxError('KS_SCRIPT_END', `${what} line ${i + 1} is "%end": it would end the section early`);
    if (d) throw new KickstartSyntaxError('KS_SCRIPT_DIRECTIVE', `${what} line ${i + 1} ("${line.trim()}") is read by the kickstart parser, not the shell`);
  });
}

/** Script body without the trailing line break (the renderer adds its own before %end). */
const body = (script: string): string[] => (script === '' ? [] : splitLines(script));

/** `sda` for `/dev/sda`, `disk/by-id/...` for `/dev/disk/by-id/...` (both forms anaconda resolves, RHEL 7 docs use these). */
export const deviceSpec = (device: string): string => device.replace(/^\/dev\//, '');

/** A shell line that GETs a callback once and never fails the install (curl, else wget). */
export function callbackLine(url: string, what: 'started' | 'done'): string {
  if (!SAFE_URL.test(url)) fail(`callback URL is not a plain http(s) URL: ${JSON.stringify(url)}`);
  return `curl -fsS -m 10 -o /dev/null '${url}' >/dev/null 2>&1 || wget -q -T 10 -O /dev/null '${url}' >/dev/null 2>&1 || true ${CALLBACK_MARK} ${what}`;
}

function keyboardLine(layout: string): string {
  const m = /^([A-Za-z0-9_-]+)\(([A-Za-z0-9_-]+)\)$/.exec(layout);
  // An X layout with a variant is written `de (nodeadkeys)`; anaconda derives the console keymap from it (localed).
  if (m) return `keyboard ${opt('xlayouts', `${m[1]} (${m[2]})`)}`;
  // `us`, `de`: the same name is a console keymap and an X layout. `de-nodeadkeys` is a console keymap only.
  if (/^[a-z]{2,3}$/.test(layout)) return `keyboard ${opt('vckeymap', layout)} ${opt('xlayouts', layout)}`;
  return `keyboard ${opt('vckeymap', layout)}`;
}

function hostnameFor(p: CommonProfile, ctx: AnswerContext): string | null {
  const host = ctx.hostname ?? p.network.hostname ?? null;
  if (host === null) return null;
  return p.network.domain && !host.includes('.') ? `${host}.${p.network.domain}` : host;
}

function networkLines(p: CommonProfile, ctx: AnswerContext): string[] {
  const host = hostnameFor(p, ctx);
  const hostOpt = host ? ` ${opt('hostname', host)}` : '';
  const device = opt('device', ctx.mac);
  if (p.network.mode === 'static' && ctx.address) {
    const a = ctx.address;
    const dns = p.network.dns.length > 0 ? p.network.dns : a.dns;
    const parts = [`network --bootproto=static ${device}`, opt('ip', a.ip), opt('netmask', formatIPv4(prefixToMask(a.prefix)))];
    if (a.gateway) parts.push(opt('gateway', a.gateway));
    if (dns.length > 0) parts.push(opt('nameserver', dns.join(',')));
    return [`${parts.join(' ')}${hostOpt} --activate`];
  }
  const out: string[] = [];
  if (p.network.mode === 'static') out.push('# Static network asked for, but this machine has no reserved address: DHCP instead.');
  out.push(`network --bootproto=dhcp ${device}${hostOpt} --activate`);
  return out;
}

function authLines(s: KickstartSection, level: RhelLevel): string[] {
  const { profile, features } = s.auth;
  if (profile === 'default') return [];
  if (level >= 8) return [['authselect', 'select', profile, ...features].map(quote).join(' ')];
  // RHEL 7: authconfig flags for the same profile (authselect's own authconfig mapping).
  const flags: Record<string, string[]> = {
    sssd: ['--enablesssd', '--enablesssdauth'],
    winbind: ['--enablewinbind', '--enablewinbindauth'],
    nis: ['--enablenis'],
    minimal: [],
  };
  const featureFlags: Record<string, string> = { 'with-mkhomedir': '--enablemkhomedir', 'with-faillock': '--enablefaillock', 'with-fingerprint': '--enablefingerprint' };
  const extra = features.map((f) => featureFlags[f]).filter((f): f is string => f !== undefined);
  const skipped = features.filter((f) => !featureFlags[f]);
  const out = skipped.length ? [`# authselect ${skipped.join(' ')} has no RHEL 7 authconfig equivalent.`] : [];
  if (profile === 'minimal' && extra.length === 0) return [...out, '# authselect minimal: local accounts only, which is the RHEL 7 default.'];
  return [...out, ['authconfig', '--enableshadow', '--passalgo=sha512', ...flags[profile]!, ...extra].join(' ')];
}

function partLine(p: Partition, ondisk: string): string {
  const size = `--size=${p.sizeMiB}`;
  const grow = p.grow ? ' --grow' : '';
  if (p.mount === 'biosboot') return `part biosboot --fstype=biosboot --size=${Math.min(Math.max(p.sizeMiB, 1), 2)}${ondisk}`;
  if (p.mount === '/boot/efi') return `part /boot/efi --fstype=efi ${size}${grow}${ondisk}`;
  if (p.mount === 'swap') return `part swap ${size}${grow}${ondisk}`;
  return `part ${quote(p.mount)}${p.fsType ? ` --fstype=${p.fsType}` : ''} ${size}${grow}${ondisk}`;
}

function diskLines(p: CommonProfile, s: KickstartSection, ctx: AnswerContext): string[] {
  if (s.storage.verbatim) return ['# Disk layout: kept verbatim from the imported kickstart (below).'];
  const d = p.disk;
  const drive = d.target === 'auto' ? null : deviceSpec(d.target);
  const custom = d.layout === 'custom';
  const fw = custom ? firmwareLayout(d.partitions, ctx.firmware, s.storage.diskLabel) : null;
  // Automatic layouts make their own firmware partitions; only the label can be asked for (UEFI: gpt only).
  const label = fw ? fw.diskLabel : s.storage.diskLabel === 'auto' ? null : ctx.firmware === 'uefi' ? 'gpt' : s.storage.diskLabel;
  const out: string[] = [];
  if (drive) out.push(`ignoredisk ${opt('only-use', drive)}`);
  if (d.wipe) {
    out.push('zerombr');
    out.push(`clearpart --all --initlabel${drive ? ` ${opt('drives', drive)}` : ''}${label ? ` --disklabel=${label}` : ''}`);
  } else out.push('clearpart --none');
  if (!fw) {
    out.push(d.layout === 'auto' ? 'autopart' : `autopart --type=${d.layout}`);
    return out;
  }
  for (const m of fw.added) out.push(`# ${m} added: ${m === 'biosboot' ? 'BIOS boot from a GPT disk needs it' : 'UEFI boot needs an EFI system partition'}.`);
  for (const m of fw.dropped) out.push(`# ${m} left out: ${m === '/boot/efi' ? 'BIOS firmware does not use it' : ctx.firmware === 'uefi' ? 'UEFI firmware does not use it' : 'an msdos disk needs none'}.`);
  if (fw.reqpart) out.push('reqpart');
  const ondisk = drive ? ` ${opt('ondisk', drive)}` : '';
  const vg = s.storage.volumeGroup;
  const plain = vg ? fw.partitions.filter((x) => isBootPartition(x.mount)) : fw.partitions;
  for (const x of plain) out.push(partLine(x, ondisk));
  const lvs = vg ? fw.partitions.filter((x) => !isBootPartition(x.mount)) : [];
  if (vg && lvs.length > 0) {
    out.push(`part pv.01 --size=1 --grow${ondisk}`);
    out.push(`volgroup ${quote(vg)} pv.01`);
    for (const x of lvs) {
      const fs = x.mount === 'swap' ? '' : x.fsType ? ` --fstype=${x.fsType}` : '';
      out.push(`logvol ${quote(x.mount)} ${opt('vgname', vg)} ${opt('name', lvName(x.mount))}${fs} --size=${x.sizeMiB}${x.grow ? ' --grow' : ''}`);
    }
  }
  return out;
}

function bootloaderLine(p: CommonProfile, s: KickstartSection): string {
  const parts = ['bootloader', '--location=mbr'];
  if (p.disk.target !== 'auto' && !s.storage.verbatim) parts.push(opt('boot-drive', deviceSpec(p.disk.target)));
  if (s.bootloader.timeout !== null) parts.push(`--timeout=${s.bootloader.timeout}`);
  if (s.bootloader.append.length > 0) parts.push(opt('append', s.bootloader.append.join(' ')));
  if (s.bootloader.passwordHash) parts.push('--iscrypted', opt('password', s.bootloader.passwordHash));
  return parts.join(' ');
}

function packagesHeader(s: KickstartSection, level: RhelLevel): string {
  const k = s.packages;
  const parts = ['%packages'];
  if (k.ignoreMissing) parts.push('--ignoremissing');
  if (k.noCore) parts.push('--nocore');
  if (k.excludeDocs) parts.push('--excludedocs');
  if (k.excludeWeakdeps && level >= 8) parts.push(level >= 9 ? '--exclude-weakdeps' : '--excludeWeakdeps');
  if (k.instLangs.length > 0) parts.push(opt(level >= 9 ? 'inst-langs' : 'instLangs', k.instLangs.join(':')));
  return parts.join(' ');
}

/** The user ssh keys go to: the profile's user, else root. */
export const keyOwner = (p: Pick<CommonProfile, 'accounts'>): string => p.accounts.user?.name ?? 'root';

function sshKeysPost(user: string, keys: readonly string[]): string[] {
  for (const k of keys) if (LINE_BREAK.test(k)) fail('ssh key has a line break');
  const home = user === 'root' ? '/root' : `$(getent passwd ${user} | cut -d: -f6)`;
  return [
    '%post',
    `${SSH_KEYS_MARK}${user} (the RHEL 7 kickstart has no sshkey command)`,
    `h=${home}`,
    'mkdir -p "$h/.ssh" && chmod 700 "$h/.ssh"',
    `cat >> "$h/.ssh/authorized_keys" <<'${SSH_KEYS_EOF}'`,
    ...keys,
    SSH_KEYS_EOF,
    'chmod 600 "$h/.ssh/authorized_keys"',
    `chown -R ${user}: "$h/.ssh"`,
    'restorecon -R "$h/.ssh" >/dev/null 2>&1 || true',
    '%end',
  ];
}

export function renderKickstart(profile: CommonProfile, section: KickstartSection, ctx: AnswerContext): string {
  const p = commonProfileSchema.parse(profile);
  const s = kickstartSectionSchema.parse(section);
  checkContext(ctx);
  checkScript(p.preScript, 'pre script');
  checkScript(p.postScript, 'post script');
  const level = rhelLevel(ctx.distro);
  const L: string[] = [];

  L.push(`# Kickstart for ${commentText(ctx.distro.name)} (RHEL ${level} syntax), rackboot profile "${commentText(p.name)}", ${ctx.firmware.toUpperCase()} firmware.`);
  L.push(`# ${callbackComment(ctx)}`);
  if (level === 7) L.push('install');
  // The ISO root: anaconda reads its .treeinfo and adds every variant (AppStream too), boot-chains.md §4.2.
  L.push(`url ${opt('url', ctx.isoUrl)}`);
  for (const r of p.packages.repositories) L.push(`repo ${opt('name', r.name)} ${opt('baseurl', r.url)}`);
  L.push(s.mode);
  if (s.eula) L.push('eula --agreed');
  if (s.firstboot !== 'default') L.push(`firstboot --${s.firstboot}`);
  if (s.skipx) L.push('skipx');

  L.push(`lang ${quote(p.locale.language)}`);
  L.push(keyboardLine(p.locale.keyboard));
  const ntp = p.locale.ntp;
  L.push(`timezone ${quote(p.locale.timezone)}${p.locale.utc ? ' --utc' : ''}${ntp.length > 0 && level < 9 ? ` ${opt('ntpservers', ntp.join(','))}` : ''}`);
  if (level >= 9) for (const n of ntp) L.push(`timesource ${opt('ntp-server', n)}`);

  L.push(...networkLines(p, ctx));

  const acc = p.accounts;
  L.push(acc.root ? `rootpw --iscrypted ${quote(hashOf(acc.root, 'root password'))}${s.rootAllowSsh && knowsRootAllowSsh(ctx.distro) ? ' --allow-ssh' : ''}` : 'rootpw --lock');
  if (acc.user) {
    const u = acc.user;
    const parts = ['user', opt('name', u.name)];
    if (u.admin) parts.push('--groups=wheel');
    if (u.password) parts.push('--iscrypted', opt('password', hashOf(u.password, 'user password')));
    if (u.fullName) parts.push(opt('gecos', u.fullName));
    L.push(parts.join(' '));
  }
  if (level >= 8) for (const k of acc.sshKeys) L.push(`sshkey ${opt('username', keyOwner(p))} ${quote(k)}`);
  L.push(...authLines(s, level));

  L.push(`selinux --${p.security.selinux}`);
  const sec = p.security;
  if (sec.firewall) {
    const svc = sec.firewallServices;
    // firewalld's default zone allows ssh already: leaving it out of the list means closing it.
    L.push(`firewall --enabled${svc.length > 0 ? ` ${opt('service', svc.join(','))}` : ''}${svc.includes('ssh') ? '' : ' --remove-service=ssh'}`);
  } else L.push('firewall --disabled');
  if (sec.enableServices.length > 0 || sec.disableServices.length > 0) {
    const parts = ['services'];
    if (sec.enableServices.length > 0) parts.push(opt('enabled', sec.enableServices.join(',')));
    if (sec.disableServices.length > 0) parts.push(opt('disabled', sec.disableServices.join(',')));
    L.push(parts.join(' '));
  }

  L.push(...diskLines(p, s, ctx));
  L.push(bootloaderLine(p, s));

  if (s.advanced.commands.length > 0) {
    L.push('# Kept verbatim from the imported kickstart:');
    L.push(...s.advanced.commands);
  }
  L.push(p.finish);

  L.push('', '%pre', callbackLine(ctx.callbacks.started, 'started'), ...body(p.preScript), '%end');

  L.push('', packagesHeader(s, level));
  if (s.packages.environment) L.push(`@^${s.packages.environment}`);
  L.push(...p.packages.install);
  L.push(...p.packages.exclude.map((x) => `-${x.replace(/^-+/, '')}`));
  L.push('%end');

  if (s.kdump.state !== 'default') {
    L.push('', s.kdump.state === 'enabled' ? `%addon com_redhat_kdump --enable --reserve-mb=${s.kdump.reserveMb}` : '%addon com_redhat_kdump --disable', '%end');
  }

  if (level === 7 && acc.sshKeys.length > 0) L.push('', ...sshKeysPost(keyOwner(p), acc.sshKeys));
  if (p.postScript !== '') {
    const opts = [s.post.nochroot ? ' --nochroot' : '', s.post.log ? ` --log=${s.post.nochroot ? POST_LOG_NOCHROOT : POST_LOG}` : ''].join('');
    L.push('', `%post${opts}`, ...body(p.postScript), '%end');
  }
  // Kept sections after the profile's %post, so an import finds that one first again.
  for (const kept of s.advanced.sections) L.push('', ...splitLines(kept));
  // Last, so it runs after every other %post: the install is done when it reports.
  L.push('', '%post --nochroot', callbackLine(ctx.callbacks.done, 'done'), '%end', '');
  return L.join('\n');
}
