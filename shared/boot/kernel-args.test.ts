/** installArgs per family and version, on ISOs detected from the distro fixtures (boot-chains §4). */
import { describe, expect, it } from 'vitest';
import { detectDistro } from '../distro/detect.ts';
import * as fx from '../distro/fixtures.ts';
import { memorySource } from '../distro/source.ts';
import type { BootIso } from './decide.ts';
import { installArgs, isSafeArg, type InstallArgs, type InstallArgsOptions } from './kernel-args.ts';

const iso = async (id: string, f: fx.IsoFixture, wimboot = false): Promise<BootIso> => ({ id, info: await detectDistro(memorySource(f.label, f.files), { wimboot }) });
const rhel = (version: string, extra: Partial<Parameters<typeof fx.rhelTree>[0]> = {}) =>
  fx.rhelTree({ name: 'Red Hat Enterprise Linux', short: 'RHEL', version, label: `RHEL-${version.replace('.', '-')}-0-BaseOS-x86_64`, repo: 'variants', ...extra });

const ISOS = {
  centos7: await iso('centos-7.9', fx.centos7),
  rhel8: await iso('rhel-8.10', rhel('8.10')),
  rhel9: await iso('rhel-9.4', rhel('9.4')),
  rhel10: await iso('rhel-10.0', rhel('10.0', { isolinux: false })),
  rhel9boot: await iso('rhel-9.4-boot', rhel('9.4', { repo: 'none' })),
  rocky9: await iso('rocky-9.4', fx.rhelTree({ name: 'Rocky Linux', short: 'Rocky', version: '9.4', label: 'Rocky-9-4-x86_64-dvd', repo: 'variants' })),
  ubuntu2004: await iso('ubuntu-20.04', fx.ubuntu2004Server),
  ubuntu2404: await iso('ubuntu-24.04.1', fx.ubuntu2404Server),
  ubuntu2404desktop: await iso('ubuntu-24.04-desktop', fx.ubuntu2404Desktop),
  debian12: await iso('debian-12.5.0', fx.debian12),
  windows11: await iso('win11', fx.windows11, true),
  data: await iso('data', fx.dataIso),
};

const MAC = '52:54:00:ab:cd:ef';
const opts = (id: string, answer: string | null, more: Partial<InstallArgsOptions> = {}): InstallArgsOptions => ({
  isoUrl: `http://198.18.0.1:8080/iso/${id}/`,
  isoFileUrl: `http://198.18.0.1:8080/iso/${id}.iso`,
  answerUrl: answer === null ? null : `http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/${answer}`,
  mac: MAC,
  hostname: 'node-1',
  console: 'ttyS0,115200n8',
  extra: [],
  callbackUrl: 'http://198.18.0.1:8080/api/callback/52-54-00-ab-cd-ef',
  ...more,
});

function ok(i: BootIso, o: InstallArgsOptions): InstallArgs {
  const r = installArgs(i, o);
  if ('unsupported' in r) throw new Error(r.unsupported);
  return r;
}

