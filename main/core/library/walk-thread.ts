import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  folderIdentity,
  secondPathReason,
  type CheckedFolder,
  type FolderVisit,
  type KnownFile,
  type PrevFolder,
  type WalkBatch,
  type WalkError,
} from './walk.ts';

/*
 * A first scan reads every folder, NFO and picture of the library and writes a row for each:
 * two jobs of about the same size. Walking on a worker thread lets the scanning thread write
 * one batch while the next is read, on the second core. Only a first scan goes there: a rescan
 * compares each folder with what the database remembers, which lives on the scanning thread,
 * and mostly skips folders anyway.
 *
 * On storage that is slow to answer (a network share: every listing, stat and open is a round
 * trip) the walk waits far more than it computes, so several threads read at once, each waiting
 * on its own requests: the top of the library is read first, then its folders are handed out a
 * few at a time to whichever thread is free. A folder reached by two threads under two paths
 * (a symbolic link) is kept under the first path read.
 *
 * One thread is kept while the process lives (it does not hold the process open), so the next
 * library added starts on compiled, warmed-up code instead of a cold thread; the extra threads
 * of a walk on slow storage end with it.
 */

export interface WalkThreadRequest {
  root: string;
  starts: string[];
  maxYear: number;
  /** Threads reading at once (default 1; see walkLanes). */
  lanes?: number;
  /** Read every file again, even one recorded with the same size and time (a deep scan). */
  deep?: boolean;
  /** The library's recorded files, when it has any (a library read again whole): see KnownFile. */
  knownFiles?: [string, KnownFile][];
}

/** What one thread is asked to read: all of a walk, or part of one. */
export interface WalkJob {
  root: string;
  starts: string[];
  maxYear: number;
  /** The jobs of one walk on a thread share its folder identities (loops, second paths). */
  walkId: number;
  /** False: read `starts` only, and answer with the folders below them. */
  descend: boolean;
  /** Folders other threads read first, by identity (dev:ino). */
  seen: [string, string][];
  deep: boolean;
  /** The library's recorded files: sent with a thread's first job of a walk, kept for the rest. */
  knownFiles?: [string, KnownFile][];
}

/** Known folders whose signatures a rescan on slow storage takes on the threads. */
export interface CheckJob {
  check: [string, Pick<PrevFolder, 'aux' | 'files'>][];
}

export type WalkThreadMessage =
  | { type: 'ready' }
  | { type: 'batch'; batch: WalkBatch }
  | { type: 'done'; rest: string[] }
  | { type: 'checked'; folders: [string, CheckedFolder][] }
  | { type: 'failed'; message: string };

/**
 * Below this many entries at the top of the library, starting a thread costs more than the
 * overlap saves.
 */
export const WALK_THREAD_MIN_ENTRIES = 100;

/** Threads reading a first scan on slow storage. */
export const SLOW_STORAGE_LANES = 8;

/**
 * A median folder listing slower than this means storage where waiting dominates: a local disk
 * lists a folder from its cache in tens of microseconds, a network share takes a round trip.
 */
const SLOW_LISTING_MS = 0.25;

/** Folders listed to tell the storage's speed, spread over the library's top. */
const LISTING_PROBES = 7;

/** Top folders handed to a thread at a time: small enough that the threads finish together. */
const LANE_CHUNK = 16;

/** Known folders a thread checks at a time (a few stats each). */
const CHECK_CHUNK = 64;

/** The worker's code, bundled into one script: set by scripts/build.mjs in packaged builds. */
declare const __POSTERITY_WALK_WORKER__: string | undefined;

/**
 * A source checkout bundles the worker once per process with esbuild (tens of milliseconds);
 * loading TypeScript through tsx on a fresh thread costs ten times that.
 */
async function workerSource(): Promise<string> {
  if (typeof __POSTERITY_WALK_WORKER__ === 'string') return __POSTERITY_WALK_WORKER__;
  source ??= bundleWorker();
  return source;
}

let source: Promise<string> | null = null;

