/**
 * Composition root of the boot server: createBootServer(options) -> { api, events, start, stop, close }.
 * Plain Node, no electron: the Electron main process, the headless CLI and the tests all build it the same way.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import {
  SettingsSchema,
  type ApiHandlers,
  type IsoSummary,
  type MachineSummary,
  type NetInterface,
  type ServerStatus,
  type ServiceKey,
  type ServiceStatus,
  type Settings,
  type StreamData,
  type StreamName,
} from '../../shared/api/contract.ts';
import { RackbootError } from '../../shared/api/errors.ts';
import { toApiError } from '../../shared/api/result.ts';
import { resolveServerConfig, type ServerConfig } from '../../shared/boot/server-config.ts';
import { IPXE_SCRIPT } from '../../shared/boot/bootfile.ts';
import { findBootloaders, type BootloaderInventory } from './boot/bootloaders.ts';
import { createDhcpService, type DhcpService, type DhcpServiceOptions } from './dhcp/service.ts';
import { createLeasePool, type Lease, type Scope } from './dhcp/pool.ts';
import { createEventBus, type EventBus } from './events.ts';
import { directoryTree, fileMapTree, generatedTree, overlayTree, type FileTree } from './files/tree.ts';
import { createHttpService } from './http/service.ts';
import { createIsoLibrary, type IsoLibrary, type IsoRecord, type OpenIso } from './iso/library.ts';
import { ProtocolError } from '../../shared/protocol/errors.ts';
import { listInterfaces as listSystemInterfaces } from './net/interfaces.ts';
import { openStore, type Store } from './store/store.ts';
import { createTftpService } from './tftp/service.ts';
import { createMachines, MachineError, type Machine, type Machines } from './boot/machines.ts';
import { createOrchestrator } from './boot/orchestrator.ts';
import { createPlan, type Plan } from './boot/plan.ts';
import { IPXE_IDENTITY_QUERY } from '../../shared/boot/render-ipxe.ts';
import { createRouterAdvertiser, type RouterAdvertiser } from './net/router-advert.ts';
import { createAnswerService } from './answers/api.ts';
import { probeDhcpServers } from './dhcp/probe.ts';
import { portOwner } from './net/port-owner.ts';
import { nativeNetStatus } from './net/bind.ts';
import { watchForDhcpServers, type DhcpWatch } from './dhcp/watch.ts';
import { findIsos } from './iso/find.ts';
import { stageProgress } from '../../shared/model/stage.ts';
import { trackProgress } from './boot/progress.ts';

export interface BootServerOptions {
  dataDir: string;
  /** Settings for this run only (CLI flags). When given, setSettings changes them in memory and saves nothing. */
  settings?: Settings;
  listInterfaces?: () => NetInterface[];
  /** Where the bootloaders come from (tests inject a fixed set). */
  bootloaders?: BootloaderInventory;
  /** Test hook: DHCP ports other than 67/68/4011 (unprivileged runs). */
  dhcpPorts?: DhcpServiceOptions['ports'];
  /** Answer profile id for machines installed by policy or from the menu (`--default-profile`); default none (bootstrap answers). */
  defaultProfile?: string | null;
}

export type StreamSink = <S extends StreamName>(stream: S, data: StreamData<S>) => void;

export interface BootServer {
  readonly api: ApiHandlers;
  readonly events: EventBus;
  readonly store: Store;
  readonly isos: IsoLibrary;
  /** The fleet plan (machines by MAC, serial, UUID or asset tag). */
  readonly plan: Plan;
  readonly machines: Machines;
  status(): ServerStatus;
  /** The ISOs being served now (empty when stopped). */
  servedIsos(): OpenIso[];
  onStatus(listener: (status: ServerStatus) => void): () => void;
  /** Every API stream (events, status) to one sink: what both transports forward. */
  subscribe(sink: StreamSink): () => void;
  start(): Promise<ServerStatus>;
  stop(): Promise<ServerStatus>;
  /** Stops the services and closes the store. Idempotent. */
  close(): Promise<void>;
}

/** The life every service shares (CONVENTIONS §3). */
interface Service {
  start(config: ServerConfig): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
}

