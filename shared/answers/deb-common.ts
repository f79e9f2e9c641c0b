/**
 * What the two Debian-family renderers (Ubuntu autoinstall, Debian preseed) decide the same way: which host name
 * and domain a machine gets, which static settings apply, how a keyboard `layout(variant)` splits, that only
 * hashes reach a file, zod issues as AnswerIssues, and the semantic rules both families check.
 */
import type { z } from 'zod';
import { CRYPT_SHA512, type AnswerContext, type AnswerIssue, type CommonProfile, type CommonProfileInput, type Partition, type PasswordInput } from './profile.ts';
import { isKnownTimezone } from './timezones.ts';

/** The profile's input sections, as both importers build them up. */
export type LocaleIn = NonNullable<CommonProfileInput['locale']>;
export type NetworkIn = NonNullable<CommonProfileInput['network']>;
export type DiskIn = NonNullable<CommonProfileInput['disk']>;
export type AccountsIn = NonNullable<CommonProfileInput['accounts']>;
export type UserIn = NonNullable<AccountsIn['user']>;
export type PackagesIn = NonNullable<CommonProfileInput['packages']>;
export type SecurityIn = NonNullable<CommonProfileInput['security']>;
export type PartitionIn = NonNullable<DiskIn['partitions']>[number];

/** A renderer refuses input it cannot write safely (validation reports the same cases first). */
export class AnswerRenderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AnswerRenderError';
  }
}

/** The stored hash, or null for "no password". A `{ plain }` never reaches a file: the core hashes it on save. */
export function passwordHash(p: PasswordInput | null, what: string): string | null {
  if (p === null) return null;
  if ('hash' in p) return p.hash;
  throw new AnswerRenderError('PASSWORD_NOT_HASHED', `${what}: a plain-text password reached the renderer (the core hashes it on save)`);
}

/**
 * Host name and domain: the machine's own name (reservation/plan) first, then the profile's. A dotted name is
 * split at its first dot (d-i netcfg does the same with an FQDN); the profile's domain wins over the split one.
 * `fallback` is the installer's usual default when nothing names the machine.
 */
export function hostIdentity(profile: CommonProfile, ctx: AnswerContext, fallback: string): { host: string; domain: string | null; named: boolean } {
  const name = ctx.hostname ?? profile.network.hostname ?? null;
  if (!name) return { host: fallback, domain: profile.network.domain ?? null, named: false };
  const dot = name.indexOf('.');
  const host = dot < 0 ? name : name.slice(0, dot);
  const domain = profile.network.domain ?? (dot < 0 ? null : name.slice(dot + 1));
  return { host, domain, named: true };
}

/** Static settings when the profile says static and the machine has an address; null: DHCP. */
export function staticSettings(profile: CommonProfile, ctx: AnswerContext): { ip: string; prefix: number; gateway: string | null; dns: string[] } | null {
  if (profile.network.mode !== 'static' || !ctx.address) return null;
  // The profile's DNS servers are the technician's explicit choice; the pool's otherwise.
  return { ...ctx.address, dns: profile.network.dns.length ? profile.network.dns : ctx.address.dns };
}

/** `de(nodeadkeys)` -> { layout: 'de', variant: 'nodeadkeys' }. */
export function keyboardParts(keymap: string): { layout: string; variant: string } {
  const m = /^([^()]+)(?:\(([^()]*)\))?$/.exec(keymap);
  return { layout: m?.[1] ?? keymap, variant: m?.[2] ?? '' };
}

/** Dotted-quad netmask of a prefix length. */
export function prefixToNetmask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefix, 32))) >>> 0;
  return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
}

/** Prefix length of a contiguous dotted-quad netmask, else null. */
export function netmaskToPrefix(mask: string): number | null {
  for (let p = 0; p <= 32; p++) if (prefixToNetmask(p) === mask) return p;
  return null;
}

/** Debian policy package names (§5.6.1), with an optional `:arch` qualifier. */
export const APT_PACKAGE = /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$/;

/** zod issues as AnswerIssues at their field path (under `prefix` for a family section). */
export function zodIssues(error: z.ZodError, prefix: (string | number)[] = []): AnswerIssue[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    code: `SCHEMA_${i.code.toUpperCase()}`,
    message: i.message,
    severity: 'error' as const,
  }));
}

/** User names the Debian-family installers refuse (adduser's system accounts; subiquity reserved-usernames). */
const RESERVED_USERS = new Set(
  'root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc gnats nobody _apt systemd-network systemd-resolve systemd-timesync messagebus syslog sshd uuidd tcpdump tss lxd dnsmasq landscape pollinate fwupd-refresh usbmux admin sudo adm'.split(' '),
);

/** A partition's file system: its own, else by mount point (ext4: the Debian family's default). */
export const partitionFs = (p: Partition): string =>
  p.fsType ?? (p.mount === 'swap' ? 'swap' : p.mount === 'biosboot' ? 'biosboot' : p.mount === '/boot/efi' ? 'vfat' : 'ext4');

/**
 * Text made safe for one comment line in any reader: control characters and the line breaks PyYAML also
 * knows (U+0085, U+2028, U+2029) become `?`.
 */
export function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this replaces
  return s.replace(/[\0-\x1f\x7f-\x9f\u2028\u2029]/g, '?');
}

export interface CommonRuleOptions {
  family: 'autoinstall' | 'preseed';
  ctx?: AnswerContext;
  /** Whether an SSH server ends up installed (autoinstall ssh.install-server, preseed tasksel ssh-server). */
  sshServer: boolean;
}

