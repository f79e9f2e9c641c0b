/**
 * The live preview: the files a machine installing the picked ISO would be served for the unsaved draft, one
 * tab per file, and the checks for that family and firmware. Sizes are fixed, so nothing moves while a new
 * preview is on its way (the last files stay until it arrives).
 */
import { useMemo, useState } from 'react';
import type { AnswerFamily } from '../../../../../shared/answers/answer-profile.ts';
import { useApp } from '../../../app/context.ts';
import { placeIssues, type PlacedIssue } from '../fields.ts';
import { answerSelectors, isoFamily } from '../store/slice.ts';
import { FAMILY_SHORT } from '../words.ts';

export function PreviewPane({ onJump }: { onJump(p: PlacedIssue): void }) {
  const preview = useApp(answerSelectors.preview);
  const isos = useApp(answerSelectors.isos);
  const machines = useApp(answerSelectors.machines);
  const draft = useApp(answerSelectors.draft);
  const { setPreview, setPreviewTab } = useApp(answerSelectors.actions);
  const [wrap, setWrap] = useState(true);
  const placed = useMemo(() => placeIssues(preview.issues), [preview.issues]);
  const list = [...placed.byKey.values()].flat().concat(placed.summary);
  list.sort((a, b) => (a.issue.severity === b.issue.severity ? 0 : a.issue.severity === 'error' ? -1 : 1));
  const iso = isos.find((i) => i.id === preview.isoId) ?? null;
  const file = preview.files.find((f) => f.name === preview.tab) ?? preview.files[0] ?? null;
  const errors = preview.issues.filter((i) => i.severity === 'error').length;
  const warnings = preview.issues.length - errors;
  const family: AnswerFamily = (iso && isoFamily(iso)) ?? preview.family;

  let status: string;
  if (!draft) status = 'Open a profile to see its files.';
  else if (preview.status === 'pending') status = 'Updating…';
  else if (preview.error) status = preview.error.message;
  else if (!iso) status = isos.length ? 'Pick an ISO to see the files.' : 'No installer ISO in the library yet: add one on the Setup screen to see the files.';
  else if (preview.stale) status = 'Showing the last files that could be written: fix the marked fields.';
  else if (preview.files.length) status = `Served to ${preview.mac ?? 'an example machine'} installing ${iso.name ?? iso.label} (${preview.firmware.toUpperCase()}).`;
  else status = 'These fields cannot be written yet: fix the marked ones.';

  return (
    <div className="af-preview" data-testid="af-preview">
      <div className="af-preview-controls">
        <label className="af-wide">
          <span>ISO</span>
          <select value={preview.isoId ?? ''} onChange={(e) => setPreview({ isoId: e.target.value || null })}>
            <option value="">No ISO: checks only</option>
            {isos.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name ?? i.label} ({FAMILY_SHORT[isoFamily(i)!]})
              </option>
            ))}
          </select>
        </label>
        {!iso && (
          <label>
            <span>Check for</span>
            <select value={preview.family} onChange={(e) => setPreview({ family: e.target.value as AnswerFamily })}>
              <option value="kickstart">Kickstart</option>
              <option value="autoinstall">Ubuntu autoinstall</option>
              <option value="preseed">Debian preseed</option>
            </select>
          </label>
        )}
        <label>
          <span>Machine</span>
          <select value={preview.mac ?? ''} onChange={(e) => setPreview({ mac: e.target.value || null })}>
            <option value="">An example machine</option>
            {machines.map((m) => (
              <option key={m.mac} value={m.mac}>
                {m.hostname ? `${m.hostname} (${m.mac})` : m.mac}
              </option>
            ))}
          </select>
        </label>
        <div className="af-fw" role="radiogroup" aria-label="Firmware">
          {(['uefi', 'bios'] as const).map((fw) => (
            <label key={fw} className={preview.firmware === fw ? 'on' : undefined}>
              <input type="radio" name="af-firmware" checked={preview.firmware === fw} onChange={() => setPreview({ firmware: fw })} />
              {fw.toUpperCase()}
            </label>
          ))}
        </div>
      </div>
      <p className={`af-preview-status${preview.status === 'pending' ? ' pending' : ''}${preview.stale || preview.error ? ' warn' : ''}`} role="status" aria-live="polite" title={status}>
        {status}
      </p>
      <div className="af-files" role="tablist" aria-label="Rendered files">
        {preview.files.map((f) => (
          <button key={f.name} type="button" role="tab" id={`af-file-${f.name}`} aria-selected={f.name === file?.name} aria-controls="af-file-view" className={f.name === file?.name ? 'on' : undefined} onClick={() => setPreviewTab(f.name)}>
            {f.name}
          </button>
        ))}
        {preview.files.length === 0 && <span className="muted af-files-none">{family === 'autoinstall' ? 'user-data, meta-data' : family === 'preseed' ? 'preseed.cfg' : 'ks.cfg'}</span>}
        <label className="af-wrap">
          <input type="checkbox" checked={wrap} onChange={(e) => setWrap(e.target.checked)} />
          Wrap long lines
        </label>
      </div>
      <pre id="af-file-view" className={`af-file${preview.stale ? ' stale' : ''}${wrap ? ' wrap' : ''}`} role="tabpanel" aria-labelledby={file ? `af-file-${file.name}` : undefined} tabIndex={0} data-testid="af-file">
        {file?.text ?? ''}
      </pre>
      <div className="af-checks" data-testid="af-checks">
        <p className="af-checks-head">
          Checks for {FAMILY_SHORT[preview.resultFamily ?? family]}, {preview.firmware.toUpperCase()}:{' '}
          {!draft || preview.resultFamily === null ? (
            <span className="muted">{preview.status === 'pending' ? 'checking…' : '—'}</span>
          ) : preview.issues.length === 0 ? (
            <span className="ok">nothing to fix</span>
          ) : (
            <>
              {errors > 0 && <span className="error">{errors === 1 ? '1 error' : `${errors} errors`}</span>}
              {errors > 0 && warnings > 0 && ', '}
              {warnings > 0 && <span className="warning">{warnings === 1 ? '1 warning' : `${warnings} warnings`}</span>}
            </>
          )}
        </p>
        <ul>
          {list.map((p, n) => (
            <li key={n} className={p.issue.severity}>
              {p.key ? (
                <button type="button" className="link" onClick={() => onJump(p)}>
                  {p.text}
                </button>
              ) : (
                p.text
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
