/**
 * `rackboot bmc` end to end: the real CLI against ipmi_sim (IPMI, cipher suite 3), the test BMC (suite 17)
 * and the test Redfish service; JSON on stdout, exit 0/1/2, the password only ever from a file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBmc, type TestBmc } from '../helpers/ipmi-bmc.ts';
import { ipmitool, startIpmiSim, type IpmiSim } from '../helpers/ipmi-sim.ts';
import { runCli, tempDir } from '../helpers/rackboot.ts';
import { startRedfishServer, type RedfishServer } from '../helpers/redfish-server.ts';
import { missing } from '../helpers/tools.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';

let dir: ReturnType<typeof tempDir>;
let pw: string;
beforeAll(() => {
  dir = tempDir('rackboot-cli-bmc-');
  pw = join(dir.path, 'bmc-password');
  writeFileSync(pw, 's3cret\n', { mode: 0o600 });
});
afterAll(() => dir.remove());

const cli = (...args: string[]) => runCli(['bmc', ...args], { timeoutMs: 30_000 });
const json = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe.skipIf(missing('ipmi_sim', 'ipmitool'))('rackboot bmc over IPMI (ipmi_sim)', () => {
  let sim: IpmiSim;
  beforeAll(async () => {
    sim = await startIpmiSim({ setup: 'vm' });
  }, 20_000);
  afterAll(async () => {
    await cli('power', 'off', '--host', '127.0.0.1', '--port', String(sim.port), '--user', 'admin', '--password-file', pw);
    await sim?.stop();
  });
  const conn = () => ['--host', '127.0.0.1', '--port', String(sim.port), '--user', 'admin', '--password-file', pw];

  it('status, then a cycle of a machine that is off powers it on; ipmitool agrees', async () => {
    const s = await cli('status', ...conn());
    expect(s.code, s.stderr).toBe(0);
    expect(json(s.stdout)).toMatchObject({ protocol: 'ipmi', cipherSuite: 3, power: 'off', device: { manufacturerId: 4753, firmware: '9.08', ipmiVersion: '2.0' }, bootOverride: null });
    expect(json(s.stdout).bootOverrideError).toMatch(/invalid data field/);
    const c = await cli('power', 'cycle', ...conn());
    expect(c.code, c.stderr).toBe(0);
    expect(json(c.stdout)).toMatchObject({ action: 'cycle', sent: 'on', wasOn: false });
    expect((await ipmitool(sim.port, ['chassis', 'power', 'status'])).stdout).toMatch(/Chassis Power is on/);
  });

  it('bootdev pxe: ipmi_sim refuses the flags: exit 1, the reason on stderr', async () => {
    const r = await cli('bootdev', 'pxe', ...conn());
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('rackboot: the BMC refused the boot device (Set System Boot Options, boot flags): invalid data field in request\n');
  });

  it('a wrong password exits 1 and says so; --verbose traces commands, never the password', async () => {
    writeFileSync(join(dir.path, 'wrong'), 'nope\n');
    const r = await cli('status', '--host', '127.0.0.1', '--port', String(sim.port), '--user', 'admin', '--password-file', join(dir.path, 'wrong'), '--verbose');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong password for BMC user "admin"/);
    const v = await cli('status', ...conn(), '--verbose');
    expect(v.stderr).toMatch(/ipmi: netfn 0 cmd 1 data - -> cc 0/);
    expect(v.stderr + v.stdout).not.toContain('s3cret');
  });
});

describe.skipIf(missing('ipmitool'))('rackboot bmc over IPMI, cipher suite 17 (test BMC)', () => {
  let bmc: TestBmc;
  beforeAll(async () => {
    bmc = await startTestBmc({ users: { admin: 's3cret' } });
  });
  afterAll(() => bmc?.stop());
  it('bootdev pxe --persistent --legacy, read back by ipmitool', async () => {
    const r = await cli('bootdev', 'pxe', '--persistent', '--legacy', '--host', '127.0.0.1', '--port', String(bmc.port), '--user', 'admin', '--password-file', pw, '--cipher', '17');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ cipherSuite: 17, bootDevice: 'pxe', persistent: true, efi: false });
    const ref = (await ipmitool(bmc.port, ['chassis', 'bootparam', 'get', '5'], { cipher: 17 })).stdout;
    expect(ref).toMatch(/Options apply to all future boots/);
    expect(ref).toMatch(/BIOS PC Compatible \(legacy\) boot/);
    expect(ref).toMatch(/Force PXE/);
  });
});

describe.skipIf(missing('openssl'))('rackboot bmc --redfish', () => {
  let rf: RedfishServer;
  beforeAll(async () => {
    rf = await startRedfishServer({ user: 'root', password: 's3cret' });
  });
  afterAll(() => rf?.stop());
  const conn = () => ['--redfish', '--host', '127.0.0.1', '--port', String(rf.port), '--user', 'root', '--password-file', pw];

  it('first use prints the fingerprint and exits 1; with it confirmed: status, bootdev, power', async () => {
    const first = await cli('status', ...conn());
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(rf.fingerprint);
    const s = await cli('status', ...conn(), '--fingerprint', rf.fingerprint);
    expect(s.code, s.stderr).toBe(0);
    expect(json(s.stdout)).toMatchObject({ protocol: 'redfish', fingerprint: rf.fingerprint, system: '/redfish/v1/Systems/1', power: 'off' });
    const b = await cli('bootdev', 'pxe', ...conn(), '--fingerprint', rf.fingerprint);
    expect(json(b.stdout)).toMatchObject({ bootDevice: 'Pxe', enabled: 'Once', mode: 'UEFI' });
    const p = await cli('power', 'on', ...conn(), '--accept-fingerprint');
    expect(json(p.stdout)).toMatchObject({ action: 'on', sent: 'On', fingerprint: rf.fingerprint });
    expect(rf.state).toMatchObject({ target: 'Pxe', enabled: 'Once', powerState: 'On' });
  });
});

describe.skipIf(missing('ipmitool', 'xorriso'))('rackboot bmc set / list / install / forget (stored BMC, test BMC)', () => {
  let bmc: TestBmc;
  let data: string;
  beforeAll(async () => {
    bmc = await startTestBmc({ users: { admin: 's3cret' } });
    data = join(dir.path, 'data');
    // A machine planned for a real (small) ISO, as rackboot machines assign leaves it.
    const iso = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(1000, 1), bytes(2000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
    const a = await runCli(['machines', 'assign', '52:54:00:aa:00:01', '--iso', iso, '--data', data], { timeoutMs: 60_000 });
    expect(a.code, a.stderr).toBe(0);
  }, 90_000);
  afterAll(() => bmc?.stop());
  const M = '52:54:00:aa:00:01';

  it('remembers the BMC (password sealed), drives it by --mac, installs in one command, forgets it', async () => {
    const set = await cli('set', '--mac', M, '--host', '127.0.0.1', '--port', String(bmc.port), '--user', 'admin', '--password-file', pw, '--cipher', '17', '--data', data);
    expect(set.code, set.stderr).toBe(0);
    expect(json(set.stdout)).toMatchObject({ mac: M, protocol: 'ipmi', cipherSuite: 17, hasPassword: true });
    expect(readFileSync(join(data, 'bmc.json'), 'utf8')).not.toContain('s3cret');
    expect(json((await cli('list', '--data', data)).stdout)).toMatchObject({ mac: M, host: '127.0.0.1' });
    const st = await cli('status', '--mac', M, '--data', data);
    expect(st.code, st.stderr).toBe(0);
    expect(json(st.stdout)).toMatchObject({ cipherSuite: 17, power: 'off' });
    const inst = await cli('install', '--mac', M, '--data', data);
    expect(inst.code, inst.stderr).toBe(0);
    expect(json(inst.stdout)).toMatchObject({ ok: true, mac: M, isoId: 'rocky-9.4-x86_64-dvd', boot: { device: 'pxe', once: true, mode: 'uefi' }, power: { wasOn: false, sent: 'on' } });
    expect(bmc.bootFlags).toMatchObject({ valid: true, persistent: false, efi: true, device: 1 });
    expect(bmc.power).toBe(true);
    const machines = await runCli(['machines', '--data', data]);
    expect(machines.stdout).toMatch(/"state":"armed"/);
    expect(json((await cli('forget', '--mac', M, '--data', data)).stdout)).toEqual({ mac: M, forgotten: true });
    const gone = await cli('install', '--mac', M, '--data', data);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/has no BMC set/);
  });
});

describe('rackboot bmc: bad arguments exit 2', () => {
  it.each([
    [['power', 'sideways', '--host', 'x'], /usage: rackboot bmc power on\|off\|cycle\|reset\|soft/],
    [['bootdev', 'disk', '--host', 'x'], /pxe is the one boot device/],
    [['status'], /--host is required/],
    [['status', '--host', '127.0.0.1', '--port', '99999'], /--port must be a port number/],
    [['status', '--host', '127.0.0.1', '--cipher', '0'], /--cipher must be 17, 3 or auto/],
    [['status', '--host', '127.0.0.1', '--password-file', '/nonexistent/pw'], /cannot read --password-file/],
    [['status', '--redfish', '--host', '127.0.0.1'], /--user is required with --redfish/],
    [['bootdev', 'pxe', '--http', '--host', '127.0.0.1'], /--http .* needs --redfish/],
    [['wake'], /--mac is required/],
    [['wake', '--mac', '52:54:00'], /is not a MAC address/],
    [['frobnicate'], /unknown bmc command frobnicate/],
    [['set', '--host', 'bmc'], /--mac is required/],
    [['set', '--mac', '52:54:00:aa:00:09', '--host', 'a b'], /host/],
    [['status', '--mac', '52:54:00:aa:00:09', '--data', '/tmp/rackboot-no-such-data'], /has no stored BMC/],
  ])('%j', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
  it('--help prints the usage', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rackboot bmc: power and boot device/);
  });
});
