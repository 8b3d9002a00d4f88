import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type Engine } from '../main/core/engine.ts';
import { createLogger } from '../main/core/log.ts';
import { QueueStore } from '../main/core/jobs/queue-store.ts';
import { JobRunner } from '../main/core/jobs/runner.ts';
import { newToken, startHttpServer } from '../main/server/http-server.ts';
import { webhookRoute } from '../main/server/webhooks.ts';
import { PRIORITY } from '../main/core/jobs/kinds.ts';
import { startFakeProviders } from '../test/fakes/index.ts';
import { median, percentile, type Bench, type BenchRow } from './harness.ts';

const JOBS = 10_000;
const ITEMS = 100;
const SLICES = 20;
const UPGRADES = 15;

/**
 * Queue overhead: 10,000 jobs through the persistent queue (enqueued in one batch, claimed,
 * run by workers, recorded) against the same 10,000 job bodies called in a plain loop. The job
 * body is the smallest real one: one single-row write, as every step ends with. Then the
 * webhook-to-published latency of a Radarr upgrade whose art is in the cache.
 */
const bench: Bench = {
  name: 'queue',
  description: `${JOBS} one-write jobs through the queue vs called directly; Radarr upgrade webhook → art published again`,
  async run() {
    const rows: BenchRow[] = [];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-bench-queue-'));
    const engine = await createEngine({ dataDir: dir, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
    try {
      rows.push(...(await queueOverhead(engine)));
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
    rows.push(...(await webhookLatency()));
    return rows;
  },
};

async function queueOverhead(engine: Engine): Promise<BenchRow[]> {
  const s = engine.services;
  const now = s.clock.now();
  const lib = await s.db
    .insertInto('libraries')
    .values({ path: '/bench', kind: 'movies', name: 'bench', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await s.db
    .insertInto('items')
    .values(
      Array.from({ length: ITEMS }, (_, i) => ({
        library_id: lib.id,
        kind: 'movie' as const,
        folder: `/bench/m${i}`,
        basename: `m${i}`,
        layout: 'own-folder' as const,
        title: `Movie ${i}`,
        state: 'enriched' as const,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  const work = (n: number) =>
    s.db
      .updateTable('items')
      .set({ updated_at: n })
      .where('id', '=', (n % ITEMS) + 1)
      .execute();

  const store = new QueueStore(s.database);
  const runner = new JobRunner({
    store,
    clock: s.clock,
    log: s.log,
    events: s.events,
    specs: { bench: { scope: 'global', concurrency: 8, maxAttempts: 3, backoffMs: 1000 } },
    steps: { bench: async (ctx) => void (await work(ctx.job.id)) },
  });
  runner.start();

  // The machine is shared: both sides run in alternating slices so a burst of load elsewhere
  // hits them alike, and the medians of the slices are compared.
  const directTimes: number[] = [];
  const queueTimes: number[] = [];
  for (let slice = 0; slice < SLICES; slice++) {
    let t0 = performance.now();
    for (let n = 0; n < JOBS / SLICES; n++) await work(n);
    directTimes.push(performance.now() - t0);

    t0 = performance.now();
    const t = s.clock.now();
    await store.exclusive(() => {
      for (let n = 0; n < JOBS / SLICES; n++) {
        store.insert({ kind: 'bench', itemId: null, libraryId: null, payload: {}, coalesceKey: null, priority: 0, maxAttempts: 3, runAfter: t }, t);
      }
    });
    runner.wake('bench');
    await runner.idle();
    queueTimes.push(performance.now() - t0);
  }
  await runner.stop();
  const done = await s.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'done')
    .executeTakeFirstOrThrow();
  if (Number(done.n) !== JOBS) throw new Error(`Only ${done.n} of ${JOBS} jobs finished`);
  const d = median(directTimes) * SLICES;
  const q = median(queueTimes) * SLICES;
  // Each queue slice ran right after its direct slice, under the same load: compare in pairs.
  const ratio = median(queueTimes.map((qt, i) => qt / directTimes[i]!));
  return [
    { metric: `${JOBS} jobs called directly`, value: d, unit: 'ms' },
    { metric: `${JOBS} jobs through the queue`, value: q, unit: 'ms' },
    { metric: 'queue overhead per job', value: ((q - d) / JOBS) * 1000, unit: 'µs' },
    { metric: 'queue / direct (median of paired slices)', value: ratio, unit: '×', target: { op: '<=', value: 2 } },
  ];
}

/**
 * A Radarr upgrade of a movie whose art is in the cache: the old file and its basename-form art
 * vanish, the new file arrives, the Download webhook is POSTed; measured until the queue is idle
 * again with the art back under the new name. Real HTTP, real files, fake providers (which must
 * see no request at all).
 */
async function webhookLatency(): Promise<BenchRow[]> {
  const fakes = await startFakeProviders({ seed: 7, movieCount: 10 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'posterity-bench-webhook-'));
  const engine = await createEngine({
    dataDir: path.join(dir, 'data'),
    env: {
      POSTERITY_TMDB_API_URL: fakes.tmdbApiUrl,
      POSTERITY_TMDB_API_KEY: fakes.tmdbApiKey,
      POSTERITY_FANART_API_URL: fakes.fanartApiUrl,
      POSTERITY_FANART_API_KEY: fakes.fanartApiKey,
    },
    logger: createLogger({ consoleLevel: 'silent' }),
  });
  const s = engine.services;
  const server = await startHttpServer({ dispatch: engine.dispatch, events: s.events, log: s.log, token: newToken(), port: 0, routes: [webhookRoute(s)] });
  try {
    const movie = fakes.catalogue.movies.find((m) => m.posterPath !== null)!;
    const name = `${movie.title.replace(/[<>:"/\\|?*]/g, '')} (${movie.year})`;
    const movies = path.join(dir, 'movies');
    mkdirSync(path.join(movies, name), { recursive: true });
    let basename = `${name} Bluray-1080p`;
    writeFileSync(path.join(movies, name, `${basename}.mkv`), Buffer.alloc(4096, 1));
    writeFileSync(path.join(movies, name, `${basename}.nfo`), `<movie><uniqueid type="tmdb" default="true">${movie.tmdbId}</uniqueid></movie>`);
    const lib = await s.library.addLibrary({ path: movies });
    const folder = path.join(lib.path, name);
    await s.settings.set('automation.level', 'publish');
    await s.settings.set('paths.mappings', [{ from: '/movies', to: lib.path }]);
    for (const key of ['schedule.rescanHours', 'schedule.verifyHours', 'schedule.gcHours'] as const) await s.settings.set(key, 0);
    await s.jobs.start({ watch: false });
    await s.jobs.enqueue({ kind: 'scan-library', libraryId: lib.id, priority: PRIORITY.user });
    await s.jobs.idle();
    const artOf = (b: string) => readdirSync(folder).filter((n) => n.startsWith(`${b}-`));
    const artCount = artOf(basename).length;
    if (artCount === 0) throw new Error('The first publish wrote no art');
    const url = `${server.url}/webhooks/radarr?secret=${encodeURIComponent(await s.jobs.webhookSecret())}`;

    fakes.stats.reset();
    const times: number[] = [];
    for (let round = 0; round < UPGRADES; round++) {
      for (const n of [...artOf(basename), `${basename}.mkv`, `${basename}.nfo`]) rmSync(path.join(folder, n), { force: true });
      basename = `${name} Upgrade-${round}`;
      writeFileSync(path.join(folder, `${basename}.mkv`), Buffer.alloc(4096 + round, 2));
      const body = {
        eventType: 'Download',
        isUpgrade: true,
        movie: { id: 1, title: movie.title, year: movie.year, tmdbId: movie.tmdbId, folderPath: `/movies/${name}` },
        movieFile: { id: round + 2, relativePath: `${basename}.mkv`, path: `/movies/${name}/${basename}.mkv` },
      };
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 202) throw new Error(`Webhook answered ${res.status}`);
      await s.jobs.idle();
      times.push(performance.now() - t0);
      if (artOf(basename).length !== artCount) throw new Error(`Upgrade ${round}: art not restored`);
    }
    const requests = Object.values(fakes.stats.byHost).reduce((a, b) => a + b, 0);
    return [
      { metric: 'upgrade webhook → art published, median', value: median(times), unit: 'ms' },
      { metric: 'upgrade webhook → art published, p90', value: percentile(times, 90), unit: 'ms' },
      { metric: 'provider requests during upgrades', value: requests, unit: '', target: { op: '<=', value: 0 } },
    ];
  } finally {
    await server.close();
    await engine.close();
    await fakes.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default bench;
