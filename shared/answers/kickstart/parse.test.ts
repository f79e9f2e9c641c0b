import { describe, expect, it } from 'vitest';
import { commonProfileSchema, type AnswerContext, type CommonProfileInput } from '../profile.ts';
import alma9 from './corpus/alma9-uefi-include.ks?raw';
import centos7Seed from './corpus/centos7-seed-style.ks?raw';
import kylin10 from './corpus/kylin-v10-plaintext.ks?raw';
import openeuler22 from './corpus/openeuler22-static.ks?raw';
import rhel7Generated from './corpus/rhel7-anaconda-generated.ks?raw';
import rocky8 from './corpus/rocky8-custom-lvm.ks?raw';
import { FULL_PROFILE, FULL_SECTION, KEY, ROOT_HASH, USER_HASH, context, profile, section } from './fixtures.ts';
import { parseKickstart } from './parse.ts';
import { renderKickstart } from './render.ts';
import { kickstartSectionSchema } from './section.ts';
import { validateKickstart } from './validate.ts';

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

interface CorpusCase {
  file: string;
  text: string;
  /** The release it was written for: the round trip renders for it. */
  distro: { id: string; name: string; major: number };
  firmware: 'bios' | 'uefi';
  profile: Partial<CommonProfileInput>;
  section: Record<string, unknown>;
  importCodes: string[];
  validateCodes: string[];
}

