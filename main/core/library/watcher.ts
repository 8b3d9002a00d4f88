import { stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { ACTORS_DIR, EXTRAFANART_DIR, extensionOf, isImageFileName } from '../../../shared/naming.ts';
import {
  DISC_STRUCTURES,
  EXTRAS_FOLDER_NAMES,
  SKIPPED_FOLDER_NAMES,
  isVideoExtension,
} from '../../../shared/video-extensions.ts';
import type { Services } from '../services.ts';
import { isPartOfMovieAbove } from './movie-parts.ts';

/*
 * File watching: one chokidar watcher per library root. An event is turned into "the movie
 * folder to rescan" (a file's folder; the folder above an art folder or a disc structure; an
 * added or removed folder itself) and delivered once per folder after a quiet period.
 */

/** A folder whose content changed and should be rescanned. */
export interface WatchChange {
  libraryId: number;
  folder: string;
  /** `added`/`removed`: the folder itself appeared or vanished; `changed`: something inside it. */
  reason: 'added' | 'removed' | 'changed';
}

export interface WatchOptions {
  /** Quiet time before a folder is reported (a copy in progress keeps postponing it). */
  debounceMs?: number;
  /** Poll instead of OS events, for network shares that send none. */
  usePolling?: boolean;
}

type Listener = (change: WatchChange) => void;

const DISC_DIRS = new Set<string>(DISC_STRUCTURES.map((d) => d.dir));
const AUX_DIRS = new Set([EXTRAFANART_DIR, ACTORS_DIR]);

/** Whether a file matters to a scan: videos, NFOs, pictures. */
function relevantFile(name: string): boolean {
  const ext = extensionOf(name.toLowerCase());
  return ext === 'nfo' || ext === 'tbn' || isVideoExtension(ext) || isImageFileName(name);
}

/**
 * The folder to rescan for an event at `abs` (null: irrelevant). Exported for tests.
 */
export function folderForEvent(root: string, abs: string, kind: 'file' | 'dir'): string | null {
  const rel = path.relative(root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel === '' ? [] : rel.split(path.sep);
  // Inside a disc structure or a stacked part (CD1/): the movie folder above it.
  const folders = kind === 'file' ? parts.length - 1 : parts.length;
  const piece = parts.findIndex((p, i) => i < folders && isPartOfMovieAbove(path.join(root, ...parts.slice(0, i)), p));
  if (piece >= 0) return path.join(root, ...parts.slice(0, piece));
  if (parts.some((p) => SKIPPED_FOLDER_NAMES.has(p.toLowerCase()))) return null;
  // Inside an extras folder (Extras/, Featurettes/…): the folder holding it.
  const extras = parts.findIndex(
    (p, i) => i > 0 && i < parts.length - (kind === 'file' ? 1 : 0) && EXTRAS_FOLDER_NAMES.has(p.toLowerCase()),
  );
  if (extras > 0) return path.join(root, ...parts.slice(0, extras));
  if (kind === 'dir') {
    const last = parts[parts.length - 1]?.toLowerCase();
    if (last && AUX_DIRS.has(last)) return path.join(root, ...parts.slice(0, -1));
    return abs;
  }
  if (!relevantFile(parts[parts.length - 1] ?? '')) return null;
  const dirParts = parts.slice(0, -1);
  const parent = dirParts[dirParts.length - 1]?.toLowerCase();
  if (parent && AUX_DIRS.has(parent)) return path.join(root, ...dirParts.slice(0, -1));
  return path.join(root, ...dirParts);
}

export class LibraryWatcher {
  readonly #s: Services;
  readonly #fallback: Listener;
  /**
   * `folder`: the root's identity (dev:ino) when watching began. A root unmounted and mounted
   * again, or deleted and made again, is another folder at the same path, which the old watches
   * no longer see; chokidar does not notice that by itself.
   */
  readonly #watchers = new Map<number, { root: string; fsw: FSWatcher; folder: string | null }>();
  readonly #subs = new Set<{ target: number | 'all'; fn: Listener }>();
  readonly #pending = new Map<string, { timer: NodeJS.Timeout; change: WatchChange }>();
  #all = false;
  #options: Required<WatchOptions> = { debounceMs: 1500, usePolling: false };

  constructor(s: Services, fallback: Listener) {
    this.#s = s;
    this.#fallback = fallback;
  }

  async subscribe(target: number | 'all', fn: Listener, options: WatchOptions = {}): Promise<() => void> {
    this.#options = { ...this.#options, ...options };
    const sub = { target, fn };
    this.#subs.add(sub);
    if (target === 'all') await this.startAll();
    else await this.#start(target);
    return () => {
      this.#subs.delete(sub);
    };
  }

  async startAll(options: WatchOptions = {}): Promise<void> {
    this.#options = { ...this.#options, ...options };
    this.#all = true;
    const libs = await this.#s.db.selectFrom('libraries').select('id').execute();
    for (const l of libs) await this.#start(l.id);
  }

  async stopAll(): Promise<void> {
    this.#all = false;
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    const closing = [...this.#watchers.values()].map((w) => w.fsw.close());
    this.#watchers.clear();
    await Promise.allSettled(closing);
  }

  async libraryAdded(id: number): Promise<void> {
    if (this.#all) await this.#start(id);
  }

  /**
   * Brings the watchers in line with the libraries now stored (another process may have added or
   * removed one), and re-arms the watcher of a root that went away and is back: such a root is
   * reported as `added`, so everything that changed meanwhile is rescanned.
   */
  async sync(): Promise<void> {
    if (!this.#all) return;
    const libs = await this.#s.db.selectFrom('libraries').select(['id', 'path']).execute();
    const stored = new Set(libs.map((l) => l.id));
    for (const id of [...this.#watchers.keys()]) if (!stored.has(id)) await this.libraryRemoved(id);
    for (const l of libs) {
      const w = this.#watchers.get(l.id);
      const now = await folderIdentity(l.path);
      if (w && now !== null && (w.folder !== now || w.root !== l.path)) {
        await this.libraryRemoved(l.id);
        await this.#start(l.id);
        this.#queue({ libraryId: l.id, folder: l.path, reason: 'added' });
        this.#s.log.child('library').info('A library folder is back (remounted or made again); watching it again', {
          libraryId: l.id,
        });
      } else if (!w) {
        await this.#start(l.id);
      }
    }
  }

  async libraryRemoved(id: number): Promise<void> {
    const w = this.#watchers.get(id);
    this.#watchers.delete(id);
    await w?.fsw.close();
  }

  async #start(libraryId: number): Promise<void> {
    if (this.#watchers.has(libraryId)) return;
    const lib = await this.#s.db
      .selectFrom('libraries')
      .select(['id', 'path'])
      .where('id', '=', libraryId)
      .executeTakeFirst();
    if (!lib) return;
    const root = lib.path;
    const folder = await folderIdentity(root);
    const fsw = watch(root, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: true,
      usePolling: this.#options.usePolling,
      depth: 12,
      // Inside disc structures only the structure folder itself matters; skip housekeeping.
      ignored: (p: string) => {
        const rel = path.relative(root, p);
        if (!rel || rel.startsWith('..')) return false;
        const parts = rel.split(path.sep);
        const name = parts[parts.length - 1]!;
        if (name.startsWith('.') && name !== ACTORS_DIR) return true;
        return parts
          .slice(0, -1)
          .some((q) => DISC_DIRS.has(q.toLowerCase()) || SKIPPED_FOLDER_NAMES.has(q.toLowerCase()));
      },
    });
    const entry = { root, fsw, folder };
    const on = (kind: 'file' | 'dir', reason: WatchChange['reason']) => (p: string) => {
      // The echo of our own publishing: the folder is already as we recorded it.
      if (this.#s.ownWrites.has(p)) return;
      const folder = folderForEvent(root, p, kind);
      if (folder) this.#queue({ libraryId, folder, reason: kind === 'dir' && folder === p ? reason : 'changed' });
    };
    fsw.on('add', on('file', 'changed'));
    fsw.on('change', on('file', 'changed'));
    fsw.on('unlink', on('file', 'changed'));
    fsw.on('addDir', on('dir', 'added'));
    fsw.on('unlinkDir', on('dir', 'removed'));
    fsw.on('error', (err) => this.#s.log.child('library').warn('Watcher error', { libraryId, error: String(err) }));
    this.#watchers.set(libraryId, entry);
    await new Promise<void>((resolve) => fsw.once('ready', () => resolve()));
  }

  #queue(change: WatchChange): void {
    const prev = this.#pending.get(change.folder);
    if (prev) clearTimeout(prev.timer);
    // Keep the strongest reason seen in the quiet period (an added folder stays "added").
    const merged = prev && prev.change.reason !== 'changed' && change.reason === 'changed' ? prev.change : change;
    const timer = setTimeout(() => {
      this.#pending.delete(change.folder);
      this.#deliver(merged);
    }, this.#options.debounceMs);
    timer.unref?.();
    this.#pending.set(change.folder, { timer, change: merged });
  }

  #deliver(change: WatchChange): void {
    const subs = [...this.#subs].filter((x) => x.target === 'all' || x.target === change.libraryId);
    if (subs.length === 0) {
      this.#fallback(change);
      return;
    }
    for (const sub of subs) {
      try {
        sub.fn(change);
      } catch (err) {
        this.#s.log.child('library').warn('Watch subscriber failed', { error: String(err) });
      }
    }
  }
}

/** A folder's identity (`dev:ino`), null when there is no folder there. */
async function folderIdentity(p: string): Promise<string | null> {
  const st = await stat(p).catch(() => null);
  return st?.isDirectory() ? `${st.dev}:${st.ino}` : null;
}
