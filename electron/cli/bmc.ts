/**
 * `rackboot bmc ...`: power and boot device of one machine through its BMC (IPMI v2.0 / RMCP+ by default,
 * Redfish with --redfish), and Wake-on-LAN, without ipmitool. One JSON object on stdout; bad arguments exit 2,
 * a BMC that cannot be reached or refuses exits 1 with one line on stderr.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BmcError } from '../../shared/api/errors.ts';
import { bootDeviceName, BootDevice, CHASSIS_ACTIONS, type ChassisActionName } from '../../shared/protocol/ipmi/commands.ts';
import { asfPing, withIpmi, type IpmiOptions } from '../core/bmc/ipmi.ts';
import { resetTypeFor, withRedfish, type RedfishOptions } from '../core/bmc/redfish.ts';
import { sendWakeOnLan } from '../core/bmc/wol.ts';
import { createBmcCredentials } from '../core/bmc/credentials.ts';
import { createBmcInstaller } from '../core/bmc/install.ts';
import { createBootServer } from '../core/server.ts';
import { defaultDataDir } from '../core/store/paths.ts';
import { parsePositional, port, UsageError, write } from './args.ts';

export const BMC_HELP = `rackboot bmc: power and boot device through a machine's BMC (IPMI v2.0 over LAN, or Redfish)

  rackboot bmc status --host H [connection]         power state, device, boot override
  rackboot bmc power on|off|cycle|reset|soft --host H [connection]
                                                    cycle on a machine that is off powers it on
  rackboot bmc bootdev pxe [--persistent] [--legacy] [--http] --host H [connection]
                                                    PXE for the next boot only (default) or every boot,
                                                    UEFI (default) or legacy BIOS; --http: UEFI HTTP boot (Redfish)
  rackboot bmc ping --host H [--port P]             ASF presence ping: does it answer RMCP, does it speak IPMI
  rackboot bmc wake --mac MAC [--interface IFACE]   Wake-on-LAN magic packet out of IFACE

stored per machine (in the data directory; the password sealed with a 0600 key file):
  rackboot bmc set --mac MAC --host H [connection] [--legacy|--uefi]
                                                    remember the machine's BMC (--password-file to store one)
  rackboot bmc list | forget --mac MAC              the machines with a BMC (never the passwords)
  rackboot bmc install --mac MAC[,MAC...]           arm the install, PXE for the next boot only, power on
                                                    (or cycle a running machine); a few machines at a time
  status, power and bootdev also take --mac MAC instead of --host: the stored BMC
  --data DIR                data directory (default: the one rackboot serve uses)

connection:
  --port P                  UDP port for IPMI (default 623), TCP port for Redfish (default 443)
  --user U                  BMC user (IPMI default: the null user)
  --password-file F         the password is the file's first line (or set RACKBOOT_BMC_PASSWORD)
  --cipher 17|3|auto        IPMI cipher suite (default auto: 17, then 3)
  --redfish                 speak Redfish over HTTPS instead of IPMI
  --fingerprint SHA256      Redfish: the BMC certificate's SHA-256 fingerprint, confirmed earlier
  --accept-fingerprint      Redfish: trust the certificate seen now (first use); its fingerprint is printed
  --timeout MS              per try (IPMI, default 1000) or per request (Redfish, default 10000)
  --verbose                 print each IPMI command / Redfish request on stderr (never the password)

Exit 0 on success, 2 on bad arguments, 1 when the BMC cannot be reached, refuses, or the password is wrong.
`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  'password-file': { type: 'string' },
  cipher: { type: 'string' },
  redfish: { type: 'boolean' },
  fingerprint: { type: 'string' },
  'accept-fingerprint': { type: 'boolean' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean' },
  persistent: { type: 'boolean' },
  legacy: { type: 'boolean' },
  http: { type: 'boolean' },
  mac: { type: 'string' },
  interface: { type: 'string' },
  uefi: { type: 'boolean' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parsePositional<typeof FLAGS>>['values'];

function password(values: Values): string {
  if (values['password-file']) {
    try {
      return readFileSync(values['password-file'], 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (e) {
      throw new UsageError(`cannot read --password-file ${values['password-file']}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return process.env.RACKBOOT_BMC_PASSWORD ?? '';
}

function timeout(values: Values): number | undefined {
  if (values.timeout === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(values.timeout)) throw new UsageError(`--timeout must be milliseconds (1-999999), not ${values.timeout}`);
  return Number(values.timeout);
}

function ipmiOptions(values: Values): IpmiOptions {
  if (!values.host) throw new UsageError('--host is required (the BMC address)');
  let cipherSuite: IpmiOptions['cipherSuite'] = 'auto';
  if (values.cipher !== undefined && values.cipher !== 'auto') {
    if (values.cipher !== '3' && values.cipher !== '17') throw new UsageError(`--cipher must be 17, 3 or auto, not ${values.cipher}`);
    cipherSuite = Number(values.cipher);
  }
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return {
    host: values.host,
    port: port(values.port, '--port'),
    username: values.user ?? '',
    password: password(values),
    cipherSuite,
    timeoutMs: timeout(values),
    onCommand: values.verbose ? (t) => process.stderr.write(`ipmi: netfn ${t.netFn.toString(16)} cmd ${t.cmd.toString(16)} data ${hex(t.data) || '-'} -> ${t.completionCode === null ? 'no answer' : `cc ${t.completionCode.toString(16)} ${t.response ? hex(t.response) : ''}`}\n`) : undefined,
  };
}

function redfishOptions(values: Values): RedfishOptions {
  if (!values.host) throw new UsageError('--host is required (the BMC address)');
  if (!values.user) throw new UsageError('--user is required with --redfish');
  if (values.cipher) throw new UsageError('--cipher is for IPMI, not --redfish');
  const p = port(values.port, '--port');
  const host = values.host.includes(':') && !values.host.startsWith('[') ? `[${values.host}]` : values.host;
  return {
    url: `https://${host}${p ? `:${p}` : ''}`,
    username: values.user,
    password: password(values),
    fingerprint: values.fingerprint ?? null,
    acceptFingerprint: values['accept-fingerprint'] === true,
    timeoutMs: timeout(values),
    onRequest: values.verbose ? (r) => process.stderr.write(`redfish: ${r.method} ${r.path} -> ${r.status}${r.ifMatch ? ` (If-Match ${r.ifMatch})` : ''}\n`) : undefined,
  };
}

const POWER_ACTIONS = ['on', 'off', 'cycle', 'reset', 'soft'] as const;

async function ipmi(sub: string, positionals: string[], values: Values): Promise<void> {
  const o = ipmiOptions(values);
  const base = { protocol: 'ipmi', host: o.host, port: o.port ?? 623 };
  if (sub === 'status') {
    return write(
      await withIpmi(o, async (s) => {
        const id = await s.deviceId();
        const chassis = await s.chassisStatus();
        const boot = await s.bootFlags().then(
          (f) => ({ bootOverride: { valid: f.valid, device: bootDeviceName(f.device), persistent: f.persistent, efi: f.efi } }),
          (e: unknown) => ({ bootOverride: null, bootOverrideError: (e as Error).message }),
        );
        return { ...base, cipherSuite: s.cipherSuite, power: chassis.powerOn ? 'on' : 'off', powerFault: chassis.powerFault, device: { manufacturerId: id.manufacturerId, productId: id.productId, firmware: id.firmware, ipmiVersion: id.ipmiVersion }, ...boot };
      }),
    );
  }
  if (sub === 'power') {
    const action = positionals[0] as ChassisActionName;
    return write(
      await withIpmi(o, async (s) => {
        const wasOn = (await s.chassisStatus()).powerOn;
        // boot-chains.md §8.1: many BMCs refuse a cycle of a powered-off host (D5h); then it is a power on.
        const sent: ChassisActionName = action === 'cycle' && !wasOn ? 'on' : action;
        await s.chassisControl(CHASSIS_ACTIONS[sent]);
        return { ...base, cipherSuite: s.cipherSuite, action, sent, wasOn };
      }),
    );
  }
  // bootdev pxe
  if (values.http) throw new UsageError('--http (UEFI HTTP boot) needs --redfish: IPMI boot flags have no HTTP boot device');
  const efi = !values.legacy;
  const persistent = values.persistent === true;
  return write(
    await withIpmi(o, async (s) => {
      const r = await s.setBootDevice({ device: BootDevice.pxe, persistent, efi });
      return { ...base, cipherSuite: s.cipherSuite, bootDevice: 'pxe', persistent, efi, steps: r.steps };
    }),
  );
}

async function redfish(sub: string, positionals: string[], values: Values): Promise<void> {
  const o = redfishOptions(values);
  const base = { protocol: 'redfish', url: o.url };
  if (sub === 'status') {
    return write(
      await withRedfish(o, async (r) => {
        const st = await r.status();
        return { ...base, fingerprint: r.fingerprint, system: r.systemPath, power: st.powerState === 'On' ? 'on' : st.powerState === 'Off' ? 'off' : st.powerState, powerState: st.powerState, bootOverride: st.boot, resetTypes: st.resetTypes };
      }),
    );
  }
  if (sub === 'power') {
    const action = positionals[0] as (typeof POWER_ACTIONS)[number];
    return write(
      await withRedfish(o, async (r) => {
        const st = await r.status();
        const sent = resetTypeFor(action, st.resetTypes, st.powerState === 'On');
        await r.reset(sent);
        return { ...base, fingerprint: r.fingerprint, system: r.systemPath, action, sent, wasOn: st.powerState === 'On' };
      }),
    );
  }
  const target = values.http ? 'UefiHttp' : 'Pxe';
  if (values.http && values.legacy) throw new UsageError('--http is UEFI HTTP boot: it cannot be --legacy');
  const enabled = values.persistent ? 'Continuous' : 'Once';
  const mode = values.legacy ? 'Legacy' : 'UEFI';
  return write(
    await withRedfish(o, async (r) => {
      const res = await r.setBootOverride({ target, enabled, mode });
      return { ...base, fingerprint: r.fingerprint, system: r.systemPath, bootDevice: target, enabled, mode, sent: res.sent, note: res.note };
    }),
  );
}

const dataDir = (values: Values) => resolve(values.data ?? defaultDataDir());

/** Fills host, port, user, cipher/fingerprint and the password from the machine's stored BMC. */
function fromStore(values: Values): void {
  const found = createBmcCredentials({ dataDir: dataDir(values) }).secret(values.mac!);
  if (!found) throw new UsageError(`${values.mac} has no stored BMC (rackboot bmc set --mac ${values.mac} --host H ...)`);
  const s = found.settings;
  const v = values as Record<string, unknown>;
  v.host = s.host;
  if (s.port !== null && values.port === undefined) v.port = String(s.port);
  v.user ??= s.username;
  if (s.protocol === 'redfish') {
    v.redfish = true;
    v.fingerprint ??= s.fingerprint ?? undefined;
  } else if (values.cipher === undefined) v.cipher = String(s.cipherSuite);
  if (values['password-file'] === undefined) process.env.RACKBOOT_BMC_PASSWORD = found.password;
}

