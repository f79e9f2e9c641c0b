/**
 * Validation of a profile for Ubuntu autoinstall: the schemas (field paths; section fields under
 * `['autoinstall', ...]`), the rules both Debian-family files share (deb-common.ts) and autoinstall's own.
 * Without a context the profile is checked as a template; with one, for that machine (firmware, address).
 */
import { commonProfileSchema, type AnswerContext, type AnswerIssue, type CommonProfile } from '../profile.ts';
import { commonRules, zodIssues } from '../deb-common.ts';
import { AI_RESERVED_KEYS, autoinstallSectionSchema, type AutoinstallSection } from './section.ts';

/** Top-level keys rackboot writes that an imported `advanced` value replaces (with a warning). */
const AI_MANAGED_KEYS = ['locale', 'keyboard', 'timezone', 'network', 'apt', 'source', 'storage', 'ssh', 'kernel', 'drivers', 'updates', 'packages', 'snaps', 'refresh-installer'];

export type AutoinstallValidation =
  | { ok: true; profile: CommonProfile; section: AutoinstallSection; issues: AnswerIssue[] }
  | { ok: false; profile: CommonProfile | null; section: AutoinstallSection | null; issues: AnswerIssue[] };

export function autoinstallRules(p: CommonProfile, s: AutoinstallSection, ctx?: AnswerContext): AnswerIssue[] {
  const out = commonRules(p, { family: 'autoinstall', ctx, sshServer: s.ssh.installServer });
  const add = (path: (string | number)[], code: string, severity: AnswerIssue['severity'], message: string) => out.push({ path, code, severity, message });
  const user = p.accounts.user;
  if (!user) {
    add(['accounts', 'user'], 'AI_NO_USER', 'warning', 'no user: subiquity needs one for its identity section, so root is the login (cloud-init user-data; SSH keys go to root, root passwords stay refused over SSH)');
  } else if (!user.password) {
    add(['accounts', 'user', 'password'], 'AI_USER_WITHOUT_PASSWORD', 'warning', `${user.name} has no password: created by cloud-init at first boot, key login only${user.admin ? ', sudo without a password' : ''}`);
  }
  if (p.disk.layout === 'custom') {
    if (p.disk.partitions.filter((q) => q.grow).length > 1) {
      add(['disk', 'partitions'], 'AI_ONE_GROW_PARTITION', 'error', 'autoinstall (curtin) lets only one partition grow: the last one on the disk');
    }
    if (s.storage.layout) add(['autoinstall', 'storage', 'layout'], 'AI_LAYOUT_IGNORED', 'warning', `the custom layout is written as a partition list: layout ${s.storage.layout} is not used`);
  }
  if (!p.locale.utc) add(['locale', 'utc'], 'AI_LOCAL_CLOCK_IGNORED', 'warning', 'autoinstall has no hardware-clock setting: Ubuntu keeps it in UTC');
  for (const k of Object.keys(s.advanced)) {
    if ((AI_RESERVED_KEYS as readonly string[]).includes(k)) {
      add(['autoinstall', 'advanced', k], 'AI_ADVANCED_RESERVED', 'error', `${k} is written by rackboot (callbacks, accounts, finish) and cannot be overridden`);
    } else if (AI_MANAGED_KEYS.includes(k)) {
      add(['autoinstall', 'advanced', k], 'AI_ADVANCED_OVERRIDES', 'warning', `the imported ${k} replaces what the form would write`);
    }
  }
  if ('autoinstall' in s.liveUserData) add(['autoinstall', 'liveUserData', 'autoinstall'], 'AI_ADVANCED_RESERVED', 'error', 'autoinstall is the section itself, not live-session cloud-config');
  const written = new Set(['ntp', ...(user && user.password ? [] : ['hostname', 'fqdn', 'users', ...(user ? [] : ['disable_root'])])]);
  for (const k of Object.keys(s.userDataAdvanced)) {
    if (written.has(k) && (k !== 'ntp' || p.locale.ntp.length)) {
      add(['autoinstall', 'userDataAdvanced', k], 'AI_USER_DATA_OVERRIDDEN', 'warning', `user-data ${k} is written by rackboot here: the imported value is not used`);
    }
  }
  const repoNames = new Set(p.packages.repositories.map((r) => r.name));
  for (const r of p.packages.repositories) {
    const meta = s.repositories[r.name];
    if (!meta?.key && !meta?.trusted) add(['packages', 'repositories'], 'REPO_UNSIGNED', 'warning', `${r.name}: apt refuses an unsigned repository; give its key or mark it trusted`);
  }
  for (const name of Object.keys(s.repositories)) {
    if (!repoNames.has(name)) add(['autoinstall', 'repositories', name], 'REPO_UNKNOWN', 'warning', `${name} is not one of the profile's repositories`);
  }
  return out;
}

/** Schema + rules. `ok` means no error-level issue (warnings may remain). */
export function validateAutoinstall(profile: unknown, section: unknown, ctx?: AnswerContext): AutoinstallValidation {
  const p = commonProfileSchema.safeParse(profile);
  const s = autoinstallSectionSchema.safeParse(section ?? {});
  const issues = [...(p.success ? [] : zodIssues(p.error)), ...(s.success ? [] : zodIssues(s.error, ['autoinstall']))];
  if (!p.success || !s.success) return { ok: false, profile: p.data ?? null, section: s.data ?? null, issues };
  issues.push(...autoinstallRules(p.data, s.data, ctx));
  const ok = !issues.some((i) => i.severity === 'error');
  return ok ? { ok, profile: p.data, section: s.data, issues } : { ok, profile: p.data, section: s.data, issues };
}
