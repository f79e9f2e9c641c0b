/**
 * The one API between the renderer and the core (CONVENTIONS §5). Both transports, Electron IPC and the
 * browser-mode WebSocket, are built from this table; nothing else crosses between the two sides.
 */
import { z } from 'zod';
import { isIPv4, parseCidr, parseIPv4Range, parseMac } from '../net/ipv4.ts';
import { BootEventSchema } from '../model/event.ts';
import { BOOT_STAGES } from '../model/stage.ts';
import { ANSWER_FAMILIES } from '../answers/answer-profile.ts';
import { API_ERROR_CODES } from './errors.ts';
import { METHOD_NAMES, STREAM_NAMES } from './names.ts';
import { toApiError, type Result } from './result.ts';

export const Ipv4Schema = z.string().refine(isIPv4, 'not a dotted-quad IPv4 address (like 198.18.0.1)');

export const NetInterfaceSchema = z.object({
  name: z.string(),
  mac: z.string().nullable(),
  up: z.boolean(),
  loopback: z.boolean(),
  wireless: z.boolean(),
  mtu: z.number().int().nullable(),
  ipv4: z.array(z.object({ address: z.string(), prefix: z.number().int(), network: z.string() })),
  /** Carries the laptop's default route: the office/site network, most likely not the rack switch. */
  defaultRoute: z.boolean().optional(),
  /** Link speed in Mb/s when the driver reports it (null for Wi-Fi, virtual NICs, no link). */
  speedMbps: z.number().int().nullable().optional(),
});
export type NetInterface = z.infer<typeof NetInterfaceSchema>;

export const MacSchema = z.string().refine((s) => parseMac(s) !== null, 'not a MAC address (like 52:54:00:12:34:56)').transform((s) => parseMac(s)!);
export const HostnameSchema = z
  .string()
  .max(63)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/, 'a host name is letters, digits and hyphens, not starting or ending with a hyphen');
export const ReservationSchema = z.object({ mac: MacSchema, ip: Ipv4Schema, hostname: HostnameSchema.nullable() });
export type Reservation = z.infer<typeof ReservationSchema>;

/** An address pool for machines behind a DHCP relay (`ip helper-address`), chosen by the relay's giaddr. */
export const RelayPoolSchema = z.object({
  network: z.string().refine((s) => parseCidr(s) !== null, 'a network is ADDRESS/PREFIX, like 198.19.5.0/24'),
  pool: z.string().refine((s) => parseIPv4Range(s) !== null, 'a pool is FIRST-LAST, two addresses with FIRST <= LAST'),
  router: Ipv4Schema.nullable(),
});
export type RelayPool = z.infer<typeof RelayPoolSchema>;

export const DHCP_MODES = ['full', 'proxy', 'off'] as const;
export type DhcpMode = (typeof DHCP_MODES)[number];

