/**
 * The only importer of ipcMain (CONVENTIONS §5). Every call is checked against the window's own top frame,
 * parsed by the contract's schema, and answered with a Result value.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { METHOD_NAMES, dispatch, type ApiHandlers } from '../../../shared/api/contract.ts';
import type { StreamSink } from '../../core/server.ts';
import { err } from '../../../shared/api/result.ts';
import { isAppUrl } from '../window-options.ts';

export const CHANNEL_PREFIX = 'rackboot:';
export const STREAM_CHANNEL = 'rackboot:stream';

export function registerIpc(
  api: ApiHandlers,
  subscribe: (sink: StreamSink) => () => void,
  getWindow: () => BrowserWindow | null,
  appUrl: string,
): () => void {
  const trusted = (event: IpcMainInvokeEvent) => {
    const win = getWindow();
    const frame = event.senderFrame;
    return Boolean(win && frame && event.sender === win.webContents && frame === win.webContents.mainFrame && isAppUrl(frame.url, appUrl));
  };
  for (const name of METHOD_NAMES) {
    ipcMain.handle(CHANNEL_PREFIX + name, (event, input: unknown) => {
      if (!trusted(event)) return err('FORBIDDEN', 'IPC from an unexpected frame');
      return dispatch(api, name, input);
    });
  }
  const unsubscribe = subscribe((stream, data) => {
    const win = getWindow();
    if (win && !win.isDestroyed()) win.webContents.send(STREAM_CHANNEL, { stream, data });
  });
  return () => {
    unsubscribe();
    for (const name of METHOD_NAMES) ipcMain.removeHandler(CHANNEL_PREFIX + name);
  };
}
