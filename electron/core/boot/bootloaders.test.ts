import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOOTLOADERS, bootloaderDirs, findBootloaders, repoBootloaderDir } from './bootloaders.ts';

const fakeFs = (paths: string[]) => {
  const set = new Set(paths.map((p) => resolve(p)));
  return (p: string) => set.has(resolve(p));
};
const none = { env: {}, resourcesPath: undefined, repoDir: null } as const;

describe('findBootloaders', () => {
  it('an explicit folder wins over the packaged resources, the repository and the system paths', () => {
    const exists = fakeFs(['/opt/rb/shimx64.efi', '/app/resources/bootloaders/shimx64.efi', '/repo/build/bootloaders/shimx64.efi', '/usr/lib/shim/shimx64.efi.signed']);
    const inv = findBootloaders(BOOTLOADERS, exists, { dir: '/opt/rb', resourcesPath: '/app/resources', repoDir: '/repo/build/bootloaders', env: {} });
    expect(inv.files.get('shimx64.efi')).toBe(resolve('/opt/rb/shimx64.efi'));
  });

  it('RACKBOOT_BOOTLOADERS is the explicit folder when no dir option is given', () => {
    expect(bootloaderDirs({ env: { RACKBOOT_BOOTLOADERS: '/env/bl' }, resourcesPath: undefined, repoDir: null })).toEqual([resolve('/env/bl')]);
    expect(bootloaderDirs({ dir: '/opt/x', env: { RACKBOOT_BOOTLOADERS: '/env/bl' }, resourcesPath: undefined, repoDir: null })).toEqual([resolve('/opt/x')]);
  });

  it('the search order is explicit, resources/bootloaders, the repository, without duplicates', () => {
    expect(bootloaderDirs({ dir: '/a', resourcesPath: '/r', repoDir: '/a', env: {} })).toEqual([resolve('/a'), resolve('/r/bootloaders')]);
  });

  it('each name is looked up on its own: a folder missing one file falls through to the system path', () => {
    const exists = fakeFs(['/app/resources/bootloaders/ipxe.efi', '/usr/lib/ipxe/snponly.efi']);
    const inv = findBootloaders(BOOTLOADERS, exists, { ...none, resourcesPath: '/app/resources' });
    expect(inv.files.get('ipxe.efi')).toBe(resolve('/app/resources/bootloaders/ipxe.efi'));
    expect(inv.files.get('snponly.efi')).toBe('/usr/lib/ipxe/snponly.efi');
  });

  it('a name found nowhere is reported with the Debian package to install', () => {
    const inv = findBootloaders(BOOTLOADERS, () => false, none);
    expect(inv.files.size).toBe(0);
    expect(inv.missing).toContainEqual({ name: 'mmx64.efi', debianPackage: 'shim-helpers-amd64-signed' });
    expect(inv.missing).toContainEqual({ name: 'grubx64.efi', debianPackage: 'grub-efi-amd64-signed' });
    expect(inv.missing).toHaveLength(BOOTLOADERS.length);
  });

  it('systemPaths: false looks only in the folders', () => {
    const inv = findBootloaders(BOOTLOADERS, fakeFs(['/usr/lib/ipxe/ipxe.efi']), { ...none, systemPaths: false });
    expect(inv.files.has('ipxe.efi')).toBe(false);
  });

  it('keeps the old call shape: findBootloaders(list, exists) with system paths', () => {
    const list = [{ name: 'x.efi', sources: ['/nope', '/yes'], debianPackage: 'x' }];
    expect(findBootloaders(list, (p) => p === '/yes').files.get('x.efi')).toBe('/yes');
  });

  it('the repository folder is build/bootloaders at the repository root', () => {
    expect(repoBootloaderDir()).toBe(resolve(join(import.meta.dirname, '..', '..', '..', 'build', 'bootloaders')));
  });

  it('serves the names the collect script writes', () => {
    expect(BOOTLOADERS.map((b) => b.name).sort()).toEqual(
      ['grubx64.efi', 'ipxe.efi', 'ldlinux.c32', 'libcom32.c32', 'libutil.c32', 'lpxelinux.0', 'menu.c32', 'mmx64.efi', 'pxelinux.0', 'shimx64.efi', 'snponly.efi', 'undionly.kpxe'].sort(),
    );
  });
});
