/**
 * Sandboxed preload: exposes one object built from the contract, one function per method plus `on` for
 * streams. It only forwards; there is no generic invoke(channel).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { StreamName } from '../../shared/api/contract.ts';
import { METHOD_NAMES, STREAM_NAMES } from '../../shared/api/names.ts';

const api: Record<string, unknown> = {};
for (const name of METHOD_NAMES) {
  api[name] = (input: unknown) => ipcRenderer.invoke(`rackboot:${name}`, input);
}
api.on = (stream: StreamName, listener: (data: unknown) => void) => {
  if (!(STREAM_NAMES as readonly string[]).includes(stream)) throw new Error(`unknown stream ${String(stream)}`);
  const handler = (_e: unknown, msg: { stream: StreamName; data: unknown }) => {
    if (msg.stream === stream) listener(msg.data);
  };
  ipcRenderer.on('rackboot:stream', handler);
  return () => ipcRenderer.removeListener('rackboot:stream', handler);
};

contextBridge.exposeInMainWorld('rackboot', api);
// A dropped ISO's path: the renderer hands it to addIso. Nothing else about the file system crosses.
contextBridge.exposeInMainWorld('rackbootFiles', { pathFor: (file: File) => webUtils.getPathForFile(file) });
