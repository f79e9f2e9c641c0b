/**
 * The profile editor: a header with what is open and its actions, the issues no field holds (and what an
 * import left to look at), the sections on the left and the one picked on the right. Over an old version the
 * same form is read-only, with Revert.
 */
import { useMemo, type ReactNode } from 'react';
import { useApp } from '../../../app/context.ts';
import { SECTIONS, placeIssues, type PlacedIssue, type SectionId } from '../fields.ts';
import { errorCount, mergeIssues } from '../form.ts';
import { FormContext, NO_ISSUES, type FormApi } from '../hooks/form-context.ts';
import { answerSelectors } from '../store/slice.ts';
import { formatFull, formatWhen } from '../words.ts';
import { AutoinstallSection, KickstartSection, PreseedSection } from './family-sections.tsx';
import { AccountsSection, BasicsSection, DiskSection, FinishSection, LocaleSection, NetworkSection, PackagesSection, ScriptsSection, SecuritySection } from './sections.tsx';

const SECTION_BODY: Record<SectionId, () => ReactNode> = {
  basics: BasicsSection,
  locale: LocaleSection,
  network: NetworkSection,
  disk: DiskSection,
  accounts: AccountsSection,
  packages: PackagesSection,
  security: SecuritySection,
  scripts: ScriptsSection,
  finish: FinishSection,
  kickstart: KickstartSection,
  autoinstall: AutoinstallSection,
  preseed: PreseedSection,
};

export type EditorRequest = 'save' | 'delete' | 'duplicate' | 'discard' | 'export' | { revert: number };

export interface EditorProps {
  section: SectionId;
  onSection(section: SectionId): void;
  /** Takes the technician to a field (its section, then focus). */
  onJump(issue: PlacedIssue): void;
  onRequest(request: EditorRequest): void;
  /** A note under the header (why Save did not open, an export done...). */
  notice: string | null;
}

function IssueItem({ p, onJump }: { p: PlacedIssue; onJump: (p: PlacedIssue) => void }) {
  const label = p.section ? SECTIONS.find((s) => s.id === p.section)?.label : null;
  return (
    <li className={p.issue.severity}>
      {p.key ? (
        <button type="button" className="link" onClick={() => onJump(p)}>
          {label ? `${label}: ` : ''}
          {p.text}
        </button>
      ) : (
        <span>
          {label ? `${label}: ` : ''}
          {p.text}
        </span>
      )}
    </li>
  );
}

