/**
 * readImage picks the tree a technician expects from images that carry two: ISO 9660 with Rock Ridge or Joliet
 * over UDF, UDF over 8.3-only ISO 9660 names, UDF when it is the only file system, and the El Torito entries
 * from the ISO 9660 side whichever tree wins.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../shared/protocol/read-image.ts';
import { openImageFile } from '../../electron/core/iso/image.ts';
import { bytes, writeTree } from '../helpers/iso.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { missing } from '../helpers/tools.ts';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('rackboot-readimage-');
  writeTree(join(dir.path, 'src'), {
    'sources/boot.wim': bytes(100_000, 1),
    'sources/install.wim': bytes(50_000, 2),
    'efi/boot/bootx64.efi': bytes(4096, 3),
    'efi/microsoft/boot/efisys.bin': bytes(1_474_560, 4),
    'A long file name with spaces.txt': 'hello\n',
    'setup.exe': bytes(1000, 5),
  });
});
afterAll(() => dir.remove());

async function indexOf(args: string[]) {
  const out = join(dir.path, `${Math.random().toString(36).slice(2)}.iso`);
  execFileSync('genisoimage', ['-quiet', ...args, '-o', out, join(dir.path, 'src')], { stdio: 'ignore' });
  const image = await openImageFile(out);
  try {
    return await readImage(image);
  } finally {
    await image.release();
  }
}

describe.skipIf(missing('genisoimage'))('readImage chooses the tree', () => {
  it('UDF over an ISO 9660 tree with only 8.3 names (Windows-style UDF bridge)', async () => {
    const index = await indexOf(['-udf', '-V', 'CCCOMA_X64FRE_EN-US_DV9']);
    expect(index.format).toBe('udf');
    expect(index.entries.map((e) => e.path)).toContain('A long file name with spaces.txt');
    expect(index.entries.find((e) => e.path === 'sources/boot.wim')?.size).toBe(100_000);
  });

  it('ISO 9660 with Rock Ridge over an equal UDF tree', async () => {
    const index = await indexOf(['-udf', '-R', '-J', '-V', 'BRIDGE']);
    expect(index).toMatchObject({ format: 'iso9660', names: 'rockridge' });
    expect(index.entries.map((e) => e.path)).toContain('A long file name with spaces.txt');
  });

  it('keeps the El Torito entries of the ISO 9660 side when UDF wins', async () => {
    const index = await indexOf(['-udf', '-V', 'WINBOOT', '-no-emul-boot', '-b', 'efi/microsoft/boot/efisys.bin', '-hide', 'boot.catalog']);
    expect(index.format).toBe('udf');
    expect(index.boot).toEqual([expect.objectContaining({ platform: 'bios', media: 0 })]);
  });

  it('a plain ISO 9660 image without UDF stays ISO 9660', async () => {
    const index = await indexOf(['-V', 'PLAIN']);
    expect(index).toMatchObject({ format: 'iso9660', names: 'iso9660' });
  });
});
