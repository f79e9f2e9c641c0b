/**
 * Debian preseed for debian-installer 12 (netboot initrd, network preseed `url=`; boot-chains.md §4.4, §6.3).
 *
 * File format, as d-i's own `debconf-set-selections` (preseed-common) reads it: `owner question type value`, one
 * per line; a line ending in `\` continues on the next (joined with a space); lines starting with `#` are
 * comments. Values are single lines and never end in `\`: every free-text value is checked, and the scripts are
 * carried base64-encoded (busybox in d-i and coreutils in the target both have `base64`), so no quoting layer
 * (preseed parser, debconf protocol, `sh -c`) ever sees their text.
 *
 * Commands: `preseed/early_command` = started callback; pre script; for static addressing `kill-all-dhcp;
 * netcfg` (the installation guide's way to re-run network setup once a network preseed is loaded).
 * `preseed/late_command` = rackboot's in-target setup (SSH keys, services); an imported late command (in the
 * installer, base64 too: its quoting cannot reach the callback after it); the post script in-target; the done
 * callback. d-i shows a blocking dialog when a preseeded command fails, so a failing
 * script is logged (`logger -t rackboot`, kept in /var/log/installer/syslog) and the install goes on, like a
 * kickstart %post.
 *
 * Interface: `netcfg/choose_interface` takes a MAC (netcfg-common.c `netcfg_get_interface`: a value of the form
 * aa:bb:cc:dd:ee:ff is looked up with `find_bootif_iface`, the BOOTIF= code), so the boot NIC is named by its MAC
 * whatever the kernel calls it. The first DHCP, before the preseed is fetched, follows the kernel arguments
 * (`interface=auto BOOTIF=01-<mac>`).
 */
import type { AnswerContext, CommonProfile, Partition } from '../profile.ts';
import { callbackComment } from '../profile.ts';
import { AnswerRenderError, commentText, hostIdentity, keyboardParts, partitionFs, passwordHash, prefixToNetmask, staticSettings } from '../deb-common.ts';
import { base64Encode, callbackCommand, shQuote } from '../shell-quote.ts';
import type { PreseedSection } from './section.ts';

/** Comment lines parse.ts recognises. */
export const ISO_MIRROR_MARK = '# mirror: the ISO on rackboot\'s HTTP server';
export const RECIPE_NAME = 'rackboot';
/** d-i runs commands as one argv word (`sh -c "$command"`): Linux caps one argument at 128 KiB (MAX_ARG_STRLEN). */
export const MAX_COMMAND = 120_000;

const CODENAMES: Record<number, string> = { 10: 'buster', 11: 'bullseye', 12: 'bookworm', 13: 'trixie', 14: 'forky' };

/** `name`: pre | late. The script runs in the installer (busybox sh) with /tmp/rackboot-<name>.sh as $0. */
export const installerScriptCommand = (name: 'pre' | 'late', script: string) =>
  `printf %s ${base64Encode(script)} | base64 -d >/tmp/rackboot-${name}.sh && sh /tmp/rackboot-${name}.sh || logger -t rackboot "${name} script failed"`;

/** `name`: setup | post. The script runs in the target with /tmp/rackboot-<name>.sh as $0. */
export const inTargetScriptCommand = (name: 'setup' | 'post', script: string) =>
  `printf %s ${base64Encode(script)} | base64 -d >/target/tmp/rackboot-${name}.sh && in-target sh /tmp/rackboot-${name}.sh || logger -t rackboot "${name} script failed"; rm -f /target/tmp/rackboot-${name}.sh`;

export const STATIC_RECONFIGURE = 'kill-all-dhcp; netcfg';
/** partman-auto needs a disk when there are several: the first one list-devices names (target `auto`). */
export const FIRST_DISK_COMMAND = 'debconf-set partman-auto/disk "$(list-devices disk | head -n1)"';

/** One preseed line; refuses what would break the line format. */
function line(owner: string, question: string, type: string, value: string | boolean): string {
  const v = typeof value === 'boolean' ? String(value) : value;
  if (/[\r\n\0]/.test(v)) throw new AnswerRenderError('PRESEED_MULTILINE', `${question}: preseed values are single lines`);
  if (v.endsWith('\\')) throw new AnswerRenderError('PRESEED_TRAILING_BACKSLASH', `${question}: a value ending in \\ would continue on the next line`);
  return v === '' ? `${owner} ${question} ${type}` : `${owner} ${question} ${type} ${v}`;
}
const di = (question: string, type: string, value: string | boolean) => line('d-i', question, type, value);

/** partman-auto sizes are MB (10^6 bytes): round MiB up so a partition is never smaller than asked. */
export const mibToMb = (mib: number) => Math.ceil(mib * 1.048576);
export const mbToMib = (mb: number) => Math.max(1, Math.floor(mb / 1.048576));

