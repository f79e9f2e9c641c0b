/**
 * A fleet plan in a running core on loopback (curl as the iPXE client): a row planned by MAC installs at once; a
 * row planned by serial waits until an unknown machine's iPXE reports that serial through the identify script,
 * then that MAC gets the row's host name (built from a variable), fixed address and variables in its answer
 * file; a row planned by UUID is bound by DHCP's option 97 in either byte order. The served answer file's
 * sha256 is in the log.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetInterface } from '../../shared/api/contract.ts';
import type { BootEvent } from '../../shared/model/event.ts';
import { createBootServer, type BootServer } from '../../electron/core/server.ts';
import { applyPlan, loadPlan } from '../../electron/cli/plan-file.ts';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing, run } from '../helpers/tools.ts';

const nics: NetInterface[] = [{ name: 'lo', mac: null, up: true, loopback: true, wireless: false, mtu: 65536, ipv4: [{ address: '127.0.0.1', prefix: 8, network: '127.0.0.0' }] }];
const ID = 'rocky-9.4-x86_64-dvd';
const A = '52:54:00:6c:10:01';
const B = '52:54:00:6c:10:02';
const C = '52:54:00:6c:10:03';
const D = '52:54:00:6c:10:04';
const hy = (mac: string) => mac.replaceAll(':', '-');

let dir: ReturnType<typeof tempDir>;
let core: BootServer;
let http: string;
const events: BootEvent[] = [];

beforeAll(async () => {
  dir = tempDir('rackboot-fleet-plan-');
  if (missing('xorriso', 'curl')) return;
  const iso = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(50_000, 1), bytes(80_000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
  core = createBootServer({ dataDir: join(dir.path, 'data'), listInterfaces: () => nics, dhcpPorts: { server: 0, client: 0, proxy: 0 } });
  core.events.subscribe((e) => events.push(e));
  const port = 20000 + Math.floor(Math.random() * 40000);
  http = `http://127.0.0.1:${port}`;
  await core.api.setSettings({ interface: 'lo', dhcpMode: 'off', httpPort: port, tftpPort: port + 1, isos: [iso] });
  await core.api.startServer(undefined);
  const saved = await core.api.saveProfile({ name: 'web', body: { name: 'web', preScript: 'echo pre {{hostname}}', postScript: 'echo {{var.role}} > /etc/role' } });
  expect(saved.issues).toEqual([]);
});
afterAll(async () => {
  await core?.close();
  dir.remove();
});

const curl = async (path: string) => {
  const { stdout } = await run('curl', ['-sS', '--path-as-is', '-w', '\n%{http_code}', `${http}/${path}`]);
  const at = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
};

async function importPlan(text: string) {
  const file = join(dir.path, `plan-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  const loaded = await loadPlan(core, file, { settings: await core.api.getSettings(undefined), nics });
  expect(loaded.reading.issues).toEqual([]);
  return applyPlan(core, loaded);
}

describe.skipIf(missing('xorriso', 'curl'))('fleet plan in a running core', () => {
  it('matches by MAC at once, and by SMBIOS serial through the iPXE identify script', async () => {
    const { armed } = await importPlan(
      ['mac;serial;hostname;ip;iso;profile;var.role', `${A};;web-a;;${ID};web;frontend`, ';SN-B 0042;db-{{var.role}};127.0.0.20;Rocky-9.4-x86_64-dvd.iso;web;db', ''].join('\r\n'),
    );
    expect(armed).toEqual([A]);
    expect(core.plan.waiting().map((p) => p.serial)).toEqual(['SN-B 0042']);

    // Planned by MAC: the install, and the answer file with its variables.
    expect((await curl(`boot/${hy(A)}.ipxe`)).body).toContain('inst.ks=');
    const ksA = await curl(`answers/${hy(A)}/ks.cfg`);
    expect(ksA.body).toMatch(/--hostname=web-a/);
    expect(ksA.body).toContain('echo pre web-a');
    expect(ksA.body).toContain('echo frontend > /etc/role');
    const served = events.find((e) => e.mac === A && (e.fields?.answer as { file?: string } | undefined)?.file === 'ks.cfg')!;
    expect((served.fields.answer as { sha256: string }).sha256).toBe(createHash('sha256').update(ksA.body).digest('hex'));

    // Not known by MAC while a row waits: the identify script asks iPXE for its SMBIOS values.
    const stub = await curl(`boot/${hy(B)}.ipxe`);
    expect(stub.body).toContain(`chain ${http}/boot/${hy(B)}.ipxe?serial=\${serial:uristring}&asset=\${asset:uristring}&uuid=\${uuid} || goto local`);
    expect(stub.body).not.toContain('kernel ');
    // iPXE's answer (URI-escaped) binds the row to B and gets the install at once.
    const install = await curl(`boot/${hy(B)}.ipxe?serial=SN-B%200042&asset=&uuid=`);
    expect(install.body).toContain('inst.ks=');
    expect(core.plan.forMac(B)).toMatchObject({ serial: 'SN-B 0042', boundBy: 'serial', hostname: 'db-db' });
    expect(core.machines.get(B)).toMatchObject({ state: 'armed', hostname: 'db-db', profile: 'web', isoId: ID });
    expect(events.some((e) => e.mac === B && /is db-db \(serial SN-B 0042\) of the plan \(serial SN-B 0042\): armed to install/.test(e.msg))).toBe(true);
    const ksB = await curl(`answers/${hy(B)}/ks.cfg`);
    // The plan's fixed address makes the network static, with the served subnet's prefix.
    expect(ksB.body).toMatch(/^network .*--bootproto=static .*--ip=127\.0\.0\.20 .*--netmask=255\.0\.0\.0.*--hostname=db-db/m);
    expect(ksB.body).toContain('echo db > /etc/role');

    // No row waits any more: an unknown machine gets the policy's menu, not the identify script.
    const other = await curl(`boot/${hy(C)}.ipxe`);
    expect(other.body).not.toContain('serial=');
    expect(other.body).toContain('menu rackboot');
    // The generic boot.ipxe carries the SMBIOS values too.
    expect((await curl('boot.ipxe')).body).toContain('.ipxe?serial=${serial:uristring}&asset=${asset:uristring}&uuid=${uuid}');
  });

  it('an unknown machine whose serial matches no row gets the policy, and is told why in the log', async () => {
    await importPlan(`serial,iso\nSN-LATER,${ID}\n`);
    expect((await curl(`boot/${hy(C)}.ipxe`)).body).toContain('serial=${serial:uristring}');
    const r = await curl(`boot/${hy(C)}.ipxe?serial=SN-OTHER&asset=&uuid=`);
    expect(r.body).toContain('menu rackboot');
    expect(core.plan.forMac(C)).toBeNull();
    expect(events.some((e) => e.mac === C && /no plan row for serial "SN-OTHER"/.test(e.msg))).toBe(true);
    expect(core.plan.remove('serial:SN-LATER')).toBe(true);
  });

  it('a plan may re-purpose a machine installed before without one: it is identified and armed again', async () => {
    await core.api.assignMachine({ mac: C, isoId: ID });
    await core.api.markMachineDone({ mac: C });
    await importPlan(`serial,hostname,iso\nSN-C,node-c,${ID}\n`);
    expect((await curl(`boot/${hy(C)}.ipxe`)).body).toContain('serial=${serial:uristring}');
    expect((await curl(`boot/${hy(C)}.ipxe?serial=SN-C&asset=&uuid=`)).body).toContain('inst.ks=');
    expect(core.machines.get(C)).toMatchObject({ state: 'armed', hostname: 'node-c' });
  });

  it('binds a row planned by UUID from DHCP option 97, in either byte order', async () => {
    await importPlan(`uuid,hostname,iso\n4c4c4544-0042-3510-8052-b4c04f384d32,node-d,${ID}\n`);
    expect(core.plan.matchDhcp(D, '00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(core.plan.matchDhcp(D, '44454c4c-4200-1035-8052-b4c04f384d32')).toMatchObject({ mac: D, boundBy: 'uuid', hostname: 'node-d' });
    expect(core.machines.get(D)).toMatchObject({ state: 'armed', hostname: 'node-d' });
  });

  it('importing the same plan again leaves installed machines installed; a changed row is armed again', async () => {
    const token = /token=([0-9a-f]+)/.exec((await curl(`answers/${hy(A)}/ks.cfg`)).body)![1]!;
    expect((await curl(`api/callback/${hy(A)}/done?token=${token}`)).status).toBe(200);
    const same = await importPlan(`mac,hostname,iso,profile,var.role\n${A},web-a,${ID},web,frontend\n`);
    expect(same.armed).toEqual([]);
    expect(core.machines.get(A)?.state).toBe('installed');
    const changed = await importPlan(`mac,var.role\n${A},backend\n`);
    expect(changed.armed).toEqual([A]);
    expect((await curl(`answers/${hy(A)}/ks.cfg`)).body).toContain('echo backend > /etc/role');
  });

  it('two planned machines swap host names in one import', async () => {
    await importPlan(`mac,hostname\n${A},db-db\n${B},web-a\n`);
    expect([core.plan.forMac(A)?.hostname, core.plan.forMac(B)?.hostname]).toEqual(['db-db', 'web-a']);
    expect([core.machines.get(A)?.hostname, core.machines.get(B)?.hostname]).toEqual(['db-db', 'web-a']);
  });

  it('removing a machine through the API forgets its plan row and its reservation', async () => {
    await core.api.removeMachine({ mac: B });
    expect(core.plan.forMac(B)).toBeNull();
    expect(core.plan.reservationFor(B)).toBeUndefined();
  });
});
