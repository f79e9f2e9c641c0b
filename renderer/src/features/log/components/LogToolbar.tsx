/** Filters (service, level, machine, text), pause/resume and export for the Log screen. */
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../../../app/context.ts';
import { downloadText } from '../hooks/download.ts';
import { EXPORT_FORMATS, exportFileName, formatExport, type ExportFormat } from '../store/export.ts';
import { DEFAULT_FILTER, isDefaultFilter, LEVELS, type Level, type LogFilter } from '../store/filter.ts';
import type { LogBuffer } from '../store/log-buffer.ts';
import { logSelectors } from '../store/slice.ts';
import { LEVEL_CHOICES, SERVICE_NAMES, SERVICE_ORDER } from './row-format.ts';

/** Typing re-filters up to 100,000 rows: wait for a pause in the typing. */
const TYPING_MS = 150;

/** A text box bound to one filter field: its own state while typing, the store's value when it changes elsewhere. */
function useFilterText(value: string, commit: (v: string) => void): [string, (v: string) => void] {
  const [text, setText] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const committed = useRef(value);
  useEffect(() => {
    // Changed elsewhere ("Show only this machine", reset): show it.
    if (value !== committed.current) {
      committed.current = value;
      setText(value);
    }
  }, [value]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const change = (v: string) => {
    setText(v);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      committed.current = v;
      commit(v);
    }, TYPING_MS);
  };
  return [text, change];
}

/** MACs in the buffer, newest first: computed when the machine box gets focus, not per batch. */
function recentMacs(buffer: LogBuffer, limit = 40): string[] {
  const seen = new Set<string>();
  for (let p = buffer.events.end - 1; p >= buffer.events.first && seen.size < limit; p--) {
    const mac = buffer.events.at(p)!.mac;
    if (mac) seen.add(mac);
  }
  return [...seen];
}

export function LogToolbar() {
  const log = useApp(logSelectors.log);
  const { setFilter, pause, resume } = useApp(logSelectors.actions);
  const { filter, buffer, paused, held } = log;
  const [mac, setMac] = useFilterText(filter.mac, (v) => setFilter({ mac: v }));
  const [text, setText] = useFilterText(filter.text, (v) => setFilter({ text: v }));
  const [macs, setMacs] = useState<string[]>([]);

  const toggleService = (s: LogFilter['services'][number]) => {
    const on = filter.services.includes(s);
    setFilter({ services: on ? filter.services.filter((x) => x !== s) : SERVICE_ORDER.filter((x) => x === s || filter.services.includes(x)) });
  };

  const exportRows = (format: ExportFormat) => {
    downloadText(exportFileName(format, new Date()), formatExport(format, buffer.rows()), EXPORT_FORMATS[format].mime);
  };

  const rows = buffer.rowCount;
  return (
    <section className="panel log-tools" aria-label="Log filters">
      <div className="log-filters">
        <div className="log-services" role="group" aria-label="Services">
          {SERVICE_ORDER.map((s) => (
            <button key={s} type="button" className="chip" aria-pressed={filter.services.includes(s)} onClick={() => toggleService(s)}>
              {SERVICE_NAMES[s]}
            </button>
          ))}
        </div>
        <label className="log-field">
          <span>Level</span>
          <select value={filter.minLevel} onChange={(e) => setFilter({ minLevel: e.target.value as Level })}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {LEVEL_CHOICES[l]}
              </option>
            ))}
          </select>
        </label>
        <label className="log-field">
          <span>Machine</span>
          <input
            type="search"
            className="log-mac-input"
            placeholder="MAC, or part of one"
            spellCheck={false}
            autoComplete="off"
            list="log-macs"
            value={mac}
            onFocus={() => setMacs(recentMacs(buffer))}
            onChange={(e) => setMac(e.target.value)}
          />
          <datalist id="log-macs">
            {macs.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <label className="log-field grow">
          <span>Search</span>
          <input type="search" placeholder="Text in the message, an IP…" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="button" className="link log-reset" disabled={isDefaultFilter(filter)} onClick={() => setFilter(DEFAULT_FILTER)}>
          Show all
        </button>
      </div>
      <div className="log-bar">
        <p className="log-count" data-testid="log-count">
          {log.phase === 'loading' ? (
            'Loading recent events…'
          ) : (
            <>
              {rows === buffer.size ? `${rows.toLocaleString()} events` : `${rows.toLocaleString()} of ${buffer.size.toLocaleString()} events`}
              {buffer.size >= buffer.events.capacity && <span className="log-note"> · keeping the newest {buffer.events.capacity.toLocaleString()}</span>}
              {log.missed > 0 && <span className="log-note"> · {log.missed.toLocaleString()} missed while disconnected</span>}
              {log.loadError && <span className="log-note warn"> · earlier events could not be loaded: {log.loadError}</span>}
            </>
          )}
        </p>
        {paused && (
          <p className="log-held" role="status" data-testid="log-held">
            Paused: {held.toLocaleString()} new {held === 1 ? 'event' : 'events'} not shown
          </p>
        )}
        <div className="log-actions">
          <button type="button" className={paused ? 'btn primary' : 'btn'} aria-pressed={paused} onClick={paused ? resume : pause}>
            {paused ? 'Resume' : 'Pause'}
          </button>
          <span className="log-export" role="group" aria-label={`Export ${rows.toLocaleString()} rows`}>
            <span className="log-export-label">Export</span>
            {(Object.keys(EXPORT_FORMATS) as ExportFormat[]).map((f) => (
              <button key={f} type="button" className="btn" disabled={rows === 0} onClick={() => exportRows(f)}>
                {EXPORT_FORMATS[f].label}
              </button>
            ))}
          </span>
        </div>
      </div>
    </section>
  );
}
