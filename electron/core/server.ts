/**
 * Composition root of the boot server: createBootServer(options) -> { api, events, start, stop, close }.
 * Plain Node, no electron: the Electron main process, the headless CLI and the tests all build it the same way.
 */
import { accessSync, constants, statSync } from 'node:fs';
import {
  SettingsSchema,
  type ApiHandlers,
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
import { listInterfaces as listSystemInterfaces } from './net/interfaces.ts';
import { openStore, type Store } from './store/store.ts';
import { createTftpService } from './tftp/service.ts';

export interface BootServerOptions {
  dataDir: string;
  /** Settings for this run only (CLI flags). When given, setSettings changes them in memory and saves nothing. */
  settings?: Settings;
  listInterfaces?: () => NetInterface[];
  /** Where the bootloaders come from (tests inject a fixed set). */
  bootloaders?: BootloaderInventory;
  /** Test hook: DHCP ports other than 67/68/4011 (unprivileged runs). */
  dhcpPorts?: DhcpServiceOptions['ports'];
}

export type StreamSink = <S extends StreamName>(stream: S, data: StreamData<S>) => void;

export interface BootServer {
  readonly api: ApiHandlers;
  readonly events: EventBus;
  readonly store: Store;
  status(): ServerStatus;
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

/** A service this version does not have yet: it says so in status instead of pretending to serve. */
function notYetBuilt(what: string, when: (config: ServerConfig) => ServiceStatus | null = () => null): Service {
  let config: ServerConfig | null = null;
  return {
    async start(c) {
      config = c;
    },
    async stop() {
      config = null;
    },
    status() {
      if (!config) return { state: 'stopped', detail: null };
      return when(config) ?? { state: 'not-implemented', detail: `${what} is not implemented in this version` };
    },
  };
}

/** Life of a real service: built from the config at start, thrown away at stop; null from `make` means disabled. */
interface Running {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ServiceStatus;
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
        const code = errno === 'EADDRINUSE' ? 'PORT_IN_USE' : errno === 'EACCES' ? 'PERMISSION_DENIED' : 'SERVICE_FAILED';
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

/** The iPXE script every iPXE client is pointed at. Issue 6 replaces it with the per-machine boot decision. */
function ipxeScript(c: ServerConfig): string {
  return [
    '#!ipxe',
    `echo rackboot: \${mac} (\${platform}) reached the boot server at ${c.address}`,
    'echo No installer is assigned to this machine: booting from the local disk.',
    'sleep 3',
    'exit',
    '',
  ].join('\n');
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

  /** What TFTP and HTTP serve: generated scripts, then bootloaders, then the technician's own folder. */
  const treeFor = (c: ServerConfig): FileTree => {
    const layers: FileTree[] = [generatedTree((path) => (path === IPXE_SCRIPT ? ipxeScript(c) : null)), fileMapTree(bootloaders.files)];
    if (c.tftpRoot) layers.push(directoryTree(c.tftpRoot));
    return overlayTree(...layers);
  };

  let dhcp: DhcpService | null = null;
  const macForIp = (ip: string) => dhcp?.macForIp(ip);

  const services: Record<ServiceKey, Service> = {
    dhcp: wrap((c) => {
      dhcp = null;
      if (c.dhcpMode === 'off') return null;
      const scope: Scope = { subnet: c.subnet, range: c.pool ?? { first: c.subnet.network + 1, last: c.subnet.broadcast - 1 }, router: c.router };
      // Lease changes queue here; the DHCP service writes them in one transaction before its replies leave.
      const journal: Lease[] = [];
      const pool =
        c.dhcpMode === 'full'
          ? createLeasePool({ scopes: [scope, ...c.relayScopes.map((r) => ({ subnet: r.subnet, range: r.pool, router: r.router }))], exclude: [c.address], reservations: c.reservations, leases: store.loadLeases(), persist: (l) => journal.push(l) })
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
    http: wrap((c) => createHttpService({ address: c.address, iface: c.interface, port: c.httpPort, tree: treeFor(c), emit, macForIp })),
    iso: notYetBuilt('Serving from ISOs', (c) => (c.isos.length === 0 ? { state: 'disabled', detail: 'no ISO added' } : null)),
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
    for (const s of Object.values(services)) await s.stop();
  };

  // Start and stop are serialised so a double click cannot interleave them.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

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
        for (const s of Object.values(services)) await s.start(resolved);
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
  };

  return {
    api,
    events,
    store,
    status,
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
      events.flush();
      store.close();
    },
  };
}

