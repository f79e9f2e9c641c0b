import { DHCP_MODES } from '../../../../../shared/api/contract.ts';
import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { DHCP_MODE_TEXT } from '../../../app/wording.ts';

export function DhcpModePicker() {
  const settings = useApp(selectors.settings);
  const running = useApp(selectors.running);
  const probe = useApp(selectors.dhcpProbe);
  const probing = useApp(selectors.probing);
  const { setDhcpMode, probeDhcp } = useApp(selectors.actions);
  const mode = settings?.dhcpMode ?? 'proxy';
  const nic = settings?.interface ?? null;
  const current = probe && probe.interface === nic ? probe : null;

  return (
    <section className="panel" aria-labelledby="dhcp-title">
      <h2 id="dhcp-title">
        <span className="step">2</span> DHCP
      </h2>
      <div className="segmented" role="radiogroup" aria-label="DHCP mode">
        {DHCP_MODES.map((m) => (
          <button
            key={m}
            type="button"
            role="radio"
            aria-checked={m === mode}
            className={m === mode ? 'on' : ''}
            disabled={running}
            onClick={() => void setDhcpMode(m)}
          >
            {DHCP_MODE_TEXT[m].label}
          </button>
        ))}
      </div>
      <p className="hint">{DHCP_MODE_TEXT[mode].help}</p>
      <div className="probe" role="status" data-testid="dhcp-probe">
        {probing ? (
          <span>Asking {nic} whether another DHCP server answers there…</span>
        ) : current?.error ? (
          <span className="muted">Could not ask the network: {current.error.message}</span>
        ) : current ? (
          <span>
            <strong>{current.suggestion === mode ? 'Chosen for you: ' : 'Suggested: '}</strong>
            {current.reason}.
          </span>
        ) : (
          <span className="muted">rackboot can ask the network whether another DHCP server is there (one request, no address taken).</span>
        )}{' '}
        <button type="button" className="link" disabled={!nic || running || probing} onClick={() => void probeDhcp()}>
          {current ? 'Ask again' : 'Check the network'}
        </button>
      </div>
    </section>
  );
}
