import { renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PRIORITY } from '../../main/core/jobs/kinds.ts';
import { QUICK_ENRICH_TRIES } from '../../main/core/jobs/steps.ts';
import { radarrAbout, renamedFile, type RadarrMovie } from '../fixtures/arr/load.ts';
import { automationFixture, type AutomationFixture, type MovieOnDisk } from './jobs-fixture.ts';

let f: AutomationFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

const artOf = (files: string[], basename: string) => files.filter((n) => n.startsWith(`${basename}-`));

const asRadarr = (m: MovieOnDisk): RadarrMovie => ({ ...m.movie, name: m.name, basename: m.basename });

/** Provider requests once none is in flight any more (a request sent at the end of a job lands a moment later). */
async function quiet(fx: AutomationFixture): Promise<number> {
  let last = -1;
  for (let still = 0; still < 3;) {
    await new Promise((r) => setTimeout(r, 50));
    const n = fx.providerRequests();
    still = n === last && Object.values(fx.fakes.stats.inFlight).every((v) => v === 0) ? still + 1 : 0;
    last = n;
  }
  return last;
}

async function runPipeline(fx: AutomationFixture) {
  await fx.s.jobs.start({ watch: false });
  await fx.s.jobs.enqueue({ kind: 'scan-library', libraryId: fx.libraryId, priority: PRIORITY.user });
  await fx.s.jobs.idle();
}

describe('automation for monitored movies', () => {
  it('takes a new movie from scan to published art by itself, one job per step', async () => {
    f = await automationFixture({ movies: 2 });
    await runPipeline(f);
    const jobs = await f.client.call('jobs-list', {});
    expect(jobs.filter((j) => j.state !== 'done')).toEqual([]);
    const kinds = jobs.map((j) => j.kind).sort();
    expect(kinds).toEqual(
      ['scan-library', ...['enrich-item', 'autoselect-item', 'download', 'publish-item'].flatMap((k) => [k, k])].sort(),
    );
    for (const m of f.movies) {
      const art = artOf(f.files(m.folder), m.basename);
      expect(art.some((n) => /-poster\.(jpg|png|webp)$/.test(n))).toBe(true);
    }
  });

  it('stops where automation.level says and leaves unmonitored movies alone', async () => {
    f = await automationFixture({ movies: 3, level: 'autoselect' });
    await f.s.library.scanLibrary(f.libraryId);
    const [a, b, c] = await Promise.all(f.movies.map((m) => f!.itemIdOf(m.folder)));
    await f.s.db.updateTable('items').set({ monitored: 0 }).where('id', '=', c!).execute();
    await runPipeline(f);
    const jobs = await f.client.call('jobs-list', {});
    const about = (id: number) =>
      jobs
        .filter((j) => j.itemId === id)
        .map((j) => j.kind)
        .sort();
    expect(about(a!)).toEqual(['autoselect-item', 'download', 'enrich-item']);
    expect(about(b!)).toEqual(['autoselect-item', 'download', 'enrich-item']);
    expect(about(c!)).toEqual([]);
    // Chosen and in the cache, but nothing written into the library.
    const slots = await f.s.db.selectFrom('slots').select(['item_id', 'blob_sha']).where('item_id', '=', a!).execute();
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((sl) => sl.blob_sha !== null)).toBe(true);
    expect(artOf(f.files(f.movies[0]!.folder), f.movies[0]!.basename)).toEqual([]);
  });
});

