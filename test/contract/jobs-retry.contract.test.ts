import { afterEach, describe, expect, it } from 'vitest';
import { QueueStore } from '../../main/core/jobs/queue-store.ts';
import { DOORS, openDoor, seedMovies, type DoorFixture } from '../helpers/doors.ts';

/**
 * Failed work through every door: what `jobs-counts` counts as failed, and what
 * `jobs-retry-failed` queues. Workers are not started; jobs are claimed and finished through the
 * queue's own bookkeeping, as a worker would.
 */
describe.each(DOORS)('failed jobs through the %s door', (door) => {
  let f: DoorFixture;
  afterEach(async () => f?.cleanup());

  const withItems = async (n: number) => (await seedMovies(f, n)).ids;

  /** Claims the waiting enrichments (as a worker does) and ends each as `outcome` says, a minute on. */
  async function finishEnrichments(outcome: (itemId: number) => 'done' | 'failed' | 'keep running') {
    const store = new QueueStore(f.engine.services.database);
    f.clock.advance(60_000);
    const now = f.clock.now();
    await store.exclusive(() => {
      for (const job of store.claim('enrich-item', now, 100, [])) {
        const end = outcome(job.item_id!);
        if (end === 'done') store.finish(job.id, { state: 'done', message: null }, now);
        else if (end === 'failed')
          store.finish(job.id, { state: 'failed', error: 'TMDB is unavailable (HTTP 503).' }, now);
      }
    });
  }

  it('counts failed work until a later job for the same target succeeds, and queues each once again', async () => {
    f = await openDoor(door);
    const [a, b, c] = await withItems(3);
    await f.api.call('jobs-enqueue', { kind: 'enrich-item', itemIds: [a!, b!, c!] });
    await finishEnrichments((id) => (id === c ? 'done' : 'failed'));
    expect(await f.api.call('jobs-counts', {})).toEqual({ queued: 0, running: 0, failed: 2, byKind: {} });

    // A later success for one movie settles its failure; the other's stands.
    await f.api.call('jobs-enqueue', { kind: 'enrich-item', itemIds: [a!] });
    await finishEnrichments(() => 'done');
    expect((await f.api.call('jobs-counts', {})).failed).toBe(1);
    // The history keeps both failures.
    expect((await f.api.call('jobs-list', { state: 'failed' })).map((j) => j.itemId).sort()).toEqual([a, b].sort());

    expect(await f.api.call('jobs-retry-failed', { kind: 'download' })).toEqual({ queued: 0 });
    expect(await f.api.call('jobs-retry-failed', {})).toEqual({ queued: 1 });
    const [retry] = await f.api.call('jobs-list', { state: 'queued' });
    expect(retry).toMatchObject({ kind: 'enrich-item', itemId: b, priority: 100, attempts: 0 });
    // Already waiting: not queued twice.
    expect(await f.api.call('jobs-retry-failed', {})).toEqual({ queued: 0 });
    // Running: not queued beside it either.
    await finishEnrichments(() => 'keep running');
    expect(await f.api.call('jobs-counts', {})).toMatchObject({ running: 1, failed: 1 });
    expect(await f.api.call('jobs-retry-failed', { kind: 'enrich-item' })).toEqual({ queued: 0 });
  });

  it('refuses an unknown kind, and reports no outage before any provider call', async () => {
    f = await openDoor(door);
    await expect(f.api.call('jobs-retry-failed', { kind: 'explode' } as never)).rejects.toMatchObject({
      code: 'bad_request',
      field: 'kind',
    });
    expect(await f.api.call('provider-outages', {})).toEqual([]);
  });
});
