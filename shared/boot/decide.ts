/**
 * Boot policy (CONVENTIONS §3): decide(info, machine, ctx) picks the first-stage loader a DHCP client gets;
 * bootAction/bootScript say what the per-machine config that loader fetches should do (install, local disk,
 * menu). Pure: the core supplies the machine's row and the context, the renderers turn a BootScript into text.
 */
import { canNetboot, type DistroInfo, type EfiLoader } from '../distro/model.ts';
import { ClientArch } from '../protocol/dhcp4/options.ts';
import type { BootChoice } from './bootfile.ts';
import type { ClientInfo } from './classify.ts';
import { installArgs, type InstallArgs } from './kernel-args.ts';
import { ipxeScriptPath, isoDirPath, isoFilePath } from './paths.ts';

export type MachineState = 'new' | 'armed' | 'installing' | 'installed';
export type ChainChoice = 'auto' | 'ipxe' | 'pxelinux' | 'grub';

/** An ISO as boot policy sees it: its id (served at http://A:P/iso/<id>/ and over TFTP as iso/<id>/...) and what detection found. */
export interface BootIso {
  id: string;
  info: DistroInfo;
}

export interface MachineBoot {
  /** Canonical `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** In the machines table (planned or seen before) vs never seen. */
  known: boolean;
  hostname: string | null;
  /** armed: install on next boot; installing: its answer file was fetched; installed: the completion callback arrived -> local boot until re-armed; new: nothing planned. */
  state: MachineState;
  /** What to install when armed. */
  iso: BootIso | null;
  /** A profile may force a loader. */
  chain: ChainChoice;
  secureBoot: 'unknown' | 'on' | 'off';
  /** The profile's extra kernel arguments. */
  extraArgs: string[];
  /** URL the installer fetches its answer file from, or null (e.g. Windows): http://A:P/answers/<mac-hyphen>/<file>. */
  answerUrl: string | null;
}

export interface BootContext {
  address: string;
  httpPort: number;
  /** Policy for machines with state 'new': ignore (no DHCP boot answer for unknown ones), menu (local disk after a countdown), install (the default ISO; only when the tech confirmed). */
  unknown: 'ignore' | 'menu' | 'install';
  /** ISOs offered in the menu (each netbootable one an entry). */
  isos: BootIso[];
  /** Extension: the ISO `unknown: 'install'` installs; without it such machines get the menu. */
  defaultIso?: BootIso | null;
  menuTimeoutSeconds: number;
  /** e.g. 'ttyS0,115200n8', appended to kernel args; null for none. */
  console: string | null;
  /** http://A:P/api/callback/<mac-hyphen> (the core appends /started, /done). */
  callbackBase: string;
  /** rackboot answers as ProxyDHCP beside the site's DHCP server. */
  proxyDhcp?: boolean;
}

export type LoaderKind = 'ipxe-script' | 'ipxe-bios' | 'ipxe-efi' | 'ipxe-http' | 'pxelinux' | 'lpxelinux' | 'shim-grub' | 'distro-shim-grub';

export type BootDecision =
  | { ignore: string }
  | {
      /** TFTP path relative to the TFTP root, or an http:// URL. */
      bootfile: string;
      loader: LoaderKind;
      reason: string;
    };

export const httpBaseOf = (ctx: Pick<BootContext, 'address' | 'httpPort'>) => `http://${ctx.address}:${ctx.httpPort}`;

/** Bundled loaders at the TFTP root (electron/core/boot/bootloaders.ts serves them under these names). */
export const BUNDLED = {
  undionly: 'undionly.kpxe',
  snponly: 'snponly.efi',
  ipxeEfi: 'ipxe.efi',
  lpxelinux: 'lpxelinux.0',
  /** Debian's signed shim; Debian's grubnetx64 is served beside it as `grubx64.efi` (shim's DEFAULT_LOADER). */
  shim: 'shimx64.efi',
} as const;

// ------------------------------------------------------------------------------------------ what to boot

export type BootAction =
  | { kind: 'install'; iso: BootIso; reason: string }
  | { kind: 'local'; reason: string }
  | { kind: 'menu'; isos: BootIso[]; reason: string };

/** x86 clients only (decide ignores the rest): ISOs for x86_64 or i386, or of unknown architecture. */
const bootsOnX86 = (iso: BootIso) => iso.info.arch === null || iso.info.arch === 'x86_64' || iso.info.arch === 'i386';

