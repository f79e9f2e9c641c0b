/**
 * The form's controls, each bound to one path of the profile body: label, control, the issues at that field
 * (the schema's and the core's) and a hint. Read-only over an old version.
 */
import { useState, type ReactNode } from 'react';
import type { PlacedIssue } from '../fields.ts';
import { canonical, listText, parseList, type Path } from '../form.ts';
import { useField, type Field } from '../hooks/form-context.ts';

export function FieldIssues({ id, issues }: { id: string; issues: readonly PlacedIssue[] }) {
  if (!issues.length) return null;
  return (
    <ul className="af-issues" id={`${id}-issues`}>
      {issues.map((p, n) => (
        <li key={n} className={p.issue.severity}>
          {p.text}
        </li>
      ))}
    </ul>
  );
}

interface Common {
  path: Path;
  label: string;
  hint?: ReactNode;
  /** Grid width: one column (default) or the whole row. */
  wide?: boolean;
}

function Wrap({ f, label, hint, wide, children, as = 'label' }: { f: Field<unknown>; label: string; hint?: ReactNode; wide?: boolean; children: ReactNode; as?: 'label' | 'group' }) {
  const cls = `af-field${wide ? ' wide' : ''}${f.invalid ? ' invalid' : ''}`;
  return (
    <div className={cls}>
      {as === 'label' ? (
        <label className="af-label" htmlFor={f.id}>
          {label}
        </label>
      ) : (
        <span className="af-label" id={`${f.id}-label`}>
          {label}
        </span>
      )}
      {children}
      <FieldIssues id={f.id} issues={f.issues} />
      {hint && <p className="af-hint">{hint}</p>}
    </div>
  );
}

const aria = (f: Field<unknown>) => ({ 'aria-invalid': f.invalid || undefined, 'aria-describedby': f.describedBy });

/** One line of text; `optional`: empty removes the value (the profile then says nothing). */
export function TextField({ path, label, hint, wide, optional, placeholder, mono, list, nullable }: Common & { optional?: boolean; nullable?: boolean; placeholder?: string; mono?: boolean; list?: string }) {
  const f = useField<string>(path);
  return (
    <Wrap f={f} label={label} hint={hint} wide={wide}>
      <input
        id={f.id}
        className={mono ? 'mono' : undefined}
        value={typeof f.value === 'string' ? f.value : f.value == null ? '' : String(f.value)}
        placeholder={placeholder}
        readOnly={f.readOnly}
        spellCheck={false}
        list={list}
        onChange={(e) => {
          const v = e.target.value;
          f.set(v === '' && optional ? undefined : v === '' && nullable ? null : v);
        }}
        {...aria(f)}
      />
    </Wrap>
  );
}

/** Free text over several lines (description), or a script in monospace. */
export function TextArea({ path, label, hint, rows = 3, mono, placeholder }: Common & { rows?: number; mono?: boolean; placeholder?: string }) {
  const f = useField<string>(path);
  return (
    <Wrap f={f} label={label} hint={hint} wide>
      <textarea
        id={f.id}
        className={mono ? 'mono' : undefined}
        rows={rows}
        value={typeof f.value === 'string' ? f.value : ''}
        placeholder={placeholder}
        readOnly={f.readOnly}
        spellCheck={!mono}
        onChange={(e) => f.set(e.target.value)}
        {...aria(f)}
      />
    </Wrap>
  );
}

export function CheckField({ path, label, hint, wide }: Common) {
  const f = useField<boolean>(path);
  return (
    <div className={`af-field af-check${wide ? ' wide' : ''}${f.invalid ? ' invalid' : ''}`}>
      <label>
        <input type="checkbox" id={f.id} checked={f.value === true} disabled={f.readOnly} onChange={(e) => f.set(e.target.checked)} {...aria(f)} />
        {label}
      </label>
      <FieldIssues id={f.id} issues={f.issues} />
      {hint && <p className="af-hint">{hint}</p>}
    </div>
  );
}

export interface Choice {
  value: string;
  label: string;
}

/**
 * A short choice as a row of radio buttons (keyboard: arrows move within the group, as native radios do).
 * `unset` adds a choice that removes the value (the installer's default).
 */
export function ChoiceField({ path, label, hint, wide, choices, unset }: Common & { choices: readonly Choice[]; unset?: string }) {
  const f = useField<string>(path);
  const all = unset ? [{ value: '', label: unset }, ...choices] : choices;
  const current = f.value === undefined || f.value === null ? '' : String(f.value);
  return (
    <Wrap f={f} label={label} hint={hint} wide={wide} as="group">
      <div className="af-choices" role="radiogroup" aria-labelledby={`${f.id}-label`} id={f.id} {...aria(f)}>
        {all.map((c) => (
          <label key={c.value} className={current === c.value ? 'on' : undefined}>
            <input type="radio" name={f.id} value={c.value} checked={current === c.value} disabled={f.readOnly} onChange={() => f.set(c.value === '' ? undefined : c.value)} />
            {c.label}
          </label>
        ))}
      </div>
    </Wrap>
  );
}

