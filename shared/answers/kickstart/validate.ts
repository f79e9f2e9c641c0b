/**
 * Checks a profile and its kickstart section for one target (distro release and firmware): schema issues as
 * `INVALID_FIELD` at the field's path (the section's under `['kickstart', ...]`), then rules with stable codes a
 * form maps to wording. Errors make anaconda stop or the machine unusable; warnings say what rackboot adjusts
 * or what the technician may not expect.
 */
import { commonProfileSchema, type AnswerContext, type AnswerIssue, type CommonProfile, type CommonProfileInput } from '../profile.ts';
import { isKnownTimezone } from '../timezones.ts';
import { firmwareLayout } from './layout.ts';
import { kickstartSectionSchema, type KickstartSection, type KickstartSectionInput } from './section.ts';
import { LINE_BREAK, scriptDirective, shlexSplit, splitLines } from './syntax.ts';
import { commandStatus, knowsRootAllowSsh, rhelLevel, type RhelLevel } from './version.ts';

export interface KickstartTarget {
  distro: AnswerContext['distro'];
  firmware: 'bios' | 'uefi';
  /** The machine's static settings when known; omitted or null: none known. */
  address?: AnswerContext['address'];
}

/** The section's fields sit under this key of the form (`['kickstart', 'packages', 'noCore']`). */
export const KICKSTART_PATH = 'kickstart';

/** Commands the renderer writes from fields: the same command among the verbatim ones would override them. */
const FROM_FIELDS = new Set(['url', 'text', 'graphical', 'cmdline', 'eula', 'firstboot', 'skipx', 'lang', 'keyboard', 'timezone', 'rootpw', 'selinux', 'firewall', 'services', 'bootloader', 'reboot', 'poweroff', 'halt', 'shutdown']);
const STORAGE = new Set(['ignoredisk', 'zerombr', 'clearpart', 'autopart', 'reqpart', 'part', 'partition', 'volgroup', 'logvol', 'raid', 'btrfs']);
/** RHEL and its rebuilds build no btrfs support into anaconda from RHEL 8 (pykickstart: `btrfs` deprecated in 8). */
const NO_BTRFS = new Set(['rhel', 'centos', 'centos-stream', 'rocky', 'alma', 'oracle']);

