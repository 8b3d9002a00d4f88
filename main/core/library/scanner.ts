import { opendirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Progress } from '../../../shared/api/index.ts';
import type { ItemState, ScanError, ScanSummary } from '../../../shared/api/library.ts';
import type { Services } from '../services.ts';
import { matchIdentities, type IdentityNew, type IdentityOld } from './identity.ts';
import type { ExistingItem, ItemRef, KnownFiles, ScanStore } from './scan-store.ts';
import {
  LibraryWalker,
  type FolderVisit,
  type FoundMovie,
  type PrevFolder,
  type WalkBatch,
  type WalkResult,
} from './walk.ts';
import { checkOnThreads, startWalkThread, walkLanes } from './walk-thread.ts';

/*
 * One scan pass over a library (or one folder of it): walk, decide identities, write. Nothing is
 * ever written into the library folders; the only writes are database rows.
 */

export interface ScanTarget {
  libraryId: number;
  root: string;
  /** Folders to walk: the root, or the folder a watcher or webhook named. */
  starts: string[];
  /** Read these folders even when unchanged. */
  force: ReadonlySet<string>;
  deep: boolean;
  onProgress?: ((p: Progress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Movies per transaction: large enough that index pages are not rewritten commit after commit,
 * small enough (tens of milliseconds) to keep the other doors answering.
 */
const BATCH = 1500;
/** The fewest movies a threaded first scan writes in one step (unless the walk has ended). */
const MIN_STEP = 400;
/** A summary lists at most this many problems; the items keep theirs in `error`. */
export const MAX_SUMMARY_ERRORS = 1000;

function within(folder: string, root: string): boolean {
  return folder === root || folder.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'it is not a folder';
  return code ?? String(err);
}

/** The state an item returns to when it is found again (it carries no memory of `missing`). */
function presentState(item: ExistingItem, tmdbId: number | null): ItemState {
  if (item.state !== 'missing') return item.state === 'new' && tmdbId !== null ? 'identified' : item.state;
  if (tmdbId !== null) return item.enriched ? 'enriched' : 'identified';
  return item.hasMatchChoices ? 'needs_match' : 'new';
}

class Summary {
  added = 0;
  updated = 0;
  unchanged = 0;
  missing = 0;
  moved = 0;
  folders = 0;
  unchangedFolders = 0;
  readonly errors: ScanError[] = [];
  #dropped = 0;

  error(e: ScanError): void {
    if (this.errors.length < MAX_SUMMARY_ERRORS) this.errors.push(e);
    else this.#dropped++;
  }

  finish(libraryIds: number[], durationMs: number): ScanSummary {
    const errors = [...this.errors];
    if (this.#dropped > 0) {
      errors.push({
        path: '',
        reason: `…and ${this.#dropped} more problems (list items with errors to see them all)`,
        itemId: null,
      });
    }
    return {
      libraryIds,
      folders: this.folders,
      unchangedFolders: this.unchangedFolders,
      added: this.added,
      updated: this.updated,
      unchanged: this.unchanged,
      missing: this.missing,
      moved: this.moved,
      errors,
      durationMs,
    };
  }
}

export async function runScan(s: Services, store: ScanStore, target: ScanTarget): Promise<ScanSummary> {
  const t0 = performance.now();
  const now = s.clock.now();
  const summary = new Summary();
  // Every item in brief; whole rows only for the few a pass touches (a quiet rescan touches none).
  const items = store.loadItemRefs(target.libraryId);

  const offline = rootProblem(target.root, items);
  if (offline) {
    await markOffline(s, store, target, items, offline, summary, now);
    return summary.finish([target.libraryId], performance.now() - t0);
  }

  const known = store.loadFolders(target.libraryId);
  const knownFiles = store.knownFiles(target.libraryId, items.length === 0);
  const changedIds: number[] = [];
  const flush = () => {
    if (changedIds.length > 0) s.events.emit({ type: 'items-changed', itemIds: changedIds.splice(0) });
  };
  /** Writes movies; call inside store.batch(). */
  const writeFound = (movies: readonly FoundMovie[], resolve: (m: FoundMovie) => ExistingItem | null) => {
    for (const m of movies) {
      const existing = resolve(m);
      const moved = existing !== null && existing.videoPath !== m.videoPath;
      const result = writeMovie(store, target.libraryId, m, existing, moved, now, knownFiles);
      summary[result.kind]++;
      if (result.kind !== 'unchanged') changedIds.push(result.id);
      // A disc's video path is inside its structure; the user knows the movie by its folder.
      const where = m.layout === 'disc' ? m.folder : m.videoPath;
      for (const reason of m.errors) summary.error({ path: where, reason, itemId: result.id });
    }
  };
  const maxYear = new Date(now).getUTCFullYear() + 2;

  // A first scan of a large library reads on other threads while this one writes (several of
  // them on storage that is slow to answer). On slow storage, a library read again whole (a deep
  // scan, or one after its folder memory was dropped) is read by the threads too, and a whole
  // rescan has its folders checked by them before the walk compares.
  const firstScan = items.length === 0 && known.size === 0;
  const whole = target.starts.includes(target.root);
  const fullRead = !firstScan && whole && (target.deep || known.size === 0);
  const wholeRescan = !firstScan && !fullRead && whole;
  const lanes = firstScan || fullRead || wholeRescan ? walkLanes(target.root, s.settings.get('scan.walkThreads')) : 0;
  const checked = wholeRescan && lanes > 1 ? await checkKnown(s, known, target, lanes) : undefined;
  const onThreads = firstScan ? lanes > 0 : fullRead && lanes > 1;
  const thread = onThreads
    ? await startWalkThread(
        {
          root: target.root,
          starts: target.starts,
          maxYear,
          lanes,
          deep: target.deep,
          knownFiles: firstScan ? undefined : store.knownFileList(target.libraryId),
        },
        target.signal,
      )
    : null;
  if (onThreads && !thread) s.log.warn('The walk thread could not start; reading the library on this thread');
  /** A threaded first scan writes its movies and folders as they are read. */
  const wroteWhileWalking = firstScan && thread !== null;
  let walked: WalkResult;
  if (thread && firstScan) {
    s.log.info(
      lanes > 1
        ? `First scan of a large library: reading it on ${lanes} worker threads at once (slow storage)`
        : 'First scan of a large library: reading it on a worker thread',
      { root: target.root },
    );
    walked = await writeWhileWalking(thread, store, target, now, (movies) => writeFound(movies, () => null), flush);
  } else if (thread) {
    s.log.info(`Reading every folder again on ${lanes} worker threads at once (slow storage)`, { root: target.root });
    walked = await readOnThreads(thread, target);
  } else {
    walked = await new LibraryWalker({
      root: target.root,
      starts: target.starts,
      known,
      knownFiles,
      checked: checked ?? undefined,
      force: target.force,
      deep: target.deep,
      maxYear,
      signal: target.signal,
      onProgress: (done, total, label) =>
        target.onProgress?.({ done, total, label: `Reading ${path.basename(label)}` }),
    }).run();
  }
  const { visits, errors } = walked;
  // The library's folder went away while it was read (a share unmounted, a drive pulled): what
  // the walk missed is not gone, so the library is offline, as if it had been at the start.
  const lost = target.starts.includes(target.root) ? lostDuringWalk(target.root, visits, items) : null;
  if (lost) {
    await markOffline(s, store, target, items, lost, summary, now);
    return summary.finish([target.libraryId], performance.now() - t0);
  }
  for (const e of errors) summary.error({ path: e.path, reason: e.reason, itemId: null });

  const unchangedFolders = new Set<string>();
  const unreadable: { path: string; reason: string }[] = [];
  const visited = new Set<string>();
  const found: FoundMovie[] = [];
  for (const v of visits) {
    visited.add(v.path);
    if (v.status === 'unchanged') unchangedFolders.add(v.path);
    else if (v.status === 'unreadable') unreadable.push({ path: v.path, reason: v.reason });
    else if (v.status === 'changed') found.push(...v.movies);
    if (v.status !== 'gone') summary.folders++;
  }
  summary.unchangedFolders = unchangedFolders.size;
  const isProtected = (folder: string) => unreadable.length > 0 && unreadable.some((u) => within(folder, u.path));
  const inScope = (folder: string) => target.starts.some((st) => within(folder, st));

  // Identity: by path first, then moved/renamed movies are matched to vanished items.
  const refByVideo = new Map<string, ItemRef>();
  for (const it of items) if (it.videoPath) refByVideo.set(it.videoPath, it);
  const foundIds = new Set<number>();
  for (const m of found) {
    const it = refByVideo.get(m.videoPath);
    if (it) foundIds.add(it.id);
  }
  const vanishedIds = items
    .filter(
      (it) =>
        it.state !== 'missing' &&
        !foundIds.has(it.id) &&
        inScope(it.folder) &&
        !unchangedFolders.has(it.folder) &&
        !isProtected(it.folder),
    )
    .map((it) => it.id);
  const missingIds = items.filter((it) => it.state === 'missing' && !foundIds.has(it.id)).map((it) => it.id);
  const fresh = found.filter((m) => !refByVideo.has(m.videoPath));
  const full = new Map<number, ExistingItem>();
  for (const it of store.loadItemsById([...foundIds, ...(fresh.length > 0 ? [...vanishedIds, ...missingIds] : [])]))
    full.set(it.id, it);
  // A targeted rescan sees only part of the library: a movie that arrives here may have left
  // a folder outside this pass. Such items join the pool when they share an identity key with a
  // new movie and their video is gone.
  const outside = fresh.length === 0 || target.starts.includes(target.root) ? [] : itemsOutside();
  function itemsOutside(): ExistingItem[] {
    const freshKeys = new Set(fresh.flatMap((m) => identityKeys(identityOfMovie(m))));
    return store
      .loadItemsByIdentity(target.libraryId, fresh.map(identityOfMovie))
      .filter(
        (it) =>
          it.state !== 'missing' &&
          !foundIds.has(it.id) &&
          !inScope(it.folder) &&
          identityKeys(identityOfItem(it)).some((k) => freshKeys.has(k)) &&
          !videoExists(it.videoPath),
      );
  }
  for (const it of outside) full.set(it.id, it);
  const pool = [...vanishedIds, ...missingIds, ...outside.map((it) => it.id)].flatMap((id) => full.get(id) ?? []);
  // Nothing vanished (always so in a first scan): every new movie is simply new.
  const matches =
    pool.length === 0
      ? new Map<number, number>()
      : matchIdentities(fresh.map(identityOfMovie), pool.map(identityOfItem));
  const movedIn = new Map<FoundMovie, ExistingItem>();
  fresh.forEach((m, n) => {
    const id = matches.get(n);
    if (id !== undefined) movedIn.set(m, full.get(id)!);
  });
  const matchedIds = new Set([...movedIn.values()].map((it) => it.id));
  const byVideo = new Map<string, ExistingItem>();
  for (const id of foundIds) {
    const it = full.get(id);
    if (it?.videoPath) byVideo.set(it.videoPath, it);
  }

  // Writes, in batches (a threaded first scan wrote its movies as they were read).
  for (let i = 0; i < (wroteWhileWalking ? 0 : found.length); i += BATCH) {
    await store.batch(() =>
      writeFound(found.slice(i, i + BATCH), (m) => byVideo.get(m.videoPath) ?? movedIn.get(m) ?? null),
    );
    flush();
    target.onProgress?.({ done: Math.min(i + BATCH, found.length), total: found.length, label: 'Saving' });
    if (target.signal?.aborted) throw target.signal.reason ?? new DOMException('Cancelled', 'AbortError');
  }

  await store.batch(() => {
    for (const id of vanishedIds) {
      if (matchedIds.has(id)) continue;
      if (store.setMissing(id, now)) {
        summary.missing++;
        changedIds.push(id);
      }
    }
    for (const it of unreadable.length > 0 ? items : []) {
      const u = unreadable.find((x) => within(it.folder, x.path));
      if (!u) continue;
      const reason = `The folder ${u.path} cannot be read (${u.reason})`;
      if (it.error !== reason) {
        store.setError(it.id, reason, now);
        changedIds.push(it.id);
      }
      summary.error({ path: it.folder, reason, itemId: it.id });
    }
    for (const it of items) {
      if (unchangedFolders.has(it.folder) && !foundIds.has(it.id) && !isProtected(it.folder)) summary.unchanged++;
    }
    if (!wroteWhileWalking) writeFolders(store, target, visits, known, visited, unreadable, now);
    s.database.sqlite
      .prepare("update libraries set last_scan_at = ?, state = 'ok' where id = ?")
      .run(now, target.libraryId);
  });
  flush();
  s.events.emit({ type: 'libraries-changed' });
  return summary.finish([target.libraryId], performance.now() - t0);
}

/**
 * The known folders' signatures now, taken by `lanes` threads (slow storage). Null when no thread
 * is free or the threads failed: the walk then asks each folder itself, slower but the same.
 */
async function checkKnown(s: Services, known: ReadonlyMap<string, PrevFolder>, target: ScanTarget, lanes: number) {
  const folders = [...known].filter(([dir, prev]) => prev.role !== 'unreadable' && !target.force.has(dir));
  s.log.info(`Rescan: checking ${folders.length} folders on ${lanes} worker threads at once`, { root: target.root });
  try {
    return await checkOnThreads(
      folders,
      lanes,
      (done, total) => target.onProgress?.({ done, total, label: 'Checking folders' }),
      target.signal,
    );
  } catch (err) {
    if (target.signal?.aborted) throw err;
    s.log.warn('Checking the folders on worker threads failed; the rescan asks each folder itself', {
      error: (err as Error).message,
    });
    return null;
  }
}

/** A walk on the threads, gathered whole for the scanning thread to compare and write. */
async function readOnThreads(thread: AsyncIterable<WalkBatch>, target: ScanTarget): Promise<WalkResult> {
  const walked: WalkResult = { visits: [], errors: [] };
  for await (const batch of thread) {
    for (const v of batch.visits) walked.visits.push(v);
    for (const e of batch.errors) walked.errors.push(e);
    target.onProgress?.({ done: batch.done, total: batch.total, label: 'Reading' });
  }
  return walked;
}

/**
 * A threaded first scan: each step writes what the thread read since the last one, folders
 * included, so little is left to write when the walk ends. Tiny steps wait for company, as
 * every commit has a cost.
 */
async function writeWhileWalking(
  thread: AsyncIterable<WalkBatch>,
  store: ScanStore,
  target: ScanTarget,
  now: number,
  writeNew: (movies: readonly FoundMovie[]) => void,
  flush: () => void,
): Promise<WalkResult> {
  const walked: WalkResult = { visits: [], errors: [] };
  let pending: FolderVisit[] = [];
  let movies = 0;
  const write = async () => {
    await store.batch(() => {
      recordFolders(store, target.libraryId, pending, now);
      for (const v of pending) if (v.status === 'changed') writeNew(v.movies);
    });
    pending = [];
    movies = 0;
    flush();
  };
  for await (const batch of thread) {
    for (const v of batch.visits) {
      walked.visits.push(v);
      pending.push(v);
      if (v.status === 'changed') movies += v.movies.length;
    }
    walked.errors.push(...batch.errors);
    if (movies >= MIN_STEP) await write();
    target.onProgress?.({ done: batch.done, total: batch.total, label: 'Reading and saving' });
  }
  await write();
  return walked;
}

function identityKeys(x: IdentityNew | IdentityOld): string[] {
  const keys: string[] = [];
  if (x.tmdbId !== null) keys.push(`tmdb:${x.tmdbId}`);
  if (x.imdbId !== null) keys.push(`imdb:${x.imdbId}`);
  if (x.videoIno !== null) keys.push(`ino:${x.videoDev}:${x.videoIno}`);
  if (x.videoName !== null && x.videoSize) keys.push(`name:${x.videoName}:${x.videoSize}`);
  return keys;
}

function videoExists(p: string | null): boolean {
  if (!p) return false;
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function identityOfMovie(m: FoundMovie): IdentityNew {
  return {
    folder: m.folder,
    layout: m.layout,
    videoName: m.videoName,
    videoSize: m.video?.size ?? null,
    videoDev: m.video?.dev ?? null,
    videoIno: m.video?.ino ?? null,
    tmdbId: m.nfo?.tmdbId ?? m.name.tmdbId,
    imdbId: m.nfo?.imdbId ?? m.name.imdbId,
  };
}

function identityOfItem(it: ExistingItem): IdentityOld {
  return {
    id: it.id,
    folder: it.folder,
    layout: it.layout,
    videoName: it.videoPath ? path.basename(it.videoPath) : null,
    videoSize: it.videoSize,
    videoDev: it.videoDev,
    videoIno: it.videoIno,
    tmdbId: it.tmdbId,
    imdbId: it.imdbId,
  };
}

type WriteKind = 'added' | 'moved' | 'updated' | 'unchanged';

function writeMovie(
  store: ScanStore,
  libraryId: number,
  m: FoundMovie,
  existing: ExistingItem | null,
  moved: boolean,
  now: number,
  knownFiles: KnownFiles,
): { id: number; kind: WriteKind } {
  const error = m.errors.length > 0 ? m.errors.join('; ') : null;
  const nfoIds = m.nfo ?? { tmdbId: null, imdbId: null };
  const video = m.video;
  if (!existing) {
    const tmdbId = nfoIds.tmdbId ?? m.name.tmdbId;
    const fields = m.nfo?.fields ?? {};
    const id = store.insertItem({
      libraryId,
      folder: m.folder,
      videoPath: m.videoPath,
      basename: m.basename,
      layout: m.layout,
      title: fields.title ?? m.name.title,
      year: fields.year ?? m.name.year,
      tmdbId,
      imdbId: nfoIds.imdbId ?? m.name.imdbId,
      state: tmdbId !== null ? 'identified' : 'new',
      error,
      videoSize: video?.size ?? null,
      videoMtime: video?.mtime ?? null,
      videoDev: video?.dev ?? null,
      videoIno: video?.ino ?? null,
      signature: m.folderSignature,
      now,
    });
    if (Object.keys(fields).length > 0) store.writeNfoFields(id, fields, now, true);
    const fileIds = store.writeFiles(id, m.files, now, { moved: false, fresh: true, known: knownFiles });
    store.writeOriginalSlots(id, m.chosen, fileIds, now, true);
    return { id, kind: 'added' };
  }

  const id = existing.id;
  let tmdbId = existing.tmdbId;
  let imdbId = existing.imdbId;
  if (!existing.matchLocked) {
    if (!m.nfoUnchanged && m.nfo && (m.nfo.tmdbId !== null || m.nfo.imdbId !== null)) {
      // A new or edited NFO is the user's word on which movie this is.
      const tmdbChanged = m.nfo.tmdbId !== null && m.nfo.tmdbId !== tmdbId;
      tmdbId = m.nfo.tmdbId ?? tmdbId;
      imdbId = m.nfo.imdbId ?? (tmdbChanged ? null : imdbId);
    }
    tmdbId ??= m.name.tmdbId;
    imdbId ??= m.name.imdbId;
  }
  const idsChanged = tmdbId !== existing.tmdbId || imdbId !== existing.imdbId;
  let state = presentState(existing, tmdbId);
  if (idsChanged && tmdbId !== existing.tmdbId && tmdbId !== null) state = 'identified';
  store.updatePlace({
    id,
    folder: m.folder,
    videoPath: m.videoPath,
    basename: m.basename,
    layout: m.layout,
    state,
    error,
    videoSize: video?.size ?? null,
    videoMtime: video?.mtime ?? null,
    videoDev: video?.dev ?? null,
    videoIno: video?.ino ?? null,
    signature: m.folderSignature,
    now,
  });
  if (idsChanged) store.setIds(id, tmdbId, imdbId, state, now);
  if (!m.nfoUnchanged && m.nfo && Object.keys(m.nfo.fields).length > 0)
    store.writeNfoFields(id, m.nfo.fields, now, false);
  store.setNameTitle(id, m.name.title, m.name.year);
  const before = store.originalCount(id);
  const fileIds = store.writeFiles(id, m.files, now, { moved, fresh: false, known: knownFiles });
  store.writeOriginalSlots(id, m.chosen, fileIds, now, false);
  if (moved) return { id, kind: 'moved' };
  const dirty =
    state !== existing.state ||
    idsChanged ||
    error !== existing.error ||
    (video?.size ?? null) !== existing.videoSize ||
    (video?.mtime ?? null) !== existing.videoMtime ||
    !m.nfoUnchanged ||
    m.files.some((f) => !f.unchanged) ||
    before !== store.originalCount(id);
  return { id, kind: dirty ? 'updated' : 'unchanged' };
}

function writeFolders(
  store: ScanStore,
  target: ScanTarget,
  visits: readonly FolderVisit[],
  known: ReadonlyMap<string, unknown>,
  visited: ReadonlySet<string>,
  unreadable: readonly { path: string; reason: string }[],
  now: number,
): void {
  recordFolders(store, target.libraryId, visits, now);
  // Folders no longer reached are gone; below an unreadable folder, forget what we knew so the
  // folders there are read afresh once it can be read again.
  for (const p of known.keys()) {
    if (!target.starts.some((st) => within(p, st))) continue;
    const under = unreadable.find((u) => within(p, u.path) && p !== u.path);
    if (under || !visited.has(p)) store.deleteFolder(p);
  }
}

/** What this pass learned of the folders it read, for the next one to compare with. */
function recordFolders(store: ScanStore, libraryId: number, visits: readonly FolderVisit[], now: number): void {
  for (const v of visits) {
    if (v.status === 'changed') {
      store.upsertFolder({
        path: v.path,
        libraryId,
        role: v.role,
        signature: v.signature,
        subdirs: v.subdirs,
        aux: v.aux,
        files: v.files,
        problems: v.problems,
        error: null,
        now,
      });
    } else if (v.status === 'unreadable') {
      store.upsertFolder({
        path: v.path,
        libraryId,
        role: 'unreadable',
        signature: v.signature,
        subdirs: [],
        aux: [],
        files: [],
        problems: [],
        error: v.reason,
        now,
      });
    }
  }
}

/** Null when the root is usable; else why not. An empty root that had movies is an unmounted share. */
function rootProblem(root: string, items: readonly ItemRef[]): string | null {
  try {
    if (!statSync(root).isDirectory()) return `The library folder ${root} is not a folder`;
    if (items.some((it) => it.state !== 'missing') && isEmptyFolder(root)) {
      return `The library folder ${root} is empty (is the drive or share mounted?)`;
    }
    return null;
  } catch (err) {
    return `The library folder ${root} cannot be reached (${errnoText(err)})`;
  }
}

/** Why the library's folder is unusable now, when the walk could not read it or it went since; else null. */
function lostDuringWalk(root: string, visits: readonly FolderVisit[], items: readonly ItemRef[]): string | null {
  const top = visits.find((v) => v.path === root);
  if (top?.status === 'unreadable' || top?.status === 'gone') {
    const why = top.status === 'gone' ? 'it is gone' : top.reason.toLowerCase();
    return `The library folder ${root} could not be read during the scan (${why}; is the drive or share mounted?)`;
  }
  const now = rootProblem(root, items);
  return now && `${now}; it went away during the scan`;
}

/** Reads one entry, not the whole listing: a library's top folder can hold ten thousand. */
function isEmptyFolder(dir: string): boolean {
  const d = opendirSync(dir);
  try {
    return d.readSync() === null;
  } finally {
    d.closeSync();
  }
}

/**
 * An unreachable root is treated as offline, not as deleted movies: items keep their state and
 * get the reason as their error, and the folder memory is dropped so the next scan reads
 * everything again.
 */
async function markOffline(
  s: Services,
  store: ScanStore,
  target: ScanTarget,
  items: readonly ItemRef[],
  reason: string,
  summary: Summary,
  now: number,
): Promise<void> {
  summary.error({ path: target.root, reason, itemId: null });
  const ids: number[] = [];
  await store.batch(() => {
    for (const it of items) {
      if (it.error !== reason) {
        store.setError(it.id, reason, now);
        ids.push(it.id);
      }
      summary.error({ path: it.folder, reason, itemId: it.id });
    }
    s.database.sqlite
      .prepare("update libraries set state = 'missing', last_scan_at = ? where id = ?")
      .run(now, target.libraryId);
    s.database.sqlite.prepare('delete from scan_folders where library_id = ?').run(target.libraryId);
  });
  if (ids.length > 0) s.events.emit({ type: 'items-changed', itemIds: ids });
  s.events.emit({ type: 'libraries-changed' });
}
