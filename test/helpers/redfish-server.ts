/**
 * A small Redfish service for tests: the DMTF ComputerSystem subset rackboot uses (service root, sessions,
 * systems collection, one system with Boot override and AllowableValues, ComputerSystem.Reset, ETags), over
 * TLS with a self-signed certificate openssl makes at test time. Knobs reproduce what real BMCs do
 * differently (boot-chains.md §8.2): Dell's system id, AMI's If-Match requirement, reset types only through
 * @Redfish.ActionInfo, no BootSourceOverrideMode (older schema), no session service (Basic only), target
 * subsets without UefiHttp. Every request is recorded for the test to check.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedfishServerOptions {
  user: string;
  password: string;
  systemId?: string;
  requireIfMatch?: boolean;
  /** Reset types listed only in an ActionInfo resource, not inline. */
  actionInfo?: boolean;
  resetTypes?: string[];
  targets?: string[];
  /** No BootSourceOverrideMode property at all. */
  noMode?: boolean;
  noSessions?: boolean;
  /** The first PATCH gets 412 (the system changed under the client), whatever its If-Match. */
  preconditionFailsOnce?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  auth: 'token' | 'basic' | 'none' | 'bad';
  ifMatch: string | null;
  body: unknown;
}

export interface RedfishServer {
  port: number;
  url: string;
  /** SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it (AA:BB:...). */
  fingerprint: string;
  requests: RecordedRequest[];
  state: { powerState: string; target: string; enabled: string; mode: string; etag: number; sessions: Set<string>; resets: string[] };
  /** Replaces the certificate (as a BMC re-keyed after a firmware update). */
  rekey(): Promise<void>;
  stop(): Promise<void>;
}

function makeCert(dir: string): { key: Buffer; cert: Buffer; fingerprint: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=bmc.test'], { stdio: 'ignore' });
  const printed = execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-noout', '-fingerprint', '-sha256']).toString();
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), fingerprint: printed.split('=')[1]!.trim() };
}

