import {
  Fragment,
  memo,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
} from 'react';
import { flushSync } from 'react-dom';

/** Where a cell sits, computed by the virtualizer. */
export interface CellLayout {
  index: number;
  column: number;
  row: number;
  width: number;
  height: number;
  /**
   * The cell's size: the element `renderCell` returns must take it as its `style`. The same object
   * for every cell until the layout changes, so a memoized cell skips rendering.
   */
  style: CSSProperties;
}

export interface VirtualGridHandle {
  scrollToIndex(index: number): void;
  focus(): void;
  /** Columns in the current layout (1 for a list). */
  columns(): number;
}

export interface VirtualGridProps {
  count: number;
  /** Cells are at least this wide; the grid fits as many columns as it can. Omit for a list. */
  minCellWidth?: number;
  /** Height of a cell given its width. */
  cellHeight: (cellWidth: number) => number;
  gap?: number;
  padding?: number;
  /** Rows rendered beyond the viewport, above and below. */
  overscan?: number;
  renderCell: (layout: CellLayout) => ReactNode;
  /** The keyboard cursor (also scrolled into view when it changes). */
  activeIndex: number;
  onActiveIndexChange: (index: number) => void;
  /** Enter on the active cell. */
  onOpen?: (index: number) => void;
  /** Space on the active cell (Shift: range). */
  onToggle?: (index: number, range: boolean) => void;
  /** Ctrl/Cmd+A, Escape. */
  onSelectAll?: () => void;
  onClearSelection?: () => void;
  /** Called with the first and last visible index (data loading). */
  onVisibleRangeChange?: (first: number, last: number) => void;
  /** Where to start scrolled to (restoring a view the user comes back to). */
  initialScrollTop?: number;
  /** Every scroll position, for the caller to remember. */
  onScrollTop?: (top: number) => void;
  ariaLabel: string;
  cellId: (index: number) => string;
  className?: string;
  empty?: ReactNode;
  ref?: Ref<VirtualGridHandle>;
}

interface Geometry {
  padding: number;
  rowStride: number;
  height: number;
  rows: number;
  overscan: number;
}

/**
 * The rows to render at a scroll position: the rows in view plus `overscan` on each side, always
 * the same number of them (the most the viewport can show, plus overscan), shifted at the ends.
 * A constant count is what lets rows recycle: the row scrolling in has the key of the row
 * scrolling out.
 */
function rowWindow(top: number, g: Geometry): { first: number; last: number; size: number } {
  if (g.rows === 0 || g.height === 0) return { first: 0, last: -1, size: 1 };
  const size = Math.min(g.rows, Math.ceil(g.height / g.rowStride) + 1 + 2 * g.overscan);
  const firstVisible = Math.floor((top - g.padding) / g.rowStride);
  const first = Math.max(0, Math.min(g.rows - size, firstVisible - g.overscan));
  return { first, last: first + size - 1, size };
}

/**
 * A windowed grid or list: only the rows in view (plus a few) exist in the DOM, absolutely
 * positioned inside a spacer as tall as the whole collection, so 10,000 items scroll like 50.
 *
 * Built for what a scrolled frame costs: React renders only when the rows in the window change
 * (most scroll events return after a little arithmetic), and then synchronously, in the frame
 * being scrolled, so new rows are laid out and painted once and never show up a frame late. Rows
 * come from a fixed pool keyed by slot: a row scrolling in reuses the elements of the row that
 * scrolled out (moved with a transform, its cells' content updated in place), and rows that stay
 * put skip rendering entirely. Each row is one positioned element with its cells in flow inside,
 * so the browser has a handful of paint layers to walk per frame, not several per cell.
 */
