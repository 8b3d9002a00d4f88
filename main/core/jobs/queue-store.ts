import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, sql } from 'kysely';
import type { Db, DbOrTx, OpenedDatabase } from '../db/database.ts';
import type { JobKind, JobState } from '../../../shared/api/jobs.ts';
import { busyToApiError } from '../db/write-lock.ts';

/** A row of the `jobs` table as the queue uses it. */
export interface JobRow {
  id: number;
  kind: string;
  item_id: number | null;
  library_id: number | null;
  payload: string;
  coalesce_key: string | null;
  state: JobState;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: number;
  progress_done: number | null;
  progress_total: number | null;
  message: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** What a worker gets when it claims a job (attempts already counts this try). */
export type ClaimedJob = Pick<
  JobRow,
  'id' | 'kind' | 'item_id' | 'library_id' | 'payload' | 'coalesce_key' | 'priority' | 'attempts' | 'max_attempts'
>;

type Statement = BetterSqlite3.Statement;
type Shape = 'rows' | 'raw' | 'pluck';

/** A claimed row as the raw statement returns it, in the select's column order. */
type ClaimedRow = [number, number | null, number | null, string, string | null, number, number, number];

/** One job to add; `coalesceKey` joins it to an already queued job with the same key. */
export interface NewJob {
  kind: string;
  itemId: number | null;
  libraryId: number | null;
  payload: Record<string, unknown>;
  coalesceKey: string | null;
  priority: number;
  maxAttempts: number;
  runAfter: number;
}

/** How a running job ended, as recorded. */
export type Outcome =
  | { state: 'done'; message: string | null }
  | { state: 'failed'; error: string }
  | { state: 'cancelled'; message: string }
  | { state: 'retry'; error: string; runAfter: number }
  | { state: 'requeue'; message: string };

/**
 * The queue's bookkeeping over the `jobs` table.
 *
 * Why prepared statements on the raw handle and not kysely: kysely prepares every statement
 * anew and awaits a connection mutex, which costs more than a small job itself; the queue's
 * overhead must stay well under the work it schedules (bench/queue.bench.ts). This is safe
 * because better-sqlite3 is synchronous: `exclusive()` waits until no kysely transaction is
 * open on the shared connection, then runs its statements in one uninterrupted turn, so they
 * never land inside someone else's transaction.
 */
export class QueueStore {
  readonly #db: Db;
  readonly #sqlite: BetterSqlite3.Database;
  /** Prepared once per text and row shape; better-sqlite3 builds row objects slowly, so the hot
   * statements return arrays (`raw`) or their first column (`pluck`). */
  readonly #statements: Record<Shape, Map<string, Statement>> = { rows: new Map(), raw: new Map(), pluck: new Map() };
  /** The claim's select by limit: looking a freshly built text up would hash it on every claim. */
  readonly #claimSelects = new Map<number, Statement>();

  constructor(database: OpenedDatabase) {
    this.#db = database.db;
    this.#sqlite = database.sqlite;
  }

