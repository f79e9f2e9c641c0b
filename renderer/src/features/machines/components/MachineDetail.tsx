import { useMemo } from 'react';
import type { MachineSummary } from '../../../../../shared/api/contract.ts';
import { useApp } from '../../../app/context.ts';
import { firmwareTags } from '../format.ts';
import { machineSelectors } from '../store/slice.ts';
import { buildTimeline } from '../timeline.ts';
import { vendorOf } from '../vendor.ts';
import { MACHINE_STATE_TEXT } from '../wording.ts';
import { Ago } from './Ago.tsx';
import { AssignForm } from './AssignForm.tsx';
import { ConfirmButton } from './Confirm.tsx';
import { Timeline } from './Timeline.tsx';

export function MachineDetail({ machine: m }: { machine: MachineSummary }) {
  const marks = useApp(machineSelectors.marks)[m.mac];
  const busy = useApp(machineSelectors.busy) === m.mac;
  const { select, rearm, markDone, remove } = useApp(machineSelectors.actions);
  const entries = useMemo(() => buildTimeline(marks ?? []), [marks]);

  return (
    <aside className="panel machine-detail" aria-labelledby="detail-title" data-testid="machine-detail">
      <header className="panel-head">
        <h2 id="detail-title" className="mono">
          {m.mac}
        </h2>
        <button type="button" className="link" onClick={() => select(null)}>
          Close
        </button>
      </header>
      <p className="detail-vendor">{vendorOf(m.mac)}</p>
      <p className="detail-state">
        <span className={`badge m-${m.state}`}>{MACHINE_STATE_TEXT[m.state].label}</span> <span className="muted">{MACHINE_STATE_TEXT[m.state].help}</span>
      </p>
      <dl className="facts">
        <dt>IP</dt>
        <dd className="mono">{m.ip ?? '—'}</dd>
        <dt>Firmware</dt>
        <dd>{firmwareTags(m).join(' · ')}</dd>
        <dt>Host name</dt>
        <dd>{m.hostname ?? '—'}</dd>
        <dt>First seen</dt>
        <dd>{m.firstSeen ? new Date(m.firstSeen).toLocaleString() : '—'}</dd>
        <dt>Last seen</dt>
        <dd>
          <Ago at={m.lastSeen} />
        </dd>
        {m.installedAt && (
          <>
            <dt>Installed</dt>
            <dd>{new Date(m.installedAt).toLocaleString()}</dd>
          </>
        )}
      </dl>

      <h3>Boot timeline</h3>
      <Timeline entries={entries} />

      <AssignForm machine={m} />

      <div className="actions" role="group" aria-label="Machine actions">
        <ConfirmButton
          label="Re-arm"
          question={`Install ${m.isoId ?? 'its ISO'} again on ${m.mac}'s next network boot? Its disk may be erased.`}
          confirmLabel="Re-arm"
          disabled={busy || !m.isoId}
          onConfirm={() => void rearm(m.mac)}
        />
        <button type="button" className="btn" disabled={busy || m.state === 'installed'} onClick={() => void markDone(m.mac)}>
          Mark done
        </button>
        <ConfirmButton
          label="Remove"
          question={`Forget ${m.mac}: its assignment and install state? It shows up again as new when it boots.`}
          confirmLabel="Remove"
          danger
          disabled={busy}
          onConfirm={() => void remove(m.mac)}
        />
      </div>
    </aside>
  );
}
