/** DHCPv4 code tables as data (RFC 2132, 4578, 3004, 3046, 5071). Unknown codes keep a synthetic name. */

/** name <-> code lookups over a constant table; unknown codes become `${prefix}${code}` and map back. */
function codeTable(table: Record<string, number>, prefix: string) {
  const names = new Map<number, string>(Object.entries(table).map(([name, code]) => [code, name]));
  return {
    name: (code: number) => names.get(code) ?? `${prefix}${code}`,
    code: (name: string): number | null => {
      const known = table[name];
      if (known !== undefined) return known;
      const m = new RegExp(`^${prefix}(\\d{1,3})$`).exec(name);
      return m && Number(m[1]) <= 255 ? Number(m[1]) : null;
    },
  };
}

export const DhcpOption = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS: 6,
  HOSTNAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST: 28,
  NTP: 42,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER: 66,
  BOOTFILE: 67,
  USER_CLASS: 77,
  RELAY_AGENT: 82,
  CLIENT_ARCH: 93,
  CLIENT_NDI: 94,
  CLIENT_UUID: 97,
  IPXE_ENCAP: 175,
  PXELINUX_MAGIC: 208,
  PXELINUX_CONFIG: 209,
  PXELINUX_PATH_PREFIX: 210,
  PXELINUX_REBOOT_TIME: 211,
  END: 255,
} as const;

const options = codeTable(DhcpOption, 'OPTION_');
export const optionName = options.name;
export const optionFromName = options.code;

/** Option 53 values (RFC 2132 9.6, RFC 4388). */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

export const messageTypeName = codeTable(MessageType, 'MESSAGE_TYPE_').name;

/**
 * Option 93 client system architecture (IANA "Processor Architecture Types").
 * RFC 4578 listed 7 as EFI BC and 9 as EFI x86-64; erratum 4624 and IANA swapped them.
 */
export const ClientArch = {
  X86_BIOS: 0,
  NEC_PC98: 1,
  IA64_EFI: 2,
  DEC_ALPHA: 3,
  ARC_X86: 4,
  INTEL_LEAN: 5,
  IA32_EFI: 6,
  X64_EFI: 7,
  XSCALE_EFI: 8,
  EBC_EFI: 9,
  ARM32_EFI: 10,
  ARM64_EFI: 11,
  X86_EFI_HTTP: 15,
  X64_EFI_HTTP: 16,
  EBC_EFI_HTTP: 17,
  ARM32_EFI_HTTP: 18,
  ARM64_EFI_HTTP: 19,
  X86_BIOS_HTTP: 20,
  RISCV64_EFI: 27,
  RISCV64_EFI_HTTP: 28,
  LOONGARCH64_EFI: 39,
} as const;

export const clientArchName = codeTable(ClientArch, 'ARCH_').name;
