import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { nicWarnings } from '../format.ts';

export function InterfacePicker() {
  const interfaces = useApp(selectors.interfaces);
  const settings = useApp(selectors.settings);
  const running = useApp(selectors.running);
  const { selectInterface, refreshInterfaces } = useApp(selectors.actions);

  return (
    <section className="panel" aria-labelledby="nic-title">
      <header className="panel-head">
        <h2 id="nic-title">
          <span className="step">1</span> Network interface
        </h2>
        <button type="button" className="link" onClick={() => void refreshInterfaces()}>
          Refresh
        </button>
      </header>
      <p className="hint">The port plugged into the rack switch. rackboot answers on this interface only.</p>
      <ul className="nic-list" role="radiogroup" aria-label="Network interfaces">
        {interfaces.map((nic) => {
          const selected = settings?.interface === nic.name;
          const usable = nic.ipv4.length > 0;
          const warnings = nicWarnings(nic);
          return (
            <li key={nic.name}>
              <button
                type="button"
                role="radio"
                aria-checked={selected}
                className={`nic${selected ? ' selected' : ''}`}
                disabled={running}
                onClick={() => void selectInterface(nic.name)}
                data-testid={`nic-${nic.name}`}
              >
                <span className={`dot ${nic.up ? 'up' : 'down'}`} title={nic.up ? 'link up' : 'link down'} />
                <span className="nic-name">{nic.name}</span>
                <span className="nic-addr">
                  {usable ? nic.ipv4.map((a) => `${a.address}/${a.prefix}`).join(', ') : 'no IPv4 address'}
                </span>
                <span className="nic-meta">
                  {[nic.up ? 'link up' : 'no link', nic.speedMbps ? (nic.speedMbps >= 1000 ? `${nic.speedMbps / 1000} Gb/s` : `${nic.speedMbps} Mb/s`) : null, nic.loopback ? 'loopback' : null, nic.wireless ? 'Wi-Fi' : null, nic.mac]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
                {warnings.length > 0 && !nic.loopback && (
                  <span className="nic-warn" data-testid={`nic-warn-${nic.name}`}>
                    {warnings.join('; ')}
                  </span>
                )}
              </button>
            </li>
          );
        })}
        {interfaces.length === 0 && <li className="empty">No network interfaces found.</li>}
      </ul>
    </section>
  );
}
