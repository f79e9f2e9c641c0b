/**
 * The IPMI commands rackboot sends: request data builders and response decoders (the bytes after the
 * completion code). IPMI v2.0 §20.1 Get Device ID, §22.13 Get Channel Authentication Capabilities, §22.18
 * Set Session Privilege Level, §22.19 Close Session, §28.2 Get Chassis Status, §28.3 Chassis Control,
 * §28.12/28.13 Set/Get System Boot Options with the boot option parameters of Table 28-14.
 */
import { ProtocolError } from '../errors.ts';
import { NetFn } from './message.ts';

export interface Command {
  netFn: number;
  cmd: number;
  data: Uint8Array;
}

export const Cmd = {
  GET_DEVICE_ID: 0x01,
  GET_CHANNEL_AUTH_CAPABILITIES: 0x38,
  SET_SESSION_PRIVILEGE: 0x3b,
  CLOSE_SESSION: 0x3c,
  GET_CHASSIS_STATUS: 0x01,
  CHASSIS_CONTROL: 0x02,
  SET_SYSTEM_BOOT_OPTIONS: 0x08,
  GET_SYSTEM_BOOT_OPTIONS: 0x09,
} as const;

function need(data: Uint8Array, length: number, what: string): void {
  if (data.length < length) throw new ProtocolError('IPMI_RESPONSE_TOO_SHORT', `${what}: ${data.length} data bytes, ${length} expected`);
}

// ---- Get Channel Authentication Capabilities (§22.13) ----

/** Channel 0Eh means "the channel this request arrived on". */
export const CURRENT_CHANNEL = 0x0e;

export function getChannelAuthCapabilities(privilege: number, channel = CURRENT_CHANNEL): Command {
  // Bit 7 of the channel byte asks for the IPMI v2.0 extended data (byte 4 below).
  return { netFn: NetFn.APP, cmd: Cmd.GET_CHANNEL_AUTH_CAPABILITIES, data: Uint8Array.of(0x80 | (channel & 0x0f), privilege & 0x0f) };
}

export interface ChannelAuthCapabilities {
  channel: number;
  /** IPMI v1.5 authentication types (bit 0 none, 1 MD2, 2 MD5, 4 straight password, 5 OEM). */
  authTypes: number;
  /** Byte 2 bit 7: the BMC returned IPMI v2.0 extended capabilities. */
  extended: boolean;
  /** Bit 5 of byte 3: a non-zero BMC key (Kg) is set: two-key login is required. */
  kgSet: boolean;
  perMessageAuthDisabled: boolean;
  userLevelAuthDisabled: boolean;
  nonNullUsers: boolean;
  nullUsers: boolean;
  anonymousLogin: boolean;
  ipmi15: boolean;
  ipmi20: boolean;
  oemId: number;
  oemAux: number;
}

export function decodeChannelAuthCapabilities(d: Uint8Array): ChannelAuthCapabilities {
  need(d, 8, 'Get Channel Authentication Capabilities');
  return {
    channel: d[0]! & 0x0f,
    authTypes: d[1]! & 0x3f,
    extended: (d[1]! & 0x80) !== 0,
    kgSet: (d[2]! & 0x20) !== 0,
    perMessageAuthDisabled: (d[2]! & 0x10) !== 0,
    userLevelAuthDisabled: (d[2]! & 0x08) !== 0,
    nonNullUsers: (d[2]! & 0x04) !== 0,
    nullUsers: (d[2]! & 0x02) !== 0,
    anonymousLogin: (d[2]! & 0x01) !== 0,
    // An IPMI v1.5-only BMC leaves byte 4 zero and bit 7 of byte 2 clear.
    ipmi15: (d[1]! & 0x80) === 0 || (d[3]! & 0x01) !== 0,
    ipmi20: (d[1]! & 0x80) !== 0 && (d[3]! & 0x02) !== 0,
    oemId: d[4]! | (d[5]! << 8) | (d[6]! << 16),
    oemAux: d[7]!,
  };
}

// ---- Session commands (§22.18, §22.19) ----

