/** Electron lifecycle: one window on the core. All boot logic lives in electron/core (plain Node). */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, dialog, type BrowserWindow } from 'electron';
import { createBootServer, type BootServer } from '../core/server.ts';
import { defaultDataDir } from '../core/store/paths.ts';
import { registerIpc } from './ipc/register.ts';
import { createMainWindow } from './window.ts';

// Bundled to build/out/main/index.cjs; the renderer is built to renderer/dist beside it.
const root = join(__dirname, '..', '..', '..');
const indexHtml = join(root, 'renderer', 'dist', 'index.html');
const preload = join(__dirname, '..', 'preload', 'index.cjs');

let core: BootServer | null = null;
let win: BrowserWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  // A second rackboot would fight the first for ports 67/69; focus the first instead.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.enableSandbox();
  app
    .whenReady()
    .then(() => {
      core = createBootServer({ dataDir: process.env.RACKBOOT_DATA ?? defaultDataDir() });
      registerIpc(core.api, core.subscribe, () => win, pathToFileURL(indexHtml).href);
      win = createMainWindow({ indexHtml, preload });
      win.on('closed', () => (win = null));
    })
    .catch((e: unknown) => {
      dialog.showErrorBox('rackboot could not start', e instanceof Error ? e.message : String(e));
      app.exit(1);
    });
  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('before-quit', (event) => {
    if (!core || closing) return;
    // Release the ports and flush the store before the process ends.
    event.preventDefault();
    closing = true;
    void core.close().finally(() => app.exit(0));
  });
}