export function Editor({ section, onSection, onJump, onRequest, notice }: EditorProps) {
  const draft = useApp(answerSelectors.draft);
  const open = useApp(answerSelectors.open);
  const dirty = useApp(answerSelectors.dirty);
  const local = useApp(answerSelectors.localIssues);
  const server = useApp(answerSelectors.serverIssues);
  const imported = useApp(answerSelectors.importIssues);
  const viewing = useApp(answerSelectors.viewing);
  const history = useApp(answerSelectors.history);
  const failure = useApp(answerSelectors.failure);
  const saving = useApp(answerSelectors.saving);
  const session = useApp(answerSelectors.session);
  const { edit, dismissImportIssues, closeView } = useApp(answerSelectors.actions);

  const issues = useMemo(() => placeIssues(mergeIssues(local, server)), [local, server]);
  const importPlaced = useMemo(() => placeIssues(imported), [imported]);
  const errors = errorCount(local);

  const form: FormApi | null = useMemo(() => {
    if (viewing) return { body: viewing.body ?? {}, readOnly: true, issues: NO_ISSUES, edit: () => undefined };
    return draft ? { body: draft, readOnly: false, issues, edit } : null;
  }, [viewing, draft, issues, edit]);
  if (!form || !draft || !open) return null;

  const name = typeof draft.name === 'string' && draft.name.trim() ? draft.name : 'Untitled profile';
  const current = history.find((h) => h.current);
  const Body = SECTION_BODY[section];
  const bySection = viewing ? {} : issues.perSection;

  return (
    <section className="af-editor panel" aria-labelledby="af-editor-title">
      <header className="af-head">
        <h2 id="af-editor-title" className="af-title">
          {name}
        </h2>
        <div className="af-actions">
          <button type="button" className="af-btn primary" disabled={saving || viewing !== null || (!dirty && open.id !== null)} onClick={() => onRequest('save')}>
            {saving ? 'Saving…' : 'Save…'}
          </button>
          <button type="button" className="af-btn" disabled={!dirty || open.id === null || viewing !== null} onClick={() => onRequest('discard')}>
            Discard
          </button>
          <button type="button" className="af-btn" onClick={() => onRequest('duplicate')}>
            Duplicate
          </button>
          <button type="button" className="af-btn" disabled={open.id === null} onClick={() => onRequest('export')} title={open.id === null ? 'Save it first' : 'Download this profile as a file another rackboot imports'}>
            Export
          </button>
          <button type="button" className="af-btn danger" disabled={open.id === null} onClick={() => onRequest('delete')}>
            Delete
          </button>
        </div>
      </header>
      <p className="af-meta muted" data-testid="af-version">
        {open.id === null ? 'Not saved yet' : `Version ${open.version ?? '?'}${current ? ` · saved ${formatWhen(current.createdAt)}` : ''}${current?.note ? ` · “${current.note}”` : ''}`}
        {dirty && open.id !== null && (
          <span className="af-dirty" data-testid="af-dirty">
            {' '}
            · ● Unsaved changes
          </span>
        )}
      </p>

      {open.problem && !viewing && (
        <div className="banner warn" role="status">
          The stored version no longer validates ({open.problem}). Fix the marked fields and save a new version.
        </div>
      )}
      {failure && (failure.during === 'save' || failure.during === 'revert') && !viewing && (
        <div className="banner error" role="alert">
          {failure.message}
        </div>
      )}
      {notice && (
        <p className="af-notice" role="status">
          {notice}
        </p>
      )}

      {viewing ? (
        <div className="banner warn af-viewing" role="status" data-testid="af-viewing">
          <span>
            <strong>Version {viewing.version}</strong>, read-only · saved {formatFull(viewing.createdAt)}
            {viewing.note ? ` · “${viewing.note}”` : ''}
          </span>
          <span className="af-viewing-actions">
            {viewing.version !== current?.version && (
              <button type="button" className="af-btn small" onClick={() => onRequest({ revert: viewing.version })}>
                Revert to version {viewing.version}
              </button>
            )}
            <button type="button" className="af-btn small" onClick={closeView}>
              Back to editing
            </button>
          </span>
        </div>
      ) : (
        <>
          {imported.length > 0 && (
            <div className="af-summary import" data-testid="af-import-issues">
              <p>
                <strong>From the import:</strong> {imported.length === 1 ? 'one thing' : `${imported.length} things`} dropped or to look at before you save.{' '}
                <button type="button" className="link" onClick={dismissImportIssues}>
                  Dismiss
                </button>
              </p>
              <ul>
                {[...importPlaced.summary, ...[...importPlaced.byKey.values()].flat()].map((p, n) => (
                  <IssueItem key={n} p={p} onJump={onJump} />
                ))}
              </ul>
            </div>
          )}
          {(issues.summary.length > 0 || errors > 0) && (
            <div className="af-summary" data-testid="af-summary">
              {errors > 0 && (
                <p>
                  <strong>{errors === 1 ? 'One field needs' : `${errors} fields need`} fixing before this can be saved:</strong>{' '}
                  {SECTIONS.filter((s) => issues.perSection[s.id]?.errors)
                    .map((s) => `${s.label} (${issues.perSection[s.id]!.errors})`)
                    .join(', ')}
                </p>
              )}
              {issues.summary.length > 0 && (
                <ul>
                  {issues.summary.map((p, n) => (
                    <IssueItem key={n} p={p} onJump={onJump} />
                  ))}
                </ul>
              )}
            </div>
          )}
        </>
      )}

      <div className="af-body">
        <nav className="af-sections" aria-label="Profile sections">
          <div
            role="tablist"
            aria-orientation="vertical"
            aria-label="Profile sections"
            onKeyDown={(e) => {
              // One tab stop for the list: arrows (and Home/End) move between sections, Tab goes on into the form.
              const i = SECTIONS.findIndex((s) => s.id === section);
              const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: SECTIONS.length - 1 }[e.key];
              if (to === undefined) return;
              e.preventDefault();
              const next = SECTIONS[(to + SECTIONS.length) % SECTIONS.length]!.id;
              onSection(next);
              document.getElementById(`af-sec-${next}`)?.focus();
            }}
          >
            {SECTIONS.map((s, n) => {
              const c = bySection[s.id];
              return (
                <div key={s.id} role="presentation">
                  {n > 0 && 'family' in s && !('family' in SECTIONS[n - 1]!) && (
                    <p className="af-nav-head" role="presentation">
                      Per installer
                    </p>
                  )}
                  <button
                    type="button"
                    role="tab"
                    id={`af-sec-${s.id}`}
                    aria-selected={s.id === section}
                    aria-controls="af-form"
                    tabIndex={s.id === section ? 0 : -1}
                    className={s.id === section ? 'on' : undefined}
                    onClick={() => onSection(s.id)}
                  >
                    <span>{s.label}</span>
                    {c?.errors ? (
                      <span className="af-count error" aria-label={`${c.errors} to fix`}>
                        {c.errors}
                      </span>
                    ) : c?.warnings ? (
                      <span className="af-count warning" aria-label={`${c.warnings} to look at`}>
                        {c.warnings}
                      </span>
                    ) : null}
                  </button>
                </div>
              );
            })}
          </div>
        </nav>
        <div key={`${session}-${viewing?.version ?? 'draft'}`} id="af-form" role="tabpanel" aria-labelledby={`af-sec-${section}`} className={`af-form${viewing ? ' readonly' : ''}`} data-testid="af-form">
          <FormContext.Provider value={form}>
            <Body />
          </FormContext.Provider>
        </div>
      </div>
    </section>
  );
}