export function setSessionPrivilege(privilege: number): Command {
  return { netFn: NetFn.APP, cmd: Cmd.SET_SESSION_PRIVILEGE, data: Uint8Array.of(privilege & 0x0f) };
}

export function closeSession(bmcSessionId: number): Command {
  const id = bmcSessionId >>> 0;
  return { netFn: NetFn.APP, cmd: Cmd.CLOSE_SESSION, data: Uint8Array.of(id & 0xff, (id >>> 8) & 0xff, (id >>> 16) & 0xff, id >>> 24) };
}

/** Table 22-19 command-specific completion codes. */
export const SET_PRIVILEGE_CODES: Record<number, string> = {
  0x80: 'requested level not available for this user',
  0x81: 'requested level exceeds the channel or user privilege limit',
  0x82: 'cannot disable user-level authentication',
};
export const CLOSE_SESSION_CODES: Record<number, string> = { 0x87: 'invalid session ID', 0x88: 'invalid session handle' };

// ---- Get Device ID (§20.1) ----

export const getDeviceId = (): Command => ({ netFn: NetFn.APP, cmd: Cmd.GET_DEVICE_ID, data: new Uint8Array(0) });

export interface DeviceId {
  deviceId: number;
  deviceRevision: number;
  providesSdrs: boolean;
  /** False while the firmware updates or initialises (byte 3 bit 7). */
  available: boolean;
  /** "major.minor", minor in BCD as ipmitool prints it ("9.08"). */
  firmware: string;
  /** "2.0", "1.5" (BCD, low nibble major). */
  ipmiVersion: string;
  additionalSupport: number;
  manufacturerId: number;
  productId: number;
  auxFirmware: Uint8Array | null;
}

const bcd = (b: number) => `${(b >> 4) & 0x0f}${b & 0x0f}`;

export function decodeDeviceId(d: Uint8Array): DeviceId {
  need(d, 11, 'Get Device ID');
  return {
    deviceId: d[0]!,
    deviceRevision: d[1]! & 0x0f,
    providesSdrs: (d[1]! & 0x80) !== 0,
    available: (d[2]! & 0x80) === 0,
    firmware: `${d[2]! & 0x7f}.${bcd(d[3]!)}`,
    ipmiVersion: `${d[4]! & 0x0f}.${(d[4]! >> 4) & 0x0f}`,
    additionalSupport: d[5]!,
    manufacturerId: (d[6]! | (d[7]! << 8) | (d[8]! << 16)) & 0x0fffff,
    productId: d[9]! | (d[10]! << 8),
    auxFirmware: d.length >= 15 ? d.slice(11, 15) : null,
  };
}

// ---- Chassis (§28.2, §28.3) ----

export const getChassisStatus = (): Command => ({ netFn: NetFn.CHASSIS, cmd: Cmd.GET_CHASSIS_STATUS, data: new Uint8Array(0) });

export const RESTORE_POLICIES = ['always-off', 'previous', 'always-on', 'unknown'] as const;

export interface ChassisStatus {
  powerOn: boolean;
  powerOverload: boolean;
  interlock: boolean;
  powerFault: boolean;
  controlFault: boolean;
  restorePolicy: (typeof RESTORE_POLICIES)[number];
  lastPowerEvent: number;
  miscState: number;
  /** Optional byte 4 (front panel button capabilities); null when the BMC omits it. */
  frontPanel: number | null;
}

export function decodeChassisStatus(d: Uint8Array): ChassisStatus {
  need(d, 3, 'Get Chassis Status');
  const s = d[0]!;
  return {
    powerOn: (s & 0x01) !== 0,
    powerOverload: (s & 0x02) !== 0,
    interlock: (s & 0x04) !== 0,
    powerFault: (s & 0x08) !== 0,
    controlFault: (s & 0x10) !== 0,
    restorePolicy: RESTORE_POLICIES[(s >> 5) & 0x03]!,
    lastPowerEvent: d[1]!,
    miscState: d[2]!,
    frontPanel: d.length >= 4 ? d[3]! : null,
  };
}

