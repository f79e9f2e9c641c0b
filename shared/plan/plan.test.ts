import { describe, expect, it } from 'vitest';
import { parseIPv4, subnetOf } from '../net/ipv4.ts';
import { canonicalUuid, formatIssue, planToCsv, readPlan, swappedUuid, uuidMatches, type KnownMachine, type PlanContext, type PlanIssue } from './plan.ts';

const known: KnownMachine = {
  key: 'p1',
  mac: '52:54:00:aa:00:01',
  serial: 'OLD-1',
  uuid: null,
  asset: null,
  hostname: 'old1',
  ip: '198.18.0.30',
  iso: 'rhel9',
  profile: null,
  bmc: null,
  notes: null,
  vars: { rack: 'r1' },
};

const ctx: PlanContext = {
  network: { subnet: subnetOf(parseIPv4('198.18.0.1')!, 24), self: '198.18.0.1', pool: { first: parseIPv4('198.18.0.100')!, last: parseIPv4('198.18.0.150')! } },
  reservations: [{ mac: '52:54:00:aa:00:09', ip: '198.18.0.9' }],
  known: [known],
  iso: (v) => {
    const ids: Record<string, string> = { rhel9: 'rhel9', 'rhel9.iso': 'rhel9', ubuntu: 'ubuntu' };
    const id = ids[v.toLowerCase()];
    return id ? { id } : { problem: `no ISO ${v} in the library (an id, a file name, or a path to an image)` };
  },
  profile: (v) => {
    if (v.toLowerCase() === 'web') return { id: 'web', placeholders: ['var.role', 'hostname'] };
    if (v.toLowerCase() === 'base') return { id: 'base', placeholders: [] };
    return { problem: `no answer profile ${v}` };
  },
};

const issues = (text: string, c: PlanContext = ctx) => readPlan(text, c).issues.map(({ row, column, code, message }) => ({ row, column, code, message }));
const I = (row: number, column: string | null, code: PlanIssue['code'], message: string) => ({ row, column, code, message });

