import { homedir } from 'node:os';
import { join } from 'node:path';

/** Per-OS data directory: XDG on Linux, Application Support on macOS, %APPDATA% on Windows. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || homedir();
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'rackboot');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'rackboot');
  // XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share'), 'rackboot');
}
