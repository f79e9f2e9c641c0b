/**
 * Redfish (DMTF DSP0266, ComputerSystem schema) power and boot override (issue 12, boot-chains.md §8.2).
 * Finds the system from the service root, logs in with a session (X-Auth-Token, DELETEd at the end) or
 * HTTP Basic, reads `@Redfish.AllowableValues` (inline or through `@Redfish.ActionInfo`) before asking for
 * anything, PATCHes with `If-Match: <ETag>` (AMI BMCs refuse a PATCH without it; a 412 re-reads once).
 * TLS: BMCs carry self-signed certificates, so trust is pinned per BMC by the certificate's SHA-256
 * fingerprint, shown to the technician on first use (BMC_TLS_UNTRUSTED with the fingerprint, or accepted
 * when `acceptFingerprint` says so) and refused when it changes. The pin is checked on our own TLS socket
 * before a single byte of the request (and so of the password) is written.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { BmcError } from '../../../shared/api/errors.ts';

export interface RedfishOptions {
  /** https://host[:port] of the BMC. */
  url: string;
  username: string;
  password: string;
  /** 'auto' (default): a session when the service offers one, else Basic. */
  auth?: 'session' | 'basic' | 'auto';
  /** The SHA-256 fingerprint confirmed earlier (AA:BB:...); a different certificate is refused. */
  fingerprint?: string | null;
  /** Without a pinned fingerprint: proceed and report the one seen (trust on first use). Default false. */
  acceptFingerprint?: boolean;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Which system when the BMC has several (its @odata.id or Id); the first otherwise. */
  system?: string;
  /** Every request and its status, for tests and --verbose (Authorization and passwords left out). */
  onRequest?: (r: { method: string; path: string; status: number; body?: unknown; ifMatch?: string }) => void;
}

export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff' | string;

export interface RedfishSystem {
  id: string;
  powerState: PowerState;
  boot: {
    target: string | null;
    enabled: string | null;
    mode: string | null;
    targets: string[] | null;
    modes: string[] | null;
  };
  resetTypes: string[] | null;
}

export interface BootOverride {
  target: 'Pxe' | 'UefiHttp' | string;
  enabled: 'Once' | 'Continuous';
  /** Omitted when the BMC has no BootSourceOverrideMode (older schemas). */
  mode?: 'UEFI' | 'Legacy';
}

export interface RedfishClient {
  /** The certificate's SHA-256 fingerprint, for the technician to confirm and rackboot to pin. */
  readonly fingerprint: string;
  readonly systemPath: string;
  status(): Promise<RedfishSystem>;
  /** ComputerSystem.Reset with a ResetType the BMC allows (checked first). */
  reset(type: string): Promise<void>;
  setBootOverride(o: BootOverride): Promise<{ sent: Record<string, string>; note: string | null }>;
  close(): Promise<void>;
}

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** 'AB:CD:...' upper-case colon form, as browsers and openssl show it. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/^sha256[:=\s]*/i, '').replace(/[:\s]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g)!.join(':') : null;
}

function parseUrl(url: string): { host: string; port: number; base: string } {
  let u: URL;
  try {
    u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`);
  } catch {
    throw new BmcError('BMC_BAD_TARGET', `${JSON.stringify(url)} is not a BMC address`);
  }
  if (u.protocol !== 'https:') throw new BmcError('BMC_BAD_TARGET', `Redfish is spoken over https, not ${u.protocol.replace(':', '')}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : 443, base: u.pathname.replace(/\/+$/, '') };
}

function redfishMessage(body: unknown): string | null {
  const err = (body as { error?: { message?: string; '@Message.ExtendedInfo'?: { Message?: string }[] } } | null)?.error;
  return err?.['@Message.ExtendedInfo']?.[0]?.Message ?? err?.message ?? null;
}

const odataId = (v: unknown): string | null => {
  const id = (v as { '@odata.id'?: unknown } | null | undefined)?.['@odata.id'];
  return typeof id === 'string' ? id : null;
};