describe('a published picture deleted from the folder', () => {
  it('is put back after the rescan the watcher asks for, when publishing is automatic', async () => {
    f = await automationFixture({ movies: 1 });
    await runPipeline(f);
    const m = f.movies[0]!;
    const poster = artOf(f.files(m.folder), m.basename).find((n) => /-poster\./.test(n))!;
    unlinkSync(path.join(m.folder, poster));
    // What the watcher queues for the deletion.
    await f.s.jobs.enqueue({ kind: 'scan-folder', payload: { folder: m.folder, reason: 'watcher: changed' } });
    await f.s.jobs.idle();
    expect(f.files(m.folder)).toContain(poster);
  });

  it('stays deleted until the next check when publishing is not automatic', async () => {
    f = await automationFixture({ movies: 1 });
    await runPipeline(f);
    await f.s.settings.set('automation.level', 'autoselect');
    const m = f.movies[0]!;
    const poster = artOf(f.files(m.folder), m.basename).find((n) => /-poster\./.test(n))!;
    unlinkSync(path.join(m.folder, poster));
    await f.s.jobs.enqueue({ kind: 'scan-folder', payload: { folder: m.folder, reason: 'watcher: changed' } });
    await f.s.jobs.idle();
    expect(f.files(m.folder)).not.toContain(poster);
  });
});

describe('cancelling a running step', () => {
  it('ends its chain, also when the cancel comes from another process (the CLI beside a daemon)', async () => {
    f = await automationFixture({ movies: 1 });
    await f.s.library.scanLibrary(f.libraryId);
    const id = await f.itemIdOf(f.movies[0]!.folder);
    f.fakes.setLatency(1500);
    await f.s.jobs.start({ watch: false });
    const job = await f.s.jobs.enqueue({
      kind: 'enrich-item',
      itemId: id,
      payload: { chain: true },
      priority: PRIORITY.user,
    });
    const fx = f;
    await expect.poll(async () => (await fx.s.jobs.get(job))?.state, { timeout: 10_000 }).toBe('running');
    // What `posterity jobs cancel` does in a process that does not run the job: mark the row.
    await f.s.db.updateTable('jobs').set({ state: 'cancelled', message: 'Cancelled' }).where('id', '=', job).execute();
    await f.s.jobs.idle();
    const jobs = await f.client.call('jobs-list', {});
    expect(jobs.map((j) => [j.kind, j.state])).toEqual([['enrich-item', 'cancelled']]);
  });
});

describe('a provider down', () => {
  /** Lets the scheduler and the job backoff see `minutes` pass, a minute at a time. */
  const minutesPass = async (fx: AutomationFixture, minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      fx.clock.advance(60_000);
      await fx.s.jobs.tick();
      fx.s.jobs.wake();
      await fx.s.jobs.idle();
    }
  };

  it('for a moment: the next quick try goes through, with no hour lost', async () => {
    f = await automationFixture({ movies: 1 });
    await f.s.settings.set('providers.maxRetries', 0);
    f.fakes.faults.add({ host: 'tmdb', kind: 'status', status: 503, times: 1 });
    await runPipeline(f);
    const [first] = await f.client.call('jobs-list', { kind: 'enrich-item' });
    expect(first).toMatchObject({ state: 'queued', attempts: 1 });
    expect(first!.error).toMatch(/TMDB|503|unavailable/i);
    await minutesPass(f, 3);
    const kinds = (await f.client.call('jobs-list', {})).filter((j) => j.state === 'done').map((j) => j.kind);
    expect(kinds).toContain('publish-item');
  });

  it('for hours: a few quick tries, then the enrichment ends failed and comes back when the enrich domain said, not in a loop', async () => {
    f = await automationFixture({ movies: 1 });
    await f.s.settings.set('providers.maxRetries', 0);
    const outage = f.fakes.faults.add({ host: 'tmdb', kind: 'status', status: 503 });
    await runPipeline(f);
    await minutesPass(f, 10);
    const [enrich] = await f.client.call('jobs-list', { kind: 'enrich-item' });
    expect(enrich).toMatchObject({ state: 'failed', attempts: QUICK_ENRICH_TRIES });
    expect(enrich!.error).toMatch(/TMDB|503|unavailable/i);
    const item = await f.s.db
      .selectFrom('items')
      .select(['enrich_after', 'enriched_at'])
      .where('id', '=', enrich!.itemId!)
      .executeTakeFirstOrThrow();
    expect(item.enriched_at).toBeNull();
    expect(item.enrich_after).toBeGreaterThan(f.clock.now());

    // Minutes pass (the scheduler ticks every minute): no new try, no request.
    const asked = await quiet(f);
    await minutesPass(f, 30);
    expect(f.providerRequests()).toBe(asked);
    expect(await f.client.call('jobs-list', { kind: 'enrich-item' })).toHaveLength(1);

    // Hours later TMDB is back and the movie goes all the way through.
    outage.remove();
    f.clock.set(item.enrich_after! + 60 * 60_000);
    await f.s.jobs.tick();
    await f.s.jobs.idle();
    const kinds = (await f.client.call('jobs-list', {})).filter((j) => j.state === 'done').map((j) => j.kind);
    expect(kinds).toContain('publish-item');
  });
});

