/**
 * ISO files a technician is likely to have on the laptop: Downloads, the home folder, the desktop, USB sticks
 * and mounted media, /srv. Browser mode cannot read a dropped file's path, so the Setup screen offers these to
 * pick from (and a path field); Electron's drop gives the path directly. Bounded: two levels deep, 500 hits,
 * symlinked directories not followed.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface FoundIso {
  path: string;
  size: number;
  mtimeMs: number;
}

const MAX_HITS = 500;
const MAX_DEPTH = 2;

export function defaultIsoDirs(): string[] {
  const home = homedir();
  const dirs = [join(home, 'Downloads'), home, join(home, 'Desktop'), join(home, 'ISOs'), '/srv', '/var/lib/rackboot', '/mnt'];
  for (const media of ['/media', '/run/media']) {
    for (const user of list(media)) {
      if (!user.isDirectory()) continue;
      dirs.push(join(media, user.name));
    }
  }
  return dirs;
}

function list(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

export function findIsos(dirs: readonly string[] = defaultIsoDirs()): FoundIso[] {
  const hits = new Map<string, FoundIso>();
  const walk = (dir: string, depth: number) => {
    for (const e of list(dir)) {
      if (hits.size >= MAX_HITS) return;
      if (e.name.startsWith('.')) continue;
      const path = join(dir, e.name);
      if (e.isFile() && /\.iso$/i.test(e.name)) {
        try {
          const st = statSync(path);
          if (st.size >= 2048) hits.set(path, { path, size: st.size, mtimeMs: st.mtimeMs });
        } catch {
          // Vanished or unreadable: not offered.
        }
      } else if (e.isDirectory() && depth < MAX_DEPTH) {
        walk(path, depth + 1);
      }
    }
  };
  for (const d of dirs) walk(d, 0);
  return [...hits.values()].sort((a, b) => b.mtimeMs - a.mtimeMs);
}
