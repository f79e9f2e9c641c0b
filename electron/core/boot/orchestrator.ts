/**
 * Boot orchestration: the glue between the pure policy (`shared/boot/decide.ts`, the renderers, the paths) and
 * the running services. It answers the DHCP service's "what does this client boot?", produces every generated
 * file (per-machine iPXE scripts, pxelinux and GRUB configs, answer files), takes the installers' callbacks,
 * and turns what the services served into each machine's boot stages.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ServerConfig } from '../../../shared/boot/server-config.ts';
import type { ClientInfo } from '../../../shared/boot/classify.ts';
import type { BootChoice } from '../../../shared/boot/bootfile.ts';
import { bootScript, BUNDLED, decide, distroShim, toBootChoice, type BootContext, type BootIso, type BootScript, type ConfigLoader, type MachineBoot } from '../../../shared/boot/decide.ts';
import { answerFileName, bootstrapAnswer } from '../../../shared/boot/bootstrap-answers.ts';
import { familyOf, renderAnswerFile, type AnswerProfile } from '../../../shared/answers/answer-profile.ts';
import type { AnswerContext } from '../../../shared/answers/profile.ts';
import { personalizeProfile } from '../../../shared/answers/substitute.ts';
import { answerPath, callbackBasePath, parseBootPath, type BootPath } from '../../../shared/boot/paths.ts';
import { renderGrub, renderGrubDispatcher } from '../../../shared/boot/render-grub.ts';
import { renderIpxe, renderIpxeIdentify } from '../../../shared/boot/render-ipxe.ts';
import { renderPxelinux } from '../../../shared/boot/render-pxelinux.ts';
import type { DistroInfo } from '../../../shared/distro/model.ts';
import type { BootEventInput } from '../../../shared/model/event.ts';
import type { BootStage } from '../../../shared/model/stage.ts';
import { pathKey } from '../../../shared/protocol/image.ts';
import { memoryFile, type OpenFile } from '../files/tree.ts';
import type { OpenIso } from '../iso/library.ts';
import type { Machine, Machines } from './machines.ts';
import type { Plan } from './plan.ts';

export interface BootPolicy {
  /** Machines nothing is planned for: no answer, a boot menu (local disk after a countdown), or install the default ISO. */
  unknown: 'ignore' | 'menu' | 'install';
  /** ISO id installed by `unknown: 'install'`; null: the only served ISO, if there is exactly one. */
  defaultIso: string | null;
  /** Serial console for installers (`ttyS0,115200n8`), or null. */
  console: string | null;
  menuTimeoutSeconds: number;
  /** Answer profile id for machines `unknown: 'install'` (or a menu choice) installs; null: the bootstrap answer file. */
  defaultProfile?: string | null;
}

export interface OrchestratorOptions {
  machines: Machines;
  /** The ISOs being served now, by id. */
  served: () => ReadonlyMap<string, OpenIso>;
  /** The running server's config (null when stopped). */
  config: () => ServerConfig | null;
  policy: () => BootPolicy;
  emit: (e: BootEventInput) => void;
  /** MAC for an address from DHCP leases (full mode). */
  leaseMac?: (ip: string) => string | null | undefined;
  /** An iPXE client is being answered (its network configuration is under way). */
  ipxeClient?: (mac: string) => void;
  /** A machine's answer profile by id: its body, or why it cannot be used. */
  profile?: (id: string) => { body: AnswerProfile } | { problem: string };
  /** The static settings a machine's reservation gives it (for profiles with static addressing), or null. */
  staticAddress?: (mac: string) => AnswerContext['address'];
  /** The fleet plan: per-machine variables and fixed addresses, and matching machines not known by MAC. */
  plan?: Pick<Plan, 'forMac' | 'waiting' | 'matchDhcp' | 'matchIpxe'>;
}

/** `9.4` -> 4; null without a minor version. */
const minorOf = (version: string | null): number | null => {
  const m = version ? /^\d+\.(\d+)/.exec(version) : null;
  return m ? Number(m[1]) : null;
};

export interface Orchestrator {
  /** The DHCP service's boot-file hook. */
  choose(info: ClientInfo): BootChoice;
  /**
   * A generated file for a request path, or null: serve from the tree. Loader configs for TFTP and HTTP; answer
   * files and callbacks only for HTTP requests (`query` given).
   */
  generated(path: string, from: { ip: string | null; query?: URLSearchParams }): string | null;
  /** For the HTTP service's dynamic hook. */
  http(path: string, req: IncomingMessage): Promise<OpenFile | null>;
  /** What a served path means for a machine's progress. */
  stageFor(path: string, mac: string): BootStage | null;
  /** The MAC behind an address: learnt from per-machine URLs (proxy mode too), else the DHCP lease. */
  macForIp(ip: string): string | undefined;
  /** A transfer finished: `path` reached `mac` (Secure Boot detection watches the iPXE download). */
  served(path: string, mac: string): void;
}

