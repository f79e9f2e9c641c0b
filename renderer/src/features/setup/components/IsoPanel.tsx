import { useRef, useState, type DragEvent } from 'react';
import { useApp } from '../../../app/context.ts';
import { selectors } from '../../../app/store.ts';
import { formatBytes } from '../format.ts';

declare global {
  interface Window {
    /** Electron preload only: the path of a dropped file (browser pages are never told where a file lives). */
    rackbootFiles?: { pathFor(file: File): string };
  }
}

/** Step 3: the installers rackboot serves. Drop (Electron), type a path, or pick one found on this computer. */
export function IsoPanel() {
  const isos = useApp(selectors.isos);
  const found = useApp(selectors.foundIsos);
  const adding = useApp(selectors.addingIso);
  const { addIso, removeIso, refreshIsos } = useApp(selectors.actions);
  const [path, setPath] = useState('');
  const [dragging, setDragging] = useState(false);
  const [dropNote, setDropNote] = useState<string | null>(null);
  const offered = found.filter((f) => !f.inLibrary).slice(0, 8);
  const picker = useRef<HTMLInputElement>(null);
  // Electron only: a picked file's path comes from the preload (a browser page never learns where a file is).
  const canPick = Boolean(window.rackbootFiles);

  const addFiles = (list: FileList | null) => {
    const files = [...(list ?? [])].filter((f) => /\.iso$/i.test(f.name));
    if (files.length === 0) {
      setDropNote('That is not an .iso file.');
      return;
    }
    const pathFor = window.rackbootFiles?.pathFor;
    if (!pathFor) {
      setDropNote(`Browser mode cannot see where ${files[0]!.name} is stored: pick it below or type its path.`);
      return;
    }
    setDropNote(null);
    void (async () => {
      for (const f of files) await addIso(pathFor(f));
    })();
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    addFiles(e.dataTransfer.files);
  };

  return (
    <section className="panel" aria-labelledby="iso-title">
      <header className="panel-head">
        <h2 id="iso-title">
          <span className="step">3</span> Installer ISOs
        </h2>
        <button type="button" className="link" onClick={() => void refreshIsos()}>
          Refresh
        </button>
      </header>
      <div
        className={`dropzone${dragging ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="iso-drop"
      >
        <p>Drop installer ISOs here, or give the path of one:</p>
        <form
          className="path-row"
          onSubmit={(e) => {
            e.preventDefault();
            const p = path.trim();
            if (p) void addIso(p).then((ok) => ok && setPath(''));
          }}
        >
          <input aria-label="ISO path" placeholder="/home/tech/Downloads/Rocky-9.4-x86_64-dvd.iso" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
          <button type="submit" disabled={!path.trim() || adding !== null}>
            Add
          </button>
          {canPick && (
            <>
              <button type="button" onClick={() => picker.current?.click()} disabled={adding !== null}>
                Browse…
              </button>
              <input ref={picker} type="file" accept=".iso,application/x-iso9660-image" multiple hidden onChange={(e) => addFiles(e.target.files)} />
            </>
          )}
        </form>
        {dropNote && <p className="hint">{dropNote}</p>}
        {adding && <p className="hint" role="status">Reading {adding}…</p>}
      </div>
      {offered.length > 0 && (
        <div className="found">
          <h3>Found on this computer</h3>
          <ul>
            {offered.map((f) => (
              <li key={f.path}>
                <span className="iso-path" title={f.path}>
                  {f.path}
                </span>
                <span className="muted">{formatBytes(f.size)}</span>
                <button type="button" className="link" disabled={adding !== null} onClick={() => void addIso(f.path)}>
                  Add
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {isos.length === 0 ? (
        <p className="empty">No ISO yet. Without one, rackboot serves only its boot menu and local-disk boot.</p>
      ) : (
        <ul className="iso-list">
          {isos.map((iso) => (
            <li key={iso.id} className="iso" data-testid={`iso-${iso.id}`}>
              <div className="iso-head">
                <strong>{iso.name ?? iso.label ?? iso.id}</strong>
                <span className={`badge ${iso.netboot ? 'running' : 'failed'}`}>{iso.netboot ? 'boots over the network' : 'cannot netboot'}</span>
              </div>
              <div className="iso-meta">
                {[iso.arch, iso.format === 'udf' ? 'UDF' : 'ISO 9660', formatBytes(iso.size), `${iso.files} files`].filter(Boolean).join(' · ')}
              </div>
              {!iso.netboot && iso.reason && <div className="iso-why">{iso.reason}</div>}
              {iso.netboot?.notes.map((n) => (
                <div key={n} className="iso-note">
                  {n}
                </div>
              ))}
              <div className="iso-foot">
                <span className="iso-path" title={iso.path}>
                  {iso.path}
                </span>
                <button type="button" className="link" onClick={() => void removeIso(iso.id)} aria-label={`Remove ${iso.name ?? iso.id}`}>
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
