/**
 * Ubuntu autoinstall (subiquity, 20.04+) as NoCloud `user-data` + `meta-data` (boot-chains.md §4.3, §6.2).
 *
 * Accounts (subiquity's `identity` needs a user *with* a password, `identity.py` `load_autoinstall_data`):
 * - user with a password: `identity` (created during the install); root's hash, if any, by `usermod -p` in-target.
 * - user without a password (key-only): no `identity`; the user comes from cloud-init `user-data.users` at first
 *   boot, password locked, and as an admin with password-less sudo (what Ubuntu's cloud images do: such a user
 *   has no password to give sudo).
 * - no user: no `identity`; root is the login (`disable_root: false` so the SSH keys land in root's
 *   authorized_keys, not behind cloud-init's "log in as ubuntu" stub; `users: []` so no default `ubuntu` user).
 *   Ubuntu's sshd keeps refusing root *passwords* (PermitRootLogin prohibit-password): console or keys.
 *   Subiquity accepts a file without `identity` when it has `user-data`.
 *
 * Commands: early-commands are [started callback, pre script]; late-commands are [rackboot's in-target fixes,
 * imported late-commands, post script, done callback]. Each string runs as `sh -c <string>`
 * (subiquity `cmdlist.py`); the post script is one single-quoted word for `curtin in-target -- sh -c`. A failing
 * post script is logged and does not stop the install (kickstart %post semantics), so `done` still reports.
 */
import type { AnswerContext, CommonProfile, Partition } from '../profile.ts';
import { callbackComment } from '../profile.ts';
import { AnswerRenderError, commentText, hostIdentity, keyboardParts, partitionFs, passwordHash, staticSettings } from '../deb-common.ts';
import { callbackCommand, shQuote } from '../shell-quote.ts';
import { AI_RESERVED_KEYS, type AutoinstallSection } from './section.ts';
import { toYaml } from './yaml.ts';

/** What `sh -c` gets for the post script; parse.ts recognises exactly this shape. */
export const POST_FAILED_SUFFIX = ` || echo "rackboot: post script failed (exit $?)" >&2`;

export function postScriptCommand(script: string): string {
  return `curtin in-target -- sh -c ${shQuote(script)}${POST_FAILED_SUFFIX}`;
}

const compact = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** `aa:bb:cc:dd:ee:ff` -> `aabbccddeeff`: one NoCloud instance per NIC. */
const macHex = (mac: string) => mac.toLowerCase().replace(/[^0-9a-f]/g, '');

function diskMatch(profile: CommonProfile, section: AutoinstallSection): Record<string, unknown> {
  if (profile.disk.target !== 'auto') return { path: profile.disk.target };
  return compact({ ...section.storage.match });
}

/** subiquity's layout name for the common layout (auto: subiquity's own default, lvm). */
export function layoutName(profile: CommonProfile, section: AutoinstallSection): 'lvm' | 'direct' | 'zfs' {
  return section.storage.layout ?? (profile.disk.layout === 'plain' ? 'direct' : 'lvm');
}

const FSTYPE: Record<string, string> = { xfs: 'xfs', ext4: 'ext4', ext3: 'ext3', btrfs: 'btrfs', vfat: 'fat32', swap: 'swap' };

/**
 * The custom layout as a curtin action list (subiquity "Action-based configuration"): one GPT disk, the
 * firmware's boot partition first (ESP `flag: boot` + `grub_device` on UEFI; a 1 MiB `bios_grub` partition and
 * `grub_device` on the disk for BIOS, added when the profile has none), the rest in profile order with the one
 * growing partition last (`size: -1`, allowed only for the last partition of a device). No swap file: the
 * profile's partitions are the whole layout.
 */
