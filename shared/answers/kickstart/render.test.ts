import { unchecked } from '../deb-fixtures.ts';
import { describe, expect, it } from 'vitest';
import type { AnswerContext } from '../profile.ts';
import { FULL_PROFILE, FULL_SECTION, KEY, ROOT_HASH, USER_HASH, context, profile, section } from './fixtures.ts';
import { renderKickstart } from './render.ts';
import { rhelLevel } from './version.ts';
import { scriptDirective, shlexSplit, splitLines } from './syntax.ts';

/** Distro releases per family id (their own majors), each rendered for BIOS and UEFI. */
const RELEASES: { id: string; name: string; majors: number[] }[] = [
  { id: 'rhel', name: 'Red Hat Enterprise Linux', majors: [7, 8, 9, 10] },
  { id: 'centos', name: 'CentOS Linux', majors: [7, 8] },
  { id: 'centos-stream', name: 'CentOS Stream', majors: [8, 9, 10] },
  { id: 'rocky', name: 'Rocky Linux', majors: [8, 9, 10] },
  { id: 'alma', name: 'AlmaLinux', majors: [8, 9, 10] },
  { id: 'oracle', name: 'Oracle Linux', majors: [7, 8, 9] },
  { id: 'anolis', name: 'Anolis OS', majors: [7, 8, 23] },
  { id: 'openeuler', name: 'openEuler', majors: [20, 22, 24] },
  { id: 'kylin', name: 'Kylin Linux Advanced Server', majors: [7, 10] },
  { id: 'uos', name: 'UnionTech OS Server', majors: [20] },
  { id: 'fedora', name: 'Fedora', majors: [33, 39, 42] },
];
const MATRIX = RELEASES.flatMap((r) => r.majors.flatMap((major) => (['bios', 'uefi'] as const).map((firmware) => ({ ...r, major, firmware }))));

const full = () => profile(FULL_PROFILE);
const render = (id: string, major: number | null, firmware: 'bios' | 'uefi' = 'bios', p = full(), s = section(FULL_SECTION), extra = {}) =>
  renderKickstart(p, s, context({ id, major, name: id }, firmware, extra));

/** The kickstart's top-level command words (outside sections), as pykickstart would dispatch them. */
function commands(text: string): string[][] {
  const out: string[][] = [];
  let inSection = false;
  for (const line of splitLines(text)) {
    if (inSection) {
      if (scriptDirective(line) === 'end') inSection = false;
      continue;
    }
    const words = shlexSplit(line);
    if (words.length === 0) continue;
    if (words[0]!.startsWith('%') && words[0] !== '%include') inSection = true;
    else out.push(words);
  }
  return out;
}
const command = (text: string, name: string) => commands(text).filter((w) => w[0] === name);

describe('golden kickstarts: every family id, RHEL level and firmware', () => {
  it.each(MATRIX)('$id $major $firmware', async ({ id, name, major, firmware }) => {
    // The comps environment id changed with RHEL 8 (`minimal` -> `minimal-environment`).
    const environment = rhelLevel({ id, major }) === 7 ? 'minimal' : 'minimal-environment';
    const s = section({ ...FULL_SECTION, packages: { ...FULL_SECTION.packages, environment } });
    const text = renderKickstart(full(), s, context({ id, name, major }, firmware));
    await expect(text).toMatchFileSnapshot(`./golden/${id}-${major}-${firmware}.ks`);
  });

  it.each([
    ['defaults-rocky9-bios', 'rocky', 9, 'bios', profile({ accounts: { root: { hash: ROOT_HASH } } }), section(), {}],
    [
      'static-rhel8-uefi',
      'rhel',
      8,
      'uefi',
      profile({ network: { mode: 'static', dns: [] }, accounts: { root: { hash: ROOT_HASH } }, disk: { target: '/dev/nvme0n1', layout: 'plain' } }),
      section({ storage: { diskLabel: 'gpt' } }),
      { hostname: 'db01.example.net', address: { ip: '10.20.30.40', prefix: 24, gateway: '10.20.30.1', dns: ['10.20.0.53', '10.20.0.54'] } },
    ],
    [
      'custom-gpt-centos7-bios',
      'centos',
      7,
      'bios',
      profile({ ...FULL_PROFILE, disk: { ...FULL_PROFILE.disk, partitions: [{ mount: '/boot/efi', sizeMiB: 600 }, ...(FULL_PROFILE.disk!.partitions ?? [])] } }),
      section({ storage: { diskLabel: 'gpt' } }),
      {},
    ],
    [
      'custom-msdos-alma9-bios',
      'alma',
      9,
      'bios',
      profile({ ...FULL_PROFILE, disk: { target: 'auto', wipe: true, layout: 'custom', partitions: [{ mount: 'biosboot', sizeMiB: 1 }, { mount: '/', sizeMiB: 1, grow: true }] } }),
      section({ storage: { diskLabel: 'msdos' } }),
      {},
    ],
  ] as const)('%s', async (name, id, major, firmware, p, s, extra) => {
    const text = renderKickstart(p, s, context({ id, major, name: id }, firmware, extra as Partial<AnswerContext>));
    await expect(text).toMatchFileSnapshot(`./golden/${name}.ks`);
  });
});

