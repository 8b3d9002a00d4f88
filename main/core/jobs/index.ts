import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ApiError } from '../../../shared/api/errors.ts';
import { isJobKind, type JobCounts, type JobKind, type JobState, type JobView } from '../../../shared/api/jobs.ts';
import type { DbOrTx } from '../db/database.ts';
import type { Services } from '../services.ts';
import type { ArrSource } from './arr-events.ts';
import { handleArrWebhook, type ArrOutcome } from './arr-webhook.ts';
import { coalesceKeyFor, JOB_KIND_SPECS, PRIORITY } from './kinds.ts';
import { QueueStore, type JobRow, type NewJob } from './queue-store.ts';
import { followOtherProcesses } from './other-processes.ts';
import { JobRunner, parsePayload } from './runner.ts';
import { createScheduler, type TickReport } from './scheduler.ts';
import { createSteps } from './steps.ts';
import { acquireWorkerLock, type WorkerLock } from './worker-lock.ts';

/** A job to queue. Requests for the same target and kind join the queued one (see `coalesceKeyFor`). */
export interface EnqueueRequest {
  kind: JobKind;
  itemId?: number | null;
  libraryId?: number | null;
  payload?: Record<string, unknown>;
  /** Higher runs first; `PRIORITY.pipeline` when omitted. */
  priority?: number;
  /** Overrides the key derived from kind and target. */
  coalesceKey?: string;
  /** Earliest start (engine clock); now when omitted. */
  runAfter?: number;
}

export interface JobsFilter {
  state?: JobState | undefined;
  kind?: JobKind | undefined;
  itemId?: number | undefined;
  limit?: number | undefined;
}

/** The jobs domain: the persistent queue, its workers, the scheduler and the *arr webhooks. */
export interface JobsDomain {
  /**
   * Queues a job (or joins the queued one for the same target) and returns its id. Safe from
   * any domain at any time; inside an open kysely transaction pass it as `trx`, because the
   * queue otherwise waits for that transaction to end.
   */
  enqueue(request: EnqueueRequest, options?: { trx?: DbOrTx }): Promise<number>;
  /** Many jobs in one transaction (bulk actions over thousands of items). */
  enqueueMany(requests: EnqueueRequest[]): Promise<number[]>;
  /**
   * Starts the workers, the scheduler and (unless `watch: false`) the library watcher, whose
   * changes become coalesced rescans: the desktop app and the daemon call it, one-shot CLI
   * commands do not. Jobs a crash left running are queued again first, and downloads it left
   * pending are resumed. Resolves false when another live process already runs the workers of
   * this data dir.
   */
  start(options?: { watch?: boolean }): Promise<boolean>;
  /**
   * Stops taking jobs; running ones get `graceMs` to finish, then are aborted and queued again
   * (`requeue`, the default) or cancelled.
   */
  stop(options?: { requeue?: boolean; graceMs?: number }): Promise<void>;
  /** Whether this process runs the workers. */
  readonly running: boolean;
  /** Wakes the workers (another process queued work, a test moved the clock). */
  wake(): void;
  /** Resolves when no job runs and none is due now. */
  idle(): Promise<void>;
  /** Runs the scheduler's checks now (the timer calls it every minute). */
  tick(): Promise<TickReport>;
  get(id: number): Promise<JobView | null>;
  list(filter?: JobsFilter): Promise<JobView[]>;
  /** Cancels a queued job, or stops a running one; `conflict` when it has already finished. */
  cancel(id: number): Promise<JobView>;
  /** Cancels every queued job (of one kind); running ones go on. Returns how many. */
  cancelQueued(kind?: JobKind): Promise<number>;
  /**
   * Queues once more, at user priority, the work of every failure not since made good (of one
   * kind), unless it already waits or runs. Returns how many.
   */
  retryFailed(kind?: JobKind): Promise<number>;
  counts(): Promise<JobCounts>;
  /** Acts on a Radarr/Sonarr webhook body; throws `bad_request` for one that is not. */
  handleWebhook(source: ArrSource, body: unknown): Promise<ArrOutcome>;
  /** The webhook secret, generated on first use. */
  webhookSecret(): Promise<string>;
  /** The HTTP door serving webhooks in this process tells where it listens (null when it stops). */
  advertise(baseUrl: string | null): void;
  readonly baseUrl: string | null;
  close(): Promise<void>;
}