function curtinStorage(profile: CommonProfile, section: AutoinstallSection, ctx: AnswerContext): Record<string, unknown> {
  const parts = profile.disk.partitions;
  const disk: Record<string, unknown> = { type: 'disk', id: 'disk0', ptable: 'gpt', wipe: 'superblock-recursive', preserve: false };
  // An exact device is curtin's `path`; otherwise subiquity's match spec (disk selection extensions).
  if (profile.disk.target !== 'auto') disk.path = profile.disk.target;
  else disk.match = diskMatch(profile, section);
  if (ctx.firmware === 'bios') disk.grub_device = true;
  const config: Record<string, unknown>[] = [disk];
  let number = 0;
  const add = (p: Partition) => {
    number += 1;
    const fs = partitionFs(p);
    const id = `part${number}`;
    const part: Record<string, unknown> = { type: 'partition', id, device: 'disk0', number, size: p.grow ? -1 : `${p.sizeMiB}M`, preserve: false };
    if (fs === 'biosboot') {
      config.push({ ...part, flag: 'bios_grub' });
      return;
    }
    if (p.mount === '/boot/efi') {
      part.flag = 'boot';
      if (ctx.firmware === 'uefi') part.grub_device = true;
    }
    if (fs === 'swap') part.flag = 'swap';
    config.push(part);
    config.push({ type: 'format', id: `${id}-fs`, volume: id, fstype: FSTYPE[fs] ?? fs, preserve: false });
    config.push({ type: 'mount', id: `${id}-mount`, device: `${id}-fs`, path: fs === 'swap' ? '' : p.mount });
  };
  const isBios = (p: Partition) => partitionFs(p) === 'biosboot';
  const bios = parts.find(isBios);
  const efi = parts.find((p) => p.mount === '/boot/efi');
  if (bios) add(bios);
  else if (ctx.firmware === 'bios') add({ mount: 'biosboot', sizeMiB: 1, grow: false, fsType: 'biosboot' });
  if (efi) add(efi);
  const rest = parts.filter((p) => p !== bios && p !== efi);
  for (const p of [...rest.filter((p) => !p.grow), ...rest.filter((p) => p.grow)]) add(p);
  return { swap: { size: 0 }, config };
}

function storage(profile: CommonProfile, section: AutoinstallSection, ctx: AnswerContext): Record<string, unknown> {
  if (profile.disk.layout === 'custom') return curtinStorage(profile, section, ctx);
  const name = layoutName(profile, section);
  return { layout: compact({ name, 'sizing-policy': name === 'lvm' ? section.storage.sizingPolicy : undefined, match: diskMatch(profile, section) }) };
}

function network(profile: CommonProfile, section: AutoinstallSection, ctx: AnswerContext, domain: string | null): Record<string, unknown> {
  const name = section.network.interfaceName;
  const eth: Record<string, unknown> = { match: { macaddress: ctx.mac.toLowerCase() } };
  if (section.network.rename) eth['set-name'] = name;
  const st = staticSettings(profile, ctx);
  if (!st) eth.dhcp4 = true;
  else {
    eth.dhcp4 = false;
    eth.addresses = [`${st.ip}/${st.prefix}`];
    // `0.0.0.0/0` rather than `default`: netplan before 0.103 (20.04's live session) knows only the former.
    if (st.gateway) eth.routes = [{ to: '0.0.0.0/0', via: st.gateway }];
    const ns = compact({ addresses: st.dns.length ? st.dns : undefined, search: domain ? [domain] : undefined });
    if (Object.keys(ns).length) eth.nameservers = ns;
  }
  return { version: 2, ethernets: { [name]: eth } };
}

function aptSection(profile: CommonProfile, section: AutoinstallSection): Record<string, unknown> {
  const apt: Record<string, unknown> = { geoip: section.apt.geoip };
  const sources: Record<string, unknown> = {};
  for (const repo of profile.packages.repositories) {
    const meta = section.repositories[repo.name];
    const suite = meta?.suite ?? '$RELEASE';
    const components = (meta?.components?.length ? meta.components : ['main']).join(' ');
    const trusted = meta?.trusted && !meta.key ? '[trusted=yes] ' : '';
    sources[repo.name] = compact({ source: `deb ${trusted}${repo.url} ${suite} ${components}`, key: meta?.key });
  }
  if (Object.keys(sources).length) apt.sources = sources;
  return apt;
}

/** In-target fixes rackboot adds to late-commands (parse.ts recognises these exact forms). */
export const rootPasswordCommand = (hash: string) => `curtin in-target -- usermod -p ${shQuote(hash)} root`;
export const dropSudoCommand = (user: string) => `curtin in-target -- gpasswd -d ${shQuote(user)} sudo`;
export const servicesCommand = (verb: 'enable' | 'disable', names: string[]) => `curtin in-target -- systemctl ${verb} ${names.map(shQuote).join(' ')}`;

