import { useEffect, useState } from 'react';

/**
 * The time, ticking every `everyMs` while the component is shown: for "last seen 12 s ago" and lease
 * countdowns. Only components that show a time subscribe, so a tick re-renders those cells alone.
 */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
