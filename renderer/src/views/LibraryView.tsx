import { memo, useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type MouseEvent } from 'react';
import { ASSET_TYPES, ASSET_TYPE_SPECS } from '../../../shared/asset-types.ts';
import type { ItemSort, ItemSummary } from '../../../shared/api/library.ts';
import type { Status } from '../App.tsx';
import { MENU_EVENT } from '../App.tsx';
import { useApi, useBridge, useClient } from '../app/bridge.tsx';
import { useItemPages, type ItemFilter } from '../app/item-pages.ts';
import { navigate, routeHref } from '../app/router.ts';
import { Img } from '../components/Img.tsx';
import { ConfirmModal } from '../components/ConfirmModal.tsx';
import { ErrorMessage, Spinner, useAction } from '../components/ui.tsx';
import { VirtualGrid, type VirtualGridHandle } from '../components/VirtualGrid.tsx';
import { pluralize } from '../lib/format.ts';

/** The quick filters above the grid, as data: label and the items-list parameters they add. */
const QUICK_FILTERS = [
  { id: 'missing', label: 'Missing artwork', params: { missingArt: true } },
  { id: 'match', label: 'Needs match', params: { state: 'needs_match' } },
  { id: 'unmonitored', label: 'Unmonitored', params: { monitored: false } },
  { id: 'locked', label: 'Locked', params: { locked: true } },
  { id: 'errors', label: 'Errors', params: { hasErrors: true } },
] as const satisfies ReadonlyArray<{ id: string; label: string; params: Partial<ItemFilter> }>;

type QuickFilter = (typeof QUICK_FILTERS)[number]['id'];

const SORTS: Array<{ value: ItemSort; label: string; order: 'asc' | 'desc' }> = [
  { value: 'title', label: 'Title', order: 'asc' },
  { value: 'year', label: 'Year', order: 'desc' },
  { value: 'added', label: 'Recently added', order: 'desc' },
  { value: 'updated', label: 'Recently changed', order: 'desc' },
  { value: 'state', label: 'State', order: 'asc' },
];

const STATE_BADGES: Record<string, { text: string; className: string } | undefined> = {
  new: { text: 'New', className: 'badge' },
  identified: { text: 'Identified', className: 'badge' },
  needs_match: { text: 'Needs match', className: 'badge badge-warn' },
  missing: { text: 'Files missing', className: 'badge badge-bad' },
};

/**
 * Bulk actions and the job kind each queues. `confirm`: it writes into the user's library
 * folders (and recycles the files it replaces), so it asks first, with the count.
 */
const BULK_ACTIONS = [
  { id: 'enrich', label: 'Find artwork', job: 'enrich-item', done: 'Finding artwork', confirm: false },
  { id: 'autoselect', label: 'Choose artwork', job: 'autoselect-item', done: 'Choosing artwork', confirm: false },
  { id: 'publish', label: 'Publish…', job: 'publish-item', done: 'Publishing', confirm: true },
] as const;
type BulkAction = (typeof BULK_ACTIONS)[number];

type ViewMode = 'grid' | 'list';
const VIEW_KEY = 'posterity.library.view';

/**
 * What the library looked like when the user opened a movie, so coming back shows the same
 * search, filters, order, selection and scroll position (kept for this window's session).
 */
const memory = {
  search: '',
  quick: new Set<QuickFilter>(),
  libraryId: null as number | null,
  sort: 'title' as ItemSort,
  order: 'asc' as 'asc' | 'desc',
  active: -1,
  scrollTop: 0,
  selected: new Set<number>(),
};