export function validateKickstart(profile: CommonProfileInput | CommonProfile, section: KickstartSectionInput | KickstartSection, target: KickstartTarget): AnswerIssue[] {
  const issues: AnswerIssue[] = [];
  const err = (path: (string | number)[], code: string, message: string) => issues.push({ path, code, message, severity: 'error' });
  const warn = (path: (string | number)[], code: string, message: string) => issues.push({ path, code, message, severity: 'warning' });

  const pr = commonProfileSchema.safeParse(profile);
  const sr = kickstartSectionSchema.safeParse(section);
  if (!pr.success) for (const i of pr.error.issues) err(i.path as (string | number)[], 'INVALID_FIELD', i.message);
  if (!sr.success) for (const i of sr.error.issues) err([KICKSTART_PATH, ...(i.path as (string | number)[])], 'INVALID_FIELD', i.message);

  // Scripts are the technician's shell, written verbatim: only lines the kickstart parser itself reads are refused.
  const raw = profile as { preScript?: unknown; postScript?: unknown };
  for (const key of ['preScript', 'postScript'] as const) {
    const text = raw[key];
    if (typeof text !== 'string') continue;
    splitLines(text).forEach((line, i) => {
      const d = scriptDirective(line);
      if (d === 'end') err([key], 'KS_SCRIPT_END', `line ${i + 1} is "%end": it would end the section early and the rest would be read as kickstart commands`);
      else if (d) err([key], 'KS_SCRIPT_DIRECTIVE', `line ${i + 1} ("${line.trim().slice(0, 40)}") is read by the kickstart parser (${d === 'include' ? 'an include' : 'a section header'}), not the shell`);
    });
  }
  if (!pr.success || !sr.success) return issues;
  const p = pr.data;
  const s = sr.data;
  const level = rhelLevel(target.distro);

  lineBreaks(p, err);
  versionChecks(target, level, s, warn, err);

  // Accounts.
  const u = p.accounts.user;
  const canLogIn = p.accounts.root !== null || (u !== null && u.password !== null) || p.accounts.sshKeys.length > 0;
  if (!canLogIn) err(['accounts'], 'NO_LOGIN', 'no root password, no user password and no ssh key: nobody can log in to the installed system');
  else if (p.accounts.root === null && u !== null && !u.admin) warn(['accounts', 'user', 'admin'], 'NO_ADMIN', 'root is locked and the user is not in wheel: nobody can become root');
  if (level >= 9 && p.accounts.root !== null && u === null && p.accounts.sshKeys.length === 0 && !s.rootAllowSsh) {
    warn([KICKSTART_PATH, 'rootAllowSsh'], 'ROOT_SSH_PASSWORD_REFUSED', 'RHEL 9+ sshd refuses root password logins: root can log in on the console only (set rootAllowSsh, add a user or an ssh key)');
  }

  if (!isKnownTimezone(p.locale.timezone)) err(['locale', 'timezone'], 'UNKNOWN_TIMEZONE', `${p.locale.timezone} is not an IANA time zone name (anaconda refuses it)`);
  if (p.network.mode === 'static' && !target.address) {
    warn(['network', 'mode'], 'STATIC_WITHOUT_ADDRESS', 'static network needs the machine\'s reserved address; a machine without one is installed with DHCP');
  }
  p.packages.install.forEach((name, i) => {
    if (name.startsWith('-')) err(['packages', 'install', i], 'KS_PACKAGE_SYNTAX', `${name}: a leading "-" excludes a package in kickstart; put it in the exclude list`);
  });

  disk(p, s, target, level, warn, err);
  return issues;
}

type Report = (path: (string | number)[], code: string, message: string) => void;

/** Values the profile schema lets through that Python's `splitlines()` would break (anaconda splits on them). */
function lineBreaks(p: CommonProfile, err: Report): void {
  if (p.accounts.user && LINE_BREAK.test(p.accounts.user.fullName)) err(['accounts', 'user', 'fullName'], 'KS_LINE_BREAK', 'the full name has a line-break character');
  p.accounts.sshKeys.forEach((k, i) => {
    if (LINE_BREAK.test(k)) err(['accounts', 'sshKeys', i], 'KS_LINE_BREAK', 'the key has a line-break character');
  });
  p.packages.repositories.forEach((r, i) => {
    if (LINE_BREAK.test(r.url)) err(['packages', 'repositories', i, 'url'], 'KS_LINE_BREAK', 'the URL has a line-break character');
  });
}