export function createJobsDomain(s: Services): JobsDomain {
  const log = s.log.child('jobs');
  const store = new QueueStore(s.database);
  let lock: WorkerLock | null = null;
  let baseUrl: string | null = null;
  let secretPromise: Promise<string> | null = null;
  let unwatch: (() => void) | null = null;
  let unfollow: (() => void) | null = null;

  const toNewJob = (r: EnqueueRequest, now: number): NewJob => {
    const spec = JOB_KIND_SPECS[r.kind];
    if (!spec) throw new ApiError('bad_request', `Unknown job kind "${String(r.kind)}"`, 'kind');
    const payload = r.payload ?? {};
    return {
      kind: r.kind,
      itemId: r.itemId ?? null,
      libraryId: r.libraryId ?? null,
      payload,
      coalesceKey: r.coalesceKey ?? coalesceKeyFor({ kind: r.kind, itemId: r.itemId, libraryId: r.libraryId, payload }),
      priority: r.priority ?? PRIORITY.pipeline,
      maxAttempts: spec.maxAttempts,
      runAfter: r.runAfter ?? now,
    };
  };

  const announce = (id: number, job: NewJob) => {
    s.events.emit({
      type: 'job',
      job: { id, kind: job.kind, state: 'queued', itemId: job.itemId, progress: null, message: null, error: null },
    });
    runner.wake(job.kind);
  };

  const enqueue: JobsDomain['enqueue'] = async (request, options) => {
    const now = s.clock.now();
    const job = toNewJob(request, now);
    const id = options?.trx
      ? await store.insertVia(options.trx, job, now)
      : await store.exclusive(() => store.insert(job, now));
    announce(id, job);
    return id;
  };

  const steps = createSteps(s, (f) =>
    enqueue({ kind: f.kind, itemId: f.itemId ?? null, payload: f.payload ?? {}, priority: f.priority }),
  );
  const runner = new JobRunner({ store, clock: s.clock, log, events: s.events, specs: JOB_KIND_SPECS, steps });
  const scheduler = createScheduler(s, store, enqueue);

  const view = (row: JobRow & { item_title?: string | null }): JobView => {
    const live = runner.liveProgress(row.id);
    const saved = row.progress_total !== null ? { done: row.progress_done ?? 0, total: row.progress_total } : null;
    return {
      id: row.id,
      kind: row.kind,
      state: row.state,
      itemId: row.item_id,
      itemTitle: row.item_title ?? null,
      libraryId: row.library_id,
      priority: row.priority,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      runAfter: row.run_after,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      progress: live?.progress ?? saved,
      message: live?.message ?? row.message,
      error: row.error,
      payload: parsePayload(row.payload),
    };
  };

  const list = async (filter: JobsFilter = {}): Promise<JobView[]> => {
    let q = s.db
      .selectFrom('jobs')
      .leftJoin('items', 'items.id', 'jobs.item_id')
      .selectAll('jobs')
      .select('items.title as item_title');
    if (filter.state) q = q.where('jobs.state', '=', filter.state);
    if (filter.kind) q = q.where('jobs.kind', '=', filter.kind);
    if (filter.itemId !== undefined) q = q.where('jobs.item_id', '=', filter.itemId);
    const rows = await q
      .orderBy('jobs.id', 'desc')
      .limit(filter.limit ?? 200)
      .execute();
    return rows.map((r) => view(r as JobRow & { item_title: string | null }));
  };

  const get = async (id: number): Promise<JobView | null> => {
    const row = await s.db
      .selectFrom('jobs')
      .leftJoin('items', 'items.id', 'jobs.item_id')
      .selectAll('jobs')
      .select('items.title as item_title')
      .where('jobs.id', '=', id)
      .executeTakeFirst();
    return row ? view(row as JobRow & { item_title: string | null }) : null;
  };

  const webhookSecret = (): Promise<string> => {
    const current = s.settings.get('webhook.secret');
    if (current) return Promise.resolve(current);
    // One secret even when several first webhooks arrive together.
    secretPromise ??= s.settings.set('webhook.secret', randomBytes(24).toString('base64url')).finally(() => {
      secretPromise = null;
    });
    return secretPromise;
  };

  const stop: JobsDomain['stop'] = async (options = {}) => {
    scheduler.stop();
    unfollow?.();
    unfollow = null;
    if (unwatch) {
      unwatch();
      unwatch = null;
      await s.library
        .stopWatching()
        .catch((err: unknown) => log.warn('Stopping the watcher failed', { error: String(err) }));
    }
    await runner.stop(options);
    if (lock?.acquired) lock.release();
    lock = null;
  };

  return {
    enqueue,
    async enqueueMany(requests) {
      const now = s.clock.now();
      const jobs = requests.map((r) => toNewJob(r, now));
      const ids = await store.exclusive(() => jobs.map((job) => store.insert(job, now)));
      ids.forEach((id, i) => announce(id, jobs[i]!));
      return ids;
    },
    async start(options = {}) {
      if (runner.started) return true;
      lock = acquireWorkerLock(path.join(s.paths.root, 'jobs.lock'));
      if (!lock.acquired) {
        log.warn(
          `Another Posterity process (pid ${lock.heldBy}) runs the jobs of this data folder; not starting workers here`,
        );
        lock = null;
        return false;
      }
      const recovered = await store.exclusive(() => store.recoverRunning(s.clock.now()));
      if (recovered.requeued + recovered.failed + recovered.superseded > 0) {
        log.info('Recovered jobs left running by an earlier process', { ...recovered });
      }
      await webhookSecret();
      runner.start();
      scheduler.start();
      // Downloads a crash left half done are finished in the background, not before start.
      void s.cache
        .resumePending()
        .catch((err: unknown) => log.warn('Resuming pending downloads failed', { error: String(err) }));
      if (options.watch !== false) {
        unwatch = await s.library.watch('all', (change) => {
          enqueue({
            kind: 'scan-folder',
            libraryId: change.libraryId,
            payload: { folder: change.folder, reason: `watcher: ${change.reason}` },
          }).catch((err: unknown) =>
            log.warn('Queueing a rescan for a change failed', { folder: change.folder, error: String(err) }),
          );
        });
      }
      unfollow = followOtherProcesses(s, log);
      log.info('Job workers and scheduler started', { watching: unwatch !== null });
      return true;
    },
    stop,
    get running() {
      return runner.started;
    },
    wake: () => runner.wake(),
    idle: () => runner.idle(),
    tick: () => scheduler.tick(),
    get,
    list,
    async cancel(id) {
      const now = s.clock.now();
      const row = await store.exclusive(() => store.get(id));
      if (!row) throw new ApiError('not_found', `No job #${id}`, 'id');
      if (row.state === 'queued') {
        if (await store.exclusive(() => store.cancelQueued(id, now))) {
          s.events.emit({
            type: 'job',
            job: {
              id,
              kind: row.kind,
              state: 'cancelled',
              itemId: row.item_id,
              progress: null,
              message: 'Cancelled',
              error: null,
            },
          });
        }
      } else if (row.state === 'running') {
        // Running here: abort it. Running in another process (a daemon): mark it, and that
        // process aborts it on its next poll.
        if (!(await runner.abort(id))) await store.exclusive(() => store.cancelRunningElsewhere(id, now));
      } else {
        throw new ApiError('conflict', `Job #${id} has already finished (${row.state})`, 'id');
      }
      const after = await get(id);
      if (!after) throw new ApiError('not_found', `Job #${id} is gone (its item was deleted)`, 'id');
      return after;
    },
    async cancelQueued(kind) {
      const n = await store.exclusive(() => store.cancelAllQueued(s.clock.now(), kind));
      // One event for all: thousands of job events would flood every open view.
      if (n > 0) s.events.emit({ type: 'jobs-changed' });
      log.info('Waiting jobs cancelled', { count: n, kind: kind ?? 'all' });
      return n;
    },
    async retryFailed(kind) {
      // A user asked: the retries go ahead of background work, as `jobs-enqueue` does.
      const n = await store.exclusive(() => store.retryFailed(s.clock.now(), PRIORITY.user, kind));
      if (n > 0) {
        // One event for all, as for a bulk cancel.
        s.events.emit({ type: 'jobs-changed' });
        runner.wake();
      }
      log.info('Failed jobs queued again', { count: n, kind: kind ?? 'all' });
      return n;
    },
    async counts() {
      const counts: JobCounts = { queued: 0, running: 0, failed: 0, byKind: {} };
      for (const { kind, state, n } of await store.exclusive(() => store.counts())) {
        counts[state as 'queued' | 'running' | 'failed'] += n;
        if (state === 'failed' || !isJobKind(kind)) continue;
        const entry = (counts.byKind[kind] ??= { queued: 0, running: 0 });
        entry[state as 'queued' | 'running'] += n;
      }
      return counts;
    },
    handleWebhook: (source, body) => handleArrWebhook(s, enqueue, source, body),
    webhookSecret,
    advertise(url) {
      baseUrl = url;
    },
    get baseUrl() {
      return baseUrl;
    },
    close: () => stop({ requeue: true, graceMs: 0 }),
  };
}
