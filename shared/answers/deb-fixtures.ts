/** Shared inputs of the autoinstall and preseed tests (as shared/distro/fixtures.ts): profiles and render contexts. */
import type { AnswerContext, CommonProfileInput, Partition } from './profile.ts';

/** `openssl passwd -6 -salt Rk7bQ2mZ root-secret` and `... -salt Uz4nP8wL ops-secret`. */
export const ROOT_HASH = '$6$Rk7bQ2mZ$vRQioPyRTT07LBMDladMkFVAteX6Fc74Tmtx1lMFBxl8N/qUhnm9n.1DuL3TkHuhKrM2S8u4CCsseoPi9YjmN.';
export const USER_HASH = '$6$Uz4nP8wL$KQWQ1kJHclZx5eTF4Nyvt9eztmTOi0XhEkJfZOyT3qsaafNpZIL3Et64quas8odRY6efs7n.9euqELB4qAfED/';
/** `ssh-keygen -t ed25519 -C ops@bastion`. */
export const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF33E4MPhNMl2OGvUjG2r3cJguK7+lib9SER0WLbdQbc ops@bastion';

export const MAC = '52:54:00:ab:cd:ef';
const BASE_URL = 'http://198.18.0.1:8080';

export interface CtxOptions {
  firmware?: 'bios' | 'uefi';
  address?: AnswerContext['address'];
  hostname?: string | null;
  distro?: AnswerContext['distro'];
}

export const UBUNTU = { id: 'ubuntu', name: 'Ubuntu 24.04.1 LTS', major: 24, minor: 4 };
export const DEBIAN = { id: 'debian', name: 'Debian 12.5.0 (bookworm)', major: 12, minor: 5 };
export const STATIC_ADDRESS = { ip: '198.18.0.50', prefix: 24, gateway: '198.18.0.254', dns: ['198.18.0.1'] };

export function context(o: CtxOptions = {}): AnswerContext {
  const hyphen = MAC.replace(/:/g, '-');
  return {
    mac: MAC,
    hostname: o.hostname === undefined ? 'rack-node-7' : o.hostname,
    address: o.address ?? null,
    firmware: o.firmware ?? 'uefi',
    isoUrl: `${BASE_URL}/iso/7f3a/`,
    callbacks: { started: `${BASE_URL}/api/callback/${hyphen}/started?token=4f9c2e`, done: `${BASE_URL}/api/callback/${hyphen}/done?token=4f9c2e` },
    distro: o.distro ?? UBUNTU,
  };
}

export const CUSTOM_PARTITIONS: Partition[] = [
  { mount: '/boot/efi', sizeMiB: 512, grow: false },
  { mount: '/boot', sizeMiB: 1024, grow: false },
  { mount: 'swap', sizeMiB: 2048, grow: false },
  { mount: '/', sizeMiB: 20480, grow: false, fsType: 'ext4' },
  { mount: '/var', sizeMiB: 4096, grow: true, fsType: 'xfs' },
];

/** A realistic profile: user with sudo, root password, a key, packages, an extra repository, NTP, scripts. */
export const BASE: CommonProfileInput = {
  name: 'web tier',
  description: 'front-end web servers',
  locale: { language: 'en_US.UTF-8', keyboard: 'de(nodeadkeys)', timezone: 'Europe/Berlin', utc: true, ntp: ['ntp1.rack.test'] },
  network: { mode: 'dhcp', domain: 'rack.test', dns: [] },
  disk: { target: 'auto', wipe: true, layout: 'lvm', partitions: [] },
  accounts: { root: { hash: ROOT_HASH }, user: { name: 'ops', fullName: 'Ops Team', password: { hash: USER_HASH }, admin: true }, sshKeys: [KEY] },
  packages: { install: ['vim', 'curl', 'chrony'], exclude: [], repositories: [{ name: 'internal', url: 'http://repo.rack.test/apt' }] },
  security: { enableServices: ['chrony'], disableServices: [] },
  preScript: 'echo "rackboot: pre" > /dev/console',
  postScript: 'set -e\necho "installed by rackboot" > /etc/motd\nsystemctl enable chrony',
  finish: 'reboot',
};

export const LAYOUTS = {
  lvm: { target: 'auto', wipe: true, layout: 'lvm', partitions: [] },
  plain: { target: '/dev/sda', wipe: true, layout: 'plain', partitions: [] },
  custom: { target: '/dev/nvme0n1', wipe: true, layout: 'custom', partitions: CUSTOM_PARTITIONS },
} as const;

/** Every firmware x addressing x layout cell the goldens cover. */
export const MATRIX = (['bios', 'uefi'] as const).flatMap((firmware) =>
  (['dhcp', 'static'] as const).flatMap((mode) => (['lvm', 'plain', 'custom'] as const).map((layout) => ({ firmware, mode, layout, name: `${firmware}-${mode}-${layout}` }))),
);

export function matrixProfile(mode: 'dhcp' | 'static', layout: keyof typeof LAYOUTS): CommonProfileInput {
  return { ...BASE, network: { ...BASE.network, mode }, disk: { ...LAYOUTS[layout], partitions: [...LAYOUTS[layout].partitions] } };
}

/** A post script that tries every way out of a quoted shell word. */
export const HOSTILE_SCRIPT = [
  "echo 'single' \"double\" `backtick` $(subshell) ${VAR} $HOME",
  "'; touch /tmp/pwned-a; echo '",
  '"; touch /tmp/pwned-b; echo "',
  "echo '\\'' ; touch /tmp/pwned-c # '",
  'cat <<EOF\nheredoc $x\nEOF',
  'printf "%s\\n" tab\there \\ backslash \\\\',
  "unicode: é ü 漢字 \u2028 line-separator \u0085 nel",
  'exit 0',
].join('\n');

/**
 * A profile the schema would refuse: `valid` parsed by the schema, then `raw` laid over it unchecked. The
 * schema's one-line patterns now stop line breaks first; renderers must still refuse or escape them should a
 * value ever slip past (defence in depth), which these profiles test.
 */
export function unchecked<T extends object>(valid: T, raw: object): T {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === null || typeof b !== 'object' || Array.isArray(b) || a === null || typeof a !== 'object' || Array.isArray(a)) return b;
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
    return out;
  };
  return merge(valid, raw) as T;
}
