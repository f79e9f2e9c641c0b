import { useState } from 'react';
import type { Lease } from '../../../../../shared/api/contract.ts';
import { useNow } from '../../../app/clock.ts';
import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { leaseSelectors } from '../store/slice.ts';
import { filterLeases, firmwareText, formatCountdown, shownState, sortLeases, type LeaseColumn, type LeaseSort } from '../table.ts';

const COLUMNS: { key: LeaseColumn; label: string }[] = [
  { key: 'state', label: 'State' },
  { key: 'ip', label: 'IP' },
  { key: 'mac', label: 'MAC' },
  { key: 'hostname', label: 'Host name' },
  { key: 'expiresAt', label: 'Expires in' },
];

/** The DHCP leases rackboot handed out (full mode), live, sortable by any column and filtered by text. */
export function LeasesScreen() {
  const list = useApp(leaseSelectors.list);
  const loaded = useApp(leaseSelectors.loaded);
  const status = useApp(selectors.status);
  const [sort, setSort] = useState<LeaseSort>({ column: 'ip', dir: 'asc' });
  const [filter, setFilter] = useState('');
  // The countdowns tick; one clock for the table keeps every row in step.
  const now = useNow(1000);

  if (loaded && list.length === 0) {
    const mode = status?.dhcpMode;
    return (
      <main className="leases-screen">
        <section className="panel empty-state" aria-labelledby="leases-empty-title">
          <h2 id="leases-empty-title">No DHCP leases yet</h2>
          <p>
            {mode === 'full'
              ? 'Start the boot server and power on a machine set to network boot: the addresses rackboot hands out appear here.'
              : 'rackboot hands out addresses only as the DHCP server (Setup: “rackboot is the DHCP server”). Beside the site DHCP, the site server holds the leases.'}
          </p>
        </section>
      </main>
    );
  }

  const rows = sortLeases(filterLeases(list, filter, now), sort, now);
  const sortBy = (column: LeaseColumn) => setSort((s) => ({ column, dir: s.column === column && s.dir === 'asc' ? 'desc' : 'asc' }));

  return (
    <main className="leases-screen">
      <section className="panel leases" aria-labelledby="leases-title">
        <header className="panel-head">
          <h2 id="leases-title">
            DHCP leases <span className="count">{list.length}</span>
          </h2>
          <label className="filter">
            <span className="sr-only">Filter leases</span>
            <input type="search" placeholder="Filter by IP, MAC, name, state…" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
        </header>
        <table className="data lease-table">
          <colgroup>
            <col className="c-state" />
            <col className="c-ip" />
            <col className="c-mac" />
            <col className="c-host" />
            <col className="c-exp" />
            <col className="c-fw" />
          </colgroup>
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.key} scope="col" aria-sort={sort.column === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                  <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                    {c.label}
                    <span className="arrow" aria-hidden="true">
                      {sort.column === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
              <th scope="col">Firmware</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((l) => (
              <LeaseRow key={l.clientKey} lease={l} now={now} />
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No lease matches “{filter}”.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </main>
  );
}

function LeaseRow({ lease: l, now }: { lease: Lease; now: number }) {
  const state = shownState(l, now);
  return (
    <tr data-testid={`lease-${l.mac}`}>
      <td>
        <span className={`badge l-${state}`}>{state}</span>
      </td>
      <td className="mono">{l.ip}</td>
      <td className="mono">{l.mac}</td>
      <td>{l.hostname ?? <span className="muted">—</span>}</td>
      <td className="num" title={new Date(l.expiresAt).toLocaleString()}>
        {state === 'bound' ? formatCountdown(l.expiresAt - now) : <span className="muted">{state === 'expired' ? 'expired' : '—'}</span>}
      </td>
      <td className="muted">{firmwareText(l)}</td>
    </tr>
  );
}