  /** Runs `fn` (synchronous statements) when no transaction is open, as one atomic turn. */
  async exclusive<T>(fn: () => T): Promise<T> {
    while (this.#sqlite.inTransaction) {
      // Queues behind the open kysely transaction on the connection mutex.
      await sql`select 1`.execute(this.#db);
    }
    // Immediate: waits for another process's write lock instead of failing (see write-lock.ts).
    try {
      this.#st('begin immediate').run();
    } catch (err) {
      throw busyToApiError(err);
    }
    try {
      const result = fn();
      this.#st('commit').run();
      return result;
    } catch (err) {
      if (this.#sqlite.inTransaction) this.#st('rollback').run();
      throw err;
    }
  }

  #st(text: string, shape: Shape = 'rows'): Statement {
    const cache = this.#statements[shape];
    let st = cache.get(text);
    if (!st) {
      st = this.#sqlite.prepare(text);
      if (shape === 'raw') st.raw(true);
      if (shape === 'pluck') st.pluck(true);
      cache.set(text, st);
    }
    return st;
  }

  /**
   * Adds a job, or merges it into the queued job with the same key: the higher priority and the
   * earlier start win, payload keys are merged (newer values win). Returns the job's id.
   */
  insert(job: NewJob, now: number): number {
    // No `returning id`: SQLite answers it through a temporary table per statement. A job
    // without a key is always a new row; one with a key is the single queued row with that key.
    const { lastInsertRowid } = this.#st(INSERT_SQL).run(...insertParams(job, now));
    if (job.coalesceKey === null) return Number(lastInsertRowid);
    return this.#st(QUEUED_WITH_KEY, 'pluck').get(job.coalesceKey) as number;
  }

  /** `insert` from inside a caller's open kysely transaction (the connection is theirs until it ends). */
  async insertVia(trx: DbOrTx, job: NewJob, now: number): Promise<number> {
    const { insertId } = await trx.executeQuery(CompiledQuery.raw(INSERT_SQL, insertParams(job, now)));
    if (job.coalesceKey === null) return Number(insertId);
    const { rows } = await trx.executeQuery<{ id: number }>(CompiledQuery.raw(QUEUED_WITH_KEY, [job.coalesceKey]));
    return rows[0]!.id;
  }

  /**
   * Marks up to `limit` due jobs of one kind running and returns them, best first. Jobs whose key
   * is in `busyKeys` (running now) wait, so two workers never work on the same target at once.
   * Only the process holding the worker lock claims, so its own list of running keys is the
   * whole truth, and no index on running rows has to be kept up to date on every change.
   */
  claim(kind: string, now: number, limit: number, busyKeys: readonly string[]): ClaimedJob[] {
    if (limit <= 0) return [];
    // A key has one queued job at most, so `limit` more than the busy keys always suffices, and
    // skipping them here keeps a subquery out of the statement. The limit is written into the
    // text, not bound: SQLite's planner reads a bound LIMIT and so re-prepares the statement on
    // every run (there are few distinct limits).
    const top = Math.trunc(limit) + busyKeys.length;
    let select = this.#claimSelects.get(top);
    if (!select) {
      select = this.#st(
        `select id, item_id, library_id, payload, coalesce_key, priority, attempts, max_attempts from jobs
         where state = 'queued' and kind = ? and run_after <= ?
         order by priority desc, run_after, id
         limit ${top}`,
        'raw',
      );
      this.#claimSelects.set(top, select);
    }
    const rows = select.all(kind, now) as ClaimedRow[];
    // Then update by id: `update … returning` costs a temporary table per run and cannot keep
    // the order. Both run in one synchronous turn inside `exclusive()`, so nothing slips in.
    const mark = this.#st(
      `update jobs set state = 'running', started_at = ?, attempts = attempts + 1, message = null where id = ?`,
    );
    const claimed: ClaimedJob[] = [];
    for (const [id, itemId, libraryId, payload, key, priority, attempts, maxAttempts] of rows) {
      if (claimed.length === limit) break;
      if (key !== null && busyKeys.includes(key)) continue;
      mark.run(now, id);
      claimed.push({
        id,
        kind,
        item_id: itemId,
        library_id: libraryId,
        payload,
        coalesce_key: key,
        priority,
        attempts: attempts + 1,
        max_attempts: maxAttempts,
      });
    }
    return claimed;
  }

