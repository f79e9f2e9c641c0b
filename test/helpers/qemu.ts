/**
 * QEMU clients with real firmware under TCG (KVM is unusable here): SeaBIOS + QEMU's iPXE ROM on e1000 for
 * legacy BIOS, OVMF on virtio-net for UEFI, and OVMF with Microsoft keys for Secure Boot.
 * The serial console goes to a file; the VM is always killed at the end.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestNet } from './netns.ts';

export type Firmware = 'bios' | 'uefi' | 'uefi-secureboot';

const QEMU = 'qemu-system-x86_64';
const OVMF = '/usr/share/OVMF';
const FILES: Record<Firmware, string[]> = {
  // QEMU's default e1000 option ROM (Debian ipxe-qemu), found through its data path /usr/lib/ipxe/qemu.
  bios: ['/usr/lib/ipxe/qemu/efi-e1000.rom', '/usr/share/seabios/bios-256k.bin'],
  uefi: [`${OVMF}/OVMF_CODE_4M.fd`, `${OVMF}/OVMF_VARS_4M.fd`],
  'uefi-secureboot': [`${OVMF}/OVMF_CODE_4M.ms.fd`, `${OVMF}/OVMF_VARS_4M.ms.fd`],
};

export function qemuSkipReason(firmware: Firmware): string | null {
  if (spawnSync(QEMU, ['--version']).status !== 0) return `${QEMU} is not installed: run build/scripts/install-test-tools.sh`;
  const missing = FILES[firmware].filter((f) => !existsSync(f));
  return missing.length ? `firmware files missing (${missing.join(', ')}): run build/scripts/install-test-tools.sh` : null;
}

export interface Vm {
  proc: ChildProcess;
  mac: string;
  serial(): string;
  kill(): Promise<void>;
}

export function launchVm(opts: { net: TestNet; tap: string; firmware: Firmware; mac: string; workDir: string; memoryMb?: number; extra?: string[] }): Vm {
  const serialPath = join(opts.workDir, `serial-${opts.tap}.log`);
  const netdev = ['-netdev', `tap,id=n0,ifname=${opts.tap},script=no,downscript=no`];
  const common = ['-m', String(opts.memoryMb ?? 512), '-display', 'none', '-serial', `file:${serialPath}`, '-monitor', 'none', '-no-reboot', '-boot', 'n'];
  let args: string[];
  if (opts.firmware === 'bios') {
    args = ['-machine', 'pc,accel=tcg', ...common, '-device', `e1000,netdev=n0,mac=${opts.mac}`, ...netdev];
  } else {
    const [code, vars] = FILES[opts.firmware] as [string, string];
    // OVMF writes to its variable store: every guest gets its own copy.
    const varsCopy = join(opts.workDir, `vars-${opts.tap}.fd`);
    copyFileSync(vars, varsCopy);
    const secure = opts.firmware === 'uefi-secureboot';
    args = [
      '-machine',
      secure ? 'q35,smm=on,accel=tcg' : 'q35,accel=tcg',
      ...(secure ? ['-global', 'driver=cfi.pflash01,property=secure,value=on'] : []),
      '-drive',
      `if=pflash,format=raw,readonly=on,file=${code}`,
      '-drive',
      `if=pflash,format=raw,file=${varsCopy}`,
      ...common,
      // romfile= : OVMF's own virtio-net driver and PXE stack, not iPXE's option ROM.
      '-device',
      `virtio-net-pci,netdev=n0,mac=${opts.mac},romfile=`,
      ...netdev,
    ];
  }
  const proc = opts.net.spawn(QEMU, [...args, ...(opts.extra ?? [])]);
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  return {
    proc,
    mac: opts.mac,
    serial: () => (existsSync(serialPath) ? readFileSync(serialPath, 'latin1') : '') + (stderr ? `\n[qemu stderr] ${stderr}` : ''),
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
