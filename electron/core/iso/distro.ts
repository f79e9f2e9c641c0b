/** Distro detection (pure, `shared/distro`) over an indexed image: small metadata files are read through the image. */
import { detectDistro } from '../../../shared/distro/detect.ts';
import type { DistroInfo, NetbootPlan } from '../../../shared/distro/model.ts';
import { canNetboot } from '../../../shared/distro/model.ts';
import { sourceFromEntries } from '../../../shared/distro/source.ts';
import type { ImageIndex } from '../../../shared/protocol/image.ts';
import type { ImageFile } from './image.ts';
import { openImageEntry } from './tree.ts';

/** Everything detection found except the netboot plan, which the description carries on its own. */
export type DistroSummary = Omit<DistroInfo, 'netboot'>;
export type NetbootSummary = NetbootPlan;

export async function detectImageDistro(index: ImageIndex, image: ImageFile): Promise<{ distro: DistroSummary | null; netboot: NetbootSummary | null; reason: string | null }> {
  const source = sourceFromEntries(index.label, index.entries, async (entry, offset, length) => {
    const f = openImageEntry(image, entry);
    try {
      const out = new Uint8Array(length);
      const n = await f.read(offset, out, 0, length);
      return out.subarray(0, n);
    } finally {
      await f.close();
    }
  });
  const info = await detectDistro(source);
  const { netboot, ...rest } = info;
  const distro = info.family === 'unknown' ? null : rest;
  if (canNetboot(info)) return { distro, netboot: info.netboot, reason: null };
  return { distro, netboot: null, reason: (netboot as { reason: string }).reason };
}
