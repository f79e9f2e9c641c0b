/**
 * Installer kernel arguments per family and version (boot-chains §4): which kernel and initrd of the ISO to
 * boot and the command line that makes its installer fetch the rest over HTTP from rackboot. Pure; the
 * renderers put the result into iPXE, pxelinux or GRUB syntax.
 */
import type { BootIso } from './decide.ts';
import { macHyphen } from './paths.ts';

export interface InstallArgsOptions {
  /** `http://A:P/iso/<id>/`: the ISO's files (RHEL `inst.repo=`). */
  isoUrl: string;
  /** `http://A:P/iso/<id>.iso`: the image itself (casper `url=`, must end in `.iso`). */
  isoFileUrl: string;
  /** The answer file URL (`.../answers/<mac-hyphen>/ks.cfg`, `.../user-data`, `.../preseed.cfg`), or null: interactive install. */
  answerUrl: string | null;
  mac: string;
  hostname: string | null;
  /** `ttyS0,115200n8` -> `console=ttyS0,115200n8`, appended last (the last `console=` is /dev/console). */
  console: string | null;
  /** The profile's extra arguments, after the family's own, before the console. */
  extra: readonly string[];
  /**
   * Accepted for the answer-file renderers' sake and deliberately not put on the command line: the callback
   * carries the install token, and /proc/cmdline is readable by every user of the installed system.
   */
  callbackUrl?: string | null;
  /** ISO size in bytes, when known: the casper RAM note gives a figure. */
  isoBytes?: number | null;
}

export interface InstallArgs {
  /** Kernel and initrd paths inside the ISO. */
  kernel: string;
  initrd: string;
  args: string[];
  /** Caveats for the technician (machine log, UI). */
  notes: string[];
}

export type InstallArgsResult = InstallArgs | { unsupported: string };

/**
 * Arguments that describe the boot medium or that rackboot sets itself; dropped from the ISO's own arguments
 * (detect's keepArgs already drops most media ones: checked again, keepArgs is data from an untrusted image).
 */
const REPLACED = /^(?:(?:inst\.)?(?:stage2|repo|ks|ks\.sendmac)(?:=|$)|method=|root=|rd\.live\.(?:check|image)$|initrd=|BOOT_IMAGE=|BOOTIF=|ip=|url=|ds=|cloud-config-url=|autoinstall$|auto(?:=|$)|priority=|interface=|preseed\/|file=|console=|iso-scan\/|cdrom-detect\/)/i;