async function bundleWorker(): Promise<string> {
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./walk-thread-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

const cancelled = (signal: AbortSignal) => signal.reason ?? new DOMException('Cancelled', 'AbortError');

class WalkThread {
  readonly #worker: Worker;
  readonly #inbox: WalkThreadMessage[] = [];
  #wake: (() => void) | null = null;
  /** Claimed by a walk (set and cleared by whoever starts the walk, across its jobs). */
  busy = false;
  dead = false;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (m: WalkThreadMessage) => this.#deliver(m));
    worker.on('error', (err) => this.#die(err.message));
    worker.on('exit', (code) => this.#die(`the walk thread stopped (exit code ${code})`));
  }

  /** Resolves once the thread has loaded its code; a thread that cannot (a packaging fault) fails first. */
  async started(): Promise<boolean> {
    if ((await this.#next()).type === 'ready') {
      this.#worker.unref();
      return true;
    }
    this.stop();
    return false;
  }

  /**
   * Starts a job at once, streamed by the returned generator, which returns the folders the job
   * left unwalked.
   */
  run(job: WalkJob, signal?: AbortSignal): AsyncGenerator<WalkBatch, string[], undefined> {
    // While walking, the thread keeps the process alive: a one-shot command awaits only it.
    this.#worker.ref();
    this.#worker.postMessage(job);
    return this.#batches(signal);
  }

  /** Takes the signatures of these known folders (see checkFolders). */
  async check(job: CheckJob, signal?: AbortSignal): Promise<[string, CheckedFolder][]> {
    const onAbort = () => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#worker.ref();
    this.#worker.postMessage(job);
    try {
      const m = await this.#next();
      if (signal?.aborted) throw cancelled(signal);
      if (m.type !== 'checked')
        throw new Error(`Reading the library failed: ${m.type === 'failed' ? m.message : m.type}`);
      return m.folders;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!this.dead) this.#worker.unref();
    }
  }

  async *#batches(signal?: AbortSignal): AsyncGenerator<WalkBatch, string[], undefined> {
    const onAbort = () => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      for (;;) {
        const m = await this.#next();
        if (signal?.aborted) throw cancelled(signal);
        if (m.type === 'batch') yield this.#mergeQueued(m.batch);
        else if (m.type === 'failed') throw new Error(`Reading the library failed: ${m.message}`);
        else if (m.type === 'done') {
          finished = true;
          return m.rest;
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A job left half-read (cancelled, failed, or its reader stopped early) ends the thread.
      if (finished) this.#worker.unref();
      else this.stop();
    }
  }

  /**
   * Folds the batches that arrived while the reader was busy into this one, so a reader slower
   * than the walk takes bigger steps instead of falling further behind.
   */
  #mergeQueued(batch: WalkBatch): WalkBatch {
    while (this.#inbox[0]?.type === 'batch') {
      const more = (this.#inbox.shift() as { batch: WalkBatch }).batch;
      for (const v of more.visits) batch.visits.push(v);
      for (const e of more.errors) batch.errors.push(e);
      batch.done = more.done;
      batch.total = more.total;
    }
    return batch;
  }

  stop(): void {
    this.#die('stopped');
    void this.#worker.terminate();
  }

  #die(message: string): void {
    if (this.dead) return;
    this.dead = true;
    this.#worker.removeAllListeners();
    // A late 'error' from a stopping thread must not become an uncaught exception.
    this.#worker.on('error', () => undefined);
    this.#deliver({ type: 'failed', message });
  }

  #deliver(m: WalkThreadMessage): void {
    this.#inbox.push(m);
    this.#wake?.();
    this.#wake = null;
  }

  async #next(): Promise<WalkThreadMessage> {
    while (this.#inbox.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#inbox.shift()!;
  }
}

let kept: Promise<WalkThread | null> | null = null;
let walks = 0;

async function startThread(): Promise<WalkThread | null> {
  try {
    const thread = new WalkThread(new Worker(await workerSource(), { eval: true }));
    return (await thread.started()) ? thread : null;
  } catch {
    return null;
  }
}

