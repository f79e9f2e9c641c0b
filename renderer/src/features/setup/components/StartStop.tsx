import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';

export function StartStop() {
  const status = useApp(selectors.status);
  const settings = useApp(selectors.settings);
  const busy = useApp(selectors.busy);
  const { start, stop } = useApp(selectors.actions);
  const running = status?.state === 'running';

  if (running) {
    return (
      <div className="start-row">
        <button type="button" className="big stop" disabled={busy} onClick={() => void stop()}>
          Stop boot server
        </button>
        <span className="running-on">
          Serving on <strong>{status.interface}</strong> ({status.address})
        </span>
      </div>
    );
  }
  return (
    <div className="start-row">
      <button type="button" className="big start" disabled={busy || !settings?.interface} onClick={() => void start()}>
        Start boot server
      </button>
      {!settings?.interface && <span className="hint">Pick a network interface first.</span>}
    </div>
  );
}
