/**
 * The headless CLI. `rackboot serve` runs the boot server from flags; `rackboot ui` runs the core for the
 * browser-mode UI (what `npm start` falls back to where no Electron binary exists).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, DHCP_MODES, SettingsSchema, type DhcpMode, type ServerStatus, type Settings } from '../shared/api/contract.ts';
import { RackbootError } from '../shared/api/errors.ts';
import { isIPv4, parseIPv4Range } from '../shared/net/ipv4.ts';
import { parse, port, UsageError, write } from './cli/args.ts';
import { isoCommand } from './cli/iso.ts';
import { machinesCommand } from './cli/machines.ts';
import { answersCommand } from './cli/answers.ts';
import { bmcCommand } from './cli/bmc.ts';
import { startUiServer, type UiServer } from './core/api/ui-server.ts';
import { createBootServer, type BootServer, type BootServerOptions } from './core/server.ts';
import { formatIssue } from '../shared/plan/plan.ts';
import { applyPlan, changeCounts, loadPlan, PlanFileError, planIsoIds } from './cli/plan-file.ts';
import { defaultDataDir } from './core/store/paths.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const RENDERER_DIR = fileURLToPath(new URL('../renderer/dist', import.meta.url));

const HELP = `rackboot ${VERSION}: a network-boot server on one NIC (DHCP/ProxyDHCP, TFTP, HTTP)

Usage:
  rackboot serve --interface IFACE [options]   run the boot server headless
  rackboot ui [--data DIR] [--ui-port N] [--open]
                                               run the core for the browser-mode UI; start serving from the UI
  rackboot iso info|ls|cat PATH ...            look inside an installer image (rackboot iso --help)
  rackboot machines [list|assign|rearm|done|rm|import|export]
                                               the machines table and the fleet plan (rackboot machines --help)
  rackboot answers [list|import|render|...]    answer profiles: kickstart, autoinstall, preseed (rackboot answers --help)
  rackboot bmc status|power|bootdev|wake ...   a machine's BMC: power, PXE next boot, Wake-on-LAN (rackboot bmc --help)
  rackboot dhcp-probe --interface IFACE        is another DHCP server on that network? one DISCOVER, no lease taken;
                                               prints the offers and the DHCP mode to use (root: port 68)
  rackboot --help | --version

serve options:
  --interface IFACE     NIC facing the machines to boot (required); rackboot answers only on it
  --address IP          rackboot's address on IFACE (default: the NIC's first IPv4 address)
  --dhcp MODE           full   hand out addresses from --pool (rackboot is the only DHCP server)
                        proxy  answer only PXE/HTTP-boot clients beside the site's DHCP server (default)
                        off    no DHCP; the site DHCP server points clients at rackboot
  --pool FIRST-LAST     addresses to hand out in full mode (default: IFACE's subnet minus rackboot itself)
  --iso PATH            installer ISO to serve; repeat for several
  --data DIR            data directory (default: ${defaultDataDir()})
  --http-port N         HTTP port for boot files and answer files (default: ${DEFAULT_SETTINGS.httpPort})
  --tftp-port N         TFTP port (default: ${DEFAULT_SETTINGS.tftpPort}; PXE ROMs only ask 69)
  --tftp-root DIR       also serve the files in DIR over TFTP and HTTP
  --lease SECONDS       full mode: lease length (default: ${DEFAULT_SETTINGS.leaseSeconds})
  --router IP|none      full mode: default gateway handed out (default: rackboot's own address, as dnsmasq
                        does: installers stop at a "no default route" question without one)
  --dns IP              full mode: DNS server handed out; repeat for several (default: rackboot's address)
  --domain NAME         full mode: domain name handed out
  --reserve MAC=IP[=HOSTNAME]
                        full mode: fixed address (and host name) for one machine; repeat for several
  --relay-pool CIDR=FIRST-LAST[=ROUTER]
                        full mode: pool for machines behind a DHCP relay on network CIDR (the relay's
                        giaddr picks it; replies go to the relay on port 67); repeat for several
  --unknown POLICY      machines nothing is planned for (rackboot machines assign plans one):
                        menu     boot menu: the ISOs, and the local disk after the countdown (default)
                        ignore   no boot answer at all
                        install  install the default ISO unattended: erases disks, needs --yes
  --default-iso PATH|ID the ISO --unknown install uses (default: the only --iso)
  --default-profile ID|NAME
                        the answer profile --unknown install (and a menu install) uses (default: the
                        family's built-in unattended answers)
  --plan FILE.csv       import (or update) this fleet plan at start, as rackboot machines import does, and
                        serve the ISOs it names; an invalid plan is refused with every problem listed (exit 1)
  --exit-when-done      when every planned machine's install is done, print one summary line per machine
                        ({"event":"summary","hostname","mac","iso","seconds","result"}; also a table on stderr
                        with --log text) and exit 0
  --console TTY         serial console for installers, e.g. ttyS0,115200n8
  --menu-timeout SECONDS
                        boot menu countdown (default: ${DEFAULT_SETTINGS.menuTimeoutSeconds})
  --no-router-advert    do not send iPXE clients the unicast "no IPv6 router here" advert that
                        spares them ~13 s of IPv6 router discovery at every boot
  --ui                  also serve the UI on 127.0.0.1 and print its URL (with a per-launch token)
  --ui-port N           port for the UI (default: any free port)
  --log FORMAT          text   readable lines on stderr, info and above (default)
                        debug  the same with debug events (offers, ignored packets)
                        json   every event as one JSON line on stdout

Output: when ready, serve prints exactly one JSON line to stdout:
  {"event":"ready","interface":...,"address":...,"http":"http://...","ui":"http://...?token=..."|null,"services":{...},
   "isos":[{"id":...,"path":...,"distro":...,"url":"http://.../iso/<id>/"}],"layout":{...}}
HTTP layout: /iso/<id>/<path inside the ISO>, /iso/<id>.iso (the image itself), /boot/<bootloader> (also at /),
/boot/<mac>.ipxe (per-machine iPXE script), /answers/<mac>/<file>, /api/callback/<mac>/started|done?token=...
SIGINT or SIGTERM stops it cleanly (exit 0). Bad flags exit 2 with a one-line reason; other failures exit 1.
`;


const USAGE_CODES = new Set(['NO_SUCH_INTERFACE', 'ADDRESS_NOT_ON_INTERFACE', 'BAD_POOL', 'ISO_NOT_FOUND', 'BAD_REQUEST']);

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `MAC=IP[=HOSTNAME]` from --reserve; the schema checks each part. */
function reservation(text: string): { mac: string; ip: string; hostname: string | null } {
  const [mac, ip, hostname, extra] = text.split('=');
  if (!mac || !ip || extra !== undefined) throw new UsageError(`--reserve ${text} is not MAC=IP or MAC=IP=HOSTNAME`);
  return { mac, ip, hostname: hostname || null };
}