describe('Radarr events handled in process', () => {
  it('brings the art back from the cache after an upgrade, without a single provider request', async () => {
    f = await automationFixture({ movies: 1 });
    await f.s.settings.set('paths.mappings', [{ from: '/movies', to: f.root }]);
    await runPipeline(f);
    const m = f.movies[0]!;
    const before = artOf(f.files(m.folder), m.basename);
    expect(before.length).toBeGreaterThan(0);

    // Radarr's upgrade: the old file and every basename-form extra go, the new file arrives.
    await quiet(f);
    f.fakes.stats.reset();
    for (const n of [...before, `${m.basename}.mkv`, `${m.basename}.nfo`])
      rmSync(path.join(m.folder, n), { force: true });
    const upgraded: MovieOnDisk = { ...m, basename: `${m.name} Bluray-2160p` };
    writeFileSync(path.join(m.folder, `${upgraded.basename}.mkv`), Buffer.alloc(8192, 9));
    const outcome = await f.s.jobs.handleWebhook('radarr', radarrAbout('radarr-download-upgrade', asRadarr(upgraded)));
    expect(outcome.status).toBe('queued');
    await f.s.jobs.idle();

    const after = artOf(f.files(m.folder), upgraded.basename);
    expect(after.map((n) => n.slice(upgraded.basename.length)).sort()).toEqual(
      before.map((n) => n.slice(m.basename.length)).sort(),
    );
    expect(f.providerRequests()).toBe(0);
  });

  it('makes the art follow a rename, renamed in place (nothing to the recycle bin)', async () => {
    f = await automationFixture({ movies: 1 });
    await f.s.settings.set('paths.mappings', [{ from: '/movies', to: f.root }]);
    await runPipeline(f);
    const m = f.movies[0]!;
    const before = artOf(f.files(m.folder), m.basename);
    const inodes = before.map((n) => statSync(path.join(m.folder, n)).ino).sort();
    await quiet(f);
    f.fakes.stats.reset();
    const renamed: MovieOnDisk = { ...m, basename: `${m.name} {tmdb-${m.movie.tmdbId}} [Bluray-1080p]` };
    renameSync(path.join(m.folder, `${m.basename}.mkv`), path.join(m.folder, `${renamed.basename}.mkv`));
    unlinkSync(path.join(m.folder, `${m.basename}.nfo`));
    const body = radarrAbout('radarr-rename', asRadarr(renamed), (b) =>
      renamedFile(b, m.name, m.basename, renamed.basename),
    );
    expect((await f.s.jobs.handleWebhook('radarr', body)).status).toBe('queued');
    await f.s.jobs.idle();
    const files = f.files(m.folder);
    expect(artOf(files, renamed.basename).length).toBe(before.length);
    expect(artOf(files, m.basename)).toEqual([]);
    const recycled = (await f.s.cache.recycle.list()).map((r) => path.basename(r.original_path));
    // Our own files were renamed, not copied: the same inodes under the new names, none recycled.
    expect(artOf(files, renamed.basename).map((n) => statSync(path.join(m.folder, n)).ino).sort()).toEqual(inodes);
    expect(recycled.filter((n) => before.includes(n))).toEqual([]);
    expect(f.providerRequests()).toBe(0);
  });
});