const CORPUS: CorpusCase[] = [
  {
    file: 'centos7-seed-style.ks',
    text: centos7Seed,
    distro: { id: 'centos', name: 'CentOS Linux', major: 7 },
    firmware: 'bios',
    profile: {
      locale: { language: 'en_US.UTF-8', keyboard: 'us', timezone: 'Asia/Shanghai', utc: true, ntp: [] },
      network: { mode: 'dhcp' },
      disk: { target: 'auto', wipe: true, layout: 'lvm', partitions: [] },
      accounts: { root: null },
      packages: { install: ['@core', 'chrony', 'kexec-tools'], exclude: [], repositories: [] },
      security: { selinux: 'disabled', enableServices: ['chronyd'], disableServices: [] },
      postScript: 'systemctl enable sshd',
      finish: 'reboot',
    },
    section: { mode: 'graphical', firstboot: 'disable', kdump: { state: 'enabled', reserveMb: 'auto' }, auth: { profile: 'default', features: [] }, advanced: { commands: [], sections: [] } },
    // The %addon at the end has no %end; rootpw is an MD5 hash ($1$); url points at the old FTP server.
    importCodes: ['KS_UNTERMINATED_SECTION', 'KS_IMPORT_SOURCE', 'KS_UNSUPPORTED_HASH'],
    validateCodes: ['NO_LOGIN', 'WIPES_ALL_DISKS'],
  },
  {
    file: 'rhel7-anaconda-generated.ks',
    text: rhel7Generated,
    distro: { id: 'rhel', name: 'Red Hat Enterprise Linux', major: 7 },
    firmware: 'bios',
    profile: {
      locale: { language: 'de_DE.UTF-8', keyboard: 'de(nodeadkeys)', timezone: 'Europe/Berlin', utc: true, ntp: ['0.centos.pool.ntp.org', '1.centos.pool.ntp.org'] },
      network: { mode: 'dhcp', hostname: 'db01.example.com' },
      accounts: { root: { hash: expect.stringMatching(/^\$6\$k3pQ9vXr\$/) }, user: { name: 'admin', fullName: 'Site Admin', admin: true, password: { hash: expect.stringMatching(/^\$6\$p7LrS2aV\$/) } } },
      security: { enableServices: [], disableServices: ['chronyd', 'kdump'] },
    },
    section: {
      mode: 'text',
      packages: { environment: 'minimal' },
      bootloader: { append: ['crashkernel=auto'], passwordHash: null, timeout: null },
      storage: { diskLabel: 'auto', volumeGroup: null, verbatim: true },
      advanced: {
        commands: [
          'ignoredisk --only-use=sda',
          'clearpart --all --initlabel --drives=sda',
          'part /boot --fstype="xfs" --ondisk=sda --size=1024',
          'part pv.252 --fstype="lvmpv" --ondisk=sda --size=101375',
          'volgroup centos --pesize=4096 pv.252',
          'logvol /  --fstype="xfs" --grow --maxsize=51200 --size=1024 --name=root --vgname=centos',
          'logvol swap  --fstype="swap" --size=4095 --name=swap --vgname=centos',
          'logvol /home  --fstype="xfs" --size=45056 --name=home --vgname=centos',
        ],
        sections: [expect.stringMatching(/^%anaconda\npwpolicy root .*\n%end$/s)],
      },
    },
    // anaconda-ks.cfg: cdrom source, lang --addsupport, no reboot, gecos with a room field, logvol --maxsize.
    importCodes: ['KS_IMPORT_SOURCE', 'KS_IMPORT_DROPPED', 'KS_IMPORT_NO_FINISH', 'KS_IMPORT_DROPPED', 'KS_IMPORT_STORAGE_VERBATIM'],
    validateCodes: ['KS_STORAGE_VERBATIM'],
  },
  {
    file: 'rocky8-custom-lvm.ks',
    text: rocky8,
    distro: { id: 'rocky', name: 'Rocky Linux', major: 8 },
    firmware: 'uefi',
    profile: {
      network: { mode: 'static', hostname: 'web01.example.net', dns: ['10.20.0.53', '10.20.0.54'] },
      disk: {
        target: '/dev/nvme0n1',
        wipe: true,
        layout: 'custom',
        partitions: [
          { mount: '/boot', sizeMiB: 1024, grow: false, fsType: 'xfs' },
          { mount: '/', sizeMiB: 20480, grow: false, fsType: 'xfs' },
          { mount: '/var', sizeMiB: 1, grow: true, fsType: 'xfs' },
          { mount: 'swap', sizeMiB: 4096, grow: false },
        ],
      },
      accounts: { root: null, user: { name: 'ops', fullName: 'Ops Team', admin: true, password: { hash: USER_HASH } }, sshKeys: [KEY] },
      packages: { install: ['nginx', 'vim-enhanced'], exclude: ['iwl*-firmware'], repositories: [{ name: 'epel', url: 'https://dl.fedoraproject.org/pub/epel/8/Everything/x86_64/' }] },
      security: { selinux: 'enforcing', firewall: true, firewallServices: ['ssh', 'http', 'https'], enableServices: ['chronyd', 'sshd'], disableServices: ['cups'] },
      postScript: 'dnf -y update\nsystemctl enable nginx',
      finish: 'poweroff',
    },
    section: {
      eula: true,
      skipx: true,
      packages: { environment: 'server-product-environment', ignoreMissing: true, excludeWeakdeps: true },
      bootloader: { append: ['console=tty0', 'console=ttyS0,115200n8'], timeout: 3 },
      auth: { profile: 'sssd', features: ['with-mkhomedir', 'with-faillock'] },
      storage: { diskLabel: 'auto', volumeGroup: 'vg_web', verbatim: false },
      post: { nochroot: false, log: true },
      advanced: {
        commands: [
          'repo --name=internal --baseurl=http://repo.example.net/el8/ --cost=10',
          'module --name=nodejs --stream=18',
          'logging --level=info',
          'network --bootproto=dhcp --device=eth1 --nodefroute --onboot=yes',
          'user --name=deploy --groups=deploy --lock',
          expect.stringMatching(/^sshkey --username=deploy "ssh-ed25519 .* deploy@ci"$/),
        ],
        sections: [expect.stringMatching(/^%post --interpreter=\/usr\/libexec\/platform-python\n/)],
      },
    },
    importCodes: ['KS_IMPORT_SOURCE', 'KS_IMPORT_STATIC'],
    validateCodes: ['STATIC_WITHOUT_ADDRESS', 'UEFI_NEEDS_EFI_PARTITION'],
  },
  {
    file: 'alma9-uefi-include.ks',
    text: alma9,
    distro: { id: 'alma', name: 'AlmaLinux', major: 9 },
    firmware: 'uefi',
    profile: {
      locale: { language: 'en_GB.UTF-8', keyboard: 'gb', timezone: 'Europe/London', utc: true, ntp: ['time.example.org'] },
      disk: {
        target: '/dev/disk/by-id/wwn-0x5000c500a1b2c3d4',
        wipe: true,
        layout: 'custom',
        partitions: [
          { mount: '/boot/efi', sizeMiB: 600, grow: false },
          { mount: '/boot', sizeMiB: 1024, grow: false, fsType: 'xfs' },
          { mount: 'swap', sizeMiB: 8192, grow: false },
          { mount: '/', sizeMiB: 40960, grow: false, fsType: 'xfs' },
          { mount: '/srv', sizeMiB: 1, grow: true, fsType: 'xfs' },
        ],
      },
      accounts: { root: { hash: expect.stringMatching(/^\$6\$Zr4tNq7w\$/) }, sshKeys: ['ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7vK2mWq9Xz1Lp storage@admin'] },
      security: { selinux: 'permissive', firewall: false },
      preScript: '',
      postScript: 'cp /etc/resolv.conf /mnt/sysimage/etc/resolv.conf',
    },
    section: {
      rootAllowSsh: true,
      packages: { environment: 'minimal-environment', excludeWeakdeps: true, instLangs: ['en_GB', 'en_US'] },
      bootloader: { passwordHash: expect.stringMatching(/^grub\.pbkdf2\.sha512\.10000\./) },
      storage: { diskLabel: 'gpt', volumeGroup: null, verbatim: false },
      post: { nochroot: true, log: false },
      advanced: {
        commands: ['%include /tmp/network.ks', 'timesource --ntp-pool=2.almalinux.pool.ntp.org'],
        sections: [expect.stringMatching(/^%pre --log=\/tmp\/ks-pre\.log\n/), '%onerror\ncp /tmp/anaconda.log /dev/ttyS0 || true\n%end', "%post\necho 'storage node' > /etc/motd\n%end"],
      },
    },
    importCodes: ['KS_IMPORT_DROPPED'], // reboot --eject
    validateCodes: [],
  },
  {
    file: 'openeuler22-static.ks',
    text: openeuler22,
    distro: { id: 'openeuler', name: 'openEuler', major: 22 },
    firmware: 'bios',
    profile: {
      locale: { language: 'zh_CN.UTF-8', keyboard: 'cn', timezone: 'Asia/Shanghai', utc: true },
      network: { mode: 'static', dns: ['114.114.114.114'], hostname: 'euler-node-01' },
      disk: { target: 'auto', wipe: true, layout: 'plain', partitions: [] },
      security: { selinux: 'enforcing', firewall: true, firewallServices: ['ssh'] },
      packages: { install: ['@standard'], exclude: [], repositories: [] },
      postScript: '# 安装完成后关闭 firewalld 以外的多余服务\nsystemctl disable postfix.service || true',
    },
    // auth --enableshadow --passalgo=sha512 is authconfig's default: it maps to the default profile, not kept.
    section: { auth: { profile: 'default', features: [] }, advanced: { commands: [], sections: [] } },
    importCodes: ['KS_IMPORT_SOURCE', 'KS_IMPORT_STATIC'],
    validateCodes: ['STATIC_WITHOUT_ADDRESS', 'WIPES_ALL_DISKS'],
  },
  {
    file: 'kylin-v10-plaintext.ks',
    text: kylin10,
    distro: { id: 'kylin', name: 'Kylin Linux Advanced Server', major: 10 },
    firmware: 'bios',
    profile: {
      locale: { timezone: 'Asia/Shanghai', utc: false },
      network: { mode: 'dhcp', hostname: 'kylin-node' },
      // "--password=Kylin#2024 --groups=wheel,audio": the # starts a comment for anaconda too.
      accounts: { root: { plain: 'Kylin@123' }, user: { name: 'kylin', fullName: '', admin: false, password: { plain: 'Kylin' } } },
    },
    section: { storage: { verbatim: true }, advanced: { commands: ['zerombr', 'clearpart --all --initlabel', 'part /boot --fstype=ext4 --size=1024', 'part swap --recommended', 'part / --fstype=xfs --size=1 --grow'] } },
    // The # warning comes from lexing, before the commands are read.
    importCodes: ['KS_IMPORT_COMMENT', 'KS_PLAIN_PASSWORD', 'KS_IMPORT_DROPPED', 'KS_PLAIN_PASSWORD', 'KS_IMPORT_STORAGE_VERBATIM'],
    validateCodes: ['KS_STORAGE_VERBATIM'],
  },
];

