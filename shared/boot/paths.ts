/**
 * Every per-machine path the core serves, rendered and parsed in one place so the routes and the generated
 * configs cannot drift apart. Renderers take a canonical MAC (`aa:bb:cc:dd:ee:ff`, shared/net parseMac) and
 * return paths relative to the TFTP root / HTTP root (no leading `/`). Parsers take a request path without its
 * query string (one or more leading `/` allowed: TFTP clients differ), return null for anything that is not
 * theirs, and reject hostile input: `..`, empty segments, backslashes, control characters, MACs in other forms.
 * Hex digits are matched case-insensitively (clients differ); results come back in canonical form.
 */
import { parseMac } from '../net/ipv4.ts';

/** `aa:bb:cc:dd:ee:ff` -> `aa-bb-cc-dd-ee-ff`; throws on anything that is not a MAC (a programming error here). */
export function macHyphen(mac: string): string {
  const canonical = parseMac(mac);
  if (!canonical) throw new Error(`not a MAC address: ${JSON.stringify(mac)}`);
  return canonical.replaceAll(':', '-');
}

/** `192.168.10.23` -> `C0A80A17` (pxelinux and GRUB per-IP config names). Null for anything but a dotted quad. */
export function hexIp(ip: string): string | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.map((p) => Number(p).toString(16).padStart(2, '0')).join('').toUpperCase();
}

const HYPHEN_MAC = '[0-9a-f]{2}(?:-[0-9a-f]{2}){5}';
const COLON_MAC = '[0-9a-f]{2}(?::[0-9a-f]{2}){5}';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** ISO ids as the library makes them (`isoIdFor`: lower-case `[a-z0-9._-]`, no leading/trailing `.-_`). */
const ISO_ID = '[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?';
const ANSWER_FILE = '[a-z0-9][a-z0-9._-]{0,63}';