/** The largest size shell arithmetic in partman-auto handles safely (partman-auto-recipe.txt §4). */
const UNLIMITED = 1000000000;
/** Growth weight of a growing partition; fixed ones get 1 (never 0 in total: partman divides by the sum). */
const GROW_WEIGHT = 1000000;

/**
 * The custom layout as an expert_recipe (partman-auto-recipe.txt): `<min> <priority> <max> <parted fs> specs .`
 * Fixed partitions are min = max = size; growing ones start at their size, have no maximum and share the rest
 * equally. The firmware's boot partition comes first (a 1 MiB biosgrub for BIOS when the profile has none; the
 * ESP as `method{ efi }` on UEFI); GPT is forced (biosgrub only exists on GPT).
 */
export function expertRecipe(profile: CommonProfile, firmware: 'bios' | 'uefi'): string[] {
  const parts = profile.disk.partitions;
  const out: string[] = [];
  const add = (p: Partition, extra: string[] = []) => {
    const mb = mibToMb(p.sizeMiB);
    const limits = p.grow ? `${mb} ${mb + GROW_WEIGHT} ${UNLIMITED}` : `${mb} ${mb + 1} ${mb}`;
    const fs = partitionFs(p);
    if (fs === 'biosboot') out.push(`${limits} free $primary{ } method{ biosgrub } .`);
    else if (fs === 'swap') out.push(`${limits} linux-swap method{ swap } format{ } .`);
    else if (p.mount === '/boot/efi' && firmware === 'uefi') out.push(`${limits} free $primary{ } method{ efi } format{ } .`);
    else {
      const dfs = fs === 'vfat' ? 'fat32' : fs;
      out.push([limits, dfs, ...extra, 'method{ format } format{ } use_filesystem{ }', `filesystem{ ${dfs} } mountpoint{ ${p.mount} } .`].join(' '));
    }
  };
  const bios = parts.find((p) => partitionFs(p) === 'biosboot');
  const efi = parts.find((p) => p.mount === '/boot/efi');
  if (bios) add(bios);
  else if (firmware === 'bios') add({ mount: 'biosboot', sizeMiB: 1, grow: false, fsType: 'biosboot' });
  if (efi) add(efi);
  // The partition the BIOS boots from (/boot, else /) gets the legacy_boot flag some BIOSes want on GPT.
  const bootMount = parts.some((p) => p.mount === '/boot') ? '/boot' : '/';
  for (const p of parts) if (p !== bios && p !== efi) add(p, firmware === 'bios' && p.mount === bootMount ? ['$primary{ } $bootable{ }'] : []);
  return out;
}

