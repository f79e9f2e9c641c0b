import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { StoreContext } from './app/context.ts';
import { createAppStore, subscribeStreams } from './app/store.ts';
import { connectBridge } from './bridge/index.ts';
import './app/styles.css';

const root = createRoot(document.getElementById('root')!);
const bridge = connectBridge();

if (bridge.mode === 'unauthorised') {
  root.render(
    <div className="app">
      <div className="banner error" role="alert">
        This page needs the link rackboot printed when it started (it carries a one-time token).
      </div>
    </div>,
  );
} else {
  const store = createAppStore(bridge.client);
  subscribeStreams(bridge.client, store);
  if (bridge.mode === 'browser') {
    // Reload everything after a reconnect: events may have been missed while the socket was down.
    bridge.client.onConnection((state) => {
      store.getState().actions.setConnection(state);
      if (state === 'open') void store.getState().actions.load();
    });
  } else {
    store.getState().actions.setConnection('open');
    void store.getState().actions.load();
  }
  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App mode={bridge.mode} />
      </StoreContext.Provider>
    </StrictMode>,
  );
}