/** Plain passwords hashed as the core would before rendering (a fixed hash here). */
function hashed(p: CommonProfileInput): CommonProfileInput {
  const fix = (pw: unknown) => (pw && typeof pw === 'object' && 'plain' in pw ? { hash: ROOT_HASH } : pw);
  const a = p.accounts ?? {};
  return { ...p, accounts: { ...a, root: fix(a.root) as never, user: a.user ? { ...a.user, password: fix(a.user.password) as never } : a.user } };
}

/**
 * A context that keeps what the file says: no host name of its own, the static address when static, and the
 * firmware its layout was written for (a UEFI render adds an ESP a BIOS layout lacks: a change, not a loss).
 */
function roundTripContext(c: CorpusCase, p: CommonProfileInput): AnswerContext {
  const address = p.network?.mode === 'static' ? { ip: '10.9.8.7', prefix: 24, gateway: '10.9.8.1', dns: [] } : null;
  const firmware = p.disk?.partitions?.some((x) => x.mount === '/boot/efi') ? 'uefi' : 'bios';
  return context(c.distro, firmware, { hostname: null, address });
}

describe('corpus: existing kickstarts import into the profile', () => {
  it.each(CORPUS)('$file', (c) => {
    const r = parseKickstart(c.text);
    expect(r.profile).toMatchObject(c.profile);
    expect(kickstartSectionSchema.parse(r.section)).toMatchObject(c.section);
    expect(codes(r.issues)).toEqual(c.importCodes);
    expect(r.issues.every((i) => i.severity === 'warning')).toBe(true);
    expect(commonProfileSchema.safeParse(r.profile).success).toBe(true);
    expect(kickstartSectionSchema.safeParse(r.section).success).toBe(true);
  });

  it.each(CORPUS)('$file validates for its own release', (c) => {
    const r = parseKickstart(c.text);
    expect(codes(validateKickstart(r.profile, r.section, { distro: { ...c.distro, minor: null }, firmware: c.firmware }))).toEqual(c.validateCodes);
  });
});