export function LibraryView({ status }: { status: Status }) {
  const client = useClient();
  const bridge = useBridge();
  const { run, busy } = useAction();
  const libraries = useApi('library-list', {}, [status.libraries]);
  const [search, setSearch] = useState(memory.search);
  const [debounced, setDebounced] = useState(memory.search);
  const [quick, setQuick] = useState<Set<QuickFilter>>(memory.quick);
  const [libraryId, setLibraryId] = useState<number | null>(memory.libraryId);
  const [sort, setSort] = useState<ItemSort>(memory.sort);
  const [order, setOrder] = useState<'asc' | 'desc'>(memory.order);
  const [mode, setMode] = useState<ViewMode>(() => (localStorage.getItem(VIEW_KEY) === 'list' ? 'list' : 'grid'));
  const [active, setActive] = useState(memory.active);
  const [selected, setSelected] = useState<Set<number>>(memory.selected);
  const initialScrollTop = useRef(memory.scrollTop);
  useEffect(() => {
    Object.assign(memory, { search: debounced, quick, libraryId, sort, order, active, selected });
  }, [debounced, quick, libraryId, sort, order, active, selected]);
  const anchor = useRef<number | null>(null);
  const grid = useRef<VirtualGridHandle>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const t = setTimeout(() => setDebounced(search.trim()), 220);
    return () => clearTimeout(t);
  }, [search]);
  // A selection is of the movies on screen: a new search or filter starts afresh, so a bulk
  // action never reaches movies the user can no longer see.
  const filterKey = JSON.stringify([debounced, [...quick].sort(), libraryId]);
  const lastFilter = useRef(filterKey);
  useEffect(() => {
    if (lastFilter.current === filterKey) return;
    lastFilter.current = filterKey;
    setSelected((old) => (old.size === 0 ? old : new Set()));
  }, [filterKey]);
  useEffect(() => localStorage.setItem(VIEW_KEY, mode), [mode]);
  useEffect(() => {
    const onMenu = (e: Event) => {
      const command = (e as CustomEvent<string>).detail;
      if (command === 'find') searchBox.current?.focus();
      if (command === 'toggle-view') setMode((m) => (m === 'grid' ? 'list' : 'grid'));
      if (command === 'scan-all')
        void run('scan', () => client.call('jobs-enqueue', { kind: 'scan-library' }), 'Scanning every library');
    };
    window.addEventListener(MENU_EVENT, onMenu);
    return () => window.removeEventListener(MENU_EVENT, onMenu);
  }, [client, run]);

  const filter = useMemo<ItemFilter>(() => {
    const f: ItemFilter = { sort, order };
    if (debounced) f.search = debounced;
    if (libraryId !== null) f.libraryId = libraryId;
    for (const q of QUICK_FILTERS) if (quick.has(q.id)) Object.assign(f, q.params);
    return f;
  }, [debounced, quick, libraryId, sort, order]);

  const pages = useItemPages(filter);
  const total = pages.total ?? 0;
  // Back from a movie, the focus goes to the grid (its active cell is the movie just opened), so
  // the keyboard goes on where it was instead of starting over from the sidebar.
  const returning = useRef(memory.active >= 0);
  const gridShown = pages.total !== null && !pages.error;
  useEffect(() => {
    if (!gridShown || !returning.current) return;
    returning.current = false;
    grid.current?.focus();
  }, [gridShown]);
  // A different filter starts at the top; the one the view opened with keeps the restored place.
  // Compared by value, not by "is this the first run": StrictMode runs mount effects twice, and
  // a first-run flag made the second run reset the remembered scroll position to the top.
  const shownFilter = useRef(JSON.stringify(filter));
  useEffect(() => {
    const key = JSON.stringify(filter);
    if (shownFilter.current === key) return;
    shownFilter.current = key;
    setActive(-1);
    memory.scrollTop = 0;
    initialScrollTop.current = 0;
  }, [filter]);

  const toggleQuick = (id: QuickFilter) =>
    setQuick((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      // "Needs match" and "Errors" describe different states; both can be on, the engine ANDs them.
      return next;
    });

  const toggle = useCallback(
    (index: number, range: boolean) => {
      const item = pages.at(index);
      if (!item) return;
      setSelected((old) => {
        const next = new Set(old);
        if (range && anchor.current !== null) {
          const [a, b] = anchor.current < index ? [anchor.current, index] : [index, anchor.current];
          for (let i = a; i <= b; i++) {
            const it = pages.at(i);
            if (it) next.add(it.id);
          }
        } else if (next.has(item.id)) next.delete(item.id);
        else next.add(item.id);
        return next;
      });
      if (!range) anchor.current = index;
    },
    [pages],
  );

  const selectAll = useCallback(async () => {
    if (total === 0) return;
    const ids: number[] = [];
    for (let offset = 0; offset < total; offset += 10_000) {
      const page = await client.call('items-list', { ...filter, offset, limit: 10_000 });
      ids.push(...page.items.map((i) => i.id));
    }
    setSelected(new Set(ids));
  }, [client, filter, total]);

  const onCellClick = (e: MouseEvent, index: number, item: ItemSummary) => {
    setActive(index);
    if (e.shiftKey) {
      e.preventDefault();
      toggle(index, true);
    } else if (e.ctrlKey || e.metaKey || selected.size > 0) {
      e.preventDefault();
      toggle(index, false);
    } else {
      e.preventDefault();
      navigate({ view: 'item', id: item.id });
    }
  };

  const [confirming, setConfirming] = useState<BulkAction | null>(null);
  const bulk = async (action: BulkAction) => {
    setConfirming(null);
    const itemIds = [...selected];
    // Queued as jobs: they run in the background with progress in Activity, user work first.
    await run(
      action.id,
      () => client.call('jobs-enqueue', { kind: action.job, itemIds, chain: action.id === 'enrich' }),
      `${action.done}: ${pluralize(itemIds.length, 'movie')} queued`,
    );
  };
  const setMonitored = async (monitored: boolean) => {
    const ids = [...selected];
    await run(
      'monitor',
      () => client.call('items-set-monitored', { ids, monitored }),
      `${pluralize(ids.length, 'movie')} ${monitored ? 'monitored' : 'unmonitored'}`,
    );
    pages.refresh();
  };

  // Cells get one stable object of actions, so unchanged cells skip rendering while scrolling.
  const latest = useRef({ click: onCellClick, toggle });
  latest.current = { click: onCellClick, toggle };
  const actions = useMemo<CellActions>(
    () => ({
      click: (e, index, item) => latest.current.click(e, index, item),
      toggle: (index) => latest.current.toggle(index, false),
    }),
    [],
  );

  const gridProps = {
    count: total,
    activeIndex: active,
    onActiveIndexChange: setActive,
    onOpen: (i: number) => {
      const item = pages.at(i);
      if (item) navigate({ view: 'item', id: item.id });
    },
    onToggle: toggle,
    onSelectAll: () => void selectAll(),
    onClearSelection: () => setSelected(new Set()),
    onVisibleRangeChange: pages.want,
    cellId: (i: number) => `item-cell-${i}`,
    ariaLabel: 'Movies',
    initialScrollTop: initialScrollTop.current,
    onScrollTop: (top: number) => {
      memory.scrollTop = top;
    },
  };

  const noLibraries = status.libraries === 0;
  const filtered = debounced !== '' || quick.size > 0 || libraryId !== null;

  return (
    <div className="view library">
      <header className="view-head library-head">
        <h1>Library</h1>
        <div className="search">
          <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
            <path
              d="M10.5 4a6.5 6.5 0 1 0 4 11.6l4.4 4.4 1.4-1.4-4.4-4.4A6.5 6.5 0 0 0 10.5 4Zm0 2a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9Z"
              fill="currentColor"
            />
          </svg>
          <input
            ref={searchBox}
            id="library-search"
            type="search"
            className="input"
            placeholder="Search title, IMDb or TMDB id"
            aria-label="Search movies"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                setActive(0);
                grid.current?.focus();
              }
            }}
          />
        </div>
        <span className="spacer" />
        {(libraries.data?.length ?? 0) > 1 && (
          <select
            className="input"
            aria-label="Library"
            value={libraryId ?? ''}
            onChange={(e) => setLibraryId(e.target.value ? Number(e.target.value) : null)}
          >
            <option value="">All libraries</option>
            {libraries.data!.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        )}
        <select
          className="input"
          aria-label="Sort by"
          value={sort}
          onChange={(e) => {
            const s = SORTS.find((x) => x.value === e.target.value)!;
            setSort(s.value);
            setOrder(s.order);
          }}
        >
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-icon"
          aria-label={order === 'asc' ? 'Ascending; switch to descending' : 'Descending; switch to ascending'}
          onClick={() => setOrder(order === 'asc' ? 'desc' : 'asc')}
        >
          {order === 'asc' ? '↑' : '↓'}
        </button>
        <div className="segmented" role="group" aria-label="View">
          <button
            type="button"
            aria-pressed={mode === 'grid'}
            className={mode === 'grid' ? 'seg-on' : ''}
            onClick={() => setMode('grid')}
            title="Posters"
          >
            <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
              <path d="M4 4h7v7H4V4Zm9 0h7v7h-7V4ZM4 13h7v7H4v-7Zm9 0h7v7h-7v-7Z" fill="currentColor" />
            </svg>
            <span className="sr-only">Posters</span>
          </button>
          <button
            type="button"
            aria-pressed={mode === 'list'}
            className={mode === 'list' ? 'seg-on' : ''}
            onClick={() => setMode('list')}
            title="List"
          >
            <svg viewBox="0 0 24 24" width="15" height="15" aria-hidden="true">
              <path d="M4 5h16v2H4V5Zm0 6h16v2H4v-2Zm0 6h16v2H4v-2Z" fill="currentColor" />
            </svg>
            <span className="sr-only">List</span>
          </button>
        </div>
      </header>
      <div className="filters" role="group" aria-label="Filters">
        {QUICK_FILTERS.map((q) => (
          <button
            key={q.id}
            type="button"
            className="chip"
            aria-pressed={quick.has(q.id)}
            onClick={() => toggleQuick(q.id)}
          >
            {q.label}
          </button>
        ))}
        <span className="spacer" />
        <span className="muted small" aria-live="polite">
          {pages.total === null ? '' : filtered ? `${pluralize(total, 'movie')} match` : pluralize(total, 'movie')}
        </span>
      </div>
      {selected.size > 0 && (
        <div className="bulkbar" role="toolbar" aria-label="Selected movies">
          <strong>{pluralize(selected.size, 'movie')} selected</strong>
          {BULK_ACTIONS.map((a) => (
            <button
              key={a.id}
              type="button"
              className="btn btn-small"
              disabled={busy !== null}
              onClick={() => (a.confirm ? setConfirming(a) : void bulk(a))}
            >
              {a.label}
            </button>
          ))}
          <button
            type="button"
            className="btn btn-small"
            disabled={busy !== null}
            onClick={() => void setMonitored(true)}
          >
            Monitor
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy !== null}
            onClick={() => void setMonitored(false)}
          >
            Unmonitor
          </button>
          <span className="spacer" />
          {selected.size < total && (
            <button type="button" className="btn btn-small btn-ghost" onClick={() => void selectAll()}>
              Select all {total.toLocaleString()}
            </button>
          )}
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setSelected(new Set())}>
            Clear
          </button>
        </div>
      )}
      {confirming && (
        <ConfirmPublish
          count={selected.size}
          onCancel={() => setConfirming(null)}
          onConfirm={() => void bulk(confirming)}
        />
      )}
      {pages.error && (
        <div className="view-scroll">
          <ErrorMessage error={pages.error} onRetry={pages.refresh} />
        </div>
      )}
      {!pages.error && pages.total === null && (
        <div className="view-scroll">
          <Spinner label="Loading movies" />
        </div>
      )}
      {!pages.error && pages.total !== null && (
        <VirtualGrid
          key={mode}
          ref={grid}
          {...gridProps}
          className={mode === 'grid' ? 'poster-grid' : 'item-list'}
          minCellWidth={mode === 'grid' ? 148 : undefined}
          cellHeight={mode === 'grid' ? (w) => w * 1.5 + 46 : () => 56}
          gap={mode === 'grid' ? 18 : 0}
          padding={mode === 'grid' ? 22 : 0}
          overscan={mode === 'grid' ? 2 : 4}
          empty={<EmptyLibrary noLibraries={noLibraries} filtered={filtered} />}
          renderCell={({ index, style }) => {
            const item = pages.at(index);
            const props: CellProps = {
              item,
              index,
              total,
              style,
              active: index === active,
              selected: item !== undefined && selected.has(item.id),
              selecting: selected.size > 0,
              imageUrl: item?.posterSha ? bridge.imageUrl(item.posterSha, 'thumb') : null,
              actions,
            };
            return mode === 'grid' ? <PosterCell {...props} /> : <ListRow {...props} />;
          }}
        />
      )}
    </div>
  );
}