describe('readPlan: valid files', () => {
  it('reads a plan with every column, in any case, and says what would change', () => {
    const r = readPlan(
      [
        'MAC,Serial,UUID,Asset,Hostname,IP,ISO,Profile,BMC,Notes,var.Role',
        '52-54-00-AA-00-02,,,,web2,198.18.0.20,rhel9.iso,web,redfish://rack-a@198.18.1.5,"row 4, top",frontend',
        ',SN-0003,,,db{{var.role}},dhcp,ubuntu,base,,,1',
        ',,{4C4C4544-0042-3510-8052-B4C04F384D32},TAG7,,,rhel9,,,,',
      ].join('\r\n'),
      ctx,
    );
    expect(r.issues).toEqual([]);
    expect(r.separator).toBe(',');
    expect(r.columns).toEqual(['mac', 'serial', 'uuid', 'asset', 'hostname', 'ip', 'iso', 'profile', 'bmc', 'notes', 'var.role']);
    expect(r.changes.map((c) => [c.row, c.action, c.entry])).toEqual([
      [2, 'add', { mac: '52:54:00:aa:00:02', serial: null, uuid: null, asset: null, hostname: 'web2', ip: '198.18.0.20', iso: 'rhel9', profile: 'web', bmc: 'redfish://rack-a@198.18.1.5', notes: 'row 4, top', vars: { role: 'frontend' } }],
      [3, 'add', { mac: null, serial: 'SN-0003', uuid: null, asset: null, hostname: 'db1', ip: null, iso: 'ubuntu', profile: 'base', bmc: null, notes: null, vars: { role: '1' } }],
      [4, 'add', { mac: null, serial: null, uuid: '4c4c4544-0042-3510-8052-b4c04f384d32', asset: 'TAG7', hostname: null, ip: null, iso: 'rhel9', profile: null, bmc: null, notes: null, vars: {} }],
    ]);
  });

  it('updates a known machine found by any of its identities; columns not in the file are kept', () => {
    const r = readPlan('serial;hostname;iso\nOLD-1;old1;ubuntu\n', ctx);
    expect(r.issues).toEqual([]);
    expect(r.separator).toBe(';');
    expect(r.changes).toEqual([
      {
        row: 2,
        action: 'update',
        key: 'p1',
        entry: { ...known, key: undefined, iso: 'ubuntu' },
        changes: [{ column: 'iso', from: 'rhel9', to: 'ubuntu' }],
      },
    ].map((c) => ({ ...c, entry: (({ key: _k, ...rest }) => rest)(c.entry) })));
  });

  it('an unchanged row is unchanged (a plan imported again does not re-arm its machines)', () => {
    const r = readPlan('mac,hostname,ip,iso,var.rack\n52:54:00:aa:00:01,OLD1,198.18.0.30,rhel9,r1\n', ctx);
    expect(r.issues).toEqual([]);
    // Host names compare without case but are stored as written.
    expect(r.changes.map((c) => [c.action, c.changes])).toEqual([['update', [{ column: 'hostname', from: 'old1', to: 'OLD1' }]]]);
    expect(readPlan('mac,hostname,ip,iso,var.rack\n52:54:00:aa:00:01,old1,198.18.0.30,rhel9,r1\n', ctx).changes[0]!.action).toBe('unchanged');
  });

  it('lets two known machines swap host names and addresses in one file (but not one of them alone)', () => {
    const other: KnownMachine = { ...known, key: 'p2', mac: '52:54:00:aa:00:02', serial: null, hostname: 'old2', ip: '198.18.0.31', vars: {} };
    const c = { ...ctx, known: [known, other] };
    const r = readPlan('mac,hostname,ip\n52:54:00:aa:00:01,old2,198.18.0.31\n52:54:00:aa:00:02,old1,198.18.0.30\n', c);
    expect(r.issues).toEqual([]);
    expect(r.changes.map((x) => [x.entry.hostname, x.entry.ip])).toEqual([
      ['old2', '198.18.0.31'],
      ['old1', '198.18.0.30'],
    ]);
    expect(issues('mac,hostname\n52:54:00:aa:00:01,old2\n', c)).toEqual([I(2, 'hostname', 'TAKEN', 'host name old2 belongs to old2 (52:54:00:aa:00:02)')]);
  });

  it('skips blank rows and rows of empty cells (spreadsheets export them)', () => {
    const r = readPlan('\ufeffmac;iso\r\n;\r\n\r\n52:54:00:aa:00:03;rhel9\r\n;\r\n', ctx);
    expect(r.issues).toEqual([]);
    expect(r.changes.map((c) => c.row)).toEqual([4]);
  });

  it('checks no subnet or pool when the served network is not known', () => {
    expect(issues('mac,ip,iso\n52:54:00:aa:00:03,10.1.2.3,rhel9\n', { ...ctx, network: null })).toEqual([]);
  });
});