describe('version differences', () => {
  it.each([
    [7, true],
    [8, false],
    [9, false],
  ])('RHEL %i: install command %s', (major, present) => {
    expect(command(render('rhel', major), 'install').length).toBe(present ? 1 : 0);
  });

  it.each([
    [7, 'authconfig --enableshadow --passalgo=sha512 --enablesssd --enablesssdauth --enablemkhomedir'],
    [8, 'authselect select sssd with-mkhomedir'],
    [9, 'authselect select sssd with-mkhomedir'],
    [10, 'authselect select sssd with-mkhomedir'],
  ])('RHEL %i: %s', (major, line) => {
    expect(splitLines(render('rhel', major))).toContain(line);
  });

  it('RHEL 7 installs ssh keys from a %post (no sshkey command); 8+ uses sshkey', () => {
    const seven = render('centos', 7);
    expect(command(seven, 'sshkey')).toEqual([]);
    expect(seven).toContain(`<<'RACKBOOT_KEYS'\n${KEY}\nRACKBOOT_KEYS\n`);
    expect(seven).toMatch(/^h=\$\(getent passwd ops \| cut -d: -f6\)$/m);
    const eight = render('rocky', 8);
    expect(command(eight, 'sshkey')).toEqual([['sshkey', '--username=ops', KEY]]);
    expect(eight).not.toContain('RACKBOOT_KEYS');
  });

  it('keys go to root when there is no user', () => {
    const p = profile({ ...FULL_PROFILE, accounts: { root: { hash: ROOT_HASH }, user: null, sshKeys: [KEY] } });
    expect(command(render('rocky', 9, 'bios', p), 'sshkey')).toEqual([['sshkey', '--username=root', KEY]]);
    expect(render('centos', 7, 'bios', p)).toContain('h=/root\n');
  });

  it.each([
    [7, ['timezone', 'Europe/Berlin', '--utc', '--ntpservers=ntp1.example.net,ntp2.example.net'], []],
    [8, ['timezone', 'Europe/Berlin', '--utc', '--ntpservers=ntp1.example.net,ntp2.example.net'], []],
    [9, ['timezone', 'Europe/Berlin', '--utc'], [['timesource', '--ntp-server=ntp1.example.net'], ['timesource', '--ntp-server=ntp2.example.net']]],
    [10, ['timezone', 'Europe/Berlin', '--utc'], [['timesource', '--ntp-server=ntp1.example.net'], ['timesource', '--ntp-server=ntp2.example.net']]],
  ])('RHEL %i: time zone and NTP', (major, timezone, timesource) => {
    const text = render('rhel', major);
    expect(command(text, 'timezone')).toEqual([timezone]);
    expect(command(text, 'timesource')).toEqual(timesource);
  });

  it('writes no --utc for a local hardware clock', () => {
    const p = profile({ ...FULL_PROFILE, locale: { timezone: 'Asia/Shanghai', utc: false } });
    expect(command(render('rocky', 9, 'bios', p), 'timezone')).toEqual([['timezone', 'Asia/Shanghai']]);
  });

  it.each([
    [7, '%packages --ignoremissing --instLangs=en_US'],
    [8, '%packages --ignoremissing --excludeWeakdeps --instLangs=en_US'],
    [9, '%packages --ignoremissing --exclude-weakdeps --inst-langs=en_US'],
    [10, '%packages --ignoremissing --exclude-weakdeps --inst-langs=en_US'],
  ])('RHEL %i: %s', (major, header) => {
    expect(splitLines(render('rhel', major))).toContain(header);
  });

  it('writes --nocore and --excludedocs at every level', () => {
    for (const major of [7, 8, 9]) {
      expect(render('rhel', major, 'bios', full(), section({ packages: { noCore: true, excludeDocs: true } }))).toMatch(/^%packages --nocore --excludedocs$/m);
    }
  });

  it.each([
    [8, 'rootpw --iscrypted ' + ROOT_HASH],
    [9, 'rootpw --iscrypted ' + ROOT_HASH + ' --allow-ssh'],
  ])('RHEL %i: rootpw --allow-ssh only where it exists', (major, line) => {
    expect(splitLines(render('rhel', major, 'bios', full(), section({ rootAllowSsh: true })))).toContain(line);
  });

  it('RHEL 9.0 predates --allow-ssh (9.1)', () => {
    const text = render('rhel', 9, 'bios', full(), section({ rootAllowSsh: true }), { distro: { id: 'rhel', name: 'RHEL', major: 9, minor: 0 } });
    expect(command(text, 'rootpw')).toEqual([['rootpw', '--iscrypted', ROOT_HASH]]);
  });

  it('openEuler, Kylin V10 and UOS get RHEL 8 syntax', () => {
    for (const [id, major] of [['openeuler', 22], ['kylin', 10], ['uos', 20]] as const) {
      const text = render(id, major);
      expect(text).toContain('(RHEL 8 syntax)');
      expect(command(text, 'install')).toEqual([]);
      expect(command(text, 'authselect').length).toBe(1);
      expect(command(text, 'timesource')).toEqual([]);
    }
  });
});