interface CellActions {
  click(e: MouseEvent, index: number, item: ItemSummary): void;
  toggle(index: number): void;
}

interface CellProps {
  /** Undefined while its page is loading. */
  item: ItemSummary | undefined;
  index: number;
  /** Items in the list (the options' set size: only a window of them is in the DOM). */
  total: number;
  /** Position and size, from the grid. */
  style: CSSProperties;
  active: boolean;
  selected: boolean;
  selecting: boolean;
  imageUrl: string | null;
  actions: CellActions;
}

function cellLabel(item: ItemSummary): string {
  const parts = [`${item.title}${item.year ? ` (${item.year})` : ''}`];
  const badge = STATE_BADGES[item.state];
  if (badge) parts.push(badge.text);
  if (!item.art.poster) parts.push('no poster');
  if (item.error) parts.push(`problem: ${item.error}`);
  if (!item.monitored) parts.push('unmonitored');
  return parts.join(', ');
}

/**
 * A poster in the grid: the cell with its parts straight inside (no wrappers), placed by the
 * cell's grid, so a cell recycled for another movie updates a handful of nodes.
 */
const PosterCell = memo(function PosterCell({
  item,
  index,
  total,
  style,
  active,
  selected,
  selecting,
  imageUrl,
  actions,
}: CellProps) {
  if (!item) return <div id={`item-cell-${index}`} style={style} className="poster-cell skeleton" aria-busy="true" />;
  const badge = STATE_BADGES[item.state];
  const locked = item.locked.slots > 0 || item.locked.fields > 0 || item.locked.match;
  const flagged = (badge && item.state !== 'new' && item.state !== 'identified') || item.error || locked;
  return (
    <a
      id={`item-cell-${index}`}
      href={routeHref({ view: 'item', id: item.id })}
      role="option"
      aria-selected={selected}
      aria-label={cellLabel(item)}
      aria-setsize={total}
      aria-posinset={index + 1}
      tabIndex={-1}
      style={style}
      className={`poster-cell${active ? ' is-active' : ''}${selected ? ' is-selected' : ''}${item.monitored ? '' : ' is-unmonitored'}`}
      onClick={(e) => actions.click(e, index, item)}
    >
      {imageUrl !== null ? (
        // A background, not an <img>: a recycled cell swaps it with one style change and never
        // shows the previous movie's poster while the next one loads (an <img> keeps showing the
        // old picture until the new one arrives, or costs a new element per cell scrolled in).
        // The option's label names the poster.
        <span className="poster-art" style={{ backgroundImage: `url("${imageUrl}")` }} />
      ) : (
        <span className="poster-art poster-missing">
          <PictureIcon />
          <span>{item.title}</span>
        </span>
      )}
      <SelectBox
        className={`select-box${selecting || selected ? ' select-visible' : ''}`}
        title={item.title}
        selected={selected}
        onToggle={() => actions.toggle(index)}
      />
      {flagged && (
        <span className="poster-flags">
          {badge && item.state !== 'new' && item.state !== 'identified' && (
            <span className={badge.className}>{badge.text}</span>
          )}
          {item.error && (
            <span className="badge badge-bad" title={item.error}>
              !
            </span>
          )}
          {locked && (
            <span className="badge badge-lock" title="Has locked choices">
              <LockIcon />
            </span>
          )}
        </span>
      )}
      <span className="poster-title" title={item.title}>
        {item.title}
      </span>
      <span className="poster-year">{item.year ?? ''}</span>
    </a>
  );
});

