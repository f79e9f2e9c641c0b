/**
 * The arithmetic of a virtualised list with a fixed row height and at most one expanded row (which adds
 * `extra` pixels below itself). Pure: the list component feeds it scrollTop and the viewport height.
 */
export interface ListLayout {
  count: number;
  rowHeight: number;
  /** The open row and the height its details add, or null. */
  expanded: { index: number; extra: number } | null;
}

const expandedIn = (l: ListLayout) => (l.expanded && l.expanded.index >= 0 && l.expanded.index < l.count ? l.expanded : null);

export function totalHeight(l: ListLayout): number {
  return l.count * l.rowHeight + (expandedIn(l)?.extra ?? 0);
}

/** The y of row i's top edge. */
export function rowTop(l: ListLayout, i: number): number {
  const x = expandedIn(l);
  return i * l.rowHeight + (x && i > x.index ? x.extra : 0);
}

/** The height row i takes, its details included. */
export function rowSpan(l: ListLayout, i: number): number {
  const x = expandedIn(l);
  return l.rowHeight + (x && i === x.index ? x.extra : 0);
}

/** The row covering y, clamped to the rows there are (0 when there are none). */
export function rowAt(l: ListLayout, y: number): number {
  if (l.count === 0) return 0;
  const clamp = (i: number) => Math.min(l.count - 1, Math.max(0, i));
  const x = expandedIn(l);
  if (!x || y < (x.index + 1) * l.rowHeight) return clamp(Math.floor(y / l.rowHeight));
  if (y < (x.index + 1) * l.rowHeight + x.extra) return x.index;
  return clamp(Math.floor((y - x.extra) / l.rowHeight));
}

/** Rows [start, end) to render: those inside the viewport plus `overscan` on either side. */
export function visibleRange(l: ListLayout, scrollTop: number, viewport: number, overscan: number): { start: number; end: number } {
  if (l.count === 0 || viewport <= 0) return { start: 0, end: Math.min(l.count, overscan) };
  const first = rowAt(l, Math.max(0, scrollTop));
  const last = rowAt(l, Math.max(0, scrollTop + viewport - 1));
  return { start: Math.max(0, first - overscan), end: Math.min(l.count, last + 1 + overscan) };
}

export function maxScrollTop(l: ListLayout, viewport: number): number {
  return Math.max(0, totalHeight(l) - viewport);
}

/** At the bottom, within half a row: the list then follows new rows. */
export function isAtBottom(l: ListLayout, scrollTop: number, viewport: number): boolean {
  return scrollTop >= maxScrollTop(l, viewport) - l.rowHeight / 2;
}

/** The smallest scroll that shows row i whole (its details too, as far as they fit). */
export function scrollToShow(l: ListLayout, i: number, scrollTop: number, viewport: number): number {
  const top = rowTop(l, i);
  const bottom = top + rowSpan(l, i);
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.min(top, bottom - viewport);
  return scrollTop;
}
