/**
 * Which kickstart syntax a distro's anaconda reads, as a RHEL level (7, 8, 9, 10), and which commands each
 * level knows. The command table is pykickstart's own (`handlers/rhel{7,8,9,10}.py` @435ebbe: a command is
 * `removed` when its handler class is a `RemovedCommand`, `deprecated` for a `DeprecatedCommand` or one that
 * warns on parse, such as `F28_Authconfig`).
 */
import type { AnswerContext } from '../profile.ts';

export type RhelLevel = 7 | 8 | 9 | 10;

const clamp = (n: number): RhelLevel => (n <= 7 ? 7 : n >= 10 ? 10 : (n as RhelLevel));

/**
 * The RHEL major whose anaconda/pykickstart a distro release matches.
 * - RHEL and its rebuilds (CentOS, CentOS Stream, Rocky, Alma, Oracle): their own major (unknown: 9).
 * - Fedora: 28-36 ~ RHEL 8 (RHEL8 = 26100 sits between F28 and F29 in pykickstart `version.py`), 37-39 ~ 9
 *   (RHEL9 = 34100, but RHEL 9's `rootpw --allow-ssh` is F37's), 40+ ~ 10 (RHEL10 = 40100); older ~ 7.
 * - Anolis OS 7/8 are RHEL 7/8 rebuilds; Anolis 23 ships a newer anaconda: 9.
 * - openEuler (20.03, 22.03, 24.03): 8. Its anaconda is 33.19 (openeuler-mirror/anaconda `anaconda.spec`),
 *   newer than RHEL 8's 29 but RHEL 8 syntax parses there (install/authconfig aside: see `distroRemoved`).
 * - Kylin Server V10 and UOS Server 20 are built from the same anaconda 33 line: 8; Kylin V7 (CentOS 7 based): 7.
 */
export function rhelLevel(distro: Pick<AnswerContext['distro'], 'id' | 'major'>): RhelLevel {
  const m = distro.major;
  switch (distro.id) {
    case 'fedora':
      if (m === null) return 10;
      return m >= 40 ? 10 : m >= 37 ? 9 : m >= 28 ? 8 : 7;
    case 'anolis':
      if (m === null) return 8;
      return m >= 20 ? 9 : clamp(m);
    case 'openeuler':
    case 'uos':
      return 8;
    case 'kylin':
      return m !== null && m <= 7 ? 7 : 8;
    default:
      return m === null ? 9 : clamp(m);
  }
}

/**
 * `rootpw --allow-ssh`: F37_RootPw; in RHEL 9 from 9.1 (pykickstart rhel9-branch 066e1cb3, May 2022, after 9.0
 * shipped), so a RHEL 9.0 rebuild (minor 0) does not know it.
 */
export function knowsRootAllowSsh(distro: Pick<AnswerContext['distro'], 'id' | 'major' | 'minor'>): boolean {
  const level = rhelLevel(distro);
  if (level < 9) return false;
  return !(level === 9 && distro.minor === 0 && distro.id !== 'fedora');
}

type Status = 'ok' | 'deprecated' | 'removed' | 'absent';

/** Status of a command at RHEL 7, 8, 9, 10 (pykickstart handlers); commands not listed are valid at every level. */
const COMMANDS: Record<string, readonly [Status, Status, Status, Status]> = {
  auth: ['ok', 'deprecated', 'deprecated', 'removed'],
  authconfig: ['ok', 'deprecated', 'deprecated', 'removed'],
  authselect: ['absent', 'ok', 'ok', 'ok'],
  autostep: ['ok', 'ok', 'deprecated', 'removed'],
  bootc: ['absent', 'absent', 'absent', 'ok'],
  btrfs: ['ok', 'deprecated', 'deprecated', 'removed'],
  device: ['ok', 'deprecated', 'removed', 'removed'],
  deviceprobe: ['ok', 'deprecated', 'removed', 'removed'],
  dmraid: ['ok', 'deprecated', 'removed', 'removed'],
  install: ['ok', 'deprecated', 'removed', 'removed'],
  method: ['ok', 'ok', 'deprecated', 'removed'],
  module: ['absent', 'ok', 'ok', 'deprecated'],
  mount: ['absent', 'ok', 'ok', 'ok'],
  multipath: ['ok', 'deprecated', 'removed', 'removed'],
  nvdimm: ['ok', 'ok', 'ok', 'removed'],
  ostreecontainer: ['absent', 'absent', 'ok', 'ok'],
  rdp: ['absent', 'absent', 'absent', 'ok'],
  rhsm: ['absent', 'ok', 'ok', 'ok'],
  sshkey: ['absent', 'ok', 'ok', 'ok'],
  syspurpose: ['absent', 'ok', 'ok', 'ok'],
  timesource: ['absent', 'absent', 'ok', 'ok'],
  unsupported_hardware: ['ok', 'absent', 'absent', 'absent'],
  upgrade: ['deprecated', 'absent', 'absent', 'absent'],
  vnc: ['ok', 'ok', 'ok', 'deprecated'],
  zipl: ['absent', 'ok', 'ok', 'ok'],
};

/** Commands every level from 7 to 10 accepts (pykickstart handlers, intersection). */
const COMMON = new Set(
  'autopart bootloader cdrom clearpart cmdline driverdisk eula fcoe firewall firstboot graphical group halt harddrive hmc ignoredisk iscsi iscsiname keyboard lang liveimg logging logvol mediacheck network nfs ostreesetup part partition poweroff raid realm reboot repo reqpart rescue rootpw selinux services shutdown skipx snapshot sshpw text timezone updates url user vnc volgroup xconfig zerombr zfcp'.split(
    ' ',
  ),
);

/**
 * Per distro on top of the level: openEuler's anaconda carries `backport-remove-authconfig-support.patch`
 * (openeuler-mirror/anaconda `anaconda.spec`), and its pykickstart is F33+, where `install` is gone.
 */
function distroRemoved(id: string, command: string): boolean {
  return id === 'openeuler' && (command === 'auth' || command === 'authconfig' || command === 'install');
}

/** How a distro's anaconda treats a kickstart command: `unknown` for a word no level knows. */
export function commandStatus(distro: Pick<AnswerContext['distro'], 'id' | 'major'>, command: string): Status | 'unknown' {
  if (distroRemoved(distro.id, command)) return 'removed';
  const row = COMMANDS[command];
  if (row) return row[rhelLevel(distro) - 7]!;
  return COMMON.has(command) ? 'ok' : 'unknown';
}
