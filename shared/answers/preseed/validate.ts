/**
 * Validation of a profile for Debian preseed: the schemas (section fields under `['preseed', ...]`), the rules
 * both Debian-family files share (deb-common.ts) and preseed's own.
 */
import { commonProfileSchema, type AnswerContext, type AnswerIssue, type CommonProfile } from '../profile.ts';
import { commonRules, zodIssues } from '../deb-common.ts';
import { base64Encode } from '../shell-quote.ts';
import { MAX_COMMAND } from './render.ts';
import { preseedSectionSchema, type PreseedSection } from './section.ts';

/** Questions rackboot writes itself: an imported line for one of them overrides the form (warned). */
const MANAGED = new Set(
  [
    'debian-installer/locale keyboard-configuration/xkb-keymap keyboard-configuration/variantcode netcfg/choose_interface netcfg/disable_autoconfig',
    'netcfg/get_ipaddress netcfg/get_netmask netcfg/get_gateway netcfg/get_nameservers netcfg/confirm_static netcfg/get_hostname netcfg/get_domain',
    'netcfg/hostname mirror/country mirror/protocol mirror/http/hostname mirror/http/directory mirror/http/proxy mirror/suite passwd/root-login',
    'passwd/root-password-crypted passwd/make-user passwd/user-fullname passwd/username passwd/user-password-crypted clock-setup/utc time/zone',
    'clock-setup/ntp clock-setup/ntp-server partman-auto/method partman-auto/disk partman-auto/expert_recipe partman-auto/choose_recipe',
    'apt-setup/services-select tasksel/first pkgsel/include pkgsel/upgrade popularity-contest/participate grub-installer/bootdev',
    'finish-install/reboot_in_progress debian-installer/exit/poweroff',
  ]
    .join(' ')
    .split(' '),
);
/** Commands carry the callbacks: an imported line may not replace them. */
const RESERVED = new Set(['preseed/early_command', 'preseed/late_command']);

export type PreseedValidation =
  | { ok: true; profile: CommonProfile; section: PreseedSection; issues: AnswerIssue[] }
  | { ok: false; profile: CommonProfile | null; section: PreseedSection | null; issues: AnswerIssue[] };

export function preseedRules(p: CommonProfile, s: PreseedSection, ctx?: AnswerContext): AnswerIssue[] {
  const out = commonRules(p, { family: 'preseed', ctx, sshServer: s.tasks.includes('ssh-server') });
  const add = (path: (string | number)[], code: string, severity: AnswerIssue['severity'], message: string) => out.push({ path, code, severity, message });
  if (p.locale.ntp.length > 1) add(['locale', 'ntp'], 'PRESEED_ONE_NTP_SERVER', 'warning', `debian-installer takes one NTP server: ${p.locale.ntp[0]} is used`);
  const user = p.accounts.user;
  if (user && !user.admin && p.accounts.root === null) {
    add(['accounts', 'user', 'admin'], 'PRESEED_USER_ALWAYS_SUDO', 'warning', 'with root locked, debian-installer makes the user a sudoer anyway');
  }
  const sizes = [
    ['preScript', p.preScript],
    ['postScript', p.postScript],
  ] as const;
  for (const [field, script] of sizes) {
    // base64 grows by 4/3; the rest of the command is a few hundred characters.
    if (script && base64Encode(script).length + 600 > MAX_COMMAND) {
      add([field], 'PRESEED_COMMAND_TOO_LONG', 'error', `too long for a preseed command (d-i passes it as one argument of at most ${MAX_COMMAND} characters): about ${Math.floor((MAX_COMMAND * 3) / 4 / 1024)} KiB fit`);
    }
  }
  s.advanced.forEach((line, i) => {
    const m = /^(\S+)\s+(\S+)\s+(\S+)/.exec(line.trim());
    if (!m || line.trim().startsWith('#')) {
      add(['preseed', 'advanced', i], 'PRESEED_ADVANCED_SYNTAX', 'error', 'not an "owner question type value" line');
      return;
    }
    if (line.endsWith('\\')) add(['preseed', 'advanced', i], 'PRESEED_TRAILING_BACKSLASH', 'error', 'a trailing \\ would join the next line');
    if (RESERVED.has(m[2]!)) add(['preseed', 'advanced', i], 'PRESEED_ADVANCED_RESERVED', 'error', `${m[2]} carries rackboot's callbacks: put the command in the pre/post script or the late command`);
    else if (MANAGED.has(m[2]!)) add(['preseed', 'advanced', i], 'PRESEED_ADVANCED_OVERRIDES', 'warning', `${m[2]} overrides what the form writes`);
  });
  const names = new Set(p.packages.repositories.map((r) => r.name));
  for (const r of p.packages.repositories) {
    const meta = s.repositories[r.name];
    if (!meta?.key && !meta?.trusted) add(['packages', 'repositories'], 'REPO_UNSIGNED', 'warning', `${r.name}: without a key or trusted, apt-setup leaves the repository commented out`);
  }
  for (const name of Object.keys(s.repositories)) if (!names.has(name)) add(['preseed', 'repositories', name], 'REPO_UNKNOWN', 'warning', `${name} is not one of the profile's repositories`);
  if (p.packages.repositories.length > 10) add(['packages', 'repositories'], 'PRESEED_TOO_MANY_REPOSITORIES', 'error', 'apt-setup takes local0 to local9');
  return out;
}

export function validatePreseed(profile: unknown, section: unknown, ctx?: AnswerContext): PreseedValidation {
  const p = commonProfileSchema.safeParse(profile);
  const s = preseedSectionSchema.safeParse(section ?? {});
  const issues = [...(p.success ? [] : zodIssues(p.error)), ...(s.success ? [] : zodIssues(s.error, ['preseed']))];
  if (!p.success || !s.success) return { ok: false, profile: p.data ?? null, section: s.data ?? null, issues };
  issues.push(...preseedRules(p.data, s.data, ctx));
  const ok = !issues.some((i) => i.severity === 'error');
  return ok ? { ok, profile: p.data, section: s.data, issues } : { ok, profile: p.data, section: s.data, issues };
}
