/**
 * The first-stage boot file for a DHCP client, with the reason (shown in the machine's log).
 * Issue 6 grows this into the full decide(info, machine, config); the rules here are the chain-loop-safe core:
 * iPXE gets its script over HTTP, firmware gets the iPXE build for its architecture over TFTP,
 * UEFI HTTP boot gets a URL.
 */
import { ClientArch } from '../protocol/dhcp4/options.ts';
import type { ClientInfo } from './classify.ts';

export interface BootTarget {
  /** TFTP file name (relative) or an http:// URL. */
  file: string;
  reason: string;
}

export type BootChoice = BootTarget | { ignore: string };

export interface BootfileConfig {
  address: string;
  httpPort: number;
}

export const IPXE_SCRIPT = 'boot.ipxe';

export function httpBase(config: BootfileConfig): string {
  return `http://${config.address}:${config.httpPort}`;
}

export function chooseBootfile(info: ClientInfo, config: BootfileConfig): BootChoice {
  // order matters: iPXE first, or a firmware ROM that chained into undionly.kpxe would get it again forever (boot-chains §1.8).
  if (info.ipxe) {
    return { file: `${httpBase(config)}/${IPXE_SCRIPT}`, reason: 'iPXE is running: its script over HTTP (no chainload loop)' };
  }
  if (info.bootClass === 'HTTPClient') {
    if (info.arch === ClientArch.X64_EFI_HTTP) {
      return { file: `${httpBase(config)}/ipxe.efi`, reason: 'UEFI HTTP boot (x64): iPXE as an EFI image over HTTP' };
    }
    return { ignore: `UEFI HTTP boot for ${info.archName ?? 'an unknown architecture'} is not supported (no bootloader for it)` };
  }
  if (info.bootClass === null) return { ignore: 'not a network-boot client (no PXEClient/HTTPClient vendor class)' };
  switch (info.arch) {
    case ClientArch.X86_BIOS:
      return { file: 'undionly.kpxe', reason: 'legacy BIOS PXE: iPXE over the ROM\'s UNDI driver' };
    case ClientArch.X64_EFI:
    case ClientArch.EBC_EFI: // old x64 firmware sends 9 (RFC 4578 erratum 4624; pixiecore does the same)
      return { file: 'snponly.efi', reason: 'x64 UEFI PXE: iPXE over the firmware\'s network driver (SNP)' };
    case null:
      // A PXEClient without option 93 is a BIOS ROM from before RFC 4578.
      return { file: 'undionly.kpxe', reason: 'PXE client without an architecture (old BIOS ROM): iPXE for BIOS' };
    default:
      return { ignore: `no bootloader for ${info.archName} (option 93 = ${info.arch})` };
  }
}