/** `CIDR=FIRST-LAST[=ROUTER]` from --relay-pool. */
function relayPool(text: string): { network: string; pool: string; router: string | null } {
  const [network, pool, router, extra] = text.split('=');
  if (!network || !pool || extra !== undefined) throw new UsageError(`--relay-pool ${text} is not CIDR=FIRST-LAST or CIDR=FIRST-LAST=ROUTER`);
  return { network, pool, router: router || null };
}

const FLAG_NAMES: Record<string, string> = { relayPools: 'relay-pool', reservations: 'reserve', dns: 'dns', router: 'router', domain: 'domain', leaseSeconds: 'lease', kernelConsole: 'console', defaultIso: 'default-iso' };
function flagFor(path: PropertyKey[]): string {
  return FLAG_NAMES[String(path[0])] ?? String(path[0]);
}

function servicesSummary(s: ServerStatus) {
  return Object.fromEntries(Object.entries(s.services).map(([k, v]) => [k, { state: v.state, detail: v.detail }]));
}

function attachLogging(core: BootServer, json: boolean, debug = false): void {
  core.events.subscribe((e) => {
    if (json) write({ event: 'log', ...e });
    else if (debug || e.level !== 'debug') {
      const time = new Date(e.ts).toISOString().slice(11, 19);
      process.stderr.write(`${time} ${e.service.padEnd(4)} ${e.level.padEnd(5)} ${e.mac ? e.mac + ' ' : ''}${e.msg}\n`);
    }
  });
  if (json) core.onStatus((s) => write({ event: 'status', state: s.state, services: servicesSummary(s) }));
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`rackboot: error while stopping: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

async function startUi(core: BootServer, uiPort: number | undefined): Promise<UiServer> {
  return startUiServer({ api: core.api, subscribe: core.subscribe, rendererDir: RENDERER_DIR, port: uiPort });
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    interface: { type: 'string' },
    address: { type: 'string' },
    dhcp: { type: 'string' },
    pool: { type: 'string' },
    iso: { type: 'string', multiple: true },
    data: { type: 'string' },
    'http-port': { type: 'string' },
    'tftp-port': { type: 'string' },
    'tftp-root': { type: 'string' },
    lease: { type: 'string' },
    router: { type: 'string' },
    dns: { type: 'string', multiple: true },
    domain: { type: 'string' },
    reserve: { type: 'string', multiple: true },
    'relay-pool': { type: 'string', multiple: true },
    ui: { type: 'boolean' },
    'ui-port': { type: 'string' },
    log: { type: 'string' },
    unknown: { type: 'string' },
    yes: { type: 'boolean' },
    'default-iso': { type: 'string' },
    'default-profile': { type: 'string' },
    plan: { type: 'string' },
    'exit-when-done': { type: 'boolean' },
    console: { type: 'string' },
    'menu-timeout': { type: 'string' },
    'no-router-advert': { type: 'boolean' },
  });
  if (!values.interface) throw new UsageError('--interface is required (the NIC facing the machines, e.g. --interface eth1)');
  if (values.address !== undefined && !isIPv4(values.address)) throw new UsageError(`--address ${values.address} is not a dotted-quad IPv4 address`);
  const dhcp = (values.dhcp ?? DEFAULT_SETTINGS.dhcpMode) as DhcpMode;
  if (!DHCP_MODES.includes(dhcp)) throw new UsageError(`--dhcp must be full, proxy or off, not ${values.dhcp}`);
  if (values.pool !== undefined && !parseIPv4Range(values.pool)) {
    throw new UsageError(`--pool ${values.pool} is not FIRST-LAST (two IPv4 addresses, FIRST <= LAST)`);
  }
  if (values.log !== undefined && !['text', 'debug', 'json'].includes(values.log)) throw new UsageError(`--log takes text, debug or json, not ${values.log}`);
  const unknown = values.unknown ?? DEFAULT_SETTINGS.unknownPolicy;
  if (!['ignore', 'menu', 'install'].includes(unknown)) throw new UsageError(`--unknown takes ignore, menu or install, not ${unknown}`);
  if (unknown === 'install' && !values.yes) {
    throw new UsageError('--unknown install erases the disk of every machine that network-boots here and is not in the plan; add --yes if that is what you want');
  }
  if (unknown === 'install' && !values['default-iso'] && (values.iso ?? []).length !== 1) throw new UsageError('--unknown install needs --default-iso when more than one --iso is given');
  const defaultIso = values['default-iso'] === undefined ? null : (values.iso ?? []).map((p) => resolve(p)).includes(resolve(values['default-iso'])) ? resolve(values['default-iso']) : values['default-iso'];
  const menuTimeout = values['menu-timeout'] === undefined ? DEFAULT_SETTINGS.menuTimeoutSeconds : Number(values['menu-timeout']);
  if (!/^[0-9]+$/.test(values['menu-timeout'] ?? '1') || menuTimeout < 1 || menuTimeout > 600) throw new UsageError(`--menu-timeout must be 1 to 600 seconds, not ${values['menu-timeout']}`);
  const httpPort = port(values['http-port'], '--http-port') ?? DEFAULT_SETTINGS.httpPort;
  const uiPort = port(values['ui-port'], '--ui-port');

  const tftpPort = port(values['tftp-port'], '--tftp-port') ?? DEFAULT_SETTINGS.tftpPort;
  const tftpRoot = values['tftp-root'] === undefined ? null : resolve(values['tftp-root']);
  if (tftpRoot !== null && !isDirectory(tftpRoot)) throw new UsageError(`--tftp-root ${values['tftp-root']} is not a folder`);
  const lease = values.lease === undefined ? DEFAULT_SETTINGS.leaseSeconds : Number(values.lease);
  if (!/^[0-9]+$/.test(values.lease ?? '0') || lease < 60 || lease > 30 * 24 * 3600) throw new UsageError(`--lease must be 60 to 2592000 seconds, not ${values.lease}`);
  const parsed = SettingsSchema.safeParse({
    ...DEFAULT_SETTINGS,
    interface: values.interface,
    address: values.address ?? null,
    dhcpMode: dhcp,
    pool: values.pool ?? null,
    httpPort,
    tftpPort,
    tftpRoot,
    leaseSeconds: lease,
    router: values.router ?? null,
    dns: values.dns ?? null,
    domain: values.domain ?? null,
    reservations: (values.reserve ?? []).map(reservation),
    relayPools: (values['relay-pool'] ?? []).map(relayPool),
    isos: (values.iso ?? []).map((p) => resolve(p)),
    unknownPolicy: unknown,
    defaultIso,
    kernelConsole: values.console ?? null,
    menuTimeoutSeconds: menuTimeout,
    ipxeRouterAdvert: !values['no-router-advert'],
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${flagFor(issue.path)}: ${issue.message}`);
  }
  let settings = parsed.data;
  if (values.plan !== undefined && !existsSync(values.plan)) throw new UsageError(`--plan ${values.plan}: no such file`);
  if (values['default-profile'] !== undefined && !/^[\x20-\x7e]{1,100}$/.test(values['default-profile'])) throw new UsageError(`--default-profile ${values['default-profile']} is not a profile id or name`);
  const options: BootServerOptions = { dataDir: resolve(values.data ?? defaultDataDir()), settings };
  const core = createBootServer(options);
  let planned: PlanStart | null = null;
  try {
    if (values['default-profile'] !== undefined) options.defaultProfile = await defaultProfile(core, values['default-profile']);
    if (values.plan !== undefined) {
      planned = await importPlanAtStart(core, values.plan, settings);
      settings = await core.api.getSettings(undefined);
    }
    if (values['exit-when-done'] && core.plan.list().length === 0) throw new UsageError('--exit-when-done waits for the planned machines, and there are none: give --plan FILE.csv (or rackboot machines import one first)');
  } catch (e) {
    await core.close();
    throw e;
  }
  let ui: UiServer | null = null;
  // Watching for the end starts before the services, so no callback can slip past it.
  const watcher = values['exit-when-done'] ? watchPlan(core) : null;
  const starting = (async () => {
    const status = await core.start();
    if (values.ui) ui = await startUi(core, uiPort);
    return status;
  })();
  const shutdown = async () => {
    await starting.catch(() => undefined); // a signal during start-up waits for it, then undoes it
    await ui?.close();
    await core.close();
  };
  // Installed before start-up finishes: SIGINT/SIGTERM at any moment is a clean exit 0.
  onSignals(shutdown);
  let status: ServerStatus;
  try {
    status = await starting;
  } catch (e) {
    await shutdown();
    throw e;
  }
  write({
    event: 'ready',
    interface: status.interface,
    address: status.address,
    http: status.httpUrl,
    ui: (ui as UiServer | null)?.url ?? null,
    services: servicesSummary(status),
    isos: core.servedIsos().map((o) => ({ id: o.record.id, path: o.record.path, distro: o.record.distro?.name ?? null, url: `${status.httpUrl}iso/${o.record.id}/` })),
    plan: planned,
    // The HTTP layout (stable: scripts and installers rely on it).
    layout: {
      iso: '/iso/<id>/<path inside the ISO>',
      image: '/iso/<id>.iso',
      boot: '/boot/<bootloader> and /boot/<mac>.ipxe',
      answers: '/answers/<mac>/<file>',
      callbacks: '/api/callback/<mac>/started|done?token=...',
    },
  });
  attachLogging(core, values.log === 'json', values.log === 'debug');
  if (watcher) {
    watcher.ready();
    const report = await watcher.done;
    // The summary comes last: after the services stopped (and said so in the log).
    await shutdown();
    for (const line of report.json) write(line);
    if (values.log !== 'json') process.stderr.write(report.text.join(''));
    process.exit(0);
  }
}

