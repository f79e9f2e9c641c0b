/**
 * System Use Sharing Protocol (IEEE P1281) and Rock Ridge (IEEE P1282 / RRIP 1.09-1.12) entries in a directory
 * record's System Use area (boot-chains.md §5.4). suspEntries() splits an area; RockRidgeCollector folds entries,
 * across CE continuation areas, into the attributes of one file. Following CE is the caller's job (it is I/O).
 */
import { latin1 } from '../bytes.ts';
import { ProtocolError } from '../errors.ts';
import { both32, longTime, shortTime, utf8 } from './fields.ts';

export interface SuspEntry {
  signature: string;
  version: number;
  /** Bytes after the 4-byte header. */
  data: Uint8Array;
}

/**
 * Entries of one System Use area (or continuation area) from `start`. Stops at ST (SUSP 5.4), at fewer than four
 * bytes left (padding) and at an entry whose length is below 4 or runs past the area, as Linux isofs does.
 */
export function suspEntries(area: Uint8Array, start = 0): SuspEntry[] {
  const out: SuspEntry[] = [];
  let pos = start;
  while (pos + 4 <= area.length) {
    const len = area[pos + 2]!;
    if (len < 4 || pos + len > area.length) break;
    const signature = latin1(area.subarray(pos, pos + 2));
    if (signature === 'ST') break;
    out.push({ signature, version: area[pos + 3]!, data: area.subarray(pos + 4, pos + len) });
    pos += len;
  }
  return out;
}

/** Rock Ridge extension identifiers in ER (RRIP 1.09/1.10, 1.12 draft and final). */
export const ROCK_RIDGE_IDS = ['RRIP_1991A', 'IEEE_P1282', 'IEEE_1282'];

export interface Continuation {
  lba: number;
  offset: number;
  length: number;
}

export interface ZisofsInfo {
  algorithm: string;
  headerSize: number;
  blockSizeLog2: number;
  size: number;
}

/** What the Rock Ridge entries of one directory record say. */
export interface RockRidgeInfo {
  /** SP: present (only meaningful in the root's "." record), with LEN_SKP. */
  sp: { skip: number } | null;
  /** ER extension identifiers. */
  extensions: string[];
  /** Any RRIP entry (PX, NM, SL, TF, RR, PN, CL, PL, RE, ZF) was seen. */
  rrip: boolean;
  name: string | null;
  mode: number | null;
  target: string | null;
  mtimeMs: number | null;
  /** RE: this directory is the relocated copy; hide it where it stands (RRIP 4.1.5.3). */
  relocated: boolean;
  /** CL: this record stands for the directory relocated to that LBA (RRIP 4.1.5.1). */
  childLba: number | null;
  zisofs: ZisofsInfo | null;
}

/** Folds SUSP entries of one record (its area, then each continuation area in order) into RockRidgeInfo. */
export class RockRidgeCollector {
  readonly info: RockRidgeInfo = {
    sp: null,
    extensions: [],
    rrip: false,
    name: null,
    mode: null,
    target: null,
    mtimeMs: null,
    relocated: false,
    childLba: null,
    zisofs: null,
  };
  private nameBytes: number[] = [];
  private nameDone = false;
  private link: string | null = null;
  private linkSep = false;
  private linkDone = false;
  private next: Continuation | null = null;

  /** Adds the entries of one area; returns the continuation area to read next, if any (last CE wins). */
  add(entries: SuspEntry[]): Continuation | null {
    this.next = null;
    for (const e of entries) this.entry(e);
    return this.next;
  }