  /**
   * Records how a running job ended; returns false when the row is no longer running (cancelled
   * from another process, or deleted with its item) so the caller drops its result.
   */
  finish(id: number, outcome: Outcome, now: number): boolean {
    switch (outcome.state) {
      case 'done':
      case 'cancelled':
        return (
          this.#st(
            `update jobs set state = ?, finished_at = ?, message = ?, error = null where id = ? and state = 'running'`,
          ).run(outcome.state, now, outcome.message, id).changes > 0
        );
      case 'failed':
        return (
          this.#st(
            `update jobs set state = 'failed', finished_at = ?, error = ? where id = ? and state = 'running'`,
          ).run(now, outcome.error, id).changes > 0
        );
      case 'retry':
      case 'requeue': {
        // A newer request for the same target may already wait in the queue: it will do this
        // work, so this row ends instead of breaking the one-queued-job-per-key rule.
        const twin = this.#twinOf(id);
        if (twin !== null) {
          const text =
            outcome.state === 'retry'
              ? `${outcome.error} (job #${twin} repeats it)`
              : `Stopped; job #${twin} repeats it`;
          return this.finish(
            id,
            outcome.state === 'retry' ? { state: 'failed', error: text } : { state: 'cancelled', message: text },
            now,
          );
        }
        if (outcome.state === 'retry') {
          return (
            this.#st(
              `update jobs set state = 'queued', run_after = ?, error = ?, started_at = null where id = ? and state = 'running'`,
            ).run(outcome.runAfter, outcome.error, id).changes > 0
          );
        }
        // A stop is not the job's fault: the attempt does not count.
        return (
          this.#st(
            `update jobs set state = 'queued', attempts = max(0, attempts - 1), message = ?, started_at = null
             where id = ? and state = 'running'`,
          ).run(outcome.message, id).changes > 0
        );
      }
    }
  }

  #twinOf(id: number): number | null {
    const row = this.#st(
      `select b.id from jobs a join jobs b on b.coalesce_key = a.coalesce_key and b.state = 'queued' where a.id = ?`,
    ).get(id) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /**
   * After a crash: jobs left running go back to the queue (their attempt counts, so a job that
   * crashes the process every time ends as failed instead of looping). Returns how many.
   */
  recoverRunning(now: number): { requeued: number; failed: number; superseded: number } {
    const superseded = this.#st(
      `update jobs set state = 'cancelled', finished_at = ?, message = 'Interrupted; a newer queued job repeats it'
       where state = 'running' and coalesce_key in (select coalesce_key from jobs where state = 'queued' and coalesce_key is not null)`,
    ).run(now).changes;
    const failed = this.#st(
      `update jobs set state = 'failed', finished_at = ?, error = 'Interrupted too many times (the process stopped while it ran)'
       where state = 'running' and attempts >= max_attempts`,
    ).run(now).changes;
    const requeued = this.#st(
      `update jobs set state = 'queued', run_after = min(run_after, ?), started_at = null,
         message = 'Interrupted by a restart; queued again'
       where state = 'running'`,
    ).run(now).changes;
    return { requeued, failed, superseded };
  }

  /** Cancels a queued job; returns false when it is not queued (any more). */
  cancelQueued(id: number, now: number): boolean {
    return (
      this.#st(
        `update jobs set state = 'cancelled', finished_at = ?, message = 'Cancelled' where id = ? and state = 'queued'`,
      ).run(now, id).changes > 0
    );
  }

  /** Cancels every queued job (of one kind); returns how many. */
  cancelAllQueued(now: number, kind?: JobKind): number {
    return kind
      ? this.#st(
          `update jobs set state = 'cancelled', finished_at = ?, message = 'Cancelled' where state = 'queued' and kind = ?`,
        ).run(now, kind).changes
      : this.#st(
          `update jobs set state = 'cancelled', finished_at = ?, message = 'Cancelled' where state = 'queued'`,
        ).run(now).changes;
  }

  /**
   * Jobs by state and kind: waiting and running ones, and the failures still unresolved (see
   * `UNRESOLVED_FAILURE`); a failure whose work a later job did is history, not a problem.
   */
  counts(): { kind: string; state: JobState; n: number }[] {
    const live = this.#st(
      `select kind, state, count(*) as n from jobs where state = 'queued' or state = 'running' group by kind, state`,
    ).all() as { kind: string; state: JobState; n: number }[];
    const failed = this.#st(
      `select kind, 'failed' as state, count(*) as n from jobs f where ${UNRESOLVED_FAILURE} group by kind`,
    ).all() as { kind: string; state: JobState; n: number }[];
    return [...live, ...failed];
  }

  /**
   * Queues the work of every unresolved failure (of one kind) again, as a new job copied from it,
   * unless that work already waits or runs. Returns how many.
   */
  retryFailed(now: number, priority: number, kind?: JobKind): number {
    // An unresolved failure is the latest of its key, so each key comes up once. Failures
    // without a key cannot be told apart from live work; the queue gives every job a key, so
    // only rows written by hand lack one.
    return this.#st(
      `insert into jobs (kind, item_id, library_id, payload, coalesce_key, state, priority, max_attempts, run_after, created_at)
       select f.kind, f.item_id, f.library_id, json_set(f.payload, '$.retryOf', f.id), f.coalesce_key, 'queued', ?,
         f.max_attempts, ?, ?
       from jobs f
       where ${UNRESOLVED_FAILURE} ${kind ? 'and f.kind = ?' : ''} and f.coalesce_key is not null
         and f.coalesce_key not in
           (select coalesce_key from jobs where (state = 'queued' or state = 'running') and coalesce_key is not null)`,
    ).run(priority, now, now, ...(kind ? [kind] : [])).changes;
  }

  /** Marks a job running elsewhere cancelled; its worker notices on its next poll. */
  cancelRunningElsewhere(id: number, now: number): boolean {
    return (
      this.#st(
        `update jobs set state = 'cancelled', finished_at = ?, message = 'Cancelled' where id = ? and state = 'running'`,
      ).run(now, id).changes > 0
    );
  }

  saveProgress(id: number, done: number, total: number, message: string | null): void {
    this.#st(
      `update jobs set progress_done = ?, progress_total = ?, message = coalesce(?, message) where id = ? and state = 'running'`,
    ).run(done, total, message, id);
  }

  get(id: number): JobRow | undefined {
    return this.#st(`select * from jobs where id = ?`).get(id) as JobRow | undefined;
  }

  /** Of the given ids, those no longer marked running (cancelled from another process). */
  notRunning(ids: number[]): number[] {
    if (ids.length === 0) return [];
    const rows = this.#st(
      `select value as id from json_each(?) where not exists (select 1 from jobs where jobs.id = value and jobs.state = 'running')`,
    ).all(JSON.stringify(ids)) as { id: number }[];
    return rows.map((r) => r.id);
  }

  /** The earliest future start among queued jobs, for the wake-up timer. */
  nextRunAfter(now: number): number | null {
    const row = this.#st(`select min(run_after) as t from jobs where state = 'queued' and run_after > ?`).get(now) as {
      t: number | null;
    };
    return row.t;
  }

  /** When a duty (by kind and coalescing key) was last queued, not counting cancelled attempts. */
  lastQueuedAt(kind: string, coalesceKey: string): number | null {
    // The first term is the jobs_duty index's condition, verbatim, which lets SQLite use it.
    const row = this.#st(
      `select max(created_at) as t from jobs
       where case kind when 'scan-library' then 1 when 'verify' then 1 when 'gc' then 1 end
         and kind = ? and coalesce_key = ? and state != 'cancelled'`,
    ).get(kind, coalesceKey) as { t: number | null };
    return row.t;
  }

  /** Forgets finished jobs older than `before`; queued and running ones always stay. */
  prune(before: number): number {
    return this.#st(`delete from jobs where state in ('done', 'failed', 'cancelled') and finished_at < ?`).run(before)
      .changes;
  }
}

