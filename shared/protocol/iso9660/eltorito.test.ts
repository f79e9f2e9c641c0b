import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '../errors.ts';
import { bootCatalogLba, decodeCatalog, fatSize, gptHeader, gptPartitions, mbrPartitions } from './eltorito.ts';
import { ascii, catalog, catalogEntry, concat, fatBootSector, validationEntry } from './test-image.ts';

describe('El Torito boot catalog', () => {
  it('reads the boot record descriptor', () => {
    const d = new Uint8Array(2048);
    d.set(ascii('\0CD001\x01EL TORITO SPECIFICATION'));
    new DataView(d.buffer).setUint32(71, 4321, true);
    expect(bootCatalogLba(d)).toBe(4321);
    d[8] = 0x58;
    expect(bootCatalogLba(d)).toBeNull();
  });

  it('decodes the default entry and section entries (0x90 then 0x91), skipping extension entries', () => {
    const bytes = catalog({ platformId: 0, lba: 30, sectorCount: 4 }, [[{ platformId: 0xef, lba: 40, sectorCount: 0, bootable: false }], [{ platformId: 2, lba: 50, sectorCount: 1, media: 0x24 }]]);
    // An extension entry (0x44) after the Mac entry, flagged by media bit 5.
    const withExt = concat(bytes.subarray(0, 192), Uint8Array.of(0x44), new Uint8Array(31), new Uint8Array(2048));
    for (const b of [bytes, withExt]) {
      expect(decodeCatalog(b)).toEqual([
        { platformId: 0, bootable: true, media: 0, lba: 30, sectorCount: 4 },
        { platformId: 0xef, bootable: false, media: 0, lba: 40, sectorCount: 0 },
        { platformId: 2, bootable: true, media: 4, lba: 50, sectorCount: 1 },
      ]);
    }
  });

  const broken = (f: (b: Uint8Array) => void) => {
    const b = catalog({ platformId: 0, lba: 30, sectorCount: 4 }, [[{ platformId: 0xef, lba: 40, sectorCount: 8 }]]);
    f(b);
    return b;
  };
  it.each([
    ['a bad checksum', broken((b) => (b[4] = b[4]! ^ 1))],
    ['missing 55 AA', broken((b) => (b[31] = 0))],
    ['a header id other than 1', broken((b) => (b[0] = 2))],
    ['a default entry with boot indicator 0x42', broken((b) => (b[32] = 0x42))],
    ['a section claiming more entries than the catalog holds', broken((b) => (b[66] = 0xff))],
    ['fewer than 64 bytes', validationEntry(0)],
  ])('rejects %s with ISO_BOOT_CATALOG_INVALID', (_n, bytes) => {
    expect(() => decodeCatalog(bytes)).toThrow(expect.objectContaining({ code: 'ISO_BOOT_CATALOG_INVALID' }) as ProtocolError);
  });

  it('a catalog entry encodes the load RBA little-endian at 8', () => {
    expect(catalogEntry({ platformId: 0, lba: 0x01020304, sectorCount: 4 }).subarray(8, 12)).toEqual(Uint8Array.of(4, 3, 2, 1));
  });
});

describe('boot image sizes', () => {
  it.each<[string, Uint8Array, number | null]>([
    ['FAT12 with total sectors in the u16 field', fatBootSector(2880), 2880 * 512],
    ['FAT with total sectors in the u32 field', fatBootSector(100_000), 100_000 * 512],
    ['no jump instruction: not FAT', (() => { const b = fatBootSector(2880); b[0] = 0; return b; })(), null],
    ['bytes per sector 513: not FAT', (() => { const b = fatBootSector(2880); b[11] = 1; b[12] = 2; return b; })(), null],
    ['three FATs: not FAT', (() => { const b = fatBootSector(2880); b[16] = 3; return b; })(), null],
    ['short buffer', new Uint8Array(100), null],
  ])('%s', (_n, boot, size) => expect(fatSize(boot)).toBe(size));

  it('reads MBR partitions, ignoring empty and protective entries', () => {
    const s = new Uint8Array(512);
    const dv = new DataView(s.buffer);
    s[446 + 4] = 0x17;
    dv.setUint32(446 + 12, 100, true);
    s[462 + 4] = 0xef;
    dv.setUint32(462 + 8, 8292, true);
    dv.setUint32(462 + 12, 8000, true);
    s[478 + 4] = 0xee;
    dv.setUint32(478 + 12, 5, true);
    expect(mbrPartitions(s)).toEqual([]); // no 55 AA yet
    s[510] = 0x55;
    s[511] = 0xaa;
    expect(mbrPartitions(s)).toEqual([{ start: 0, length: 51200 }, { start: 8292 * 512, length: 8000 * 512 }]);
  });

  it('reads GPT entries in use', () => {
    const h = new Uint8Array(512);
    h.set(ascii('EFI PART'));
    const dv = new DataView(h.buffer);
    dv.setUint32(72, 2, true);
    dv.setUint32(80, 128, true);
    dv.setUint32(84, 128, true);
    const header = gptHeader(h)!;
    expect(header).toEqual({ entriesOffset: 1024, count: 128, entrySize: 128 });
    const entries = new Uint8Array(128 * 3);
    const edv = new DataView(entries.buffer);
    entries[128] = 1; // type GUID of entry 1
    edv.setUint32(128 + 32, 8292, true);
    edv.setUint32(128 + 40, 8292 + 7999, true);
    expect(gptPartitions(entries, header)).toEqual([{ start: 8292 * 512, length: 8000 * 512 }]);
    dv.setUint32(84, 7, true);
    expect(gptHeader(h)).toBeNull();
  });
});
