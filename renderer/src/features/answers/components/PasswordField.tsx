/**
 * A password as the profile holds it: none (`null`), a stored SHA-512 crypt hash (`{ hash }`, shown only as
 * "set"), or a new one typed once (`{ plain }`), which the core hashes on save. The plain text is never shown
 * back: after a save the field says "set" and offers "Change".
 */
import { useState } from 'react';
import type { Path } from '../form.ts';
import { useField } from '../hooks/form-context.ts';
import { FieldIssues } from './controls.tsx';

type Password = { hash: string } | { plain: string } | null;

const isHash = (v: unknown): v is { hash: string } => !!v && typeof v === 'object' && 'hash' in v;
const isPlain = (v: unknown): v is { plain: string } => !!v && typeof v === 'object' && 'plain' in v;

export function PasswordField({ path, label, noneLabel, noneHint }: { path: Path; label: string; noneLabel: string; noneHint: string }) {
  const f = useField<Password>(path);
  const value = f.value ?? null;
  /** Typing a new password over a stored one (or over none): the value to go back to. */
  const [changing, setChanging] = useState<{ from: Password } | null>(null);
  /** The last value this field wrote, to tell its own edits from a save, discard or revert elsewhere. */
  const [wrote, setWrote] = useState<{ v: Password } | null>(null);
  const [seen, setSeen] = useState<unknown>(value);
  if (seen !== value) {
    setSeen(value);
    // Saved (now a hash), discarded or reverted elsewhere: the change in progress is over.
    if (value !== wrote?.v && changing) setChanging(null);
  }
  const set = (v: Password) => {
    setWrote({ v });
    f.set(v);
  };
  const mode = value !== null || changing ? 'password' : 'none';
  const typing = isPlain(value) || (changing !== null && !isHash(value));

  return (
    <div className={`af-field wide${f.invalid ? ' invalid' : ''}`}>
      <span className="af-label" id={`${f.id}-label`}>
        {label}
      </span>
      <div className="af-choices" role="radiogroup" aria-labelledby={`${f.id}-label`}>
        <label className={mode === 'none' ? 'on' : undefined}>
          <input
            type="radio"
            name={f.id}
            checked={mode === 'none'}
            disabled={f.readOnly}
            onChange={() => {
              setChanging(null);
              set(null);
            }}
          />
          {noneLabel}
        </label>
        <label className={mode === 'password' ? 'on' : undefined}>
          <input
            type="radio"
            name={f.id}
            checked={mode === 'password'}
            disabled={f.readOnly}
            onChange={() => {
              if (value === null) setChanging({ from: null });
            }}
          />
          Password
        </label>
      </div>
      {mode === 'none' && <p className="af-hint">{noneHint}</p>}
      {isHash(value) && !changing && (
        <p className="af-secret">
          <span className="af-set" data-testid={`${f.id}-set`}>
            Password set
          </span>{' '}
          <span className="muted">stored as a SHA-512 hash only</span>{' '}
          {!f.readOnly && (
            <button type="button" className="af-btn small" onClick={() => setChanging({ from: value })}>
              Change
            </button>
          )}
        </p>
      )}
      {(typing || (changing && isHash(value))) && !f.readOnly && (
        <p className="af-secret">
          <input
            id={f.id}
            type="password"
            autoComplete="new-password"
            aria-label={`${label}: new password`}
            aria-invalid={f.invalid || undefined}
            aria-describedby={f.describedBy}
            placeholder="Type the new password"
            value={isPlain(value) ? value.plain : ''}
            onChange={(e) => set(e.target.value === '' ? (changing?.from ?? null) : { plain: e.target.value })}
          />
          {changing?.from && (
            <button
              type="button"
              className="af-btn small"
              onClick={() => {
                set(changing.from);
                setChanging(null);
              }}
            >
              Keep the saved one
            </button>
          )}
        </p>
      )}
      {typing && <p className="af-hint">Sent once when you save; rackboot stores only its hash and never shows it again.</p>}
      <FieldIssues id={f.id} issues={f.issues} />
    </div>
  );
}
