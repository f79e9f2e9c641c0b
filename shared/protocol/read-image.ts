/**
 * Index an installer image whichever file system carries its tree. Linux installer ISOs are ISO 9660 (with
 * Rock Ridge and Joliet); Windows installer ISOs are UDF with an ISO 9660 stub whose only file says to use UDF
 * (boot-chains.md §4.5, §5.9); bridge images carry the same tree in both. The tree with more entries wins. On
 * a tie ISO 9660 wins when it has Rock Ridge or Joliet names (Rock Ridge keeps POSIX modes and symlinks), UDF
 * when ISO 9660 has only 8.3 names (`genisoimage -udf` without -R/-J: UDF holds the real long names).
 */
import { ProtocolError } from './errors.ts';
import type { BlockReader, ImageIndex } from './image.ts';
import { readIso9660 } from './iso9660/read.ts';
import { hasUdf, readUdf } from './udf/read.ts';

export async function readImage(reader: BlockReader): Promise<ImageIndex> {
  const udf = await hasUdf(reader).catch(() => false);
  let iso: ImageIndex | null = null;
  let isoError: unknown = null;
  try {
    iso = await readIso9660(reader);
  } catch (e) {
    if (!udf) throw e;
    isoError = e;
  }
  if (!udf) return iso!;
  let fromUdf: ImageIndex;
  try {
    fromUdf = await readUdf(reader);
  } catch (e) {
    // A broken UDF side beside a good ISO 9660 tree: serve the tree that reads.
    if (iso) return iso;
    throw e instanceof ProtocolError ? e : isoError;
  }
  if (!iso) return fromUdf;
  // The El Torito catalog lives in the ISO 9660 descriptors whichever tree wins.
  const udfWins = fromUdf.entries.length > iso.entries.length || (fromUdf.entries.length === iso.entries.length && iso.names === 'iso9660');
  return udfWins ? { ...fromUdf, boot: iso.boot } : iso;
}