async function stored(sub: string, rest: string[], values: Values): Promise<void> {
  if (rest.length) throw new UsageError(`unexpected ${rest.join(' ')}`);
  const credentials = createBmcCredentials({ dataDir: dataDir(values) });
  if (sub === 'list') {
    for (const b of credentials.list()) write(b);
    return;
  }
  if (!values.mac) throw new UsageError(`--mac is required (the machine whose BMC to ${sub === 'set' ? 'remember' : sub})`);
  if (sub === 'forget') return write({ mac: values.mac, forgotten: credentials.remove(values.mac) });
  if (sub === 'set') {
    if (!values.host) throw new UsageError('--host is required (the BMC address)');
    if (values.legacy && values.uefi) throw new UsageError('--legacy and --uefi exclude each other');
    if (values.cipher !== undefined && !['3', '17', 'auto'].includes(values.cipher)) throw new UsageError(`--cipher must be 17, 3 or auto, not ${values.cipher}`);
    const pw = values['password-file'] !== undefined || process.env.RACKBOOT_BMC_PASSWORD !== undefined ? password(values) : undefined;
    const cipher = values.cipher === '3' ? 3 : values.cipher === '17' ? 17 : 'auto';
    return write(
      credentials.set(
        values.mac,
        { protocol: values.redfish ? 'redfish' : 'ipmi', host: values.host, port: port(values.port, '--port') ?? null, username: values.user ?? '', cipherSuite: cipher, fingerprint: values.fingerprint ?? null, mode: values.legacy ? 'legacy' : values.uefi ? 'uefi' : null },
        pw,
      ),
    );
  }
  // install
  const macs = values.mac.split(',').map((m) => m.trim()).filter(Boolean);
  const core = createBootServer({ dataDir: dataDir(values) });
  try {
    const off = values.verbose ? core.events.subscribe((e) => e.mac && process.stderr.write(`${e.level} ${e.msg}\n`)) : () => {};
    const results = await createBmcInstaller({ machines: core.machines, credentials, emit: (e) => core.events.emit(e), timeoutMs: timeout(values) }).installMany(macs);
    off();
    for (const r of results) write(r.ok ? { ok: true, ...r.result } : r);
    if (results.some((r) => !r.ok)) {
      const failed = results.filter((r) => !r.ok) as { mac: string; message: string }[];
      throw new BmcError('BMC_REFUSED', failed.length === 1 ? failed[0]!.message : `${failed.length} of ${results.length} machines failed (see their lines)`);
    }
  } finally {
    await core.close();
  }
}

