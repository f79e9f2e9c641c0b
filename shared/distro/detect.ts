/**
 * Detects an installer ISO's family, distribution, version, architecture and netboot plan from its file
 * tree (boot-chains.md §4.1). Table-driven: `RULES` is tried in order and the first rule that recognises
 * the tree decides; each rule records the markers it matched in `evidence`. Only small files are read
 * (`READ_CAP` each, at most `MAX_MENU_FILES` boot menus), so a hostile image costs a bounded amount of I/O.
 *
 *   const info = await detectDistro(sourceFromEntries(index.label, index.entries, readEntry));
 *   if (canNetboot(info)) ... else show(info.netboot.reason)
 */
import { EFI_NAMES, normaliseArch, type Arch } from './arch.ts';
import { parseGrubCfg, parseIsolinuxCfg, type MenuEntry } from './bootmenu.ts';
import { parseDebianRelease, type DebianRelease } from './debian-release.ts';
import { parseDiscinfo } from './discinfo.ts';
import { parseDiskInfo, type DiskInfo } from './disk-info.ts';
import type { DistroId, DistroInfo, EfiLoader, NetbootPlan, NetbootRefusal } from './model.ts';
import type { DistroSource } from './source.ts';
import { looksBinary, utf8 } from './text.ts';
import { parseTreeinfo, type Treeinfo } from './treeinfo.ts';
import { parseIdwbinfo, parseWindowsLabel, windowsVersion } from './windows.ts';

/** Largest prefix of any metadata file that is read (.treeinfo, .disk/info, Release, grub.cfg...). */
export const READ_CAP = 256 * 1024;
/** Boot menu files read per image, includes followed. */
export const MAX_MENU_FILES = 12;

export interface DetectOptions {
  /** rackboot can serve wimboot: Windows media get a wimboot plan instead of a refusal. Default false. */
  wimboot?: boolean;
}

/** What a rule sees: the source, the menus read once, and helpers that record warnings. */
interface Ctx {
  src: DistroSource;
  opts: DetectOptions;
  evidence: string[];
  warnings: string[];
  efi: EfiLoader[];
  menu: MenuEntry[];
  /** Image-spelling path of a file at `path`, or null. */
  file(path: string): string | null;
  dir(path: string): boolean;
  /** Text of a small file (capped, binary refused with a warning), or null. */
  text(path: string): Promise<string | null>;
  diskInfo?: Promise<DiskInfo | null>;
}

/** An image detection could not place: its name and arch, and why it cannot be netbooted. */
function unknown(name: string, arch: Arch | null, reason: string): Found {
  return { family: 'unknown', distro: null, name, version: null, major: null, arch, netboot: refuse(reason) };
}

type Found = Pick<DistroInfo, 'family' | 'distro' | 'name' | 'version' | 'major' | 'arch' | 'netboot'>;

interface Rule {
  name: string;
  detect(ctx: Ctx): Promise<Found | null>;
}

const refuse = (reason: string): NetbootRefusal => ({ reason });

/** Leading integer of a version, ignoring a `V` prefix (Kylin `V10`): "9.4" -> 9, "22.03-LTS" -> 22. */
export function majorOf(version: string | null): number | null {
  const m = /^v?(\d{1,5})/i.exec(version ?? '');
  return m ? Number(m[1]) : null;
}

/** Arguments that only make sense when booting from the disc itself; the netboot line replaces them. */
const MEDIA_ARG = /^(?:(?:inst\.)?(?:stage2|repo|ks)=|method=|root=live:|rd\.live\.(?:check|image)$|iso-scan\/|file=\/cdrom\/|cdrom-detect\/|initrd=|BOOT_IMAGE=)/i;

export function keepArgs(args: readonly string[]): string[] {
  return args.filter((a) => !MEDIA_ARG.test(a));
}

// ---------------------------------------------------------------------------------------------- RHEL family

