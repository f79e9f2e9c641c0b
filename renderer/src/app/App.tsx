import { useState } from 'react';
import { useApp } from './context.ts';
import { SCREENS } from './screens.ts';
import { selectors } from './store.ts';
import { ERROR_TITLES } from './wording.ts';

export function App({ mode }: { mode: 'electron' | 'browser' }) {
  const error = useApp(selectors.error);
  const connection = useApp(selectors.connection);
  const status = useApp(selectors.status);
  const { dismissError } = useApp(selectors.actions);
  const [screenId, setScreenId] = useState(SCREENS[0]!.id);
  const screen = SCREENS.find((x) => x.id === screenId) ?? SCREENS[0]!;
  const Current = screen.component;

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
      {SCREENS.length > 1 && (
        <nav className="tabs" aria-label="Screens">
          {SCREENS.map((x) => (
            <button key={x.id} type="button" className={x.id === screen.id ? 'tab on' : 'tab'} aria-current={x.id === screen.id ? 'page' : undefined} onClick={() => setScreenId(x.id)}>
              {x.label}
            </button>
          ))}
        </nav>
      )}
      {connection === 'closed' && <div className="banner warn">Lost the connection to rackboot; reconnecting…</div>}
      {error && (
        <div className="banner error" role="alert">
          <strong>{ERROR_TITLES[error.code]}.</strong> {error.message}
          <button type="button" className="link" onClick={dismissError}>
            Dismiss
          </button>
        </div>
      )}
      <Current />
    </div>
  );
}