/** A profile for --default-profile by id or name. */
async function defaultProfile(core: BootServer, wanted: string): Promise<string> {
  const list = await core.api.listProfiles(undefined);
  const p = list.find((x) => x.id === wanted.toLowerCase() || x.name.toLowerCase() === wanted.toLowerCase());
  if (!p) throw new UsageError(`--default-profile ${wanted}: no such answer profile (rackboot answers list shows them)`);
  if (p.problem) throw new RackbootError('INVALID_PROFILE', `--default-profile ${wanted}: the profile cannot be used: ${p.problem}`);
  return p.id;
}

interface PlanStart {
  file: string;
  added: number;
  updated: number;
  unchanged: number;
  armed: string[];
  /** Rows still waiting for their machine (planned by serial, UUID or asset tag). */
  waiting: number;
}

/** `serve --plan`: the plan checked against the flags' network, imported, its ISOs served too. */
async function importPlanAtStart(core: BootServer, file: string, settings: Settings): Promise<PlanStart> {
  // The --iso images go into the library first: plan rows may name them by id or file name.
  for (const p of settings.isos) await core.isos.add(p).catch(() => undefined);
  const loaded = await loadPlan(core, file, { settings, nics: await core.api.listInterfaces(undefined) });
  if (loaded.reading.issues.length) {
    for (const i of loaded.reading.issues) process.stderr.write(`rackboot: ${file}: ${formatIssue(i)}\n`);
    throw new PlanFileError(`${file}: ${loaded.reading.issues.length} problem(s) in the plan; not starting`);
  }
  const { armed } = await applyPlan(core, loaded);
  const paths = planIsoIds(loaded.reading)
    .map((id) => core.isos.get(id)?.path)
    .filter((p): p is string => p !== undefined && !settings.isos.includes(p));
  if (paths.length) await core.api.setSettings({ isos: [...settings.isos, ...paths] });
  return { file, ...changeCounts(loaded.reading), armed, waiting: core.plan.waiting().length };
}