/** The issue's table: bad files and their exact error lists. */
describe('readPlan: bad files and their exact error lists', () => {
  it.each<[string, string, ReturnType<typeof I>[]]>([
    [
      'bad MAC',
      'mac,iso\n52:54:00:aa:00:0g,rhel9\n52:54:00:aa:00,rhel9\n',
      [I(2, 'mac', 'BAD_MAC', '52:54:00:aa:00:0g is not a MAC address (like 52:54:00:12:34:56)'), I(3, 'mac', 'BAD_MAC', '52:54:00:aa:00 is not a MAC address (like 52:54:00:12:34:56)')],
    ],
    [
      'IP outside the subnet, not strict, in the pool, reserved, the server, the broadcast',
      'mac,ip,iso\n52:54:00:aa:00:02,10.0.0.5,rhel9\n52:54:00:aa:00:03,198.18.0.010,rhel9\n52:54:00:aa:00:04,198.18.0.120,rhel9\n52:54:00:aa:00:05,198.18.0.9,rhel9\n52:54:00:aa:00:06,198.18.0.1,rhel9\n52:54:00:aa:00:07,198.18.0.255,rhel9\n',
      [
        I(2, 'ip', 'IP_OUTSIDE_SUBNET', '10.0.0.5 is not in the served network 198.18.0.0/24'),
        I(3, 'ip', 'BAD_IP', '198.18.0.010 is not a dotted-quad IPv4 address (like 198.18.0.20), nor dhcp'),
        I(4, 'ip', 'IP_IN_POOL', '198.18.0.120 is inside the DHCP pool 198.18.0.100-198.18.0.150: fixed addresses go outside it (set a smaller pool)'),
        I(5, 'ip', 'IP_RESERVED', '198.18.0.9 is reserved for 52:54:00:aa:00:09 in the settings'),
        I(6, 'ip', 'IP_IS_SERVER', "198.18.0.1 is rackboot's own address"),
        I(7, 'ip', 'IP_NOT_HOST', '198.18.0.255 is the broadcast address of 198.18.0.0/24'),
      ],
    ],
    [
      'duplicate host names (any case), MACs and addresses across rows',
      'mac,hostname,ip,iso\n52:54:00:aa:00:02,web1,198.18.0.20,rhel9\n52-54-00-aa-00-02,WEB1,198.18.0.20,rhel9\n',
      [I(3, 'mac', 'DUPLICATE', 'mac 52:54:00:aa:00:02 is also on row 2'), I(3, 'hostname', 'DUPLICATE', 'hostname WEB1 is also on row 2'), I(3, 'ip', 'DUPLICATE', 'ip 198.18.0.20 is also on row 2')],
    ],
    ['duplicate serials, in any case', 'serial,iso\nabc-1,rhel9\nABC-1,rhel9\n', [I(3, 'serial', 'DUPLICATE', 'serial ABC-1 is also on row 2')]],
    [
      'host name and address taken by a known machine',
      'mac,hostname,ip,iso\n52:54:00:aa:00:02,Old1,198.18.0.30,rhel9\n',
      [I(2, 'hostname', 'TAKEN', 'host name Old1 belongs to old1 (52:54:00:aa:00:01)'), I(2, 'ip', 'TAKEN', '198.18.0.30 is planned for old1 (52:54:00:aa:00:01)')],
    ],
    [
      'one row naming two known machines, or a bound serial with another MAC',
      'mac,serial,iso\n52:54:00:aa:00:02,OLD-1,rhel9\n',
      [I(2, 'mac', 'IDENTITY_CONFLICT', 'serial OLD-1 is the machine with MAC 52:54:00:aa:00:01, not 52:54:00:aa:00:02 (remove it first to plan it again)')],
    ],
    [
      'unknown ISO, missing ISO, unknown profile',
      'mac,iso,profile\n52:54:00:aa:00:02,win11.iso,\n52:54:00:aa:00:03,,base\n52:54:00:aa:00:04,rhel9,nosuch\n',
      [
        I(2, 'iso', 'UNKNOWN_ISO', 'no ISO win11.iso in the library (an id, a file name, or a path to an image)'),
        I(3, 'iso', 'MISSING_ISO', 'which ISO to install: an ISO id, its file name or a path'),
        I(4, 'profile', 'UNKNOWN_PROFILE', 'no answer profile nosuch'),
      ],
    ],
    [
      "a profile's placeholders without values: the empty cell is marked, else the profile",
      'mac,iso,profile,var.role\n52:54:00:aa:00:02,rhel9,web,\n',
      [I(2, 'var.role', 'MISSING_VALUE', 'profile web uses {{var.role}} in its scripts, which this row has no value for'), I(2, 'profile', 'MISSING_VALUE', 'profile web uses {{hostname}} in its scripts, which this row has no value for')],
    ],
    [
      'bad serial, UUID, host name, BMC, variable; a BMC password',
      'mac,serial,uuid,hostname,iso,bmc,var.x\n52:54:00:aa:00:02,,00000000-0000-0000-0000-000000000000,web_1,rhel9,ipmi://admin:secret@10.0.0.9,\n52:54:00:aa:00:03,' + 'S'.repeat(65) + ',abc,{{var.y}},rhel9,http://bmc,ok\n',
      [
        I(2, 'uuid', 'BAD_UUID', '00000000-0000-0000-0000-000000000000 is what firmware without a UUID reports: it names no machine'),
        I(2, 'hostname', 'BAD_HOSTNAME', '"web_1" is not a host name: letters, digits and hyphens, at most 63, no dots (the domain comes from the profile)'),
        I(2, 'bmc', 'BMC_PASSWORD', 'no passwords in a plan: name the credentials (redfish://NAME@host), rackboot keeps them elsewhere'),
        I(3, 'serial', 'BAD_SERIAL', 'a serial number is 1 to 64 printable ASCII characters, as SMBIOS stores it'),
        I(3, 'uuid', 'BAD_UUID', 'abc is not a UUID (32 hex digits, like 4c4c4544-0042-3510-8052-b4c04f384d32)'),
        I(3, 'hostname', 'MISSING_VALUE', '{{var.y}} uses {{var.y}}, which this row has no value for'),
        I(3, 'bmc', 'BAD_BMC', 'http://bmc is not a BMC address: [ipmi://|redfish://][CREDENTIALS@]HOST[:PORT]'),
      ],
    ],
    ['a row that names no machine', 'mac,serial,hostname,iso\n,,web1,rhel9\n', [I(2, null, 'NO_IDENTITY', 'the row names no machine: give its mac, serial, uuid or asset')]],
    [
      'missing header: the first row is data',
      '52:54:00:aa:00:02,web1,rhel9\n52:54:00:aa:00:03,web2,rhel9\n',
      [I(1, null, 'MISSING_HEADER', 'the first row must name the columns (mac, serial, uuid, asset, hostname, ip, iso, profile, bmc, notes, var.NAME); it holds data (52:54:00:aa:00:02)')],
    ],
    [
      'header problems: unknown, duplicate and unnamed columns; a new machine without an ISO',
      'mac,colour,MAC,,var.9\n52:54:00:aa:00:02,red,x,y,\n',
      [
        I(1, 'colour', 'UNKNOWN_COLUMN', 'unknown column "colour" (columns: mac, serial, uuid, asset, hostname, ip, iso, profile, bmc, notes, var.NAME)'),
        I(1, 'mac', 'DUPLICATE_COLUMN', 'column mac appears twice (columns 1 and 3)'),
        I(1, '#4', 'UNNAMED_COLUMN', 'column 4 has values but no name in the first row'),
        I(1, 'var.9', 'UNKNOWN_COLUMN', 'unknown column "var.9" (columns: mac, serial, uuid, asset, hostname, ip, iso, profile, bmc, notes, var.NAME)'),
        I(2, null, 'MISSING_ISO', 'which ISO to install: an ISO id, its file name or a path'),
      ],
    ],
    ['no machine column', 'hostname,iso\nweb1,rhel9\n', [I(1, null, 'MISSING_COLUMN', 'no column names the machines: give mac, serial, uuid or asset'), I(2, null, 'NO_IDENTITY', 'the row names no machine: give its mac, serial, uuid or asset')]],
    ['a header and nothing else', 'mac,iso\r\n', [I(2, null, 'NO_ROWS', 'the file names its columns but lists no machines')]],
    ['an empty file', '', [I(1, null, 'CSV_EMPTY', 'the file is empty: the first row must name the columns')]],
    [
      'a BOM, CRLF and a wrong field count',
      '\ufeffmac,hostname,iso\r\n52:54:00:aa:00:02,web1\r\n52:54:00:aa:00:03,web2,rhel9,extra\r\n',
      [
        I(2, null, 'FIELD_COUNT', 'the row has 2 fields and the header 3: a separator (,) is missing or extra'),
        I(3, null, 'FIELD_COUNT', 'the row has 4 fields and the header 3: a separator (,) is missing or extra'),
      ],
    ],
    [
      'semicolons from a spreadsheet, with a bad MAC and a quote problem',
      'mac;hostname;iso\n52:54:00:aa:00:02;"web"1;rhel9\nxx;web3;rhel9\n',
      [
        I(2, 'hostname', 'CSV_TEXT_AFTER_QUOTE', 'text after the closing quote: quote the whole field, and double the quotes inside it ("")'),
        I(3, 'mac', 'BAD_MAC', 'xx is not a MAC address (like 52:54:00:12:34:56)'),
      ],
    ],
    [
      'a quote never closed swallows the rest of the file',
      'mac,notes,iso\n52:54:00:aa:00:02,"rack 4,rhel9\n52:54:00:aa:00:03,x,rhel9\n',
      [I(2, 'notes', 'CSV_UNTERMINATED_QUOTE', 'a quoted field is never closed: the rest of the file would be one cell'), I(2, null, 'FIELD_COUNT', 'the row has 2 fields and the header 3: a separator (,) is missing or extra')],
    ],
  ])('%s', (_name, text, expected) => {
    expect(issues(text)).toEqual(expected);
    // Nothing would change while anything is wrong.
    expect(readPlan(text, ctx).changes).toEqual([]);
  });

  it('formats an issue for a terminal', () => {
    expect(formatIssue({ row: 3, column: 'ip', code: 'BAD_IP', message: 'x is not an address' })).toBe('row 3, ip: x is not an address');
    expect(formatIssue({ row: 1, column: null, code: 'NO_ROWS', message: 'empty' })).toBe('row 1: empty');
  });
});

