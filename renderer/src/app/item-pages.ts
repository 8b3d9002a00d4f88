import { useCallback, useEffect, useRef, useState } from 'react';
import type { ItemSummary } from '../../../shared/api/library.ts';
import type { ParamsOf } from '../../../shared/api/index.ts';
import { useClient, useEngineEvents } from './bridge.tsx';

export type ItemFilter = Omit<ParamsOf<'items-list'>, 'offset' | 'limit'>;

export const PAGE_SIZE = 200;
/**
 * Items beyond the range asked for whose pages are fetched too: the next page is on its way well
 * before it scrolls into view (half a page is some 14 rows of posters), so scrolling rarely meets
 * cells still loading.
 */
const PREFETCH = PAGE_SIZE / 2;

export interface ItemPages {
  /** Items matching the filter; null until the first page arrived. */
  total: number | null;
  error: Error | null;
  /** The item at an index, or undefined while its page is loading. */
  at(index: number): ItemSummary | undefined;
  /** Asks for the pages covering a range (the grid's visible rows). */
  want(first: number, last: number): void;
  /** Drops everything loaded and starts again (after a bulk action). */
  refresh(): void;
  /** Bumps on every page that arrives, so consumers re-render. */
  version: number;
}

/**
 * The item list as pages fetched on demand: the grid asks for what it shows, so 10,000 items
 * cost one 200-item request to first paint. Engine `items-changed` events refetch the pages
 * holding those items (debounced: a scan sends many).
 */
export function useItemPages(filter: ItemFilter): ItemPages {
  const client = useClient();
  const key = JSON.stringify(filter);
  const pages = useRef(new Map<number, ItemSummary[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const visible = useRef<[number, number]>([0, PAGE_SIZE - 1]);
  const [total, setTotal] = useState<number | null>(null);
  const known = useRef<number | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [version, setVersion] = useState(0);

  const load = useCallback(
    (page: number) => {
      if (inflight.current.has(page)) return;
      inflight.current.add(page);
      const gen = generation.current;
      client.call('items-list', { ...JSON.parse(key), offset: page * PAGE_SIZE, limit: PAGE_SIZE }).then(
        (result) => {
          inflight.current.delete(page);
          if (gen !== generation.current) return;
          pages.current.set(page, result.items);
          known.current = result.total;
          setTotal(result.total);
          setError(null);
          // Only a page the grid shows needs a render; one fetched ahead is read when its rows
          // are rendered (a render of the whole view in the middle of a scroll costs a frame).
          const [first, last] = visible.current;
          if (page * PAGE_SIZE <= last && (page + 1) * PAGE_SIZE > first) setVersion((v) => v + 1);
        },
        (err: Error) => {
          inflight.current.delete(page);
          if (gen !== generation.current) return;
          setError(err);
        },
      );
    },
    [client, key],
  );

  // Requests start after the frame that asked for them: the grid asks while it renders a
  // scrolled frame, and starting a fetch there costs that frame several milliseconds.
  // The timer reads the range and the loader when it fires, so it never fetches for a stale filter.
  const pendingWant = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latestLoad = useRef(load);
  useEffect(() => {
    latestLoad.current = load;
  }, [load]);
  // A new `want` for every filter (through `load`), so the grid asks again for what it shows.
  const want = useCallback(
    (first: number, last: number) => {
      visible.current = [first, last];
      if (pendingWant.current !== null) return;
      pendingWant.current = setTimeout(() => {
        pendingWant.current = null;
        const [from, to] = visible.current;
        const end = known.current === null ? to : Math.min(known.current - 1, to + PREFETCH);
        const firstPage = Math.floor(Math.max(0, from - PREFETCH) / PAGE_SIZE);
        const lastPage = Math.floor(Math.max(0, to, end) / PAGE_SIZE);
        for (let p = firstPage; p <= lastPage; p++) if (!pages.current.has(p)) latestLoad.current(p);
      }, 0);
    },
    [load],
  );
  useEffect(() => () => void (pendingWant.current && clearTimeout(pendingWant.current)), []);

  const reset = useCallback(
    (keepShown: boolean) => {
      generation.current++;
      inflight.current.clear();
      const from = Math.floor(visible.current[0] / PAGE_SIZE);
      const to = Math.floor(visible.current[1] / PAGE_SIZE);
      if (!keepShown) {
        pages.current = new Map();
        known.current = null;
        setTotal(null);
      } else {
        // Rows in view stay on screen until their fresh page lands (no flash of empty cells);
        // the rest is dropped and fetched again when scrolled to.
        for (const p of [...pages.current.keys()]) if (p < from || p > to) pages.current.delete(p);
      }
      for (let p = from; p <= to; p++) load(p);
    },
    [load],
  );

  // A new filter starts from the top.
  useEffect(() => {
    visible.current = [0, PAGE_SIZE - 1];
    reset(false);
  }, [key, reset]);

  const pendingRefresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scheduleRefresh = useCallback(() => {
    if (pendingRefresh.current) return;
    pendingRefresh.current = setTimeout(() => {
      pendingRefresh.current = null;
      reset(true);
    }, 600);
  }, [reset]);
  useEffect(() => () => void (pendingRefresh.current && clearTimeout(pendingRefresh.current)), []);

  useEngineEvents((e) => {
    if (e.type === 'libraries-changed') scheduleRefresh();
    if (e.type === 'items-changed') scheduleRefresh();
  });

  const at = useCallback((index: number) => pages.current.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE], []);

  return { total, error, at, want, refresh: () => reset(true), version };
}