/** Life of a real service: built from the config at start, thrown away at stop; null from `make` means disabled. */
interface Running {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
}

/** ` (held by dnsmasq, pid 812): ...` for a port-in-use error, when the OS says who holds the port. */
function holder(e: Error): string {
  const port = Number(/:(\d+)\D*$/.exec(e.message)?.[1] ?? (e as { port?: number }).port);
  if (!Number.isInteger(port) || port <= 0) return '';
  const owner = portOwner('udp', port) ?? portOwner('tcp', port);
  return owner ? ` (held by ${owner.name}, pid ${owner.pid}: stop it, or give rackboot another port)` : '';
}

function wrap(make: (config: ServerConfig) => Running | null, disabled: (config: ServerConfig) => ServiceStatus = () => ({ state: 'disabled', detail: null })): Service {
  let running: Running | null = null;
  let off: ServiceStatus | null = null;
  let failed: ServiceStatus | null = null;
  return {
    async start(config) {
      failed = null;
      running = make(config);
      off = running ? null : disabled(config);
      if (!running) return;
      try {
        await running.start();
      } catch (e) {
        failed = running.status().state === 'failed' ? running.status() : { state: 'failed', detail: (e as Error).message };
        running = null;
        const errno = (e as NodeJS.ErrnoException).code;
        if (errno === 'EADDRINUSE') failed = { state: 'failed', detail: `${failed.detail ?? 'port in use'}${holder(e as Error)}` };
        const code = e instanceof RackbootError ? e.code : errno === 'EADDRINUSE' ? 'PORT_IN_USE' : errno === 'EACCES' ? 'PERMISSION_DENIED' : 'SERVICE_FAILED';
        throw new RackbootError(code, failed.detail ?? 'a service could not start');
      }
    },
    async stop() {
      const r = running;
      running = null;
      off = null;
      await r?.stop();
    },
    status() {
      if (failed) return failed;
      if (off) return off;
      return running ? running.status() : { state: 'stopped', detail: null };
    },
  };
}

/** The largest TFTP block that fits one IPv4 frame on the NIC: MTU - 20 (IP) - 8 (UDP) - 4 (TFTP), within RFC 2348's 65464. */
export function tftpBlockLimit(mtu: number): number {
  return Math.max(512, Math.min(65464, mtu - 32));
}

/**
 * `boot.ipxe`, for an iPXE that was pointed here without its MAC in the URL (a site DHCP server's filename, an
 * older rackboot): it chains to the machine's own script.
 */
function ipxeScript(c: ServerConfig): string {
  // The SMBIOS serial, asset tag and UUID ride along: a planned machine not known by MAC is matched at once.
  return ['#!ipxe', `chain http://${c.address}:${c.httpPort}/boot/\${net0/mac:hexhyp}.ipxe?${IPXE_IDENTITY_QUERY} || exit`, ''].join('\n');
}

/** Machine errors as API errors. */
function machineCall<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MachineError) throw new RackbootError(e.code === 'NO_ISO' ? 'ISO_NOT_FOUND' : e.code === 'BAD_MAC' ? 'BAD_REQUEST' : 'NO_SUCH_MACHINE', e.message);
    throw e;
  }
}

/** An image that exists but cannot be read becomes an API error a technician can act on. */
function isoFailure(e: unknown): never {
  if (e instanceof ProtocolError) throw new RackbootError('ISO_UNREADABLE', e.message);
  throw e;
}