describe('firmware-correct custom layouts', () => {
  const parts = (text: string) => command(text, 'part').map((w) => w[1]);
  it('UEFI adds /boot/efi (efi, 600 MiB) and never writes biosboot or reqpart', () => {
    const text = render('rocky', 9, 'uefi');
    expect(command(text, 'part')[0]).toEqual(['part', '/boot/efi', '--fstype=efi', '--size=600', '--ondisk=sda']);
    expect(parts(text)).not.toContain('biosboot');
    expect(command(text, 'reqpart')).toEqual([]);
  });
  it('UEFI keeps the technician\'s /boot/efi size and drops their biosboot', () => {
    const p = profile({ ...FULL_PROFILE, disk: { ...FULL_PROFILE.disk, partitions: [{ mount: 'biosboot', sizeMiB: 1 }, { mount: '/boot/efi', sizeMiB: 1024 }, { mount: '/', sizeMiB: 1, grow: true }] } });
    const text = render('rocky', 9, 'uefi', p, section());
    expect(command(text, 'part')).toEqual([
      ['part', '/boot/efi', '--fstype=efi', '--size=1024', '--ondisk=sda'],
      ['part', '/', '--size=1', '--grow', '--ondisk=sda'],
    ]);
  });
  it('BIOS with an automatic label writes reqpart (biosboot only if the disk ends up GPT) and no /boot/efi', () => {
    const text = render('rocky', 9, 'bios');
    expect(command(text, 'reqpart')).toEqual([['reqpart']]);
    expect(parts(text)).not.toContain('/boot/efi');
    expect(parts(text)).not.toContain('biosboot');
  });
  it('BIOS on GPT gets part biosboot --fstype=biosboot --size=1', () => {
    const text = render('rocky', 9, 'bios', full(), section({ ...FULL_SECTION, storage: { diskLabel: 'gpt', volumeGroup: 'vg_sys' } }));
    expect(command(text, 'part')[0]).toEqual(['part', 'biosboot', '--fstype=biosboot', '--size=1', '--ondisk=sda']);
    expect(command(text, 'clearpart')).toEqual([['clearpart', '--all', '--initlabel', '--drives=sda', '--disklabel=gpt']]);
    expect(command(text, 'reqpart')).toEqual([]);
  });
  it('BIOS on msdos drops biosboot', () => {
    const p = profile({ ...FULL_PROFILE, disk: { ...FULL_PROFILE.disk, partitions: [{ mount: 'biosboot', sizeMiB: 1 }, { mount: '/', sizeMiB: 1, grow: true }] } });
    const text = render('rocky', 9, 'bios', p, section({ storage: { diskLabel: 'msdos' } }));
    expect(parts(text)).toEqual(['/']);
    expect(command(text, 'clearpart')[0]).toContain('--disklabel=msdos');
  });
  it('UEFI never asks for an msdos label (anaconda X86EFI takes gpt only)', () => {
    const text = render('rocky', 9, 'uefi', full(), section({ storage: { diskLabel: 'msdos' } }));
    expect(command(text, 'clearpart')[0]).toContain('--disklabel=gpt');
  });
  it('LVM: boot partitions stay partitions, the rest become LVs on one growing PV', () => {
    const text = render('rocky', 9, 'uefi');
    expect(command(text, 'part').map((w) => w[1])).toEqual(['/boot/efi', '/boot', 'pv.01']);
    expect(command(text, 'volgroup')).toEqual([['volgroup', 'vg_sys', 'pv.01']]);
    expect(command(text, 'logvol')).toEqual([
      ['logvol', 'swap', '--vgname=vg_sys', '--name=swap', '--size=4096'],
      ['logvol', '/', '--vgname=vg_sys', '--name=root', '--fstype=xfs', '--size=20480'],
      ['logvol', '/var', '--vgname=vg_sys', '--name=var', '--fstype=xfs', '--size=1', '--grow'],
    ]);
  });
  it('automatic layouts: autopart, target disk only, no firmware partitions', () => {
    const p = profile({ ...FULL_PROFILE, disk: { target: '/dev/disk/by-id/wwn-0x5000c500a1b2c3d4', layout: 'plain' } });
    const text = render('rocky', 9, 'uefi', p, section());
    expect(command(text, 'ignoredisk')).toEqual([['ignoredisk', '--only-use=disk/by-id/wwn-0x5000c500a1b2c3d4']]);
    expect(command(text, 'clearpart')).toEqual([['clearpart', '--all', '--initlabel', '--drives=disk/by-id/wwn-0x5000c500a1b2c3d4']]);
    expect(command(text, 'autopart')).toEqual([['autopart', '--type=plain']]);
    expect(command(text, 'part')).toEqual([]);
  });
  it('no wipe: clearpart --none, no zerombr', () => {
    const p = profile({ ...FULL_PROFILE, disk: { wipe: false, layout: 'auto' } });
    const text = render('rocky', 9, 'bios', p, section());
    expect(command(text, 'clearpart')).toEqual([['clearpart', '--none']]);
    expect(command(text, 'zerombr')).toEqual([]);
    expect(command(text, 'autopart')).toEqual([['autopart']]);
  });
});

