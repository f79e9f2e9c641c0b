/**
 * The Leases screen's slice of the app store: the DHCP leases the core keeps, refreshed when DHCP events arrive
 * (through the store's coalesced refresh: one request per burst, never one per event).
 */
import type { Lease } from '../../../../../shared/api/contract.ts';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import type { AppState, SliceContext } from '../../../app/store.ts';

export interface LeasesState {
  list: Lease[];
  loaded: boolean;
}

export interface LeasesSlice {
  leases: LeasesState;
  leaseActions: {
    load(): Promise<void>;
    /** A batch from the app's event subscription: DHCP traffic about a client asks for one coalesced refresh. */
    receiveEvents(batch: readonly BootEvent[]): void;
  };
}

/** An event that may have changed a lease: DHCP traffic naming a client, or the server starting (pool loaded). */
export const touchesLeases = (e: BootEvent): boolean => (e.service === 'dhcp' && Boolean(e.mac || e.ip)) || (e.service === 'core' && !e.mac);

export function createLeasesSlice({ api, run, coalesce }: SliceContext): LeasesSlice {
  const load = () => run(api.listLeases(undefined), (list) => ({ leases: { list, loaded: true } })).then(() => undefined);
  const refreshSoon = coalesce(load);
  return {
    leases: { list: [], loaded: false },
    leaseActions: {
      load,
      receiveEvents(batch) {
        if (batch.some(touchesLeases)) refreshSoon();
      },
    },
  };
}

/** Named selectors for the Leases screen. */
export const leaseSelectors = {
  list: (s: AppState) => s.leases.list,
  loaded: (s: AppState) => s.leases.loaded,
};