function versionChecks(target: KickstartTarget, level: RhelLevel, s: KickstartSection, warn: Report, err: Report): void {
  const d = target.distro;
  const rhelLike = ['rhel', 'centos', 'rocky', 'alma', 'oracle', 'anolis'].includes(d.id);
  if (d.major === null) warn([], 'KS_VERSION_ASSUMED', `${d.name}: release unknown, RHEL ${level} syntax assumed`);
  else if (rhelLike && d.major < 7) err([], 'KS_UNSUPPORTED_VERSION', `${d.name} ${d.major}: rackboot writes kickstarts for RHEL 7 and later`);
  const at = `RHEL ${level}${rhelLike || d.id === 'centos-stream' ? '' : ` (${d.name})`}`;

  s.advanced.commands.forEach((line, i) => {
    const path = [KICKSTART_PATH, 'advanced', 'commands', i];
    let name: string;
    try {
      name = shlexSplit(line)[0] ?? '';
    } catch {
      return; // the schema reported it
    }
    if (name.startsWith('%')) return;
    const st = commandStatus(d, name);
    if (st === 'removed') err(path, 'KS_REMOVED_COMMAND', `${name} was removed by ${at}: anaconda stops on it`);
    else if (st === 'absent') err(path, 'KS_UNSUPPORTED_COMMAND', `${name} does not exist in ${at} yet: anaconda stops on it`);
    else if (st === 'unknown') err(path, 'KS_UNKNOWN_COMMAND', `${name} is not a kickstart command: anaconda stops on it`);
    else if (st === 'deprecated') warn(path, 'KS_DEPRECATED_COMMAND', `${name} is deprecated in ${at}: anaconda ignores or converts it with a warning`);
    if (FROM_FIELDS.has(name) || (name === 'authselect' && s.auth.profile !== 'default') || ((name === 'auth' || name === 'authconfig') && s.auth.profile !== 'default')) {
      err(path, 'KS_DUPLICATE_COMMAND', `${name} is written from the form's fields already; this copy would override them`);
    }
    if (STORAGE.has(name) && !s.storage.verbatim) err(path, 'KS_DUPLICATE_COMMAND', `${name}: the disk layout comes from the form's disk fields (storage.verbatim is off)`);
  });
  s.advanced.sections.forEach((text, i) => {
    const head = (splitLines(text)[0] ?? '').trim();
    if (/^%addon\s+com_redhat_kdump\b/.test(head) && s.kdump.state !== 'default') err([KICKSTART_PATH, 'advanced', 'sections', i], 'KS_DUPLICATE_SECTION', 'the kdump %addon is written from the kdump field already');
  });

  // RHEL 7 comps: `minimal`; RHEL 8+ (and openEuler): `minimal-environment`.
  const env = s.packages.environment;
  if (env === 'minimal-environment' && level === 7) warn([KICKSTART_PATH, 'packages', 'environment'], 'KS_UNKNOWN_ENVIRONMENT', 'RHEL 7 calls this environment "minimal"');
  if (env === 'minimal' && level >= 8) warn([KICKSTART_PATH, 'packages', 'environment'], 'KS_UNKNOWN_ENVIRONMENT', `${at} calls this environment "minimal-environment"`);
  if (s.packages.excludeWeakdeps && level < 8) warn([KICKSTART_PATH, 'packages', 'excludeWeakdeps'], 'KS_UNSUPPORTED_OPTION', 'RHEL 7 (yum) has no weak dependencies option: left out');
  if (s.rootAllowSsh && level < 9) warn([KICKSTART_PATH, 'rootAllowSsh'], 'KS_UNSUPPORTED_OPTION', `rootpw --allow-ssh is RHEL 9+: ${at} sshd allows root password logins by default, left out`);
  else if (s.rootAllowSsh && !knowsRootAllowSsh(d)) warn([KICKSTART_PATH, 'rootAllowSsh'], 'KS_UNSUPPORTED_OPTION', `rootpw --allow-ssh came with RHEL 9.1: ${d.name} ${d.major}.${d.minor} does not know it, left out`);
  if (level === 7 && s.auth.profile !== 'default') {
    const mapped = ['with-mkhomedir', 'with-faillock', 'with-fingerprint'];
    const lost = s.auth.features.filter((f) => !mapped.includes(f));
    if (s.auth.profile === 'minimal' || lost.length > 0) {
      warn([KICKSTART_PATH, 'auth'], 'KS_UNSUPPORTED_OPTION', `RHEL 7 authconfig has no equivalent of ${[s.auth.profile === 'minimal' ? 'the minimal profile' : '', ...lost].filter(Boolean).join(', ')}: left out`);
    }
  }
}

