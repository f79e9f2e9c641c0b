/**
 * rackboot's RMCP+ client against real peers on loopback (issue 12):
 * - ipmi_sim (OpenIPMI) with cipher suite 3: device ID, chassis status, power on/off/cycle, each compared
 *   with what ipmitool -I lanplus reports; wrong password; a refused cipher suite 17 (ipmi_sim has no SHA256);
 *   Set System Boot Options as ipmitool sends it, byte for byte, and the refusal reported clearly;
 * - rackboot's test BMC (test/helpers/ipmi-bmc.ts) for cipher suite 17, checked first with ipmitool and
 *   freeipmi, then the same operations, busy answers and no free session;
 * - a socket that never answers.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BmcError } from '../../shared/api/errors.ts';
import { BootDevice, ChassisAction } from '../../shared/protocol/ipmi/commands.ts';
import { asfPing, openIpmiSession, withIpmi, type CommandTrace, type IpmiOptions } from '../../electron/core/bmc/ipmi.ts';
import { startTestBmc, type TestBmc } from '../helpers/ipmi-bmc.ts';
import { ipmitool, startIpmiSim, type IpmiSim } from '../helpers/ipmi-sim.ts';
import { missing, run } from '../helpers/tools.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof BmcError) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: 'OK', message: '' };
};

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

describe.skipIf(missing('ipmi_sim', 'ipmitool'))('IPMI against ipmi_sim (power through a started process)', () => {
  let sim: IpmiSim;
  let o: IpmiOptions;
  beforeAll(async () => {
    sim = await startIpmiSim({ setup: 'vm' });
    o = { host: '127.0.0.1', port: sim.port, username: 'admin', password: 's3cret', timeoutMs: 1000, retries: 2 };
  }, 20_000);
  afterAll(async () => {
    // Power off first so ipmi_sim kills its startcmd child.
    await withIpmi(o, (s) => s.chassisControl(ChassisAction.POWER_DOWN)).catch(() => {});
    await sim?.stop();
  });

  it('negotiates cipher suite 3 when 17 is refused, and says why 17 alone fails', async () => {
    const s = await openIpmiSession(o);
    expect(s.cipherSuite).toBe(3);
    expect(s.capabilities.ipmi20).toBe(true);
    await s.close();
    const only17 = await code(openIpmiSession({ ...o, cipherSuite: 17 }));
    expect(only17.code).toBe('BMC_CIPHER_UNSUPPORTED');
    expect(only17.message).toMatch(/cipher suite 17: invalid authentication algorithm/);
    // ipmitool fails the same way.
    const ref = await ipmitool(sim.port, ['chassis', 'power', 'status'], { cipher: 17 });
    expect(ref.ok).toBe(false);
    expect(ref.stderr).toMatch(/invalid authentication algorithm/);
  });

  it('Get Device ID says what ipmitool mc info says', async () => {
    const id = await withIpmi({ ...o, cipherSuite: 3 }, (s) => s.deviceId());
    const ref = (await ipmitool(sim.port, ['mc', 'info'])).stdout;
    expect(ref).toContain(`Manufacturer ID           : ${id.manufacturerId}`);
    expect(ref).toContain(`Firmware Revision         : ${id.firmware}`);
    expect(ref).toContain(`IPMI Version              : ${id.ipmiVersion}`);
    expect(ref).toContain(`Product ID                : ${id.productId} (0x${id.productId.toString(16).padStart(4, '0')})`);
    expect(ref).toContain(`Device Revision           : ${id.deviceRevision}`);
  });

  it('power on, off and cycle: rackboot and ipmitool see the same state', async () => {
    const status = () => withIpmi(o, (s) => s.chassisStatus()).then((c) => c.powerOn);
    const theirs = async () => /Chassis Power is on/.test((await ipmitool(sim.port, ['chassis', 'power', 'status'])).stdout);
    expect(await status()).toBe(false);
    expect(await theirs()).toBe(false);

    await withIpmi(o, (s) => s.chassisControl(ChassisAction.POWER_UP));
    expect(await waitFor(status)).toBe(true);
    expect(await theirs()).toBe(true);

    // ipmitool powers off, rackboot sees it.
    expect((await ipmitool(sim.port, ['chassis', 'power', 'off'])).stdout).toMatch(/Chassis Power Control: Down\/Off/);
    expect(await waitFor(async () => !(await status()))).toBe(true);

    // rackboot powers on, ipmitool sees it; then a cycle: off, and ipmi_sim powers on again a second later.
    await withIpmi(o, (s) => s.chassisControl(ChassisAction.POWER_UP));
    expect(await waitFor(theirs)).toBe(true);
    await withIpmi(o, (s) => s.chassisControl(ChassisAction.POWER_CYCLE));
    expect(await waitFor(status, 8000)).toBe(true);
    expect(await theirs()).toBe(true);
  }, 40_000);

  it('a wrong password and an unknown user are told apart, and ipmitool refuses both too', async () => {
    const wrong = await code(openIpmiSession({ ...o, password: 'not-it' }));
    expect(wrong).toEqual({ code: 'BMC_AUTH_FAILED', message: `wrong password for BMC user "admin" on 127.0.0.1:${sim.port}` });
    const theirs = await ipmitool(sim.port, ['chassis', 'power', 'status'], { password: 'not-it' });
    expect(theirs.ok).toBe(false);
    expect(theirs.stderr).toMatch(/Unable to establish IPMI v2 \/ RMCP\+ session/);
    const unknown = await code(openIpmiSession({ ...o, username: 'nobody' }));
    expect(unknown.code).toBe('BMC_AUTH_FAILED');
    expect(unknown.message).toMatch(/has no user "nobody"/);
    expect((await ipmitool(sim.port, ['chassis', 'power', 'status'], { user: 'nobody' })).ok).toBe(false);
  });

  it.each([
    ['pxe', false, false],
    ['pxe options=efiboot', false, true],
    ['pxe options=persistent', true, false],
    ['pxe options=persistent,efiboot', true, true],
  ])('chassis bootdev %s: the same Set System Boot Options bytes as ipmitool, and the refusal in words', async (args, persistent, efi) => {
    // ipmitool exits 0 here all the same; its words are on stderr.
    const ref = await ipmitool(sim.port, ['chassis', 'bootdev', ...args.split(' ')], { verbose: true });
    expect(ref.stderr).toMatch(/Set Chassis Boot Parameter 5 failed: Invalid data field in request/);
    const theirs = ref.sent.filter(([netFn, cmd]) => netFn === 0x00 && cmd === 0x08).map(([, , data]) => data);

    const trace: CommandTrace[] = [];
    const err = await code(withIpmi({ ...o, onCommand: (t) => trace.push(t) }, (s) => s.setBootDevice({ device: BootDevice.pxe, persistent, efi })));
    const ours = trace.filter((t) => t.netFn === 0x00 && t.cmd === 0x08).map((t) => hex(t.data));

    expect(ours).toEqual(theirs);
    expect(ours).toEqual(['0001', '040101', `05${(0x80 | (persistent ? 0x40 : 0) | (efi ? 0x20 : 0)).toString(16)}04000000`]);
    expect(trace.filter((t) => t.cmd === 0x08).map((t) => t.completionCode)).toEqual([0xcc, 0xcc, 0xcc]);
    expect(err).toEqual({ code: 'BMC_REFUSED', message: 'the BMC refused the boot device (Set System Boot Options, boot flags): invalid data field in request' });
  });

  it('ASF presence ping: ipmi_sim answers that it speaks IPMI', async () => {
    expect(await asfPing({ host: '127.0.0.1', port: sim.port })).toMatchObject({ ipmi: true });
  });
});

describe.skipIf(missing('ipmi_sim', 'ipmitool'))('IPMI against ipmi_sim with a chassis control program (boot device works)', () => {
  let sim: IpmiSim;
  beforeAll(async () => {
    sim = await startIpmiSim({ setup: 'chassis-control' });
  }, 20_000);
  afterAll(() => sim?.stop());

  it('PXE once: ipmi_sim takes the flags, and ipmitool reads back "Force PXE"', async () => {
    const o = { host: '127.0.0.1', port: sim.port, username: 'admin', password: 's3cret' };
    const result = await withIpmi(o, (s) => s.setBootDevice({ device: BootDevice.pxe, persistent: false, efi: true }));
    // ipmi_sim refuses parameter 0, so neither ipmitool nor rackboot sends commit/complete.
    expect(result.steps).toEqual([
      { step: 'set-in-progress', completionCode: 0xcc },
      { step: 'clear-bios-ack', completionCode: 0 },
      { step: 'boot-flags', completionCode: 0 },
    ]);
    expect(sim.bootDevice()).toBe('pxe');
    expect((await withIpmi(o, (s) => s.bootFlags())).device).toBe(BootDevice.pxe);
    expect((await ipmitool(sim.port, ['chassis', 'bootparam', 'get', '5'])).stdout).toMatch(/Boot Device Selector : Force PXE/);
    await withIpmi(o, (s) => s.chassisControl(ChassisAction.POWER_UP));
    expect((await ipmitool(sim.port, ['chassis', 'power', 'status'])).stdout).toMatch(/Chassis Power is on/);
  });
});

describe.skipIf(missing('ipmitool', 'ipmipower'))('cipher suite 17 against the test BMC, checked by ipmitool and freeipmi', () => {
  let bmc: TestBmc;
  let o: IpmiOptions;
  beforeAll(async () => {
    bmc = await startTestBmc({ users: { admin: 's3cret' } });
    o = { host: '127.0.0.1', port: bmc.port, username: 'admin', password: 's3cret', cipherSuite: 17 };
  });
  afterAll(() => bmc?.stop());

  it('ipmitool -C 17 and ipmipower -I 17 accept the test BMC (so its SHA256 arithmetic is theirs)', async () => {
    expect((await ipmitool(bmc.port, ['chassis', 'power', 'status'], { cipher: 17 })).stdout).toMatch(/Chassis Power is off/);
    const free = await run('ipmipower', ['-D', 'LAN_2_0', '-h', `127.0.0.1:${bmc.port}`, '-u', 'admin', '-p', 's3cret', '-I', '17', '--stat']);
    expect(free.stdout.trim()).toBe('127.0.0.1: off');
  });

  it('rackboot opens suite 17 by default and does status, power and boot device; ipmitool agrees', async () => {
    const opened = bmc.sessionsOpened;
    await withIpmi({ ...o, cipherSuite: 'auto' }, async (s) => {
      expect(s.cipherSuite).toBe(17);
      expect((await s.deviceId()).manufacturerId).toBe(0x157);
      await s.chassisControl(ChassisAction.POWER_UP);
      expect((await s.chassisStatus()).powerOn).toBe(true);
      const r = await s.setBootDevice({ device: BootDevice.pxe, persistent: false, efi: true });
      expect(r.steps.map((x) => x.step)).toEqual(['set-in-progress', 'clear-bios-ack', 'boot-flags', 'commit-write', 'set-complete']);
      expect(await s.bootFlags()).toMatchObject({ valid: true, persistent: false, efi: true, device: BootDevice.pxe });
    });
    expect(bmc.sessionsOpened - opened).toBe(1);
    expect(bmc.sessionsClosed).toBeGreaterThan(0);
    const ref = await ipmitool(bmc.port, ['chassis', 'bootparam', 'get', '5'], { cipher: 17 });
    expect(ref.stdout).toMatch(/Boot Device Selector : Force PXE/);
    expect(ref.stdout).toMatch(/BIOS EFI boot/);
    expect(ref.stdout).toMatch(/Options apply to only next boot/);
    expect((await ipmitool(bmc.port, ['chassis', 'power', 'status'], { cipher: 17 })).stdout).toMatch(/Chassis Power is on/);
  });

  it('the same bootdev bytes as ipmitool when every step is accepted (commit and complete included)', async () => {
    const ref = await ipmitool(bmc.port, ['chassis', 'bootdev', 'pxe', 'options=persistent'], { cipher: 17, verbose: true });
    expect(ref.ok).toBe(true);
    const theirs = ref.sent.filter(([netFn, cmd]) => netFn === 0 && cmd === 8).map(([, , d]) => d);
    const trace: CommandTrace[] = [];
    await withIpmi({ ...o, onCommand: (t) => trace.push(t) }, (s) => s.setBootDevice({ device: BootDevice.pxe, persistent: true, efi: false }));
    expect(trace.filter((t) => t.netFn === 0 && t.cmd === 8).map((t) => hex(t.data))).toEqual(theirs);
    expect(theirs).toEqual(['0001', '040101', '05c004000000', '0002', '0000']);
  });

  it('wrong password on suite 17 is BMC_AUTH_FAILED', async () => {
    expect((await code(openIpmiSession({ ...o, password: 'x' }))).code).toBe('BMC_AUTH_FAILED');
  });

  it('a BMC that answers "node busy" twice is asked again; one that stays busy is BMC_BUSY', async () => {
    const busy = await startTestBmc({ users: { admin: 's3cret' }, busyAnswers: 2 });
    try {
      expect((await withIpmi({ ...o, port: busy.port }, (s) => s.chassisStatus())).powerOn).toBe(false);
    } finally {
      await busy.stop();
    }
    const stuck = await startTestBmc({ users: { admin: 's3cret' }, busyAnswers: 100 });
    try {
      const r = await code(withIpmi({ ...o, port: stuck.port }, (s) => s.chassisStatus()));
      expect(r.code).toBe('BMC_BUSY');
      expect(r.message).toMatch(/node busy/);
    } finally {
      await stuck.stop();
    }
  });

  it('no free session slot is BMC_BUSY', async () => {
    const full = await startTestBmc({ users: { admin: 's3cret' }, noFreeSession: true });
    try {
      const r = await code(openIpmiSession({ ...o, port: full.port }));
      expect(r.code).toBe('BMC_BUSY');
      expect(r.message).toMatch(/insufficient resources to create a session/);
    } finally {
      await full.stop();
    }
  });
});

describe('no answer', () => {
  it('a port where something listens but never answers: BMC_UNREACHABLE after the tries, in bounded time', async () => {
    const quiet = createSocket('udp4');
    await new Promise<void>((r) => quiet.bind(0, '127.0.0.1', r));
    let received = 0;
    quiet.on('message', () => received++);
    const started = Date.now();
    const r = await code(openIpmiSession({ host: '127.0.0.1', port: quiet.address().port, username: 'a', password: 'b', timeoutMs: 200, retries: 2 }));
    const took = Date.now() - started;
    quiet.close();
    expect(r.code).toBe('BMC_UNREACHABLE');
    expect(r.message).toMatch(/no answer from 127\.0\.0\.1:\d+ after 3 tries of 200 ms/);
    expect(received).toBe(3);
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(3000);
  });
  it('a closed port (ICMP port unreachable) says nothing listens there', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    const r = await code(openIpmiSession({ host: '127.0.0.1', port, username: 'a', password: 'b', timeoutMs: 200, retries: 1 }));
    expect(r).toMatchObject({ code: 'BMC_UNREACHABLE' });
    expect(r.message).toMatch(/nothing listens on 127\.0\.0\.1:\d+ \(connection refused\)/);
  });
  it('bad targets are refused before anything is sent', async () => {
    expect((await code(openIpmiSession({ host: '127.0.0.1', port: 70000, username: 'a', password: 'b' }))).code).toBe('BMC_BAD_TARGET');
    expect((await code(openIpmiSession({ host: '127.0.0.1', port: 623, username: 'a', password: 'b', cipherSuite: 0 }))).code).toBe('BMC_BAD_TARGET');
  });
});
