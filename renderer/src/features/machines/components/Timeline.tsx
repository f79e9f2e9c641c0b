import { STAGE_TEXT } from '../../../../../shared/model/stage.ts';
import { formatBytes, formatDuration } from '../format.ts';
import type { TimelineEntry } from '../timeline.ts';
import { STAGE_LABEL } from '../wording.ts';

/** The stages of the machine's latest boot, with the time each took to reach and what was transferred. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) {
    return <p className="hint">No boot seen since rackboot started. Its stages appear here as it network-boots.</p>;
  }
  return (
    <ol className="timeline" aria-label="Boot timeline">
      {entries.map((e) => (
        <li key={e.seq} className={`tl-${e.stage}`}>
          <span className="tl-dot" aria-hidden="true" />
          <time className="num" dateTime={new Date(e.ts).toISOString()}>
            {new Date(e.ts).toLocaleTimeString()}
          </time>
          <span className="tl-body">
            <span className="tl-stage" title={e.msg}>
              {STAGE_LABEL[e.stage]}
              <span className="sr-only"> ({STAGE_TEXT[e.stage]})</span>
            </span>
            {e.bytes !== null && (
              <span className="tl-xfer num">
                {formatBytes(e.bytes)}
                {e.ms !== null ? ` in ${formatDuration(e.ms)}` : ''}
              </span>
            )}
          </span>
          <span className="tl-after num">{e.sincePrev === null ? 'start' : `+${formatDuration(e.sincePrev)}`}</span>
        </li>
      ))}
    </ol>
  );
}