const INSERT_SQL = `insert into jobs (kind, item_id, library_id, payload, coalesce_key, state, priority, max_attempts, run_after, created_at)
  values (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)
  on conflict (coalesce_key) where state = 'queued' do update set
    priority = max(jobs.priority, excluded.priority),
    run_after = min(jobs.run_after, excluded.run_after),
    payload = json_patch(jobs.payload, excluded.payload)`;

/**
 * A failed job (alias `f`) whose work is still undone: no later job with the same key (the same
 * kind and target) has finished since, neither done (the work succeeded) nor failed (that newer
 * failure stands for it, so a target failing every hour through an outage counts once).
 * Cancelled jobs did nothing and change nothing. "Later" is by finishing time, then id, as a
 * fixed clock can give two jobs the same time. Written so both sides use `jobs_outcome`
 * (migration 0009).
 */
const UNRESOLVED_FAILURE = `f.state = 'failed' and f.finished_at is not null
  and not exists (select 1 from jobs d
    where d.state in ('done', 'failed') and d.coalesce_key = f.coalesce_key and d.finished_at is not null
      and (d.finished_at, d.id) > (f.finished_at, f.id))`;

const QUEUED_WITH_KEY = `select id from jobs where coalesce_key = ? and state = 'queued'`;

function insertParams(job: NewJob, now: number): unknown[] {
  return [
    job.kind,
    job.itemId,
    job.libraryId,
    JSON.stringify(job.payload),
    job.coalesceKey,
    job.priority,
    job.maxAttempts,
    job.runAfter,
    now,
  ];
}