/** Release names to distro ids, most specific first (`CentOS Stream` before `CentOS`). */
const RHEL_NAMES: ReadonlyArray<{ test: RegExp; distro: DistroId; name: string }> = [
  { test: /centos[\s_-]*stream/i, distro: 'centos-stream', name: 'CentOS Stream' },
  { test: /red\s*hat\s*enterprise|^rhel(?:\b|[-_\d])/i, distro: 'rhel', name: 'Red Hat Enterprise Linux' },
  { test: /centos/i, distro: 'centos', name: 'CentOS Linux' },
  { test: /rocky/i, distro: 'rocky', name: 'Rocky Linux' },
  { test: /alma\s*linux|^alma/i, distro: 'alma', name: 'AlmaLinux' },
  { test: /oracle\s*linux|^ol(?:[-_]\d|$)/i, distro: 'oracle', name: 'Oracle Linux' },
  { test: /anolis/i, distro: 'anolis', name: 'Anolis OS' },
  { test: /open\s*euler/i, distro: 'openeuler', name: 'openEuler' },
  { test: /kylin/i, distro: 'kylin', name: 'Kylin Linux Advanced Server' },
  { test: /uniontech|^uos(?:\b|[-_])/i, distro: 'uos', name: 'UnionTech OS Server' },
  { test: /fedora/i, distro: 'fedora', name: 'Fedora' },
];

function rhelName(candidates: ReadonlyArray<string | null>): { distro: DistroId; name: string; from: string } | null {
  for (const c of candidates) {
    if (!c) continue;
    const hit = RHEL_NAMES.find((n) => n.test.test(c));
    if (hit) return { distro: hit.distro, name: hit.name, from: c };
  }
  return null;
}

/** Picks the `[images-*]` section for the tree's arch (never `xen`), else the first non-xen one. */
function treeImages(ti: Treeinfo): Record<string, string> | null {
  const arch = ti.arch?.toLowerCase();
  if (arch && ti.images[arch]) return ti.images[arch]!;
  const key = Object.keys(ti.images).find((k) => k !== 'xen' && normaliseArch(k) !== null);
  return key ? ti.images[key]! : null;
}

/** A menu entry whose kernel and initrd exist, default first; `want` narrows it (kernel prefix...). */
function pickMenu(ctx: Ctx, want: (e: MenuEntry) => boolean = () => true): MenuEntry | null {
  const ok = ctx.menu.filter((e) => want(e) && ctx.file(e.kernel) !== null && e.initrds.length > 0 && e.initrds.every((i) => ctx.file(i) !== null));
  return ok.find((e) => e.isDefault) ?? ok[0] ?? null;
}

