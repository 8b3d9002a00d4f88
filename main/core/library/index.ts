import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CallOptions } from '../../../shared/api/index.ts';
import { ApiError } from '../../../shared/api/errors.ts';
import type { LibraryKind, LibraryView, ScanSummary } from '../../../shared/api/library.ts';
import { ACTORS_DIR, EXTRAFANART_DIR } from '../../../shared/naming.ts';
import { isSkippedFolderName } from '../../../shared/video-extensions.ts';
import type { Services } from '../services.ts';
import {
  getLibraryRow,
  insertLibrary,
  listLibraries,
  relocateLibraryPaths,
  validateLibraryPath,
} from './libraries-repo.ts';
import { isPartOfMovieAbove } from './movie-parts.ts';
import { ScanStore } from './scan-store.ts';
import { runScan } from './scanner.ts';
import { LibraryWatcher, type WatchChange, type WatchOptions } from './watcher.ts';

export type { WatchChange, WatchOptions } from './watcher.ts';

export interface ScanOptions {
  onProgress?: CallOptions['onProgress'];
  signal?: AbortSignal;
  /** Read every folder even when its listing looks unchanged. */
  deep?: boolean;
}

/** The library domain's services, built once by the composition root. */
export interface LibraryDomain {
  /** Adds a library root (validated, never written to). */
  addLibrary(input: { path: string; kind?: LibraryKind; name?: string }): Promise<LibraryView>;
  listLibraries(): Promise<LibraryView[]>;
  getLibrary(id: number): Promise<LibraryView>;
  /** Forgets a library and its items (cascade); files on disk are never touched. */
  removeLibrary(id: number): Promise<{ items: number }>;
  /**
   * Points a library at its new place (a disk swap, a new mount point), keeping every item with
   * its choices and locks. The new folder must exist; nothing is read or written in it here.
   */
  relocateLibrary(id: number, newPath: string): Promise<LibraryView>;
  /**
   * Scans one library: movies found are added, changed ones updated, vanished ones matched to
   * where they moved or marked `missing`. Unchanged folders cost one stat. Scans of one library
   * never overlap (a second call waits for the first).
   */
  scanLibrary(libraryId: number, options?: ScanOptions): Promise<ScanSummary>;
  /** Scans every library in turn; one summary for all. */
  scanAll(options?: ScanOptions): Promise<ScanSummary>;
  /**
   * Rescans one folder of a library (and below it), reading it even if it looks unchanged: for
   * the watcher and webhooks. A folder that no longer exists makes its items vanish (then
   * matched or `missing`). Throws not_found when no library holds the folder.
   */
  scanFolder(absFolder: string, options?: ScanOptions): Promise<ScanSummary>;
  /**
   * Calls `onChange` (debounced per folder) with the folder to rescan whenever a movie folder
   * appears or disappears, or a video, NFO or picture changes, in one library or all. Starts the
   * file watchers as needed. Returns a function that unsubscribes.
   */
  watch(target: number | 'all', onChange: (change: WatchChange) => void, options?: WatchOptions): Promise<() => void>;
  /**
   * Watches every library. Changes go to the `watch` subscribers; with no subscriber the domain
   * rescans the folder itself.
   */
  startWatching(options?: WatchOptions): Promise<void>;
  /** Watches libraries another process added, stops those it removed, re-arms a root that came back. */
  syncWatching(): Promise<void>;
  stopWatching(): Promise<void>;
  close(): Promise<void>;
}

/** TV libraries can be added (the model is ready) but are not scanned yet. */
function notScanned(libraryId: number, root: string): ScanSummary {
  return {
    libraryIds: [libraryId],
    folders: 0,
    unchangedFolders: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    missing: 0,
    moved: 0,
    errors: [{ path: root, reason: 'TV libraries are not scanned yet', itemId: null }],
    durationMs: 0,
  };
}

/** Folders that are part of the movie folder holding them, never movies of their own. */
function belongsToParent(folder: string): boolean {
  const name = path.basename(folder);
  const lower = name.toLowerCase();
  return (
    lower === EXTRAFANART_DIR ||
    lower === ACTORS_DIR ||
    isPartOfMovieAbove(path.dirname(folder), name) ||
    isSkippedFolderName(name, true)
  );
}

