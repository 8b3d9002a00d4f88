import type { Progress } from '../../../shared/api/index.ts';
import type { JobEvent } from '../../../shared/api/events.ts';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { backoffDelay, errorText, isRetryable } from './backoff.ts';
import type { JobKindSpec } from './kinds.ts';
import type { ClaimedJob, Outcome, QueueStore } from './queue-store.ts';

/** What a running step may use besides the services. */
export interface JobContext {
  job: {
    id: number;
    kind: string;
    itemId: number | null;
    libraryId: number | null;
    payload: Record<string, unknown>;
    priority: number;
    attempts: number;
  };
  /** Aborted when the job is cancelled or the queue stops. */
  signal: AbortSignal;
  progress(progress: Progress): void;
  /** A short line for the Activity view ("3 new candidates"). */
  note(message: string): void;
}

/** The body of a job kind. It must be idempotent: it may run again after a crash. */
export type Step = (ctx: JobContext) => Promise<void>;

export interface RunnerOptions {
  store: QueueStore;
  clock: Clock;
  log: Logger;
  events: EventBus;
  specs: Record<string, JobKindSpec>;
  steps: Record<string, Step>;
  /** How often to look for work queued by another process and for remote cancels. */
  pollMs?: number;
  random?: () => number;
}

interface Active {
  row: ClaimedJob;
  /** Made when the step first reads its signal (creating one costs more than a small job). */
  controller: AbortController | null;
  aborted: AbortReason | null;
  done: Promise<void>;
  progress: Progress | null;
  message: string | null;
  lastSavedAt: number;
}

type AbortReason = 'cancel' | 'stop';
type Report = (active: Active, progress: Progress | null, message: string | null) => void;
const PROGRESS_SAVE_EVERY_MS = 1000;
/** How often running jobs are checked for a cancel made by another process. */
const CANCEL_POLL_MS = 2000;

/**
 * Runs queued jobs: per-kind worker slots, woken by `wake()` on enqueue and by one timer (the
 * next retry's `run_after`, or the poll interval at most); it never spins. Finished jobs are
 * recorded in batches, one transaction per turn of the event loop.
 */
export class JobRunner {
  readonly #o: Required<Omit<RunnerOptions, 'random' | 'pollMs'>> & { random: () => number; pollMs: number };
  readonly #active = new Map<number, Active>();
  readonly #activeByKind = new Map<string, number>();
  /** Kinds that may have due jobs; a claim that comes back short removes its kind. */
  readonly #maybeWork = new Set<string>();
  #running = false;
  #pumpScheduled = false;
  #pumping = false;
  #pumpAgain = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #pending: { id: number; outcome: Outcome; event: JobEvent }[] = [];
  #flushScheduled = false;
  #idleWaiters: (() => void)[] = [];
  /** When the current batch started (real time, for pacing progress saves; read once a batch). */
  #launchedAt = 0;

  constructor(options: RunnerOptions) {
    this.#o = { pollMs: 10_000, random: Math.random, ...options };
  }