const rhelRule: Rule = {
  name: 'rhel',
  async detect(ctx) {
    const tiPath = ctx.file('.treeinfo') ?? ctx.file('treeinfo');
    const tiText = tiPath ? await ctx.text(tiPath) : null;
    const ti = tiText !== null ? parseTreeinfo(tiText) : null;
    if (tiPath && tiText !== null && !ti) ctx.warnings.push(`${tiPath} has no treeinfo sections (truncated or not a treeinfo)`);
    const pxeKernel = ctx.file('images/pxeboot/vmlinuz');
    const installImg = ctx.file('images/install.img');
    const liveImg = ctx.file('LiveOS/squashfs.img');
    const variantsRepo = ctx.dir('BaseOS') && ctx.dir('AppStream');
    const flatRepo = ctx.dir('repodata');
    if (!tiPath && !(pxeKernel && (installImg || liveImg || variantsRepo))) return null;

    if (ti) ctx.evidence.push(`${tiPath}: ${ti.format}${ti.formatVersion ? ` ${ti.formatVersion}` : ''}${ti.family ? `, ${ti.family}` : ''}${ti.version ? ` ${ti.version}` : ''}`);
    else if (tiPath) ctx.evidence.push(`${tiPath} present but unreadable`);
    else ctx.evidence.push('images/pxeboot/vmlinuz without .treeinfo');

    const diPath = ctx.file('.discinfo');
    const diText = diPath ? await ctx.text(diPath) : null;
    const di = diText !== null ? parseDiscinfo(diText) : null;
    if (di?.description) ctx.evidence.push(`.discinfo: ${di.description}`);

    const label = ctx.src.label;
    const named = rhelName([ti?.family ?? null, ti?.short ?? null, ti?.name ?? null, di?.description ?? null, label]);
    if (named) ctx.evidence.push(`distro from "${named.from}"`);

    // Version: treeinfo, refined by .discinfo when that names a point release of it (CentOS 7: "7" vs
    // "7.9", unverified), else the first version-looking token of .discinfo or the label.
    let version = ti?.version ?? null;
    const diVersion = /\b(v?\d{1,4}(?:\.\d{1,4}){0,2})\b/i.exec(di?.description ?? '')?.[1] ?? null;
    if (diVersion && (version === null || diVersion.startsWith(`${version}.`))) version = diVersion;
    if (version === null) {
      // Labels are hints: `Rocky-9-4-x86_64-dvd` -> 9.4; Fedora labels end in a compose respin
      // (`Fedora-WS-Live-40-1-14`), so only their first number is a version.
      const m = /[-_ ](v?\d{1,3})(?:[-_.](\d{1,2}))?(?=[-_ ]|$)/i.exec(label);
      if (m) version = m[2] !== undefined && named?.distro !== 'fedora' ? `${m[1]}.${m[2]}` : m[1]!;
    }
    const major = majorOf(version);

    const arch =
      normaliseArch(ti?.arch) ??
      normaliseArch(di?.arch) ??
      normaliseArch(Object.keys(ti?.images ?? {}).find((k) => normaliseArch(k) !== null)) ??
      archFromLabel(label) ??
      ctx.efi[0]?.arch ??
      null;

    const base = named?.name ?? ti?.family ?? 'RHEL-compatible';
    const found = (netboot: NetbootPlan | NetbootRefusal): Found => ({
      family: 'rhel',
      distro: named?.distro ?? null,
      name: version ? `${base} ${version}` : base,
      version,
      major,
      arch,
      netboot,
    });

    // Runtime image: [stage2] mainimage if it is there, else the lorax defaults (install.img, LiveOS).
    const tiStage2 = ti?.stage2 ? ctx.file(ti.stage2) : null;
    if (ti?.stage2 && !tiStage2) ctx.warnings.push(`[stage2] mainimage ${ti.stage2} is not on the ISO`);
    const stage2 = tiStage2 ?? installImg ?? liveImg;
    if (stage2) ctx.evidence.push(`stage2 ${stage2}`);

    // A live image (Fedora Workstation Live and the like) has LiveOS but no treeinfo and no repository.
    if (!ti && !installImg && liveImg && !variantsRepo && !flatRepo) {
      return found(refuse(`${base} live image, not an installer tree: it has no .treeinfo and no package repository; use the DVD or netinst ISO`));
    }

    const images = ti ? treeImages(ti) : null;
    let kernel = images?.kernel ? ctx.file(images.kernel) : null;
    let initrd = images?.initrd ? ctx.file(images.initrd) : null;
    if (kernel && initrd) ctx.evidence.push(`kernel from treeinfo: ${kernel}`);
    if (!kernel || !initrd) {
      kernel = pxeKernel;
      initrd = ctx.file('images/pxeboot/initrd.img');
    }
    const entry = pickMenu(ctx, (e) => !kernel || e.kernel.toLowerCase() === kernel.toLowerCase()) ?? pickMenu(ctx);
    if ((!kernel || !initrd) && entry) {
      kernel = ctx.file(entry.kernel);
      initrd = ctx.file(entry.initrds[0]!);
      ctx.evidence.push(`kernel from boot menu "${entry.title}": ${kernel}`);
    }
    if (!kernel || !initrd) return found(refuse(`${base}: no kernel found (no [images-*] kernel/initrd, no images/pxeboot/vmlinuz, no usable boot menu entry)`));
    if (!stage2) return found(refuse(`${base}: no installer runtime image (images/install.img or LiveOS/squashfs.img): anaconda cannot start`));

    const repo = variantsRepo ? 'variants' : flatRepo ? 'flat' : null;
    ctx.evidence.push(repo === 'variants' ? 'BaseOS/ + AppStream/ repositories' : repo === 'flat' ? 'repodata/ at the root' : 'no package repository');
    const notes: string[] = [];
    if (repo === null) notes.push('This is a boot/netinst ISO without packages: the kickstart must name a mirror (url --url=...).');
    const isoArgs = entry?.args ?? [];
    const classic = named?.distro === 'rhel' || named?.distro === 'centos' || named?.distro === 'oracle';
    return found({
      kind: 'anaconda',
      kernel,
      initrd,
      stage2,
      repoRoot: '',
      repo,
      variants: ti?.variants.map((v) => v.uid) ?? [],
      treeinfo: tiPath,
      needsLinuxefi: classic && major !== null && major <= 7,
      isoArgs,
      keepArgs: keepArgs(isoArgs),
      notes,
    });
  },
};

