import { describe, expect, it } from 'vitest';
import { parseDebianRelease } from './debian-release.ts';
import { parseDiskInfo } from './disk-info.ts';

describe('.disk/info', () => {
  it.each([
    [
      'Debian 12 netinst with firmware',
      'Debian GNU/Linux 12.5.0 "Bookworm" - Official amd64 NETINST with firmware 20240210-11:27',
      { product: 'Debian GNU/Linux', version: '12.5.0', lts: false, codename: 'Bookworm', releaseType: 'Official', arch: 'amd64', media: ['NETINST', 'with', 'firmware'], build: '20240210-11:27' },
    ],
    [
      'Debian 13 DVD',
      'Debian GNU/Linux 13.0.0 "Trixie" - Official amd64 DVD Binary-1 with firmware 20250809-11:22',
      { product: 'Debian GNU/Linux', version: '13.0.0', lts: false, codename: 'Trixie', releaseType: 'Official', arch: 'amd64', media: ['DVD', 'Binary-1', 'with', 'firmware'], build: '20250809-11:22' },
    ],
    [
      'Ubuntu server',
      'Ubuntu-Server 22.04.4 LTS "Jammy Jellyfish" - Release amd64 (20240220)',
      { product: 'Ubuntu-Server', version: '22.04.4', lts: true, codename: 'Jammy Jellyfish', releaseType: 'Release', arch: 'amd64', media: [], build: '20240220' },
    ],
    [
      'Ubuntu desktop GA without point release',
      'Ubuntu 24.04 LTS "Noble Numbat" - Release amd64 (20240424)',
      { product: 'Ubuntu', version: '24.04', lts: true, codename: 'Noble Numbat', releaseType: 'Release', arch: 'amd64', media: [], build: '20240424' },
    ],
    [
      'Ubuntu beta arm64',
      'Ubuntu-Server 24.10 "Oracular Oriole" - Beta arm64 (20240919)',
      { product: 'Ubuntu-Server', version: '24.10', lts: false, codename: 'Oracular Oriole', releaseType: 'Beta', arch: 'arm64', media: [], build: '20240919' },
    ],
    [
      'trailing newline and second line ignored',
      'Kubuntu 24.04.1 LTS "Noble Numbat" - Release amd64 (20240827)\nsecond line',
      { product: 'Kubuntu', version: '24.04.1', lts: true, codename: 'Noble Numbat', releaseType: 'Release', arch: 'amd64', media: [], build: '20240827' },
    ],
  ])('%s', (_why, text, want) => expect(parseDiskInfo(text)).toEqual(want));

  it.each([[''], ['zzz'], ['"Bookworm" - Official amd64'], ['x'.repeat(10_000)]])('rejects %j', (text) => expect(parseDiskInfo(text)).toBeNull());
});

describe('Debian Release', () => {
  const bookworm = [
    'Origin: Debian',
    'Label: Debian',
    'Suite: stable',
    'Version: 12.5',
    'Codename: bookworm',
    'Date: Sat, 10 Feb 2024 10:28:43 UTC',
    'Acquire-By-Hash: yes',
    'Architectures: amd64',
    'Components: main non-free-firmware',
    'Description: Debian 12.5 Released 10 February 2024',
    'MD5Sum:',
    ' 0ed6d4c8891eb86358b94bb35d9e4da4  1484322 main/binary-all/Packages',
    'Suite: not-this-one',
  ].join('\n');

  it('reads the header fields, first occurrence wins, checksum lines skipped', () => {
    expect(parseDebianRelease(bookworm)).toEqual({
      origin: 'Debian',
      label: 'Debian',
      suite: 'stable',
      codename: 'bookworm',
      version: '12.5',
      architectures: ['amd64'],
      components: ['main', 'non-free-firmware'],
      description: 'Debian 12.5 Released 10 February 2024',
    });
  });

  it('reads a signed InRelease', () => {
    const signed = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${bookworm}\n-----BEGIN PGP SIGNATURE-----\n`;
    expect(parseDebianRelease(signed)?.codename).toBe('bookworm');
  });

  it('testing has no Version', () => {
    expect(parseDebianRelease('Suite: testing\nCodename: trixie\nArchitectures: amd64 arm64\n')).toMatchObject({ version: null, architectures: ['amd64', 'arm64'] });
  });

  it.each([[''], ['garbage\u0000'], ['Origin: Debian\nLabel: Debian\n']])('rejects %j (no Suite or Codename)', (text) => expect(parseDebianRelease(text)).toBeNull());
});
