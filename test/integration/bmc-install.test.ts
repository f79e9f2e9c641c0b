/**
 * One-click install through the BMC (electron/core/bmc/install.ts) and the stored credentials
 * (electron/core/bmc/credentials.ts), on a real machines table (SQLite store in a temp dir) with real BMCs:
 * the cipher 17 test BMC, ipmi_sim with a chassis control program (PXE takes), ipmi_sim without (PXE
 * refused: the install stays armed, nothing is powered), and the Redfish test service.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BmcError } from '../../shared/api/errors.ts';
import type { BootEventInput } from '../../shared/model/event.ts';
import { BootDevice } from '../../shared/protocol/ipmi/commands.ts';
import { createMachines, type Machines } from '../../electron/core/boot/machines.ts';
import { createBmcCredentials, keyFileBox, type BmcCredentials } from '../../electron/core/bmc/credentials.ts';
import { createBmcInstaller } from '../../electron/core/bmc/install.ts';
import { openStore, type Store } from '../../electron/core/store/store.ts';
import { startTestBmc, type TestBmc } from '../helpers/ipmi-bmc.ts';
import { ipmitool, startIpmiSim, type IpmiSim } from '../helpers/ipmi-sim.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { startRedfishServer, type RedfishServer } from '../helpers/redfish-server.ts';
import { missing } from '../helpers/tools.ts';

const A = '52:54:00:12:00:01';
const B = '52:54:00:12:00:02';
const C = '52:54:00:12:00:03';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let machines: Machines;
let credentials: BmcCredentials;
let events: BootEventInput[];
const cleanup: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = tempDir('rackboot-bmc-install-');
  store = openStore(join(dir.path, 'data'));
  events = [];
  // The machines table references the ISO library: one row stands in for an indexed image.
  store.saveIso({ id: 'debian-12', path: '/isos/debian-12.iso', size: 1, mtimeMs: 0, fingerprint: 'f', summary: '{}', index: '{}', sha256: null, addedAt: 0, indexedAt: 0 });
  machines = createMachines({ store, emit: (e) => events.push(e), isoExists: () => true });
  credentials = createBmcCredentials({ dataDir: join(dir.path, 'data') });
  for (const mac of [A, B, C]) machines.assign(mac, { isoId: 'debian-12', arm: false });
});
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
  store.close();
  dir.remove();
});
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof BmcError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('stored BMC credentials', () => {
  it('passwords are sealed with a 0600 key file, never in bmc.json in the clear, never in get/list', () => {
    credentials.set(A, { protocol: 'ipmi', host: '198.18.9.5', username: 'admin' }, 'pa55-word!');
    const file = join(dir.path, 'data', 'bmc.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir.path, 'data', 'bmc.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('pa55-word!');
    expect(credentials.get(A)).toEqual({ mac: A, protocol: 'ipmi', host: '198.18.9.5', port: null, username: 'admin', cipherSuite: 'auto', fingerprint: null, mode: null, hasPassword: true, passwordUnreadable: false });
    expect(JSON.stringify(credentials.list())).not.toContain('pa55-word!');
    // Another instance with the same key reads it back; keeping the password when it is not given.
    const again = createBmcCredentials({ dataDir: join(dir.path, 'data') });
    expect(again.secret(A)!.password).toBe('pa55-word!');
    again.set(A, { protocol: 'ipmi', host: '198.18.9.6', username: 'admin' });
    expect(credentials.secret(A)).toMatchObject({ password: 'pa55-word!', settings: { host: '198.18.9.6' } });
  });
  it('a file copied without its key gives the settings and says the password cannot be read', async () => {
    credentials.set(A, { protocol: 'ipmi', host: '198.18.9.5', username: 'admin' }, 'x');
    const other = createBmcCredentials({ dataDir: join(dir.path, 'data'), box: keyFileBox(join(dir.path, 'other.key')) });
    expect(other.get(A)).toMatchObject({ hasPassword: true, passwordUnreadable: true });
    expect(() => other.secret(A)).toThrow(expect.objectContaining({ code: 'BMC_AUTH_FAILED' }));
  });
  it('bad settings are refused with the field', () => {
    expect(() => credentials.set(A, { protocol: 'ipmi', host: 'a b' })).toThrow(/host/);
    expect(() => credentials.set(A, { protocol: 'redfish', host: 'bmc', fingerprint: 'abc' })).toThrow(/fingerprint/);
    expect(() => credentials.set('nope', { protocol: 'ipmi', host: 'bmc' })).toThrow(/not a MAC address/);
  });
});

describe.skipIf(missing('ipmitool'))('install through the cipher 17 test BMC', () => {
  let bmc: TestBmc;
  beforeEach(async () => {
    bmc = await startTestBmc({ users: { admin: 's3cret' } });
    cleanup.push(() => bmc.stop());
  });

  it('arms the install, sets PXE once (UEFI), powers on; a second click cycles the running machine', async () => {
    credentials.set(A, { protocol: 'ipmi', host: '127.0.0.1', port: bmc.port, username: 'admin', cipherSuite: 17 }, 's3cret');
    const installer = createBmcInstaller({ machines, credentials, emit: (e) => events.push(e) });
    const r = await installer.install(A);
    expect(r).toEqual({ mac: A, isoId: 'debian-12', protocol: 'ipmi', boot: { device: 'pxe', once: true, mode: 'uefi' }, power: { wasOn: false, sent: 'on' }, note: null });
    expect(machines.get(A)).toMatchObject({ state: 'armed' });
    const token = machines.get(A)!.token;
    expect(bmc.bootFlags).toMatchObject({ valid: true, persistent: false, efi: true, device: BootDevice.pxe });
    expect(bmc.power).toBe(true);
    expect((await ipmitool(bmc.port, ['chassis', 'bootparam', 'get', '5'], { cipher: 17 })).stdout).toMatch(/Options apply to only next boot[\s\S]*Force PXE/);
    // Boot device right before the power command.
    const order = bmc.requests.filter(([n, c]) => n === 0 && (c === 8 || c === 2)).map(([, c, d]) => (c === 2 ? `control ${d}` : `boot ${d.slice(0, 2)}`));
    expect(order).toEqual(['boot 00', 'boot 04', 'boot 05', 'boot 00', 'boot 00', 'control 01']);
    expect(events.filter((e) => e.mac === A && (e.fields as { bmc?: unknown }).bmc).map((e) => e.msg)).toEqual([
      `${A}: BMC (ipmi 127.0.0.1:${bmc.port}, cipher suite 17): PXE for the next boot only, UEFI`,
      `${A}: BMC: powered on to install debian-12`,
    ]);
    const again = await installer.install(A);
    expect(again.power).toEqual({ wasOn: true, sent: 'cycle' });
    expect(machines.get(A)!.token).not.toBe(token);
  });

  it('a machine without a BMC is refused before anything changes', async () => {
    const installer = createBmcInstaller({ machines, credentials, emit: (e) => events.push(e) });
    const e = await failure(installer.install(B));
    expect(e.code).toBe('BMC_NOT_SET');
    expect(machines.get(B)!.state).toBe('new');
  });

  it('installMany: a few at a time; one without a BMC fails alone', async () => {
    const second = await startTestBmc({ users: { admin: 's3cret' } });
    cleanup.push(() => second.stop());
    credentials.set(A, { protocol: 'ipmi', host: '127.0.0.1', port: bmc.port, username: 'admin' }, 's3cret');
    credentials.set(C, { protocol: 'ipmi', host: '127.0.0.1', port: second.port, username: 'admin' }, 's3cret');
    const results = await createBmcInstaller({ machines, credentials, emit: () => {} }).installMany([A, B, C], 2);
    expect(results.map((r) => (r.ok ? `${r.result.mac} ok` : `${r.mac} ${r.code}`))).toEqual([`${A} ok`, `${B} BMC_NOT_SET`, `${C} ok`]);
    expect([bmc.power, second.power]).toEqual([true, true]);
  });
});

describe.skipIf(missing('ipmi_sim', 'ipmitool'))('install through ipmi_sim', () => {
  const sims: IpmiSim[] = [];
  afterAll(async () => {
    for (const s of sims) await s.stop();
  });

  it('with a chassis control program: PXE taken, powered on, ipmitool reads Force PXE; legacy for a BIOS machine', async () => {
    const sim = await startIpmiSim({ setup: 'chassis-control' });
    sims.push(sim);
    machines.seen(A, { firmware: 'bios' });
    credentials.set(A, { protocol: 'ipmi', host: '127.0.0.1', port: sim.port, username: 'admin' }, 's3cret');
    const r = await createBmcInstaller({ machines, credentials, emit: (e) => events.push(e) }).install(A);
    expect(r).toMatchObject({ boot: { mode: 'legacy' }, power: { wasOn: false, sent: 'on' } });
    expect(sim.bootDevice()).toBe('pxe');
    expect((await ipmitool(sim.port, ['chassis', 'bootparam', 'get', '5'])).stdout).toMatch(/Force PXE/);
    expect((await ipmitool(sim.port, ['chassis', 'power', 'status'])).stdout).toMatch(/Chassis Power is on/);
  });

  it('without boot device control: refused clearly, the install stays armed, the power is not touched', async () => {
    const sim = await startIpmiSim({ setup: 'vm' });
    sims.push(sim);
    credentials.set(A, { protocol: 'ipmi', host: '127.0.0.1', port: sim.port, username: 'admin' }, 's3cret');
    const e = await failure(createBmcInstaller({ machines, credentials, emit: (ev) => events.push(ev) }).install(A));
    expect(e.code).toBe('BMC_REFUSED');
    expect(machines.get(A)!.state).toBe('armed');
    expect((await ipmitool(sim.port, ['chassis', 'power', 'status'])).stdout).toMatch(/Chassis Power is off/);
    expect(events.at(-1)).toMatchObject({ level: 'warn', mac: A, msg: expect.stringMatching(/invalid data field in request; the install stays armed: power the machine on by hand/) });
  });

  it('a wrong stored password: BMC_AUTH_FAILED, still armed', async () => {
    const sim = await startIpmiSim({ setup: 'chassis-control' });
    sims.push(sim);
    credentials.set(A, { protocol: 'ipmi', host: '127.0.0.1', port: sim.port, username: 'admin' }, 'wrong');
    expect((await failure(createBmcInstaller({ machines, credentials, emit: () => {} }).install(A))).code).toBe('BMC_AUTH_FAILED');
    expect(machines.get(A)!.state).toBe('armed');
  });
});

describe.skipIf(missing('openssl'))('install through Redfish', () => {
  let rf: RedfishServer;
  beforeEach(async () => {
    rf = await startRedfishServer({ user: 'root', password: 'calvin' });
    cleanup.push(() => rf.stop());
  });
  it('PXE Once in UEFI, then On; with the pinned fingerprint only', async () => {
    credentials.set(A, { protocol: 'redfish', host: '127.0.0.1', port: rf.port, username: 'root' }, 'calvin');
    const installer = createBmcInstaller({ machines, credentials, emit: () => {} });
    const unpinned = await failure(installer.install(A));
    expect(unpinned.code).toBe('BMC_TLS_UNTRUSTED');
    credentials.pin(A, String(unpinned.fields.fingerprint));
    const r = await installer.install(A);
    expect(r).toMatchObject({ protocol: 'redfish', boot: { mode: 'uefi' }, power: { wasOn: false, sent: 'On' } });
    expect(rf.state).toMatchObject({ target: 'Pxe', enabled: 'Once', mode: 'UEFI', powerState: 'On' });
  });
});