/** Why this ISO cannot be installed by rackboot, or null when it can. */
function installBlocker(iso: BootIso): string | null {
  const plan = iso.info.netboot;
  if ('reason' in plan) return `${iso.info.name} cannot be netbooted: ${plan.reason}`;
  if (plan.kind === 'wimboot') return `${iso.info.name}: Windows is not netbooted by rackboot yet`;
  if (!bootsOnX86(iso)) return `${iso.info.name} is for ${iso.info.arch}, not an x86 machine`;
  return null;
}

/** What the machine's per-machine config does, from its state (boot-chains §7: installing/installed boot the disk). */
export function bootAction(machine: MachineBoot, ctx: BootContext): BootAction {
  const menu = (reason: string): BootAction => ({ kind: 'menu', isos: ctx.isos.filter((i) => installBlocker(i) === null), reason });
  switch (machine.state) {
    case 'armed': {
      if (!machine.iso) return { kind: 'local', reason: 'armed without an ISO: booting the local disk (assign an ISO and re-arm)' };
      const blocker = installBlocker(machine.iso);
      if (blocker) return { kind: 'local', reason: `${blocker}; booting the local disk` };
      return { kind: 'install', iso: machine.iso, reason: `armed: installing ${machine.iso.info.name}` };
    }
    case 'installing':
      // The answer file was fetched, so the installer ran; a netboot now is its reboot (or a crash): never
      // install again by itself (seed 003's loop). The technician re-arms to retry.
      return { kind: 'local', reason: 'the installer already fetched its answer file: booting the local disk (re-arm to install again)' };
    case 'installed':
      return { kind: 'local', reason: 'installed: booting the local disk until re-armed' };
    case 'new':
      if (ctx.unknown === 'menu') return menu('nothing planned: boot menu, local disk after the countdown');
      if (ctx.unknown === 'install') {
        const iso = ctx.defaultIso ?? null;
        if (iso && installBlocker(iso) === null) return { kind: 'install', iso, reason: `new machine, policy "install": installing ${iso.info.name}` };
        return menu(iso ? `policy "install" but ${installBlocker(iso)}: boot menu instead` : 'policy "install" without a default ISO: boot menu instead');
      }
      return { kind: 'local', reason: 'nothing planned: booting the local disk' };
  }
}

// --------------------------------------------------------------------------------- first-stage loader

/** The ISO's own shim + GRUB pair for x64, when it is a network GRUB rackboot can drive (RHEL family lorax GRUB). */
export function distroShim(iso: BootIso): EfiLoader | null {
  // Only anaconda ISOs: their grubx64.efi is the generic distro GRUB with efinet/tftp and the $fw_path search.
  // Debian and Ubuntu ISOs carry the cdrom GRUB (gcdx64), which looks for /.disk/info on a disc, not the network.
  if (!canNetboot(iso.info) || iso.info.netboot.kind !== 'anaconda') return null;
  for (const l of iso.info.efi) {
    if (l.arch !== 'x86_64' || !l.grub) continue;
    const dir = (p: string) => p.slice(0, p.lastIndexOf('/') + 1).toLowerCase();
    // shim asks for `grubx64.efi` in its own directory (shim.h DEFAULT_LOADER; netboot.c), whatever the ISO calls it.
    if (dir(l.grub) === dir(l.loader) && l.grub.slice(dir(l.grub).length).toLowerCase() === 'grubx64.efi') return l;
  }
  return null;
}

const isX64Uefi = (arch: number | null) => arch === ClientArch.X64_EFI || arch === ClientArch.EBC_EFI;

/**
 * The first-stage boot file for a DHCP client and the reason a technician reads in the machine's log.
 * order matters: the ignore rules first (an unwanted machine must not even get iPXE), then a running iPXE
 * (else a ROM that chained into undionly.kpxe is handed it again forever; boot-chains §1.8), then HTTP boot,
 * then the firmware's architecture.
 */
