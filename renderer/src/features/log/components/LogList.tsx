/**
 * The log as a virtualised grid: fixed-height rows, only those in view (plus overscan) in the DOM, one
 * expanded row at a time. It follows the newest row while the technician is at the bottom; once they scroll
 * up it holds its place (anchored to a ring position, so rows falling off the front do not move it) and offers
 * to jump down to the N new rows.
 */
import { memo, useCallback, useLayoutEffect, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import type { BootEvent } from '../../../../../shared/model/event.ts';
import { useApp } from '../../../app/context.ts';
import type { LogBuffer } from '../store/log-buffer.ts';
import { logSelectors } from '../store/slice.ts';
import { isAtBottom, maxScrollTop, rowAt, rowSpan, rowTop, scrollToShow, visibleRange, type ListLayout } from '../hooks/virtual-window.ts';
import { DETAIL, detailEntries, detailHeight, formatClock, SERVICE_NAMES } from './row-format.ts';

export const ROW_HEIGHT = 24;
const HEADER_HEIGHT = 28;
const OVERSCAN = 12;

/** Where the list is and what it does next; kept in a ref because scroll events must not each cost a render. */
interface View {
  following: boolean;
  /** While not following: the top row's ring position and how far into it the viewport starts. */
  anchor: { position: number; offset: number } | null;
  /** The scrollTop the last render asked for (a scroll event reporting it is our own). */
  top: number;
  /** `buffer.matched` when the technician left the bottom: the "N new" counter starts there. */
  newBase: number;
  filter: unknown;
  range: { start: number; end: number };
}

/** The row index of ring position `position`, or -1 when it is filtered out or gone. */
function indexOf(buffer: LogBuffer, position: number | null): number {
  if (position === null) return -1;
  const i = buffer.rowOf(position);
  return buffer.row(i)?.position === position ? i : -1;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function LogList() {
  const log = useApp(logSelectors.log);
  const { setFilter } = useApp(logSelectors.actions);
  const buffer = log.buffer;
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState(0);
  const [expanded, setExpanded] = useState<number | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  const view = useRef<View>({ following: true, anchor: null, top: 0, newBase: 0, filter: log.filter, range: { start: 0, end: 0 } });
  const v = view.current;

  if (v.filter !== log.filter) {
    // A new filter means different rows: count new ones from here.
    v.filter = log.filter;
    v.newBase = buffer.matched;
  }

  const expandedIndex = indexOf(buffer, expanded);
  const expandedEvent = expandedIndex >= 0 ? buffer.row(expandedIndex)!.event : null;
  const layout: ListLayout = {
    count: buffer.rowCount,
    rowHeight: ROW_HEIGHT,
    expanded: expandedEvent ? { index: expandedIndex, extra: detailHeight(expandedEvent) } : null,
  };
  const max = maxScrollTop(layout, viewport);
  let top: number;
  if (v.following) top = max;
  else if (v.anchor) top = clamp(rowTop(layout, buffer.rowOf(v.anchor.position)) + v.anchor.offset, 0, max);
  else top = clamp(v.top, 0, max);
  v.top = top;
  const range = visibleRange(layout, top, viewport, OVERSCAN);
  v.range = range;
  const layoutRef = useRef(layout);
  layoutRef.current = layout;

  // The DOM follows the render: scroll to where this render put the rows (after the body height changed).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && Math.abs(el.scrollTop - view.current.top) >= 1) el.scrollTop = view.current.top;
  });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport(Math.max(0, el.clientHeight - HEADER_HEIGHT));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  /** Holds the list where `scrollTop` puts it: follow at the bottom, else anchor to the top row. */
  const settle = useCallback(
    (scrollTop: number, follow: boolean) => {
      const l = layoutRef.current;
      const wasFollowing = view.current.following;
      view.current.top = scrollTop;
      view.current.following = follow;
      if (follow) view.current.anchor = null;
      else {
        const i = rowAt(l, scrollTop);
        const r = buffer.row(i);
        view.current.anchor = r ? { position: r.position, offset: scrollTop - rowTop(l, i) } : null;
        if (wasFollowing) view.current.newBase = buffer.matched;
      }
      return wasFollowing !== follow;
    },
    [buffer],
  );

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const st = el.scrollTop;
    if (Math.abs(st - view.current.top) < 1) return; // our own scroll
    const l = layoutRef.current;
    const changed = settle(st, isAtBottom(l, st, viewport));
    const next = visibleRange(l, st, viewport, OVERSCAN);
    if (changed || next.start !== view.current.range.start || next.end !== view.current.range.end) rerender();
  };

  const jumpToNewest = () => {
    settle(maxScrollTop(layoutRef.current, viewport), true);
    rerender();
  };

  const toggle = useCallback(
    (position: number) => {
      // Opening a row while new ones stream in would scroll it away: hold the list where it is.
      if (view.current.following && buffer.rowCount > 0) settle(view.current.top, false);
      setActive(position);
      setExpanded((x) => (x === position ? null : position));
    },
    [buffer, settle],
  );
  const onlyMachine = useCallback((mac: string) => setFilter({ mac }), [setFilter]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const count = buffer.rowCount;
    if (!count) return;
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    const current = indexOf(buffer, active);
    const from = current >= 0 ? current : rowAt(layout, top + (v.following ? viewport - 1 : 0));
    let to: number;
    switch (e.key) {
      case 'ArrowDown':
        to = current >= 0 ? from + 1 : from;
        break;
      case 'ArrowUp':
        to = current >= 0 ? from - 1 : from;
        break;
      case 'PageDown':
        to = from + page;
        break;
      case 'PageUp':
        to = from - page;
        break;
      case 'Home':
        to = 0;
        break;
      case 'End':
        to = count - 1;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        if (current >= 0) toggle(active!);
        else setActive(buffer.row(from)!.position);
        return;
      case 'Escape':
        if (expanded !== null) {
          e.preventDefault();
          setExpanded(null);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    to = clamp(to, 0, count - 1);
    setActive(buffer.row(to)!.position);
    if (e.key === 'End') settle(maxScrollTop(layout, viewport), true);
    else settle(scrollToShow(layout, to, top, viewport), false);
    rerender();
  };

  const activeIndex = indexOf(buffer, active);
  const newCount = v.following ? 0 : Math.max(0, buffer.matched - v.newBase);
  const rows: { i: number; position: number; event: BootEvent }[] = [];
  for (let i = range.start; i < range.end; i++) {
    const r = buffer.row(i);
    if (r) rows.push({ i, ...r });
  }

  return (
    <div className="log-frame">
      <div
        ref={scroller}
        className="log-grid"
        role="grid"
        aria-label="Boot log"
        aria-rowcount={buffer.rowCount + 1}
        aria-activedescendant={activeIndex >= range.start && activeIndex < range.end ? `log-row-${active}` : undefined}
        tabIndex={0}
        data-testid="log-grid"
        onScroll={onScroll}
        onKeyDown={onKeyDown}
      >
        <div className="log-head" role="row" aria-rowindex={1}>
          <span role="columnheader">Time</span>
          <span role="columnheader">Service</span>
          <span role="columnheader">Level</span>
          <span role="columnheader">Machine</span>
          <span role="columnheader">IP</span>
          <span role="columnheader">Message</span>
        </div>
        <div className="log-body" role="rowgroup" style={{ height: Math.max(rowTop(layout, layout.count), viewport) }}>
          {rows.map(({ i, position, event }) => (
            <LogRow
              key={position}
              position={position}
              index={i}
              event={event}
              top={rowTop(layout, i)}
              height={rowSpan(layout, i)}
              open={position === expanded}
              active={position === active}
              onToggle={toggle}
              onOnlyMachine={onlyMachine}
            />
          ))}
        </div>
      </div>
      {buffer.size === 0 ? (
        <div className="log-empty" data-testid="log-empty">
          <p className="log-empty-title">Requests from machines appear here as they boot.</p>
          <p>DHCP offers, TFTP reads (RRQ) and HTTP downloads, live: which machine asked for what.</p>
          <p>{log.phase === 'loading' ? 'Loading recent events…' : 'Start the boot server on the Setup screen, then network-boot a machine.'}</p>
        </div>
      ) : buffer.rowCount === 0 ? (
        <div className="log-empty" data-testid="log-empty">
          <p>No events match these filters.</p>
        </div>
      ) : null}
      {newCount > 0 && (
        <button type="button" className="log-jump" onClick={jumpToNewest} data-testid="log-jump">
          ↓ {newCount.toLocaleString()} new
        </button>
      )}
    </div>
  );
}

interface RowProps {
  position: number;
  index: number;
  event: BootEvent;
  top: number;
  height: number;
  open: boolean;
  active: boolean;
  onToggle(position: number): void;
  onOnlyMachine(mac: string): void;
}

const LogRow = memo(function LogRow({ position, index, event: e, top, height, open, active, onToggle, onOnlyMachine }: RowProps) {
  const clock = formatClock(e.ts);
  return (
    <div
      role="row"
      id={`log-row-${position}`}
      className={`log-row lvl-${e.level}${open ? ' open' : ''}${active ? ' active' : ''}`}
      aria-rowindex={index + 2}
      aria-selected={active}
      aria-expanded={open}
      data-testid="log-row"
      style={{ transform: `translateY(${top}px)`, height }}
      onClick={() => onToggle(position)}
    >
      <div className="log-cells">
        <span role="gridcell" className="log-time">
          {clock}
        </span>
        <span role="gridcell" className={`log-svc svc-${e.service}`}>
          {SERVICE_NAMES[e.service]}
        </span>
        <span role="gridcell" className="log-lvl">
          {e.level}
        </span>
        <span role="gridcell" className="log-mac">
          {e.mac ?? ''}
        </span>
        <span role="gridcell" className="log-ip">
          {e.ip ?? ''}
        </span>
        <span role="gridcell" className="log-msg" title={e.msg}>
          {e.msg}
        </span>
      </div>
      {open && <LogDetail event={e} onOnlyMachine={onOnlyMachine} />}
    </div>
  );
});

function LogDetail({ event: e, onOnlyMachine }: { event: BootEvent; onOnlyMachine(mac: string): void }) {
  const entries = detailEntries(e);
  return (
    // Clicks inside the details (selecting text, the button) do not fold the row.
    <div className="log-detail" onClick={(x) => x.stopPropagation()} style={{ height: detailHeight(e) }}>
      <p className="log-detail-msg" style={{ height: DETAIL.line * DETAIL.messageLines, lineHeight: `${DETAIL.line}px` }}>
        {e.msg}
      </p>
      <dl className="log-fields" style={{ maxHeight: DETAIL.line * DETAIL.maxEntryLines }} tabIndex={entries.length > DETAIL.maxEntryLines ? 0 : undefined}>
        {entries.map(([k, val]) => (
          <div key={k} style={{ height: DETAIL.line, lineHeight: `${DETAIL.line}px` }}>
            <dt>{k}</dt>
            <dd title={val}>{val}</dd>
          </div>
        ))}
      </dl>
      {e.mac && (
        <div className="log-detail-actions" style={{ height: DETAIL.actions }}>
          <button type="button" className="link" onClick={() => onOnlyMachine(e.mac!)}>
            Show only {e.mac}
          </button>
        </div>
      )}
    </div>
  );
}
