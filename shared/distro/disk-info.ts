/**
 * `.disk/info`: one line written by debian-cd (and Ubuntu's fork of it), e.g.
 *   Debian GNU/Linux 12.5.0 "Bookworm" - Official amd64 NETINST with firmware 20240210-11:27
 *   Ubuntu-Server 22.04.4 LTS "Jammy Jellyfish" - Release amd64 (20240220)
 *   Ubuntu 24.04.1 LTS "Noble Numbat" - Release amd64 (20240827)
 * Shape: `<product> <version>[ LTS] "<codename>" - <tail>`, where the tail holds the release type
 * (Official, Release, Beta, Daily...), the Debian architecture, media words and a build stamp.
 */
import { lines } from './text.ts';

export interface DiskInfo {
  /** Text before the version: "Debian GNU/Linux", "Ubuntu-Server", "Ubuntu", "Kubuntu". */
  product: string;
  /** "12.5.0", "22.04.4", "24.04". */
  version: string;
  lts: boolean;
  /** "Bookworm", "Jammy Jellyfish"; null when the line has none. */
  codename: string | null;
  /** First word of the tail: "Official", "Release", "Beta"... */
  releaseType: string | null;
  /** Debian architecture name as written (amd64, arm64, i386...), or null. */
  arch: string | null;
  /** Remaining tail words (NETINST, DVD, Binary-1, with firmware, Live...). */
  media: string[];
  /** "20240220", "20240210-11:27". */
  build: string | null;
}

const DEBIAN_ARCHES = new Set(['amd64', 'arm64', 'i386', 'armhf', 'armel', 'ppc64el', 's390x', 'riscv64', 'mips64el', 'loong64', 'multi-arch']);
const HEAD = /^(.{1,80}?)\s+(\d{1,4}(?:\.\d{1,4}){0,3}(?:[~+-][A-Za-z0-9.]{1,16})?)(\s+LTS)?(?:\s+"([^"]{0,64})")?\s*(?:-\s*(.*))?$/;

export function parseDiskInfo(text: string): DiskInfo | null {
  const line = (lines(text, 1, 512)[0] ?? '').trim();
  const m = HEAD.exec(line);
  if (!m) return null;
  const tail = (m[5] ?? '').trim();
  const words = tail === '' ? [] : tail.split(/\s+/);
  let build: string | null = null;
  const last = words[words.length - 1];
  if (last !== undefined && /^\(?\d{8}(?:[-.:\d]{0,12})?\)?$/.test(last)) {
    build = last.replace(/[()]/g, '');
    words.pop();
  }
  const archIndex = words.findIndex((w) => DEBIAN_ARCHES.has(w.toLowerCase()));
  const arch = archIndex >= 0 ? words[archIndex]!.toLowerCase() : null;
  const releaseType = archIndex === 0 ? null : (words[0] ?? null);
  const media = words.filter((_, i) => i !== archIndex && !(i === 0 && releaseType !== null));
  return {
    product: m[1]!.trim(),
    version: m[2]!,
    lts: m[3] !== undefined,
    codename: m[4] === undefined || m[4] === '' ? null : m[4],
    releaseType,
    arch,
    media,
    build,
  };
}