export function decide(info: ClientInfo, machine: MachineBoot, ctx: BootContext): BootDecision {
  const base = httpBaseOf(ctx);
  if (!info.ipxe && info.bootClass === null) return { ignore: 'not a network-boot client (no PXEClient/HTTPClient vendor class)' };
  if (!machine.known && machine.state === 'new' && ctx.unknown === 'ignore') {
    return { ignore: 'unknown machine and the policy for unknown machines is "ignore" (add it, or switch the policy to menu)' };
  }
  const action = bootAction(machine, ctx);
  const installing = action.kind === 'install' ? action.iso : null;

  if (info.ipxe) {
    return { bootfile: `${base}/${ipxeScriptPath(machine.mac)}`, loader: 'ipxe-script', reason: `iPXE is running: its per-machine script over HTTP (no chainload loop); ${action.reason}` };
  }

  if (info.bootClass === 'HTTPClient') {
    if (info.arch !== ClientArch.X64_EFI_HTTP) return { ignore: `UEFI HTTP boot for ${info.archName ?? 'an unknown architecture'} is not supported (no bundled loader for it)` };
    if (machine.secureBoot !== 'on') {
      return { bootfile: `${base}/${BUNDLED.ipxeEfi}`, loader: 'ipxe-http', reason: `x64 UEFI HTTP boot: iPXE as an EFI image over HTTP${sbUnknown(machine)}; ${action.reason}` };
    }
    const shim = installing ? distroShim(installing) : null;
    if (installing && shim) {
      return {
        bootfile: `${base}/${isoDirPath(installing.id)}${shim.loader}`,
        loader: 'distro-shim-grub',
        reason:
          `x64 UEFI HTTP boot with Secure Boot: ${installing.info.name}'s own shim over HTTP (it fetches grubx64.efi beside it); ` +
          `that GRUB gets an (http) prefix and reads ${isoDirPath(installing.id)}${dirOf(shim.loader)}grub.cfg without a per-MAC search; ${action.reason}`,
      };
    }
    return {
      ignore:
        'x64 UEFI HTTP boot with Secure Boot: no workable chain (iPXE is not signed; the bundled Debian GRUB cannot read over HTTP, so it would not find its config). ' +
        'Let the firmware PXE boot over TFTP (IPv4 PXE before HTTP in its boot order): rackboot answers that with shim + GRUB',
    };
  }

  if (info.arch === ClientArch.X86_BIOS || info.arch === null) {
    const bios = info.arch === null ? 'PXE client without an architecture (old BIOS ROM)' : 'legacy BIOS PXE';
    if (machine.chain === 'pxelinux') {
      return { bootfile: BUNDLED.lpxelinux, loader: 'lpxelinux', reason: `${bios}, profile forces pxelinux: lpxelinux.0 (fetches its config, kernel and initrd over HTTP); ${action.reason}` };
    }
    const forced = machine.chain === 'grub' ? ' (the profile asks for GRUB, which rackboot only chains on UEFI: using iPXE)' : '';
    return { bootfile: BUNDLED.undionly, loader: 'ipxe-bios', reason: `${bios}: iPXE over the ROM's UNDI driver${forced}; ${action.reason}` };
  }

  if (isX64Uefi(info.arch)) {
    const uefi = info.arch === ClientArch.EBC_EFI ? 'x64 UEFI PXE (arch 9, RFC 4578 erratum 4624)' : 'x64 UEFI PXE';
    if (machine.secureBoot === 'on' || machine.chain === 'grub') {
      const why = machine.secureBoot === 'on' ? 'Secure Boot' : 'the profile asks for GRUB';
      const shim = installing ? distroShim(installing) : null;
      if (installing && shim) {
        return {
          bootfile: `${isoDirPath(installing.id)}${shim.loader}`,
          loader: 'distro-shim-grub',
          reason: `${uefi} with ${why}: ${installing.info.name}'s own shim, which TFTPs grubx64.efi from the same directory; that GRUB reads its per-machine grub.cfg there; ${action.reason}`,
        };
      }
      let caveat = '';
      if (machine.secureBoot === 'on' && installing && installing.info.family !== 'debian') {
        caveat = ` WARNING: under Secure Boot Debian's shim only boots kernels signed by Debian (or enrolled MOK keys): ${installing.info.name}'s kernel will be refused; turn Secure Boot off for this install or use an ISO whose own shim rackboot can chain.`;
      }
      const forced = machine.chain === 'pxelinux' ? ' (the profile asks for pxelinux, which is BIOS only)' : '';
      if (ctx.proxyDhcp) {
        // Seen in QEMU: Debian's GRUB takes its TFTP server from the site DHCP answer, never from our proxy offer.
        caveat +=
          " WARNING: beside another DHCP server (ProxyDHCP), Debian's GRUB fetches its config from that server's next-server, not from rackboot, and stops at its prompt: use full DHCP on an isolated switch, or point the site DHCP's next-server at this laptop.";
      }
      return {
        bootfile: BUNDLED.shim,
        loader: 'shim-grub',
        reason: `${uefi} with ${why}${forced}: Debian's signed shim, then Debian's GRUB (grubx64.efi beside it, reads grub/grub.cfg; kernel and initrd over TFTP); ${action.reason}.${caveat}`,
      };
    }
    const forced = machine.chain === 'pxelinux' ? ' (the profile asks for pxelinux, which is BIOS only: using iPXE)' : '';
    return { bootfile: BUNDLED.snponly, loader: 'ipxe-efi', reason: `${uefi}: iPXE over the firmware's network driver (SNP)${forced}${sbUnknown(machine)}; ${action.reason}` };
  }

  return { ignore: `no bootloader for ${info.archName ?? 'this architecture'} (option 93 = ${info.arch}) yet` };
}

