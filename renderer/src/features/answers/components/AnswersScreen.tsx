/**
 * The Answer files screen: profiles on the left, the editor in the middle, the live preview (or the version
 * history) on the right. Unsaved changes are never dropped without asking.
 */
import { useEffect, useState } from 'react';
import { useApp } from '../../../app/context.ts';
import { ERROR_TITLES } from '../../../app/wording.ts';
import { fieldId, sectionOf, type PlacedIssue, type SectionId } from '../fields.ts';
import { errorCount } from '../form.ts';
import { answerSelectors } from '../store/slice.ts';
import { Dialog } from './Dialog.tsx';
import { Editor, type EditorRequest } from './Editor.tsx';
import { HistoryPane } from './HistoryPane.tsx';
import { ImportDialog } from './ImportDialog.tsx';
import { PreviewPane } from './PreviewPane.tsx';
import { ProfileList } from './ProfileList.tsx';

type Modal = { kind: 'import' } | { kind: 'save' } | { kind: 'delete' } | { kind: 'confirm'; title: string; message: string; confirm: string; go: () => void };

/** Hands `text` to the browser as a file download (Electron shows its save dialog). */
function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function SaveDialog({ onClose }: { onClose(): void }) {
  const open = useApp(answerSelectors.open);
  const saving = useApp(answerSelectors.saving);
  const { save } = useApp(answerSelectors.actions);
  const [note, setNote] = useState('');
  const next = open?.id ? `version ${(open.version ?? 0) + 1}` : 'the profile';
  return (
    <Dialog title={`Save ${next}`} onClose={onClose} testId="af-save">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save(note).then(() => onClose());
        }}
      >
        <label className="af-label" htmlFor="af-note">
          Version note (optional)
        </label>
        <input id="af-note" autoFocus value={note} maxLength={1000} placeholder="What changed, for whoever looks at the history" onChange={(e) => setNote(e.target.value)} />
        <p className="af-hint">Every save is a new version; older ones stay in the history and can be restored.</p>
        <div className="af-dialog-actions">
          <button type="button" className="af-btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="af-btn primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteDialog({ onClose }: { onClose(): void }) {
  const open = useApp(answerSelectors.open);
  const draft = useApp(answerSelectors.draft);
  const machines = useApp(answerSelectors.machines);
  const failure = useApp(answerSelectors.failure);
  const { remove, clearFailure, load } = useApp(answerSelectors.actions);
  const [busy, setBusy] = useState(false);
  // Which machines use it, as of now (the list may be older than this screen).
  useEffect(() => {
    void load();
  }, [load]);
  if (!open?.id) return null;
  const id = open.id;
  const users = machines.filter((m) => m.profile === id);
  const close = () => {
    clearFailure();
    onClose();
  };
  return (
    <Dialog title={`Delete “${String(draft?.name ?? id)}”?`} onClose={close} testId="af-delete">
      <p>The profile and all its versions are removed. Export it first to keep a copy.</p>
      {users.length > 0 && failure?.during !== 'remove' && <p className="af-issues warning">Assigned to {users.map((m) => m.hostname ?? m.mac).join(', ')}: give them another profile first.</p>}
      {failure?.during === 'remove' && (
        <p className="af-issues error" role="alert">
          <strong>{ERROR_TITLES[failure.code]}.</strong> {failure.message}
        </p>
      )}
      <div className="af-dialog-actions">
        <button type="button" className="af-btn" autoFocus onClick={close}>
          Keep it
        </button>
        <button
          type="button"
          className="af-btn danger"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void remove(id).then((ok) => {
              setBusy(false);
              if (ok) onClose();
            });
          }}
        >
          Delete profile
        </button>
      </div>
    </Dialog>
  );
}

