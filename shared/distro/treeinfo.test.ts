import { describe, expect, it } from 'vitest';
import { parseDiscinfo } from './discinfo.ts';
import { centos7, productmdTreeinfo } from './fixtures.ts';
import { iniGet, parseIni } from './ini.ts';
import { parseTreeinfo } from './treeinfo.ts';

describe('INI dialect', () => {
  it('lowercases sections and keys, keeps values, skips comments, joins continuation lines', () => {
    const ini = parseIni('; c\n# c\n[Images-X86_64]\nKernel = images/pxeboot/vmlinuz\nboot.iso: images/boot.iso\n\n[tree]\nvariants = A,\n  B\n');
    expect(iniGet(ini, 'images-x86_64', 'kernel')).toBe('images/pxeboot/vmlinuz');
    expect(iniGet(ini, 'IMAGES-x86_64', 'boot.iso')).toBe('images/boot.iso');
    expect(iniGet(ini, 'tree', 'variants')).toBe('A, B');
  });
  it.each([
    ['key before any section', 'a = 1\n[s]\nb = 2', 's', 'a', null],
    ['unterminated section header', '[s\nb = 2', 's', 'b', null],
    ['empty key', '[s]\n= 2', 's', '', null],
    ['later duplicate wins', '[s]\nk = 1\nk = 2', 's', 'k', '2'],
    ['value with = and :', '[checksums]\nimages/a = sha256:ab=cd', 'checksums', 'images/a', 'sha256:ab=cd'],
    ['CRLF lines', '[s]\r\nk = v\r\n', 's', 'k', 'v'],
  ])('%s', (_why, text, section, key, value) => {
    expect(iniGet(parseIni(text), section, key)).toBe(value);
  });
  it('caps the number of sections', () => {
    const ini = parseIni(Array.from({ length: 5000 }, (_, i) => `[s${i}]\nk = ${i}`).join('\n'));
    expect(ini.size).toBe(1000);
  });
});

describe('.treeinfo', () => {
  it('reads a productmd 1.2 treeinfo (Rocky 9.4)', () => {
    const ti = parseTreeinfo(productmdTreeinfo({ name: 'Rocky Linux', short: 'Rocky', version: '9.4' }))!;
    expect(ti).toMatchObject({
      format: 'productmd',
      formatVersion: '1.2',
      family: 'Rocky Linux',
      short: 'Rocky',
      version: '9.4',
      arch: 'x86_64',
      platforms: ['x86_64', 'xen'],
      stage2: 'images/install.img',
      discnum: 1,
      totaldiscs: 1,
    });
    expect(ti.name).toBe('Rocky Linux 9.4');
    expect(ti.images['x86_64']).toEqual({ 'efiboot.img': 'images/efiboot.img', initrd: 'images/pxeboot/initrd.img', kernel: 'images/pxeboot/vmlinuz' });
    expect(ti.variants).toEqual([
      { uid: 'AppStream', id: 'AppStream', name: 'AppStream', type: 'variant', repository: 'AppStream', packages: 'AppStream/Packages' },
      { uid: 'BaseOS', id: 'BaseOS', name: 'BaseOS', type: 'variant', repository: 'BaseOS', packages: 'BaseOS/Packages' },
    ]);
  });

  it('reads productmd without the [general] compatibility section', () => {
    const ti = parseTreeinfo(productmdTreeinfo({ name: 'Red Hat Enterprise Linux', short: 'RHEL', version: '10.0', arch: 'aarch64', general: false }))!;
    expect(ti).toMatchObject({ family: 'Red Hat Enterprise Linux', name: 'Red Hat Enterprise Linux 10.0', version: '10.0', arch: 'aarch64', platforms: ['aarch64'], packagedir: null });
  });

  it('reads the pre-productmd [general] form (CentOS 7)', () => {
    const ti = parseTreeinfo(centos7.files['.treeinfo'] as string)!;
    expect(ti).toMatchObject({ format: 'legacy', formatVersion: null, family: 'CentOS', name: 'CentOS-7', short: null, version: '7', arch: 'x86_64', stage2: 'LiveOS/squashfs.img', variants: [], packagedir: null });
    expect(Object.keys(ti.images).sort()).toEqual(['x86_64', 'xen']);
  });

  it('reads legacy [general] variants', () => {
    const ti = parseTreeinfo('[general]\nfamily = CentOS Linux\nvariants = AppStream,BaseOS\nversion = 8\n')!;
    expect(ti.variants.map((v) => v.uid)).toEqual(['AppStream', 'BaseOS']);
  });

  it.each([
    ['empty', ''],
    ['garbage', '\u0000\u0001 not an ini file at all'],
    ['another INI file', '[main]\ncachedir=/var/cache\n'],
    ['only a header cut before any section body', '[head'],
  ])('%s is not a treeinfo', (_why, text) => expect(parseTreeinfo(text)).toBeNull());

  it('a truncated productmd file keeps what it has', () => {
    const ti = parseTreeinfo('[header]\ntype = productmd.treeinfo\nversion = 1.2\n\n[release]\nname = Rocky Li')!;
    expect(ti).toMatchObject({ format: 'productmd', family: 'Rocky Li', version: null, images: {}, stage2: null, variants: [] });
  });

  it('ignores bad disc numbers', () => {
    expect(parseTreeinfo('[media]\ndiscnum = -1\ntotaldiscs = lots\n[tree]\narch = x86_64')).toMatchObject({ discnum: null, totaldiscs: null });
  });
});

describe('.discinfo', () => {
  it.each([
    ['RHEL 8+ style', '1714881358.123456\nRocky Linux 9.4\nx86_64\n', { timestamp: 1714881358.123456, description: 'Rocky Linux 9.4', arch: 'x86_64', discs: null }],
    ['CentOS 7 style', '1603486596.378416\n7.9\nx86_64\n1\n', { timestamp: 1603486596.378416, description: '7.9', arch: 'x86_64', discs: [1] }],
    ['disc list', '1\nX\naarch64\n1,2,3', { timestamp: 1, description: 'X', arch: 'aarch64', discs: [1, 2, 3] }],
    ['ALL discs, empty description', '1700000000\n\nppc64le\nALL', { timestamp: 1700000000, description: null, arch: 'ppc64le', discs: 'all' }],
    ['weird arch', '1700000000\nX\nx86 64; rm -rf\n', { timestamp: 1700000000, description: 'X', arch: null, discs: null }],
  ])('%s', (_why, text, want) => expect(parseDiscinfo(text)).toEqual(want));
  it.each([[''], ['Rocky Linux 9.4\n'], ['\u0000\u0000']])('rejects %j', (text) => expect(parseDiscinfo(text)).toBeNull());
});
