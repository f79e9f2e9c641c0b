/**
 * The local API's WebSocket transport (browser mode, electron/core/api/ui-server.ts) refuses everything it
 * should (issue 9): it listens on 127.0.0.1 only; the upgrade needs the per-launch token, a local Host and a
 * local Origin (or none, for non-browser clients); a frame that is not JSON, not a call, names no method or
 * carries arguments that fail the contract never reaches a handler. The handlers here are stand-ins that
 * count their calls: a rejection is proven by its error code AND by no handler having run.
 */
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { contract, type ApiHandlers, type MethodName } from '../../shared/api/contract.ts';
import { startUiServer, type UiServer } from '../../electron/core/api/ui-server.ts';
import { tempDir } from '../helpers/rackboot.ts';
import { figure } from './figures.ts';

const calls: { method: string; input: unknown }[] = [];
const handlers = new Proxy({} as ApiHandlers, {
  get: (_t, method: string) => async (input: unknown) => {
    calls.push({ method, input });
    return method === 'getStatus' ? { state: 'stopped' } : null;
  },
});

const dir = tempDir('rackboot-api-');
let ui: UiServer;
beforeAll(async () => {
  ui = await startUiServer({ api: handlers, subscribe: () => () => {}, rendererDir: dir.path });
});
afterAll(async () => {
  await ui.close();
  dir.remove();
});