describe('planToCsv', () => {
  it('writes what readPlan reads back unchanged', () => {
    const entries = readPlan('mac,serial,hostname,ip,iso,profile,notes,var.role\n52:54:00:aa:00:02,,web2,198.18.0.20,rhel9,web,"a, ""b""",x\n,SN9,web3,,rhel9,base,,\n', ctx).changes.map((c) => c.entry);
    const text = planToCsv(entries);
    expect(text.split('\r\n')[0]).toBe('mac,serial,uuid,asset,hostname,ip,iso,profile,bmc,notes,var.role');
    const again = readPlan(text, { ...ctx, known: entries.map((e, i) => ({ ...e, key: `k${i}` })) });
    expect(again.issues).toEqual([]);
    expect(again.changes.map((c) => c.action)).toEqual(['unchanged', 'unchanged']);
  });
});

describe('UUIDs', () => {
  it.each([
    ['4C4C4544-0042-3510-8052-B4C04F384D32', '4c4c4544-0042-3510-8052-b4c04f384d32'],
    ['{4c4c4544-0042-3510-8052-b4c04f384d32}', '4c4c4544-0042-3510-8052-b4c04f384d32'],
    ['4c4c454400423510 8052b4c04f384d32', null],
    ['4c4c4544004235108052b4c04f384d32', '4c4c4544-0042-3510-8052-b4c04f384d32'],
  ])('%s -> %s', (text, out) => expect(canonicalUuid(text)).toBe(out));

  it('matches the byte-swapped spelling firmware and tools disagree on', () => {
    const u = '4c4c4544-0042-3510-8052-b4c04f384d32';
    expect(swappedUuid(u)).toBe('44454c4c-4200-1035-8052-b4c04f384d32');
    expect(uuidMatches(u, '44454C4C-4200-1035-8052-B4C04F384D32')).toBe(true);
    expect(uuidMatches(u, u)).toBe(true);
    expect(uuidMatches(u, '4c4c4544-0042-3510-8052-b4c04f384d33')).toBe(false);
  });
});