/**
 * How long after a machine downloaded unsigned iPXE its firmware's next plain PXE request still counts as
 * "the firmware refused it". A running iPXE sends its own DHCP within a second or two; a firmware that moves on
 * to its next boot option, or a technician who power-cycles, comes back within minutes.
 */
const SECURE_BOOT_EVIDENCE_MS = 10 * 60_000;

const BOOTLOADER_FILES = new Set(Object.values(BUNDLED).map((f) => f.toLowerCase()).concat(['pxelinux.0', 'ldlinux.c32', 'mmx64.efi']));

/** An ISO as policy sees it; unrecognised images are not bootable and are left out. */
function bootIso(o: OpenIso): BootIso | null {
  const r = o.record;
  if (!r.distro) return null;
  const info: DistroInfo = { ...r.distro, netboot: r.netboot ?? { reason: r.reason ?? 'not bootable over the network' } };
  return { id: r.id, info };
}

export function createOrchestrator(o: OrchestratorOptions): Orchestrator {
  const learned = new Map<string, string>();
  /**
   * Secure Boot detection (DHCP carries no Secure Boot flag): UEFI machines of unknown Secure Boot state get
   * unsigned iPXE (fast). Firmware enforcing Secure Boot downloads it, refuses to start it, and later PXE boots
   * again without ever running it; a machine doing exactly that is marked Secure Boot and gets shim + GRUB.
   */
  const ipxeHandedOut = new Map<string, { at: number; downloaded: boolean }>();
  const now = () => Date.now();
  const learn = (ip: string | null, mac: string) => {
    if (!ip) return;
    if (learned.size > 10_000 && !learned.has(ip)) learned.delete(learned.keys().next().value!);
    learned.set(ip, mac);
  };

  const isos = (): BootIso[] => [...o.served().values()].map(bootIso).filter((b): b is BootIso => b !== null);
  const isoById = (id: string | null): BootIso | null => {
    if (!id) return null;
    const open = o.served().get(id);
    return open ? bootIso(open) : null;
  };

  function context(c: ServerConfig): BootContext {
    const p = o.policy();
    const all = isos();
    const defaultIso = p.defaultIso ? isoById(p.defaultIso) : all.length === 1 ? all[0]! : null;
    return {
      address: c.address,
      httpPort: c.httpPort,
      unknown: p.unknown,
      isos: all,
      defaultIso,
      menuTimeoutSeconds: p.menuTimeoutSeconds,
      console: p.console,
      callbackBase: `http://${c.address}:${c.httpPort}/api/callback`,
      proxyDhcp: c.dhcpMode === 'proxy',
    };
  }

  /**
   * Plan rows wait for a machine not known by MAC or UUID: any machine not in the plan (new, or seen and
   * installed before: a plan may re-purpose it) gets iPXE, whatever the policy for unknown machines, so it can
   * report its SMBIOS serial, asset tag and UUID (plan.ts).
   */
  const identifying = (m: Machine) => Boolean(o.plan && !o.plan.forMac(m.mac) && o.plan.waiting().length > 0);

  function machineBoot(m: Machine, c: ServerConfig, ctx: BootContext): MachineBoot {
    const iso = isoById(m.isoId) ?? (m.state === 'new' && ctx.unknown === 'install' ? (ctx.defaultIso ?? null) : null);
    const file = iso ? answerFileName(iso.info) : null;
    return {
      mac: m.mac,
      known: m.state !== 'new' || m.isoId !== null || m.hostname !== null || identifying(m),
      hostname: m.hostname,
      state: m.state,
      iso,
      chain: m.chain,
      secureBoot: m.secureBoot,
      extraArgs: [],
      // Ubuntu's nocloud datasource gets the directory of this URL (kernel-args.ts): it appends user-data, meta-data.
      answerUrl: iso && file ? `http://${c.address}:${c.httpPort}/${answerPath(m.mac, file)}` : null,
    };
  }

  /** Renders a machine's config for one loader, records the stage and the reason. */
  function config(mac: string, loader: ConfigLoader, c: ServerConfig, ip: string | null, query?: URLSearchParams): string | null {
    let m = o.machines.get(mac) ?? o.machines.seen(mac, { ip });
    if (loader === 'ipxe' && query && identifying(m)) {
      const ids = { serial: query.get('serial'), asset: query.get('asset'), uuid: query.get('uuid') };
      if (ids.serial !== null || ids.asset !== null || ids.uuid !== null) {
        // The identity query: bind a waiting plan row, then answer as for any machine (never the stub again).
        const bound = o.plan!.matchIpxe(mac, ids);
        if (bound) m = o.machines.get(mac) ?? m;
        else o.emit({ service: 'core', level: 'info', mac, msg: `${mac}: no plan row for serial ${JSON.stringify(ids.serial ?? '')}, asset ${JSON.stringify(ids.asset ?? '')}, UUID ${ids.uuid || '-'}`, fields: { smbios: ids } });
      } else {
        o.emit({ service: 'core', level: 'info', mac, msg: `${mac}: ipxe config: asks iPXE for the SMBIOS serial, asset tag and UUID (${o.plan!.waiting().length} plan row(s) wait for their machine)`, fields: { loader, script: 'identify' } });
        return renderIpxeIdentify(mac, { address: c.address, httpPort: c.httpPort });
      }
    }
    const ctx = context(c);
    const script = bootScript(machineBoot(m, c, ctx), ctx, loader);
    note(script, loader);
    if (script.kind === 'local' && m.state === 'installed') o.machines.stage(m.mac, 'local', { msg: script.reason, ...(ip ? { ip } : {}) });
    return render(script, loader, c);
  }

  function note(script: BootScript, loader: ConfigLoader) {
    if (!script.mac) return;
    const notes = script.kind === 'install' ? script.entry.notes : [];
    o.emit({ service: 'core', level: 'info', mac: script.mac, msg: `${script.mac}: ${loader} config: ${script.reason}`, fields: { loader, script: script.kind, ...(notes.length ? { notes } : {}) } });
  }

  function render(script: BootScript, loader: ConfigLoader, c: ServerConfig): string {
    const where = { address: c.address, httpPort: c.httpPort };
    if (loader === 'ipxe') return renderIpxe(script, where);
    if (loader === 'pxelinux') return renderPxelinux(script, where);
    return renderGrub(script, { address: c.address, grub: loader === 'debian-grub' ? 'debian' : 'distro' });
  }

  /** The answer file for `mac`; arms a machine that chose an install from the menu on the way. */
  function answer(mac: string, file: string, c: ServerConfig, ip: string | null): string | null {
    let m = o.machines.get(mac) ?? o.machines.seen(mac, { ip });
    const ctx = context(c);
    let iso = isoById(m.isoId);
    if (!iso && m.state === 'new') {
      // A menu install (or policy "install"): the ISO is the default, or the only served ISO of the family that fetches this file.
      const candidates = [ctx.defaultIso ?? null, ...ctx.isos].filter((i): i is BootIso => i != null && (answerFileName(i.info) === file || (file === 'meta-data' && i.info.family === 'ubuntu')));
      iso = candidates[0] ?? null;
      if (!iso) return null;
      const profile = o.policy().defaultProfile ?? null;
      m = o.machines.assign(mac, { isoId: iso.id, ...(profile ? { profile } : {}) });
    }
    if (!iso || !m.token) {
      if (m.state === 'installed') o.emit({ service: 'core', level: 'warn', mac, msg: `${mac}: asked for ${file} but its install is finished (re-arm it to install again)` });
      return null;
    }
    const isoUrl = `http://${c.address}:${c.httpPort}/iso/${iso.id}/`;
    const callbackBase = `http://${c.address}:${c.httpPort}/${callbackBasePath(mac)}`;
    const family = familyOf(iso.info.family);
    let text: string | null;
    if (m.profile && family) {
      const loaded = o.profile?.(m.profile) ?? { problem: 'answer profiles are not available' };
      if ('problem' in loaded) {
        o.emit({ service: 'core', level: 'error', mac, msg: `${mac}: ${file} not served: profile ${m.profile}: ${loaded.problem}`, fields: { profile: m.profile, file } });
        return null;
      }
      // The plan's per-machine values fill the scripts' placeholders; a fixed address in the plan means static networking.
      const planned = o.plan?.forMac(mac) ?? null;
      let body: AnswerProfile;
      try {
        body = personalizeProfile(loaded.body, { hostname: m.hostname, mac, ip: planned?.ip ?? null, serial: planned?.serial ?? null, asset: planned?.asset ?? null, vars: planned?.vars ?? {} }, { staticAddress: Boolean(planned?.ip) });
      } catch (e) {
        o.emit({ service: 'core', level: 'error', mac, msg: `${mac}: ${file} not served: profile ${m.profile}: ${(e as Error).message}`, fields: { profile: m.profile, file } });
        return null;
      }
      const ctx: AnswerContext = {
        mac,
        hostname: m.hostname,
        address: body.network.mode === 'static' ? (o.staticAddress?.(mac) ?? null) : null,
        firmware: m.firmware === 'bios' ? 'bios' : 'uefi',
        isoUrl,
        callbacks: { started: `${callbackBase}/started?token=${m.token}`, done: `${callbackBase}/done?token=${m.token}` },
        distro: { id: iso.info.distro ?? iso.info.family, name: iso.info.name, major: iso.info.major, minor: minorOf(iso.info.version) },
      };
      try {
        text = renderAnswerFile(body, family, file, ctx);
      } catch (e) {
        o.emit({ service: 'core', level: 'error', mac, msg: `${mac}: ${file} not served: profile ${m.profile} cannot be written for ${iso.info.name}: ${(e as Error).message}`, fields: { profile: m.profile, file } });
        return null;
      }
    } else {
      text = bootstrapAnswer(iso.info, file, { isoUrl, callbackBase, token: m.token, hostname: m.hostname });
    }
    if (text === null) return null;
    // What exactly was served, for the log (an installer's report of the file it got can be checked against it).
    const bytes = new TextEncoder().encode(text).length;
    const sha256 = createHash('sha256').update(text).digest('hex');
    o.emit({
      service: 'core',
      level: 'info',
      mac,
      ...(ip ? { ip } : {}),
      msg: `${mac}: ${file} served (${bytes} bytes, sha256 ${sha256.slice(0, 12)}, ${m.profile ? `profile ${m.profile}` : 'bootstrap answers'}${m.hostname ? `, host name ${m.hostname}` : ''})`,
      fields: { answer: { file, bytes, sha256, profile: m.profile, hostname: m.hostname, planned: Boolean(o.plan?.forMac(mac)) } },
    });
    if (file === answerFileName(iso.info)) {
      o.machines.markInstalling(mac);
      o.machines.stage(mac, 'answer', { msg: `${file} for ${iso.info.name}`, ...(ip ? { ip } : {}) });
    }
    return text;
  }

  function callback(mac: string, event: 'started' | 'done', query: URLSearchParams | undefined, ip: string | null): string | null {
    const token = query?.get('token');
    if (!o.machines.tokenMatches(mac, token)) {
      o.emit({ service: 'core', level: 'warn', mac, ...(ip ? { ip } : {}), msg: `${mac}: ${event} callback refused: wrong or expired token`, fields: { event } });
      return null;
    }
    if (event === 'started') o.machines.stage(mac, 'installer', { ...(ip ? { ip } : {}) });
    else {
      o.machines.markDone(mac, 'the installer called back');
      o.machines.stage(mac, 'done', { ...(ip ? { ip } : {}) });
    }
    return 'ok\n';
  }

  function generated(path: string, from: { ip: string | null; query?: URLSearchParams }): string | null {
    const c = o.config();
    if (!c) return null;
    let route: BootPath | null;
    try {
      route = parseBootPath(path);
    } catch {
      return null;
    }
    if (!route) return null;
    switch (route.route) {
      case 'ipxe-script':
        learn(from.ip, route.mac);
        return config(route.mac, 'ipxe', c, from.ip, from.query);
      case 'pxelinux': {
        const n = route.name;
        // pxelinux asks UUID, then 01-MAC: answer the MAC name so each machine gets its own; others fall through.
        if (n.kind === 'mac') {
          learn(from.ip, n.mac);
          return config(n.mac, 'pxelinux', c, from.ip);
        }
        if (n.kind === 'default') return render(bootScript(unknownMachine(), context(c), 'pxelinux'), 'pxelinux', c);
        return null;
      }
      case 'grub': {
        const n = route.name;
        if (n.loader === 'debian-grub') {
          if (n.kind === 'dispatcher') return renderGrubDispatcher(5);
          learn(from.ip, n.mac);
          return config(n.mac, 'debian-grub', c, from.ip);
        }
        if (n.kind === 'mac') {
          learn(from.ip, n.mac);
          return config(n.mac, 'distro-grub', c, from.ip);
        }
        // Plain grub.cfg next to a distro GRUB: never the ISO's own (it boots the CD way and fails); local or menu.
        if (n.kind === 'default') return render(bootScript(unknownMachine(), context(c), 'distro-grub'), 'distro-grub', c);
        return null;
      }
      // Answer files and callbacks exist over HTTP only (`query` present): installers speak HTTP, and the tree's
      // fallback lookup (no query) must not run a refused callback or an answer-file fetch a second time.
      case 'answer':
        if (!from.query) return null;
        learn(from.ip, route.mac);
        return answer(route.mac, route.file, c, from.ip);
      case 'callback':
        return from.query ? callback(route.mac, route.event, from.query, from.ip) : null;
    }
  }

  const unknownMachine = (): MachineBoot => ({ mac: '', known: false, hostname: null, state: 'new', iso: null, chain: 'auto', secureBoot: 'unknown', extraArgs: [], answerUrl: null });

  return {
    choose(info) {
      const c = o.config();
      if (!c) return { ignore: 'not serving' };
      // Only boot clients are machines: ordinary DHCP clients (phones, printers, perfdhcp) are not recorded.
      if (!info.bootClass && !info.ipxe) return { ignore: 'not a network-boot client (no PXEClient/HTTPClient vendor class)' };
      let m = o.machines.seen(info.mac, { firmware: info.firmware, arch: info.archName, uuid: info.guid });
      // A plan row waiting for this UUID (DHCP option 97) is this machine: bound and armed before the decision.
      if (o.plan && info.guid && !o.plan.forMac(m.mac) && o.plan.matchDhcp(m.mac, info.guid)) m = o.machines.get(m.mac) ?? m;
      const handed = ipxeHandedOut.get(m.mac);
      if (info.ipxe) ipxeHandedOut.delete(m.mac);
      else if (handed?.downloaded && m.secureBoot === 'unknown' && info.firmware === 'uefi') {
        ipxeHandedOut.delete(m.mac);
        if (now() - handed.at < SECURE_BOOT_EVIDENCE_MS) {
          const s = Math.round((now() - handed.at) / 1000);
          m = o.machines.detectSecureBoot(m.mac, `the firmware downloaded iPXE ${s} s ago, never ran it and PXE boots again`);
        }
      }
      const ctx = context(c);
      const d = decide(info, machineBoot(m, c, ctx), ctx);
      if (!('ignore' in d) && (d.loader === 'ipxe-efi' || d.loader === 'ipxe-http') && m.secureBoot === 'unknown') {
        if (ipxeHandedOut.size > 10_000) ipxeHandedOut.delete(ipxeHandedOut.keys().next().value!);
        // order matters: DISCOVER and REQUEST (and BINL on 4011) each get a decision; only a download counts.
        const prev = ipxeHandedOut.get(m.mac);
        if (!prev || prev.downloaded) ipxeHandedOut.set(m.mac, { at: now(), downloaded: false });
      }
      o.machines.stage(m.mac, 'dhcp', { msg: 'ignore' in d ? `not booted: ${d.ignore}` : `${d.bootfile}: ${d.reason}` });
      if (info.ipxe && !('ignore' in d)) o.ipxeClient?.(m.mac);
      return toBootChoice(d);
    },
    generated,
    async http(path, req) {
      const url = new URL(req.url ?? '/', 'http://x');
      const ip = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? null;
      const text = generated(path, { ip, query: url.searchParams });
      return text === null ? null : memoryFile(new TextEncoder().encode(text));
    },
    stageFor(path, mac) {
      const key = pathKey(path);
      if (BOOTLOADER_FILES.has(key)) return 'bootloader';
      let route: BootPath | null = null;
      try {
        route = parseBootPath(path);
      } catch {
        route = null;
      }
      if (route) return route.route === 'ipxe-script' || route.route === 'pxelinux' || route.route === 'grub' ? 'config' : null;
      const m = /^iso\/([^/]+)\/(.+)$/.exec(key);
      if (!m) return null;
      const machine = o.machines.get(mac);
      const iso = isoById(machine?.isoId ?? null) ?? isoById(m[1]!);
      if (!iso || iso.id !== m[1]) return null;
      const plan = iso.info.netboot;
      if ('kernel' in plan && pathKey(plan.kernel) === m[2]) return 'kernel';
      if ('initrd' in plan && pathKey(plan.initrd) === m[2]) return 'initrd';
      const shim = distroShim(iso);
      if (shim && (pathKey(shim.loader) === m[2] || (shim.grub && pathKey(shim.grub) === m[2]))) return 'bootloader';
      return null;
    },
    macForIp(ip) {
      return learned.get(ip) ?? o.leaseMac?.(ip) ?? undefined;
    },
    served(path, mac) {
      const h = ipxeHandedOut.get(mac);
      const key = pathKey(path.replace(/^\/+/, ''));
      if (h && !h.downloaded && (key === BUNDLED.snponly || key === BUNDLED.ipxeEfi)) {
        h.downloaded = true;
        h.at = now();
      }
    },
  };
}
