import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { machineSelectors } from '../store/slice.ts';
import { MachineDetail } from './MachineDetail.tsx';
import { MachineTable } from './MachineTable.tsx';

/** Every machine seen, and the one selected: its boot timeline and what to do with it. */
export function MachinesScreen() {
  const list = useApp(machineSelectors.list);
  const loaded = useApp(machineSelectors.loaded);
  const selected = useApp(machineSelectors.selected);
  const running = useApp(selectors.running);

  if (loaded && list.length === 0) {
    return (
      <main className="machines-screen">
        <section className="panel empty-state" aria-labelledby="machines-empty-title">
          <h2 id="machines-empty-title">No machines yet</h2>
          <p>Start the boot server and power on a machine set to network boot.</p>
          <p className="hint">
            {running
              ? 'The server is running: a machine appears here with its first DHCP request (PXE or HTTP boot in its firmware boot menu, often F12).'
              : 'The server is stopped: start it on the Setup screen first.'}
          </p>
        </section>
      </main>
    );
  }
  return (
    <main className={`machines-screen${selected ? ' with-detail' : ''}`}>
      <MachineTable />
      {selected ? (
        <MachineDetail key={selected.mac} machine={selected} />
      ) : (
        <aside className="panel detail-hint" aria-label="Machine details">
          <p className="hint">Select a machine to see its boot timeline, assign an ISO and re-arm or remove it.</p>
        </aside>
      )}
    </main>
  );
}