/** Leading slashes off; null when the path holds anything a routed name never does. */
function clean(path: string): string | null {
  if (path.length > 512) return null;
  const p = path.replace(/^\/+/, '');
  // eslint-disable-next-line no-control-regex
  if (p === '' || /[\\\u0000-\u001f\u007f%?#]/.test(p)) return null;
  if (p.split('/').some((s) => s === '' || s === '.' || s === '..')) return null;
  return p;
}

const hyphenToMac = (h: string) => h.toLowerCase().replaceAll('-', ':');

// ------------------------------------------------------------------------------------------------ iPXE

/** The per-machine iPXE script: `boot/aa-bb-cc-dd-ee-ff.ipxe` (the DHCP boot file URL for a running iPXE). */
export function ipxeScriptPath(mac: string): string {
  return `boot/${macHyphen(mac)}.ipxe`;
}

export function parseIpxeScriptPath(path: string): string | null {
  const p = clean(path);
  const m = p === null ? null : new RegExp(`^boot/(${HYPHEN_MAC})\\.ipxe$`, 'i').exec(p);
  return m ? hyphenToMac(m[1]!) : null;
}

// -------------------------------------------------------------------------------------- pxelinux (lpxelinux)

/** What a pxelinux config name means (boot-chains §3.1 lookup order: UUID, 01-MAC, hex IP prefixes, default). */
export type PxelinuxConfigName =
  | { kind: 'mac'; mac: string }
  | { kind: 'uuid'; uuid: string }
  /** One of the 8 hex-IP tries, `C0A80A17` down to `C`: a full 8 digits names one address, shorter ones a range. */
  | { kind: 'ip'; hex: string }
  | { kind: 'default' };

/** `pxelinux.cfg/01-aa-bb-cc-dd-ee-ff`: `01` is the ARP hardware type (Ethernet). */
export function pxelinuxConfigPath(mac: string): string {
  return `pxelinux.cfg/01-${macHyphen(mac)}`;
}

export function parsePxelinuxConfigPath(path: string): PxelinuxConfigName | null {
  const p = clean(path);
  const m = p === null ? null : /^pxelinux\.cfg\/([^/]+)$/i.exec(p);
  return m ? configName(m[1]!) : null;
}

/** The name part shared by pxelinux (`01-…`, UUID, hex IP, `default`) and GRUB (`grub.cfg-<same>`). */
function configName(name: string): PxelinuxConfigName | null {
  let m = new RegExp(`^01-(${HYPHEN_MAC})$`, 'i').exec(name);
  if (m) return { kind: 'mac', mac: hyphenToMac(m[1]!) };
  m = new RegExp(`^(${UUID})$`, 'i').exec(name);
  if (m) return { kind: 'uuid', uuid: m[1]!.toLowerCase() };
  if (/^[0-9a-f]{1,8}$/i.test(name)) return { kind: 'ip', hex: name.toUpperCase() };
  if (name === 'default') return { kind: 'default' };
  return null;
}

// ------------------------------------------------------------------------------------------------ GRUB

/**
 * Debian's signed grubnetx64 (served as `grubx64.efi` beside the bundled shim) is built with prefix `/grub`
 * and reads `grub/grub.cfg` with no per-MAC lookup of its own (boot-chains §3.2, QEMU appendix). rackboot
 * serves a dispatcher there (render-grub.ts) that loads `grub/grub.cfg-<net_default_mac>`: GRUB spells that
 * variable with colons, lower case (`grub_net_hwaddr_to_str`), so that is the per-machine name.
 */
export const DEBIAN_GRUB_CONFIG = 'grub/grub.cfg';

/**
 * The prefixes Debian-built network GRUBs are made with: `/grub` (grub-efi-amd64-signed's grubnetx64) and
 * `/debian-installer/amd64/grub` (the GRUB in debian-installer's netboot tree, which technicians copy next to
 * shim, and which an ISO may carry as its `EFI/BOOT/grubx64.efi`). Both get the dispatcher, which then asks
 * `$prefix/grub.cfg-<mac>`.
 */
const DEBIAN_GRUB_PREFIX = '(?:grub|debian-installer/amd64/grub)';

export function debianGrubConfigPath(mac: string): string {
  return `grub/grub.cfg-${macHyphen(mac).replaceAll('-', ':')}`;
}

/**
 * A distro GRUB chained from the ISO's own shim (`iso/<id>/EFI/BOOT/BOOTX64.EFI`) searches its `$fw_path`, the
 * NBP's directory, first (RHEL/Fedora GRUB; boot-chains §3.2): `grub.cfg-01-<mac>`, `grub.cfg-<HEXIP>`...,
 * then `grub.cfg`. So the core serves generated files there, in place of the ISO's own `EFI/BOOT/grub.cfg`.
 */
export function distroGrubConfigPath(isoId: string, mac: string): string {
  return `iso/${isoId}/EFI/BOOT/grub.cfg-01-${macHyphen(mac)}`;
}

export type GrubConfigName =
  /** `grub/grub.cfg`: the dispatcher for Debian's GRUB. */
  | { loader: 'debian-grub'; kind: 'dispatcher' }
  | { loader: 'debian-grub'; kind: 'mac'; mac: string }
  /**
   * A distro GRUB's search (`iso/<id>/EFI/BOOT/grub.cfg*`). `isoId` null: the same names at the TFTP root,
   * which is where that GRUB looks under ProxyDHCP (efinet copies one byte of the boot file name, so
   * `$fw_path` becomes the root; boot-chains §3.2, derived from the code, untested). `default` is plain `grub.cfg`.
   */
  | ({ loader: 'distro-grub'; isoId: string | null } & PxelinuxConfigName);

export function parseGrubConfigPath(path: string): GrubConfigName | null {
  const p = clean(path);
  if (p === null) return null;
  if (new RegExp(`^${DEBIAN_GRUB_PREFIX}/grub\\.cfg$`, 'i').test(p)) return { loader: 'debian-grub', kind: 'dispatcher' };
  let m = new RegExp(`^${DEBIAN_GRUB_PREFIX}/grub\\.cfg-(${COLON_MAC})$`, 'i').exec(p);
  if (m) return { loader: 'debian-grub', kind: 'mac', mac: m[1]!.toLowerCase() };
  m = new RegExp(`^(?:iso/(${ISO_ID})/efi/boot/)?grub\\.cfg(?:-([^/]+))?$`, 'i').exec(p);
  if (!m) return null;
  const isoId = m[1] === undefined ? null : m[1].toLowerCase();
  if (isoId?.includes('..')) return null;
  const name = m[2] === undefined ? ({ kind: 'default' } as const) : configName(m[2]);
  // `grub.cfg-default` is not a name GRUB asks for.
  if (name === null || (m[2] !== undefined && name.kind === 'default')) return null;
  return { loader: 'distro-grub', isoId, ...name };
}

// --------------------------------------------------------------------------------- answers and callbacks

/** `answers/aa-bb-cc-dd-ee-ff/<file>`: `ks.cfg`, `preseed.cfg`, `user-data`, `meta-data`, `vendor-data`... */
export function answerPath(mac: string, file: string): string {
  if (!new RegExp(`^${ANSWER_FILE}$`).test(file)) throw new Error(`not an answer file name: ${JSON.stringify(file)}`);
  return `answers/${macHyphen(mac)}/${file}`;
}

/** The directory form cloud-init's `ds=nocloud-net;s=` needs (trailing `/`, boot-chains §4.3). */
export function answerDirPath(mac: string): string {
  return `answers/${macHyphen(mac)}/`;
}

export function parseAnswerPath(path: string): { mac: string; file: string } | null {
  const p = clean(path);
  const m = p === null ? null : new RegExp(`^answers/(${HYPHEN_MAC})/(${ANSWER_FILE})$`, 'i').exec(p);
  if (!m || m[2]!.includes('..')) return null;
  return { mac: hyphenToMac(m[1]!), file: m[2]! };
}

export type CallbackEvent = 'started' | 'done';

/** `api/callback/aa-bb-cc-dd-ee-ff` (BootContext.callbackBase ends here; the installer appends `/started`, `/done`). */
export function callbackBasePath(mac: string): string {
  return `api/callback/${macHyphen(mac)}`;
}

export function callbackPath(mac: string, event: CallbackEvent): string {
  return `${callbackBasePath(mac)}/${event}`;
}

export function parseCallbackPath(path: string): { mac: string; event: CallbackEvent } | null {
  const p = clean(path);
  const m = p === null ? null : new RegExp(`^api/callback/(${HYPHEN_MAC})/(started|done)$`, 'i').exec(p);
  return m ? { mac: hyphenToMac(m[1]!), event: m[2]!.toLowerCase() as CallbackEvent } : null;
}

// ------------------------------------------------------------------------------------------------ ISOs

/** `iso/<id>/`: the ISO's files (the HTTP route and the TFTP names both use it). */
export function isoDirPath(isoId: string): string {
  return `iso/${isoId}/`;
}

/** `iso/<id>.iso`: the image itself (casper's `url=` must end in `.iso`). */
export function isoFilePath(isoId: string): string {
  return `iso/${isoId}.iso`;
}

// ------------------------------------------------------------------------------------------------ routing

export type BootPath =
  | { route: 'ipxe-script'; mac: string }
  | { route: 'pxelinux'; name: PxelinuxConfigName }
  | { route: 'grub'; name: GrubConfigName }
  | { route: 'answer'; mac: string; file: string }
  | { route: 'callback'; mac: string; event: CallbackEvent };

/** One entry point for the routes: which generated thing a request path names, or null (serve files as usual). */
export function parseBootPath(path: string): BootPath | null {
  const ipxe = parseIpxeScriptPath(path);
  if (ipxe) return { route: 'ipxe-script', mac: ipxe };
  const pxe = parsePxelinuxConfigPath(path);
  if (pxe) return { route: 'pxelinux', name: pxe };
  const grub = parseGrubConfigPath(path);
  if (grub) return { route: 'grub', name: grub };
  const answer = parseAnswerPath(path);
  if (answer) return { route: 'answer', ...answer };
  const cb = parseCallbackPath(path);
  if (cb) return { route: 'callback', ...cb };
  return null;
}
