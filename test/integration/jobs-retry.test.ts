import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../shared/api/events.ts';
import { PRIORITY } from '../../main/core/jobs/kinds.ts';
import { runCli } from '../helpers/engine.ts';
import { automationFixture, type AutomationFixture } from './jobs-fixture.ts';

/*
 * An enrichment run while TMDB is down, with the real engine, a real SQLite file and the fake
 * TMDB/Fanart.tv servers failing on purpose: what the failed count says, what "Retry failed"
 * queues, and how the outage is reported and forgotten.
 */

let f: AutomationFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

/** The scheduler and the job backoff see `minutes` pass, a minute at a time. */
async function minutesPass(fx: AutomationFixture, minutes: number) {
  for (let i = 0; i < minutes; i++) {
    fx.clock.advance(60_000);
    await fx.s.jobs.tick();
    fx.s.jobs.wake();
    await fx.s.jobs.idle();
  }
}

/** Scans the library and lets enrichment run until each try has been made. */
async function enrichThroughOutage(fx: AutomationFixture) {
  await fx.s.settings.set('providers.maxRetries', 0);
  await fx.s.jobs.start({ watch: false });
  await fx.s.jobs.enqueue({ kind: 'scan-library', libraryId: fx.libraryId, priority: PRIORITY.user });
  await fx.s.jobs.idle();
  await minutesPass(fx, 10);
}

describe('failed jobs after a provider outage', () => {
  it('counts a failure only while its work is undone, and keeps every failure in the history', async () => {
    f = await automationFixture({ movies: 2, level: 'candidates' });
    const [a, b] = f.movies;
    // Only the first movie's details fail: the second one's success must not hide that failure.
    f.fakes.faults.add({ host: 'tmdb', kind: 'status', status: 503, pathIncludes: `/movie/${a!.movie.tmdbId}?` });
    await enrichThroughOutage(f);
    const itemA = await f.itemIdOf(a!.folder);
    const itemB = await f.itemIdOf(b!.folder);
    const enrich = await f.client.call('jobs-list', { kind: 'enrich-item' });
    expect(enrich.filter((j) => j.itemId === itemA).map((j) => j.state)).toEqual(['failed']);
    expect(enrich.filter((j) => j.itemId === itemB).map((j) => j.state)).toEqual(['done']);
    expect(await f.client.call('jobs-counts', {})).toMatchObject({ failed: 1 });

    // The same work failing again (TMDB still down) is still one piece of failed work.
    await f.client.call('jobs-retry-failed', {});
    await f.s.jobs.idle();
    await minutesPass(f, 10);
    expect((await f.client.call('jobs-list', { state: 'failed' })).length).toBe(2);
    expect(await f.client.call('jobs-counts', {})).toMatchObject({ failed: 1 });

    // TMDB is back: a later successful job for the same movie settles it.
    f.fakes.faults.clear();
    expect(await f.client.call('jobs-retry-failed', {})).toEqual({ queued: 1 });
    await f.s.jobs.idle();
    const after = await f.client.call('jobs-list', { kind: 'enrich-item', itemId: itemA });
    expect(after.map((j) => j.state)).toEqual(['done', 'failed', 'failed']);
    expect(await f.client.call('jobs-counts', {})).toMatchObject({ failed: 0 });
    // The history keeps both failures.
    expect((await f.client.call('jobs-list', { state: 'failed' })).map((j) => j.itemId)).toEqual([itemA, itemA]);
  }, 60_000);

  it('queues each failed piece of work once, not again while it waits or runs, and by kind on request', async () => {
    f = await automationFixture({ movies: 3, level: 'candidates' });
    const outage = f.fakes.faults.add({ host: 'tmdb', kind: 'status', status: 503 });
    await enrichThroughOutage(f);
    expect(await f.client.call('jobs-counts', {})).toMatchObject({ failed: 3 });
    // Nothing runs them yet, as when the workers are busy elsewhere.
    await f.s.jobs.stop({ requeue: true, graceMs: 0 });

    expect(await f.client.call('jobs-retry-failed', { kind: 'download' })).toEqual({ queued: 0 });
    const events: EngineEvent[] = [];
    const off = f.s.events.on((e) => events.push(e));
    expect(await f.client.call('jobs-retry-failed', { kind: 'enrich-item' })).toEqual({ queued: 3 });
    off();
    // One event for the whole batch.
    expect(events.filter((e) => e.type === 'jobs-changed')).toHaveLength(1);
    // Asking again while they wait adds nothing.
    expect(await f.client.call('jobs-retry-failed', {})).toEqual({ queued: 0 });
    const queued = await f.client.call('jobs-list', { state: 'queued', kind: 'enrich-item' });
    expect(queued).toHaveLength(3);
    expect(new Set(queued.map((j) => j.itemId)).size).toBe(3);
    for (const j of queued) expect(j).toMatchObject({ priority: PRIORITY.user, attempts: 0 });
    const failedIds = (await f.client.call('jobs-list', { state: 'failed' })).map((j) => j.id);
    expect(queued.map((j) => j.payload.retryOf).sort()).toEqual([...failedIds].sort());

    // With TMDB back they all go through, and nothing is left to retry or count.
    outage.remove();
    await f.s.jobs.start({ watch: false });
    await f.s.jobs.idle();
    expect(await f.client.call('jobs-counts', {})).toMatchObject({ failed: 0, queued: 0 });
    expect(await f.client.call('jobs-retry-failed', {})).toEqual({ queued: 0 });
  }, 60_000);

  it('jobs retry --failed [--kind K] on the command line', async () => {
    f = await automationFixture({ movies: 2, level: 'candidates' });
    f.fakes.faults.add({ host: 'tmdb', kind: 'status', status: 503 });
    await enrichThroughOutage(f);
    await f.s.jobs.stop({ requeue: true, graceMs: 0 });
    const engine = f.engine;

    expect((await runCli(engine, ['jobs', 'retry'])).code).toBe(2);
    expect((await runCli(engine, ['jobs', 'retry', '--failed', '--kind', 'nonsense'])).code).toBe(2);
    expect(await runCli(engine, ['jobs', 'retry', '--failed', '--kind', 'publish-item'])).toMatchObject({
      code: 0,
      stdout: 'No failed job to retry (publish-item): none failed, or their work is done, waiting or running.\n',
    });
    expect(await runCli(engine, ['jobs', 'retry', '--failed'])).toMatchObject({
      code: 0,
      stdout: 'Queued 2 failed jobs again.\n',
    });
    const again = await runCli(engine, ['--json', 'jobs', 'retry', '--failed']);
    expect(JSON.parse(again.stdout)).toEqual({ queued: 0 });
  }, 60_000);
});