  get started(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const kind of Object.keys(this.#o.steps)) this.#maybeWork.add(kind);
    this.wake();
  }

  /** Something was queued (or became due): look for work soon, without blocking the caller. */
  wake(kind?: string): void {
    if (kind) this.#maybeWork.add(kind);
    else for (const k of Object.keys(this.#o.steps)) this.#maybeWork.add(k);
    if (!this.#running || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  /** Ids of the jobs running in this process. */
  activeIds(): number[] {
    return [...this.#active.keys()];
  }

  /**
   * Cancels a job running in this process; resolves true once its end is recorded (or after
   * `waitMs` if the step is slow to notice), false when it does not run here.
   */
  async abort(id: number, waitMs = 2000): Promise<boolean> {
    const active = this.#active.get(id);
    if (!active) return false;
    abortActive(active, 'cancel');
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([active.done, new Promise((r) => (timeout = setTimeout(r, waitMs)))]);
    clearTimeout(timeout);
    await this.#flush();
    return true;
  }

  /** Latest progress of a job running here (fresher than the row, which is saved once a second). */
  liveProgress(id: number): { progress: Progress | null; message: string | null } | null {
    const active = this.#active.get(id);
    return active ? { progress: active.progress, message: active.message } : null;
  }

  /**
   * Resolves once nothing runs and nothing is due (jobs waiting for a later `run_after` do not
   * count). Tests and one-shot tools use it to wait for a chain of jobs to settle.
   */
  idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.wake();
    });
  }

  /**
   * Stops taking jobs. Running jobs get `graceMs` to finish; the rest are aborted and, with
   * `requeue`, go back to the queue (their attempt not counted), else end cancelled.
   */
  async stop({ requeue = true, graceMs = 0 }: { requeue?: boolean; graceMs?: number } = {}): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#clearTimer();
    const settled = () => Promise.allSettled([...this.#active.values()].map((a) => a.done));
    if (graceMs > 0 && this.#active.size > 0) {
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([settled(), new Promise((r) => (timeout = setTimeout(r, graceMs)))]);
      clearTimeout(timeout);
    }
    const left = [...this.#active.values()];
    for (const a of left) abortActive(a, requeue ? 'stop' : 'cancel');
    // Record the outcome now: a step that ignores its signal must not keep the row "running".
    if (left.length > 0) {
      const now = this.#o.clock.now();
      await this.#o.store.exclusive(() => {
        for (const a of left) {
          this.#o.store.finish(
            a.row.id,
            requeue
              ? { state: 'requeue', message: 'Stopped with the engine; queued again' }
              : { state: 'cancelled', message: 'Stopped' },
            now,
          );
        }
      });
      for (const a of left) this.#emit(a, requeue ? 'queued' : 'cancelled', null);
    }
    // Give aborted steps a moment to unwind before the database closes under them.
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([settled(), new Promise((r) => (timeout = setTimeout(r, 5000)))]);
    clearTimeout(timeout);
    await this.#flush();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #pump(): Promise<void> {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    // Finished jobs are recorded and their slots refilled in the same transaction: one commit
    // per turn however many jobs ended.
    const finished = this.#pending.splice(0);
    let committed = false;
    try {
      const now = this.#o.clock.now();
      const claimed: ClaimedJob[] = [];
      const recorded = await this.#o.store.exclusive(() => {
        const results = finished.map((b) => this.#o.store.finish(b.id, b.outcome, now));
        for (const kind of [...this.#maybeWork]) {
          const spec = this.#o.specs[kind];
          if (!spec || !this.#o.steps[kind]) {
            this.#maybeWork.delete(kind);
            continue;
          }
          const free = spec.concurrency - (this.#activeByKind.get(kind) ?? 0);
          if (free <= 0) continue;
          const rows = this.#o.store.claim(kind, now, free, this.#busyKeys(claimed));
          if (rows.length < free) this.#maybeWork.delete(kind);
          claimed.push(...rows);
        }
        return results;
      });
      committed = true;
      finished.forEach((b, i) => {
        if (recorded[i]) this.#o.events.emit({ type: 'job', job: b.event });
      });
      if (!this.#running) {
        // Stopped while claiming: hand the rows straight back.
        await this.#o.store.exclusive(() => {
          for (const row of claimed) this.#o.store.finish(row.id, { state: 'requeue', message: 'Stopped' }, now);
        });
        return;
      }
      this.#launchedAt = performance.now();
      for (const row of claimed) this.#launch(row);
      if (this.#active.size === 0 && this.#pending.length === 0 && !this.#pumpAgain) {
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
      }
      await this.#armTimer(now);
    } catch (err) {
      // The transaction rolled back: keep the outcomes for the next turn.
      if (!committed) this.#pending.unshift(...finished);
      this.#o.log.error('The job queue could not claim work', { error: errorText(err) });
      await this.#armTimer(this.#o.clock.now());
    } finally {
      this.#pumping = false;
      if (this.#pumpAgain) {
        this.#pumpAgain = false;
        this.wake();
      }
    }
  }

  /** Keys of the jobs running here (and of those just claimed in this turn). */
  #busyKeys(claimed: readonly ClaimedJob[]): string[] {
    const keys: string[] = [];
    for (const a of this.#active.values()) if (a.row.coalesce_key !== null) keys.push(a.row.coalesce_key);
    for (const row of claimed) if (row.coalesce_key !== null) keys.push(row.coalesce_key);
    return keys;
  }

  /**
   * One timer: the next retry coming due, or the poll interval, whichever is sooner. While jobs
   * run, each finish pumps again, so only an idle runner looks up the next due time.
   */
  async #armTimer(now: number): Promise<void> {
    if (!this.#running) return;
    const busy = this.#active.size > 0;
    const next = busy ? null : await this.#o.store.exclusive(() => this.#o.store.nextRunAfter(now));
    // While jobs run, a cancel from another process should reach them within seconds.
    const poll = busy ? Math.min(this.#o.pollMs, CANCEL_POLL_MS) : this.#o.pollMs;
    const delay = Math.max(5, Math.min(poll, next === null ? Infinity : next - now));
    const at = performance.now() + delay;
    if (this.#timer && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      void this.#poll();
    }, delay);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** Timer turn: work queued by another process, and jobs cancelled from another process. */
  async #poll(): Promise<void> {
    if (!this.#running) return;
    try {
      const ids = this.activeIds();
      const gone = await this.#o.store.exclusive(() => this.#o.store.notRunning(ids));
      for (const id of gone) {
        const active = this.#active.get(id);
        if (active) abortActive(active, 'cancel');
      }
    } catch (err) {
      this.#o.log.warn('Checking for cancelled jobs failed', { error: errorText(err) });
    }
    this.wake();
  }

  #launch(row: ClaimedJob): void {
    const active: Active = {
      row,
      controller: null,
      aborted: null,
      done: SETTLED,
      progress: null,
      message: null,
      lastSavedAt: this.#launchedAt,
    };
    this.#active.set(row.id, active);
    this.#activeByKind.set(row.kind, (this.#activeByKind.get(row.kind) ?? 0) + 1);
    this.#emit(active, 'running', null);
    active.done = this.#run(active, new StepContext(active, this.#report));
  }

  async #run(active: Active, ctx: StepContext): Promise<void> {
    let error: unknown = null;
    try {
      await this.#o.steps[active.row.kind]!(ctx);
    } catch (err) {
      error = err ?? new Error('failed');
    }
    this.#settle(active, error);
  }

