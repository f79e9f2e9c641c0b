import { describe, expect, it } from 'vitest';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { compileFilter, DEFAULT_FILTER, isDefaultFilter, macDigits, type LogFilter } from './filter.ts';

const ev = (p: Partial<BootEvent>): BootEvent => ({ seq: 1, ts: 0, service: 'tftp', level: 'info', msg: '', fields: {}, ...p });
const rrq = ev({ service: 'tftp', mac: '52:54:00:12:34:56', ip: '198.18.0.20', msg: 'sent ipxe.efi to 198.18.0.20:2070: 1024 bytes in 3 ms' });
const http404 = ev({ service: 'http', level: 'warn', ip: '127.0.0.1', msg: '127.0.0.1 GET /nope 404: not found' });
const offer = ev({ service: 'dhcp', level: 'debug', mac: '52:54:00:AB:CD:EF', msg: 'offer to PXEClient' });
const boom = ev({ service: 'core', level: 'error', msg: 'HTTP server error: EADDRINUSE' });
const all = [rrq, http404, offer, boom];
const shown = (f: Partial<LogFilter>) => all.filter(compileFilter({ ...DEFAULT_FILTER, ...f }));

describe('log filter', () => {
  it.each<[string, Partial<LogFilter>, BootEvent[]]>([
    ['the default shows everything', {}, all],
    ['services narrow to the ones picked', { services: ['tftp', 'http'] }, [rrq, http404]],
    ['no service picked shows nothing', { services: [] }, []],
    ['info+ hides debug', { minLevel: 'info' }, [rrq, http404, boom]],
    ['warn+ keeps warnings and errors', { minLevel: 'warn' }, [http404, boom]],
    ['errors only', { minLevel: 'error' }, [boom]],
    ['a whole MAC in colon form', { mac: '52:54:00:12:34:56' }, [rrq]],
    ['a MAC in another spelling and case', { mac: '5254.00ab.cdef' }, [offer]],
    ['part of a MAC matches every machine that has it', { mac: '52-54-00' }, [rrq, offer]],
    ['a MAC query with no hex digits matches no machine', { mac: 'zz' }, []],
    ['text is case-insensitive in the message', { text: 'IPXE.EFI' }, [rrq]],
    ['text finds an IP', { text: '198.18.0.20' }, [rrq]],
    ['text finds a service name', { text: 'core' }, [boom]],
    ['text finds part of a MAC in its own spelling', { text: 'ab:cd' }, [offer]],
    ['blank text is no filter', { text: '   ' }, all],
    ['criteria combine', { services: ['http', 'core'], minLevel: 'warn', text: '404' }, [http404]],
  ])('%s', (_name, f, expected) => {
    expect(shown(f)).toEqual(expected);
  });

  it('events without a MAC never match a MAC filter', () => {
    expect(compileFilter({ ...DEFAULT_FILTER, mac: '52' })(boom)).toBe(false);
  });

  it('knows the default filter, spaces aside', () => {
    expect(isDefaultFilter(DEFAULT_FILTER)).toBe(true);
    expect(isDefaultFilter({ ...DEFAULT_FILTER, text: ' ' })).toBe(true);
    expect(isDefaultFilter({ ...DEFAULT_FILTER, minLevel: 'info' })).toBe(false);
    expect(isDefaultFilter({ ...DEFAULT_FILTER, services: ['dhcp'] })).toBe(false);
  });

  it('reduces MACs to hex digits', () => {
    expect(macDigits('52:54:00:AB:cd:EF')).toBe('525400abcdef');
    expect(macDigits('5254.00ab.cdef')).toBe('525400abcdef');
  });
});