export async function openRedfish(o: RedfishOptions): Promise<RedfishClient> {
  const { host, port } = parseUrl(o.url);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pinned = o.fingerprint ? normalizeFingerprint(o.fingerprint) : null;
  if (o.fingerprint && !pinned) throw new BmcError('BMC_BAD_TARGET', `${JSON.stringify(o.fingerprint)} is not a SHA-256 fingerprint`);
  const where = `${host}:${port}`;
  let seen: string | null = null;
  let token: string | null = null;
  let sessionPath: string | null = null;
  let basic = o.auth === 'basic';

  /** A TLS connection whose certificate is checked against the pin before it is handed to HTTP. */
  const connectPinned = () =>
    new Promise<TLSSocket>((resolve, reject) => {
      const socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false, timeout: timeoutMs });
      const fail = (e: Error) => {
        socket.destroy();
        reject(e);
      };
      socket.once('timeout', () => fail(new BmcError('BMC_UNREACHABLE', `no answer from ${where} within ${timeoutMs} ms`)));
      socket.once('error', (e: NodeJS.ErrnoException) =>
        fail(
          e instanceof BmcError
            ? e
            : e.code === 'ECONNREFUSED'
              ? new BmcError('BMC_UNREACHABLE', `nothing listens on ${where} (connection refused): check the BMC address and port`)
              : e.code === 'ENOTFOUND'
                ? new BmcError('BMC_BAD_TARGET', `cannot resolve the BMC host name ${host}`)
                : new BmcError('BMC_UNREACHABLE', `cannot reach ${where}: ${e.message}`),
        ),
      );
      socket.once('secureConnect', () => {
        const raw = socket.getPeerCertificate()?.fingerprint256;
        const fp = raw ? normalizeFingerprint(raw) : null;
        if (!fp) return fail(new BmcError('BMC_PROTOCOL', `${where} presented no certificate`));
        seen = fp;
        if (pinned && fp !== pinned) {
          return fail(new BmcError('BMC_TLS_UNTRUSTED', `the certificate of ${where} changed: SHA-256 ${fp}, not the confirmed ${pinned}. If the BMC's certificate was replaced on purpose, confirm the new fingerprint`, { fingerprint: fp, pinned }));
        }
        if (!pinned && !o.acceptFingerprint) {
          return fail(new BmcError('BMC_TLS_UNTRUSTED', `the certificate of ${where} is not confirmed yet: SHA-256 ${fp}. Compare it with the one the BMC's own web page shows, then confirm it`, { fingerprint: fp }));
        }
        socket.setTimeout(0);
        resolve(socket);
      });
    });

  const send = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Response> => {
    const socket = await connectPinned();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { Accept: 'application/json', 'OData-Version': '4.0', Host: port === 443 ? host : `${host}:${port}`, ...extra };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    if (token) headers['X-Auth-Token'] = token;
    else if (basic) headers.Authorization = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
    const res = await new Promise<Response>((resolve, reject) => {
      // No agent: with createConnection and no agent, http uses our pinned socket (agent: false would open its own).
      const req = httpRequest({ method, path, headers, createConnection: () => socket, timeout: timeoutMs }, (r) => {
        const chunks: Buffer[] = [];
        let size = 0;
        r.on('data', (c: Buffer) => {
          size += c.length;
          // A Redfish resource is kilobytes; a BMC streaming megabytes is broken or hostile.
          if (size > 4 << 20) req.destroy(new BmcError('BMC_PROTOCOL', `${method} ${path}: the answer exceeds 4 MiB`));
          else chunks.push(c);
        });
        r.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          if (text.trim()) {
            try {
              parsed = JSON.parse(text);
            } catch {
              if (r.statusCode! < 300) return reject(new BmcError('BMC_PROTOCOL', `${method} ${path}: the answer is not JSON`));
            }
          }
          resolve({ status: r.statusCode!, headers: r.headers, body: parsed });
        });
        r.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new BmcError('BMC_UNREACHABLE', `${method} ${path}: no answer from ${where} within ${timeoutMs} ms`)));
      req.on('error', (e) => reject(e instanceof BmcError ? e : new BmcError('BMC_UNREACHABLE', `${method} ${path} on ${where}: ${e.message}`)));
      req.end(payload);
    });
    const ifMatch = extra['If-Match'];
    o.onRequest?.({ method, path, status: res.status, ...(method === 'PATCH' || (method === 'POST' && !path.endsWith('/Sessions')) ? { body } : {}), ...(ifMatch ? { ifMatch } : {}) });
    return res;
  };

  const check = (res: Response, what: string): Response => {
    if (res.status < 300) return res;
    const detail = redfishMessage(res.body);
    const tail = detail ? `: ${detail}` : '';
    if (res.status === 401) throw new BmcError('BMC_AUTH_FAILED', `${what}: the BMC refused user ${JSON.stringify(o.username)} (wrong user name or password)${tail}`, { status: 401 });
    if (res.status === 403) throw new BmcError('BMC_AUTH_FAILED', `${what}: user ${JSON.stringify(o.username)} may not do this${tail}`, { status: 403 });
    if (res.status === 503 || res.status === 429) throw new BmcError('BMC_BUSY', `${what}: the BMC is busy (HTTP ${res.status})${tail}: try again in a minute`, { status: res.status });
    throw new BmcError('BMC_REFUSED', `${what}: HTTP ${res.status}${tail}`, { status: res.status, detail });
  };

  const get = async (path: string, what: string) => check(await send('GET', path), what);

  // The service root answers without credentials (DSP0266 §13.2) and says where everything is.
  const root = (await get('/redfish/v1', 'service root')).body as Record<string, unknown>;
  const systemsPath = odataId(root.Systems) ?? '/redfish/v1/Systems';
  const sessionsLink = odataId((root.Links as Record<string, unknown> | undefined)?.Sessions);
  // DSP0266 makes Links.Sessions mandatory in the root; a service without it has no sessions to offer.
  if (!sessionsLink && o.auth !== 'session') basic = true;
  if (!basic) {
    const sessions = sessionsLink ?? '/redfish/v1/SessionService/Sessions';
    const res = await send('POST', sessions, { UserName: o.username, Password: o.password });
    const t = res.headers['x-auth-token'];
    if (res.status < 300 && typeof t === 'string') {
      token = t;
      const location = res.headers.location;
      sessionPath = typeof location === 'string' ? new URL(location, 'https://bmc').pathname : odataId(res.body);
    } else if (res.status === 401 || res.status === 403 || o.auth === 'session') {
      check(res.status < 300 ? { ...res, status: 502 } : res, 'log in');
    } else {
      // No session service (404/405/501): Basic on every request, as the DMTF tools fall back to.
      basic = true;
    }
  }

  const collection = (await get(systemsPath, 'systems')).body as { Members?: unknown[] };
  const members = (collection.Members ?? []).map(odataId).filter((x): x is string => x !== null);
  const systemPath = o.system ? members.find((m) => m === o.system || m.endsWith(`/${o.system}`)) : members[0];
  if (!systemPath) throw new BmcError('BMC_REFUSED', o.system ? `the BMC has no system ${o.system} (it has ${members.join(', ') || 'none'})` : 'the BMC lists no computer system');

  const readSystem = async () => {
    const res = await get(systemPath, 'system');
    const etag = typeof res.headers.etag === 'string' ? res.headers.etag : ((res.body as Record<string, unknown>)['@odata.etag'] as string | undefined);
    return { body: res.body as Record<string, unknown>, etag: etag ?? null };
  };

  const resetInfo = async (sys: Record<string, unknown>): Promise<{ target: string; allowed: string[] | null }> => {
    const action = (sys.Actions as Record<string, Record<string, unknown>> | undefined)?.['#ComputerSystem.Reset'];
    const target = typeof action?.target === 'string' ? action.target : `${systemPath}/Actions/ComputerSystem.Reset`;
    const inline = action?.['ResetType@Redfish.AllowableValues'];
    if (Array.isArray(inline)) return { target, allowed: inline.map(String) };
    const info = action?.['@Redfish.ActionInfo'];
    if (typeof info === 'string') {
      const params = ((await get(info, 'reset action info')).body as { Parameters?: { Name?: string; AllowableValues?: unknown[] }[] }).Parameters ?? [];
      const p = params.find((x) => x.Name === 'ResetType');
      if (Array.isArray(p?.AllowableValues)) return { target, allowed: p.AllowableValues.map(String) };
    }
    return { target, allowed: null };
  };

  const status = async (): Promise<RedfishSystem> => {
    const { body } = await readSystem();
    const boot = (body.Boot ?? {}) as Record<string, unknown>;
    const list = (k: string) => (Array.isArray(boot[`${k}@Redfish.AllowableValues`]) ? (boot[`${k}@Redfish.AllowableValues`] as unknown[]).map(String) : null);
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return {
      id: str(body.Id) ?? systemPath,
      powerState: str(body.PowerState) ?? 'unknown',
      boot: { target: str(boot.BootSourceOverrideTarget), enabled: str(boot.BootSourceOverrideEnabled), mode: str(boot.BootSourceOverrideMode), targets: list('BootSourceOverrideTarget'), modes: list('BootSourceOverrideMode') },
      resetTypes: (await resetInfo(body)).allowed,
    };
  };

  const client: RedfishClient = {
    get fingerprint() {
      return seen!;
    },
    systemPath,
    status,
    async reset(type) {
      const { body } = await readSystem();
      const { target, allowed } = await resetInfo(body);
      if (allowed && !allowed.includes(type)) throw new BmcError('BMC_REFUSED', `the BMC does not offer ResetType ${type} (it offers ${allowed.join(', ')})`, { allowed });
      check(await send('POST', target, { ResetType: type }), `reset (${type})`);
    },
    async setBootOverride(b) {
      let { body, etag } = await readSystem();
      const boot = (body.Boot ?? {}) as Record<string, unknown>;
      const allowed = (k: string) => boot[`${k}@Redfish.AllowableValues`] as string[] | undefined;
      const targets = allowed('BootSourceOverrideTarget');
      if (targets && !targets.includes(b.target)) throw new BmcError('BMC_REFUSED', `the BMC cannot boot ${b.target} (its boot override targets: ${targets.join(', ')})`, { allowed: targets });
      const enabled = allowed('BootSourceOverrideEnabled');
      if (enabled && !enabled.includes(b.enabled)) throw new BmcError('BMC_REFUSED', `the BMC has no boot override ${b.enabled} (it offers ${enabled.join(', ')})`, { allowed: enabled });
      const sent: Record<string, string> = { BootSourceOverrideTarget: b.target, BootSourceOverrideEnabled: b.enabled };
      let note: string | null = null;
      if (b.mode) {
        const modes = allowed('BootSourceOverrideMode');
        if (!('BootSourceOverrideMode' in boot) && !modes) note = `the BMC has no BootSourceOverrideMode: it boots in the mode its firmware is set to, ${b.mode} not forced`;
        else if (modes && !modes.includes(b.mode)) throw new BmcError('BMC_REFUSED', `the BMC cannot force ${b.mode} boot (it offers ${modes.join(', ')})`, { allowed: modes });
        else if (boot.BootSourceOverrideMode !== b.mode) sent.BootSourceOverrideMode = b.mode;
      }
      for (let attempt = 0; ; attempt++) {
        const res = await send('PATCH', systemPath, { Boot: sent }, etag ? { 'If-Match': etag } : {});
        // 412: the system changed since it was read (or the ETag went stale): read it again, once.
        if (res.status === 412 && attempt === 0) {
          ({ body, etag } = await readSystem());
          continue;
        }
        if (res.status === 428) throw new BmcError('BMC_REFUSED', 'the BMC wants If-Match on PATCH but gave no ETag to send', { status: 428 });
        check(res, 'boot override');
        return { sent, note };
      }
    },
    async close() {
      if (token && sessionPath) {
        const path = sessionPath;
        sessionPath = null;
        await send('DELETE', path).catch(() => {});
      }
      token = null;
    },
  };
  return client;
}

