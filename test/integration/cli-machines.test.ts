/**
 * `rackboot machines` against a temp data dir and a fixture ISO: plan, re-arm, finish and forget a machine;
 * JSON lines by default, a table with --human; bad input exits 2, failures 1 with a one-line reason.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, makeIso, rockyTree } from '../helpers/iso.ts';
import { createBootServer } from '../../electron/core/server.ts';
import { runCli, tempDir } from '../helpers/rackboot.ts';
import { missing } from '../helpers/tools.ts';

let dir: ReturnType<typeof tempDir>;
let iso: string;
beforeAll(() => {
  dir = tempDir('rackboot-cli-machines-');
  if (!missing('xorriso')) iso = makeIso(join(dir.path, 'Rocky-9.4-x86_64-dvd.iso'), rockyTree(bytes(1000, 1), bytes(2000, 2)), { label: 'Rocky-9-4-x86_64-dvd', scratch: dir.path });
});
afterAll(() => dir.remove());

const cli = (...args: string[]) => runCli([...args, '--data', join(dir.path, 'data')], { timeoutMs: 60_000 });
const lines = (s: string) => s.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe.skipIf(missing('xorriso'))('rackboot machines', () => {
  it('plans a machine, re-arms it, marks it done and forgets it', async () => {
    expect((await cli('machines')).stdout).toBe('');
    const a = await cli('machines', 'assign', '52:54:00:6f:00:01', '--iso', iso, '--hostname', 'node1', '--chain', 'grub', '--secure-boot', 'on');
    expect(a.code, a.stderr).toBe(0);
    expect(lines(a.stdout)[0]).toMatchObject({ mac: '52:54:00:6f:00:01', hostname: 'node1', iso: 'rocky-9.4-x86_64-dvd', state: 'armed', chain: 'grub', secureBoot: 'on', stage: null, history: [] });
    // Any MAC spelling; the same machine.
    expect(lines((await cli('machines', 'done', '52-54-00-6F-00-01')).stdout)[0]).toMatchObject({ state: 'installed' });
    expect(lines((await cli('machines', 'rearm', '52:54:00:6f:00:01')).stdout)[0]).toMatchObject({ state: 'armed' });
    const human = await cli('machines', 'list', '--human');
    expect(human.stdout).toMatch(/^52:54:00:6f:00:01\s+node1\s+rocky-9\.4-x86_64-dvd\s+armed\s+-/m);
    expect((await cli('machines', 'rm', '52:54:00:6f:00:01')).code).toBe(0);
    expect((await cli('machines')).stdout).toBe('');
  });

  it.each([
    [['machines', 'assign', '52:54:00:6f:00', '--iso', 'x.iso'], 2, /not a MAC address/],
    [['machines', 'assign', '52:54:00:6f:00:02'], 2, /needs --iso/],
    [['machines', 'assign', '52:54:00:6f:00:02', '--iso', 'x', '--chain', 'floppy'], 2, /--chain takes/],
    [['machines', 'rearm', '52:54:00:6f:00:02', '--hostname', 'x'], 2, /go with assign/],
    [['machines', 'frobnicate'], 2, /unknown machines command/],
    [['machines', 'assign', '52:54:00:6f:00:02', '--iso', 'no-such-id'], 1, /no ISO no-such-id in the library/],
    [['machines', 'rearm', '52:54:00:6f:00:03'], 1, /no machine 52:54:00:6f:00:03/],
  ])('%j exits %d', async (args, code, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

/**
 * Fleet plans from the command line: `machines import` (a dry run first, then for real, then again: nothing
 * changes), `machines export` (read back unchanged), a bad file rejected whole with every problem listed,
 * `assign` by serial and with --ip. The data folder's settings name `lo` with a full-mode pool, so addresses
 * are checked against 127.0.0.0/8 and the pool.
 */
