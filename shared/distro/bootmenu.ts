/**
 * The ISO's own boot menus, read as the generic fallback for "which kernel, which initrd, which default
 * arguments": GRUB 2 `grub.cfg` (`menuentry`/`submenu` blocks with `linux`/`linuxefi`/`linux16` and
 * `initrd`/`initrdefi`/`initrd16`; GNU GRUB manual "Shell-like scripting") and isolinux/syslinux
 * `isolinux.cfg` (`LABEL` blocks with `KERNEL`/`LINUX`, `APPEND`, `INITRD`; syslinux `doc/syslinux.txt`).
 * Not a GRUB interpreter: conditionals are ignored, variables are left as written (such paths never match a
 * file, so they never become a kernel). Bounded: 20 000 lines, 200 entries, 64 words per command.
 */
import { lines } from './text.ts';

export interface MenuEntry {
  /** Menu title (`menuentry` title, isolinux `MENU LABEL` or `LABEL`), submenu titles joined with ' > '. */
  title: string;
  /** Kernel path relative to the image root (device prefix such as `($root)` removed). */
  kernel: string;
  /** Initrd paths relative to the image root, in order. */
  initrds: string[];
  /** Kernel arguments, unquoted, without `initrd=` (isolinux) which is moved into `initrds`. */
  args: string[];
  /** The loader command used (`linux`, `linuxefi`, `linux16`, `kernel`), lowercased. */
  loader: string;
  isDefault: boolean;
}

export interface BootMenu {
  entries: MenuEntry[];
  /** Other config files this one pulls in (`configfile`/`source`, isolinux `INCLUDE`), root-relative. */
  includes: string[];
}

const MAX_ENTRIES = 200;
const MAX_WORDS = 64;

/** Root-relative path of a menu file reference; relative names resolve against `baseDir` (isolinux). */
export function menuPath(raw: string, baseDir = ''): string {
  const path = raw.replace(/^\([^)]*\)/, '');
  const parts = (path.startsWith('/') ? [] : baseDir.split('/')).concat(path.split('/')).filter((p) => p !== '' && p !== '.');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out.join('/');
}

/** Splits a GRUB command line into words: quotes ('...' literal, "..." with \ escapes) and backslashes. */
export function grubWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length && words.length < MAX_WORDS; i++) {
    const c = line[i]!;
    if (c === '#' && !inWord) break;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$'.includes(line[i + 1]!)) i++;
        cur += line[i++];
      }
    } else {
      cur += c;
    }
  }
  if (inWord && words.length < MAX_WORDS) words.push(cur);
  return words;
}