/**
 * --exit-when-done: resolves once every plan row's machine is installed, after printing one summary line per
 * machine. The duration runs from the machine's first event in this run to its install's end.
 */
function watchPlan(core: BootServer): { done: Promise<{ json: object[]; text: string[] }>; ready(): void } {
  const firstSeen = new Map<string, number>();
  const finished = new Map<string, { at: number; how: string }>();
  const startedAt = Date.now();
  const already = new Set(core.plan.list().filter((p) => p.mac && core.machines.get(p.mac)?.state === 'installed').map((p) => p.mac!));
  let resolveDone!: (report: { json: object[]; text: string[] }) => void;
  const done = new Promise<{ json: object[]; text: string[] }>((r) => (resolveDone = r));
  let over = false;
  // Nothing is printed before the ready line.
  let started = false;
  const check = () => {
    if (over || !started) return;
    const rows = core.plan.list();
    if (!rows.every((p) => p.mac && core.machines.get(p.mac)?.state === 'installed')) return;
    over = true;
    off();
    const json: object[] = [];
    const text: string[] = [];
    for (const p of rows) {
      const m = core.machines.get(p.mac!)!;
      const end = finished.get(p.mac!);
      const from = firstSeen.get(p.mac!);
      const result = already.has(p.mac!) && !end ? 'installed before this run' : end && !/installer/.test(end.how) ? 'marked done' : 'installed';
      const seconds = end && from !== undefined ? Math.round((end.at - from) / 100) / 10 : null;
      json.push({ event: 'summary', hostname: m.hostname, mac: m.mac, iso: m.isoId, seconds, result });
      text.push(`${(m.hostname ?? '-').padEnd(16)} ${m.mac}  ${(m.isoId ?? '-').padEnd(28)} ${seconds === null ? '-' : `${seconds} s`}  ${result}\n`);
    }
    text.push(`rackboot: all ${rows.length} planned machine(s) done in ${Math.round((Date.now() - startedAt) / 1000)} s\n`);
    resolveDone({ json, text });
  };
  const off = core.events.subscribe((e) => {
    if (!e.mac) return;
    if (!firstSeen.has(e.mac)) firstSeen.set(e.mac, e.ts);
    const machine = e.fields?.machine as { state?: string; doneBy?: string } | undefined;
    if (machine?.state === 'installed') {
      finished.set(e.mac, { at: e.ts, how: machine.doneBy ?? '' });
      // After the event's own handlers (the machines table is already updated when it is emitted).
      queueMicrotask(check);
    }
  });
  return {
    done,
    ready() {
      started = true;
      // Every planned machine installed already (the same plan run again): nothing to wait for.
      check();
    },
  };
}