/** Rules both Debian-family files share, on a schema-valid profile. */
export function commonRules(p: CommonProfile, o: CommonRuleOptions): AnswerIssue[] {
  const out: AnswerIssue[] = [];
  const add = (path: (string | number)[], code: string, severity: AnswerIssue['severity'], message: string) => out.push({ path, code, severity, message });
  const { ctx } = o;

  if (!isKnownTimezone(p.locale.timezone)) add(['locale', 'timezone'], 'UNKNOWN_TIMEZONE', 'error', `${p.locale.timezone} is not a time zone in the tz database`);

  const user = p.accounts.user;
  const keys = p.accounts.sshKeys.length > 0;
  const canLogin = p.accounts.root !== null || (user !== null && user.password !== null) || (keys && o.sshServer);
  if (!canLogin) {
    add(['accounts'], 'NO_LOGIN', 'error', keys ? 'only SSH keys, but no SSH server is installed: nobody can log in' : 'no root password, no user password and no SSH key: nobody can log in');
  } else if (keys && !o.sshServer) {
    add(['accounts', 'sshKeys'], 'SSH_KEYS_WITHOUT_SERVER', 'warning', 'SSH keys are installed but no SSH server is');
  }
  if (user && RESERVED_USERS.has(user.name)) add(['accounts', 'user', 'name'], 'USERNAME_RESERVED', 'error', `${user.name} is a system account name the installer refuses`);

  if (ctx && p.network.mode === 'static' && !ctx.address) {
    add(['network', 'mode'], 'STATIC_WITHOUT_ADDRESS', 'warning', 'static mode, but this machine has no reserved address: it gets DHCP');
  }
  if (ctx && !ctx.hostname && !p.network.hostname) {
    add(['network', 'hostname'], 'HOSTNAME_DEFAULT', 'warning', `no host name for this machine: the installer's default (${o.family === 'autoinstall' ? 'ubuntu' : 'debian'}) is used`);
  }

  for (const [i, name] of p.packages.install.entries()) {
    if (name.startsWith('@')) add(['packages', 'install', i], 'PACKAGE_GROUP_UNSUPPORTED', 'error', `${name}: package groups are a dnf/yum feature; apt installs packages (Debian tasks: tasksel)`);
    else if (!APT_PACKAGE.test(name)) add(['packages', 'install', i], 'PACKAGE_NAME_INVALID', 'error', `${name} is not an apt package name (lower case, no wildcards or exclusions)`);
  }
  if (p.packages.exclude.length) add(['packages', 'exclude'], 'PACKAGE_EXCLUDE_IGNORED', 'warning', 'apt has no install-time exclusions: the list is not applied');

  if (!p.disk.wipe) {
    add(['disk', 'wipe'], 'WIPE_OFF_ASKS', 'warning', 'the installer always rewrites the target disk: with wipe off it stops and asks on the console before partitioning');
  }
  if (p.disk.layout === 'custom') {
    const parts = p.disk.partitions;
    if (!parts.some((q) => q.mount === '/')) add(['disk', 'partitions'], 'NO_ROOT_PARTITION', 'error', 'a custom layout needs a / partition');
    const seen = new Map<string, number>();
    parts.forEach((q, i) => {
      const fs = partitionFs(q);
      if (q.mount !== 'swap' && seen.has(q.mount)) add(['disk', 'partitions', i, 'mount'], 'DUPLICATE_MOUNT', 'error', `${q.mount} is mounted twice`);
      seen.set(q.mount, i);
      if ((q.mount === 'swap') !== (fs === 'swap') || (q.mount === 'biosboot') !== (fs === 'biosboot')) {
        add(['disk', 'partitions', i, 'fsType'], 'PARTITION_FS_MISMATCH', 'error', `${q.mount} cannot be ${fs}`);
      }
      if (q.mount === '/boot/efi' && fs !== 'vfat') add(['disk', 'partitions', i, 'fsType'], 'EFI_PARTITION_NOT_VFAT', 'error', 'the EFI system partition must be vfat');
    });
    if ((!ctx || ctx.firmware === 'uefi') && !parts.some((q) => q.mount === '/boot/efi')) {
      add(['disk', 'partitions'], 'UEFI_NEEDS_EFI_PARTITION', ctx ? 'error' : 'warning', ctx ? 'this machine boots UEFI: the layout needs a /boot/efi (vfat) partition' : 'UEFI machines need a /boot/efi (vfat) partition in a custom layout');
    }
  }
  return out;
}

/**
 * A password found in an imported file: a `$6$` hash is kept, plain text becomes `{ plain }` for the core to hash
 * (warned), a locked one (`!...`, `*`) is none, any other crypt scheme (yescrypt `$y$`, MD5...) is refused at its
 * field (the profile stores `$6$` only).
 */
export function importPassword(value: unknown, path: (string | number)[], issues: AnswerIssue[]): PasswordInput | null {
  if (typeof value !== 'string' || value === '') return null;
  if (CRYPT_SHA512.test(value)) return { hash: value };
  if (/^[!*]/.test(value)) return null; // a locked password: none
  if (/^\$[0-9a-z]+\$/.test(value)) {
    issues.push({ path, code: 'PASSWORD_HASH_UNSUPPORTED', severity: 'error', message: 'only SHA-512 crypt hashes ($6$) are kept: set the password again' });
    return null;
  }
  issues.push({ path, code: 'PLAINTEXT_PASSWORD', severity: 'warning', message: 'the file holds a plain-text password: it is hashed on save and never written back in clear' });
  return { plain: value };
}
