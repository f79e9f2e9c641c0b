/**
 * Text out of ISO files for the distro parsers: a lenient UTF-8 decoder (shared/ has no TextDecoder) and a
 * bounded line splitter. Installer metadata is ASCII in practice (.treeinfo, .disk/info, Release); UTF-8
 * shows up in menu titles and localised Windows files. Malformed sequences become U+FFFD, never a throw.
 */

const REPLACEMENT = 0xfffd;

/** Decodes UTF-8 like the WHATWG decoder in replacement mode; a leading BOM is dropped. */
export function utf8(bytes: Uint8Array): string {
  let i = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const units: number[] = [];
  let out = '';
  const flush = () => {
    out += String.fromCharCode(...units);
    units.length = 0;
  };
  while (i < bytes.length) {
    const b = bytes[i]!;
    let cp = REPLACEMENT;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xc2 && b <= 0xdf) {
      cp = b & 0x1f;
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      cp = b & 0x0f;
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      cp = b & 0x07;
      need = 3;
      min = 0x10000;
    }
    i++;
    if (need > 0) {
      let ok = true;
      for (let k = 0; k < need; k++) {
        const c = bytes[i];
        if (c === undefined || (c & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (c & 0x3f);
        i++;
      }
      // Overlong forms, surrogates and values past U+10FFFF are malformed (RFC 3629 §3).
      if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = REPLACEMENT;
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= 4096) flush();
  }
  flush();
  return out;
}

/** At most `max` lines, `\r\n`, `\n` or `\r` separated; each line cut to `maxLength` characters. */
export function lines(text: string, max = 20_000, maxLength = 4096): string[] {
  const out: string[] = [];
  let start = 0;
  while (start <= text.length && out.length < max) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    out.push(text.slice(start, Math.min(end, start + maxLength)));
    if (end >= text.length) break;
    start = text[end] === '\r' && text[end + 1] === '\n' ? end + 2 : end + 1;
  }
  return out;
}

/** True when the text looks like binary garbage rather than a text file (NULs or mostly control bytes). */
export function looksBinary(text: string): boolean {
  if (text.length === 0) return false;
  let bad = 0;
  const n = Math.min(text.length, 4096);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === REPLACEMENT || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) bad++;
  }
  return bad * 10 > n;
}