describe('round trips: parse -> render -> parse', () => {
  it.each(CORPUS)('$file keeps every field and renders the same file again', (c) => {
    const first = parseKickstart(c.text);
    const p1 = hashed(first.profile);
    const ctx = roundTripContext(c, p1);
    const text1 = renderKickstart(commonProfileSchema.parse(p1), kickstartSectionSchema.parse(first.section), ctx);
    const second = parseKickstart(text1);
    expect(commonProfileSchema.parse(second.profile)).toEqual(commonProfileSchema.parse(p1));
    expect(kickstartSectionSchema.parse(second.section)).toEqual(kickstartSectionSchema.parse(first.section));
    expect(renderKickstart(commonProfileSchema.parse(second.profile), kickstartSectionSchema.parse(second.section), ctx)).toBe(text1);
  });

  it.each([
    ['CentOS 7', { id: 'centos', major: 7 }],
    ['Rocky 8', { id: 'rocky', major: 8 }],
    ['RHEL 9', { id: 'rhel', major: 9 }],
    ['RHEL 10', { id: 'rhel', major: 10 }],
    ['openEuler 22.03', { id: 'openeuler', major: 22 }],
  ])('the full profile survives a rendering for %s', (_name, distro) => {
    for (const firmware of ['bios', 'uefi'] as const) {
      const p = profile({ ...FULL_PROFILE, network: { mode: 'dhcp', hostname: 'web01.example.net' } });
      const s = section({ ...FULL_SECTION, advanced: { commands: ['logging --level=info', '%include /tmp/extra.ks'], sections: ['%onerror\necho failed\n%end'] } });
      const text = renderKickstart(p, s, context(distro, firmware, { hostname: null }));
      const back = parseKickstart(text);
      const expected = { ...p, name: 'Imported kickstart' };
      // UEFI renders add the ESP: that is the one change an import of a UEFI file sees.
      if (firmware === 'uefi') expected.disk = { ...p.disk, partitions: [{ mount: '/boot/efi', sizeMiB: 600, grow: false }, ...p.disk.partitions] };
      expect(commonProfileSchema.parse(back.profile)).toEqual(expected);
      // RHEL 7 (yum) has no weak dependencies option: the renderer leaves it out (validate warns).
      const weak = distro.major === 7 ? false : s.packages.excludeWeakdeps;
      expect(kickstartSectionSchema.parse(back.section)).toEqual({ ...s, packages: { ...s.packages, excludeWeakdeps: weak } });
      expect(back.issues).toEqual([]);
    }
  });
});

