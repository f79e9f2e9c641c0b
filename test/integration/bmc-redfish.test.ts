/**
 * rackboot's Redfish client against the test service (test/helpers/redfish-server.ts) over TLS with a
 * certificate openssl made for the run: trust on first use (openssl's fingerprint is the one reported),
 * sessions and Basic, AllowableValues read before acting, If-Match on PATCH, the odd BMCs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BmcError } from '../../shared/api/errors.ts';
import { normalizeFingerprint, openRedfish, resetTypeFor, withRedfish, type RedfishOptions } from '../../electron/core/bmc/redfish.ts';
import { startRedfishServer, type RedfishServer, type RedfishServerOptions } from '../helpers/redfish-server.ts';
import { missing } from '../helpers/tools.ts';

const servers: RedfishServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function bmc(o: Partial<RedfishServerOptions> = {}): Promise<{ s: RedfishServer; c: RedfishOptions }> {
  const s = await startRedfishServer({ user: 'root', password: 'calvin', ...o });
  servers.push(s);
  return { s, c: { url: s.url, username: 'root', password: 'calvin', fingerprint: s.fingerprint } };
}
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof BmcError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe.skipIf(missing('openssl'))('Redfish', () => {
  it('first use: refused with the fingerprint openssl prints; accepted once confirmed; nothing sent before', async () => {
    const { s, c } = await bmc();
    const first = await failure(openRedfish({ ...c, fingerprint: null }));
    expect(first.code).toBe('BMC_TLS_UNTRUSTED');
    expect(first.fields.fingerprint).toBe(s.fingerprint);
    expect(first.message).toContain(s.fingerprint);
    // The refusal happened in the TLS handshake: the service saw no request at all.
    expect(s.requests).toEqual([]);
    const tofu = await withRedfish({ ...c, fingerprint: null, acceptFingerprint: true }, async (r) => r.fingerprint);
    expect(tofu).toBe(s.fingerprint);
    expect(await withRedfish(c, async (r) => (await r.status()).powerState)).toBe('Off');
    expect(normalizeFingerprint(s.fingerprint.toLowerCase().replace(/:/g, ''))).toBe(s.fingerprint);
  });

  it('a changed certificate is refused, naming both fingerprints', async () => {
    const { s, c } = await bmc();
    const old = s.fingerprint;
    await s.rekey();
    const e = await failure(openRedfish(c));
    expect(e.code).toBe('BMC_TLS_UNTRUSTED');
    expect(e.message).toContain(s.fingerprint);
    expect(e.message).toContain(old);
  });

  it('session login, PXE once in UEFI with If-Match, power on, logout: the requests in order', async () => {
    const { s, c } = await bmc();
    await withRedfish(c, async (r) => {
      const st = await r.status();
      expect(st.boot.targets).toContain('Pxe');
      expect(await r.setBootOverride({ target: 'Pxe', enabled: 'Once', mode: 'UEFI' })).toEqual({ sent: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' }, note: null });
      await r.reset(resetTypeFor('cycle', st.resetTypes, st.powerState === 'On'));
    });
    expect(s.requests.map((q) => `${q.method} ${q.path} ${q.auth}${q.ifMatch ? ` If-Match:${q.ifMatch}` : ''}`)).toEqual([
      'GET /redfish/v1 none',
      'POST /redfish/v1/SessionService/Sessions none',
      'GET /redfish/v1/Systems token',
      'GET /redfish/v1/Systems/1 token',
      'GET /redfish/v1/Systems/1 token',
      'PATCH /redfish/v1/Systems/1 token If-Match:W/"1"',
      'GET /redfish/v1/Systems/1 token',
      'POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset token',
      'DELETE /redfish/v1/SessionService/Sessions/1 token',
    ]);
    expect(s.requests[5]!.body).toEqual({ Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } });
    // The machine was off: a "cycle" is an On.
    expect(s.state.resets).toEqual(['On']);
    expect(s.state).toMatchObject({ target: 'Pxe', enabled: 'Once', mode: 'UEFI', powerState: 'On' });
    expect(s.state.sessions.size).toBe(0);
  });

  it('legacy mode is sent only when it differs; Continuous for --persistent', async () => {
    const { s, c } = await bmc();
    await withRedfish(c, (r) => r.setBootOverride({ target: 'Pxe', enabled: 'Continuous', mode: 'Legacy' }));
    expect(s.requests.find((q) => q.method === 'PATCH')!.body).toEqual({ Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Continuous', BootSourceOverrideMode: 'Legacy' } });
  });

  it('Dell-style id, reset types only in ActionInfo, If-Match required, Basic when there is no session service', async () => {
    const { s, c } = await bmc({ systemId: 'System.Embedded.1', actionInfo: true, requireIfMatch: true, noSessions: true, resetTypes: ['On', 'ForceOff', 'ForceRestart', 'GracefulShutdown'] });
    await withRedfish(c, async (r) => {
      expect(r.systemPath).toBe('/redfish/v1/Systems/System.Embedded.1');
      const st = await r.status();
      expect(st.resetTypes).toEqual(['On', 'ForceOff', 'ForceRestart', 'GracefulShutdown']);
      await r.setBootOverride({ target: 'Pxe', enabled: 'Once' });
      await r.reset(resetTypeFor('on', st.resetTypes, false));
      // No PowerCycle offered: a cycle of a running machine is a ForceRestart.
      await r.reset(resetTypeFor('cycle', st.resetTypes, true));
    });
    expect(s.requests.filter((q) => q.path !== '/redfish/v1').every((q) => q.auth === 'basic')).toBe(true);
    expect(s.requests.find((q) => q.method === 'PATCH')!.ifMatch).toBe('W/"1"');
    expect(s.state.resets).toEqual(['On', 'ForceRestart']);
  });

  it('a stale ETag (412) is read again once, then the PATCH goes through with the new one', async () => {
    const { s, c } = await bmc({ requireIfMatch: true, preconditionFailsOnce: true });
    await withRedfish(c, (r) => r.setBootOverride({ target: 'Pxe', enabled: 'Once', mode: 'UEFI' }));
    expect(s.requests.filter((q) => q.method === 'PATCH').map((q) => q.ifMatch)).toEqual(['W/"1"', 'W/"2"']);
    expect(s.state.target).toBe('Pxe');
  });

  it('what the BMC does not allow is refused before it is asked, with what it offers', async () => {
    const { s, c } = await bmc({ targets: ['None', 'Pxe', 'Hdd'], noMode: true, resetTypes: ['On', 'ForceOff'] });
    await withRedfish(c, async (r) => {
      const http = await failure(r.setBootOverride({ target: 'UefiHttp', enabled: 'Once' }));
      expect(http.code).toBe('BMC_REFUSED');
      expect(http.message).toBe('the BMC cannot boot UefiHttp (its boot override targets: None, Pxe, Hdd)');
      expect((await r.setBootOverride({ target: 'Pxe', enabled: 'Once', mode: 'UEFI' })).note).toMatch(/no BootSourceOverrideMode/);
      expect((await failure(r.reset('PowerCycle'))).message).toBe('the BMC does not offer ResetType PowerCycle (it offers On, ForceOff)');
    });
    expect(s.requests.filter((q) => q.method === 'PATCH').map((q) => q.body)).toEqual([{ Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } }]);
    expect(s.requests.some((q) => q.path.endsWith('ComputerSystem.Reset'))).toBe(false);
  });

  it('wrong password: BMC_AUTH_FAILED with the BMC`s words; session and basic alike', async () => {
    const { c } = await bmc();
    const e = await failure(openRedfish({ ...c, password: 'nope' }));
    expect(e.code).toBe('BMC_AUTH_FAILED');
    expect(e.message).toMatch(/wrong user name or password.*Invalid username or password/);
    const { c: c2 } = await bmc({ noSessions: true });
    expect((await failure(openRedfish({ ...c2, password: 'nope' }))).code).toBe('BMC_AUTH_FAILED');
  });

  it('nothing listening and plain http are told clearly', async () => {
    const { s, c } = await bmc();
    const port = s.port;
    await s.stop();
    servers.length = 0;
    expect((await failure(openRedfish({ ...c, url: `https://127.0.0.1:${port}` }))).code).toBe('BMC_UNREACHABLE');
    expect((await failure(openRedfish({ ...c, url: 'http://127.0.0.1:80' }))).code).toBe('BMC_BAD_TARGET');
  });
});