/** Asks before a bulk publish: it writes files into the folder of every selected movie, maybe thousands. */
function ConfirmPublish({
  count,
  onCancel,
  onConfirm,
}: {
  count: number;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const movies = pluralize(count, 'movie');
  return (
    <ConfirmModal
      title={`Publish ${movies}?`}
      keepLabel="Cancel"
      confirmLabel={`Publish ${movies}`}
      onConfirm={onConfirm}
      onClose={onCancel}
    >
      <p>
        This writes the chosen artwork and details of {movies} into {count === 1 ? 'its folder' : 'their folders'} in
        your library. A file that changes goes to the recycle bin first.
      </p>
    </ConfirmModal>
  );
}

/** A cell's selection tick: toggles the selection without following the cell's link. */
function SelectBox(props: { className: string; title: string; selected: boolean; onToggle: () => void }) {
  return (
    <span
      className={props.className}
      role="checkbox"
      aria-checked={props.selected}
      aria-label={`Select ${props.title}`}
      onClick={(e) => {
        e.preventDefault();
        e.stopPropagation();
        props.onToggle();
      }}
    >
      {props.selected && '✓'}
    </span>
  );
}

function PictureIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" width="28" height="28">
      <path
        fill="currentColor"
        d="M5 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Zm0 2v9.6l3.3-3.3a1 1 0 0 1 1.4 0l2.8 2.8 1.8-1.8a1 1 0 0 1 1.4 0L19 16.6V6H5Zm10 3.5a1.5 1.5 0 1 1-3 0 1.5 1.5 0 0 1 3 0Z"
      />
    </svg>
  );
}