describe('lexing', () => {
  it('joins a trailing backslash with the next line (a lenient import; pykickstart itself refuses it)', () => {
    const r = parseKickstart('clearpart --all --initlabel \\\n   --drives=sdb\nautopart --type=plain\n');
    expect(r.profile.disk).toEqual({ target: '/dev/sdb', wipe: true, layout: 'plain', partitions: [] });
  });

  it('reads quoted arguments and comments as shlex does', () => {
    const r = parseKickstart(`user --name=ops --gecos='Ops "Night" Team' # the on-call user\nrootpw --iscrypted ${ROOT_HASH} # root\n`);
    expect(r.profile.accounts?.user).toMatchObject({ name: 'ops', fullName: 'Ops "Night" Team' });
    expect(r.profile.accounts?.root).toEqual({ hash: ROOT_HASH });
  });

  it('keeps a script verbatim, blank lines and shell comments included, up to its %end', () => {
    const body = '#!/bin/sh\n# set up\n\nfor i in 1 2; do\n  echo "$i" # keep\ndone';
    const r = parseKickstart(`%post\n${body}\n\n%end\n`);
    expect(r.profile.postScript).toBe(body);
  });

  it('ends a section at a line whose first word is %end, even indented', () => {
    const r = parseKickstart('%post\necho a\n   %end   \nreboot\n');
    expect(r.profile.postScript).toBe('echo a');
    expect(r.profile.finish).toBe('reboot');
  });

  it('does not end a section at %end inside a word or line', () => {
    const r = parseKickstart('%post\necho %end\nprintf "%end"\n%endx\n%end\n');
    expect(r.profile.postScript).toBe('echo %end\nprintf "%end"\n%endx');
  });

  it('closes an unterminated section at the next section header, with a warning', () => {
    const r = parseKickstart('%pre\necho a\n%post\necho b\n%end\n');
    expect(r.profile.preScript).toBe('echo a');
    expect(r.profile.postScript).toBe('echo b');
    expect(codes(r.issues)).toContain('KS_UNTERMINATED_SECTION');
  });

  it('splits lines where anaconda does (U+2028, \\x85, \\r\\n)', () => {
    const r = parseKickstart('lang de_DE.UTF-8\u2028keyboard de\x85timezone Europe/Berlin --utc\r\nreboot');
    expect(r.profile.locale).toMatchObject({ language: 'de_DE.UTF-8', keyboard: 'de', timezone: 'Europe/Berlin', utc: true });
  });

  it('reports a line it cannot split and goes on', () => {
    const r = parseKickstart('user --name=ops --gecos="unterminated\nreboot\n');
    expect(r.issues).toContainEqual(expect.objectContaining({ code: 'KS_IMPORT_SYNTAX', severity: 'error' }));
    expect(r.profile.finish).toBe('reboot');
  });

  it('drops an unknown section with an error (anaconda stops on it)', () => {
    const r = parseKickstart('%foo\nbar\n%end\nreboot\n');
    expect(codes(r.issues)).toContain('KS_UNKNOWN_SECTION');
    expect(r.section.advanced?.sections).toEqual([]);
  });
});

