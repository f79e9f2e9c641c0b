import { DhcpModePicker } from '../features/setup/components/DhcpModePicker.tsx';
import { InterfacePicker } from '../features/setup/components/InterfacePicker.tsx';
import { StartStop } from '../features/setup/components/StartStop.tsx';
import { EventLog } from '../features/events/components/EventLog.tsx';
import { ServiceList } from '../features/status/components/ServiceList.tsx';
import { useApp } from './context.ts';
import { selectors } from './store.ts';
import { ERROR_TITLES } from './wording.ts';

export function App({ mode }: { mode: 'electron' | 'browser' }) {
  const error = useApp(selectors.error);
  const connection = useApp(selectors.connection);
  const status = useApp(selectors.status);
  const { dismissError } = useApp(selectors.actions);

  return (
    <div className="app">
      <header className="top">
        <h1>rackboot</h1>
        <span className={`state ${status?.state ?? 'stopped'}`} data-testid="server-state">
          {status?.state ?? '…'}
        </span>
        {mode === 'browser' && (
          <span className="mode" title="The Electron window is not available on this machine; this page is served by rackboot on 127.0.0.1 only.">
            browser mode
          </span>
        )}
      </header>
      {connection === 'closed' && <div className="banner warn">Lost the connection to rackboot; reconnecting…</div>}
      {error && (
        <div className="banner error" role="alert">
          <strong>{ERROR_TITLES[error.code]}.</strong> {error.message}
          <button type="button" className="link" onClick={dismissError}>
            Dismiss
          </button>
        </div>
      )}
      <main className="grid">
        <div className="col">
          <InterfacePicker />
          <DhcpModePicker />
          <StartStop />
        </div>
        <div className="col">
          <ServiceList />
          <EventLog />
        </div>
      </main>
    </div>
  );
}