const ListRow = memo(function ListRow({ item, index, total, style, active, selected, imageUrl, actions }: CellProps) {
  if (!item) return <div id={`item-cell-${index}`} style={style} className="row-cell skeleton" aria-busy="true" />;
  const badge = STATE_BADGES[item.state];
  return (
    <a
      id={`item-cell-${index}`}
      href={routeHref({ view: 'item', id: item.id })}
      role="option"
      aria-selected={selected}
      aria-label={cellLabel(item)}
      aria-setsize={total}
      aria-posinset={index + 1}
      tabIndex={-1}
      style={style}
      className={`row-cell ${active ? 'is-active' : ''} ${selected ? 'is-selected' : ''} ${item.monitored ? '' : 'is-unmonitored'}`}
      onClick={(e) => actions.click(e, index, item)}
    >
      <SelectBox className="row-check" title={item.title} selected={selected} onToggle={() => actions.toggle(index)} />
      {/* Keyed by URL: a recycled row never shows the previous movie's thumbnail while this one loads. */}
      <Img key={imageUrl} src={imageUrl} alt={`${item.title} poster`} className="row-thumb" lazy={false} />
      <span className="row-title">
        <strong>{item.title}</strong> <span className="muted">{item.year ?? ''}</span>
        {item.error && <span className="row-error">{item.error}</span>}
      </span>
      <span className="row-art" aria-label="Artwork present">
        {ASSET_TYPES.map((t) => (
          <span
            key={t}
            className={`art-dot ${item.art[t] ? 'art-on' : ''}`}
            title={`${ASSET_TYPE_SPECS[t].label}: ${item.art[t] ? 'yes' : 'none'}`}
          />
        ))}
      </span>
      <span className="row-badges">
        {badge && <span className={badge.className}>{badge.text}</span>}
        {!item.monitored && <span className="badge">Unmonitored</span>}
        {(item.locked.slots > 0 || item.locked.fields > 0 || item.locked.match) && (
          <span className="badge badge-lock">
            <LockIcon /> {item.locked.slots + item.locked.fields + (item.locked.match ? 1 : 0)}
          </span>
        )}
      </span>
    </a>
  );
});

export function LockIcon({ open = false }: { open?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="12" height="12" aria-hidden="true">
      <path
        fill="currentColor"
        d={
          open
            ? 'M7 9V7a5 5 0 0 1 9.8-1.4l-1.9.6A3 3 0 0 0 9 7v2h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2h1Z'
            : 'M7 9V7a5 5 0 0 1 10 0v2h1a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2h1Zm2 0h6V7a3 3 0 0 0-6 0v2Z'
        }
      />
    </svg>
  );
}

function EmptyLibrary({ noLibraries, filtered }: { noLibraries: boolean; filtered: boolean }) {
  if (noLibraries) {
    return (
      <div className="empty">
        <h2>No library yet</h2>
        <p>Add the folder that holds your movies; Posterity reads it and writes artwork next to each movie.</p>
        <a className="btn btn-primary" href="#/settings/libraries">
          Add a library
        </a>
      </div>
    );
  }
  return (
    <div className="empty">
      <h2>{filtered ? 'No movies match' : 'No movies found yet'}</h2>
      <p>{filtered ? 'Try fewer filters or another search.' : 'Scan your library to find its movies.'}</p>
    </div>
  );
}