describe.skipIf(missing('xorriso'))('rackboot machines import / export', () => {
  let data: string;
  const plan = (...args: string[]) => runCli([...args, '--data', data], { timeoutMs: 60_000 });
  const file = (name: string, text: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    data = join(dir.path, 'plan-data');
    const core = createBootServer({ dataDir: data });
    await core.api.setSettings({ interface: 'lo', dhcpMode: 'full', pool: '127.0.0.100-127.0.0.150' });
    await core.close();
  });

  it('dry run, import, import again, export and read the export back', async () => {
    // Semicolons, a BOM and CRLF, as a spreadsheet in a decimal-comma locale writes them; the ISO by a path relative to the file.
    const csv = file('plan.csv', '\ufeffMAC;Serial;Hostname;IP;ISO;Notes;var.rack\r\n52:54:00:6f:01:01;;web-{{var.rack}};127.0.0.20;Rocky-9.4-x86_64-dvd.iso;"row 4; top";r4\r\n;SN-0002;db1;;Rocky-9.4-x86_64-dvd.iso;;r5\r\n');
    const dry = await plan('machines', 'import', csv, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(lines(dry.stdout)).toEqual([
      { event: 'would', row: 2, action: 'add', machine: '52:54:00:6f:01:01', hostname: 'web-r4', changes: expect.arrayContaining([{ column: 'ip', from: null, to: '127.0.0.20' }]) },
      { event: 'would', row: 3, action: 'add', machine: 'serial:SN-0002', hostname: 'db1', changes: expect.any(Array) },
      { event: 'dry-run', file: csv, added: 2, updated: 0, unchanged: 0, newIsos: [iso], network: null },
    ]);
    // A dry run writes nothing, not even the ISO into the library.
    expect((await plan('machines')).stdout).toBe('');

    const real = await plan('machines', 'import', csv);
    expect(real.code, real.stderr).toBe(0);
    expect(lines(real.stdout).at(-1)).toEqual({ event: 'imported', file: csv, added: 2, updated: 0, unchanged: 0, armed: ['52:54:00:6f:01:01'], waiting: 1, newIsos: [iso] });
    const list = lines((await plan('machines')).stdout);
    expect(list).toEqual([
      expect.objectContaining({ mac: '52:54:00:6f:01:01', hostname: 'web-r4', iso: 'rocky-9.4-x86_64-dvd', state: 'armed', plan: expect.objectContaining({ ip: '127.0.0.20', notes: 'row 4; top', vars: { rack: 'r4' } }) }),
      expect.objectContaining({ mac: null, hostname: 'db1', state: 'waiting', plan: expect.objectContaining({ serial: 'SN-0002', vars: { rack: 'r5' } }) }),
    ]);

    const again = await plan('machines', 'import', csv);
    expect(lines(again.stdout).at(-1)).toMatchObject({ added: 0, updated: 0, unchanged: 2, armed: [] });

    const exported = await plan('machines', 'export');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(
      'mac,serial,uuid,asset,hostname,ip,iso,profile,bmc,notes,var.rack\r\n' +
        '52:54:00:6f:01:01,,,,web-r4,127.0.0.20,rocky-9.4-x86_64-dvd,,,row 4; top,r4\r\n' +
        ',SN-0002,,,db1,,rocky-9.4-x86_64-dvd,,,,r5\r\n',
    );
    const back = await plan('machines', 'import', file('export.csv', exported.stdout));
    expect(lines(back.stdout).at(-1)).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    expect((await plan('machines', 'export', '--separator', ';')).stdout.split('\r\n')[0]).toBe('mac;serial;uuid;asset;hostname;ip;iso;profile;bmc;notes;var.rack');
  });

  it('rejects a bad file whole, with every problem at its row and column (exit 1)', async () => {
    const csv = file('bad.csv', 'mac,hostname,ip,iso\n52:54:00:6f:01:0z,web9,127.0.0.21,rocky-9.4-x86_64-dvd\n52:54:00:6f:01:03,web-r4,198.19.200.5,no-such.iso\n52:54:00:6f:01:04,web10,127.0.0.120,rocky-9.4-x86_64-dvd\n');
    const r = await plan('machines', 'import', csv);
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toEqual([
      { event: 'issue', row: 2, column: 'mac', code: 'BAD_MAC', message: '52:54:00:6f:01:0z is not a MAC address (like 52:54:00:12:34:56)' },
      { event: 'issue', row: 3, column: 'ip', code: 'IP_OUTSIDE_SUBNET', message: '198.19.200.5 is not in the served network 127.0.0.0/8' },
      { event: 'issue', row: 3, column: 'iso', code: 'UNKNOWN_ISO', message: `no ISO no-such.iso in the library, and no file ${join(dir.path, 'no-such.iso')} (an ISO id, its file name, or a path to an image)` },
      { event: 'issue', row: 3, column: 'hostname', code: 'TAKEN', message: 'host name web-r4 belongs to web-r4 (52:54:00:6f:01:01)' },
      { event: 'issue', row: 4, column: 'ip', code: 'IP_IN_POOL', message: '127.0.0.120 is inside the DHCP pool 127.0.0.100-127.0.0.150: fixed addresses go outside it (set a smaller pool)' },
    ]);
    expect(r.stderr.trim().split('\n')).toEqual([
      `rackboot: ${csv}: row 2, mac: 52:54:00:6f:01:0z is not a MAC address (like 52:54:00:12:34:56)`,
      `rackboot: ${csv}: row 3, ip: 198.19.200.5 is not in the served network 127.0.0.0/8`,
      expect.stringContaining('row 3, iso: no ISO no-such.iso'),
      `rackboot: ${csv}: row 3, hostname: host name web-r4 belongs to web-r4 (52:54:00:6f:01:01)`,
      `rackboot: ${csv}: row 4, ip: 127.0.0.120 is inside the DHCP pool 127.0.0.100-127.0.0.150: fixed addresses go outside it (set a smaller pool)`,
      `rackboot: ${csv}: 5 problem(s); nothing imported`,
    ]);
    expect(lines((await plan('machines')).stdout)).toHaveLength(2);
  });

  it('assigns by serial and with --ip, through the same checks; forgets a waiting row', async () => {
    const a = await plan('machines', 'assign', 'serial:SN-0009', '--iso', 'rocky-9.4-x86_64-dvd', '--hostname', 'n9', '--ip', '127.0.0.30');
    expect(a.code, a.stderr).toBe(0);
    expect(lines(a.stdout)).toEqual([expect.objectContaining({ mac: null, hostname: 'n9', state: 'waiting', plan: expect.objectContaining({ serial: 'SN-0009', ip: '127.0.0.30' }) })]);
    // A bare word that is not a MAC or a UUID is a serial number.
    const b = await plan('machines', 'assign', 'SN-0010', '--iso', 'rocky-9.4-x86_64-dvd');
    expect(lines(b.stdout)[0]).toMatchObject({ state: 'waiting', plan: { serial: 'SN-0010' } });
    const c = await plan('machines', 'assign', '52:54:00:6f:01:05', '--iso', 'rocky-9.4-x86_64-dvd', '--ip', '127.0.0.30');
    expect(c.code).toBe(1);
    expect(c.stderr.trim()).toBe('rackboot: --ip: 127.0.0.30 is planned for n9 (serial SN-0009)');
    const d = await plan('machines', 'assign', '52:54:00:6f:01:05', '--iso', 'rocky-9.4-x86_64-dvd', '--ip', '127.0.0.31', '--chain', 'pxelinux');
    expect(lines(d.stdout)[0]).toMatchObject({ mac: '52:54:00:6f:01:05', state: 'armed', chain: 'pxelinux', plan: { ip: '127.0.0.31' } });
    expect((await plan('machines', 'rearm', 'serial:SN-0009')).stderr).toMatch(/has not network-booted yet/);
    expect((await plan('machines', 'rm', 'serial:SN-0009')).code).toBe(0);
    expect((await plan('machines', 'rm', 'SN-0010')).code).toBe(0);
    expect(lines((await plan('machines')).stdout).filter((m) => m.state === 'waiting')).toHaveLength(1);
  });

  it.each([
    [['machines', 'import'], 2, /usage: rackboot machines import FILE\.csv/],
    [['machines', 'list', '--dry-run'], 2, /--dry-run goes with import/],
    [['machines', 'export', '--separator', '|'], 2, /--separator takes/],
    [['machines', 'assign', 'SN-1', '--iso', 'x', '--chain', 'grub'], 2, /--chain and --secure-boot need the machine by its MAC/],
    [['machines', 'assign', 'serial:', '--iso', 'x'], 2, /1 to 64 printable characters/],
    [['machines', 'import', '/nonexistent/plan.csv'], 1, /cannot read \/nonexistent\/plan\.csv: ENOENT/],
    [['machines', 'rm', 'serial:NOPE'], 1, /no machine serial NOPE/],
  ])('%j exits %d', async (args, code, message) => {
    const r = await plan(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe.skipIf(missing('xorriso'))('rackboot serve --plan / --exit-when-done / --default-profile', () => {
  const ports = () => {
    const base = 20000 + Math.floor(Math.random() * 40000);
    return ['--http-port', String(base), '--tftp-port', String(base + 1)];
  };
  const serve = (data: string, ...args: string[]) => runCli(['serve', '--interface', 'lo', '--dhcp', 'off', ...ports(), '--data', data, ...args], { timeoutMs: 60_000 });

  it('refuses to start on an invalid plan, listing every problem (exit 1)', async () => {
    const csv = join(dir.path, 'serve-bad.csv');
    writeFileSync(csv, 'mac,iso,ip\n52:54:00:6f:02:01,no-such,127.0.0.5\nxx,no-such,198.19.201.1\n');
    const r = await serve(join(dir.path, 'serve-bad'), '--iso', iso, '--plan', csv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/row 2, iso: no ISO no-such in the library/),
      expect.stringMatching(/row 3, mac: xx is not a MAC address/),
      'rackboot: ' + csv + ': row 3, ip: 198.19.201.1 is not in the served network 127.0.0.0/8',
      expect.stringMatching(/row 3, iso: no ISO no-such in the library/),
      `rackboot: ${csv}: 4 problem(s) in the plan; not starting`,
    ]);
  });

  it.each([
    [['--exit-when-done'], /--exit-when-done waits for the planned machines, and there are none/],
    [['--default-profile', 'nosuch'], /--default-profile nosuch: no such answer profile/],
    [['--plan', '/nonexistent/plan.csv'], /--plan \/nonexistent\/plan\.csv: no such file/],
  ])('%j exits 2 with one line', async (args, message) => {
    const r = await serve(join(dir.path, `serve-usage-${Math.random().toString(36).slice(2)}`), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('imports the plan at start (the ready line says so) and, every machine installed already, prints the summary and exits 0', async () => {
    const data = join(dir.path, 'serve-done');
    const csv = join(dir.path, 'serve-plan.csv');
    writeFileSync(csv, 'mac,hostname,iso\n52:54:00:6f:03:01,n1,Rocky-9.4-x86_64-dvd.iso\n52:54:00:6f:03:02,n2,Rocky-9.4-x86_64-dvd.iso\n');
    expect((await runCli(['machines', 'import', csv, '--data', data], { timeoutMs: 60_000 })).code).toBe(0);
    for (const mac of ['52:54:00:6f:03:01', '52:54:00:6f:03:02']) expect((await runCli(['machines', 'done', mac, '--data', data], { timeoutMs: 60_000 })).code).toBe(0);
    // The ISO only through the plan: serve --plan serves it.
    const r = await serve(data, '--plan', csv, '--exit-when-done', '--log', 'text');
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatchObject({ event: 'ready', plan: { file: csv, added: 0, updated: 0, unchanged: 2, armed: [], waiting: 0 }, isos: [{ id: 'rocky-9.4-x86_64-dvd' }] });
    expect(out.slice(1)).toEqual([
      { event: 'summary', hostname: 'n1', mac: '52:54:00:6f:03:01', iso: 'rocky-9.4-x86_64-dvd', seconds: null, result: 'installed before this run' },
      { event: 'summary', hostname: 'n2', mac: '52:54:00:6f:03:02', iso: 'rocky-9.4-x86_64-dvd', seconds: null, result: 'installed before this run' },
    ]);
    expect(r.stderr).toMatch(/^n1 +52:54:00:6f:03:01 +rocky-9\.4-x86_64-dvd +- +installed before this run$/m);
    expect(r.stderr).toMatch(/all 2 planned machine\(s\) done/);
  });
});
