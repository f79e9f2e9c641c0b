/** Shared inputs of the kickstart tests (as shared/distro/fixtures.ts): profiles, sections and render contexts. */
import { commonProfileSchema, type AnswerContext, type CommonProfile, type CommonProfileInput } from '../profile.ts';
import { kickstartSectionSchema, type KickstartSection, type KickstartSectionInput } from './section.ts';

/** SHA-512 crypt hashes of throwaway passwords (Python `crypt.crypt`, fixed salts). */
export const ROOT_HASH = '$6$k3pQ9vXr$y.yxwCmWP4yDHBoLP7088MCevugkxFYS/8s2JDsVY29NozkqYipZF2H1IRuqDMz4vBoyrbETfaFxbRqc7MgCf0';
export const USER_HASH = '$6$Fq8sLm2x$eECheGQRInjRs9gnLylHJIR.LGC1LJdlhK.kPmbnKny1D/55FuFMHCzfI4kMVqZcXTCcET13jPrHs377v/Wbk.';
export const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK3s9mR6wXq1tYv2u8o0pLz7nB4cD5eF6gH7iJ8kL9mN ops@bastion';

export const profile = (input: Partial<CommonProfileInput> = {}): CommonProfile => commonProfileSchema.parse({ name: 'test', ...input });
export const section = (input: KickstartSectionInput = {}): KickstartSection => kickstartSectionSchema.parse(input);

/** Everything set: custom LVM layout, user, keys, repos, scripts, NTP, services. */
export const FULL_PROFILE: CommonProfileInput = {
  name: 'web tier',
  locale: { language: 'en_US.UTF-8', keyboard: 'us', timezone: 'Europe/Berlin', utc: true, ntp: ['ntp1.example.net', 'ntp2.example.net'] },
  network: { mode: 'dhcp', domain: 'example.net' },
  disk: {
    target: '/dev/sda',
    wipe: true,
    layout: 'custom',
    partitions: [
      { mount: '/boot', sizeMiB: 1024, fsType: 'xfs' },
      { mount: 'swap', sizeMiB: 4096 },
      { mount: '/', sizeMiB: 20480, fsType: 'xfs' },
      { mount: '/var', sizeMiB: 1, grow: true, fsType: 'xfs' },
    ],
  },
  accounts: { root: { hash: ROOT_HASH }, user: { name: 'ops', fullName: 'Ops Team', password: { hash: USER_HASH }, admin: true }, sshKeys: [KEY] },
  packages: {
    install: ['vim-enhanced', 'tmux', '@development'],
    exclude: ['postfix'],
    repositories: [{ name: 'extras', url: 'http://repo.example.net/extras/' }],
  },
  security: { selinux: 'enforcing', firewall: true, firewallServices: ['ssh', 'http', 'https'], enableServices: ['chronyd'], disableServices: ['cups'] },
  preScript: 'echo "rackboot pre" > /dev/ttyS0',
  postScript: 'dnf -y update || yum -y update\nsystemctl enable --now chronyd',
  finish: 'reboot',
};

export const FULL_SECTION: KickstartSectionInput = {
  mode: 'text',
  packages: { environment: 'minimal-environment', ignoreMissing: true, excludeWeakdeps: true, instLangs: ['en_US'] },
  bootloader: { append: ['console=tty0', 'console=ttyS0,115200n8'], timeout: 5 },
  auth: { profile: 'sssd', features: ['with-mkhomedir'] },
  kdump: { state: 'enabled' },
  storage: { volumeGroup: 'vg_sys' },
};

export function context(distro: { id: string; name?: string; major: number | null }, firmware: 'bios' | 'uefi' = 'bios', extra: Partial<AnswerContext> = {}): AnswerContext {
  return {
    mac: '52:54:00:12:34:56',
    hostname: 'node01',
    address: null,
    firmware,
    isoUrl: 'http://10.20.0.5:8080/iso/abc123/',
    callbacks: {
      started: 'http://10.20.0.5:8080/api/callback/52-54-00-12-34-56/started?token=t0k3n',
      done: 'http://10.20.0.5:8080/api/callback/52-54-00-12-34-56/done?token=t0k3n',
    },
    distro: { id: distro.id, name: distro.name ?? distro.id, major: distro.major, minor: null },
    ...extra,
  };
}