/** The HTTP status of a WebSocket upgrade (101 when accepted), sent raw so every header is exactly ours. */
function upgrade(path: string, headers: Record<string, string>, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(ui.port, host);
    let got = '';
    s.on('data', (d) => {
      got += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    const all = { host: `127.0.0.1:${ui.port}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers };
    s.write(`GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  });
}

/** A connected client with the right token and Origin; `call` sends one frame and resolves with its result. */
async function client(): Promise<{ send(raw: string): Promise<{ ok: boolean; error?: { code: string } }>; ws: WebSocket }> {
  const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/api?token=${ui.token}`, { origin: `http://127.0.0.1:${ui.port}` });
  await new Promise<void>((ok, fail) => (ws.once('open', () => ok()), ws.once('error', fail)));
  const queue: ((r: { ok: boolean; error?: { code: string } }) => void)[] = [];
  ws.on('message', (m) => {
    const msg = JSON.parse(String(m)) as { type: string; result: { ok: boolean; error?: { code: string } } };
    if (msg.type === 'result') queue.shift()?.(msg.result);
  });
  return {
    ws,
    send: (raw) =>
      new Promise((resolve) => {
        queue.push(resolve);
        ws.send(raw);
      }),
  };
}

describe('the local API over WebSocket', () => {
  it('listens on 127.0.0.1 only: other local addresses are refused', async ({ task }) => {
    const others = ['127.0.0.2', ...Object.values(networkInterfaces()).flat().filter((n) => n && n.family === 'IPv4' && !n.internal).map((n) => n!.address)];
    const refused: string[] = [];
    for (const host of others) {
      const code = await new Promise<string>((resolve) => {
        const s = connect(ui.port, host);
        s.once('connect', () => (s.destroy(), resolve('connected')));
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(code, `connecting to ${host}:${ui.port}`).toBe('ECONNREFUSED');
      refused.push(host);
    }
    expect(await upgrade(`/api?token=${ui.token}`, { origin: `http://127.0.0.1:${ui.port}` })).toBe(101);
    figure(task.meta, `bound to 127.0.0.1:${ui.port}; refused on ${refused.join(', ')}`);
  });

  it('refuses the upgrade without the token, with a wrong token, a foreign Origin or a foreign Host', async ({ task }) => {
    const origin = `http://127.0.0.1:${ui.port}`;
    const wrong = ui.token.slice(0, -1) + (ui.token.endsWith('A') ? 'B' : 'A');
    const cases: [string, string, Record<string, string>, number][] = [
      ['no token', '/api', { origin }, 401],
      ['empty token', '/api?token=', { origin }, 401],
      ['wrong token, same length', `/api?token=${wrong}`, { origin }, 401],
      ['wrong token, longer', `/api?token=${ui.token}x`, { origin }, 401],
      ['token twice, first wrong', `/api?token=${wrong}&token=${ui.token}`, { origin }, 401],
      ['foreign Origin', `/api?token=${ui.token}`, { origin: 'http://evil.example' }, 403],
      ['Origin with a look-alike host', `/api?token=${ui.token}`, { origin: `http://127.0.0.1:${ui.port}.evil.example` }, 403],
      ['Origin on another port', `/api?token=${ui.token}`, { origin: `http://127.0.0.1:${ui.port + 1}` }, 403],
      ['https Origin', `/api?token=${ui.token}`, { origin: `https://127.0.0.1:${ui.port}` }, 403],
      ['Origin null (sandboxed frame, file://)', `/api?token=${ui.token}`, { origin: 'null' }, 403],
      ['DNS rebinding: foreign Host', `/api?token=${ui.token}`, { origin: 'http://evil.example', host: `evil.example:${ui.port}` }, 403],
      ['foreign Host, no Origin', `/api?token=${ui.token}`, { host: `evil.example:${ui.port}` }, 403],
      ['another path', `/other?token=${ui.token}`, { origin }, 404],
    ];
    const before = calls.length;
    for (const [what, path, headers, status] of cases) expect(await upgrade(path, headers), what).toBe(status);
    expect(calls.length).toBe(before);
    figure(task.meta, `${cases.length} refused upgrades (no/empty/wrong token 401, foreign Origin/Host 403), 0 handler calls`);
  });

  it('answers malformed frames, unknown methods and invalid arguments for every method with an error, and no handler runs', async ({ task }) => {
    const c = await client();
    try {
      // A valid call works: the refusals below are the contract's, not a broken connection's.
      expect(await c.send(JSON.stringify({ type: 'call', id: 1, method: 'getStatus' }))).toMatchObject({ ok: true });
      expect(calls.at(-1)).toEqual({ method: 'getStatus', input: undefined });
      const before = calls.length;
      const codes = new Map<string, number>();
      const expectCode = async (raw: string, code: string, what: string) => {
        const r = await c.send(raw);
        expect(r, what).toMatchObject({ ok: false, error: { code } });
        codes.set(code, (codes.get(code) ?? 0) + 1);
      };
      for (const raw of ['not json', '{"type":"call"', '', '\u0000', '[]', 'null', '42', '"call"']) {
        const r = await c.send(raw);
        expect(r, JSON.stringify(raw)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
        codes.set('BAD_REQUEST', (codes.get('BAD_REQUEST') ?? 0) + 1);
      }
      for (const frame of [{ type: 'call' }, { type: 'call', id: {}, method: 'getStatus' }, { type: 'subscribe', id: 1, method: 'getStatus' }, { id: 1, method: 'getStatus' }]) {
        await expectCode(JSON.stringify(frame), 'BAD_REQUEST', JSON.stringify(frame));
      }
      for (const method of ['nope', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'GETSTATUS', 'getStatus ', 42, null, ['getStatus'], { name: 'getStatus' }]) {
        await expectCode(JSON.stringify({ type: 'call', id: 2, method, input: {} }), 'UNKNOWN_METHOD', `method ${JSON.stringify(method)}`);
      }
      // Every method: inputs of the wrong shape, and each declared argument with a value of the wrong type.
      const methods = Object.keys(contract.methods) as MethodName[];
      let invalid = 0;
      for (const method of methods) {
        const schema = contract.methods[method].input as z.ZodType;
        const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as { type?: string; properties?: Record<string, { type?: string | string[] }> };
        const inputs: unknown[] = [{ __proto__bogus: 1 }, 'text', 12, true, [], [1, 2], { constructor: { prototype: { polluted: true } } }];
        if (json.type !== undefined || json.properties) inputs.push(null);
        for (const [prop, spec] of Object.entries(json.properties ?? {})) {
          const t = Array.isArray(spec.type) ? spec.type[0] : spec.type;
          inputs.push({ [prop]: t === 'string' ? 12345 : t === 'number' || t === 'integer' ? 'not a number' : t === 'boolean' ? 'yes' : t === 'array' ? 'not a list' : t === 'object' ? 'not an object' : Symbol.for('x').toString() + 1 });
          // Every argument at once with values nothing accepts.
          inputs.push({ [prop]: { $gt: '' } });
        }
        for (const input of inputs) {
          if (schema.safeParse(input).success) continue; // e.g. `{}` with only optional fields: valid, not our case
          await expectCode(JSON.stringify({ type: 'call', id: 3, method, input }), 'BAD_REQUEST', `${method}(${JSON.stringify(input)})`);
          invalid++;
        }
      }
      expect(calls.length, `handlers ran for: ${JSON.stringify(calls.slice(before))}`).toBe(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      figure(task.meta, `${[...codes.values()].reduce((a, b) => a + b, 0)} rejected frames (${[...codes].map(([k, v]) => `${k} ${v}`).join(', ')}), ${invalid} of them invalid arguments over all ${methods.length} methods; 0 reached a handler`);
    } finally {
      c.ws.close();
    }
  });

  it('ends a client that sends an oversized frame and keeps serving the others', async ({ task }) => {
    const big = await client();
    const closed = new Promise<number>((r) => big.ws.once('close', (code) => r(code)));
    big.ws.send('x'.repeat((1 << 20) + 1));
    const code = await closed;
    expect(code).toBe(1009); // message too big
    const c = await client();
    expect(await c.send(JSON.stringify({ type: 'call', id: 1, method: 'getStatus' }))).toMatchObject({ ok: true });
    c.ws.close();
    figure(task.meta, `a 1 MiB + 1 frame closed its connection (${code}); the next client served`);
  });
});