export async function withRedfish<T>(o: RedfishOptions, fn: (c: RedfishClient) => Promise<T>): Promise<T> {
  const c = await openRedfish(o);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** rackboot's power words to a ResetType the BMC offers (null offered list: the DMTF defaults). */
export function resetTypeFor(action: 'on' | 'off' | 'cycle' | 'reset' | 'soft', offered: string[] | null, powerOn: boolean): string {
  const ok = (t: string) => offered === null || offered.includes(t);
  const first = (...types: string[]) => types.find(ok) ?? null;
  let pick: string | null;
  switch (action) {
    case 'on':
      pick = first('On', 'ForceOn', 'PushPowerButton');
      break;
    case 'off':
      pick = first('ForceOff', 'PushPowerButton');
      break;
    case 'soft':
      pick = first('GracefulShutdown', 'PushPowerButton');
      break;
    case 'reset':
      pick = first('ForceRestart', 'PowerCycle');
      break;
    case 'cycle':
      // A cycle of a machine that is off is an "on" (boot-chains.md §8.1: many BMCs refuse to cycle an off host).
      pick = powerOn ? first('PowerCycle', 'ForceRestart') : first('On', 'ForceOn');
      break;
  }
  if (!pick) throw new BmcError('BMC_REFUSED', `the BMC offers no reset type for "${action}" (it offers ${offered?.join(', ')})`, { allowed: offered });
  return pick;
}