/** `;` separates commands on one line (GRUB manual "Simple commands"), unless quoted or escaped. */
function splitCommands(line: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && quote !== "'") i++;
    else if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ';') {
      parts.push(line.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(line.slice(start));
  return parts;
}

/** Commands of one line: `;`-separated, and split again after `{` and around `}` (`menuentry x { linux /a }`). */
function commands(line: string): string[][] {
  const out: string[][] = [];
  for (const part of splitCommands(line)) {
    let cur: string[] = [];
    for (const w of grubWords(part.trim())) {
      if (w === '{') {
        out.push([...cur, w]);
        cur = [];
      } else if (w === '}') {
        if (cur.length > 0) out.push(cur);
        out.push([w]);
        cur = [];
      } else {
        cur.push(w);
      }
    }
    if (cur.length > 0) out.push(cur);
  }
  return out;
}

interface Block {
  kind: 'entry' | 'submenu' | 'other';
  title: string;
  kernel: string | null;
  loader: string;
  initrds: string[];
  args: string[];
  topIndex: number;
}

export function parseGrubCfg(text: string): BootMenu {
  const entries: MenuEntry[] = [];
  const includes: string[] = [];
  const stack: Block[] = [];
  let defaultSpec: string | null = null;
  let topCount = 0;
  const defaults: number[] = [];
  for (const raw of lines(text)) {
    for (const words of commands(raw)) {
      const cmd = words[0]!;
      if (cmd === '}') {
        const block = stack.pop();
        if (block?.kind === 'entry' && block.kernel !== null && entries.length < MAX_ENTRIES) {
          const titles = [...stack.filter((b) => b.kind === 'submenu').map((b) => b.title), block.title];
          entries.push({ title: titles.join(' > '), kernel: block.kernel, initrds: block.initrds, args: block.args, loader: block.loader, isDefault: false });
          defaults.push(block.topIndex);
        }
        continue;
      }
      if ((cmd === 'menuentry' || cmd === 'submenu') && words[words.length - 1] === '{') {
        const topIndex = stack.length === 0 ? topCount++ : (stack[0]?.topIndex ?? -1);
        stack.push({ kind: cmd === 'menuentry' ? 'entry' : 'submenu', title: words[1] ?? '', kernel: null, loader: '', initrds: [], args: [], topIndex });
        continue;
      }
      if (words[words.length - 1] === '{') {
        stack.push({ kind: 'other', title: '', kernel: null, loader: '', initrds: [], args: [], topIndex: -1 });
        continue;
      }
      const block = stack[stack.length - 1];
      if (/^(linux|linuxefi|linux16|kernel)$/.test(cmd) && block?.kind === 'entry' && words[1] !== undefined) {
        block.kernel = menuPath(words[1]);
        block.loader = cmd;
        block.args = words.slice(2);
      } else if (/^(initrd|initrdefi|initrd16)$/.test(cmd) && block?.kind === 'entry') {
        block.initrds = words.slice(1).map((w) => menuPath(w));
      } else if (cmd === 'set' && stack.length === 0 && words[1]?.startsWith('default=')) {
        defaultSpec = words[1].slice('default='.length);
      } else if ((cmd === 'configfile' || cmd === 'source') && words[1] !== undefined && !words[1].includes('$')) {
        includes.push(menuPath(words[1]));
      }
    }
  }
  // `set default=N` counts top-level menu items (entries and submenus); `N>M` picks inside a submenu, and a
  // title picks by name (GRUB manual "default"). Unset or unreadable: the first entry.
  let index = 0;
  if (defaultSpec !== null && /^\d+/.test(defaultSpec)) {
    const top = Number(/^\d+/.exec(defaultSpec)![0]);
    index = Math.max(0, defaults.indexOf(top));
  } else if (defaultSpec !== null) {
    const byTitle = entries.findIndex((e) => e.title === defaultSpec);
    if (byTitle >= 0) index = byTitle;
  }
  if (entries[index]) entries[index]!.isDefault = true;
  return { entries, includes };
}

/** isolinux/syslinux config; `baseDir` is the directory of the config file (relative names resolve there). */
export function parseIsolinuxCfg(text: string, baseDir: string): BootMenu {
  const entries: MenuEntry[] = [];
  const includes: string[] = [];
  let defaultLabel: string | null = null;
  let cur: { label: string; title: string | null; kernel: string | null; loader: string; initrds: string[]; args: string[]; isDefault: boolean } | null = null;
  const finish = () => {
    if (cur && cur.kernel !== null && entries.length < MAX_ENTRIES) {
      entries.push({ title: cur.title ?? cur.label, kernel: cur.kernel, initrds: cur.initrds, args: cur.args, loader: cur.loader, isDefault: cur.isDefault || cur.label === defaultLabel });
    }
    cur = null;
  };
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const key = m[1]!.toLowerCase();
    const rest = m[2]!.trim();
    if (key === 'label') {
      finish();
      cur = { label: rest, title: null, kernel: null, loader: '', initrds: [], args: [], isDefault: false };
    } else if (key === 'default' || key === 'ontimeout') {
      // `DEFAULT vesamenu.c32` names a module, not a label; a module never matches a label below.
      if (key === 'default' || defaultLabel === null) defaultLabel = rest.split(/\s+/)[0] ?? null;
    } else if (key === 'include') {
      includes.push(menuPath(rest.split(/\s+/)[0] ?? '', baseDir));
    } else if (key === 'menu' && cur) {
      const sub = /^(\S+)\s*(.*)$/.exec(rest);
      if (sub?.[1]?.toLowerCase() === 'label') cur.title = sub[2]!.replace(/\^/g, '').trim();
      else if (sub?.[1]?.toLowerCase() === 'default') cur.isDefault = true;
    } else if ((key === 'kernel' || key === 'linux') && cur) {
      cur.kernel = menuPath(rest.split(/\s+/)[0] ?? '', baseDir);
      cur.loader = key;
    } else if (key === 'initrd' && cur) {
      cur.initrds.push(...rest.split(',').filter(Boolean).map((p) => menuPath(p.trim(), baseDir)));
    } else if (key === 'append' && cur) {
      for (const word of rest.split(/\s+/).filter(Boolean).slice(0, MAX_WORDS)) {
        if (word.toLowerCase().startsWith('initrd=')) cur.initrds.push(...word.slice(7).split(',').filter(Boolean).map((p) => menuPath(p, baseDir)));
        else cur.args.push(word);
      }
    }
  }
  finish();
  return { entries, includes };
}
