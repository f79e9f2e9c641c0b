/**
 * `.discinfo`: four lines written by lorax/pungi (productmd `discinfo.py`): build timestamp, release
 * description, architecture, disc numbers (comma list, or `ALL`). The description is a product name and
 * version on RHEL 8+ derivatives ("Rocky Linux 9.4") and only a version on older media (CentOS 7: "7.9")
 * (unverified for every vendor, hence only a hint for detect.ts).
 */
import { lines } from './text.ts';

export interface Discinfo {
  timestamp: number | null;
  description: string | null;
  arch: string | null;
  discs: number[] | 'all' | null;
}

export function parseDiscinfo(text: string): Discinfo | null {
  const [ts = '', description = '', arch = '', discs = ''] = lines(text, 8, 256).map((l) => l.trim());
  const timestamp = /^\d{1,12}(\.\d{1,9})?$/.test(ts) ? Number(ts) : null;
  // A discinfo starts with its timestamp; anything else is not one.
  if (timestamp === null) return null;
  let discList: Discinfo['discs'] = null;
  if (/^all$/i.test(discs)) discList = 'all';
  else if (/^\d{1,3}(,\d{1,3})*$/.test(discs)) discList = discs.split(',').map(Number);
  return {
    timestamp,
    description: description === '' ? null : description,
    arch: /^[A-Za-z0-9_]{1,16}$/.test(arch) ? arch : null,
    discs: discList,
  };
}