export async function startRedfishServer(o: RedfishServerOptions): Promise<RedfishServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rackboot-redfish-'));
  let tls = makeCert(dir);
  const sysId = o.systemId ?? '1';
  const sysPath = `/redfish/v1/Systems/${sysId}`;
  const resetTypes = o.resetTypes ?? ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'PowerCycle', 'PushPowerButton', 'Nmi'];
  const targets = o.targets ?? ['None', 'Pxe', 'Hdd', 'Cd', 'BiosSetup', 'UefiHttp'];
  const state: RedfishServer['state'] = { powerState: 'Off', target: 'None', enabled: 'Disabled', mode: 'UEFI', etag: 1, sessions: new Set(), resets: [] };
  const requests: RecordedRequest[] = [];
  let sessionSeq = 0;
  let staled = false;

  const system = () => ({
    '@odata.id': sysPath,
    '@odata.type': '#ComputerSystem.v1_13_0.ComputerSystem',
    '@odata.etag': `W/"${state.etag}"`,
    Id: sysId,
    Name: 'Test system',
    PowerState: state.powerState,
    Boot: {
      BootSourceOverrideTarget: state.target,
      'BootSourceOverrideTarget@Redfish.AllowableValues': targets,
      BootSourceOverrideEnabled: state.enabled,
      'BootSourceOverrideEnabled@Redfish.AllowableValues': ['Disabled', 'Once', 'Continuous'],
      ...(o.noMode ? {} : { BootSourceOverrideMode: state.mode, 'BootSourceOverrideMode@Redfish.AllowableValues': ['Legacy', 'UEFI'] }),
    },
    Actions: {
      '#ComputerSystem.Reset': {
        target: `${sysPath}/Actions/ComputerSystem.Reset`,
        ...(o.actionInfo ? { '@Redfish.ActionInfo': `${sysPath}/ResetActionInfo` } : { 'ResetType@Redfish.AllowableValues': resetTypes }),
      },
    },
  });
  const error = (message: string) => ({ error: { code: 'Base.1.8.GeneralError', message: 'A general error has occurred.', '@Message.ExtendedInfo': [{ Message: message }] } });

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      const body: unknown = text ? JSON.parse(text) : undefined;
      const path = new URL(req.url!, 'https://x').pathname.replace(/\/$/, '');
      const token = req.headers['x-auth-token'];
      const basic = req.headers.authorization;
      let auth: RecordedRequest['auth'] = 'none';
      if (typeof token === 'string') auth = state.sessions.has(token) ? 'token' : 'bad';
      else if (typeof basic === 'string') auth = basic === `Basic ${Buffer.from(`${o.user}:${o.password}`).toString('base64')}` ? 'basic' : 'bad';
      const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : null;
      requests.push({ method: req.method!, path, auth, ifMatch, body });
      const send = (status: number, value?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      if (req.method === 'GET' && path === '/redfish/v1') {
        return send(200, { '@odata.id': '/redfish/v1', RedfishVersion: '1.11.0', Systems: { '@odata.id': '/redfish/v1/Systems' }, ...(o.noSessions ? {} : { Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } } }) });
      }
      if (req.method === 'POST' && path === '/redfish/v1/SessionService/Sessions') {
        if (o.noSessions) return send(404, error('no session service'));
        const b = body as { UserName?: string; Password?: string };
        if (b?.UserName !== o.user || b?.Password !== o.password) return send(401, error('Invalid username or password'));
        const t = `tok-${++sessionSeq}`;
        state.sessions.add(t);
        const id = `/redfish/v1/SessionService/Sessions/${sessionSeq}`;
        return send(201, { '@odata.id': id, Id: String(sessionSeq), UserName: o.user }, { 'X-Auth-Token': t, Location: id });
      }
      if (auth !== 'token' && auth !== 'basic') return send(401, error('authentication required'));
      if (req.method === 'DELETE' && path.startsWith('/redfish/v1/SessionService/Sessions/')) {
        state.sessions.delete(typeof token === 'string' ? token : '');
        return send(204);
      }
      if (req.method === 'GET' && path === '/redfish/v1/Systems') return send(200, { Members: [{ '@odata.id': sysPath }], 'Members@odata.count': 1 });
      if (req.method === 'GET' && path === sysPath) return send(200, system(), { ETag: `W/"${state.etag}"` });
      if (req.method === 'GET' && path === `${sysPath}/ResetActionInfo`) return send(200, { Parameters: [{ Name: 'ResetType', Required: true, DataType: 'String', AllowableValues: resetTypes }] });
      if (req.method === 'PATCH' && path === sysPath) {
        if (o.requireIfMatch && !ifMatch) return send(428, error('If-Match header required'));
        if (o.preconditionFailsOnce && !staled) {
          staled = true;
          state.etag++;
          return send(412, error('The resource has changed'));
        }
        if (ifMatch && ifMatch !== `W/"${state.etag}"`) return send(412, error('ETag mismatch'));
        const boot = (body as { Boot?: Record<string, string> })?.Boot ?? {};
        if (boot.BootSourceOverrideTarget && !targets.includes(boot.BootSourceOverrideTarget)) return send(400, error(`The value ${boot.BootSourceOverrideTarget} for BootSourceOverrideTarget is not in the list of acceptable values`));
        if (boot.BootSourceOverrideMode && o.noMode) return send(400, error('The property BootSourceOverrideMode is not in the list of valid properties'));
        state.target = boot.BootSourceOverrideTarget ?? state.target;
        state.enabled = boot.BootSourceOverrideEnabled ?? state.enabled;
        state.mode = boot.BootSourceOverrideMode ?? state.mode;
        state.etag++;
        return send(204);
      }
      if (req.method === 'POST' && path === `${sysPath}/Actions/ComputerSystem.Reset`) {
        const type = (body as { ResetType?: string })?.ResetType ?? '';
        if (!resetTypes.includes(type)) return send(400, error(`The parameter ResetType has the unsupported value ${type}`));
        if (type === 'On' || type === 'ForceOn') state.powerState = 'On';
        else if (type === 'ForceOff' || type === 'GracefulShutdown') state.powerState = 'Off';
        else if (type === 'PowerCycle' || type === 'ForceRestart') state.powerState = 'On';
        state.resets.push(type);
        state.etag++;
        return send(204);
      }
      send(404, error(`no resource ${path}`));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const result: RedfishServer = {
    port,
    url: `https://127.0.0.1:${port}`,
    fingerprint: tls.fingerprint,
    requests,
    state,
    async rekey() {
      tls = makeCert(dir);
      server.setSecureContext({ key: tls.key, cert: tls.cert });
      result.fingerprint = tls.fingerprint;
    },
    async stop() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return result;
}