describe('provider outages', () => {
  it('names the provider and the reason while its calls fail, and forgets it when they work again', async () => {
    f = await automationFixture({ movies: 1, level: 'candidates' });
    const events: EngineEvent[] = [];
    f.s.events.on((e) => {
      if (e.type === 'provider-outages') events.push(e);
    });
    const down = f.fakes.faults.add({ host: 'tmdb', kind: 'status', status: 503 });
    const start = f.clock.now();
    await enrichThroughOutage(f);
    const outages = await f.client.call('provider-outages', {});
    expect(outages).toEqual([
      { provider: 'tmdb', label: 'TMDB', reason: 'unreachable', since: start, detail: 'HTTP 503' },
    ]);
    // One event when it began, not one per failed call.
    expect(events).toHaveLength(1);

    down.remove();
    await f.client.call('jobs-retry-failed', {});
    await f.s.jobs.idle();
    expect(await f.client.call('provider-outages', {})).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'provider-outages', outages: [] });

    // A refused key is its own reason, told apart from a service that is down.
    f.fakes.faults.add({ host: 'fanart', kind: 'status', status: 401 });
    await f.client.call('jobs-enqueue', {
      kind: 'enrich-item',
      itemIds: [await f.itemIdOf(f.movies[0]!.folder)],
      force: true,
    });
    await f.s.jobs.idle();
    expect(await f.client.call('provider-outages', {})).toMatchObject([
      { provider: 'fanart', label: 'Fanart.tv', reason: 'auth' },
    ]);
  }, 60_000);

  it('a connection refused counts as unreachable; a key typed in Settings to try does not count at all', async () => {
    f = await automationFixture({ movies: 1, level: 'candidates' });
    await f.s.settings.set('providers.maxRetries', 0);
    await f.client.call('providers-test', { provider: 'tmdb', key: 'not-a-real-key' });
    expect(await f.client.call('provider-outages', {})).toEqual([]);

    // Nothing listens at the fake's port any more.
    await f.fakes.close();
    const test = await f.client.call('providers-test', { provider: 'tmdb' });
    expect(test.ok).toBe(false);
    const [outage] = await f.client.call('provider-outages', {});
    expect(outage).toMatchObject({ provider: 'tmdb', reason: 'unreachable' });
    expect(outage!.detail).toMatch(/ECONNREFUSED|refused|connect/i);
  }, 60_000);
});
