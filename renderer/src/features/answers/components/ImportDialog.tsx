/**
 * Import: pick a file or paste it (a kickstart, an Ubuntu autoinstall user-data, a Debian preseed, or a
 * profile another rackboot exported); the family is guessed and can be chosen. An installer's file is read
 * first and what was dropped or needs a look is shown before it opens in the editor, unsaved.
 */
import { useState } from 'react';
import { useApp } from '../../../app/context.ts';
import { placeIssue } from '../fields.ts';
import { guessFormat, nameFromFile, type ImportFormat } from '../guess.ts';
import { answerSelectors } from '../store/slice.ts';
import { FAMILY_LABELS } from '../words.ts';
import { Dialog } from './Dialog.tsx';

const FORMAT_LABELS: Record<ImportFormat, string> = { ...FAMILY_LABELS, profile: 'A rackboot profile export (.json)' };

export function ImportDialog({ onClose }: { onClose(): void }) {
  const imported = useApp(answerSelectors.imported);
  const failure = useApp(answerSelectors.failure);
  const { readFile, acceptImport, cancelImport } = useApp(answerSelectors.actions);
  const [text, setText] = useState('');
  const [choice, setChoice] = useState<ImportFormat | 'guess'>('guess');
  const [name, setName] = useState('');
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const guessed = text.trim() ? guessFormat(text) : null;
  const format = choice === 'guess' ? guessed : choice;

  const close = () => {
    cancelImport();
    onClose();
  };

  if (imported) {
    const placed = imported.issues.map(placeIssue);
    return (
      <Dialog title="Before you save: what the import found" onClose={close} wide testId="af-import-review">
        <p>
          Read as <strong>{FAMILY_LABELS[imported.family]}</strong> into a new profile named <strong>{imported.name}</strong>. Nothing is saved until you
          press Save in the editor.
        </p>
        {placed.length === 0 ? (
          <p className="ok">Everything in the file was understood.</p>
        ) : (
          <ul className="af-import-list">
            {placed.map((p, n) => (
              <li key={n} className={p.issue.severity}>
                <span className="af-sev">{p.issue.severity === 'error' ? 'Needs fixing' : 'Look at'}</span> {p.key ? <code>{p.key}</code> : null} {p.issue.message}
              </li>
            ))}
          </ul>
        )}
        <div className="af-dialog-actions">
          <button type="button" className="af-btn" onClick={cancelImport}>
            Back
          </button>
          <button
            type="button"
            className="af-btn primary"
            autoFocus
            onClick={() => {
              acceptImport();
              onClose();
            }}
          >
            Open in the editor
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Import an answer file" onClose={close} wide testId="af-import">
      <form
        className="af-import"
        onSubmit={(e) => {
          e.preventDefault();
          if (!format || !text.trim()) return;
          setReading(true);
          void readFile(text, format, name.trim() || null).then((ok) => {
            setReading(false);
            if (ok && format === 'profile') onClose();
          });
        }}
      >
        <p className="af-hint">The kickstart, Ubuntu autoinstall user-data or Debian preseed you use today, or a profile exported from another rackboot.</p>
        <label className="af-label" htmlFor="af-import-file">
          File
        </label>
        <input
          id="af-import-file"
          type="file"
          accept=".ks,.cfg,.seed,.preseed,.yaml,.yml,.txt,.json,text/*,application/json"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            if (file.size > 4 * 1024 * 1024) {
              setFileNote(`${file.name} is larger than 4 MiB: that is not an answer file.`);
              return;
            }
            setFileNote(null);
            void file.text().then((t) => {
              setText(t);
              if (!name) setName(nameFromFile(file.name));
            });
          }}
        />
        {fileNote && <p className="af-issues error">{fileNote}</p>}
        <label className="af-label" htmlFor="af-import-text">
          Or paste it here
        </label>
        <textarea id="af-import-text" className="mono" rows={12} value={text} spellCheck={false} onChange={(e) => setText(e.target.value)} placeholder={'#version=RHEL9\ntext\nlang en_US.UTF-8\n…'} />
        <div className="af-import-row">
          <label>
            <span className="af-label">Written for</span>
            <select value={choice} onChange={(e) => setChoice(e.target.value as ImportFormat | 'guess')} aria-label="Written for">
              <option value="guess">{guessed ? `Guess: ${FORMAT_LABELS[guessed]}` : 'Guess from the file'}</option>
              {(Object.keys(FORMAT_LABELS) as ImportFormat[]).map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABELS[f]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="af-label">Profile name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="from the file" aria-label="Profile name" maxLength={100} />
          </label>
        </div>
        {text.trim() && !format && <p className="af-issues warning">Cannot tell which installer this is for: pick one under “Written for”.</p>}
        {failure?.during === 'import' && (
          <p className="af-issues error" role="alert">
            {failure.message}
          </p>
        )}
        <div className="af-dialog-actions">
          <button type="button" className="af-btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="af-btn primary" disabled={!format || !text.trim() || reading}>
            {reading ? 'Reading…' : format === 'profile' ? 'Import and save' : 'Read it'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