describe('RHEL family (anaconda)', () => {
  it.each([
    ['CentOS 7', ISOS.centos7],
    ['RHEL 8', ISOS.rhel8],
    ['RHEL 9', ISOS.rhel9],
    ['RHEL 10', ISOS.rhel10],
    ['Rocky 9', ISOS.rocky9],
  ])('%s: inst.repo at the ISO root, inst.ks with sendmac, ip=dhcp, BOOTIF, console last', (_n, i) => {
    const r = ok(i, opts(i.id, 'ks.cfg'));
    expect(r.kernel).toBe('images/pxeboot/vmlinuz');
    expect(r.initrd).toBe('images/pxeboot/initrd.img');
    expect(r.args).toEqual(expect.arrayContaining([
      `inst.repo=http://198.18.0.1:8080/iso/${i.id}/`,
      'inst.ks=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/ks.cfg',
      'inst.ks.sendmac',
      'ip=dhcp',
      'BOOTIF=01-52-54-00-ab-cd-ef',
    ]));
    expect(r.args.at(-1)).toBe('console=ttyS0,115200n8');
  });

  it('seed-003 pitfall: RHEL 9 ignores a bare ks=, so no version ever gets one', () => {
    for (const i of [ISOS.centos7, ISOS.rhel8, ISOS.rhel9, ISOS.rhel10]) {
      const r = ok(i, opts(i.id, 'ks.cfg'));
      expect(r.args.filter((a) => /^ks=/.test(a))).toEqual([]);
      expect(r.args.filter((a) => /^repo=|^method=/.test(a))).toEqual([]);
    }
  });

  it('drops rd.live.check, inst.stage2=hd: and initrd= from the ISO\'s own args and keeps the rest (quiet)', () => {
    const r = ok(ISOS.rhel9, opts('rhel-9.4', 'ks.cfg'));
    expect(r.args.some((a) => a === 'rd.live.check' || a.startsWith('inst.stage2=hd:') || a.startsWith('initrd='))).toBe(false);
    expect(r.args).toContain('quiet');
  });

  it('a boot ISO without packages gets inst.stage2 and a note that the kickstart must name a repository', () => {
    const r = ok(ISOS.rhel9boot, opts('rhel-9.4-boot', 'ks.cfg'));
    expect(r.args).toContain('inst.stage2=http://198.18.0.1:8080/iso/rhel-9.4-boot/');
    expect(r.args.some((a) => a.startsWith('inst.repo='))).toBe(false);
    expect(r.notes.join(' ')).toMatch(/kickstart must name a repository/);
  });

  it('without an answer file: no inst.ks, a note says the install is interactive', () => {
    const r = ok(ISOS.rhel9, opts('rhel-9.4', null));
    expect(r.args.some((a) => a.startsWith('inst.ks'))).toBe(false);
    expect(r.notes.join(' ')).toMatch(/no kickstart/);
  });

  it('extra args go before the console; unsafe ones are left out with a note', () => {
    const r = ok(ISOS.rhel9, opts('rhel-9.4', 'ks.cfg', { extra: ['inst.text', 'rd.debug', 'a b', 'x"y', 'evil\n#!ipxe'] }));
    expect(r.args.slice(-3)).toEqual(['inst.text', 'rd.debug', 'console=ttyS0,115200n8']);
    expect(r.notes.filter((n) => n.startsWith('extra argument'))).toHaveLength(3);
  });

  it('no console: nothing appended', () => {
    const r = ok(ISOS.rhel9, opts('rhel-9.4', 'ks.cfg', { console: null }));
    expect(r.args.some((a) => a.startsWith('console='))).toBe(false);
  });

  it('never puts the callback (and its token) on the command line', () => {
    const r = ok(ISOS.rhel9, opts('rhel-9.4', 'ks.cfg'));
    expect(r.args.join(' ')).not.toMatch(/callback/);
  });
});