// --------------------------------------------------------------------------------------------------- Ubuntu

function archFromLabel(label: string): Arch | null {
  const m = /(?:^|[\s_-])(amd64|x86_64|arm64|aarch64|i386|i686|ppc64el|ppc64le|s390x|riscv64|loongarch64)(?:$|[\s_-])/i.exec(label);
  return normaliseArch(m?.[1]);
}

/** `.disk/info`, parsed once per detection (Ubuntu and Debian rules both look at it). */
function diskInfo(ctx: Ctx): Promise<DiskInfo | null> {
  ctx.diskInfo ??= (async () => {
    const path = ctx.file('.disk/info');
    const text = path ? await ctx.text(path) : null;
    const info = text !== null ? parseDiskInfo(text) : null;
    if (path && text !== null && !info) ctx.warnings.push('.disk/info is not in the `<product> <version> "<codename>" - ...` form');
    return info;
  })();
  return ctx.diskInfo;
}

const diskInfoEvidence = (info: DiskInfo) => `.disk/info: ${info.product} ${info.version}${info.codename ? ` "${info.codename}"` : ''}`;

const versionAtLeast = (version: string | null, major: number, minor: number): boolean => {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
};

const ubuntuRule: Rule = {
  name: 'ubuntu',
  async detect(ctx) {
    const casper = ctx.dir('casper');
    const hasDiskInfo = ctx.file('.disk/info') !== null;
    if (!casper && !hasDiskInfo) return null;
    const info = hasDiskInfo ? await diskInfo(ctx) : null;
    const isUbuntu = info ? /ubuntu/i.test(info.product) : /ubuntu/i.test(ctx.src.label);
    if (!isUbuntu) return null;
    if (info) ctx.evidence.push(diskInfoEvidence(info));
    const version = info?.version ?? /(\d\d\.\d\d(?:\.\d{1,2})?)/.exec(ctx.src.label)?.[1] ?? null;
    const arch = normaliseArch(info?.arch) ?? archFromLabel(ctx.src.label) ?? ctx.efi[0]?.arch ?? null;
    const squashfs = ctx.src
      .list('casper')
      .filter((n) => /\.squashfs$/i.test(n))
      .sort();
    const serverish = /server/i.test(info?.product ?? ctx.src.label) || squashfs.some((n) => /server|installer/i.test(n));
    const flavour: 'server' | 'desktop' = serverish ? 'server' : 'desktop';
    const product = info?.product.replace(/-/g, ' ') ?? (serverish ? 'Ubuntu Server' : 'Ubuntu');
    const name = `${product}${version ? ` ${version}` : ''}${info?.lts ? ' LTS' : ''}`;
    const found = (netboot: NetbootPlan | NetbootRefusal): Found => ({ family: 'ubuntu', distro: 'ubuntu', name, version, major: majorOf(version), arch, netboot });

    if (!casper || squashfs.length === 0) {
      if (ctx.dir('install') || ctx.dir('dists')) {
        ctx.evidence.push('install/ + dists/ without casper/ (debian-installer based media)');
        return found(refuse(`${name}: legacy debian-installer ISO (no casper/); rackboot boots the live-server (subiquity) ISOs, 20.04 and later`));
      }
      return found(refuse(`${name}: no casper/*.squashfs on the ISO, so there is no live system to boot`));
    }
    ctx.evidence.push(`casper/: ${squashfs.join(', ')}`);
    const casperUuid = ctx.src
      .list('.disk')
      .filter((n) => /^casper-uuid/i.test(n))
      .map((n) => `.disk/${n}`)
      .map((p) => ctx.file(p) ?? p);
    if (casperUuid.length > 0) ctx.evidence.push(`casper uuid: ${casperUuid.join(', ')}`);

    // Desktop 22.04 and older install with Ubiquity, which has no unattended mode; 23.04+ desktops use the
    // subiquity-based ubuntu-desktop-provision which reads autoinstall (unverified for network installs).
    if (flavour === 'desktop' && !versionAtLeast(version, 23, 4)) {
      return found(refuse(`${name} desktop live ISO: its installer (Ubiquity) has no unattended install; use the live-server ISO of the same release`));
    }

    const entry = pickMenu(ctx, (e) => /^casper\//i.test(e.kernel));
    const kernel = ctx.file('casper/vmlinuz') ?? (entry ? ctx.file(entry.kernel) : null);
    const initrd = ctx.file('casper/initrd') ?? ctx.file('casper/initrd.lz') ?? ctx.file('casper/initrd.gz') ?? (entry ? ctx.file(entry.initrds[0]!) : null);
    if (!kernel || !initrd) return found(refuse(`${name}: no kernel found (casper/vmlinuz and casper/initrd missing, no boot menu entry loading them)`));
    ctx.evidence.push(`kernel ${kernel}, initrd ${initrd}`);
    const altKernels: Array<{ kernel: string; initrd: string }> = [];
    for (const n of ctx.src.list('casper')) {
      const m = /^(.+-)vmlinuz$/i.exec(n);
      const alt = m ? ctx.file(`casper/${m[1]}initrd`) : null;
      if (m && alt) altKernels.push({ kernel: ctx.file(`casper/${n}`)!, initrd: alt });
    }
    const isoArgs = entry?.args ?? [];
    const layerfs = isoArgs.find((a) => a.startsWith('layerfs-path='))?.slice('layerfs-path='.length) ?? null;
    const notes = ['casper downloads the whole ISO into RAM (url=...iso): give the machine at least twice the ISO size in RAM, plus the installer working set.'];
    if (flavour === 'desktop') notes.push('Desktop ISO: netbooting it runs the live desktop; unattended install through autoinstall is unverified.');
    if (casperUuid.length === 0) notes.push('No .disk/casper-uuid* file: casper refuses the ISO unless ignore_uuid is on the command line.');
    return found({
      kind: 'casper',
      kernel,
      initrd,
      stage2: null,
      repoRoot: '',
      flavour,
      squashfs,
      layered: squashfs.some((n) => n.toLowerCase() !== 'filesystem.squashfs'),
      layerfsPath: layerfs,
      casperUuid,
      altKernels,
      isoArgs,
      keepArgs: keepArgs(isoArgs),
      notes,
    });
  },
};

// --------------------------------------------------------------------------------------------------- Debian

/** debian-cd installer directories per architecture (amd/386/a64 from debian-cd `boot-*` scripts). */
const DEBIAN_INSTALL_DIRS: ReadonlyArray<{ dir: string; arch: Arch }> = [
  { dir: 'install.amd', arch: 'x86_64' },
  { dir: 'install.a64', arch: 'aarch64' },
  { dir: 'install.386', arch: 'i386' },
];

async function debianRelease(ctx: Ctx, codenameHint: string | null): Promise<DebianRelease | null> {
  const suites = ctx.src
    .list('dists')
    .filter((n) => ctx.src.stat(`dists/${n}`)?.type === 'dir')
    .sort((a, b) => Number(b.toLowerCase() === codenameHint) - Number(a.toLowerCase() === codenameHint))
    .slice(0, 4);
  for (const suite of suites) {
    const path = ctx.file(`dists/${suite}/Release`);
    const text = path ? await ctx.text(path) : null;
    const release = text !== null ? parseDebianRelease(text) : null;
    if (release) {
      ctx.evidence.push(`${path}: ${[release.suite, release.codename, release.version].filter(Boolean).join(' ')}`);
      return release;
    }
  }
  return null;
}

const debianRule: Rule = {
  name: 'debian',
  async detect(ctx) {
    const installDir = DEBIAN_INSTALL_DIRS.find((d) => ctx.dir(d.dir)) ?? null;
    const hasDiskInfo = ctx.file('.disk/info') !== null;
    if (!installDir && !hasDiskInfo) return null;
    const info = hasDiskInfo ? await diskInfo(ctx) : null;
    if (info && !/debian/i.test(info.product) && !installDir) return null;
    if (info) ctx.evidence.push(diskInfoEvidence(info));
    if (!info && !(installDir && ctx.dir('dists'))) return null;
    const codenameHint = info?.codename?.split(/\s+/)[0]?.toLowerCase() ?? null;
    const release = await debianRelease(ctx, codenameHint);
    const version = info && /debian/i.test(info.product) ? info.version : (release?.version ?? null);
    const codename = release?.codename ?? codenameHint;
    const arch = normaliseArch(info?.arch) ?? installDir?.arch ?? normaliseArch(release?.architectures.find((a) => a !== 'all')) ?? ctx.efi[0]?.arch ?? null;
    const media = info?.media.filter((w) => /^(netinst|dvd|cd|bd|dlbd|live|xfce|gnome|kde)$/i.test(w)) ?? [];
    const name = `Debian ${version ?? ''}${codename ? ` (${codename})` : ''}${media.length ? ` ${media.join(' ')}` : ''}`.replace(/\s+/g, ' ').trim();
    const found = (netboot: NetbootPlan | NetbootRefusal): Found => ({ family: 'debian', distro: 'debian', name, version, major: majorOf(version), arch, netboot });

    if (!installDir) {
      if (ctx.dir('live')) {
        ctx.evidence.push('live/ without install.*/');
        return found(refuse(`${name}: Debian live ISO; netbooting the live system (live-boot fetch=) is not supported yet, use the netinst or DVD ISO`));
      }
      return found(refuse(`${name}: no installer directory (install.amd/, install.a64/, install.386/) on this ISO`));
    }
    ctx.evidence.push(`${installDir.dir}/`);
    const textInitrd = ctx.file(`${installDir.dir}/initrd.gz`);
    const entry = pickMenu(ctx, (e) => e.initrds[0]?.toLowerCase() === textInitrd?.toLowerCase()) ?? pickMenu(ctx, (e) => e.kernel.toLowerCase().startsWith(`${installDir.dir}/`));
    const kernel = ctx.file(`${installDir.dir}/vmlinuz`) ?? (entry ? ctx.file(entry.kernel) : null);
    const initrd = textInitrd ?? (entry ? ctx.file(entry.initrds[0]!) : null);
    if (!kernel || !initrd) return found(refuse(`${name}: no kernel found in ${installDir.dir}/ (vmlinuz + initrd.gz)`));
    const releaseVersion = release?.version ?? (version ? version.replace(/\.0$/, '') : null);
    const isoArgs = entry?.args ?? [];
    const mirror = ctx.dir('dists') && ctx.dir('pool') ? { dists: ctx.src.stat('dists')!.path, pool: ctx.src.stat('pool')!.path } : null;
    return found({
      kind: 'd-i-cdrom',
      kernel,
      initrd,
      stage2: null,
      repoRoot: '',
      suite: release?.suite ?? null,
      codename,
      releaseVersion,
      gtkInitrd: ctx.file(`${installDir.dir}/gtk/initrd.gz`),
      mirror,
      isoArgs,
      keepArgs: keepArgs(isoArgs),
      notes: [
        `The ISO's initrd is the cdrom flavour: net-booted it stops at "Detect and mount installation media". Boot the netboot initrd of the same point release (${releaseVersion ?? 'same release'}) and use the ISO's dists/ + pool/ as its mirror.`,
      ],
    });
  },
};

// -------------------------------------------------------------------------------------------------- Windows

const windowsRule: Rule = {
  name: 'windows',
  async detect(ctx) {
    const bootWim = ctx.file('sources/boot.wim');
    const label = parseWindowsLabel(ctx.src.label);
    if (!bootWim && !(ctx.file('bootmgr') && ctx.dir('sources')) && !(label && ctx.dir('sources'))) return null;
    if (bootWim) ctx.evidence.push(`${bootWim}`);
    if (label) ctx.evidence.push(`label ${ctx.src.label}`);
    const idwbPath = ctx.file('sources/idwbinfo.txt');
    const idwbText = idwbPath ? await ctx.text(idwbPath) : null;
    const idwb = idwbText !== null ? parseIdwbinfo(idwbText) : null;
    if (idwb) ctx.evidence.push(`${idwbPath}: ${[idwb.branch, idwb.arch].filter(Boolean).join(' ')}`);
    const wv = windowsVersion(idwb?.branch ?? null, label?.server ?? false);
    const arch = idwb?.arch ?? label?.arch ?? ctx.efi[0]?.arch ?? null;
    const installImage = ctx.file('sources/install.wim') ?? ctx.file('sources/install.esd') ?? ctx.file('sources/install.swm');
    const name = wv?.name ?? (label?.server ? 'Windows Server (version unknown)' : 'Windows (version unknown)');
    const found = (netboot: NetbootPlan | NetbootRefusal): Found => ({ family: 'windows', distro: 'windows', name, version: wv?.version ?? null, major: wv?.major ?? null, arch, netboot });
    if (!bootWim) return found(refuse('Windows media without sources/boot.wim: nothing for wimboot to load'));
    if (!ctx.opts.wimboot) return found(refuse('Windows: needs iPXE + wimboot to load sources/boot.wim, and rackboot does not bundle wimboot yet'));
    const notes = ['Setup then needs install.wim/esd from an SMB share or a second drive: wimboot only starts Windows PE.'];
    if (!installImage) notes.push('No sources/install.wim, install.esd or install.swm on this ISO.');
    return found({
      kind: 'wimboot',
      repoRoot: '',
      bootWim,
      installImage,
      bootmgr: ctx.file('bootmgr'),
      bcd: ctx.file('boot/bcd'),
      bootSdi: ctx.file('boot/boot.sdi'),
      notes,
    });
  },
};

// ------------------------------------------------------------------------------------------ iPXE, fallback

const ipxeRule: Rule = {
  name: 'ipxe',
  async detect(ctx) {
    const hit = ['ipxe.lkrn', 'ipxe.krn', 'ipxe.efi'].map((n) => ctx.file(n)).find(Boolean);
    if (!hit) return null;
    ctx.evidence.push(hit);
    return { family: 'unknown', distro: null, name: 'iPXE boot image', version: null, major: null, arch: ctx.efi[0]?.arch ?? null, netboot: refuse('iPXE boot image, not an installer: rackboot already serves iPXE itself') };
  },
};

const fallbackRule: Rule = {
  name: 'fallback',
  async detect(ctx) {
    const name = ctx.src.label || 'Unknown ISO';
    const arch = archFromLabel(ctx.src.label) ?? ctx.efi[0]?.arch ?? null;
    ctx.evidence.push('no installer markers (.treeinfo, casper/, install.*/, sources/boot.wim, iPXE)');
    const entry = pickMenu(ctx);
    if (entry) {
      ctx.evidence.push(`boot menu "${entry.title}": ${entry.kernel}`);
      return unknown(name, arch, `Unrecognised installer: its boot menu loads ${entry.kernel} with ${entry.initrds.join(', ')}, but rackboot does not know how to point this installer at the rest of the ISO over the network`);
    }
    return unknown(name, arch, 'No installer found: no .treeinfo, casper/, Debian install.*/ or Windows sources/boot.wim, and no boot menu with a kernel');
  },
};

/** order matters: Windows first (sources/boot.wim is unambiguous); treeinfo before casper/.disk; Ubuntu before Debian (both carry .disk/info); iPXE before the generic boot-menu fallback. */
export const RULES: readonly Rule[] = [windowsRule, rhelRule, ubuntuRule, debianRule, ipxeRule, fallbackRule];

// ---------------------------------------------------------------------------------------------- plumbing

function scanEfi(src: DistroSource): EfiLoader[] {
  const bootDir = src.stat('EFI/BOOT');
  if (!bootDir || bootDir.type !== 'dir') return [];
  const names = new Map(src.list(bootDir.path).map((n) => [n.toLowerCase(), `${bootDir.path}/${n}`]));
  const out: EfiLoader[] = [];
  for (const e of EFI_NAMES) {
    const loader = names.get(e.loader);
    if (loader) out.push({ arch: e.arch, loader, grub: names.get(e.grub) ?? null, mokManager: names.get(e.mok) ?? null });
  }
  return out;
}

const MENU_FILES = ['EFI/BOOT/grub.cfg', 'boot/grub/grub.cfg', 'boot/grub2/grub.cfg', 'isolinux/isolinux.cfg', 'syslinux/syslinux.cfg', 'isolinux.cfg', 'syslinux.cfg'];

async function readMenus(ctx: Ctx): Promise<MenuEntry[]> {
  const queue = [...MENU_FILES];
  const seen = new Set<string>();
  const entries: MenuEntry[] = [];
  let defaultSeen = false;
  while (queue.length > 0 && seen.size < MAX_MENU_FILES) {
    const path = ctx.file(queue.shift()!);
    if (!path || seen.has(path.toLowerCase())) continue;
    seen.add(path.toLowerCase());
    const text = await ctx.text(path);
    if (text === null) continue;
    const isGrub = /\.cfg$/i.test(path) && /grub/i.test(path);
    const menu = isGrub ? parseGrubCfg(text) : parseIsolinuxCfg(text, path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
    for (const e of menu.entries) {
      // One default across all menus: the first file's (EFI GRUB first, as UEFI machines see it).
      if (e.isDefault && defaultSeen) e.isDefault = false;
      if (e.isDefault) defaultSeen = true;
      entries.push(e);
    }
    queue.push(...menu.includes);
  }
  return entries;
}

/** Detects the distro on `src` (see the module comment). Never throws for hostile content; I/O errors propagate. */
export async function detectDistro(src: DistroSource, opts: DetectOptions = {}): Promise<DistroInfo> {
  const texts = new Map<string, string | null>();
  const ctx: Ctx = {
    src,
    opts,
    evidence: [],
    warnings: [],
    efi: [],
    menu: [],
    file: (path) => {
      const e = src.stat(path);
      return e && e.type !== 'dir' ? e.path : null;
    },
    dir: (path) => src.stat(path)?.type === 'dir',
    text: async (path) => {
      const key = path.toLowerCase();
      if (texts.has(key)) return texts.get(key)!;
      const size = src.stat(path)?.size ?? 0;
      if (size > READ_CAP) ctx.warnings.push(`${path} is ${size} bytes: only the first ${READ_CAP} were read`);
      const bytes = await src.read(path, READ_CAP);
      let text = bytes ? utf8(bytes) : null;
      if (text !== null && looksBinary(text)) {
        ctx.warnings.push(`${path} is not text (binary content ignored)`);
        text = null;
      }
      texts.set(key, text);
      return text;
    },
  };
  ctx.efi = scanEfi(src);
  ctx.menu = await readMenus(ctx);
  let found: Found | null = null;
  for (const rule of RULES) {
    found = await rule.detect(ctx);
    if (found) break;
  }
  // The fallback rule always answers; this only satisfies the type checker.
  found ??= { family: 'unknown', distro: null, name: src.label || 'Unknown ISO', version: null, major: null, arch: null, netboot: refuse('No installer found') };
  return { ...found, efi: ctx.efi, bootMenu: ctx.menu, evidence: ctx.evidence, warnings: ctx.warnings };
}
