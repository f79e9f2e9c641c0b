/**
 * classify(packet) -> ClientInfo: what kind of boot client sent a DHCP request (CONVENTIONS §3).
 * Pure; reads options 60, 61, 77, 93, 94, 97, 175 and chaddr. Malformed optional fields degrade to "unknown"
 * rather than dropping the client; a bad option 93 is reported in `problems`.
 */
import { macFromBytes } from '../net/ipv4.ts';
import { hex } from '../protocol/bytes.ts';
import { clientArchitectures, getOption, hardwareAddress, messageType, type DhcpPacket } from '../protocol/dhcp4/codec.ts';
import { ClientArch, DhcpOption, clientArchName } from '../protocol/dhcp4/options.ts';
import { clientGuid, readText, userClasses } from '../protocol/dhcp4/values.ts';

export type Firmware = 'bios' | 'uefi' | 'unknown';

export interface ClientInfo {
  /** Canonical lower-case MAC from chaddr (Ethernet only; other hardware types get the hex of chaddr). */
  mac: string;
  /** Lease key: option 61 when present (RFC 2131 §4.2), else the MAC. */
  clientKey: string;
  messageType: number | undefined;
  /** First option 93 value; null when absent. */
  arch: number | null;
  archName: string | null;
  firmware: Firmware;
  /** `PXEClient` (PXE firmware, iPXE), `HTTPClient` (UEFI HTTP boot), or null for an ordinary DHCP client. */
  bootClass: 'PXEClient' | 'HTTPClient' | null;
  vendorClass: string | null;
  userClasses: string[];
  /** iPXE is already running: option 77 `iPXE` or option 175 present (boot-chains §1.8). */
  ipxe: boolean;
  guid: string | null;
  problems: string[];
}

const UEFI_ARCHES = new Set<number>([
  ClientArch.IA32_EFI, ClientArch.X64_EFI, ClientArch.EBC_EFI, ClientArch.ARM32_EFI, ClientArch.ARM64_EFI,
  ClientArch.X86_EFI_HTTP, ClientArch.X64_EFI_HTTP, ClientArch.EBC_EFI_HTTP, ClientArch.ARM32_EFI_HTTP, ClientArch.ARM64_EFI_HTTP,
  ClientArch.RISCV64_EFI, ClientArch.RISCV64_EFI_HTTP, ClientArch.LOONGARCH64_EFI,
]);

export function classify(packet: DhcpPacket): ClientInfo {
  const problems: string[] = [];
  const hw = hardwareAddress(packet);
  const mac = packet.htype === 1 && hw.length === 6 ? macFromBytes(hw) : hex(hw, ':');
  const id = getOption(packet, DhcpOption.CLIENT_ID);
  const clientKey = id && id.length > 0 ? `id:${hex(id)}` : `mac:${mac}`;

  let arch: number | null = null;
  try {
    arch = clientArchitectures(packet)?.[0] ?? null;
  } catch (e) {
    problems.push((e as Error).message);
  }
  const vendorRaw = getOption(packet, DhcpOption.VENDOR_CLASS);
  const vendorClass = vendorRaw ? readText(vendorRaw) : null;
  // Prefix match, as EDK2 and dnsmasq's is_pxe_client do: `PXEClient:Arch:00007:UNDI:003016`.
  const bootClass = vendorClass?.startsWith('HTTPClient') ? 'HTTPClient' : vendorClass?.startsWith('PXEClient') ? 'PXEClient' : null;
  const classes = userClasses(getOption(packet, DhcpOption.USER_CLASS));
  const ipxe = classes.includes('iPXE') || getOption(packet, DhcpOption.IPXE_ENCAP) !== undefined;

  let firmware: Firmware = 'unknown';
  if (arch === ClientArch.X86_BIOS || arch === ClientArch.X86_BIOS_HTTP) firmware = 'bios';
  else if (arch !== null && UEFI_ARCHES.has(arch)) firmware = 'uefi';
  else if (arch === null && bootClass) {
    // Option 60 repeats the arch: PXEClient:Arch:xxxxx:...
    const m = /^(?:PXE|HTTP)Client:Arch:(\d{5})/.exec(vendorClass ?? '');
    if (m) {
      arch = Number(m[1]);
      firmware = arch === 0 ? 'bios' : UEFI_ARCHES.has(arch) ? 'uefi' : 'unknown';
    }
  }

  return {
    mac,
    clientKey,
    messageType: messageType(packet),
    arch,
    archName: arch === null ? null : clientArchName(arch),
    firmware,
    bootClass,
    vendorClass,
    userClasses: classes,
    ipxe,
    guid: clientGuid(getOption(packet, DhcpOption.CLIENT_UUID)),
    problems,
  };
}
