/**
 * test/fixtures/installers/build.sh: each installer-shaped ISO is recognised by `rackboot iso info` as the
 * distro it imitates, with a netboot plan, and carries the kernel and initrd the boot tests expect
 * (the real d-i netboot pair for Debian, the d-i kernel + the probe initrd for the others).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installerFixtures, type InstallerIso } from '../helpers/installers.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'electron', 'bin', 'rackboot.mjs');
const DI = '/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const built = installerFixtures();
if (built.reason) console.log(`[skip] installer fixtures: ${built.reason}`);

type Info = {
  label: string;
  distro: { family: string; distro: string; version: string; major: number; arch: string; efi: { loader: string; grub: string | null }[] } | null;
  netboot: { kind: string; kernel: string; initrd: string; stage2?: string | null } | null;
  reason: string | null;
};

const CASES: { iso: InstallerIso; label: string; family: string; distro: string; version: string; kind: string; kernel: string; initrd: string; initrdIs: 'd-i' | 'probe' }[] = [
  { iso: 'debian-12-netinst.iso', label: 'Debian 12.11.0 amd64 n', family: 'debian', distro: 'debian', version: '12.11.0', kind: 'd-i-cdrom', kernel: 'install.amd/vmlinuz', initrd: 'install.amd/initrd.gz', initrdIs: 'd-i' },
  { iso: 'rhel7.iso', label: 'CentOS 7 x86_64', family: 'rhel', distro: 'centos', version: '7.9', kind: 'anaconda', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', initrdIs: 'probe' },
  { iso: 'rhel9.iso', label: 'Rocky-9-5-x86_64-dvd', family: 'rhel', distro: 'rocky', version: '9.5', kind: 'anaconda', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', initrdIs: 'probe' },
  { iso: 'ubuntu-24.04-live-server.iso', label: 'Ubuntu-Server 24.04.1 LTS amd64', family: 'ubuntu', distro: 'ubuntu', version: '24.04.1', kind: 'casper', kernel: 'casper/vmlinuz', initrd: 'casper/initrd', initrdIs: 'probe' },
  { iso: 'openeuler-22.03.iso', label: 'openEuler-22.03-LTS-SP4-x86_64', family: 'rhel', distro: 'openeuler', version: '22.03-LTS-SP4', kind: 'anaconda', kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img', initrdIs: 'probe' },
];

describe.skipIf(built.reason)('installer fixture ISOs', () => {
  const fx = built.fixtures!;

  it.each(CASES)('$iso is recognised as $distro $version with a $kind plan', async (c) => {
    const { stdout } = await run('node', [CLI, 'iso', 'info', fx.iso(c.iso)]);
    const info = JSON.parse(stdout) as Info;
    expect(info.label).toBe(c.label);
    expect(info.reason).toBeNull();
    expect(info.distro).toMatchObject({ family: c.family, distro: c.distro, version: c.version, arch: 'x86_64' });
    expect(info.netboot).toMatchObject({ kind: c.kind, kernel: c.kernel, initrd: c.initrd });

    const cat = async (path: string) => (await run('node', [CLI, 'iso', 'cat', fx.iso(c.iso), path], { encoding: 'buffer', maxBuffer: 64 << 20 })).stdout;
    expect(sha(await cat(c.kernel))).toBe(sha(readFileSync(fx.kernel)));
    expect(sha(await cat(c.initrd))).toBe(sha(readFileSync(c.initrdIs === 'd-i' ? join(DI, 'initrd.gz') : fx.probe)));
  });

  it("rhel9.iso carries its own Secure Boot chain: Debian's shim as BOOTX64.EFI with the network GRUB beside it", async () => {
    const info = JSON.parse((await run('node', [CLI, 'iso', 'info', fx.iso('rhel9.iso')])).stdout) as Info;
    expect(info.distro?.efi).toContainEqual(expect.objectContaining({ loader: 'EFI/BOOT/BOOTX64.EFI', grub: 'EFI/BOOT/grubx64.efi' }));
    const shim = (await run('node', [CLI, 'iso', 'cat', fx.iso('rhel9.iso'), 'EFI/BOOT/BOOTX64.EFI'], { encoding: 'buffer', maxBuffer: 8 << 20 })).stdout;
    expect(sha(shim)).toBe(sha(readFileSync(join(DI, 'bootnetx64.efi'))));
  });
});