export function AnswersScreen() {
  const loaded = useApp(answerSelectors.loaded);
  const list = useApp(answerSelectors.list);
  const open = useApp(answerSelectors.open);
  const draft = useApp(answerSelectors.draft);
  const dirty = useApp(answerSelectors.dirty);
  const local = useApp(answerSelectors.localIssues);
  const history = useApp(answerSelectors.history);
  const viewing = useApp(answerSelectors.viewing);
  const actions = useApp(answerSelectors.actions);
  const [section, setSection] = useState<SectionId>('basics');
  const [pane, setPane] = useState<'preview' | 'history'>('preview');
  const [modal, setModal] = useState<Modal | null>(null);
  const [notice, setNotice] = useState<{ text: string; untilFixed?: boolean } | null>(null);
  // "Fix these first" stops being true once the form has no errors left.
  const shownNotice = notice && !(notice.untilFixed && errorCount(local) === 0) ? notice.text : null;

  useEffect(() => {
    void actions.load();
  }, [actions]);

  /** Runs `go`, asking first when it would drop unsaved changes. */
  const guard = (what: string, go: () => void) => {
    setNotice(null);
    if (!dirty || !draft) return go();
    setModal({ kind: 'confirm', title: 'Discard unsaved changes?', message: `“${String(draft.name)}” has changes that are not saved. ${what} drops them.`, confirm: 'Discard changes', go });
  };

  const jump = (p: PlacedIssue) => {
    if (viewing) actions.closeView();
    const s = p.section ?? sectionOf(p.issue.path);
    if (s) setSection(s);
    // After the section has rendered: focus the field (it scrolls into view).
    if (p.key) setTimeout(() => document.getElementById(fieldId(p.key!))?.focus(), 0);
  };

  const request = (r: EditorRequest) => {
    setNotice(null);
    if (r === 'save') {
      const errors = local.filter((i) => i.severity === 'error');
      if (errors.length) {
        setNotice({ text: `Not saved: ${errorCount(local) === 1 ? 'one field needs' : `${errorCount(local)} fields need`} fixing first (marked in red).`, untilFixed: true });
        const first = errors[0]!;
        jump({ key: null, section: sectionOf(first.path), issue: first, text: first.message });
        return;
      }
      setModal({ kind: 'save' });
    } else if (r === 'discard') {
      setModal({ kind: 'confirm', title: 'Discard unsaved changes?', message: 'The form goes back to the saved version.', confirm: 'Discard changes', go: () => actions.discard() });
    } else if (r === 'duplicate') {
      guard('Duplicate', () => {
        actions.duplicate();
        setSection('basics');
        setNotice({ text: 'A copy, not saved yet: give it a name and save it.' });
      });
    } else if (r === 'export') {
      if (!open?.id) return;
      void actions.exportProfile(open.id).then((file) => {
        if (!file) return;
        download(file.fileName, file.text);
        setNotice({ text: `Exported as ${file.fileName} (passwords as hashes only).` });
      });
    } else if (r === 'delete') {
      setModal({ kind: 'delete' });
    } else {
      const v = r.revert;
      setModal({
        kind: 'confirm',
        title: `Revert to version ${v}?`,
        message: `Version ${v} becomes the newest version (${(history.at(-1)?.version ?? 0) + 1}); the history keeps every version.${dirty ? ' Your unsaved changes are dropped.' : ''}`,
        confirm: `Revert to version ${v}`,
        go: () => void actions.revert(v),
      });
    }
  };

  return (
    <main className={`answers${draft ? '' : ' no-draft'}`} data-testid="answers">
      <ProfileList
        onOpen={(id) => id !== open?.id && guard('Opening another profile', () => void actions.open(id))}
        onNew={() =>
          guard('A new profile', () => {
            actions.create();
            setSection('basics');
          })
        }
        onImport={() => guard('Importing', () => setModal({ kind: 'import' }))}
      />
      {draft ? (
        <>
          <Editor section={section} onSection={setSection} onJump={jump} onRequest={request} notice={shownNotice} />
          <section className="af-side panel" aria-label="Preview and history">
            <div className="af-side-tabs" role="tablist">
              <button type="button" role="tab" aria-selected={pane === 'preview'} className={pane === 'preview' ? 'tab on' : 'tab'} onClick={() => setPane('preview')}>
                Preview
              </button>
              <button type="button" role="tab" aria-selected={pane === 'history'} className={pane === 'history' ? 'tab on' : 'tab'} onClick={() => setPane('history')}>
                History{open?.id ? ` (${history.length})` : ''}
              </button>
            </div>
            {pane === 'preview' ? <PreviewPane onJump={jump} /> : <HistoryPane onRevert={(v) => request({ revert: v })} />}
          </section>
        </>
      ) : (
        <section className="panel af-empty" data-testid="af-empty">
          {loaded && list.length === 0 ? <h2>No answer profiles yet</h2> : <h2>Pick a profile on the left</h2>}
          <p>Create a profile, or import the kickstart you use today.</p>
          <div className="af-list-actions">
            <button type="button" className="af-btn primary" onClick={() => actions.create()}>
              Create a profile
            </button>
            <button type="button" className="af-btn" onClick={() => setModal({ kind: 'import' })}>
              Import an answer file…
            </button>
          </div>
          <p className="af-hint">
            One profile installs whichever ISO a machine gets: rackboot writes a kickstart, an Ubuntu autoinstall or a Debian preseed from it, per machine.
            Autoinstall user-data and preseed files import too.
          </p>
        </section>
      )}
      {modal?.kind === 'import' && <ImportDialog onClose={() => setModal(null)} />}
      {modal?.kind === 'save' && <SaveDialog onClose={() => setModal(null)} />}
      {modal?.kind === 'delete' && <DeleteDialog onClose={() => setModal(null)} />}
      {modal?.kind === 'confirm' && (
        <Dialog title={modal.title} onClose={() => setModal(null)} testId="af-confirm">
          <p>{modal.message}</p>
          <div className="af-dialog-actions">
            <button type="button" className="af-btn" autoFocus onClick={() => setModal(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="af-btn danger"
              onClick={() => {
                const go = modal.go;
                setModal(null);
                go();
              }}
            >
              {modal.confirm}
            </button>
          </div>
        </Dialog>
      )}
    </main>
  );
}
