/** The open profile's versions, newest first: each with its note and time, viewable read-only, revertable. */
import { useApp } from '../../../app/context.ts';
import { answerSelectors } from '../store/slice.ts';
import { formatFull, formatWhen } from '../words.ts';

export function HistoryPane({ onRevert }: { onRevert(version: number): void }) {
  const history = useApp(answerSelectors.history);
  const open = useApp(answerSelectors.open);
  const viewing = useApp(answerSelectors.viewing);
  const { view, closeView } = useApp(answerSelectors.actions);
  if (!open?.id) return <p className="empty af-pad">Versions appear here once the profile is saved.</p>;
  const newest = [...history].reverse();
  return (
    <ol className="af-history" data-testid="af-history" aria-label="Versions">
      {newest.map((h) => {
        const on = viewing?.version === h.version;
        return (
          <li key={h.version} className={on ? 'on' : undefined} data-testid={`af-version-${h.version}`}>
            <div className="af-history-head">
              <strong>Version {h.version}</strong>
              {h.current && <span className="badge running">current</span>}
              <time dateTime={new Date(h.createdAt).toISOString()} title={formatFull(h.createdAt)}>
                {formatWhen(h.createdAt)}
              </time>
            </div>
            <p className={h.note ? 'af-note' : 'af-note muted'}>{h.note ?? 'No note'}</p>
            <div className="af-history-actions">
              {on ? (
                <button type="button" className="af-btn small" onClick={closeView}>
                  Close
                </button>
              ) : (
                <button type="button" className="af-btn small" onClick={() => void view(h.version)} aria-label={`View version ${h.version}`}>
                  View
                </button>
              )}
              {!h.current && (
                <button type="button" className="af-btn small" onClick={() => onRevert(h.version)} aria-label={`Revert to version ${h.version}`}>
                  Revert
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
