import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.ts';
import { openDatabase } from '../../main/core/db/database.ts';
import type { Database } from '../../main/core/db/schema.ts';
import { ApiError } from '../../shared/api/errors.ts';
import type { JobEvent } from '../../shared/api/events.ts';
import type { JobKindSpec } from '../../main/core/jobs/kinds.ts';
import { QueueStore, type NewJob } from '../../main/core/jobs/queue-store.ts';
import { JobRunner, type JobContext, type Step } from '../../main/core/jobs/runner.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

const MIN = 60_000;
const spec = (concurrency: number, maxAttempts = 3): JobKindSpec => ({ scope: 'global', concurrency, maxAttempts, backoffMs: MIN });

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

let t: TestEngine | undefined;
let runner: JobRunner | undefined;
afterEach(async () => {
  await runner?.stop({ requeue: true });
  runner = undefined;
  await t?.cleanup();
  t = undefined;
});

async function setup(specs: Record<string, JobKindSpec>, steps: Record<string, Step>) {
  t = await makeTestEngine();
  const s = t.engine.services;
  const store = new QueueStore(s.database);
  const events: JobEvent[] = [];
  s.events.on((e) => {
    if (e.type === 'job') events.push(e.job);
  });
  runner = new JobRunner({ store, clock: t.clock, log: s.log, events: s.events, specs, steps, random: () => 0.5 });
  const clock = t.clock;
  const add = (kind: string, o: Partial<NewJob> = {}) =>
    store.exclusive(() =>
      store.insert(
        { kind, itemId: null, libraryId: null, payload: {}, coalesceKey: null, priority: 0, maxAttempts: 3, runAfter: clock.now(), ...o },
        clock.now(),
      ),
    );
  const row = (id: number) => store.exclusive(() => store.get(id)!);
  return { s, store, events, runner, add, row, clock };
}

