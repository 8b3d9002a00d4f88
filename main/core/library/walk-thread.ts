import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WalkBatch } from './walk.ts';

/*
 * A first scan reads every folder, NFO and picture of the library and writes a row for each:
 * two jobs of about the same size. Walking on a worker thread lets the scanning thread write
 * one batch while the next is read, on the second core. Only a first scan goes there: a rescan
 * compares each folder with what the database remembers, which lives on the scanning thread,
 * and mostly skips folders anyway.
 *
 * The thread is kept while the process lives (it does not hold the process open), so the next
 * library added starts on compiled, warmed-up code instead of a cold thread.
 */

export interface WalkThreadRequest {
  root: string;
  starts: string[];
  maxYear: number;
}

export type WalkThreadMessage =
  { type: 'ready' } | { type: 'batch'; batch: WalkBatch } | { type: 'done' } | { type: 'failed'; message: string };

/**
 * Below this many entries at the top of the library, starting a thread costs more than the
 * overlap saves.
 */
export const WALK_THREAD_MIN_ENTRIES = 100;

/** The worker's code, bundled into one script: set by scripts/build.mjs in packaged builds. */
declare const __POSTERITY_WALK_WORKER__: string | undefined;

/**
 * A source checkout bundles the worker once per process with esbuild (tens of milliseconds);
 * loading TypeScript through tsx on a fresh thread costs ten times that.
 */
async function workerSource(): Promise<string> {
  if (typeof __POSTERITY_WALK_WORKER__ === 'string') return __POSTERITY_WALK_WORKER__;
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

  /** Starts a walk at once (the thread is busy from here), streamed by the returned generator. */
  walk(request: WalkThreadRequest, signal?: AbortSignal): AsyncGenerator<WalkBatch, void, undefined> {
    this.busy = true;
    // While walking, the thread keeps the process alive: a one-shot command awaits only it.
    this.#worker.ref();
    this.#worker.postMessage(request);
    return this.#batches(signal);
  }

  async *#batches(signal?: AbortSignal): AsyncGenerator<WalkBatch, void, undefined> {
    const onAbort = () => this.stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      for (;;) {
        const m = await this.#next();
        if (signal?.aborted) throw cancelled(signal);
        if (m.type === 'batch') yield this.#mergeQueued(m.batch);
        else if (m.type === 'done') break;
        else if (m.type === 'failed') throw new Error(`Reading the library failed: ${m.message}`);
      }
      finished = true;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A walk left half-read (cancelled, failed, or its reader stopped early) ends the thread.
      if (finished) this.#worker.unref();
      else this.stop();
      this.busy = false;
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

let shared: Promise<WalkThread | null> | null = null;

async function startThread(): Promise<WalkThread | null> {
  try {
    const thread = new WalkThread(new Worker(await workerSource(), { eval: true }));
    return (await thread.started()) ? thread : null;
  } catch {
    return null;
  }
}

/** Whether a first scan of `root` is large enough to be worth a thread. */
export function worthAThread(root: string): boolean {
  try {
    return readdirSync(root).length >= WALK_THREAD_MIN_ENTRIES;
  } catch {
    return false; // the walk reports it
  }
}

/**
 * The walk of a first scan on the walk thread, as batches in order; null when no thread is
 * free or none could be started (the caller then walks on its own thread: same result).
 * Cancelling the signal stops the thread and fails the iteration with the signal's reason.
 */
export async function startWalkThread(
  request: WalkThreadRequest,
  signal?: AbortSignal,
): Promise<AsyncGenerator<WalkBatch, void, undefined> | null> {
  let thread = await (shared ??= startThread());
  if (thread?.dead) thread = await (shared = startThread());
  if (!thread) {
    shared = null;
    return null;
  }
  return thread.busy ? null : thread.walk(request, signal);
}