function sbUnknown(machine: MachineBoot): string {
  return machine.secureBoot === 'unknown'
    ? ' (Secure Boot not known: iPXE is unsigned; firmware that refuses it and PXE boots again is marked Secure Boot and gets shim + GRUB from then on)'
    : '';
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);

/** The DHCP service's `choose(info)` hook speaks bootfile.ts's BootChoice. */
export function toBootChoice(decision: BootDecision): BootChoice {
  return 'ignore' in decision ? decision : { file: decision.bootfile, reason: decision.reason };
}

// ---------------------------------------------------------------------------------- the per-machine config

/** A kernel + initrd install, ready for any renderer; paths are inside the ISO. */
export interface InstallEntry {
  title: string;
  isoId: string;
  kernel: string;
  initrd: string;
  args: string[];
  /** RHEL 7's distro GRUB needs linuxefi/initrdefi under Secure Boot (renderers use it only for a distro GRUB). */
  needsLinuxefi: boolean;
  notes: string[];
}

export type BootScript =
  | { kind: 'install'; mac: string; entry: InstallEntry; reason: string }
  | { kind: 'local'; mac: string; reason: string }
  | { kind: 'menu'; mac: string; entries: InstallEntry[]; timeoutSeconds: number; reason: string };

/** Which loader will read the config: menus under Secure Boot only list what that loader's shim can verify. */
export type ConfigLoader = 'ipxe' | 'pxelinux' | 'debian-grub' | 'distro-grub';

export function installEntry(iso: BootIso, machine: MachineBoot, ctx: BootContext): InstallEntry | { unsupported: string } {
  const base = httpBaseOf(ctx);
  const r = installArgs(iso, {
    isoUrl: `${base}/${isoDirPath(iso.id)}`,
    isoFileUrl: `${base}/${isoFilePath(iso.id)}`,
    answerUrl: machine.answerUrl,
    mac: machine.mac,
    hostname: machine.hostname,
    console: ctx.console,
    extra: machine.extraArgs,
    callbackUrl: ctx.callbackBase,
  });
  if ('unsupported' in r) return r;
  return fromArgs(iso, r);
}

function fromArgs(iso: BootIso, r: InstallArgs): InstallEntry {
  const needsLinuxefi = canNetboot(iso.info) && iso.info.netboot.kind === 'anaconda' && iso.info.netboot.needsLinuxefi;
  return { title: `Install ${iso.info.name}`, isoId: iso.id, kernel: r.kernel, initrd: r.initrd, args: r.args, needsLinuxefi, notes: r.notes };
}

/** The per-machine config's content: bootAction + installArgs, shaped for render-ipxe/-grub/-pxelinux. */
export function bootScript(machine: MachineBoot, ctx: BootContext, loader: ConfigLoader): BootScript {
  const action = bootAction(machine, ctx);
  const mac = machine.mac;
  if (action.kind === 'local') return { kind: 'local', mac, reason: action.reason };
  if (action.kind === 'install') {
    const e = installEntry(action.iso, machine, ctx);
    if ('unsupported' in e) return { kind: 'local', mac, reason: `${e.unsupported}; booting the local disk` };
    return { kind: 'install', mac, entry: e, reason: action.reason };
  }
  let isos = action.isos;
  let reason = action.reason;
  if (loader === 'debian-grub' && machine.secureBoot === 'on') {
    // Debian's shim verifies kernels against Debian's key: other distros' entries would only fail.
    isos = isos.filter((i) => i.info.family === 'debian');
    reason += ' (Secure Boot with Debian\'s shim: only Debian ISOs listed)';
  }
  const entries = isos.map((i) => installEntry(i, machine, ctx)).filter((e): e is InstallEntry => !('unsupported' in e));
  return { kind: 'menu', mac, entries, timeoutSeconds: ctx.menuTimeoutSeconds, reason };
}