export const SettingsSchema = z.object({
  /** The NIC facing the rack switch; null until the technician picks one. */
  interface: z.string().min(1).max(64).nullable(),
  /** rackboot's own address on that NIC; null means its first IPv4 address. */
  address: Ipv4Schema.nullable(),
  dhcpMode: z.enum(DHCP_MODES),
  /** `FIRST-LAST` inside the NIC's subnet; null means the whole subnet minus rackboot's own address. */
  pool: z
    .string()
    .refine((s) => parseIPv4Range(s) !== null, 'a pool is FIRST-LAST, two addresses with FIRST <= LAST')
    .nullable(),
  httpPort: z.number().int().min(1).max(65535),
  isos: z.array(z.string().min(1)).max(64),
  /** TFTP listens here; 69 is what every PXE ROM asks. */
  tftpPort: z.number().int().min(1).max(65535),
  /** An extra folder served over TFTP and HTTP (the technician's own files); null for none. */
  tftpRoot: z.string().min(1).max(4096).nullable(),
  /** Full mode: lease length in seconds. */
  leaseSeconds: z.number().int().min(60).max(30 * 24 * 3600),
  /**
   * Full mode: option 3. null hands out rackboot's own address, as dnsmasq does: debian-installer stops at a
   * critical "no default route" question without one (verified in QEMU). 'none' sends no router at all.
   */
  router: z.union([Ipv4Schema, z.literal('none')]).nullable(),
  /** Full mode: option 6; null means rackboot's own address, because installers stop at a name-server prompt without one. */
  dns: z.array(Ipv4Schema).min(1).max(4).nullable(),
  /** Full mode: option 15. */
  domain: z
    .string()
    .max(253)
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, 'a domain is labels of letters, digits and hyphens joined by dots')
    .nullable(),
  /** Fixed addresses by MAC (full mode), with an optional host name (option 12). */
  reservations: z.array(ReservationSchema).max(4096),
  /** Full mode: pools for relayed networks. */
  relayPools: z.array(RelayPoolSchema).max(256),
  /**
   * Machines nothing is planned for: `ignore` (no boot answer), `menu` (a boot menu that boots the local disk
   * after the countdown), `install` (the default ISO, unattended: only after the technician confirmed).
   */
  unknownPolicy: z.enum(['ignore', 'menu', 'install']),
  /** ISO id `install` uses; null: the only ISO served. */
  defaultIso: z.string().min(1).max(100).nullable(),
  /** Serial console handed to installers (`ttyS0,115200n8`), or null. */
  kernelConsole: z
    .string()
    .regex(/^(tty[A-Za-z0-9]{1,10})(,[0-9]{3,7}[noe]?[5-8]?)?$/, 'a console is a tty name with an optional speed, like ttyS0,115200n8')
    .nullable(),
  /** Boot menu countdown before the local disk boots. */
  menuTimeoutSeconds: z.number().int().min(1).max(600),
  /**
   * Answer each iPXE client with one unicast "no router here" IPv6 router advertisement, so iPXE does not wait
   * ~13 s for IPv6 router discovery at every boot (electron/core/net/router-advert.ts).
   */
  ipxeRouterAdvert: z.boolean(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  interface: null,
  address: null,
  dhcpMode: 'proxy',
  pool: null,
  httpPort: 8080,
  isos: [],
  tftpPort: 69,
  tftpRoot: null,
  leaseSeconds: 3600,
  router: null,
  dns: null,
  domain: null,
  reservations: [],
  relayPools: [],
  unknownPolicy: 'menu',
  defaultIso: null,
  kernelConsole: null,
  menuTimeoutSeconds: 10,
  ipxeRouterAdvert: true,
};

export const SERVICE_STATES = ['stopped', 'starting', 'running', 'failed', 'disabled', 'not-implemented'] as const;
export const ServiceStatusSchema = z.object({
  state: z.enum(SERVICE_STATES),
  /** What a technician should read: why it failed, what it listens on, why it is off. */
  detail: z.string().nullable(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const ApiErrorSchema = z.object({ code: z.enum(API_ERROR_CODES), message: z.string() });

export const ServerStatusSchema = z.object({
  state: z.enum(['stopped', 'starting', 'running', 'stopping', 'failed']),
  interface: z.string().nullable(),
  address: z.string().nullable(),
  dhcpMode: z.enum(DHCP_MODES),
  httpUrl: z.string().nullable(),
  startedAt: z.number().nullable(),
  error: ApiErrorSchema.nullable(),
  services: z.object({
    dhcp: ServiceStatusSchema,
    tftp: ServiceStatusSchema,
    http: ServiceStatusSchema,
    iso: ServiceStatusSchema,
  }),
});
export type ServerStatus = z.infer<typeof ServerStatusSchema>;
export type ServiceKey = keyof ServerStatus['services'];

/** An image in the ISO library as the UI lists it. */
export const IsoSummarySchema = z.object({
  id: z.string(),
  path: z.string(),
  size: z.number(),
  format: z.enum(['iso9660', 'udf']),
  label: z.string(),
  files: z.number().int(),
  /** How long reading its tree took when it was indexed. */
  indexMs: z.number(),
  indexedAt: z.number(),
  /** Whole-image SHA-256 once verified, else null. */
  sha256: z.string().nullable(),
  family: z.enum(['rhel', 'ubuntu', 'debian', 'windows', 'unknown']),
  distro: z.string().nullable(),
  /** Human name ("Rocky Linux 9.4"), or null when the system was not recognised. */
  name: z.string().nullable(),
  version: z.string().nullable(),
  arch: z.string().nullable(),
  /** How it boots over the network, or null with `reason`. */
  netboot: z.object({ kind: z.enum(['anaconda', 'casper', 'd-i-cdrom', 'wimboot']), kernel: z.string().nullable(), initrd: z.string().nullable(), notes: z.array(z.string()) }).nullable(),
  reason: z.string().nullable(),
  /** Where its files are served while the server runs (`/iso/<id>/`). */
  urlPath: z.string(),
  served: z.boolean(),
});
export type IsoSummary = z.infer<typeof IsoSummarySchema>;

export const VerifyResultSchema = z.object({
  sha256: z.string(),
  expected: z.object({ sha256: z.string(), from: z.string() }).nullable(),
  match: z.boolean().nullable(),
  ms: z.number(),
});

export const MachineSummarySchema = z.object({
  mac: z.string(),
  hostname: z.string().nullable(),
  isoId: z.string().nullable(),
  profile: z.string().nullable(),
  state: z.enum(['new', 'armed', 'installing', 'installed']),
  chain: z.enum(['auto', 'ipxe', 'pxelinux', 'grub']),
  secureBoot: z.enum(['unknown', 'on', 'off']),
  firmware: z.string().nullable(),
  arch: z.string().nullable(),
  ip: z.string().nullable(),
  firstSeen: z.number().nullable(),
  lastSeen: z.number().nullable(),
  installedAt: z.number().nullable(),
  /** The latest stage of its current boot, with a 0-100 figure, or null before it booted. */
  stage: z.object({ stage: z.enum(BOOT_STAGES), progress: z.number(), at: z.number() }).nullable(),
});
export type MachineSummary = z.infer<typeof MachineSummarySchema>;

const MacInput = z.object({ mac: MacSchema }).strict();

export const LEASE_STATES = ['bound', 'released', 'declined'] as const;
/**
 * A full-mode DHCP lease as the store holds it (offers live only in the running pool's memory and are not
 * listed). A `bound` lease past `expiresAt` has expired: the pool hands its address out again.
 */
export const LeaseSchema = z.object({
  /** The lease key: `id:<hex>` from option 61, else `mac:<mac>`; one machine may hold several on its way through a boot. */
  clientKey: z.string(),
  mac: z.string(),
  ip: z.string(),
  state: z.enum(LEASE_STATES),
  expiresAt: z.number(),
  /** The name rackboot hands out (a reservation's), else the one assigned to the machine; null for none. */
  hostname: z.string().nullable(),
  updatedAt: z.number(),
  /** From the machine record when the client network-booted ('bios', 'uefi', 'unknown'); null otherwise. */
  firmware: z.string().nullable(),
  arch: z.string().nullable(),
});
export type Lease = z.infer<typeof LeaseSchema>;

// ---------------------------------------------------------------------------------------- answer profiles

/** Profile ids are slugs of their names (electron/core/answers/profiles.ts). */
export const ProfileIdSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'a profile id: lower-case letters, digits and hyphens');
export const AnswerFamilySchema = z.enum(ANSWER_FAMILIES);
/** A profile body as forms send it; the core validates it against shared/answers/answer-profile.ts and reports issues as values. */
const ProfileBodySchema = z.record(z.string(), z.unknown());
export const AnswerIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  code: z.string(),
  message: z.string(),
  severity: z.enum(['error', 'warning']),
});
export const ProfileSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  familyHint: z.string().nullable(),
  currentVersion: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Why the stored profile no longer validates; null when it does. */
  problem: z.string().nullable(),
});
export type ProfileSummary = z.infer<typeof ProfileSummarySchema>;
export const ProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  currentVersion: z.number().int(),
  note: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** The validated body (passwords as hashes only), or null with `problem` and the stored `raw` body. */
  body: ProfileBodySchema.nullable(),
  problem: z.string().nullable(),
  raw: z.unknown().optional(),
});
export type ProfileDetail = z.infer<typeof ProfileSchema>;

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const contract = {
  methods: {
    listInterfaces: method(z.void(), z.array(NetInterfaceSchema)),
    getSettings: method(z.void(), SettingsSchema),
    setSettings: method(SettingsSchema.partial().strict(), SettingsSchema),
    getStatus: method(z.void(), ServerStatusSchema),
    startServer: method(z.void(), ServerStatusSchema),
    stopServer: method(z.void(), ServerStatusSchema),
    recentEvents: method(
      z.object({ afterSeq: z.number().int().optional(), limit: z.number().int().min(1).max(5000).optional() }).strict(),
      z.array(BootEventSchema),
    ),
    listIsos: method(z.void(), z.array(IsoSummarySchema)),
    /** Adds an image by path (indexes it unless already indexed and unchanged) and serves it from now on. */
    addIso: method(z.object({ path: z.string().min(1).max(4096) }).strict(), IsoSummarySchema),
    removeIso: method(z.object({ id: z.string().min(1).max(100) }).strict(), z.array(IsoSummarySchema)),
    /** SHA-256 of the whole image against `sha256` or a checksum file beside it; progress arrives as events. */
    listMachines: method(z.void(), z.array(MachineSummarySchema)),
    /** Assigns an ISO (and host name, loader, Secure Boot) and arms the install for the machine's next network boot. */
    assignMachine: method(
      z
        .object({
          mac: MacSchema,
          isoId: z.string().min(1).max(100),
          hostname: HostnameSchema.nullable().optional(),
          chain: z.enum(['auto', 'ipxe', 'pxelinux', 'grub']).optional(),
          secureBoot: z.enum(['unknown', 'on', 'off']).optional(),
          /** Answer profile id; null: the bootstrap answer file (the installer asks on its console). */
          profile: ProfileIdSchema.nullable().optional(),
        })
        .strict(),
      MachineSummarySchema,
    ),
    rearmMachine: method(MacInput, MachineSummarySchema),
    markMachineDone: method(MacInput, MachineSummarySchema),
    removeMachine: method(MacInput, z.array(MachineSummarySchema)),
    /** DHCP leases from the store, newest change first: works while the server is stopped too. */
    listLeases: method(z.void(), z.array(LeaseSchema)),
    verifyIso: method(z.object({ id: z.string().min(1).max(100), sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional() }).strict(), VerifyResultSchema),
    /** ISO files on this computer (Downloads, home, media...; or `dirs`), newest first, for the Setup screen to offer. */
    findIsos: method(
      z.object({ dirs: z.array(z.string().min(1).max(4096)).max(20).optional() }).strict(),
      z.array(z.object({ path: z.string(), size: z.number(), mtimeMs: z.number(), inLibrary: z.boolean() })),
    ),
    /** One DHCPDISCOVER out of a NIC: which DHCP servers answer there, and the DHCP mode that suits it. */
    probeDhcp: method(
      z.object({ interface: z.string().min(1).max(64) }).strict(),
      z.object({
        offers: z.array(z.object({ server: z.string(), offered: z.string(), router: z.string().nullable(), vendorClass: z.string().nullable(), proxy: z.boolean() })),
        ms: z.number(),
        suggestion: z.enum(DHCP_MODES),
        reason: z.string(),
      }),
    ),
    /** Where rackboot keeps its data, whether sockets can be tied to one NIC, which bootloaders are missing. */
    about: method(
      z.void(),
      z.object({
        dataDir: z.string(),
        settingsSaved: z.boolean(),
        nicBinding: z.object({ available: z.boolean(), reason: z.string().nullable() }),
        missingBootloaders: z.array(z.object({ name: z.string(), debianPackage: z.string() })),
      }),
    ),
    listProfiles: method(z.void(), z.array(ProfileSummarySchema)),
    getProfile: method(z.object({ id: ProfileIdSchema, version: z.number().int().min(1).optional() }).strict(), ProfileSchema),
    /** A new version (or a new profile without `id`); `{ plain }` passwords are hashed first. Field errors come back as issues, nothing saved. */
    saveProfile: method(
      z.object({ id: ProfileIdSchema.optional(), name: z.string().min(1).max(100), body: ProfileBodySchema, note: z.string().max(1000).nullable().optional() }).strict(),
      z.object({ profile: ProfileSchema.nullable(), issues: z.array(AnswerIssueSchema) }),
    ),
    /** Field and semantic issues for one installer family (from `isoId`, or `family`) and firmware. */
    validateProfile: method(
      z
        .object({
          body: ProfileBodySchema,
          isoId: z.string().min(1).max(100).optional(),
          family: AnswerFamilySchema.optional(),
          /** Without an ISO: the installer's major version (kickstart: the RHEL level, 7 to 10). */
          major: z.number().int().min(1).max(99).optional(),
          firmware: z.enum(['bios', 'uefi']).optional(),
          mac: MacSchema.optional(),
        })
        .strict(),
      z.object({ family: AnswerFamilySchema, issues: z.array(AnswerIssueSchema) }),
    ),
    /** The files a machine would be served for an ISO: a stored profile (`id`) or an unsaved body. */
    renderProfile: method(
      z.object({ id: ProfileIdSchema.optional(), body: ProfileBodySchema.optional(), isoId: z.string().min(1).max(100), mac: MacSchema.optional(), firmware: z.enum(['bios', 'uefi']).optional() }).strict(),
      z.object({ family: AnswerFamilySchema, files: z.array(z.object({ name: z.string(), text: z.string() })), issues: z.array(AnswerIssueSchema) }),
    ),
    /** An existing kickstart / autoinstall / preseed as an unsaved profile body, with what needs a look. */
    importAnswerFile: method(
      z.object({ text: z.string().max(4 * 1024 * 1024), family: AnswerFamilySchema, name: z.string().min(1).max(100).optional() }).strict(),
      z.object({ body: ProfileBodySchema, issues: z.array(AnswerIssueSchema) }),
    ),
    profileHistory: method(z.object({ id: ProfileIdSchema }).strict(), z.array(z.object({ version: z.number().int(), note: z.string().nullable(), createdAt: z.number(), current: z.boolean() }))),
    revertProfile: method(z.object({ id: ProfileIdSchema, version: z.number().int().min(1) }).strict(), ProfileSchema),
    removeProfile: method(z.object({ id: ProfileIdSchema }).strict(), z.array(ProfileSummarySchema)),
    /** A profile version as a file another rackboot imports (`rackboot answers import FILE`, or `importProfile`). */
    exportProfile: method(z.object({ id: ProfileIdSchema, version: z.number().int().min(1).optional() }).strict(), z.object({ fileName: z.string(), text: z.string() })),
    /** Saves a file made by `exportProfile` as a new profile (renamed when `name` is given). */
    importProfile: method(z.object({ text: z.string().max(4 * 1024 * 1024), name: z.string().min(1).max(100).optional() }).strict(), ProfileSchema),
  },
  streams: {
    event: BootEventSchema,
    status: ServerStatusSchema,
  },
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract['methods'];
export type StreamName = keyof Contract['streams'];
export type MethodInput<M extends MethodName> = z.input<Contract['methods'][M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract['methods'][M]['output']>;
export type StreamData<S extends StreamName> = z.output<Contract['streams'][S]>;

export { METHOD_NAMES, STREAM_NAMES };
// Compile-time proof that names.ts lists exactly the contract's methods and streams.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: [Same<(typeof METHOD_NAMES)[number], MethodName>, Same<(typeof STREAM_NAMES)[number], StreamName>] = [true, true];
void namesMatch;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(contract.methods, name);
}

/** What the core implements: plain async functions that may throw RackbootError. */
export type ApiHandlers = { [M in MethodName]: (input: z.output<Contract['methods'][M]['input']>) => Promise<MethodOutput<M>> };

/** What a renderer-side client offers, identically over IPC and WebSocket. */
export type ApiClient = { [M in MethodName]: (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>> } & {
  on<S extends StreamName>(stream: S, listener: (data: StreamData<S>) => void): () => void;
};

/** Validates `input` against the contract, runs the handler, and returns a Result: the one dispatch path. */
export async function dispatch(handlers: ApiHandlers, name: unknown, input: unknown): Promise<Result<unknown>> {
  if (!isMethodName(name)) return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `no method ${String(name)}` } };
  const parsed = contract.methods[name].input.safeParse(input);
  if (!parsed.success) {
    return { ok: false, error: { code: 'BAD_REQUEST', message: z.prettifyError(parsed.error) } };
  }
  try {
    const handler = handlers[name] as (i: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}
