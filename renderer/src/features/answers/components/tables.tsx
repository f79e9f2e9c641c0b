/** Row editors: custom partitions and extra package repositories. */
import { useState } from 'react';
import type { Path } from '../form.ts';
import { useField } from '../hooks/form-context.ts';
import { FieldIssues } from './controls.tsx';

/** One table cell bound to a path: a compact control labelled for screen readers, its issues beneath. */
function Cell({ path, label, kind = 'text', options, placeholder }: { path: Path; label: string; kind?: 'text' | 'number' | 'check' | 'select'; options?: readonly string[]; placeholder?: string }) {
  const f = useField<unknown>(path);
  const [text, setText] = useState(() => (f.value === undefined || f.value === null ? '' : String(f.value)));
  const [seen, setSeen] = useState(f.value);
  if (seen !== f.value) {
    setSeen(f.value);
    if (kind === 'number' && text.trim() !== String(f.value ?? '')) setText(f.value === undefined || f.value === null ? '' : String(f.value));
  }
  const common = { id: f.id, 'aria-label': label, 'aria-invalid': f.invalid || undefined, 'aria-describedby': f.describedBy };
  let control;
  if (kind === 'check') control = <input type="checkbox" {...common} checked={f.value === true} disabled={f.readOnly} onChange={(e) => f.set(e.target.checked)} />;
  else if (kind === 'select')
    control = (
      <select {...common} value={typeof f.value === 'string' ? f.value : ''} disabled={f.readOnly} onChange={(e) => f.set(e.target.value === '' ? undefined : e.target.value)}>
        <option value="">{placeholder ?? '—'}</option>
        {options?.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  else if (kind === 'number')
    control = (
      <input
        {...common}
        inputMode="numeric"
        className="mono"
        value={text}
        readOnly={f.readOnly}
        onChange={(e) => {
          setText(e.target.value);
          const s = e.target.value.trim();
          f.set(/^\d{1,10}$/.test(s) ? Number(s) : s);
        }}
      />
    );
  else control = <input {...common} className="mono" value={typeof f.value === 'string' ? f.value : ''} placeholder={placeholder} readOnly={f.readOnly} spellCheck={false} onChange={(e) => f.set(e.target.value)} />;
  return (
    <td className={f.invalid ? 'invalid' : undefined}>
      {control}
      <FieldIssues id={f.id} issues={f.issues} />
    </td>
  );
}

const FS_TYPES = ['xfs', 'ext4', 'ext3', 'btrfs', 'vfat', 'swap', 'biosboot'] as const;

export function PartitionsTable() {
  const path = ['disk', 'partitions'] as const;
  const f = useField<unknown[]>(path);
  const rows = Array.isArray(f.value) ? f.value : [];
  return (
    <div className="af-field wide">
      <span className="af-label" id={`${f.id}-label`}>
        Partitions
      </span>
      <table className="af-table" aria-labelledby={`${f.id}-label`} id={f.id}>
        <thead>
          <tr>
            <th>Mount point</th>
            <th className="w-size">Size (MiB)</th>
            <th className="w-grow">Grow</th>
            <th className="w-fs">File system</th>
            <th>
              <span className="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No partitions yet: add /, and /boot, swap or /home as you need.
              </td>
            </tr>
          )}
          {rows.map((_, n) => (
            <tr key={n}>
              <Cell path={[...path, n, 'mount']} label={`Partition ${n + 1} mount point`} placeholder="/" />
              <Cell path={[...path, n, 'sizeMiB']} label={`Partition ${n + 1} size in MiB`} kind="number" />
              <Cell path={[...path, n, 'grow']} label={`Partition ${n + 1} grows to fill the disk`} kind="check" />
              <Cell path={[...path, n, 'fsType']} label={`Partition ${n + 1} file system`} kind="select" options={FS_TYPES} placeholder="default" />
              <td>
                {!f.readOnly && (
                  <button type="button" className="af-btn small" aria-label={`Remove partition ${n + 1}`} onClick={() => f.set(rows.filter((_r, i) => i !== n))}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="af-hint">
        Sizes in MiB; "Grow" takes the rest of the disk. The firmware's boot partition is added per machine automatically: /boot/efi on UEFI, biosboot on BIOS
        with GPT. Add one yourself only to size it.
      </p>
      {!f.readOnly && (
        <p>
          <button type="button" className="af-btn small" onClick={() => f.set([...rows, { mount: rows.length === 0 ? '/' : '', sizeMiB: rows.length === 0 ? 10240 : 1024, grow: rows.length === 0 }])}>
            Add partition
          </button>
        </p>
      )}
      <FieldIssues id={f.id} issues={f.issues} />
    </div>
  );
}

export function RepositoriesTable() {
  const path = ['packages', 'repositories'] as const;
  const f = useField<unknown[]>(path);
  const rows = Array.isArray(f.value) ? f.value : [];
  return (
    <div className="af-field wide">
      <span className="af-label" id={`${f.id}-label`}>
        Extra repositories
      </span>
      {rows.length > 0 && (
        <table className="af-table" aria-labelledby={`${f.id}-label`} id={f.id}>
          <thead>
            <tr>
              <th>Name</th>
              <th>URL</th>
              <th>
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((_, n) => (
              <tr key={n}>
                <Cell path={[...path, n, 'name']} label={`Repository ${n + 1} name`} placeholder="epel" />
                <Cell path={[...path, n, 'url']} label={`Repository ${n + 1} URL`} placeholder="https://…" />
                <td>
                  {!f.readOnly && (
                    <button type="button" className="af-btn small" aria-label={`Remove repository ${n + 1}`} onClick={() => f.set(rows.filter((_r, i) => i !== n))}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="af-hint">The ISO is always the first source; these are added beside it.</p>
      {!f.readOnly && (
        <p>
          <button type="button" className="af-btn small" onClick={() => f.set([...rows, { name: '', url: '' }])}>
            Add repository
          </button>
        </p>
      )}
      <FieldIssues id={f.id} issues={f.issues} />
    </div>
  );
}