/** Table 28-4: Chassis Control data byte 1, bits 3:0. */
export const ChassisAction = { POWER_DOWN: 0, POWER_UP: 1, POWER_CYCLE: 2, HARD_RESET: 3, PULSE_DIAG: 4, SOFT_SHUTDOWN: 5 } as const;
export type ChassisActionName = 'off' | 'on' | 'cycle' | 'reset' | 'diag' | 'soft';
export const CHASSIS_ACTIONS: Record<ChassisActionName, number> = { off: 0, on: 1, cycle: 2, reset: 3, diag: 4, soft: 5 };

export function chassisControl(action: number): Command {
  if (!Number.isInteger(action) || action < 0 || action > 5) throw new RangeError(`chassis control action ${action}`);
  return { netFn: NetFn.CHASSIS, cmd: Cmd.CHASSIS_CONTROL, data: Uint8Array.of(action) };
}

// ---- System Boot Options (§28.12, §28.13, Table 28-14) ----

export const BootParam = { SET_IN_PROGRESS: 0, SERVICE_PARTITION_SELECTOR: 1, SERVICE_PARTITION_SCAN: 2, VALID_BIT_CLEARING: 3, BOOT_INFO_ACK: 4, BOOT_FLAGS: 5, INITIATOR_INFO: 6, INITIATOR_MAILBOX: 7 } as const;

/** Parameter 0 values (Table 28-14). */
export const SetInProgress = { COMPLETE: 0, IN_PROGRESS: 1, COMMIT_WRITE: 2 } as const;

/** Table 28-14 command-specific completion codes of Set/Get System Boot Options. */
export const BOOT_OPTION_CODES: Record<number, string> = {
  0x80: 'parameter not supported',
  0x81: "attempt to set 'set in progress' while not in 'set complete' state",
  0x82: 'attempt to write a read-only parameter',
};

/** Boot device selector, parameter 5 data 2 bits 5:2 (Table 28-14), with ipmitool's names. */
export const BootDevice = { none: 0x0, pxe: 0x1, disk: 0x2, safe: 0x3, diag: 0x4, cdrom: 0x5, bios: 0x6, 'remote-floppy': 0x7, 'remote-cdrom': 0x8, 'remote-primary': 0x9, 'remote-disk': 0xb, floppy: 0xf } as const;
export type BootDeviceName = keyof typeof BootDevice;

export function bootDeviceName(selector: number): string {
  const hit = Object.entries(BootDevice).find(([, v]) => v === selector);
  return hit ? hit[0] : `DEVICE_${selector}`;
}

/** Parameter 5, the boot flags (5 data bytes). */
export interface BootFlags {
  /** Data 1 bit 7: the flags are valid (the BMC acts on them). */
  valid: boolean;
  /** Data 1 bit 6: for all future boots, not just the next one. */
  persistent: boolean;
  /** Data 1 bit 5: EFI boot, not PC compatible (legacy). */
  efi: boolean;
  /** Data 2 bits 5:2. */
  device: number;
  /** Data 2 bits 7, 6, 1, 0: clear CMOS, lock keyboard, screen blank, lock out reset. */
  data2Flags: number;
  data3: number;
  data4: number;
  data5: number;
}

export function encodeBootFlags(f: BootFlags): Uint8Array {
  if (f.device < 0 || f.device > 0x0f) throw new RangeError(`boot device selector ${f.device}`);
  return Uint8Array.of((f.valid ? 0x80 : 0) | (f.persistent ? 0x40 : 0) | (f.efi ? 0x20 : 0), (f.data2Flags & 0xc3) | (f.device << 2), f.data3 & 0xff, f.data4 & 0xff, f.data5 & 0xff);
}

export function decodeBootFlags(d: Uint8Array): BootFlags {
  if (d.length < 5) throw new ProtocolError('IPMI_BOOT_FLAGS_TOO_SHORT', `${d.length} bytes of boot flags, 5 expected`);
  return { valid: (d[0]! & 0x80) !== 0, persistent: (d[0]! & 0x40) !== 0, efi: (d[0]! & 0x20) !== 0, device: (d[1]! >> 2) & 0x0f, data2Flags: d[1]! & 0xc3, data3: d[2]!, data4: d[3]!, data5: d[4]! };
}