/** The thread kept between walks, started again if it ended; null when none can start. */
async function keptThread(): Promise<WalkThread | null> {
  let thread = await (kept ??= startThread());
  if (thread?.dead) thread = await (kept = startThread());
  if (!thread) kept = null;
  return thread;
}

/**
 * How many threads should read a library: the walk of a first scan, or the folder checks of a
 * rescan. 0 when the library is too small to be worth a thread; else `configured` (the
 * `scan.walkThreads` setting) when set, or what the storage calls for (see SLOW_LISTING_MS).
 */
export function walkLanes(root: string, configured = 0): number {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return 0; // the walk reports it
  }
  if (names.length < WALK_THREAD_MIN_ENTRIES) return 0;
  if (configured > 0) return configured;
  return listingMs(root, names) >= SLOW_LISTING_MS ? SLOW_STORAGE_LANES : 1;
}

/** Median time to list a few of the library's top folders, none of which this scan read yet. */
function listingMs(root: string, names: readonly string[]): number {
  const times: number[] = [];
  const step = Math.max(1, Math.floor(names.length / LISTING_PROBES));
  for (let i = 0; i < names.length && times.length < LISTING_PROBES; i += step) {
    const t0 = performance.now();
    try {
      readdirSync(path.join(root, names[i]!));
    } catch {
      // a file, or a folder that cannot be read: the answer took as long as storage takes
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] ?? 0;
}

/**
 * The walk of a first scan on walk threads (`request.lanes` of them), as batches; null when the
 * kept thread is busy with another walk or no thread could be started (the caller then walks on
 * its own thread: same result). Cancelling the signal stops the threads and fails the iteration
 * with the signal's reason.
 */
export async function startWalkThread(
  request: WalkThreadRequest,
  signal?: AbortSignal,
): Promise<AsyncGenerator<WalkBatch, void, undefined> | null> {
  const lanes = await claimLanes(request.lanes ?? 1);
  if (!lanes) return null;
  const walkId = ++walks;
  return lanes.length === 1 ? oneLane(lanes[0]!, request, walkId, signal) : inLanes(lanes, request, walkId, signal);
}

/**
 * Up to `count` threads for one walk: the kept one (null when it is busy with another walk or
 * cannot start) and extra ones, which the walk stops when it ends.
 */
async function claimLanes(count: number): Promise<WalkThread[] | null> {
  const first = await keptThread();
  if (!first || first.busy) return null;
  first.busy = true;
  const extra = await Promise.all(Array.from({ length: Math.max(0, count - 1) }, startThread));
  return [first, ...extra.filter((t): t is WalkThread => t !== null)];
}

/**
 * Ends a walk's claim on its threads: the extra ones stop, and the kept one is free again, or
 * stopped too when the walk did not finish (it may still be reading for it).
 */
function releaseLanes(lanes: readonly WalkThread[], finished: boolean): void {
  for (const thread of lanes.slice(1)) thread.stop();
  if (!finished) lanes[0]!.stop();
  lanes[0]!.busy = false;
}

/**
 * A rescan's folder checks on slow storage: the signatures of the known folders, taken by
 * `lanes` threads at once, for the walk to compare (WalkOptions.checked). Null when no thread is
 * free (the walk then asks itself, as on a fast disk).
 */
export async function checkOnThreads(
  folders: [string, Pick<PrevFolder, 'aux' | 'files'>][],
  lanes: number,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<Map<string, CheckedFolder> | null> {
  const threads = await claimLanes(lanes);
  if (!threads) return null;
  const checked = new Map<string, CheckedFolder>();
  let next = 0;
  let finished = false;
  try {
    await Promise.all(
      threads.map(async (thread) => {
        while (next < folders.length) {
          const check = folders.slice(next, (next += CHECK_CHUNK));
          for (const [dir, now] of await thread.check({ check }, signal)) checked.set(dir, now);
          onProgress?.(Math.min(next, folders.length), folders.length);
        }
      }),
    );
    finished = true;
    return checked;
  } finally {
    releaseLanes(threads, finished);
  }
}

async function* oneLane(
  thread: WalkThread,
  request: WalkThreadRequest,
  walkId: number,
  signal?: AbortSignal,
): AsyncGenerator<WalkBatch, void, undefined> {
  const { root, starts, maxYear, knownFiles } = request;
  try {
    yield* thread.run(
      { root, starts, maxYear, walkId, descend: true, seen: [], deep: request.deep ?? false, knownFiles },
      signal,
    );
  } finally {
    thread.busy = false;
  }
}

/**
 * A walk on several threads: the first reads `starts` alone, then every thread takes the folders
 * below them a few at a time. Batches come in the order they are read, each counted again here
 * (`done`, `total`), and a folder a second thread reaches by another path is dropped with its
 * whole subtree, reported as the first thread would have reported it.
 */
async function* inLanes(
  lanes: WalkThread[],
  request: WalkThreadRequest,
  walkId: number,
  signal?: AbortSignal,
): AsyncGenerator<WalkBatch, void, undefined> {
  const base = { root: request.root, maxYear: request.maxYear, walkId, deep: request.deep ?? false };
  /** Threads that have the recorded files of this walk (sent once each). */
  const told = new Set<WalkThread>();
  const knownFilesFor = (thread: WalkThread) => {
    if (told.has(thread)) return undefined;
    told.add(thread);
    return request.knownFiles;
  };
  const firstPaths = new Map<string, string>();
  const dropped: string[] = [];
  const under = (p: string) => dropped.some((d) => p.startsWith(d + path.sep));
  let queue: string[] = [];
  let next = 0;
  let done = 0;
  /** A batch as the walk reports it: second paths out, progress over all threads. */
  const keep = (batch: WalkBatch): WalkBatch => {
    const visits: FolderVisit[] = [];
    const errors: WalkError[] = [];
    for (const v of batch.visits) {
      if (dropped.length > 0 && under(v.path)) continue;
      const identity = v.status === 'changed' ? folderIdentity(v.signature) : null;
      const seenAs = identity === null ? undefined : firstPaths.get(identity);
      if (seenAs !== undefined && seenAs !== v.path) {
        dropped.push(v.path);
        errors.push({ path: v.path, reason: secondPathReason(v.path, seenAs) });
        continue;
      }
      if (identity !== null) firstPaths.set(identity, v.path);
      visits.push(v);
    }
    for (const e of batch.errors) if (dropped.length === 0 || !under(e.path)) errors.push(e);
    done += visits.length;
    return { visits, errors, done, total: done + Math.max(0, queue.length - next) };
  };

  let finished = false;
  try {
    const top = lanes[0]!.run(
      { ...base, starts: request.starts, descend: false, seen: [], knownFiles: knownFilesFor(lanes[0]!) },
      signal,
    );
    let step = await top.next();
    for (; !step.done; step = await top.next()) yield keep(step.value);
    queue = step.value;

    const seen = [...firstPaths];
    const arrived: WalkBatch[] = [];
    let wake: (() => void) | null = null;
    let settled = false;
    let failure: { error: unknown } | null = null;
    const lane = async (thread: WalkThread) => {
      while (next < queue.length && failure === null) {
        const starts = queue.slice(next, (next += LANE_CHUNK));
        const job = thread.run({ ...base, starts, descend: true, seen, knownFiles: knownFilesFor(thread) }, signal);
        for (let s = await job.next(); !s.done; s = await job.next()) {
          arrived.push(s.value);
          wake?.();
        }
      }
    };
    void Promise.all(lanes.map(lane))
      .catch((error: unknown) => {
        failure = { error };
        for (const thread of lanes) thread.stop();
      })
      .finally(() => {
        settled = true;
        wake?.();
      });
    for (;;) {
      while (arrived.length > 0) {
        const batch = keep(arrived.shift()!);
        if (batch.visits.length > 0 || batch.errors.length > 0) yield batch;
      }
      if (settled) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    if (failure !== null) throw (failure as { error: unknown }).error;
    finished = true;
  } finally {
    releaseLanes(lanes, finished);
  }
}