  private entry({ signature, data }: SuspEntry): void {
    const info = this.info;
    switch (signature) {
      case 'SP': // SUSP 5.3: check bytes BE EF, then LEN_SKP
        if (data.length >= 3 && data[0] === 0xbe && data[1] === 0xef) info.sp = { skip: data[2]! };
        return;
      case 'CE': // SUSP 5.1: block, offset, length, each 733
        if (data.length >= 24) this.next = { lba: both32(data, 0, false, 'CE'), offset: both32(data, 8, false, 'CE'), length: both32(data, 16, false, 'CE') };
        return;
      case 'ER': {
        // SUSP 5.5: LEN_ID, LEN_DES, LEN_SRC, EXT_VER, then the identifier
        if (data.length >= 4 && 4 + data[0]! <= data.length) info.extensions.push(latin1(data.subarray(4, 4 + data[0]!)));
        return;
      }
      case 'PX': // RRIP 4.1.1: mode, links, uid, gid (+ serial in 1.12), 733 each
        info.rrip = true;
        if (data.length >= 8) info.mode = both32(data, 0, false, 'PX mode');
        return;
      case 'NM': {
        // RRIP 4.1.4: flags (1 continue, 2 ".", 4 ".."), then a piece of the name
        info.rrip = true;
        if (this.nameDone || data.length < 1) return;
        const flags = data[0]!;
        if (flags & 0x06) return; // "." / ".." names of the current and parent entries: not ours to rename
        for (const b of data.subarray(1)) this.nameBytes.push(b);
        if (!(flags & 0x01)) this.nameDone = true;
        if (this.nameBytes.length > 4096) throw new ProtocolError('ISO_BAD_ROCK_RIDGE', 'NM name longer than 4096 bytes');
        info.name = utf8(Uint8Array.from(this.nameBytes));
        return;
      }
      case 'SL':
        info.rrip = true;
        this.symlink(data);
        return;
      case 'TF':
        info.rrip = true;
        this.times(data);
        return;
      case 'RE': // RRIP 4.1.5.3
        info.rrip = true;
        info.relocated = true;
        return;
      case 'CL': // RRIP 4.1.5.1: child link, 733
        info.rrip = true;
        if (data.length >= 8) info.childLba = both32(data, 0, false, 'CL');
        return;
      case 'ZF': // zisofs (not in RRIP; Linux fs/isofs/rock.c): "pz", header size / 4, log2 block size, real size 733
        info.rrip = true;
        if (data.length >= 12) info.zisofs = { algorithm: latin1(data.subarray(0, 2)), headerSize: data[2]! * 4, blockSizeLog2: data[3]!, size: both32(data, 4, false, 'ZF') };
        return;
      case 'PL':
      case 'PN':
      case 'RR':
      case 'SF':
        info.rrip = true;
        return;
      default:
        return; // PD padding, AA/AL (AAIP ACLs and xattrs), unknown extensions: ignored
    }
  }

  /**
   * RRIP 4.1.3: SL flags (1 = continues in the next SL), then components { flags, len, text } with component
   * flags 1 continue (no separator after), 2 ".", 4 "..", 8 root, 0x20 host name (kept as text).
   */
  private symlink(data: Uint8Array): void {
    if (this.linkDone || data.length < 1) return;
    let target = this.link ?? '';
    let pos = 1;
    while (pos + 2 <= data.length) {
      const flags = data[pos]!;
      const len = data[pos + 1]!;
      if (pos + 2 + len > data.length) throw new ProtocolError('ISO_BAD_ROCK_RIDGE', 'SL component runs past its entry');
      const bytes = data.subarray(pos + 2, pos + 2 + len);
      pos += 2 + len;
      if (flags & 0x08) {
        target += '/';
        this.linkSep = false;
        continue;
      }
      const text = flags & 0x02 ? '.' : flags & 0x04 ? '..' : utf8(bytes);
      if (this.linkSep) target += '/';
      target += text;
      this.linkSep = !(flags & 0x01);
    }
    if (target.length > 65536) throw new ProtocolError('ISO_BAD_ROCK_RIDGE', 'SL target longer than 64 KiB');
    this.link = target;
    this.info.target = target;
    if (!(data[0]! & 0x01)) this.linkDone = true;
  }

  /** RRIP 4.1.6: flags, then the recorded stamps in bit order; 7-byte form, or 17-byte with LONG_FORM (0x80). */
  private times(data: Uint8Array): void {
    if (data.length < 1) return;
    const flags = data[0]!;
    const size = flags & 0x80 ? 17 : 7;
    let pos = 1;
    for (let bit = 0; bit < 7; bit++) {
      if (!(flags & (1 << bit))) continue;
      if (pos + size > data.length) return;
      if (bit === 1) this.info.mtimeMs = size === 17 ? longTime(data, pos) : shortTime(data, pos);
      pos += size;
    }
  }
}