export function setSystemBootOption(param: number, data: Uint8Array): Command {
  const out = new Uint8Array(1 + data.length);
  // Bit 7 of the parameter byte would mark the parameter invalid/locked; ipmitool masks it off (0x7F).
  out[0] = param & 0x7f;
  out.set(data, 1);
  return { netFn: NetFn.CHASSIS, cmd: Cmd.SET_SYSTEM_BOOT_OPTIONS, data: out };
}

export function getSystemBootOption(param: number, setSelector = 0, blockSelector = 0): Command {
  return { netFn: NetFn.CHASSIS, cmd: Cmd.GET_SYSTEM_BOOT_OPTIONS, data: Uint8Array.of(param & 0x7f, setSelector, blockSelector) };
}

export interface BootOptionValue {
  version: number;
  param: number;
  /** Bit 7 of the parameter byte: 1 = invalid / locked. */
  invalid: boolean;
  data: Uint8Array;
}

export function decodeBootOption(d: Uint8Array): BootOptionValue {
  need(d, 2, 'Get System Boot Options');
  return { version: d[0]! & 0x0f, param: d[1]! & 0x7f, invalid: (d[1]! & 0x80) !== 0, data: d.slice(2) };
}

/** Parameter 4 (boot info acknowledge): bit of each boot initiator; data 1 is the write mask, data 2 the bits. */
export const BootInfoAck = { BIOS_POST: 0x01, OS_LOADER: 0x02, OS_SERVICE_PARTITION: 0x04, SMS: 0x08, OEM: 0x10 } as const;

/**
 * Parameter 3 (BMC boot flag valid bit clearing), data 1: a set bit stops the BMC clearing the boot flags'
 * valid bit on that event. Bit 4 is the 60-second timeout after Set System Boot Options with no Chassis
 * Control following (§28.12.1), which is why rackboot sets the flags right before its power command.
 */
export const ValidBitClearing = { POWER_BUTTON: 0x01, RESET_BUTTON: 0x02, WATCHDOG: 0x04, CHASSIS_CONTROL: 0x08, TIMEOUT_60S: 0x10 } as const;

export interface BootDeviceRequest {
  device: number;
  persistent: boolean;
  efi: boolean;
}

export interface BootOptionStep {
  /** What the step is, for errors and traces. */
  step: 'set-in-progress' | 'clear-bios-ack' | 'boot-flags' | 'commit-write' | 'set-complete';
  command: Command;
}

/**
 * The Set System Boot Options requests ipmitool sends for `chassis bootdev <dev> [options=...]`
 * (ipmitool lib/ipmi_chassis.c, ipmi_chassis_set_bootdev): mark parameter 0 "set in progress" (a BMC that
 * refuses it is not asked about parameter 0 again), clear the BIOS/POST bit of the boot info acknowledge
 * (parameter 4, data 01h 01h), write the five boot flag bytes with the valid bit, "commit write" when that
 * worked, and "set complete". ipmitool leaves parameter 3 alone for bootdev, and so does rackboot.
 */
export function bootDeviceSteps(r: BootDeviceRequest): BootOptionStep[] {
  const flags = encodeBootFlags({ valid: true, persistent: r.persistent, efi: r.efi, device: r.device, data2Flags: 0, data3: 0, data4: 0, data5: 0 });
  return [
    { step: 'set-in-progress', command: setSystemBootOption(BootParam.SET_IN_PROGRESS, Uint8Array.of(SetInProgress.IN_PROGRESS)) },
    { step: 'clear-bios-ack', command: setSystemBootOption(BootParam.BOOT_INFO_ACK, Uint8Array.of(BootInfoAck.BIOS_POST, BootInfoAck.BIOS_POST)) },
    { step: 'boot-flags', command: setSystemBootOption(BootParam.BOOT_FLAGS, flags) },
    { step: 'commit-write', command: setSystemBootOption(BootParam.SET_IN_PROGRESS, Uint8Array.of(SetInProgress.COMMIT_WRITE)) },
    { step: 'set-complete', command: setSystemBootOption(BootParam.SET_IN_PROGRESS, Uint8Array.of(SetInProgress.COMPLETE)) },
  ];
}
