import { describe, expect, it } from 'vitest';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { DETAIL, detailEntries, detailHeight, formatClock } from './row-format.ts';

const ts = new Date(2025, 2, 14, 9, 3, 7, 45).getTime();
const rrq: BootEvent = {
  seq: 12,
  ts,
  service: 'tftp',
  level: 'info',
  mac: '52:54:00:12:34:56',
  xid: 0xabc,
  msg: 'sent ipxe.efi',
  fields: { path: 'ipxe.efi', bytes: 1024, options: { blksize: '1468' } },
};

describe('log row format', () => {
  it('shows local time to the millisecond', () => {
    expect(formatClock(ts)).toBe('09:03:07.045');
  });

  it('lists identity, then every field, nested values as JSON', () => {
    expect(detailEntries(rrq)).toEqual([
      ['seq', '12'],
      ['time', new Date(ts).toISOString()],
      ['xid', '0x00000abc'],
      ['path', 'ipxe.efi'],
      ['bytes', '1024'],
      ['options', '{"blksize":"1468"}'],
    ]);
  });

  it('sizes the details from the entries, capped, plus the machine button when there is a MAC', () => {
    expect(detailHeight(rrq)).toBe(DETAIL.padding + DETAIL.line * (2 + 6) + DETAIL.actions);
    const many: BootEvent = { ...rrq, mac: undefined, fields: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i])) };
    expect(detailHeight(many)).toBe(DETAIL.padding + DETAIL.line * (2 + DETAIL.maxEntryLines));
  });
});