export function createLibraryDomain(s: Services): LibraryDomain {
  let store: ScanStore | null = null;
  const getStore = () => (store ??= new ScanStore(s.db, s.database.sqlite));
  const locks = new Map<number, Promise<unknown>>();
  const log = s.log.child('library');

  /** Runs scans of one library one after another. */
  function serialized<T>(libraryId: number, fn: () => Promise<T>): Promise<T> {
    const prev = locks.get(libraryId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    locks.set(libraryId, tail);
    void tail.then(() => {
      if (locks.get(libraryId) === tail) locks.delete(libraryId);
    });
    return next;
  }

  async function scanLibrary(libraryId: number, options: ScanOptions = {}): Promise<ScanSummary> {
    const lib = await getLibraryRow(s.db, libraryId);
    if (lib.kind !== 'movies') return notScanned(lib.id, lib.path);
    return serialized(libraryId, async () => {
      const summary = await runScan(s, getStore(), {
        libraryId,
        root: lib.path,
        starts: [lib.path],
        force: new Set(),
        deep: options.deep ?? false,
        onProgress: options.onProgress,
        signal: options.signal,
      });
      log.info('Scanned library', { libraryId, ...summary, errors: summary.errors.length });
      return summary;
    });
  }

  async function findLibraryFor(absFolder: string) {
    const libs = await s.db.selectFrom('libraries').selectAll().execute();
    const inside = (p: string, root: string) =>
      p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
    return libs.find((l) => inside(absFolder, l.path)) ?? null;
  }

  const watcher = new LibraryWatcher(s, async (change) => {
    // Default consumer when nobody subscribed: rescan the folder in the background.
    await scanFolder(change.folder).catch((err: unknown) =>
      log.warn('Rescan after a change failed', { folder: change.folder, error: String(err) }),
    );
  });

  async function scanFolder(absFolder: string, options: ScanOptions = {}): Promise<ScanSummary> {
    if (!path.isAbsolute(absFolder))
      throw new ApiError('bad_request', `The folder must be absolute: ${absFolder}`, 'path');
    let folder = path.resolve(absFolder);
    try {
      folder = realpathSync(folder);
      // A file (a webhook naming the video) stands for its folder.
      if (!statSync(folder).isDirectory()) folder = path.dirname(folder);
    } catch {
      // A vanished folder keeps its given path; that is how its items are found.
    }
    const lib = await findLibraryFor(folder);
    // Art folders, disc structures, extras and samples belong to the movie folder above them.
    while (lib && folder !== lib.path && belongsToParent(folder)) folder = path.dirname(folder);
    if (!lib) throw new ApiError('not_found', `No library holds ${absFolder}`, 'path');
    // A library marked offline is scanned whole once it answers again: everything changed
    // meanwhile is found, and its movies lose the "cannot be reached" problem.
    const whole = lib.state === 'missing';
    return serialized(lib.id, () =>
      runScan(s, getStore(), {
        libraryId: lib.id,
        root: lib.path,
        starts: [whole ? lib.path : folder],
        force: whole ? new Set() : new Set([folder]),
        deep: options.deep ?? false,
        onProgress: options.onProgress,
        signal: options.signal,
      }),
    );
  }

  return {
    async addLibrary(input) {
      const others = await s.db.selectFrom('libraries').selectAll().execute();
      const real = validateLibraryPath(input.path, others, s.paths.root);
      const id = await insertLibrary(s.db, real, input.kind ?? 'movies', input.name, s.clock.now());
      s.events.emit({ type: 'libraries-changed' });
      await watcher.libraryAdded(id);
      const [view] = await listLibraries(s.db, id);
      return view!;
    },
    listLibraries: () => listLibraries(s.db),
    async getLibrary(id) {
      const [view] = await listLibraries(s.db, id);
      if (!view) throw new ApiError('not_found', `No library with id ${id}`, 'id');
      return view;
    },
    async removeLibrary(id) {
      await getLibraryRow(s.db, id);
      return serialized(id, async () => {
        await watcher.libraryRemoved(id);
        const items = await s.db
          .selectFrom('items')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('library_id', '=', id)
          .executeTakeFirstOrThrow();
        await s.db.deleteFrom('libraries').where('id', '=', id).execute();
        s.events.emit({ type: 'libraries-changed' });
        return { items: Number(items.n) };
      });
    },
    async relocateLibrary(id, newPath) {
      const lib = await getLibraryRow(s.db, id);
      const others = (await s.db.selectFrom('libraries').selectAll().execute()).filter((o) => o.id !== id);
      const real = validateLibraryPath(newPath, others, s.paths.root);
      return serialized(id, async () => {
        if (real !== lib.path) {
          await watcher.libraryRemoved(id);
          await relocateLibraryPaths(s.db, id, lib.path, real);
          await watcher.libraryAdded(id);
          s.events.emit({ type: 'libraries-changed' });
        }
        const [view] = await listLibraries(s.db, id);
        return view!;
      });
    },
    scanLibrary,
    async scanAll(options = {}) {
      const libs = await s.db.selectFrom('libraries').select('id').orderBy('id').execute();
      const t0 = performance.now();
      const total: ScanSummary = {
        libraryIds: [],
        folders: 0,
        unchangedFolders: 0,
        added: 0,
        updated: 0,
        unchanged: 0,
        missing: 0,
        moved: 0,
        errors: [],
        durationMs: 0,
      };
      for (const lib of libs) {
        const r = await scanLibrary(lib.id, options);
        total.libraryIds.push(lib.id);
        for (const k of ['folders', 'unchangedFolders', 'added', 'updated', 'unchanged', 'missing', 'moved'] as const)
          total[k] += r[k];
        total.errors.push(...r.errors);
      }
      total.durationMs = performance.now() - t0;
      return total;
    },
    scanFolder,
    watch: (target, onChange, options) => watcher.subscribe(target, onChange, options),
    startWatching: (options) => watcher.startAll(options),
    syncWatching: () => watcher.sync(),
    stopWatching: () => watcher.stopAll(),
    async close() {
      await watcher.stopAll();
      await Promise.allSettled([...locks.values()]);
    },
  };
}