/** A longer choice as a drop-down; `unset` as in ChoiceField, `nullValue`: the empty choice writes null. */
export function SelectField({ path, label, hint, wide, choices, unset, nullValue }: Common & { choices: readonly Choice[]; unset?: string; nullValue?: boolean }) {
  const f = useField<string>(path);
  const current = f.value === undefined || f.value === null ? '' : String(f.value);
  return (
    <Wrap f={f} label={label} hint={hint} wide={wide}>
      <select id={f.id} value={current} disabled={f.readOnly} onChange={(e) => f.set(e.target.value === '' ? (nullValue ? null : undefined) : e.target.value)} {...aria(f)}>
        {unset !== undefined && <option value="">{unset}</option>}
        {!unset && !choices.some((c) => c.value === current) && <option value={current}>{current || '—'}</option>}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </Wrap>
  );
}

/** Keeps the text a technician types while the body holds the parsed value, and follows outside changes. */
function useDraftText<T>(value: T, show: (v: T) => string, same: (text: string, v: T) => boolean): [string, (t: string) => void] {
  const [text, setText] = useState(() => show(value));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    // The value changed elsewhere (discard, revert, another profile): show it, unless it is what the text says.
    if (!same(text, value)) setText(show(value));
  }
  return [text, setText];
}

/** A whole number; `nullable`: empty writes null ("installer's default"). Text that is no number is kept for the schema to flag. */
export function NumberField({ path, label, hint, nullable, min, unit, placeholder }: Common & { nullable?: boolean; min?: number; unit?: string; placeholder?: string }) {
  const f = useField<number | string | null>(path);
  const show = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const [text, setText] = useDraftText<unknown>(f.value, show, (t, v) => t.trim() === show(v));
  return (
    <Wrap f={f} label={label} hint={hint}>
      <span className="af-unit">
        <input
          id={f.id}
          inputMode="numeric"
          value={text}
          min={min}
          placeholder={placeholder}
          readOnly={f.readOnly}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            const s = t.trim();
            f.set(s === '' && nullable ? null : /^\d{1,10}$/.test(s) ? Number(s) : s);
          }}
          {...aria(f)}
        />
        {unit && <span className="muted">{unit}</span>}
      </span>
    </Wrap>
  );
}

/** A list: one entry a line (`lines`: keys, packages) or separated by spaces or commas (`words`: services). */
export function ListField({ path, label, hint, sep, rows = 3, mono = true, placeholder }: Common & { sep: 'lines' | 'words'; rows?: number; mono?: boolean; placeholder?: string }) {
  const f = useField<unknown[]>(path);
  const [text, setText] = useDraftText<unknown>(f.value, (v) => listText(v, sep), (t, v) => canonical(parseList(t, sep)) === canonical(v ?? []));
  const onChange = (t: string) => {
    setText(t);
    f.set(parseList(t, sep));
  };
  return (
    <Wrap f={f} label={label} hint={hint} wide={sep === 'lines'}>
      {sep === 'lines' ? (
        <textarea id={f.id} className={mono ? 'mono' : undefined} rows={rows} value={text} placeholder={placeholder} readOnly={f.readOnly} spellCheck={false} onChange={(e) => onChange(e.target.value)} {...aria(f)} />
      ) : (
        <input id={f.id} className={mono ? 'mono' : undefined} value={text} placeholder={placeholder} readOnly={f.readOnly} spellCheck={false} onChange={(e) => onChange(e.target.value)} {...aria(f)} />
      )}
    </Wrap>
  );
}

/**
 * Raw text edited as a whole and parsed into the body (kickstart sections, YAML blocks): `parse` returns the
 * value, or an error string shown under the field while the body keeps its last good value.
 */
export function RawField({ path, label, hint, rows = 6, show, parse, same }: Common & { rows?: number; show: (v: unknown) => string; parse: (t: string) => { value: unknown } | { error: string }; same: (t: string, v: unknown) => boolean }) {
  const f = useField(path);
  const [text, setText] = useDraftText<unknown>(f.value, show, same);
  const [error, setError] = useState<string | null>(null);
  return (
    <Wrap f={f} label={label} hint={hint} wide>
      <textarea
        id={f.id}
        className="mono"
        rows={rows}
        value={text}
        readOnly={f.readOnly}
        spellCheck={false}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          const r = parse(t);
          if ('error' in r) setError(r.error);
          else {
            setError(null);
            f.set(r.value);
          }
        }}
        aria-invalid={f.invalid || error !== null || undefined}
        aria-describedby={f.describedBy}
      />
      {error && <p className="af-issues error">{error}</p>}
    </Wrap>
  );
}

/** A fixed group title inside a section. */
export function Group({ title, children, hint }: { title: string; children: ReactNode; hint?: ReactNode }) {
  return (
    <fieldset className="af-group">
      <legend>{title}</legend>
      {hint && <p className="af-hint">{hint}</p>}
      <div className="af-grid">{children}</div>
    </fieldset>
  );
}