async function ui(argv: string[]): Promise<void> {
  const { values } = parse(argv, { data: { type: 'string' }, 'ui-port': { type: 'string' }, open: { type: 'boolean' } });
  const core = createBootServer({ dataDir: resolve(values.data ?? defaultDataDir()) });
  const server = await startUi(core, port(values['ui-port'], '--ui-port')).catch(async (e) => {
    await core.close();
    throw e;
  });
  write({ event: 'ui', ui: server.url });
  process.stderr.write(`rackboot: UI at ${server.url}\n`);
  if (!existsSync(RENDERER_DIR)) process.stderr.write('rackboot: the UI is not built yet; run `npm run build:renderer`\n');
  if (values.open) openBrowser(server.url);
  attachLogging(core, false);
  onSignals(async () => {
    await server.close();
    await core.close();
  });
}

/** Opens the URL in the desktop's browser when there is a desktop; never fails the launch. */
export function openBrowser(url: string): boolean {
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!hasDisplay) return false;
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

async function dhcpProbe(argv: string[]): Promise<void> {
  const { values } = parse(argv, { interface: { type: 'string' }, data: { type: 'string' } });
  if (!values.interface) throw new UsageError('--interface is required (the NIC to ask on)');
  const core = createBootServer({ dataDir: resolve(values.data ?? defaultDataDir()) });
  try {
    write(await core.api.probeDhcp({ interface: values.interface }));
  } finally {
    await core.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(HELP);
      return;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return;
    }
    if (command === 'iso') return await isoCommand(rest);
    if (command === 'machines') return await machinesCommand(rest);
    if (command === 'answers') return await answersCommand(rest);
    if (command === 'bmc') return await bmcCommand(rest);
    if (command === 'dhcp-probe') return await dhcpProbe(rest);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return;
    }
    if (command === 'serve') return await serve(rest);
    if (command === 'ui') return await ui(rest);
    throw new UsageError(`unknown command ${command} (try: rackboot --help)`);
  } catch (e) {
    const usage = e instanceof UsageError || (e instanceof RackbootError && USAGE_CODES.has(e.code));
    process.stderr.write(`rackboot: ${(e as Error).message}\n`);
    process.exit(usage ? 2 : 1);
  }
}