export function renderAutoinstall(profile: CommonProfile, section: AutoinstallSection, ctx: AnswerContext): { userData: string; metaData: string } {
  const { host, domain } = hostIdentity(profile, ctx, 'ubuntu');
  const user = profile.accounts.user;
  const keys = profile.accounts.sshKeys;
  const rootHash = passwordHash(profile.accounts.root, 'root');
  const userHash = user ? passwordHash(user.password, `user ${user.name}`) : null;
  if (profile.disk.layout === 'custom' && profile.disk.partitions.filter((p) => p.grow).length > 1) {
    throw new AnswerRenderError('AI_ONE_GROW_PARTITION', 'autoinstall (curtin) lets only the last partition of a disk grow');
  }

  const userData: Record<string, unknown> = {};
  const ai: Record<string, unknown> = { version: 1 };
  if (section.interactiveSections.length || !profile.disk.wipe) {
    // wipe off: the storage screen asks instead of repartitioning silently (every layout rewrites the disk).
    const sections = new Set(section.interactiveSections);
    if (!profile.disk.wipe && !sections.has('*')) sections.add('storage');
    ai['interactive-sections'] = [...sections];
  }
  if (section.refreshInstaller) ai['refresh-installer'] = compact({ ...section.refreshInstaller });
  ai['early-commands'] = [callbackCommand(ctx.callbacks.started, { gnuWget: true }), ...(profile.preScript.trim() ? [profile.preScript] : [])];
  ai.locale = profile.locale.language;
  const kb = keyboardParts(profile.locale.keyboard);
  ai.keyboard = compact({ layout: kb.layout, variant: kb.variant || undefined });
  ai.timezone = profile.locale.timezone;
  ai.network = network(profile, section, ctx, domain);
  ai.apt = aptSection(profile, section);
  if (section.source.id) ai.source = { id: section.source.id };
  ai.storage = storage(profile, section, ctx);

  if (user && userHash) {
    ai.identity = compact({ hostname: host, username: user.name, password: userHash, realname: user.fullName || undefined });
  } else {
    userData.hostname = host;
    if (domain) userData.fqdn = `${host}.${domain}`;
    if (user) {
      userData.users = [
        compact({
          name: user.name,
          gecos: user.fullName || undefined,
          groups: user.admin ? ['adm', 'sudo'] : undefined,
          shell: '/bin/bash',
          lock_passwd: true,
          sudo: user.admin ? 'ALL=(ALL) NOPASSWD:ALL' : undefined,
          ssh_authorized_keys: keys.length ? keys : undefined,
        }),
      ];
    } else {
      userData.users = [];
      userData.disable_root = false;
    }
  }
  const keysOnUserDataUser = Boolean(user && !userHash);
  ai.ssh = compact({
    'install-server': section.ssh.installServer,
    'authorized-keys': keys.length && !keysOnUserDataUser ? keys : undefined,
    'allow-pw': section.ssh.allowPw,
  });
  if (section.kernel) ai.kernel = { ...section.kernel };
  ai.drivers = { install: section.drivers.install };
  ai.updates = section.updates;
  if (profile.packages.install.length) ai.packages = [...profile.packages.install];
  if (section.snaps.length) ai.snaps = section.snaps.map((s) => compact({ ...s }));
  if (profile.locale.ntp.length) userData.ntp = { enabled: true, servers: [...profile.locale.ntp] };

  const late: string[] = [];
  if (rootHash) late.push(rootPasswordCommand(rootHash));
  if (user && userHash && !user.admin) late.push(dropSudoCommand(user.name));
  if (profile.security.enableServices.length) late.push(servicesCommand('enable', profile.security.enableServices));
  if (profile.security.disableServices.length) late.push(servicesCommand('disable', profile.security.disableServices));
  late.push(...section.lateCommands);
  if (profile.postScript.trim()) late.push(postScriptCommand(profile.postScript));
  late.push(callbackCommand(ctx.callbacks.done, { gnuWget: true }));

  // rackboot's own user-data keys win over imported ones of the same name (validate warns about the clash).
  const mergedUserData = { ...section.userDataAdvanced, ...userData };
  if (Object.keys(mergedUserData).length) ai['user-data'] = mergedUserData;
  ai['late-commands'] = late;
  ai.shutdown = profile.finish;

  // Imported keys rackboot does not write, or writes but an import could not map (storage with RAID...): verbatim.
  const reserved = new Set<string>(AI_RESERVED_KEYS);
  for (const [k, v] of Object.entries(section.advanced)) if (!reserved.has(k)) ai[k] = v;

  const live = Object.fromEntries(Object.entries(section.liveUserData).filter(([k]) => k !== 'autoinstall'));
  const header = [
    '#cloud-config',
    `# rackboot autoinstall for ${commentText(ctx.distro.name)} from profile "${commentText(profile.name)}"`,
    `# ${callbackComment(ctx)}`,
  ].join('\n');
  const userDataText = `${header}\n${toYaml({ autoinstall: ai, ...live })}`;
  const metaData = toYaml(compact({ 'instance-id': `rackboot-${macHex(ctx.mac)}`, 'local-hostname': host }));
  return { userData: userDataText, metaData };
}