  readonly #report: Report = (active, progress, message) => this.#progress(active, progress, message);

  #progress(active: Active, progress: Progress | null, message: string | null): void {
    active.progress = progress;
    if (message !== null) active.message = message;
    this.#emit(active, 'running', null);
    // Progress is for watching eyes; the row is updated at most once a second (real time, not
    // the engine clock, because this paces disk writes rather than domain time).
    const t = performance.now();
    if (t - active.lastSavedAt < PROGRESS_SAVE_EVERY_MS) return;
    active.lastSavedAt = t;
    const { id } = active.row;
    void this.#o.store
      .exclusive(() => this.#o.store.saveProgress(id, progress?.done ?? 0, progress?.total ?? 0, message))
      .catch(() => undefined);
  }

  #settle(active: Active, err: unknown): void {
    const { row } = active;
    this.#active.delete(row.id);
    this.#activeByKind.set(row.kind, (this.#activeByKind.get(row.kind) ?? 1) - 1);
    this.#maybeWork.add(row.kind);
    if (active.aborted === 'stop') return; // stop() recorded it
    const spec = this.#o.specs[row.kind]!;
    let outcome: Outcome;
    let error: string | null = null;
    if (active.aborted) {
      outcome = { state: 'cancelled', message: 'Cancelled' };
    } else if (err === null) {
      outcome = { state: 'done', message: active.message };
    } else if (isRetryable(err) && row.attempts < row.max_attempts) {
      error = errorText(err);
      const runAfter = this.#o.clock.now() + backoffDelay(spec, row.attempts, this.#o.random());
      outcome = { state: 'retry', error, runAfter };
      this.#o.log.warn(
        `Job #${row.id} ${row.kind} failed (try ${row.attempts} of ${row.max_attempts}); retrying later`,
        {
          error,
          retryAt: new Date(runAfter).toISOString(),
        },
      );
    } else {
      error = errorText(err);
      outcome = { state: 'failed', error };
      this.#o.log.warn(`Job #${row.id} ${row.kind} failed`, { error, attempts: row.attempts });
    }
    const state = outcome.state === 'retry' ? 'queued' : outcome.state;
    this.#pending.push({ id: row.id, outcome, event: this.#event(active, state, error) });
    // The next pump records it together with the next claims; a stopping runner just records.
    if (this.#running) this.wake(row.kind);
    else this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  /** Records every outcome gathered this turn in one transaction, then tells the listeners. */
  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    const now = this.#o.clock.now();
    let recorded: boolean[] = [];
    try {
      recorded = await this.#o.store.exclusive(() => batch.map((b) => this.#o.store.finish(b.id, b.outcome, now)));
    } catch (err) {
      this.#o.log.error('Recording finished jobs failed; they will run again after a restart', {
        error: errorText(err),
      });
    }
    batch.forEach((b, i) => {
      if (recorded[i]) this.#o.events.emit({ type: 'job', job: b.event });
    });
  }

  #event(active: Active, state: JobEvent['state'], error: string | null): JobEvent {
    const { row } = active;
    return {
      id: row.id,
      kind: row.kind,
      state,
      itemId: row.item_id,
      progress: active.progress,
      message: active.message,
      error,
    };
  }

  #emit(active: Active, state: JobEvent['state'], error: string | null): void {
    this.#o.events.emit({ type: 'job', job: this.#event(active, state, error) });
  }
}