describe('the job queue', () => {
  it('runs user work before background work, and per kind no more at once than allowed', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const gate = deferred();
    const q = await setup(
      { slow: spec(2), log: spec(1) },
      {
        slow: async () => {
          running++;
          most = Math.max(most, running);
          await gate.promise;
          running--;
        },
        log: async (ctx: JobContext) => {
          order.push(String(ctx.job.payload.name));
        },
      },
    );
    for (let i = 0; i < 6; i++) await q.add('slow');
    await q.add('log', { priority: 10, payload: { name: 'schedule' } });
    await q.add('log', { priority: 100, payload: { name: 'user' } });
    await q.add('log', { priority: 80, payload: { name: 'webhook' } });
    q.runner.start();
    await until(() => order.length === 3);
    expect(order).toEqual(['user', 'webhook', 'schedule']);
    expect(running).toBe(2); // the other kind was not held up by the busy one
    gate.resolve();
    await q.runner.idle();
    expect(most).toBe(2);
    const states = await q.s.db.selectFrom('jobs').select('state').execute();
    expect(states.every((r) => r.state === 'done')).toBe(true);
  });

  it('retries a failing job after an exponential backoff, without spinning in between', async () => {
    let calls = 0;
    const q = await setup(
      { fetch: spec(1, 5) },
      {
        fetch: async () => {
          calls++;
          if (calls < 3) throw new ApiError('provider_error', 'TMDB answered 503');
        },
      },
    );
    const id = await q.add('fetch', { maxAttempts: 5 });
    const claims = vi.spyOn(q.store, 'claim');
    q.runner.start();
    await q.runner.idle();
    let row = await q.row(id);
    expect(row).toMatchObject({ state: 'queued', attempts: 1, error: 'provider_error: TMDB answered 503' });
    expect(row.run_after - q.clock.now()).toBe(MIN); // 1 min × 2^0, jitter pinned to the middle

    // Nothing is due: the runner sleeps instead of polling the table in a loop.
    claims.mockClear();
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(1);
    expect(claims.mock.calls.length).toBeLessThanOrEqual(2);

    q.clock.advance(MIN);
    await q.runner.idle();
    row = await q.row(id);
    expect(row).toMatchObject({ state: 'queued', attempts: 2 });
    expect(row.run_after - q.clock.now()).toBe(2 * MIN);

    q.clock.advance(2 * MIN);
    await q.runner.idle();
    expect(await q.row(id)).toMatchObject({ state: 'done', attempts: 3, error: null });
    expect(calls).toBe(3);
  });

  it('gives up on bad input at once and on outages after the last try, keeping them in the history', async () => {
    const q = await setup(
      { bad: spec(1), down: spec(1, 2) },
      {
        bad: async () => {
          throw new ApiError('not_found', 'Item 9 is gone');
        },
        down: async () => {
          throw new ApiError('provider_error', 'timeout');
        },
      },
    );
    const bad = await q.add('bad');
    const down = await q.add('down', { maxAttempts: 2 });
    q.runner.start();
    await q.runner.idle();
    expect(await q.row(bad)).toMatchObject({ state: 'failed', attempts: 1, error: 'not_found: Item 9 is gone' });
    q.clock.advance(10 * MIN);
    await q.runner.idle();
    expect(await q.row(down)).toMatchObject({ state: 'failed', attempts: 2, error: 'provider_error: timeout' });
    expect((await q.row(down)).finished_at).toBe(q.clock.now());
  });

  it('keeps one queued job per target: a storm merges into it, and a job never runs twice at once', async () => {
    const gate = deferred();
    let active = 0;
    let overlap = false;
    const seen: unknown[] = [];
    const q = await setup(
      { scan: spec(4) },
      {
        scan: async (ctx) => {
          active++;
          if (active > 1) overlap = true;
          seen.push(ctx.job.payload);
          await gate.promise;
          active--;
        },
      },
    );
    const key = 'scan-folder:folder:/m/Heat';
    const ids = new Set<number>();
    for (let i = 0; i < 200; i++) {
      ids.add(await q.add('scan', { coalesceKey: key, priority: i === 50 ? 80 : 10, payload: i === 7 ? { restore: true } : { n: i } }));
    }
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await q.row(id!)).toMatchObject({ priority: 80, payload: JSON.stringify({ n: 199, restore: true }) });

    q.runner.start();
    await until(() => active === 1);
    // Arrives while the first runs: queued again (the folder changed after the scan began)…
    const second = await q.add('scan', { coalesceKey: key });
    expect(second).not.toBe(id);
    expect(await q.add('scan', { coalesceKey: key })).toBe(second);
    await new Promise((r) => setTimeout(r, 50));
    // …but it waits for the first one instead of scanning the same folder in parallel.
    expect((await q.row(second)).state).toBe('queued');
    gate.resolve();
    await q.runner.idle();
    expect(overlap).toBe(false);
    expect(seen).toHaveLength(2);
    expect((await q.row(second)).state).toBe('done');
  });

  it('does not let a busy target hold up the other targets of the same kind', async () => {
    const gate = deferred();
    const ran: string[] = [];
    const q = await setup(
      { scan: spec(2) },
      {
        scan: async (ctx) => {
          ran.push(String(ctx.job.payload.name));
          if (ctx.job.payload.name === 'first') await gate.promise;
        },
      },
    );
    await q.add('scan', { coalesceKey: 'scan:a', priority: 100, payload: { name: 'first' } });
    q.runner.start();
    await until(() => ran.length === 1);
    // The best queued job is for the busy target, so it waits; the next one runs meanwhile.
    const again = await q.add('scan', { coalesceKey: 'scan:a', priority: 100, payload: { name: 'again' } });
    await q.add('scan', { coalesceKey: 'scan:b', priority: 10, payload: { name: 'other' } });
    q.runner.wake();
    await until(() => ran.length === 2);
    expect(ran).toEqual(['first', 'other']);
    expect((await q.row(again)).state).toBe('queued');
    gate.resolve();
    await q.runner.idle();
    expect(ran).toEqual(['first', 'other', 'again']);
  });

  it('cancels a queued job before it runs and aborts a running one through its signal', async () => {
    const started = deferred();
    let aborted = false;
    const q = await setup(
      { long: spec(1) },
      {
        long: (ctx) =>
          new Promise<void>((_resolve, reject) => {
            started.resolve();
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
            });
          }),
      },
    );
    const first = await q.add('long');
    const second = await q.add('long');
    expect(await q.store.exclusive(() => q.store.cancelQueued(second, q.clock.now()))).toBe(true);
    q.runner.start();
    await started.promise;
    expect(await q.runner.abort(first)).toBe(true);
    expect(aborted).toBe(true);
    expect(await q.row(first)).toMatchObject({ state: 'cancelled' });
    expect(await q.row(second)).toMatchObject({ state: 'cancelled', attempts: 0 });
    await q.runner.idle();
    expect(q.events.filter((e) => e.id === first).map((e) => e.state)).toEqual(['running', 'cancelled']);
  });

  it('puts jobs a crash left running back in the queue once, and fails one that keeps crashing the process', async () => {
    let runs = 0;
    const q = await setup({ job: spec(2) }, { job: async () => void runs++ });
    const interrupted = await q.add('job', { coalesceKey: 'a' });
    const crashy = await q.add('job', { coalesceKey: 'b', maxAttempts: 1 });
    const superseded = await q.add('job', { coalesceKey: 'c' });
    // A previous process claimed them, then died (kill -9) without recording anything.
    await q.store.exclusive(() => q.store.claim('job', q.clock.now(), 10, []));
    const newer = await q.add('job', { coalesceKey: 'c' });
    const recovered = await q.store.exclusive(() => q.store.recoverRunning(q.clock.now()));
    expect(recovered).toEqual({ requeued: 1, failed: 1, superseded: 1 });
    q.runner.start();
    await q.runner.idle();
    expect(await q.row(interrupted)).toMatchObject({ state: 'done', attempts: 2 });
    expect(await q.row(crashy)).toMatchObject({ state: 'failed' });
    expect(await q.row(superseded)).toMatchObject({ state: 'cancelled' });
    expect(await q.row(newer)).toMatchObject({ state: 'done' });
    expect(runs).toBe(2);
  });

  it('on stop lets running jobs finish within the grace period, else queues them again without counting the try', async () => {
    const gate = deferred();
    const q = await setup(
      { quick: spec(1), stuck: spec(1) },
      {
        quick: async () => {
          await new Promise((r) => setTimeout(r, 20));
        },
        stuck: async () => {
          await gate.promise; // ignores its signal, like a slow filesystem call
        },
      },
    );
    const quick = await q.add('quick');
    const stuck = await q.add('stuck');
    q.runner.start();
    await until(() => q.runner.activeIds().length === 2);
    const stopping = q.runner.stop({ requeue: true, graceMs: 200 });
    setTimeout(() => gate.resolve(), 400);
    await stopping;
    expect(await q.row(quick)).toMatchObject({ state: 'done' });
    expect(await q.row(stuck)).toMatchObject({ state: 'queued', attempts: 0, message: 'Stopped with the engine; queued again' });
    runner = undefined;
  });

  it('reports progress and state changes on the event bus, and prunes only old history', async () => {
    const q = await setup(
      { work: spec(1) },
      {
        work: async (ctx) => {
          ctx.progress({ done: 1, total: 2, label: 'poster' });
          ctx.note('2 images');
        },
      },
    );
    const old = await q.add('work');
    q.runner.start();
    await q.runner.idle();
    const states = q.events.filter((e) => e.id === old).map((e) => e.state);
    expect(states[0]).toBe('running');
    expect(states.at(-1)).toBe('done');
    expect(q.events.find((e) => e.id === old && e.progress)?.progress).toEqual({ done: 1, total: 2, label: 'poster' });
    expect(await q.row(old)).toMatchObject({ state: 'done', message: '2 images' });

    q.clock.advance(40 * 24 * 60 * MIN);
    const recent = await q.add('work');
    await q.runner.idle();
    const waiting = await q.add('work', { runAfter: q.clock.now() + 60 * MIN });
    const pruned = await q.store.exclusive(() => q.store.prune(q.clock.now() - 30 * 24 * 60 * MIN));
    expect(pruned).toBe(1);
    const left = (await q.s.db.selectFrom('jobs').select('id').execute()).map((r) => r.id);
    expect(left.sort()).toEqual([recent, waiting].sort());
  });
});

