import { DHCP_MODES } from '../../../../../shared/api/contract.ts';
import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { DHCP_MODE_TEXT } from '../../../app/wording.ts';

export function DhcpModePicker() {
  const settings = useApp(selectors.settings);
  const running = useApp(selectors.running);
  const { setDhcpMode } = useApp(selectors.actions);
  const mode = settings?.dhcpMode ?? 'proxy';

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
    </section>
  );
}