const SETTLED = Promise.resolve();

/**
 * What a step gets. A class, not an object literal: a literal with a getter costs V8 a new hidden
 * class per job, which lands in the old generation and piles up until a full collection.
 */
class StepContext implements JobContext {
  readonly job: JobContext['job'];
  readonly #active: Active;
  readonly #report: Report;
  #progressFn: ((progress: Progress) => void) | undefined;
  #noteFn: ((message: string) => void) | undefined;

  constructor(active: Active, report: Report) {
    const { row } = active;
    this.#active = active;
    this.#report = report;
    this.job = {
      id: row.id,
      kind: row.kind,
      itemId: row.item_id,
      libraryId: row.library_id,
      payload: parsePayload(row.payload),
      priority: row.priority,
      attempts: row.attempts,
    };
  }

  get signal(): AbortSignal {
    const active = this.#active;
    if (!active.controller) {
      active.controller = new AbortController();
      if (active.aborted) active.controller.abort(active.aborted);
    }
    return active.controller.signal;
  }

  // Bound, because steps hand them on as callbacks (`onProgress: ctx.progress`), and made on
  // first use: most steps never report, and a closure per job is not free either.
  get progress(): (progress: Progress) => void {
    return (this.#progressFn ??= (progress) => this.#report(this.#active, progress, null));
  }

  get note(): (message: string) => void {
    return (this.#noteFn ??= (message) => this.#report(this.#active, this.#active.progress, message));
  }
}

function abortActive(active: Active, reason: AbortReason): void {
  active.aborted ??= reason;
  active.controller?.abort(reason);
}

/** A job's payload column as an object ({} for anything else). */
export function parsePayload(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
