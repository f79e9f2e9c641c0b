/**
 * The answer file a machine gets until the answer-file forms (issue 7) give it a full profile: the smallest
 * file each installer accepts that (1) installs from the ISO over our HTTP server and (2) reports back through
 * the install callbacks, so the one-shot lifecycle works from day one. Everything not set here the installer
 * asks on its console. Each file names its callbacks on a `rackboot-callback:` comment line as well, which the
 * test probe initrd reads.
 */
import type { DistroInfo } from '../distro/model.ts';

export interface BootstrapContext {
  /** `http://A:P/iso/<id>/` (trailing slash). */
  isoUrl: string;
  /** `http://A:P/api/callback/<mac-hyphen>` (the file appends `/started?token=...`, `/done?token=...`). */
  callbackBase: string;
  token: string;
  hostname: string | null;
}

/** The file names each family fetches (the core serves `answers/<mac-hyphen>/<name>`). */
export function answerFileName(info: DistroInfo): string | null {
  switch (info.family) {
    case 'rhel':
      return 'ks.cfg';
    case 'debian':
      return 'preseed.cfg';
    case 'ubuntu':
      return 'user-data';
    default:
      return null;
  }
}

const cb = (c: BootstrapContext, what: 'started' | 'done') => `${c.callbackBase}/${what}?token=${c.token}`;

export function bootstrapAnswer(info: DistroInfo, file: string, c: BootstrapContext): string | null {
  if (info.family === 'rhel' && file === 'ks.cfg') {
    const major = info.major ?? 9;
    return [
      `# rackboot bootstrap kickstart for ${info.name}: the installer asks for everything not set here.`,
      `# rackboot-callback: ${cb(c, 'started')} ${cb(c, 'done')}`,
      // RHEL 7 still wants the install command; RHEL 8 removed it (pykickstart rhel8).
      ...(major >= 8 ? [] : ['install']),
      // The ISO root: anaconda reads its .treeinfo and adds every variant (AppStream too), boot-chains.md §4.2.
      `url --url=${c.isoUrl}`,
      'text',
      c.hostname ? `network --bootproto=dhcp --hostname=${c.hostname}` : 'network --bootproto=dhcp',
      '%pre',
      `curl -fsS -m 10 '${cb(c, 'started')}' >/dev/null 2>&1 || wget -q -T 10 -O /dev/null '${cb(c, 'started')}' || true`,
      '%end',
      '%post --nochroot',
      `curl -fsS -m 10 '${cb(c, 'done')}' >/dev/null 2>&1 || true`,
      '%end',
      '',
    ].join('\n');
  }
  if (info.family === 'debian' && file === 'preseed.cfg') {
    return [
      `# rackboot bootstrap preseed for ${info.name}: the installer asks for everything not set here.`,
      `# rackboot-callback: ${cb(c, 'started')} ${cb(c, 'done')}`,
      'd-i debian-installer/locale string en_US.UTF-8',
      'd-i keyboard-configuration/xkb-keymap select us',
      'd-i netcfg/choose_interface select auto',
      c.hostname ? `d-i netcfg/get_hostname string ${c.hostname}` : 'd-i netcfg/get_hostname string debian',
      'd-i netcfg/get_domain string localdomain',
      `d-i preseed/early_command string wget -q -O /dev/null '${cb(c, 'started')}' || true`,
      `d-i preseed/late_command string wget -q -O /dev/null '${cb(c, 'done')}' || true`,
      '',
    ].join('\n');
  }
  if (info.family === 'ubuntu' && file === 'user-data') {
    return [
      '#cloud-config',
      `# rackboot bootstrap autoinstall for ${info.name}: interactive sections are asked on the console.`,
      `# rackboot-callback: ${cb(c, 'started')} ${cb(c, 'done')}`,
      'autoinstall:',
      '  version: 1',
      '  interactive-sections: ["*"]',
      '  early-commands:',
      `    - wget -q -O /dev/null '${cb(c, 'started')}' || true`,
      '  late-commands:',
      `    - wget -q -O /dev/null '${cb(c, 'done')}' || true`,
      '',
    ].join('\n');
  }
  if (info.family === 'ubuntu' && file === 'meta-data') return c.hostname ? `instance-id: rackboot-${c.hostname}\nlocal-hostname: ${c.hostname}\n` : 'instance-id: rackboot\n';
  if (info.family === 'ubuntu' && file === 'vendor-data') return '';
  return null;
}
