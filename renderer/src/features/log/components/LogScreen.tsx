import { useEffect } from 'react';
import { useApp } from '../../../app/context.ts';
import { logSelectors } from '../store/slice.ts';
import { LogList } from './LogList.tsx';
import { LogToolbar } from './LogToolbar.tsx';

/** The live DHCP / TFTP / HTTP request log: what every machine asked for, as it asks. */
export function LogScreen() {
  const { open } = useApp(logSelectors.actions);
  useEffect(() => {
    void open(); // history once, on first open; live events from then on
  }, [open]);
  return (
    <main className="log-screen" data-testid="log-screen">
      <LogToolbar />
      <LogList />
    </main>
  );
}