export function renderPreseed(profile: CommonProfile, section: PreseedSection, ctx: AnswerContext): string {
  const { host, domain, named } = hostIdentity(profile, ctx, 'debian');
  const st = staticSettings(profile, ctx);
  const user = profile.accounts.user;
  const rootHash = passwordHash(profile.accounts.root, 'root');
  const userHash = user ? passwordHash(user.password, `user ${user.name}`) : null;
  const kb = keyboardParts(profile.locale.keyboard);
  const L: string[] = [
    `# rackboot preseed for ${commentText(ctx.distro.name)} from profile "${commentText(profile.name)}"`,
    `# ${callbackComment(ctx)}`,
    '',
    '# Localisation',
    di('debian-installer/locale', 'string', profile.locale.language),
    di('keyboard-configuration/xkb-keymap', 'select', kb.layout),
  ];
  if (kb.variant) L.push(di('keyboard-configuration/variantcode', 'string', kb.variant));

  L.push('', '# Network: the boot NIC by its MAC');
  L.push(di('netcfg/choose_interface', 'select', ctx.mac.toLowerCase()));
  if (st) {
    L.push(
      di('netcfg/disable_autoconfig', 'boolean', true),
      di('netcfg/get_ipaddress', 'string', st.ip),
      di('netcfg/get_netmask', 'string', prefixToNetmask(st.prefix)),
      di('netcfg/get_gateway', 'string', st.gateway ?? ''),
    );
    if (!st.gateway) L.push(di('netcfg/no_default_route', 'boolean', true));
    L.push(di('netcfg/get_nameservers', 'string', st.dns.join(' ')), di('netcfg/confirm_static', 'boolean', true));
  }
  L.push(di('netcfg/get_hostname', 'string', host), di('netcfg/get_domain', 'string', domain ?? ''));
  // netcfg/hostname wins over the name DHCP or reverse DNS would give (the reservation's name is the truth).
  if (named) L.push(di('netcfg/hostname', 'string', host));

  L.push('', section.mirror ? '# Mirror' : ISO_MIRROR_MARK);
  const mirror = section.mirror ?? isoMirror(ctx.isoUrl);
  L.push(
    di('mirror/country', 'string', 'manual'),
    di('mirror/protocol', 'string', 'http'),
    di('mirror/http/hostname', 'string', mirror.hostname),
    di('mirror/http/directory', 'string', mirror.directory),
    di('mirror/http/proxy', 'string', section.proxy ?? ''),
  );
  if (section.suite) L.push(di('mirror/suite', 'string', section.suite));
  // Whether d-i can verify an ISO's Release file over HTTP is unverified (boot-chains.md §4.4): allowed for the
  // ISO mirror only, which rackboot serves itself on the install network.
  if (!section.mirror) L.push(di('debian-installer/allow_unauthenticated', 'boolean', true));

  L.push('', '# Accounts');
  if (rootHash) L.push(di('passwd/root-login', 'boolean', true), di('passwd/root-password-crypted', 'password', rootHash));
  else if (!user) {
    // No user and no root password: root logs in with SSH keys only ("!" locks the password).
    L.push(di('passwd/root-login', 'boolean', true), di('passwd/root-password-crypted', 'password', '!'));
  } else L.push(di('passwd/root-login', 'boolean', false));
  if (user) {
    L.push(
      di('passwd/make-user', 'boolean', true),
      di('passwd/user-fullname', 'string', user.fullName),
      di('passwd/username', 'string', user.name),
      di('passwd/user-password-crypted', 'password', userHash ?? '!'),
    );
    // With root locked user-setup makes the user a sudoer itself; with a root password only if asked.
    if (rootHash && user.admin) L.push(di('passwd/user-default-groups', 'string', 'audio cdrom dip floppy video plugdev users netdev sudo'));
  } else L.push(di('passwd/make-user', 'boolean', false));

  L.push('', '# Clock');
  L.push(di('clock-setup/utc', 'boolean', profile.locale.utc), di('time/zone', 'string', profile.locale.timezone));
  if (profile.locale.ntp.length) L.push(di('clock-setup/ntp', 'boolean', true), di('clock-setup/ntp-server', 'string', profile.locale.ntp[0]!));

  L.push('', '# Partitioning');
  L.push(...partitioning(profile, section, ctx));

  L.push('', '# Packages');
  L.push(di('apt-setup/services-select', 'multiselect', section.aptServices.join(', ')));
  const suite = section.suite ?? (ctx.distro.major !== null ? CODENAMES[ctx.distro.major] : undefined) ?? 'stable';
  profile.packages.repositories.forEach((repo, i) => {
    const meta = section.repositories[repo.name];
    const trusted = meta?.trusted && !meta.key ? '[trusted=yes] ' : '';
    const comps = (meta?.components?.length ? meta.components : ['main']).join(' ');
    L.push(di(`apt-setup/local${i}/repository`, 'string', `${trusted}${repo.url} ${meta?.suite ?? suite} ${comps}`), di(`apt-setup/local${i}/comment`, 'string', repo.name));
    if (meta?.key) L.push(di(`apt-setup/local${i}/key`, 'string', meta.key));
  });
  L.push(line('tasksel', 'tasksel/first', 'multiselect', section.tasks.join(', ')));
  if (profile.packages.install.length) L.push(di('pkgsel/include', 'string', profile.packages.install.join(' ')));
  L.push(di('pkgsel/upgrade', 'select', section.upgrade));
  L.push(line('popularity-contest', 'popularity-contest/participate', 'boolean', section.popularityContest));

  L.push('', '# Boot loader');
  L.push(di('grub-installer/only_debian', 'boolean', true));
  const bootdev = section.bootDevice !== 'default' ? section.bootDevice : profile.disk.target !== 'auto' ? profile.disk.target : 'default';
  L.push(di('grub-installer/bootdev', 'string', bootdev));

  L.push('', '# Commands');
  const early = [callbackCommand(ctx.callbacks.started, { gnuWget: false })];
  if (profile.preScript.trim()) early.push(installerScriptCommand('pre', profile.preScript));
  if (st) early.push(STATIC_RECONFIGURE);
  L.push(command('preseed/early_command', early));
  const late: string[] = [];
  const setup = setupScript(profile);
  if (setup) late.push(inTargetScriptCommand('setup', setup));
  if (section.lateCommand.trim()) late.push(installerScriptCommand('late', section.lateCommand));
  if (profile.postScript.trim()) late.push(inTargetScriptCommand('post', profile.postScript));
  late.push(callbackCommand(ctx.callbacks.done, { gnuWget: false }));
  L.push(command('preseed/late_command', late));

  L.push('', '# Finish');
  L.push(di('finish-install/reboot_in_progress', 'note', ''));
  if (profile.finish === 'poweroff') L.push(di('debian-installer/exit/poweroff', 'boolean', true));

  if (section.advanced.length) {
    L.push('', '# Imported settings rackboot does not manage');
    for (const a of section.advanced) {
      if (a.endsWith('\\')) throw new AnswerRenderError('PRESEED_TRAILING_BACKSLASH', 'an advanced line ends in \\ and would swallow the next');
      L.push(a);
    }
  }
  return `${L.join('\n')}\n`;
}

