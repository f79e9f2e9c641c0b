/**
 * ISO 9660 directory records (ECMA-119 9.1; layout in boot-chains.md §5.3).
 * decodeRecord(bytes, offset?) -> { value, bytesRead }, encodeRecord(value), encodingLength(value), and
 * directoryRecords(extent) walking one directory's extent sector by sector.
 */
import { ProtocolError } from '../errors.ts';
import { both32, SECTOR, shortTime } from './fields.ts';

/** ECMA-119 9.1.6 file flags. */
export const FileFlag = {
  HIDDEN: 0x01,
  DIRECTORY: 0x02,
  ASSOCIATED: 0x04,
  RECORD: 0x08,
  PROTECTION: 0x10,
  MULTI_EXTENT: 0x80,
} as const;

export interface DirRecord {
  /** Extended attribute record length in logical blocks: the file data starts that many blocks in. */
  xarLength: number;
  lba: number;
  /** Data length in bytes (u32: one extent holds at most 4 GiB - 1). */
  size: number;
  /** The recording date as stored (7 bytes, ECMA-119 9.1.5). */
  time: Uint8Array;
  flags: number;
  /** Interleaving (ECMA-119 9.1.7/9.1.8): both zero unless the file is interleaved. */
  unitSize: number;
  gap: number;
  volumeSequence: number;
  /** File identifier bytes (0x00 = ".", 0x01 = ".."). */
  name: Uint8Array;
  /** System Use area (SUSP / Rock Ridge), after the pad byte. */
  systemUse: Uint8Array;
}

/** Smallest record: 33 fixed bytes + a one-byte identifier (ECMA-119 9.1). */
export const MIN_RECORD = 34;

export function encodingLength(r: DirRecord): number {
  return 33 + r.name.length + (r.name.length % 2 === 0 ? 1 : 0) + r.systemUse.length;
}

/**
 * `strict` checks both halves of the extent and size (used for the volume descriptors' root records); directory
 * contents read the little-endian half only (fields.ts both32).
 */
export function decodeRecord(bytes: Uint8Array, offset = 0, strict = false): { value: DirRecord; bytesRead: number } {
  const b = offset ? bytes.subarray(offset) : bytes;
  if (b.length < 1) throw new ProtocolError('ISO_BAD_RECORD', 'no directory record');
  const length = b[0]!;
  if (length < MIN_RECORD) throw new ProtocolError('ISO_BAD_RECORD', `record length ${length} is below ${MIN_RECORD}`);
  if (length > b.length) throw new ProtocolError('ISO_BAD_RECORD', `record length ${length} runs past the directory (${b.length} bytes left)`);
  const nameLength = b[32]!;
  if (nameLength === 0 || 33 + nameLength > length) {
    throw new ProtocolError('ISO_BAD_RECORD', `identifier length ${nameLength} does not fit a ${length}-byte record`);
  }
  // ECMA-119 9.1.12: a pad byte follows an even-length identifier.
  const suStart = Math.min(length, 33 + nameLength + (nameLength % 2 === 0 ? 1 : 0));
  return {
    value: {
      xarLength: b[1]!,
      lba: both32(b, 2, strict, 'directory record extent'),
      size: both32(b, 10, strict, 'directory record data length'),
      time: b.slice(18, 25),
      flags: b[25]!,
      unitSize: b[26]!,
      gap: b[27]!,
      volumeSequence: b[28]! | (b[29]! << 8),
      name: b.slice(33, 33 + nameLength),
      systemUse: b.slice(suStart, length),
    },
    bytesRead: length,
  };
}

function put32both(out: Uint8Array, o: number, v: number): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(o, v, true);
  dv.setUint32(o + 4, v, false);
}

export function encodeRecord(r: DirRecord): Uint8Array {
  const length = encodingLength(r);
  if (length > 255) throw new RangeError(`directory record of ${length} bytes exceeds 255`);
  const out = new Uint8Array(length);
  out[0] = length;
  out[1] = r.xarLength;
  put32both(out, 2, r.lba);
  put32both(out, 10, r.size);
  out.set(r.time.subarray(0, 7), 18);
  out[25] = r.flags;
  out[26] = r.unitSize;
  out[27] = r.gap;
  out[28] = r.volumeSequence & 0xff;
  out[29] = r.volumeSequence >> 8;
  out[30] = r.volumeSequence >> 8;
  out[31] = r.volumeSequence & 0xff;
  out[32] = r.name.length;
  out.set(r.name, 33);
  out.set(r.systemUse, 33 + r.name.length + (r.name.length % 2 === 0 ? 1 : 0));
  return out;
}

export const recordTime = (r: DirRecord) => shortTime(r.time, 0);

/** True for the "." (0x00) and ".." (0x01) records (ECMA-119 6.8.2.2). */
export const isDotRecord = (r: DirRecord) => r.name.length === 1 && r.name[0]! <= 1;

/**
 * Every record of a directory extent in order. A zero length byte ends the records of that sector (the next
 * record starts at the next sector, ECMA-119 6.8.1.1); a record may not cross a sector boundary.
 */
export function* directoryRecords(extent: Uint8Array): Generator<DirRecord> {
  let pos = 0;
  while (pos < extent.length) {
    const length = extent[pos]!;
    if (length === 0) {
      pos = (Math.floor(pos / SECTOR) + 1) * SECTOR;
      continue;
    }
    if ((pos % SECTOR) + length > SECTOR) {
      throw new ProtocolError('ISO_RECORD_CROSSES_SECTOR', `record at byte ${pos} of the directory (${length} bytes) crosses a sector boundary`);
    }
    const { value, bytesRead } = decodeRecord(extent.subarray(pos, Math.min(extent.length, pos + length)));
    yield value;
    pos += bytesRead;
  }
}