describe('commands', () => {
  const one = (text: string) => parseKickstart(text);

  it.each([
    ['rootpw --iscrypted (SHA-512) keeps the hash', `rootpw --iscrypted ${ROOT_HASH}`, { hash: ROOT_HASH }, []],
    ['rootpw --plaintext becomes { plain } for the core to hash', 'rootpw --plaintext s3cret', { plain: 's3cret' }, ['KS_PLAIN_PASSWORD']],
    ['rootpw without --iscrypted is plain text', 'rootpw s3cret', { plain: 's3cret' }, ['KS_PLAIN_PASSWORD']],
    ['rootpw --iscrypted MD5 is dropped (root locked)', 'rootpw --iscrypted $1$abc$defghijklmnopqrstuvwx.', null, ['KS_UNSUPPORTED_HASH']],
    ['rootpw --lock', 'rootpw --lock', null, []],
  ])('%s', (_why, line, root, issueCodes) => {
    const r = one(`${line}\nreboot\n`);
    expect(r.profile.accounts?.root).toEqual(root);
    expect(codes(r.issues).filter((c) => c !== 'KS_IMPORT_NO_STORAGE')).toEqual(issueCodes);
  });

  it.each([
    ['keyboard us', 'us'],
    ["keyboard --vckeymap=us --xlayouts='us'", 'us'],
    ["keyboard --vckeymap=de-nodeadkeys --xlayouts='de (nodeadkeys)'", 'de(nodeadkeys)'],
    ['keyboard --vckeymap=fr-oss', 'fr-oss'],
  ])('%s', (line, layout) => {
    expect(one(line).profile.locale?.keyboard).toBe(layout);
  });

  it.each([
    ['firewall --enabled', true, ['ssh']],
    ['firewall --enabled --service=http --service=https', true, ['ssh', 'http', 'https']],
    ['firewall --enabled --http --remove-service=ssh', true, ['http']],
    ['firewall --disabled', false, undefined],
  ])('%s', (line, enabled, services) => {
    const sec = one(line).profile.security;
    expect(sec?.firewall).toBe(enabled);
    expect(sec?.firewallServices).toEqual(services);
  });

  it('takes the first network that configures a device; the host name from any line', () => {
    const r = one('network --hostname=web01\nnetwork --bootproto=dhcp --device=eth0 --onboot=on\nnetwork --bootproto=dhcp --device=eth1 --activate\n');
    expect(r.profile.network).toEqual({ hostname: 'web01', mode: 'dhcp' });
    expect(r.section.advanced?.commands).toEqual(['network --bootproto=dhcp --device=eth1 --activate']);
  });

  it('keeps localhost out of the host name', () => {
    expect(one('network --hostname=localhost.localdomain').profile.network?.hostname).toBeUndefined();
  });

  it('maps authselect and the authconfig flags rackboot writes; keeps other authconfig lines verbatim', () => {
    expect(one('authselect select winbind with-mkhomedir --force').section.auth).toEqual({ profile: 'winbind', features: ['with-mkhomedir'] });
    expect(one('authconfig --enableshadow --passalgo=sha512 --enablesssd --enablesssdauth --enablemkhomedir').section.auth).toEqual({ profile: 'sssd', features: ['with-mkhomedir'] });
    const ldap = one('authconfig --enableldap --ldapserver=ldap://ldap.example.com');
    expect(ldap.section.auth).toEqual({ profile: 'default', features: [] });
    expect(ldap.section.advanced?.commands).toEqual(['authconfig --enableldap --ldapserver=ldap://ldap.example.com']);
  });

  it('drops the install media repositories and keeps extra ones', () => {
    const r = one('repo --name=AppStream --baseurl=file:///run/install/sources/mount-0000-cdrom/AppStream\nrepo --name=extras --baseurl=http://repo.example.net/x/\n');
    expect(r.profile.packages?.repositories).toEqual([{ name: 'extras', url: 'http://repo.example.net/x/' }]);
    expect(codes(r.issues)).toContain('KS_IMPORT_SOURCE');
  });

  it('reads %packages: environment, groups, exclusions, options', () => {
    const r = one('%packages --nocore --excludedocs --inst-langs=en:de\n@^graphical-server-environment\n@core\nvim # editor\n-cockpit\n@base --nodefaults\n%end\n');
    expect(r.profile.packages).toMatchObject({ install: ['@core', 'vim', '@base'], exclude: ['cockpit'] });
    expect(r.section.packages).toMatchObject({ environment: 'graphical-server-environment', noCore: true, excludeDocs: true, instLangs: ['en', 'de'] });
    expect(codes(r.issues)).toContain('KS_IMPORT_DROPPED'); // @base --nodefaults
  });

  it('reads kdump from its %addon, other addons stay verbatim', () => {
    const r = one("%addon com_redhat_kdump --enable --reserve-mb=256\n%end\n%addon org_fedora_oscap\ncontent-type = scap-security-guide\n%end\n");
    expect(r.section.kdump).toEqual({ state: 'enabled', reserveMb: 256 });
    expect(r.section.advanced?.sections).toEqual(['%addon org_fedora_oscap\ncontent-type = scap-security-guide\n%end']);
  });

  it('re-imports rackboot\'s own file without its callback lines or a source warning', () => {
    const text = renderKickstart(profile({ accounts: { root: { hash: ROOT_HASH } }, preScript: 'echo pre', postScript: 'echo post' }), section(), context({ id: 'rocky', major: 9 }));
    const r = parseKickstart(text);
    expect(r.profile.preScript).toBe('echo pre');
    expect(r.profile.postScript).toBe('echo post');
    expect(r.section.advanced).toEqual({ commands: [], sections: [] });
    expect(r.issues).toEqual([]);
  });

  it('a file with no disk commands gets the form\'s default layout, with a warning', () => {
    const r = one('lang en_US.UTF-8\nreboot\n');
    expect(codes(r.issues)).toEqual(['KS_IMPORT_NO_STORAGE']);
  });

  it.each([
    ['part with --ondisk elsewhere', 'ignoredisk --only-use=sda\nclearpart --all\npart / --size=1 --grow --ondisk=sdb\n'],
    ['RAID', 'clearpart --all\npart raid.01 --size=1 --grow\nraid / --level=1 --device=md0 raid.01\n'],
    ['two volume groups', 'clearpart --all\npart pv.1 --size=1 --grow\npart pv.2 --size=1 --grow\nvolgroup a pv.1\nvolgroup b pv.2\nlogvol / --vgname=a --name=root --size=1 --grow\n'],
    ['a fixed-size PV', 'clearpart --all\npart pv.1 --size=10000\nvolgroup a pv.1\nlogvol / --vgname=a --name=root --size=1 --grow\n'],
    ['autopart with options', 'clearpart --all\nautopart --type=lvm --nohome\n'],
    ['clearpart --linux', 'clearpart --linux\nautopart\n'],
    ['clearing without a layout', 'clearpart --all --initlabel\n'],
  ])('keeps storage verbatim: %s', (_why, text) => {
    const r = one(text);
    expect(r.section.storage?.verbatim).toBe(true);
    expect(r.section.advanced?.commands).toEqual(text.trim().split('\n'));
  });
});
