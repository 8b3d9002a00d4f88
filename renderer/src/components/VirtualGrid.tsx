import {
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
} from 'react';

/** Where a cell sits, computed by the virtualizer. */
export interface CellLayout {
  index: number;
  column: number;
  row: number;
  width: number;
  height: number;
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
  /**
   * A stable key for the item at an index. Omit to recycle: cells are keyed by their slot in the
   * window, so scrolling updates existing DOM nodes instead of creating new ones.
   */
  cellKey?: (index: number) => string | number;
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

/**
 * A windowed grid or list: only the rows in view (plus a few) exist in the DOM, absolutely
 * positioned inside a spacer as tall as the whole collection, so 10,000 items scroll like 50.
 * Scrolling re-renders only when the rows in view change.
 */
export function VirtualGrid(props: VirtualGridProps) {
  const { count, minCellWidth, cellHeight, gap = 0, padding = 0, overscan = 3, activeIndex } = props;
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

  // Scroll events arrive at most once per frame; the window is re-rendered only when the rows in
  // view leave the rows rendered (overscan included), so slow scrolling renders nothing at all.
  const rendered = useRef({ first: 0, last: -1 });
  const onScrollTopRef = useRef(props.onScrollTop);
  onScrollTopRef.current = props.onScrollTop;
  const geometry = useRef({ rowStride: 1, padding: 0, height: 0, rows: 0 });
  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const { rowStride: stride, padding: pad, height, rows: total } = geometry.current;
    const top = el.scrollTop;
    onScrollTopRef.current?.(top);
    const firstVisible = Math.max(0, Math.floor((top - pad) / stride));
    const lastVisible = Math.min(total - 1, Math.ceil((top - pad + height) / stride));
    const { first, last } = rendered.current;
    if (firstVisible >= first && lastVisible <= last) return;
    setScrollTop(top);
  }, []);

  // A native passive listener: React's synthetic event layer costs time on every scrolled frame.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, [onScroll]);

  const inner = Math.max(0, viewport.width - padding * 2);
  const columns = minCellWidth ? Math.max(1, Math.floor((inner + gap) / (minCellWidth + gap))) : 1;
  const cellWidth = columns > 0 ? Math.max(1, (inner - gap * (columns - 1)) / columns) : inner;
  const cellH = Math.max(1, Math.round(cellHeight(cellWidth)));
  const rowStride = cellH + gap;
  const rows = Math.ceil(count / columns);
  const totalHeight = rows > 0 ? padding * 2 + rows * rowStride - gap : 0;
  const firstRow = Math.max(0, Math.floor((scrollTop - padding) / rowStride) - overscan);
  const lastRow = Math.min(rows - 1, Math.ceil((scrollTop - padding + viewport.height) / rowStride) + overscan);
  geometry.current = { rowStride, padding, height: viewport.height, rows };
  rendered.current = { first: firstRow, last: lastRow };
  const first = firstRow * columns;
  const last = Math.min(count - 1, (lastRow + 1) * columns - 1);

  const onRange = props.onVisibleRangeChange;
  useEffect(() => {
    if (onRange && count > 0 && viewport.height > 0) onRange(first, last);
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
    () => ({ scrollToIndex, focus: () => scroller.current?.focus(), columns: () => columns }),
    [scrollToIndex, columns],
  );

  useEffect(() => {
    if (activeIndex >= 0) scrollToIndex(activeIndex);
  }, [activeIndex, scrollToIndex]);

  // Restore once, as soon as there is something to scroll.
  const restored = useRef(false);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (restored.current || !el || count === 0 || viewport.height === 0) return;
    restored.current = true;
    if (props.initialScrollTop) {
      el.scrollTop = props.initialScrollTop;
      setScrollTop(el.scrollTop);
    }
  }, [count, viewport.height, props.initialScrollTop]);

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
        props.onClearSelection?.();
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

  // Enough slots for every cell the window can hold at once, so `index % pool` never repeats.
  const pool = (Math.ceil(viewport.height / rowStride) + 2 * overscan + 3) * columns;
  const keyOf = props.cellKey ?? ((i: number) => i % pool);
  const cells: ReactNode[] = [];
  if (viewport.width > 0) {
    for (let i = first; i <= last; i++) {
      const row = Math.floor(i / columns);
      const column = i % columns;
      const x = padding + column * (cellWidth + gap);
      const y = padding + row * rowStride;
      cells.push(
        <div
          key={keyOf(i)}
          className="vg-cell"
          style={{ transform: `translate(${x}px, ${y}px)`, width: cellWidth, height: cellH }}
        >
          {props.renderCell({ index: i, column, row, width: cellWidth, height: cellH })}
        </div>,
      );
    }
  }

  return (
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
    >
      {count === 0 ? (
        props.empty
      ) : (
        <div className="vg-spacer" style={{ height: totalHeight }}>
          {cells}
        </div>
      )}
    </div>
  );
}
