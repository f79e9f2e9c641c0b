/**
 * What a technician (and `rackboot iso info`) needs to know about an indexed image: its file system, label,
 * size of the tree, El Torito entries, and which installer it is with the facts PXE needs, or why it cannot
 * boot over the network.
 */
import type { BootPlatform, ImageIndex } from '../../../shared/protocol/image.ts';
import type { ImageFile } from './image.ts';
import { detectImageDistro, type DistroSummary, type NetbootSummary } from './distro.ts';

export interface ImageDescription {
  format: ImageIndex['format'];
  label: string;
  names: ImageIndex['names'];
  volumeSize: number;
  files: number;
  dirs: number;
  symlinks: number;
  /** Sum of file sizes (what an extraction would write). */
  bytes: number;
  boot: { platform: BootPlatform; bootable: boolean; media: number; size: number; path: string | null }[];
  distro: DistroSummary | null;
  /** How to boot the installer over the network, or null with `reason`. */
  netboot: NetbootSummary | null;
  reason: string | null;
  indexMs: number;
}

/** `indexMs` is 0 here: the caller that timed the indexing fills it in. */
export async function describeImage(index: ImageIndex, image: ImageFile): Promise<ImageDescription> {
  let files = 0;
  let dirs = 0;
  let symlinks = 0;
  let bytes = 0;
  for (const e of index.entries) {
    if (e.type === 'file') {
      files++;
      bytes += e.size;
    } else if (e.type === 'dir') dirs++;
    else symlinks++;
  }
  const found = await detectImageDistro(index, image);
  return {
    format: index.format,
    label: index.label,
    names: index.names,
    volumeSize: index.volumeSize,
    files,
    dirs,
    symlinks,
    bytes,
    boot: index.boot.map((b) => ({ platform: b.platform, bootable: b.bootable, media: b.media, size: b.size, path: b.path })),
    distro: found.distro,
    netboot: found.netboot,
    reason: found.reason,
    indexMs: 0,
  };
}
