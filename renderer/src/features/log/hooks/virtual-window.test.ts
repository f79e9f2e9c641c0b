import { describe, expect, it } from 'vitest';
import { isAtBottom, maxScrollTop, rowAt, rowSpan, rowTop, scrollToShow, totalHeight, visibleRange, type ListLayout } from './virtual-window.ts';

const flat: ListLayout = { count: 100_000, rowHeight: 24, expanded: null };
const open: ListLayout = { count: 100, rowHeight: 24, expanded: { index: 10, extra: 100 } };

describe('virtual window', () => {
  it('measures a flat list', () => {
    expect(totalHeight(flat)).toBe(2_400_000);
    expect(rowTop(flat, 5)).toBe(120);
    expect(rowAt(flat, 0)).toBe(0);
    expect(rowAt(flat, 23.9)).toBe(0);
    expect(rowAt(flat, 24)).toBe(1);
    expect(rowAt(flat, 10_000_000)).toBe(99_999); // clamped
    expect(rowAt(flat, -50)).toBe(0);
  });

  it('renders only the rows in view plus overscan, whatever the list length', () => {
    expect(visibleRange(flat, 0, 480, 8)).toEqual({ start: 0, end: 28 });
    expect(visibleRange(flat, 1_200_000, 480, 8)).toEqual({ start: 49_992, end: 50_028 });
    expect(visibleRange(flat, maxScrollTop(flat, 480), 480, 8)).toEqual({ start: 99_972, end: 100_000 });
    // A scrollTop between rows shows the partly visible rows at both edges.
    expect(visibleRange(flat, 12, 480, 0)).toEqual({ start: 0, end: 21 });
  });

  it('handles no rows and no viewport', () => {
    const none: ListLayout = { count: 0, rowHeight: 24, expanded: null };
    expect(totalHeight(none)).toBe(0);
    expect(visibleRange(none, 0, 480, 8)).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...flat, count: 3 }, 0, 0, 8)).toEqual({ start: 0, end: 3 });
    expect(rowAt(none, 100)).toBe(0);
  });

  it('adds an expanded row\'s details below it and nowhere else', () => {
    expect(totalHeight(open)).toBe(2500);
    expect(rowTop(open, 10)).toBe(240);
    expect(rowSpan(open, 10)).toBe(124);
    expect(rowSpan(open, 11)).toBe(24);
    expect(rowTop(open, 11)).toBe(364);
    expect(rowAt(open, 250)).toBe(10);
    expect(rowAt(open, 363)).toBe(10); // inside the details
    expect(rowAt(open, 364)).toBe(11);
    expect(rowAt(open, 239)).toBe(9);
    expect(visibleRange(open, 240, 130, 0)).toEqual({ start: 10, end: 12 });
  });

  it('ignores an expanded index outside the list', () => {
    expect(totalHeight({ ...open, expanded: { index: 100, extra: 100 } })).toBe(2400);
    expect(totalHeight({ ...open, expanded: { index: -1, extra: 100 } })).toBe(2400);
  });

  it('is at the bottom within half a row', () => {
    const l: ListLayout = { count: 100, rowHeight: 24, expanded: null };
    expect(maxScrollTop(l, 480)).toBe(1920);
    expect(isAtBottom(l, 1920, 480)).toBe(true);
    expect(isAtBottom(l, 1909, 480)).toBe(true);
    expect(isAtBottom(l, 1900, 480)).toBe(false);
    expect(isAtBottom({ ...l, count: 5 }, 0, 480)).toBe(true); // shorter than the viewport
  });

  it('scrolls just enough to show a row', () => {
    const l: ListLayout = { count: 100, rowHeight: 24, expanded: null };
    expect(scrollToShow(l, 10, 0, 480)).toBe(0); // already visible
    expect(scrollToShow(l, 30, 0, 480)).toBe(30 * 24 + 24 - 480); // below: bottom edge aligned
    expect(scrollToShow(l, 2, 200, 480)).toBe(48); // above: top edge aligned
    // An open row taller than the viewport shows its top.
    expect(scrollToShow({ ...l, expanded: { index: 50, extra: 1000 } }, 50, 0, 480)).toBe(1200);
  });
});
