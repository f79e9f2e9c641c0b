import { useNow } from '../../../app/clock.ts';
import { formatAgo } from '../format.ts';

/** "12 s ago", ticking: its own component, so the one-second tick re-renders this text only. */
export function Ago({ at }: { at: number | null }) {
  const now = useNow(1000);
  return (
    <time className="num" dateTime={at ? new Date(at).toISOString() : undefined} title={at ? new Date(at).toLocaleString() : undefined}>
      {formatAgo(at, now)}
    </time>
  );
}
