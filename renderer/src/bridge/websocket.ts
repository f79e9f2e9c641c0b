/** Browser-mode client of the one API: a WebSocket to the core on 127.0.0.1, authenticated by the launch token. */
import type { ApiClient, MethodName, StreamName } from '../../../shared/api/contract.ts';
import { METHOD_NAMES } from '../../../shared/api/contract.ts';
import type { Result } from '../../../shared/api/result.ts';

type Listener = (data: unknown) => void;

export interface SocketClient extends ApiClient {
  onConnection(listener: (state: 'connecting' | 'open' | 'closed') => void): () => void;
}

export function createWebSocketClient(url: string): SocketClient {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let retry = 0;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<StreamName, Set<Listener>>();
  const connectionListeners = new Set<(s: 'connecting' | 'open' | 'closed') => void>();
  let opened: Promise<void>;

  const setConnection = (s: 'connecting' | 'open' | 'closed') => connectionListeners.forEach((l) => l(s));

  const connect = () => {
    setConnection('connecting');
    opened = new Promise((resolve) => {
      const socket = new WebSocket(url);
      ws = socket;
      socket.onopen = () => {
        retry = 0;
        setConnection('open');
        resolve();
      };
      socket.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { type: string; id?: number; result?: Result<unknown>; stream?: StreamName; data?: unknown };
        if (msg.type === 'result' && typeof msg.id === 'number') {
          pending.get(msg.id)?.(msg.result!);
          pending.delete(msg.id);
        } else if (msg.type === 'stream' && msg.stream) {
          listeners.get(msg.stream)?.forEach((l) => l(msg.data));
        }
      };
      socket.onclose = () => {
        setConnection('closed');
        for (const [, settle] of pending) settle({ ok: false, error: { code: 'INTERNAL', message: 'connection to rackboot lost' } });
        pending.clear();
        // The core may be restarting; come back with a capped backoff.
        setTimeout(connect, Math.min(5000, 250 * 2 ** retry++));
      };
    });
  };
  connect();

  const call = async (method: MethodName, input: unknown): Promise<Result<unknown>> => {
    await opened;
    // Between a drop and the reconnect the socket is closed: answer at once instead of hanging the caller.
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return { ok: false, error: { code: 'INTERNAL', message: 'not connected to rackboot; reconnecting' } };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      ws!.send(JSON.stringify({ type: 'call', id, method, input }));
    });
  };

  const client = Object.fromEntries(METHOD_NAMES.map((m) => [m, (input: unknown) => call(m, input)])) as unknown as SocketClient;
  client.on = ((stream: StreamName, listener: Listener) => {
    let set = listeners.get(stream);
    if (!set) listeners.set(stream, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }) as ApiClient['on'];
  client.onConnection = (listener) => {
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  };
  return client;
}
