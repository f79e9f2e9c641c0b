import { describe, expect, it } from 'vitest';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { csvCell, exportFileName, formatExport, toCsv, toJsonLines } from './export.ts';

const ts = Date.UTC(2025, 2, 14, 9, 30, 12, 345);
const rrq: BootEvent = {
  seq: 7,
  ts,
  service: 'tftp',
  level: 'info',
  mac: '52:54:00:12:34:56',
  ip: '198.18.0.20',
  msg: 'sent ipxe.efi to 198.18.0.20:2070: 1024 bytes in 3 ms',
  fields: { path: 'ipxe.efi', bytes: 1024, blksize: 1468, ms: 3 },
};
const http: BootEvent = { seq: 8, ts, service: 'http', level: 'warn', ip: '127.0.0.1', msg: '127.0.0.1 GET /a,"b" 404: not found', fields: {} };

describe('log export', () => {
  it('writes JSON lines that parse back to the events', () => {
    const text = toJsonLines([rrq, http]);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([rrq, http]);
    expect(toJsonLines([])).toBe('');
  });

  it('writes CSV with a header, ISO times, quoted cells and the fields as JSON', () => {
    expect(toCsv([rrq, http]).split('\r\n')).toEqual([
      'seq,time,service,level,mac,ip,message,fields',
      '7,2025-03-14T09:30:12.345Z,tftp,info,52:54:00:12:34:56,198.18.0.20,sent ipxe.efi to 198.18.0.20:2070: 1024 bytes in 3 ms,"{""path"":""ipxe.efi"",""bytes"":1024,""blksize"":1468,""ms"":3}"',
      '8,2025-03-14T09:30:12.345Z,http,warn,,127.0.0.1,"127.0.0.1 GET /a,""b"" 404: not found",',
      '',
    ]);
  });

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    // A path a machine asked for must not run as a spreadsheet formula.
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1', "'+1"],
    ['-cmd', "'-cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['', ''],
  ])('csvCell(%j) is %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('names files by local time and format', () => {
    const at = new Date(2025, 0, 2, 3, 4, 5);
    expect(exportFileName('csv', at)).toBe('rackboot-log-20250102-030405.csv');
    expect(exportFileName('jsonl', at)).toBe('rackboot-log-20250102-030405.jsonl');
  });

  it('formats by name', () => {
    expect(formatExport('jsonl', [rrq])).toBe(toJsonLines([rrq]));
    expect(formatExport('csv', [rrq])).toBe(toCsv([rrq]));
  });
});