function command(question: string, parts: string[]): string {
  const value = parts.join('; ');
  if (value.length > MAX_COMMAND) throw new AnswerRenderError('PRESEED_COMMAND_TOO_LONG', `${question}: ${value.length} characters; d-i passes it as one argument (at most ${MAX_COMMAND})`);
  return di(question, 'string', value);
}

/** The ISO URL `http://A:P/iso/<id>/` as a mirror: host:port + directory without the trailing slash. */
export function isoMirror(isoUrl: string): { hostname: string; directory: string } {
  const m = /^https?:\/\/([^/\s]+)(\/[^\s]*)?$/.exec(isoUrl);
  if (!m) throw new AnswerRenderError('PRESEED_BAD_ISO_URL', `not an http URL: ${isoUrl}`);
  const dir = (m[2] ?? '/').replace(/\/+$/, '');
  return { hostname: m[1]!, directory: dir || '/' };
}

function partitioning(profile: CommonProfile, section: PreseedSection, ctx: AnswerContext): string[] {
  const d = profile.disk;
  const out: string[] = [];
  if (d.target === 'auto') out.push(di('partman/early_command', 'string', FIRST_DISK_COMMAND));
  else out.push(di('partman-auto/disk', 'string', d.target));
  if (d.layout === 'custom') {
    out.push(
      di('partman-auto/method', 'string', 'regular'),
      di('partman-partitioning/choose_label', 'select', 'gpt'),
      di('partman-partitioning/default_label', 'string', 'gpt'),
    );
    const recipe = expertRecipe(profile, ctx.firmware);
    // One value over several lines: d-i joins `\`-continued lines with a space.
    out.push([`d-i partman-auto/expert_recipe string ${RECIPE_NAME} ::`, ...recipe.map((r) => `  ${r}`)].join(' \\\n'));
    if (!d.partitions.some((p) => p.mount === 'swap')) out.push(di('partman-basicfilesystems/no_swap', 'boolean', false));
  } else {
    const lvm = d.layout === 'lvm';
    out.push(di('partman-auto/method', 'string', lvm ? 'lvm' : 'regular'));
    if (lvm) out.push(di('partman-auto-lvm/guided_size', 'string', 'max'));
    out.push(di('partman-auto/choose_recipe', 'select', section.recipe));
  }
  if (d.wipe) {
    // Without these d-i stops and asks before destroying anything (what wipe off means here).
    out.push(
      di('partman-lvm/device_remove_lvm', 'boolean', true),
      di('partman-md/device_remove_md', 'boolean', true),
      di('partman-lvm/confirm', 'boolean', true),
      di('partman-lvm/confirm_nooverwrite', 'boolean', true),
      di('partman-partitioning/confirm_write_new_label', 'boolean', true),
      di('partman/choose_partition', 'select', 'finish'),
      di('partman/confirm', 'boolean', true),
      di('partman/confirm_nooverwrite', 'boolean', true),
    );
  }
  return out;
}

/** Lines parse.ts reads back from the setup script. */
export const SETUP_KEYS_MARK = '# rackboot: authorized keys for ';
export const SETUP_SERVICES_MARK = '# rackboot: services';

/** SSH keys (to the user, else root) and service switches, run in the target before the post script. */
export function setupScript(profile: CommonProfile): string | null {
  const keys = profile.accounts.sshKeys;
  const s = profile.security;
  if (!keys.length && !s.enableServices.length && !s.disableServices.length) return null;
  const lines = ['set -u'];
  if (keys.length) {
    const owner = profile.accounts.user?.name ?? 'root';
    const home = owner === 'root' ? '/root' : `/home/${owner}`;
    lines.push(
      `${SETUP_KEYS_MARK}${owner}`,
      `install -d -m 700 ${home}/.ssh`,
      `cat >>${home}/.ssh/authorized_keys <<'RACKBOOT_KEYS'`,
      ...keys,
      'RACKBOOT_KEYS',
      `chmod 600 ${home}/.ssh/authorized_keys`,
      `chown -R ${owner}: ${home}/.ssh`,
    );
  }
  if (s.enableServices.length || s.disableServices.length) {
    lines.push(SETUP_SERVICES_MARK);
    if (s.enableServices.length) lines.push(`systemctl enable ${s.enableServices.map(shQuote).join(' ')}`);
    if (s.disableServices.length) lines.push(`systemctl disable ${s.disableServices.map(shQuote).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