function checkIsos(paths: string[]): void {
  for (const p of paths) {
    try {
      if (!statSync(p).isFile()) throw new RackbootError('ISO_NOT_FOUND', `${p} is not a file`);
      accessSync(p, constants.R_OK);
    } catch (e) {
      if (e instanceof RackbootError) throw e;
      throw new RackbootError('ISO_NOT_FOUND', `cannot read ISO ${p}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
}

export function createBootServer(options: BootServerOptions): BootServer {
  const listInterfaces = options.listInterfaces ?? listSystemInterfaces;
  const store = openStore(options.dataDir);
  const events = createEventBus({
    persist: (batch) => store.appendEvents(batch),
    onPersistError: (e) => process.stderr.write(`rackboot: cannot save events (${e.message}); keeping them in memory\n`),
  });
  const ephemeral = options.settings !== undefined;
  let settings: Settings;
  if (options.settings) {
    settings = SettingsSchema.parse(options.settings);
  } else {
    const loaded = store.loadSettings();
    settings = loaded.settings;
    if (loaded.problem) events.emit({ service: 'core', level: 'warn', msg: loaded.problem });
  }

  const bootloaders = options.bootloaders ?? findBootloaders();
  const emit = (e: Parameters<EventBus['emit']>[0]) => events.emit(e);

  const isos = createIsoLibrary({ store, emit });
  /** The ISOs the running server serves, by id; filled by the iso service before TFTP and HTTP answer. */
  const served = new Map<string, OpenIso>();
  /** `iso/<id>/<path inside the image>` and `iso/<id>.iso` (the image itself, for casper's `url=`). */
  const isoLayer: FileTree = {
    async open(path) {
      const m = /^iso\/([^/]+)(?:\/(.+))?$/i.exec(path);
      if (!m) return null;
      const id = m[1]!.toLowerCase();
      if (m[2] === undefined) return id.endsWith('.iso') ? (served.get(id.slice(0, -4))?.whole() ?? null) : null;
      return (await served.get(id)?.tree.open(m[2])) ?? null;
    },
  };

  /** What TFTP and HTTP serve: generated scripts, then bootloaders, then the ISOs, then the technician's own folder. */
  const treeFor = (c: ServerConfig): FileTree => {
    // order matters: generated configs shadow files of the same name inside an ISO (a distro GRUB's EFI/BOOT/grub.cfg).
    // Bootloaders at the TFTP root (where firmware asks) and under boot/ too (the documented HTTP layout).
    const underBoot = new Map([...bootloaders.files].map(([name, path]) => [`boot/${name}`, path]));
    const layers: FileTree[] = [generatedTree((path) => (path === IPXE_SCRIPT ? ipxeScript(c) : boot.generated(path, { ip: null }))), fileMapTree(bootloaders.files), fileMapTree(underBoot), isoLayer];
    if (c.tftpRoot) layers.push(directoryTree(c.tftpRoot));
    return overlayTree(...layers);
  };

  /** Opens every configured ISO; one that cannot be read is reported and skipped, the others serve. */
  function isoService(paths: string[]): Running {
    const problems: string[] = [];
    return {
      async start() {
        for (const p of paths) {
          try {
            const rec = await isos.add(p);
            served.set(rec.id, await isos.open(rec.id));
          } catch (e) {
            const why = (e as Error).message;
            problems.push(`${basename(p)}: ${why}`);
            emit({ service: 'iso', level: 'error', msg: `cannot serve ${p}: ${why}`, fields: { path: p, code: (e as { code?: string }).code ?? null } });
          }
        }
        if (served.size === 0) throw new RackbootError('ISO_UNREADABLE', `no ISO can be served: ${problems.join('; ')}`);
      },
      async stop() {
        served.clear();
      },
      status() {
        const list = [...served.values()].map((o) => `${o.record.id} (${o.record.distro?.name ?? 'unknown system'})`);
        const broken = problems.length ? `; cannot read ${problems.join('; ')}` : '';
        return { state: 'running', detail: `serving ${list.join(', ')} under /iso/<id>/${broken}` };
      },
    };
  }

  let dhcp: DhcpService | null = null;
  let advertiser: RouterAdvertiser | null = null;
  const machines = createMachines({ store, emit, isoExists: (id) => isos.get(id) !== null });
  const plan = createPlan({ store, machines, emit });
  /** A reservation's address with the served subnet's prefix, router and DNS (static answer-file networking). */
  const staticAddress = (mac: string) => {
    const r = plan.reservationFor(mac) ?? settings.reservations.find((x) => x.mac === mac);
    if (!r || !config) return null;
    return { ip: r.ip, prefix: config.subnet.prefix, gateway: config.router, dns: config.dns };
  };
  const answers = createAnswerService({
    store,
    isos,
    machines,
    where: () => ({ address: config?.address ?? settings.address ?? '127.0.0.1', httpPort: config?.httpPort ?? settings.httpPort }),
    staticAddress,
    plan,
  });
  const boot = createOrchestrator({
    machines,
    served: () => served,
    config: () => config,
    // The default ISO may be named by id or by path (the CLI's --default-iso).
    policy: () => ({ unknown: settings.unknownPolicy, defaultIso: settings.defaultIso === null ? null : (isos.get(settings.defaultIso)?.id ?? settings.defaultIso), console: settings.kernelConsole, menuTimeoutSeconds: settings.menuTimeoutSeconds, defaultProfile: options.defaultProfile ?? null }),
    plan,
    emit,
    leaseMac: (ip) => dhcp?.macForIp(ip),
    profile: (id) => answers.load(id),
    staticAddress,
    ipxeClient: (mac) => {
      if (!config || !settings.ipxeRouterAdvert) return;
      advertiser ??= createRouterAdvertiser({ iface: config.interface, mac: config.mac, emit });
      advertiser.nudge(mac);
    },
  });
  const macForIp = (ip: string) => boot.macForIp(ip);
  trackProgress({ events, machines, stageFor: boot.stageFor, macForIp, served: boot.served });

  // order matters: services start in this order, and the ISOs must be open before TFTP and HTTP answer.
  const services: Record<ServiceKey, Service> = {
    iso: wrap(
      (c) => (c.isos.length ? isoService(c.isos) : null),
      () => ({ state: 'disabled', detail: 'no ISO added' }),
    ),
    dhcp: wrap((c) => {
      dhcp = null;
      if (c.dhcpMode === 'off') return null;
      const scope: Scope = { subnet: c.subnet, range: c.pool ?? { first: c.subnet.network + 1, last: c.subnet.broadcast - 1 }, router: c.router };
      // Lease changes queue here; the DHCP service writes them in one transaction before its replies leave.
      const journal: Lease[] = [];
      const pool =
        c.dhcpMode === 'full'
          ? createLeasePool({ scopes: [scope, ...c.relayScopes.map((r) => ({ subnet: r.subnet, range: r.pool, router: r.router }))], exclude: [c.address], reservations: c.reservations, dynamicReservations: { reservationFor: plan.reservationFor, ownerOf: plan.ipOwner }, leases: store.loadLeases(), persist: (l) => journal.push(l) })
          : undefined;
      dhcp = createDhcpService({
        mode: c.dhcpMode,
        iface: c.interface,
        address: c.address,
        prefix: c.subnet.prefix,
        httpPort: c.httpPort,
        pool,
        primaryScope: scope,
        leaseSeconds: c.leaseSeconds,
        dns: c.dns,
        domain: c.domain,
        emit,
        choose: (info) => boot.choose(info),
        ports: options.dhcpPorts,
        flushLeases: () => {
          if (!journal.length) return;
          // On a failed write the changes stay queued and go with the next flush (bounded: the newest win).
          if (journal.length > 100_000) journal.splice(0, journal.length - 100_000);
          store.saveLeases(journal);
          journal.length = 0;
        },
      });
      return dhcp;
    }, () => ({ state: 'disabled', detail: 'DHCP off: the site DHCP server must point clients here' })),
    tftp: wrap((c) => createTftpService({ address: c.address, iface: c.interface, port: c.tftpPort, tree: treeFor(c), emit, macForIp, limits: { maxBlksize: tftpBlockLimit(c.mtu) } })),
    http: wrap((c) => createHttpService({ address: c.address, iface: c.interface, port: c.httpPort, tree: treeFor(c), dynamic: (path, req) => boot.http(path, req), emit, macForIp })),
  };

  let state: ServerStatus['state'] = 'stopped';
  let config: ServerConfig | null = null;
  let startedAt: number | null = null;
  let lastError: ServerStatus['error'] = null;
  let closed = false;
  const statusListeners = new Set<(s: ServerStatus) => void>();

  const status = (): ServerStatus => ({
    state,
    interface: config?.interface ?? settings.interface,
    address: config?.address ?? settings.address,
    dhcpMode: config?.dhcpMode ?? settings.dhcpMode,
    httpUrl: config ? `http://${config.address}:${config.httpPort}/` : null,
    startedAt,
    error: lastError,
    services: {
      dhcp: services.dhcp.status(),
      tftp: services.tftp.status(),
      http: services.http.status(),
      iso: services.iso.status(),
    },
  });
  const publish = () => {
    const s = status();
    for (const l of statusListeners) l(s);
    return s;
  };

  const stopServices = async () => {
    await watch?.stop();
    watch = null;
    for (const s of Object.values(services)) await s.stop();
    advertiser?.close();
    advertiser = null;
  };

  // Start and stop are serialised so a double click cannot interleave them.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  let watch: DhcpWatch | null = null;

  /**
   * Full mode hands out addresses: never where a DHCP server already does (issue 9). One DISCOVER out of the
   * NIC first; an address offer from anyone else refuses the start and names that server. A probe that cannot
   * run (no port 68, loopback) is a warning, not a refusal.
   */
  async function refuseBesideOtherDhcp(c: ServerConfig): Promise<void> {
    const nic = listInterfaces().find((n) => n.name === c.interface);
    if (!nic?.mac || nic.loopback || options.dhcpPorts?.server === 0) return;
    let offers;
    try {
      ({ offers } = await probeDhcpServers({ iface: c.interface, mac: nic.mac, listenMs: 1500, ignore: [c.address], ports: { server: options.dhcpPorts?.server ?? 67, client: options.dhcpPorts?.client ?? 68 } }));
    } catch (e) {
      emit({ service: 'dhcp', level: 'warn', msg: `could not check ${c.interface} for another DHCP server before starting (${(e as Error).message}); make sure none runs there`, fields: { iface: c.interface } });
      return;
    }
    const others = offers.filter((x) => !x.proxy);
    if (others.length) {
      const o = others[0]!;
      throw new RackbootError(
        'OTHER_DHCP_SERVER',
        `${o.server} already hands out addresses on ${c.interface} (it offered ${o.offered}${o.router ? `, router ${o.router}` : ''}). rackboot will not run a second DHCP server there: start in proxy mode (beside the site DHCP) instead`,
      );
    }
  }

  const start = () =>
    serial(async () => {
      if (closed) throw new RackbootError('NOT_RUNNING', 'rackboot is shutting down');
      if (state === 'running') throw new RackbootError('ALREADY_RUNNING', `already serving on ${config?.interface}`);
      state = 'starting';
      lastError = null;
      publish();
      try {
        const resolved = resolveServerConfig(settings, listInterfaces());
        checkIsos(resolved.isos);
        config = resolved;
        if (resolved.dhcpMode === 'full') await refuseBesideOtherDhcp(resolved);
        for (const s of Object.values(services)) await s.start(resolved);
        if (resolved.dhcpMode === 'full') watch = await watchForDhcpServers({ iface: resolved.interface, ours: resolved.address, port: options.dhcpPorts?.client ?? 68, emit });
        if (bootloaders.missing.length) {
          const list = bootloaders.missing.map((m) => `${m.name} (Debian package ${m.debianPackage})`).join(', ');
          events.emit({ service: 'core', level: 'warn', msg: `bootloaders missing, machines that need them cannot boot: ${list}`, fields: { missing: bootloaders.missing } });
        }
        state = 'running';
        startedAt = Date.now();
        events.emit({
          service: 'core',
          level: 'info',
          iface: resolved.interface,
          msg: `boot server started on ${resolved.interface} (${resolved.address}), DHCP ${resolved.dhcpMode}`,
          fields: { address: resolved.address, dhcpMode: resolved.dhcpMode },
        });
        return publish();
      } catch (e) {
        await stopServices();
        config = null;
        state = 'failed';
        lastError = toApiError(e);
        events.emit({ service: 'core', level: 'error', msg: `could not start: ${lastError.message}`, fields: { code: lastError.code } });
        publish();
        throw e;
      }
    });

  const stop = () =>
    serial(async () => {
      if (state !== 'running' && state !== 'failed') return status();
      const wasRunning = state === 'running';
      state = 'stopping';
      publish();
      await stopServices();
      state = 'stopped';
      config = null;
      startedAt = null;
      if (wasRunning) events.emit({ service: 'core', level: 'info', msg: 'boot server stopped' });
      return publish();
    });

  const api: ApiHandlers = {
    listInterfaces: async () => listInterfaces(),
    getSettings: async () => settings,
    setSettings: async (patch) => {
      const next = SettingsSchema.parse({ ...settings, ...patch });
      if (!ephemeral) store.saveSettings(next);
      settings = next;
      if (state !== 'running') publish();
      return settings;
    },
    getStatus: async () => status(),
    startServer: () => start(),
    stopServer: () => stop(),
    recentEvents: async ({ afterSeq, limit }) => events.recent({ afterSeq, limit: limit ?? 500 }),
    listIsos: async () => isos.list().map(summary),
    addIso: async ({ path }) => {
      const full = resolvePath(path);
      checkIsos([full]);
      const rec = await isos.add(full).catch(isoFailure);
      if (!settings.isos.includes(rec.path)) await api.setSettings({ isos: [...settings.isos, rec.path] });
      // Running: serve it now, without a restart.
      if (state === 'running' && !served.has(rec.id)) served.set(rec.id, await isos.open(rec.id).catch(isoFailure));
      publish();
      return summary(rec);
    },
    removeIso: async ({ id }) => {
      const rec = isos.get(id);
      if (!rec) throw new RackbootError('ISO_NOT_FOUND', `no ISO with id ${id} in the library`);
      served.delete(rec.id);
      await isos.remove(rec.id);
      await api.setSettings({ isos: settings.isos.filter((p) => p !== rec.path) });
      publish();
      return isos.list().map(summary);
    },
    listMachines: async () => {
      const leased = leasedIps();
      return machines.list().map((m) => machineSummary(m, leased));
    },
    assignMachine: async ({ mac, isoId, hostname, chain, secureBoot, profile }) => {
      if (!isos.get(isoId)) throw new RackbootError('ISO_NOT_FOUND', `no ISO with id ${isoId} in the library`);
      if (profile) answers.profiles.get(profile); // NO_SUCH_PROFILE before anything changes
      return machineSummary(
        machineCall(() =>
          machines.assign(mac, {
            isoId,
            ...(hostname !== undefined ? { hostname } : {}),
            ...(chain !== undefined ? { chain } : {}),
            ...(secureBoot !== undefined ? { secureBoot } : {}),
            ...(profile !== undefined ? { profile } : {}),
          }),
        ),
      );
    },
    rearmMachine: async ({ mac }) => machineSummary(machineCall(() => machines.rearm(mac))),
    markMachineDone: async ({ mac }) => machineSummary(machineCall(() => machines.markDone(mac, 'marked done by the technician'))),
    removeMachine: async ({ mac }) => {
      const unplanned = plan.remove(mac);
      if (!machines.remove(mac) && !unplanned) throw new RackbootError('NO_SUCH_MACHINE', `no machine ${mac}`);
      return api.listMachines(undefined);
    },
    listLeases: async () =>
      // The store, not the running pool: the DHCP service writes every change before its reply leaves.
      store
        .loadLeases()
        .reverse()
        .map(({ clientKey, mac, ip, state, expiresAt, hostname, updatedAt }) => {
          const m = machines.get(mac);
          return { clientKey, mac, ip, state, expiresAt, hostname: hostname ?? m?.hostname ?? null, updatedAt, firmware: m?.firmware ?? null, arch: m?.arch ?? null };
        }),
    verifyIso: async ({ id, sha256 }) => {
      if (!isos.get(id)) throw new RackbootError('ISO_NOT_FOUND', `no ISO with id ${id} in the library`);
      return isos.verify(id, sha256).catch(isoFailure);
    },
    about: async () => ({
      dataDir: resolvePath(options.dataDir),
      settingsSaved: !ephemeral,
      nicBinding: nativeNetStatus(),
      missingBootloaders: bootloaders.missing.map((m) => ({ name: m.name, debianPackage: m.debianPackage })),
    }),
    findIsos: async ({ dirs }) => {
      const known = new Set(isos.list().map((r) => r.path));
      return findIsos(dirs?.map((d) => resolvePath(d))).map((f) => ({ ...f, inLibrary: known.has(f.path) }));
    },
    probeDhcp: async ({ interface: name }) => {
      const nic = listInterfaces().find((n) => n.name === name);
      if (!nic) throw new RackbootError('NO_SUCH_INTERFACE', `no network interface named ${name}`);
      if (!nic.mac) throw new RackbootError('NO_SUCH_INTERFACE', `${name} has no MAC address to ask DHCP servers from`);
      if (!nic.up) return { offers: [], ms: 0, suggestion: 'full', reason: `${name} has no link: plug it into the switch (nothing to ask yet)` };
      // Our own server on that NIC answers too: leave it out.
      const ours = state === 'running' && config?.interface === name ? [config.address] : [];
      let result;
      try {
        result = await probeDhcpServers({ iface: name, mac: nic.mac, ignore: ours, ports: { server: options.dhcpPorts?.server ?? 67, client: options.dhcpPorts?.client ?? 68 } });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') throw new RackbootError('PERMISSION_DENIED', 'asking for DHCP servers needs port 68: run rackboot as root (or give it CAP_NET_BIND_SERVICE)');
        throw e;
      }
      const servers = result.offers.filter((x) => !x.proxy);
      const pxe = result.offers.filter((x) => x.proxy || x.vendorClass?.startsWith('PXEClient'));
      const suggestion = servers.length ? 'proxy' : 'full';
      const reason = servers.length
        ? `${servers.map((x) => x.server).join(', ')} already hands out addresses on ${name} (offered ${servers[0]!.offered}): rackboot adds boot answers beside it (ProxyDHCP)`
        : `no DHCP server answered on ${name} within ${Math.round(result.ms / 100) / 10} s: rackboot hands out the addresses itself`;
      return { offers: result.offers, ms: result.ms, suggestion, reason: pxe.length ? `${reason}. Another PXE server also answers (${pxe.map((x) => x.server).join(', ')}): machines may get its boot files instead` : reason };
    },
    ...answers.api,
  };

  /** Bound, unexpired lease addresses by MAC: the current address of a machine (one that only did DHCP so far has none in its record). */
  function leasedIps(): Map<string, string> {
    const now = Date.now();
    return new Map(store.loadLeases().flatMap((l) => (l.state === 'bound' && l.expiresAt > now ? [[l.mac, l.ip] as const] : [])));
  }

  function machineSummary(m: Machine, leased = leasedIps()): MachineSummary {
    const last = machines.timeline(m.mac).at(-1);
    const { token: _token, updatedAt: _updated, uuid: _uuid, ...rest } = m;
    return { ...rest, ip: leased.get(m.mac) ?? m.ip, stage: last ? { stage: last.stage, progress: stageProgress(last.stage), at: last.at } : null };
  }

  function summary(r: IsoRecord): IsoSummary {
    const nb = r.netboot;
    return {
      id: r.id,
      path: r.path,
      size: r.size,
      format: r.format,
      label: r.label,
      files: r.files,
      indexMs: r.indexMs,
      indexedAt: r.indexedAt,
      sha256: r.sha256,
      family: r.distro?.family ?? 'unknown',
      distro: r.distro?.distro ?? null,
      name: r.distro?.name ?? null,
      version: r.distro?.version ?? null,
      arch: r.distro?.arch ?? null,
      netboot: nb === null ? null : nb.kind === 'wimboot' ? { kind: nb.kind, kernel: null, initrd: null, notes: nb.notes } : { kind: nb.kind, kernel: nb.kernel, initrd: nb.initrd, notes: nb.notes },
      reason: r.reason,
      urlPath: `/iso/${r.id}/`,
      served: served.has(r.id),
    };
  }

  return {
    api,
    events,
    store,
    isos,
    plan,
    machines,
    status,
    servedIsos: () => [...served.values()],
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    subscribe(sink) {
      const offEvents = events.subscribe((e) => sink('event', e));
      statusListeners.add(sinkStatus);
      function sinkStatus(s: ServerStatus) {
        sink('status', s);
      }
      return () => {
        offEvents();
        statusListeners.delete(sinkStatus);
      };
    },
    start,
    stop,
    async close() {
      if (closed) return;
      await stop();
      closed = true;
      await isos.close();
      answers.close();
      plan.close();
      events.flush();
      store.close();
    },
  };
}