export function VirtualGrid(props: VirtualGridProps) {
  const { count, minCellWidth, cellHeight, gap = 0, padding = 0, overscan = 2, activeIndex } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const inner = Math.max(0, viewport.width - padding * 2);
  const columns = minCellWidth ? Math.max(1, Math.floor((inner + gap) / (minCellWidth + gap))) : 1;
  const cellWidth = columns > 0 ? Math.max(1, (inner - gap * (columns - 1)) / columns) : inner;
  const cellH = Math.max(1, Math.round(cellHeight(cellWidth)));
  const rowStride = cellH + gap;
  const rows = Math.ceil(count / columns);
  const totalHeight = rows > 0 ? padding * 2 + rows * rowStride - gap : 0;
  const geometry: Geometry = { padding, rowStride, height: viewport.height, rows, overscan };
  const { first: firstRow, last: lastRow, size: pool } = rowWindow(scrollTop, geometry);
  const first = firstRow * columns;
  const last = Math.min(count - 1, (lastRow + 1) * columns - 1);

  // What the scroll listener compares against: the geometry and window of the last commit.
  const committed = useRef({ geometry, firstRow, lastRow });
  useLayoutEffect(() => {
    committed.current = { geometry, firstRow, lastRow };
  });
  const onScrollTopRef = useRef(props.onScrollTop);
  useLayoutEffect(() => {
    onScrollTopRef.current = props.onScrollTop;
  });
  // The position when the grid goes away (the user opened a movie), read while the element is
  // still in the document: a click can land before the last scroll event of a busy frame.
  useLayoutEffect(() => {
    const el = scroller.current;
    return () => {
      if (el?.isConnected) onScrollTopRef.current?.(el.scrollTop);
    };
  }, []);

  // Scroll events arrive once per frame, just before it is rendered. Most leave the window as it
  // is; the others render it right here (flushSync), so the frame on screen includes the new
  // rows and no render task is left to run between frames.
  const scrolling = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    // While scrolling, cells ignore the pointer (`data-scrolling` in the stylesheet): rows passing
    // under a still mouse would otherwise each take the hover style (a lift and a large shadow).
    if (scrolling.current === null) el.dataset.scrolling = '';
    else clearTimeout(scrolling.current);
    scrolling.current = setTimeout(() => {
      scrolling.current = null;
      delete el.dataset.scrolling;
    }, 150);
    const top = el.scrollTop;
    onScrollTopRef.current?.(top);
    const now = committed.current;
    const next = rowWindow(top, now.geometry);
    if (next.first === now.firstRow && next.last === now.lastRow) return;
    flushSync(() => setScrollTop(top));
  }, []);

  // A native passive listener: React's synthetic event layer costs time on every scrolled frame.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      el.removeEventListener('scroll', onScroll);
      if (scrolling.current !== null) clearTimeout(scrolling.current);
    };
  }, [onScroll]);

  const onRange = props.onVisibleRangeChange;
  useEffect(() => {
    if (onRange && count > 0 && viewport.height > 0 && last >= first) onRange(first, last);
  }, [onRange, first, last, count, viewport.height]);

  const scrollToIndex = useCallback(
    (index: number) => {
      const el = scroller.current;
      if (!el || index < 0) return;
      const row = Math.floor(index / columns);
      const top = padding + row * rowStride;
      const bottom = top + cellH;
      if (top < el.scrollTop) el.scrollTop = top - padding;
      else if (bottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom - el.clientHeight + padding;
    },
    [columns, padding, rowStride, cellH],
  );

  useImperativeHandle(
    props.ref,
    () => ({ scrollToIndex, focus: () => scroller.current?.focus({ preventScroll: true }), columns: () => columns }),
    [scrollToIndex, columns],
  );

  // Restore once, as soon as there is something to scroll. Until then the active cell is not
  // scrolled to: measured against a grid still empty, it would pull the restored place off by
  // a row or more (back from a movie, the active cell is that movie, already in sight).
  const restored = useRef(false);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (restored.current || !el || count === 0 || viewport.height === 0) return;
    restored.current = true;
    if (props.initialScrollTop) {
      el.scrollTop = props.initialScrollTop;
      setScrollTop(el.scrollTop);
    }
    if (activeIndex >= 0) scrollToIndex(activeIndex);
  }, [count, viewport.height, props.initialScrollTop, activeIndex, scrollToIndex]);

  // Only a move of the active cell scrolls to it. A change of the grid's geometry (columns found
  // once the width is measured, pages loaded) must not: back from a movie that pulled the
  // restored place a row up a moment after it was restored.
  const scrollToIndexRef = useRef(scrollToIndex);
  scrollToIndexRef.current = scrollToIndex;
  useEffect(() => {
    if (activeIndex >= 0 && restored.current) scrollToIndexRef.current(activeIndex);
  }, [activeIndex]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) return;
    const page = Math.max(1, Math.floor(viewport.height / rowStride)) * columns;
    const current = Math.max(0, activeIndex);
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowRight':
        next = current + 1;
        break;
      case 'ArrowLeft':
        next = current - 1;
        break;
      case 'ArrowDown':
        next = activeIndex < 0 ? 0 : current + columns;
        break;
      case 'ArrowUp':
        next = current - columns;
        break;
      case 'PageDown':
        next = current + page;
        break;
      case 'PageUp':
        next = current - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'Enter':
        if (activeIndex >= 0) props.onOpen?.(activeIndex);
        e.preventDefault();
        return;
      case ' ':
        if (activeIndex >= 0) props.onToggle?.(activeIndex, e.shiftKey);
        e.preventDefault();
        return;
      case 'Escape':
        // Used here: toasts and dialogs leave this Escape alone.
        if (props.onClearSelection) {
          props.onClearSelection();
          e.preventDefault();
        }
        return;
      case 'a':
        if (e.ctrlKey || e.metaKey) {
          props.onSelectAll?.();
          e.preventDefault();
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    const clamped = Math.min(count - 1, Math.max(0, next));
    props.onActiveIndexChange(clamped);
    if (e.shiftKey) props.onToggle?.(clamped, true);
  };

  // Rows come from a pool keyed by slot: the window always holds `pool` rows, so the row scrolling
  // in has the key of the row scrolling out and takes over its elements. They are rendered in slot
  // order, so the DOM order never changes either (moving a row in the DOM would rebuild its
  // layout objects); `aria-owns` gives assistive technology the cells in reading order.
  const cellStyle = useMemo<CSSProperties>(() => ({ width: cellWidth, height: cellH }), [cellWidth, cellH]);
  const rowElements: ReactNode[] = [];
  if (viewport.width > 0) {
    for (let slot = 0; slot < pool; slot++) {
      const row = firstRow + ((slot - (firstRow % pool) + pool) % pool);
      if (row > lastRow) continue;
      rowElements.push(
        <GridRow
          key={row % pool}
          row={row}
          first={row * columns}
          last={Math.min(count - 1, (row + 1) * columns - 1)}
          y={padding + row * rowStride}
          x={padding}
          width={inner}
          gap={gap}
          cellStyle={cellStyle}
          render={props.renderCell}
        />,
      );
    }
  }

  let owned: string | undefined;
  if (viewport.width > 0 && count > 0) {
    const ids: string[] = [];
    for (let i = first; i <= last; i++) ids.push(props.cellId(i));
    owned = ids.join(' ');
  }

  // The focus ring is the border of a frame around the scroller: a ring painted by the scroller
  // itself would stop it from scrolling on the compositor (every scrolled frame would repaint the
  // whole viewport), and one painted over it would be blended into every frame.
  return (
    <div className="vg-frame">
      <div
        ref={scroller}
        className={`vg-scroller ${props.className ?? ''}`}
        onKeyDown={onKeyDown}
        tabIndex={0}
        role="listbox"
        aria-multiselectable={props.onToggle ? true : undefined}
        aria-label={props.ariaLabel}
        aria-activedescendant={
          activeIndex >= 0 && activeIndex >= first && activeIndex <= last ? props.cellId(activeIndex) : undefined
        }
        aria-owns={owned}
      >
        {count === 0 ? (
          props.empty
        ) : (
          <div className="vg-spacer" style={{ height: totalHeight }}>
            {rowElements}
          </div>
        )}
      </div>
    </div>
  );
}

interface GridRowProps {
  row: number;
  /** Indexes of its first and last cell. */
  first: number;
  last: number;
  x: number;
  y: number;
  width: number;
  gap: number;
  cellStyle: CSSProperties;
  render: (layout: CellLayout) => ReactNode;
}

/**
 * One row of cells: the only positioned element (and so the only paint layer) per row; its cells
 * flow inside it. Renders again only when it moves to another row or `render` changes.
 */
const GridRow = memo(function GridRow({ row, first, last, x, y, width, gap, cellStyle, render }: GridRowProps) {
  const cells: ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    const column = i - first;
    cells.push(
      <Fragment key={column}>
        {render({
          index: i,
          column,
          row,
          width: cellStyle.width as number,
          height: cellStyle.height as number,
          style: cellStyle,
        })}
      </Fragment>,
    );
  }
  return (
    <div
      className="vg-row"
      role="none"
      style={{ transform: `translate(${x}px, ${y}px)`, width, height: cellStyle.height, gap }}
    >
      {cells}
    </div>
  );
});