export async function bmcCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parsePositional(argv, FLAGS);
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined || sub === 'help') {
    process.stdout.write(BMC_HELP);
    return;
  }
  try {
    if (sub === 'wake') {
      if (!values.mac) throw new UsageError('--mac is required (the machine to wake)');
      return write(await sendWakeOnLan({ mac: values.mac, iface: values.interface ?? null }));
    }
    if (sub === 'ping') {
      if (!values.host) throw new UsageError('--host is required (the BMC address)');
      const p = port(values.port, '--port') ?? 623;
      return write({ host: values.host, port: p, ...(await asfPing({ host: values.host, port: p, timeoutMs: timeout(values) })) });
    }
    if (['set', 'list', 'forget', 'install'].includes(sub)) return await stored(sub, rest, values);
    // --mac instead of --host: the machine's stored BMC.
    if (values.mac && !values.host && ['status', 'power', 'bootdev'].includes(sub)) fromStore(values);
    if (sub === 'power' && !(POWER_ACTIONS as readonly string[]).includes(rest[0] ?? '')) throw new UsageError(`usage: rackboot bmc power ${POWER_ACTIONS.join('|')} --host H`);
    if (sub === 'bootdev' && rest[0] !== 'pxe') throw new UsageError('usage: rackboot bmc bootdev pxe [--persistent] [--legacy] --host H (pxe is the one boot device rackboot sets)');
    if (!['status', 'power', 'bootdev'].includes(sub)) throw new UsageError(`unknown bmc command ${sub} (try: rackboot bmc --help)`);
    if (rest.length > (sub === 'status' ? 0 : 1)) throw new UsageError(`unexpected ${rest.slice(sub === 'status' ? 0 : 1).join(' ')}`);
    await (values.redfish ? redfish(sub, rest, values) : ipmi(sub, rest, values));
  } catch (e) {
    // A target rackboot cannot use is the caller's typing: exit 2 like any bad flag.
    if (e instanceof BmcError && e.code === 'BMC_BAD_TARGET') throw new UsageError(e.message);
    throw e;
  }
}
