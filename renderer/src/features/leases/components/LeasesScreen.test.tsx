/** The Leases screen rendered to HTML (react-dom/server: no DOM needed) from a store fed by the fake core. */
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Lease, ServerStatus } from '../../../../../shared/api/contract.ts';
import { StoreContext } from '../../../app/context.ts';
import { fakeApi, ok } from '../../../app/fake-api.ts';
import { createAppStore, type AppStore } from '../../../app/store.ts';
import { LeasesScreen } from './LeasesScreen.tsx';

// The unit project compiles JSX with the classic runtime (React.createElement; vitest.config.ts sets no jsx),
// the renderer build with the automatic one: the same elements either way, once React is in scope.
Object.assign(globalThis, { React });

const now = Date.now();
const lease = (ip: string, extra: Partial<Lease> = {}): Lease => ({
  clientKey: `mac:${ip}`,
  mac: '52:54:00:00:00:01',
  ip,
  state: 'bound',
  expiresAt: now + 3_600_500,
  hostname: null,
  updatedAt: now,
  firmware: null,
  arch: null,
  ...extra,
});

async function render(leases: Lease[], dhcpMode: ServerStatus['dhcpMode'] = 'full'): Promise<string> {
  const { api } = fakeApi({ listLeases: () => ok(leases) });
  const store: AppStore = createAppStore(api);
  await store.getState().leaseActions.load();
  store.getState().actions.receiveStatus({ state: 'running', dhcpMode } as ServerStatus);
  // Rendering on the "server", zustand reads getInitialState(): hand it the state the fake core loaded.
  return renderToStaticMarkup(
    <StoreContext.Provider value={{ ...store, getInitialState: store.getState }}>
      <LeasesScreen />
    </StoreContext.Provider>,
  );
}
const text = (h: string) => h.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('Leases screen', () => {
  it('with no lease, says what to do, and why there are none beside a site DHCP server', async () => {
    expect(text(await render([]))).toContain('Start the boot server and power on a machine set to network boot');
    expect(text(await render([], 'proxy'))).toContain('the site server holds the leases');
  });

  it('lists state, IP, MAC, host name, the time left and firmware; sorted by IP, with sortable column buttons', async () => {
    const h = await render([
      lease('198.18.0.100', { hostname: 'node1', firmware: 'uefi', arch: 'X64_EFI' }),
      lease('198.18.0.9', { state: 'released', mac: '52:54:00:00:00:02', clientKey: 'mac:b' }),
      lease('198.18.0.20', { expiresAt: now - 1000, mac: '52:54:00:00:00:03', clientKey: 'mac:c' }),
    ]);
    const t = text(h);
    expect(t).toMatch(/bound 198\.18\.0\.100 52:54:00:00:00:01 node1 1:00:0[01] UEFI · x64/);
    expect(t.indexOf('198.18.0.9')).toBeLessThan(t.indexOf('198.18.0.20'));
    expect(t.indexOf('198.18.0.20')).toBeLessThan(t.indexOf('198.18.0.100'));
    expect(t).toMatch(/released 198\.18\.0\.9/);
    expect(t).toMatch(/expired 198\.18\.0\.20 .* expired/);
    expect(h).toContain('aria-sort="ascending"');
    expect(h.match(/<button type="button" class="sort"/g)?.length).toBe(5);
    expect(h).toContain('type="search"');
  });
});
