import { BrowserWindow, session, shell } from 'electron';
import { UI_CSP, WEB_PREFERENCES, WINDOW_OPTIONS, isAppUrl } from './window-options.ts';

export function createMainWindow(opts: { indexHtml: string; preload: string }): BrowserWindow {
  const win = new BrowserWindow({ ...WINDOW_OPTIONS, webPreferences: { ...WEB_PREFERENCES, preload: opts.preload } });
  const appUrl = new URL(`file://${opts.indexHtml}`).href;

  // The CSP also ships in index.html's meta tag; the header covers anything else the session loads.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [UI_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadFile(opts.indexHtml);
  return win;
}