describe('network, accounts, security', () => {
  it('static mode writes the reservation address with the netmask from the prefix', () => {
    const p = profile({ ...FULL_PROFILE, network: { mode: 'static', dns: ['1.1.1.1'] } });
    const text = render('rocky', 9, 'bios', p, section(), { address: { ip: '10.1.2.3', prefix: 20, gateway: '10.1.0.1', dns: ['10.1.0.53'] } });
    expect(command(text, 'network')).toEqual([
      ['network', '--bootproto=static', '--device=52:54:00:12:34:56', '--ip=10.1.2.3', '--netmask=255.255.240.0', '--gateway=10.1.0.1', '--nameserver=1.1.1.1', '--hostname=node01', '--activate'],
    ]);
  });
  it('static mode without an address falls back to DHCP and says so', () => {
    const p = profile({ network: { mode: 'static' } });
    const text = render('rocky', 9, 'bios', p, section());
    expect(command(text, 'network')).toEqual([['network', '--bootproto=dhcp', '--device=52:54:00:12:34:56', '--hostname=node01', '--activate']]);
    expect(text).toMatch(/^# Static network asked for, but this machine has no reserved address: DHCP instead\.$/m);
  });
  it('the context host name wins over the profile; the domain completes a short name', () => {
    const p = profile({ network: { hostname: 'fromprofile', domain: 'lab.example' } });
    expect(command(render('rocky', 9, 'bios', p, section()), 'network')[0]).toContain('--hostname=node01.lab.example');
    expect(command(render('rocky', 9, 'bios', p, section(), { hostname: null }), 'network')[0]).toContain('--hostname=fromprofile.lab.example');
    expect(command(render('rocky', 9, 'bios', profile(), section(), { hostname: null }), 'network')[0]).toEqual(['network', '--bootproto=dhcp', '--device=52:54:00:12:34:56', '--activate']);
  });
  it('locks root without a password; the user gets wheel, the hash and the full name', () => {
    const p = profile({ accounts: { root: null, user: { name: 'ops', fullName: 'Ops Team', password: { hash: USER_HASH } } } });
    const text = render('rocky', 9, 'bios', p, section());
    expect(command(text, 'rootpw')).toEqual([['rootpw', '--lock']]);
    expect(command(text, 'user')).toEqual([['user', '--name=ops', '--groups=wheel', '--iscrypted', `--password=${USER_HASH}`, '--gecos=Ops Team']]);
  });
  it.each([
    [{ firewall: true, firewallServices: ['ssh', 'http'] }, ['firewall', '--enabled', '--service=ssh,http']],
    [{ firewall: true, firewallServices: ['https'] }, ['firewall', '--enabled', '--service=https', '--remove-service=ssh']],
    [{ firewall: true, firewallServices: [] }, ['firewall', '--enabled', '--remove-service=ssh']],
    [{ firewall: false }, ['firewall', '--disabled']],
  ])('firewall %j', (security, line) => {
    expect(command(render('rocky', 9, 'bios', profile({ security }), section()), 'firewall')).toEqual([line]);
  });
  it('keyboard: plain layouts set both keymaps, variants the X layout, console maps the console', () => {
    const kb = (keyboard: string) => command(render('rocky', 9, 'bios', profile({ locale: { keyboard } }), section()), 'keyboard')[0];
    expect(kb('us')).toEqual(['keyboard', '--vckeymap=us', '--xlayouts=us']);
    expect(kb('de(nodeadkeys)')).toEqual(['keyboard', '--xlayouts=de (nodeadkeys)']);
    expect(kb('de-nodeadkeys')).toEqual(['keyboard', '--vckeymap=de-nodeadkeys']);
  });
  it('poweroff finishes with poweroff', () => {
    const text = render('rocky', 9, 'bios', profile({ finish: 'poweroff' }), section());
    expect(command(text, 'poweroff')).toEqual([['poweroff']]);
    expect(command(text, 'reboot')).toEqual([]);
  });
});

describe('callbacks and scripts', () => {
  const text = render('rocky', 9);
  const lines = splitLines(text);
  it('names both callbacks on a comment near the top', () => {
    expect(lines[1]).toBe('# rackboot-callback: http://10.20.0.5:8080/api/callback/52-54-00-12-34-56/started?token=t0k3n http://10.20.0.5:8080/api/callback/52-54-00-12-34-56/done?token=t0k3n');
  });
  it('%pre GETs started first (curl, wget fallback, never failing), then runs the profile pre script', () => {
    const i = lines.indexOf('%pre');
    expect(lines[i + 1]).toMatch(/^curl -fsS -m 10 -o \/dev\/null 'http:\/\/10\.20\.0\.5:8080\/api\/callback\/52-54-00-12-34-56\/started\?token=t0k3n' .*\|\| wget .*'http:\/\/10\.20\.0\.5.*started\?token=t0k3n' .*\|\| true # rackboot-callback started$/);
    expect(lines[i + 2]).toBe('echo "rackboot pre" > /dev/ttyS0');
    expect(lines[i + 3]).toBe('%end');
  });
  it('the profile %post runs in the new system with a log; a --nochroot %post last GETs done', () => {
    const post = lines.indexOf('%post --log=/root/ks-post.log');
    expect(lines.slice(post, post + 4)).toEqual(['%post --log=/root/ks-post.log', 'dnf -y update || yum -y update', 'systemctl enable --now chronyd', '%end']);
    const last = lines.lastIndexOf('%post --nochroot');
    expect(last).toBeGreaterThan(post);
    expect(lines[last + 1]).toMatch(/^curl .*done\?token=t0k3n' .*\|\| true # rackboot-callback done$/);
    expect(lines.slice(last + 2)).toEqual(['%end']);
  });
  it('%post --nochroot logs under /mnt/sysimage', () => {
    expect(splitLines(render('rocky', 9, 'bios', full(), section({ post: { nochroot: true, log: true } })))).toContain('%post --nochroot --log=/mnt/sysimage/root/ks-post.log');
  });
  it('an empty post script writes no profile %post; the done %post stays', () => {
    const t = render('rocky', 9, 'bios', profile({ accounts: { root: { hash: ROOT_HASH } } }), section());
    expect(splitLines(t).filter((l) => l.startsWith('%post'))).toEqual(['%post --nochroot']);
  });
  it('writes the kept commands and sections verbatim', () => {
    const s = section({ advanced: { commands: ['logging --level=debug', '%include /tmp/part.ks'], sections: ['%anaconda\npwpolicy root --minlen=10\n%end'] } });
    const t = render('rocky', 9, 'bios', full(), s);
    expect(t).toContain('# Kept verbatim from the imported kickstart:\nlogging --level=debug\n%include /tmp/part.ks\nreboot\n');
    expect(t).toContain('\n%anaconda\npwpolicy root --minlen=10\n%end\n');
  });
});

describe('refuses what would break or inject', () => {
  it.each([
    ['"%end" in the pre script', { preScript: 'echo a\n%end\nrootpw --plaintext pwned' }, /%end/],
    ['"%end" after a U+2028 line break', { postScript: 'echo a\u2028%end' }, /%end/],
    ['"%end" after \\v', { postScript: 'echo a\v  %end' }, /%end/],
    ['a section header in the post script', { postScript: '%packages' }, /kickstart parser/],
    ['%include in the post script', { postScript: '%include http://evil/x' }, /kickstart parser/],
    ['%ksappend in the post script', { postScript: '  %ksappend http://evil/x' }, /kickstart parser/],
  ])('a script with %s', (_why, input, message) => {
    expect(() => render('rocky', 9, 'bios', profile({ accounts: { root: { hash: ROOT_HASH } }, ...input }), section())).toThrow(message);
  });

  it.each([
    ['root', { root: { plain: 'secret' } }],
    ['the user', { root: null, user: { name: 'ops', password: { plain: 'secret' } } }],
  ])('a plain-text password for %s (the core hashes it first)', (_who, accounts) => {
    expect(() => render('rocky', 9, 'bios', profile({ accounts }), section())).toThrow(/not hashed/);
  });

  it.each([
    ['host name with ;', { hostname: 'a;reboot' }],
    ['host name with a newline', { hostname: 'a\nrootpw --plaintext x' }],
    ['MAC not canonical', { mac: '52:54:00:12:34:5G' }],
    ['ISO URL with a quote', { isoUrl: "http://h/iso/'$(reboot)'/" }],
    ['ISO URL with a newline', { isoUrl: 'http://h/iso/\nrootpw --plaintext x' }],
    ['callback with a quote', { callbacks: { started: "http://h/cb' ; reboot ; '", done: 'http://h/done' } }],
    ['callback with a backtick', { callbacks: { started: 'http://h/ok', done: 'http://h/`reboot`' } }],
    ['address not an IPv4', { address: { ip: '10.0.0.1 --bootproto=dhcp', prefix: 24, gateway: null, dns: [] } }],
    ['DNS server not an IPv4', { address: { ip: '10.0.0.1', prefix: 24, gateway: null, dns: ['1.1.1.1,evil'] } }],
    ['prefix out of range', { address: { ip: '10.0.0.1', prefix: 33, gateway: null, dns: [] } }],
  ])('a context with %s', (_why, extra) => {
    expect(() => render('rocky', 9, 'bios', full(), section(FULL_SECTION), extra)).toThrow();
  });

  it.each([
    ['a full name with a U+2028 line break', { accounts: { root: null, user: { name: 'ops', fullName: 'Ops\u2028rootpw --plaintext x' } } }],
    ['a full name with \\x85', { accounts: { root: null, user: { name: 'ops', fullName: 'Ops\x85rootpw --plaintext x' } } }],
    ['an ssh key comment with U+2029', { accounts: { root: { hash: ROOT_HASH }, sshKeys: [`${KEY}\u2029%end`] } }],
    ['a repository URL with \\x1c', { packages: { repositories: [{ name: 'r', url: 'http://h/\x1crootpw' }] } }],
  ])('%s (anaconda splits lines on it)', (_why, input) => {
    // The schema refuses it; should one slip past, the renderer (which validates again) still does.
    expect(() => profile(input)).toThrow();
    const p = unchecked(profile({ accounts: { root: { hash: ROOT_HASH }, user: { name: 'ops' } } }), input);
    expect(() => render('rocky', 9, 'bios', p, section())).toThrow();
    expect(() => render('centos', 7, 'bios', p, section())).toThrow();
  });

  it.each([
    ['a host name with a space', { network: { hostname: 'a b' } }],
    ['a package with a newline', { packages: { install: ['vim\nrootpw --plaintext x'] } }],
    ['a package with a space', { packages: { install: ['vim rootpw'] } }],
    ['a package with $()', { packages: { install: ['$(reboot)'] } }],
    ['a repository URL with a quote', { packages: { repositories: [{ name: 'r', url: "http://h/'x" }] } }],
    ['a repository URL with a space', { packages: { repositories: [{ name: 'r', url: 'http://h/ --baseurl=x' }] } }],
    ['a user name with ;', { accounts: { user: { name: 'ops;reboot' } } }],
    ['a full name with a newline', { accounts: { user: { name: 'ops', fullName: 'a\nb' } } }],
    ['a service with a comma', { security: { enableServices: ['sshd,cups'] } }],
  ])('the profile schema rejects %s', (_why, input) => {
    expect(() => render('rocky', 9, 'bios', { ...full(), ...input } as never, section())).toThrow();
  });

  it.each([
    ['quotes', 'Ops "Team" O\'Brien'],
    ['shell syntax', '$(reboot) `id` ; rm -rf / && x || y'],
    ['a hash sign', 'Ops #1'],
    ['backslashes', 'Ops\\Team \\"x\\"'],
  ])('a full name with %s stays one gecos value', (_why, fullName) => {
    const p = profile({ accounts: { root: { hash: ROOT_HASH }, user: { name: 'ops', fullName, password: { hash: USER_HASH } } } });
    const text = render('rocky', 9, 'bios', p, section());
    const users = command(text, 'user');
    expect(users).toEqual([['user', '--name=ops', '--groups=wheel', '--iscrypted', `--password=${USER_HASH}`, `--gecos=${fullName}`]]);
    // Nothing else changed: the same lines and commands as with a plain name.
    const plainText = render('rocky', 9, 'bios', profile({ ...p, accounts: { ...p.accounts, user: { ...p.accounts.user!, fullName: 'x' } } }), section());
    expect(commands(text).map((w) => w[0])).toEqual(commands(plainText).map((w) => w[0]));
    expect(splitLines(text).length).toBe(splitLines(plainText).length);
  });

  it('a profile name with line breaks is refused, by the schema and by the renderer', () => {
    expect(() => profile({ name: 'web\u2028rootpw --plaintext x' })).toThrow();
    expect(() => render('rocky', 9, 'bios', unchecked(profile({ accounts: { root: { hash: ROOT_HASH } } }), { name: 'web\u2028rootpw --plaintext x' }), section())).toThrow();
  });
});