/** One kernel argument as every renderer can carry it: printable ASCII, no spaces, no quotes (iPXE has none). */
export function isSafeArg(arg: string): boolean {
  return /^[\x21-\x7e]+$/.test(arg) && !/["'`]/.test(arg) && !arg.includes('${');
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

export function installArgs(iso: BootIso, opts: InstallArgsOptions): InstallArgsResult {
  const { info } = iso;
  if ('reason' in info.netboot) return { unsupported: info.netboot.reason };
  const plan = info.netboot;
  if (plan.kind === 'wimboot') {
    return { unsupported: `${info.name}: Windows setup needs iPXE + wimboot and an SMB share for ${plan.installImage ?? 'install.wim'}; rackboot does not netboot Windows yet` };
  }
  const notes = [...plan.notes];
  const bootif = `BOOTIF=01-${macHyphen(opts.mac)}`;
  const keep = plan.keepArgs.filter((a) => !REPLACED.test(a));
  const extra: string[] = [];
  for (const a of opts.extra) {
    if (isSafeArg(a)) extra.push(a);
    else notes.push(`extra argument ${JSON.stringify(a)} left out: kernel arguments here are printable ASCII without spaces or quotes`);
  }
  const hostname = opts.hostname && HOSTNAME.test(opts.hostname) ? opts.hostname : null;
  if (opts.hostname && !hostname) notes.push(`hostname ${JSON.stringify(opts.hostname)} is not a valid host name; not passed to the installer`);
  const tail = (args: string[]) => (opts.console ? [...args, `console=${opts.console}`] : args);

  switch (plan.kind) {
    case 'anaconda': {
      // boot-chains §4.2: RHEL 9 reads only `inst.ks=` (a bare `ks=` is "removed" and ignored: seed 003);
      // RHEL 7 and 8 read `inst.ks=` too, so the `inst.` forms are right for every version.
      const source = plan.repo === null ? `inst.stage2=${opts.isoUrl}` : `inst.repo=${opts.isoUrl}`;
      if (plan.repo === null) notes.push(`${info.name} is a boot ISO without packages: the kickstart must name a repository (url --url=...)`);
      const ks = opts.answerUrl ? [`inst.ks=${opts.answerUrl}`, 'inst.ks.sendmac'] : [];
      if (!opts.answerUrl) notes.push('no kickstart: anaconda will ask its questions on the console');
      if (info.major === 7) notes.push(`${info.name}: stage2 is ${plan.stage2} (found through .treeinfo from inst.repo)`);
      return { kernel: plan.kernel, initrd: plan.initrd, args: tail(['ip=dhcp', bootif, source, ...ks, ...keep, ...extra]), notes };
    }
    case 'casper': {
      // boot-chains §4.3: url= must end in .iso; cloud-config-url=/dev/null stops cloud-init fetching the ISO
      // again as "cloud-config"; root=/dev/ram0 makes the initramfs root ramfs (tmpfs is capped at 50 % of RAM).
      if (!opts.isoFileUrl.toLowerCase().endsWith('.iso')) {
        return { unsupported: `casper only downloads a url= ending in .iso, got ${opts.isoFileUrl}` };
      }
      const answer: string[] = [];
      if (opts.answerUrl) {
        const dir = opts.answerUrl.slice(0, opts.answerUrl.lastIndexOf('/') + 1);
        answer.push('autoinstall', `ds=nocloud-net;s=${dir}`);
      } else notes.push('no autoinstall data: the installer will ask its questions on the console');
      const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
      notes.push(
        opts.isoBytes
          ? `casper holds the whole ISO in RAM: the machine needs at least ${gib(2 * opts.isoBytes)} (2 x ${gib(opts.isoBytes)}) plus the installer's working set`
          : 'casper holds the whole ISO in RAM: the machine needs at least twice the ISO size (about 8 GiB for a 2.7 GiB ISO)',
      );
      if (plan.flavour === 'desktop') notes.push(`${info.name} is a desktop image: autoinstall needs 24.04 or later`);
      // Ours go before `---` (the ISO's own `---` and what follows are copied to the installed system).
      const dash = keep.indexOf('---');
      const before = dash < 0 ? keep : keep.slice(0, dash);
      const after = dash < 0 ? [] : keep.slice(dash);
      return {
        kernel: plan.kernel,
        initrd: plan.initrd,
        args: tail([`url=${opts.isoFileUrl}`, 'ip=dhcp', 'root=/dev/ram0', 'cloud-config-url=/dev/null', ...answer, ...before, ...extra, ...after]),
        notes,
      };
    }
    case 'd-i-cdrom': {
      // boot-chains §4.4: url = preseed/url, interface = netcfg/choose_interface; BOOTIF picks the boot NIC.
      notes.push(
        `the ISO's initrd (${plan.initrd}) is debian-installer's cdrom flavour: net-booted it stops at "Detect and mount installation media"; ` +
          `serve the netboot initrd of the same point release (${plan.releaseVersion ?? 'unknown'}) with the ISO's dists/ and pool/ as the mirror`,
      );
      // netcfg asks at critical priority when DHCP gives no router (an isolated install switch), before the
      // preseed can be fetched: answer it on the command line (verified in QEMU: d-i stops there otherwise).
      const preseed = opts.answerUrl ? ['auto=true', 'priority=critical', `url=${opts.answerUrl}`, 'netcfg/no_default_route=true'] : [];
      if (!opts.answerUrl) notes.push('no preseed: debian-installer will ask its questions on the console');
      return {
        kernel: plan.kernel,
        initrd: plan.initrd,
        args: tail([...preseed, 'interface=auto', bootif, ...(hostname ? [`hostname=${hostname}`] : []), ...keep, ...extra]),
        notes,
      };
    }
  }
}
