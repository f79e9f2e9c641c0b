/** The stored profiles: name, version, when it last changed, and a badge when the stored body no longer validates. */
import { useApp } from '../../../app/context.ts';
import { answerSelectors } from '../store/slice.ts';
import { formatFull, formatWhen } from '../words.ts';

export function ProfileList({ onOpen, onNew, onImport }: { onOpen(id: string): void; onNew(): void; onImport(): void }) {
  const list = useApp(answerSelectors.list);
  const open = useApp(answerSelectors.open);
  const dirty = useApp(answerSelectors.dirty);
  const draft = useApp(answerSelectors.draft);
  const sorted = [...list].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <aside className="af-list panel" aria-labelledby="af-list-title">
      <header className="panel-head">
        <h2 id="af-list-title">Answer profiles</h2>
      </header>
      <div className="af-list-actions">
        <button type="button" className="af-btn primary" onClick={onNew}>
          New
        </button>
        <button type="button" className="af-btn" onClick={onImport}>
          Import…
        </button>
      </div>
      <ul data-testid="af-profiles">
        {open && open.id === null && draft && (
          <li>
            <button type="button" className="af-item on" aria-current="true">
              <span className="af-item-name">{typeof draft.name === 'string' && draft.name ? draft.name : 'Untitled profile'}</span>
              <span className="af-item-meta">
                <span className="af-dirty">● not saved yet</span>
              </span>
            </button>
          </li>
        )}
        {sorted.map((p) => {
          const on = open?.id === p.id;
          return (
            <li key={p.id}>
              <button type="button" className={`af-item${on ? ' on' : ''}`} aria-current={on ? 'true' : undefined} onClick={() => onOpen(p.id)} data-testid={`af-profile-${p.id}`}>
                <span className="af-item-name">
                  {p.name}
                  {on && dirty && (
                    <span className="af-dirty" title="Unsaved changes">
                      {' '}
                      ●
                    </span>
                  )}
                </span>
                <span className="af-item-meta">
                  <span>v{p.currentVersion}</span>
                  <time dateTime={new Date(p.updatedAt).toISOString()} title={`Updated ${formatFull(p.updatedAt)}`}>
                    {formatWhen(p.updatedAt)}
                  </time>
                  {p.problem && (
                    <span className="badge failed" title={p.problem}>
                      problem
                    </span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {list.length === 0 && !open && <p className="empty af-pad">No profiles yet.</p>}
    </aside>
  );
}
