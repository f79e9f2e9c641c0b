/** Picks the transport: the preload's object inside Electron, else the WebSocket of browser mode. */
import type { ApiClient } from '../../../shared/api/contract.ts';
import { createWebSocketClient, type SocketClient } from './websocket.ts';

declare global {
  interface Window {
    /** Exposed by electron/preload: one method per contract entry, no generic invoke. */
    rackboot?: ApiClient;
  }
}

export type Bridge =
  | { mode: 'electron'; client: ApiClient }
  | { mode: 'browser'; client: SocketClient }
  | { mode: 'unauthorised'; client: null };

export function connectBridge(): Bridge {
  if (window.rackboot) return { mode: 'electron', client: window.rackboot };
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return { mode: 'unauthorised', client: null };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return { mode: 'browser', client: createWebSocketClient(`${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`) };
}
