/**
 * Where each part of a profile is edited: the editor's sections (in the order a technician thinks of an
 * install) and every field key the form shows. An issue is placed at the deepest field its path reaches; an
 * issue no field holds goes to the summary at the top of the editor. Pure data and functions.
 */
import type { AnswerIssue } from '../../../../shared/answers/profile.ts';
import { pathKey, type Path } from './form.ts';

export const SECTIONS = [
  { id: 'basics', label: 'Basics' },
  { id: 'locale', label: 'Locale' },
  { id: 'network', label: 'Network' },
  { id: 'disk', label: 'Disk' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'packages', label: 'Packages' },
  { id: 'security', label: 'Security' },
  { id: 'scripts', label: 'Scripts' },
  { id: 'finish', label: 'Finish' },
  { id: 'kickstart', label: 'Kickstart', family: true },
  { id: 'autoinstall', label: 'Ubuntu autoinstall', family: true },
  { id: 'preseed', label: 'Debian preseed', family: true },
] as const;
export type SectionId = (typeof SECTIONS)[number]['id'];

/** The section a top-level profile key belongs to. */
const SECTION_OF_KEY: Record<string, SectionId> = {
  name: 'basics',
  description: 'basics',
  locale: 'locale',
  network: 'network',
  disk: 'disk',
  accounts: 'accounts',
  packages: 'packages',
  security: 'security',
  preScript: 'scripts',
  postScript: 'scripts',
  finish: 'finish',
  kickstart: 'kickstart',
  autoinstall: 'autoinstall',
  preseed: 'preseed',
};

export function sectionOf(path: Path): SectionId | null {
  const top = path[0];
  return typeof top === 'string' ? (SECTION_OF_KEY[top] ?? null) : null;
}

/**
 * Every field the form renders, `#` for a row index. List fields (keys, packages, services) are one control:
 * an issue about entry 3 lands on the control, worded "line 4".
 */
export const FIELD_KEYS: ReadonlySet<string> = new Set([
  'name',
  'description',
  'locale.language',
  'locale.keyboard',
  'locale.timezone',
  'locale.utc',
  'locale.ntp',
  'network.mode',
  'network.hostname',
  'network.domain',
  'network.dns',
  'disk.target',
  'disk.wipe',
  'disk.layout',
  'disk.partitions',
  'disk.partitions.#.mount',
  'disk.partitions.#.sizeMiB',
  'disk.partitions.#.grow',
  'disk.partitions.#.fsType',
  'accounts.root',
  'accounts.user',
  'accounts.user.name',
  'accounts.user.fullName',
  'accounts.user.password',
  'accounts.user.admin',
  'accounts.sshKeys',
  'packages.install',
  'packages.exclude',
  'packages.repositories',
  'packages.repositories.#.name',
  'packages.repositories.#.url',
  'security.selinux',
  'security.firewall',
  'security.firewallServices',
  'security.enableServices',
  'security.disableServices',
  'preScript',
  'postScript',
  'finish',
  'kickstart.mode',
  'kickstart.eula',
  'kickstart.skipx',
  'kickstart.firstboot',
  'kickstart.kdump.state',
  'kickstart.kdump.reserveMb',
  'kickstart.packages.environment',
  'kickstart.packages.ignoreMissing',
  'kickstart.packages.noCore',
  'kickstart.packages.excludeWeakdeps',
  'kickstart.packages.excludeDocs',
  'kickstart.packages.instLangs',
  'kickstart.rootAllowSsh',
  'kickstart.bootloader.append',
  'kickstart.bootloader.timeout',
  'kickstart.bootloader.passwordHash',
  'kickstart.auth.profile',
  'kickstart.auth.features',
  'kickstart.storage.diskLabel',
  'kickstart.storage.volumeGroup',
  'kickstart.storage.verbatim',
  'kickstart.post.nochroot',
  'kickstart.post.log',
  'kickstart.advanced.commands',
  'kickstart.advanced.sections',
  'autoinstall.storage.layout',
  'autoinstall.storage.sizingPolicy',
  'autoinstall.storage.match',
  'autoinstall.network.interfaceName',
  'autoinstall.network.rename',
  'autoinstall.ssh.installServer',
  'autoinstall.ssh.allowPw',
  'autoinstall.updates',
  'autoinstall.drivers.install',
  'autoinstall.source.id',
  'autoinstall.kernel',
  'autoinstall.apt.geoip',
  'autoinstall.interactiveSections',
  'autoinstall.lateCommands',
  'autoinstall.snaps',
  'autoinstall.repositories',
  'autoinstall.refreshInstaller',
  'autoinstall.userDataAdvanced',
  'autoinstall.liveUserData',
  'autoinstall.advanced',
  'preseed.mirror',
  'preseed.mirror.hostname',
  'preseed.mirror.directory',
  'preseed.proxy',
  'preseed.suite',
  'preseed.tasks',
  'preseed.popularityContest',
  'preseed.recipe',
  'preseed.bootDevice',
  'preseed.aptServices',
  'preseed.upgrade',
  'preseed.repositories',
  'preseed.lateCommand',
  'preseed.advanced',
]);

/** An issue as the form shows it: the field key it sits at (null: the summary) and its words there. */
export interface PlacedIssue {
  key: string | null;
  section: SectionId | null;
  issue: AnswerIssue;
  /** The message with where inside the field it is (`line 4: ...`, `repo epel: ...`) when the field is a list. */
  text: string;
}

export function placeIssue(issue: AnswerIssue): PlacedIssue {
  const p = issue.path;
  for (let n = p.length; n > 0; n--) {
    const pattern = p
      .slice(0, n)
      .map((s) => (typeof s === 'number' ? '#' : s))
      .join('.');
    if (!FIELD_KEYS.has(pattern)) continue;
    const rest = p.slice(n);
    const where = rest.length === 0 ? '' : typeof rest[0] === 'number' ? `line ${rest[0] + 1}` : rest.join('.');
    return { key: pathKey(p.slice(0, n)), section: sectionOf(p), issue, text: where ? `${where}: ${issue.message}` : issue.message };
  }
  return { key: null, section: sectionOf(p), issue, text: p.length ? `${pathKey(p)}: ${issue.message}` : issue.message };
}

export interface IssueMap {
  /** Issues per field key, errors first. */
  byKey: ReadonlyMap<string, PlacedIssue[]>;
  /** Issues no field holds: shown at the top of the editor. */
  summary: PlacedIssue[];
  /** Errors and warnings per section, for the section list's badges. */
  perSection: Readonly<Partial<Record<SectionId, { errors: number; warnings: number }>>>;
}

export function placeIssues(issues: readonly AnswerIssue[]): IssueMap {
  const byKey = new Map<string, PlacedIssue[]>();
  const summary: PlacedIssue[] = [];
  const perSection: Partial<Record<SectionId, { errors: number; warnings: number }>> = {};
  const sorted = [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  for (const i of sorted) {
    const placed = placeIssue(i);
    if (placed.key === null) summary.push(placed);
    else byKey.set(placed.key, [...(byKey.get(placed.key) ?? []), placed]);
    if (placed.section) {
      const c = (perSection[placed.section] ??= { errors: 0, warnings: 0 });
      if (i.severity === 'error') c.errors++;
      else c.warnings++;
    }
  }
  return { byKey, summary, perSection };
}

/** The DOM id of a field's control, so an issue in a list can take the technician to it. */
export const fieldId = (key: string): string => `af-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