function disk(p: CommonProfile, s: KickstartSection, target: KickstartTarget, level: RhelLevel, warn: Report, err: Report): void {
  const d = p.disk;
  if (s.storage.verbatim) {
    warn(['disk'], 'KS_STORAGE_VERBATIM', 'the disk layout is the imported commands, written as they are: the disk fields are not used and nothing is adapted to the firmware');
    const storage = s.advanced.commands.map((c) => {
      try {
        return shlexSplit(c);
      } catch {
        return [];
      }
    });
    const parts = storage.filter((w) => w[0] === 'part' || w[0] === 'partition').map((w) => w[1]);
    const reqpart = storage.some((w) => w[0] === 'reqpart');
    const autopart = storage.some((w) => w[0] === 'autopart');
    if (target.firmware === 'bios' && parts.includes('/boot/efi')) err(['disk'], 'FIRMWARE_PARTITION_MISMATCH', 'the kept layout has /boot/efi, which anaconda refuses on BIOS firmware');
    if (target.firmware === 'uefi' && parts.includes('biosboot')) err(['disk'], 'FIRMWARE_PARTITION_MISMATCH', 'the kept layout has biosboot, which anaconda refuses on UEFI firmware');
    if (target.firmware === 'uefi' && !autopart && !reqpart && parts.length > 0 && !parts.includes('/boot/efi')) {
      err(['disk'], 'UEFI_NEEDS_EFI_PARTITION', 'the kept layout has no /boot/efi: UEFI needs an EFI system partition');
    }
    return;
  }
  if (d.target === 'auto' && d.wipe) warn(['disk', 'target'], 'WIPES_ALL_DISKS', 'no target disk: clearpart --all wipes every disk the installer sees');
  if (d.layout !== 'custom') {
    if (target.firmware === 'uefi' && s.storage.diskLabel === 'msdos') warn([KICKSTART_PATH, 'storage', 'diskLabel'], 'UEFI_NEEDS_GPT', 'UEFI boot needs a GPT disk on x86 (anaconda platform X86EFI): gpt is used');
    return;
  }
  const parts = d.partitions;
  if (!parts.some((x) => x.mount === '/')) err(['disk', 'partitions'], 'NO_ROOT_PARTITION', 'the custom layout has no / partition');
  const seen = new Map<string, number>();
  parts.forEach((x, i) => {
    if (x.mount !== 'swap' && seen.has(x.mount)) err(['disk', 'partitions', i, 'mount'], 'DUPLICATE_MOUNT', `${x.mount} is mounted twice (also partition ${seen.get(x.mount)! + 1})`);
    if (!seen.has(x.mount)) seen.set(x.mount, i);
    if (x.fsType === 'btrfs' && level >= 8 && NO_BTRFS.has(target.distro.id)) {
      err(['disk', 'partitions', i, 'fsType'], 'KS_UNSUPPORTED_FSTYPE', `${target.distro.name} ${level}+ cannot create btrfs file systems`);
    }
  });
  const fw = firmwareLayout(parts, target.firmware, s.storage.diskLabel);
  if (fw.added.includes('/boot/efi')) {
    warn(['disk', 'partitions'], 'UEFI_NEEDS_EFI_PARTITION', 'UEFI needs an EFI system partition at /boot/efi: rackboot adds a 600 MiB one for UEFI machines');
  }
  const gpt = s.storage.diskLabel === 'gpt' || (s.storage.diskLabel === 'auto' && level >= 10);
  if (target.firmware === 'bios' && gpt && !parts.some((x) => x.mount === 'biosboot')) {
    warn(['disk', 'partitions'], 'BIOS_GPT_NEEDS_BIOSBOOT', 'BIOS boot from a GPT disk needs a 1 MiB biosboot partition: rackboot adds it');
  }
  for (const m of fw.dropped) {
    const why = m === '/boot/efi' ? 'on BIOS machines (anaconda refuses it there)' : target.firmware === 'uefi' ? 'on UEFI machines (anaconda refuses it there)' : 'with an msdos label (only GPT disks need it)';
    warn(['disk', 'partitions'], 'FIRMWARE_PARTITION_UNUSED', `${m} is left out ${why}`);
  }
  if (target.firmware === 'uefi' && s.storage.diskLabel === 'msdos') warn([KICKSTART_PATH, 'storage', 'diskLabel'], 'UEFI_NEEDS_GPT', 'UEFI boot needs a GPT disk on x86 (anaconda platform X86EFI): gpt is used');
}
