import { describe, expect, it } from 'vitest';
import { parseIPv4, subnetOf } from '../../../shared/net/ipv4.ts';
import { createLeasePool, type Lease, type LeasePoolOptions, type Scope } from './pool.ts';

const ip = (s: string) => parseIPv4(s)!;
const scope: Scope = { subnet: subnetOf(ip('198.18.0.1'), 24), range: { first: ip('198.18.0.10'), last: ip('198.18.0.13') }, router: null };
const A = ['id:01aa', 'aa:aa:aa:aa:aa:aa'] as const;
const B = ['mac:bb:bb:bb:bb:bb:bb', 'bb:bb:bb:bb:bb:bb'] as const;

function pool(over: Partial<LeasePoolOptions> = {}) {
  let t = 1_000_000;
  const written: Lease[] = [];
  const p = createLeasePool({ scopes: [scope], exclude: ['198.18.0.1'], reservations: [], leases: [], persist: (l) => written.push(l), now: () => t, ...over });
  return { p, written, advance: (ms: number) => (t += ms) };
}

describe('lease pool', () => {
  it('offers, holds and commits one address per client; the commit is written once', () => {
    const { p, written } = pool();
    const a = p.offer(...A, scope, null);
    const b = p.offer(...B, scope, null);
    expect(a).toMatchObject({ ip: '198.18.0.10' });
    expect(b).toMatchObject({ ip: '198.18.0.11' });
    expect(written).toHaveLength(0);
    const c = p.commit(...A, scope, '198.18.0.10', 600, { initReboot: false });
    expect(c).toMatchObject({ lease: { ip: '198.18.0.10', state: 'bound' } });
    expect(written).toHaveLength(1);
    // The same client asking again gets the same address.
    expect(p.offer(...A, scope, null)).toMatchObject({ ip: '198.18.0.10' });
  });

  it('honours a requested address when free and refuses one held by another client', () => {
    const { p } = pool();
    expect(p.offer(...A, scope, '198.18.0.12')).toMatchObject({ ip: '198.18.0.12' });
    expect(p.commit(...B, scope, '198.18.0.12', 600, { initReboot: false })).toMatchObject({ nak: expect.stringMatching(/another machine/) });
    expect(p.commit(...B, scope, '198.18.0.99', 600, { initReboot: false })).toMatchObject({ nak: expect.stringMatching(/outside the pool/) });
    expect(p.commit(...B, scope, '10.0.0.5', 600, { initReboot: false })).toMatchObject({ nak: expect.stringMatching(/not on this network/) });
  });

  it('gives a reserved machine its address (even outside the pool) and keeps it from others', () => {
    const reservations = [{ mac: B[1], ip: '198.18.0.200', hostname: 'node-b' }, { mac: 'cc:cc:cc:cc:cc:cc', ip: '198.18.0.11', hostname: null }];
    const { p } = pool({ reservations });
    expect(p.offer(...B, scope, null)).toEqual({ ip: '198.18.0.200', reserved: true, hostname: 'node-b' });
    expect(p.commit(...B, scope, '198.18.0.200', 600, { initReboot: false })).toMatchObject({ lease: { hostname: 'node-b' }, reserved: true });
    expect(p.commit(...B, scope, '198.18.0.10', 600, { initReboot: false })).toMatchObject({ nak: expect.stringMatching(/reserved/) });
    expect(p.offer(...A, scope, '198.18.0.11')).toMatchObject({ ip: '198.18.0.10' });
  });

  it('plan reservations that appear while serving: the address is held before the machine is known, then given to it', () => {
    const plan = new Map<string, { mac: string; ip: string; hostname: string | null }>();
    const owners = new Map<number, string>([[ip('198.18.0.10'), 'plan:1']]);
    const { p } = pool({ dynamicReservations: { reservationFor: (mac) => plan.get(mac), ownerOf: (n) => owners.get(n) } });
    // Row 1 waits for its machine (planned by serial): nobody gets 198.18.0.10 meanwhile.
    expect(p.offer(...A, scope, '198.18.0.10')).toMatchObject({ ip: '198.18.0.11' });
    expect(p.reservationFor(B[1])).toBeUndefined();
    // B turns out to be row 1 (its serial matched): from its next DISCOVER it gets the planned address.
    plan.set(B[1], { mac: B[1], ip: '198.18.0.10', hostname: 'node-b' });
    owners.set(ip('198.18.0.10'), B[1]);
    expect(p.offer(...B, scope, null)).toEqual({ ip: '198.18.0.10', reserved: true, hostname: 'node-b' });
    expect(p.commit(...B, scope, '198.18.0.10', 600, { initReboot: false })).toMatchObject({ lease: { hostname: 'node-b' }, reserved: true });
    expect(p.reservationFor(B[1])).toMatchObject({ ip: '198.18.0.10' });
  });

  it('stays silent on INIT-REBOOT for a client it has no record of (RFC 2131 4.3.2)', () => {
    const { p } = pool();
    expect(p.commit(...A, scope, '198.18.0.10', 600, { initReboot: true })).toMatchObject({ silent: expect.any(String) });
  });

  it('runs out cleanly, then reuses the address whose lease ended first', () => {
    const { p, advance } = pool();
    for (let i = 0; i < 4; i++) {
      const key = `mac:${i}`;
      const got = p.offer(key, `00:00:00:00:00:0${i}`, scope, null);
      if (!('ip' in got)) throw new Error(got.none);
      p.commit(key, `00:00:00:00:00:0${i}`, scope, got.ip, 60 + i, { initReboot: false });
    }
    expect(p.offer(...A, scope, null)).toMatchObject({ none: expect.stringMatching(/no free address/) });
    advance(61_500);
    expect(p.offer(...A, scope, null)).toMatchObject({ ip: '198.18.0.10' });
  });

  it('keeps a declined address out for everyone, and a released one goes back to its owner first', () => {
    const { p, written } = pool();
    p.offer(...A, scope, null);
    p.decline(...A, '198.18.0.10');
    expect(written.at(-1)).toMatchObject({ state: 'declined', ip: '198.18.0.10' });
    expect(p.offer(...A, scope, null)).toMatchObject({ ip: '198.18.0.11' });
    p.commit(...A, scope, '198.18.0.11', 600, { initReboot: false });
    expect(p.release(A[0], '198.18.0.11')).toMatchObject({ state: 'released' });
    expect(p.release(A[0], '198.18.0.11')).toBeNull();
    expect(p.offer(...A, scope, null)).toMatchObject({ ip: '198.18.0.11' });
  });

  it('restores leases after a restart: the same client keeps its address, others cannot take it', () => {
    const first = pool();
    first.p.offer(...A, scope, null);
    first.p.commit(...A, scope, '198.18.0.10', 600, { initReboot: false });
    const second = pool({ leases: first.written });
    expect(second.p.offer(...B, scope, '198.18.0.10')).toMatchObject({ ip: '198.18.0.11' });
    expect(second.p.commit(...A, scope, '198.18.0.10', 600, { initReboot: true })).toMatchObject({ lease: { ip: '198.18.0.10' } });
  });

  it('keeps one address per machine when its client id changes on the way through a boot (firmware, then iPXE)', () => {
    const { p } = pool();
    const firmware = 'id:00' + 'ab'.repeat(16);
    const ipxe = 'mac:aa:aa:aa:aa:aa:aa';
    p.offer(firmware, A[1], scope, null);
    expect(p.commit(firmware, A[1], scope, '198.18.0.10', 600, { initReboot: false })).toMatchObject({ lease: { ip: '198.18.0.10' } });
    expect(p.offer(ipxe, A[1], scope, null)).toMatchObject({ ip: '198.18.0.10' });
    expect(p.commit(ipxe, A[1], scope, '198.18.0.10', 600, { initReboot: false })).toMatchObject({ lease: { ip: '198.18.0.10', clientKey: ipxe } });
    // Another machine still cannot have it.
    expect(p.commit(...B, scope, '198.18.0.10', 600, { initReboot: false })).toMatchObject({ nak: expect.any(String) });
  });

  it('never hands out excluded addresses (rackboot itself)', () => {
    const s: Scope = { ...scope, range: { first: ip('198.18.0.1'), last: ip('198.18.0.2') } };
    const { p } = pool({ scopes: [s] });
    expect(p.offer(...A, s, '198.18.0.1')).toMatchObject({ ip: '198.18.0.2' });
    expect(p.offer(...B, s, null)).toMatchObject({ none: expect.any(String) });
  });
});