describe('queueing inside a caller\'s transaction', () => {
  it('joins the queued job for the same target, and keeps nothing when the transaction rolls back', async () => {
    t = await makeTestEngine();
    const s = t.engine.services;
    const req = { kind: 'verify' as const, payload: { repair: false } };
    const [first, again, own] = await s.db.transaction().execute(async (trx) => [
      await s.jobs.enqueue(req, { trx }),
      await s.jobs.enqueue({ ...req, payload: { repair: true } }, { trx }),
      await s.jobs.enqueue({ kind: 'gc', coalesceKey: 'gc:manual' }, { trx }),
    ]);
    expect(again).toBe(first);
    expect(own).not.toBe(first);
    expect(await s.jobs.get(first)).toMatchObject({ state: 'queued', payload: { repair: true } });
    await expect(
      s.db.transaction().execute(async (trx) => {
        await s.jobs.enqueue({ kind: 'gc', coalesceKey: 'gc:rolled-back' }, { trx });
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    const keys = (await s.db.selectFrom('jobs').select('coalesce_key').execute()).map((r) => r.coalesce_key);
    expect(keys.sort()).toEqual(['gc:manual', 'verify']);
  });
});

describe('the jobs table across an upgrade', () => {
  it('keeps the history and its rules, and never hands out the id of a deleted job again', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'posterity-jobs-upgrade-')), 'p.db');
    const old = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
    await new Migrator({ db: old, provider: { getMigrations: async () => MIGRATIONS } }).migrateTo('0004_jobs_indexes');
    const add = old.insertInto('jobs');
    await add.values({ kind: 'verify', payload: '{}', coalesce_key: 'verify', state: 'done', run_after: 1, created_at: 1, finished_at: 2, message: 'ok' }).execute();
    await add.values({ kind: 'gc', payload: '{"dryRun":false}', coalesce_key: 'gc', state: 'queued', priority: 10, run_after: 5, created_at: 3 }).execute();
    await add.values({ kind: 'gc', payload: '{}', coalesce_key: 'gc', state: 'failed', run_after: 1, created_at: 4, error: 'disk full' }).execute();
    // The newest job went away (its item was deleted), so AUTOINCREMENT alone remembers its id.
    await old.deleteFrom('jobs').where('id', '=', 3).execute();
    await old.destroy();

    const upgraded = await openDatabase(file);
    try {
      const s = new QueueStore(upgraded);
      const rows = await upgraded.db.selectFrom('jobs').select(['id', 'kind', 'state', 'payload', 'message', 'priority']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 1, kind: 'verify', state: 'done', payload: '{}', message: 'ok', priority: 0 },
        { id: 2, kind: 'gc', state: 'queued', payload: '{"dryRun":false}', message: null, priority: 10 },
      ]);
      const job = { kind: 'gc', itemId: null, libraryId: null, payload: {}, priority: 0, maxAttempts: 3, runAfter: 9 };
      expect(await s.exclusive(() => s.insert({ ...job, coalesceKey: null }, 9))).toBe(4);
      // Still one queued job per key: a second request joins the first.
      expect(await s.exclusive(() => s.insert({ ...job, coalesceKey: 'gc' }, 9))).toBe(2);
      expect(await s.exclusive(() => s.lastQueuedAt('verify', 'verify'))).toBe(1);
      expect(() => upgraded.sqlite.prepare(`update jobs set state = 'lost' where id = 1`).run()).toThrow(/CHECK constraint/);
    } finally {
      await upgraded.close();
    }
  });
});