describe('Ubuntu (casper)', () => {
  it.each([
    ['20.04 live-server', ISOS.ubuntu2004],
    ['24.04 live-server', ISOS.ubuntu2404],
  ])('%s: url= the .iso, ip=dhcp, root=/dev/ram0, cloud-config-url=/dev/null, autoinstall, ds with a trailing slash', (_n, i) => {
    const r = ok(i, opts(i.id, 'user-data'));
    expect(r.kernel).toBe('casper/vmlinuz');
    expect(r.initrd).toBe('casper/initrd');
    expect(r.args.slice(0, 6)).toEqual([
      `url=http://198.18.0.1:8080/iso/${i.id}.iso`,
      'ip=dhcp',
      'root=/dev/ram0',
      'cloud-config-url=/dev/null',
      'autoinstall',
      'ds=nocloud-net;s=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/',
    ]);
    expect(r.args.at(-1)).toBe('console=ttyS0,115200n8');
    expect(r.notes.join(' ')).toMatch(/twice the ISO size/);
  });

  it('our arguments go before the ISO\'s `---`; the console comes after it so the installed system keeps it', () => {
    const r = ok(ISOS.ubuntu2404, opts('ubuntu-24.04.1', 'user-data', { extra: ['fsck.mode=skip'] }));
    const dash = r.args.indexOf('---');
    expect(dash).toBeGreaterThan(r.args.indexOf('fsck.mode=skip'));
    expect(r.args.indexOf('console=ttyS0,115200n8')).toBeGreaterThan(dash);
  });

  it('gives the RAM figure when the ISO size is known', () => {
    const r = ok(ISOS.ubuntu2404, opts('ubuntu-24.04.1', 'user-data', { isoBytes: 2.7 * 2 ** 30 }));
    expect(r.notes.join(' ')).toMatch(/at least 5\.4 GiB/);
  });

  it('refuses a url= that does not end in .iso (casper would ignore it)', () => {
    expect(installArgs(ISOS.ubuntu2404, opts('u', 'user-data', { isoFileUrl: 'http://198.18.0.1:8080/iso/u' }))).toMatchObject({ unsupported: expect.stringMatching(/\.iso/) });
  });

  it('desktop image: same scheme, a note about 24.04+', () => {
    const r = ok(ISOS.ubuntu2404desktop, opts('ubuntu-24.04-desktop', 'user-data'));
    expect(r.args).toContain('autoinstall');
    expect(r.notes.join(' ')).toMatch(/desktop/);
  });

  it('without autoinstall data: no autoinstall, no ds=', () => {
    const r = ok(ISOS.ubuntu2404, opts('ubuntu-24.04.1', null));
    expect(r.args.some((a) => a === 'autoinstall' || a.startsWith('ds='))).toBe(false);
    expect(r.args).toContain('cloud-config-url=/dev/null');
  });
});

describe('Debian (d-i)', () => {
  it('auto=true priority=critical url=<preseed>, no-default-route answered, interface=auto BOOTIF hostname, and the cdrom-initrd note', () => {
    const r = ok(ISOS.debian12, opts('debian-12.5.0', 'preseed.cfg'));
    expect(r.kernel).toBe('install.amd/vmlinuz');
    expect(r.initrd).toBe('install.amd/initrd.gz');
    expect(r.args.slice(0, 7)).toEqual([
      'auto=true',
      'priority=critical',
      'url=http://198.18.0.1:8080/answers/52-54-00-ab-cd-ef/preseed.cfg',
      'netcfg/no_default_route=true',
      'interface=auto',
      'BOOTIF=01-52-54-00-ab-cd-ef',
      'hostname=node-1',
    ]);
    expect(r.args.at(-1)).toBe('console=ttyS0,115200n8');
    expect(r.notes.join(' ')).toMatch(/cdrom flavour.*12\.5/);
  });

  it('an invalid hostname is not passed, with a note', () => {
    const r = ok(ISOS.debian12, opts('debian-12.5.0', 'preseed.cfg', { hostname: 'bad_host;rm' }));
    expect(r.args.some((a) => a.startsWith('hostname='))).toBe(false);
    expect(r.notes.join(' ')).toMatch(/not a valid host name/);
  });
});

describe('not netbootable', () => {
  it('Windows (wimboot) is not supported, with a reason', () => {
    expect(installArgs(ISOS.windows11, opts('win11', null))).toMatchObject({ unsupported: expect.stringMatching(/wimboot/) });
  });

  it('an ISO detection refused passes its reason on', () => {
    expect(installArgs(ISOS.data, opts('data', null))).toMatchObject({ unsupported: expect.any(String) });
  });
});

describe('isSafeArg', () => {
  it.each([
    ['ds=nocloud-net;s=http://a/b/', true],
    ['console=ttyS0,115200n8', true],
    ['a b', false],
    ['x\ny', false],
    ["o'k", false],
    ['${ip}', false],
    ['', false],
    ['é', false],
  ])('%j -> %s', (a, want) => expect(isSafeArg(a)).toBe(want));
});
