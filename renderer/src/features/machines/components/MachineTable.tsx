import { useApp } from '../../../app/context.ts';
import { STAGE_TEXT } from '../../../../../shared/model/stage.ts';
import type { MachineSummary } from '../../../../../shared/api/contract.ts';
import { firmwareTags } from '../format.ts';
import { machineSelectors } from '../store/slice.ts';
import { vendorOf } from '../vendor.ts';
import { MACHINE_STATE_TEXT, STAGE_LABEL } from '../wording.ts';
import { Ago } from './Ago.tsx';

export function MachineTable() {
  const list = useApp(machineSelectors.list);
  const selectedMac = useApp(machineSelectors.selectedMac);
  const isos = useApp(machineSelectors.isos);
  const { select } = useApp(machineSelectors.actions);
  const isoName = (id: string | null) => (id === null ? null : (isos.find((i) => i.id === id)?.name ?? id));

  return (
    <section className="panel machines" aria-labelledby="machines-title">
      <h2 id="machines-title">
        Machines <span className="count">{list.length}</span>
      </h2>
      <table className="data machine-table">
        <colgroup>
          <col className="c-mac" />
          <col className="c-ip" />
          <col className="c-fw" />
          <col className="c-iso" />
          <col className="c-stage" />
          <col className="c-seen" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Machine</th>
            <th scope="col">IP</th>
            <th scope="col">Firmware</th>
            <th scope="col">Installs</th>
            <th scope="col">Stage</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {list.map((m) => (
            <MachineRow key={m.mac} m={m} selected={m.mac === selectedMac} iso={isoName(m.isoId)} onSelect={() => select(m.mac === selectedMac ? null : m.mac)} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function MachineRow({ m, selected, iso, onSelect }: { m: MachineSummary; selected: boolean; iso: string | null; onSelect: () => void }) {
  return (
    <tr className={selected ? 'selected' : undefined} onClick={onSelect} data-testid={`machine-${m.mac}`}>
      <td>
        {/* The row is clickable; this button is what the keyboard reaches. */}
        <button
          type="button"
          className="row-select"
          aria-pressed={selected}
          onClick={(e) => {
            e.stopPropagation();
            onSelect();
          }}
        >
          <span className="mono">{m.mac}</span>
        </button>
        <div className="sub">
          {m.hostname ? <strong>{m.hostname}</strong> : null}
          {m.hostname ? ' · ' : null}
          {vendorOf(m.mac)}
        </div>
      </td>
      <td className="mono">{m.ip ?? <span className="muted">—</span>}</td>
      <td>
        {firmwareTags(m).map((t) => (
          <span key={t} className={`tag${t === 'Secure Boot' ? ' sb' : ''}`}>
            {t}
          </span>
        ))}
      </td>
      <td>
        <span className={`badge m-${m.state}`} title={MACHINE_STATE_TEXT[m.state].help}>
          {MACHINE_STATE_TEXT[m.state].label}
        </span>
        <div className="sub ellipsis" title={iso ?? undefined}>
          {iso ?? 'no ISO'}
          {m.profile ? ` · ${m.profile}` : ''}
        </div>
      </td>
      <td>
        {m.stage ? (
          <div title={STAGE_TEXT[m.stage.stage]}>
            <div className="stage-label">
              {STAGE_LABEL[m.stage.stage]} <span className="muted">{m.stage.progress}%</span>
            </div>
            <div className="bar" role="progressbar" aria-label={`${m.mac} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={m.stage.progress}>
              <span style={{ width: `${m.stage.progress}%` }} />
            </div>
          </div>
        ) : (
          <span className="muted">not booted yet</span>
        )}
      </td>
      <td>
        <Ago at={m.lastSeen} />
      </td>
    </tr>
  );
}
