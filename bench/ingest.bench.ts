import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { request } from 'undici';
import { createEngine } from '../main/core/engine.ts';
import { createLogger } from '../main/core/log.ts';
import { buildCatalogue } from '../test/fakes/catalogue.ts';
import { startFakeProviders } from '../test/fakes/index.ts';
import { renderPicture } from '../test/fakes/images.ts';
import { median, type Bench, type BenchRow } from './harness.ts';

/**
 * 300 fake-catalogue images and 40 photographic ones keep a run (3 rounds × 2 sets × floor and
 * two ingests × 1 and 2 workers) under about three minutes on two cores; every timed pass still
 * takes seconds, so the ratios are as steady as with the 500.
 */
const COUNT = Number(process.env.BENCH_IMAGES ?? 300);
/** Photographic images are slow to make; fewer of them tell the same story. */
const PHOTO_COUNT = Number(process.env.BENCH_PHOTOS ?? 40);
/** Downloads in flight at once, as a job runner would drive them; decoding is bounded by the pool. */
const DOWNLOADS_IN_FLIGHT = 8;
const WORKERS = [1, 2] as const;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Sample {
  ms: number;
  /** CPU time of the whole process (every thread), less sensitive than wall time to a busy machine. */
  cpuMs: number;
}

interface ImageSet {
  name: string;
  urls: string[];
  bodies: Buffer[];
}

/** Runs `task` over `items` with at most `concurrency` at once. */
async function each<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

const started = performance.now();
/** Where the run is, on stderr: the table on stdout stays the result. */
function note(what: string): void {
  process.stderr.write(`  [${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${what}\n`);
}

async function measure(fn: () => Promise<unknown>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * The least work that proves a body is one whole image: its SHA-256 and one decode at reduced
 * scale (JPEG/WebP shrink-on-load; PNG has none), nothing written anywhere.
 */
async function floor(body: Buffer): Promise<void> {
  createHash('sha256').update(body).digest('hex');
  await sharp(body, { failOn: 'error' }).resize(256, 256, { fit: 'inside' }).raw().toBuffer();
}

const SEED = 7;
const MOVIES = 60;

/** What the image-serving child process prints when it is ready. */
interface Hosts {
  tmdbImageBaseUrl: string;
  fanartAssetUrl: string;
  photoBaseUrl: string;
}

/** The fake catalogue's images: TMDB originals (posters, backdrops up to 4K) and Fanart.tv art (JPEG and PNG). */
function fakeCatalogueUrls(hosts: Hosts): string[] {
  const catalogue = buildCatalogue({ seed: SEED, movieCount: MOVIES, fanartAssetOrigin: hosts.fanartAssetUrl });
  const tmdb = catalogue.movies.flatMap((m) =>
    [...m.tmdbImages.posters, ...m.tmdbImages.backdrops].map((i) => `${hosts.tmdbImageBaseUrl}original${i.file_path}`),
  );
  const fanart = catalogue.movies.flatMap((m) => m.fanartImages.map((i) => i.url));
  const urls = [...new Set(interleave(tmdb, fanart))].slice(0, COUNT);
  if (urls.length < COUNT) throw new Error(`The fake catalogue has only ${urls.length} images`);
  return urls;
}

/**
 * Fetches every image once. For the fakes this is also the warm-up: they render each picture
 * once and serve it from memory afterwards, so the timed runs measure the cache, not the fake.
 * The bodies feed the floor.
 */
async function fetchSet(name: string, urls: string[]): Promise<ImageSet> {
  const bodies: Buffer[] = new Array(urls.length);
  await each([...urls.keys()], 2, async (i) => {
    const res = await request(urls[i]!);
    if (res.statusCode !== 200) throw new Error(`${urls[i]}: HTTP ${res.statusCode}`);
    bodies[i] = Buffer.from(await res.body.arrayBuffer());
  });
  return { name, urls, bodies };
}

/**
 * The fakes draw smooth shapes that compress to ~90 KB and decode in a few ms, so per-image
 * costs (HTTP, SQLite, fsync) weigh far more than with real artwork. This set adds film grain to
 * fake posters: 2000×3000 JPEGs of about half a megabyte whose decode dominates, like the
 * photographic poster the design's cost figures were measured on.
 */
async function photographicImages(): Promise<Buffer[]> {
  const bodies: Buffer[] = [];
  // One grain layer for all: the posters under it differ, so every body (and its hash) does too,
  // and making the set takes seconds instead of a minute.
  const grain = await sharp(randomBytes(1000 * 1500 * 3), { raw: { width: 1000, height: 1500, channels: 3 } })
    .linear(0.15, 108)
    .resize(2000, 3000)
    .blur(0.6)
    .png({ compressionLevel: 0 })
    .toBuffer();
  for (let i = 0; i < PHOTO_COUNT; i++) {
    const base = await renderPicture(`poster.n.${(0xb0000 + i).toString(16).padStart(12, '0')}`, 2000, 3000, 'jpeg');
    bodies.push(
      await sharp(base)
        .composite([{ input: grain, blend: 'soft-light' }])
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }
  return bodies;
}

/**
 * The image hosts run in a child process (this file, started with SERVE_ENV set), as real
 * servers are elsewhere: their CPU is not counted as the cache's, only the cores are shared.
 */
async function serveImages(): Promise<void> {
  const fakes = await startFakeProviders({ seed: SEED, movieCount: MOVIES });
  const photos = await photographicImages();
  const server = createServer((req, res) => {
    const body = photos[Number(/\/photo\/(\d+)\.jpg$/.exec(req.url ?? '')?.[1])];
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hosts: Hosts = {
    tmdbImageBaseUrl: fakes.tmdbImageBaseUrl,
    fanartAssetUrl: fakes.fanartAssetUrl,
    photoBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/photo/`,
  };
  process.stdout.write(`${JSON.stringify(hosts)}\n`);
  // Until the parent ends us (or goes away).
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

async function startImageHosts(): Promise<{ hosts: Hosts; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, [SERVE_ENV]: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The image hosts exited (${code})`)));
  });
  return { hosts: JSON.parse(line) as Hosts, child };
}

async function measureSet(set: ImageSet, root: string): Promise<BenchRow[]> {
  const ingestRun = async (workers: number, thumbnails: boolean): Promise<Sample> => {
    const dataDir = path.join(root, `w${workers}-${thumbnails ? 'thumbs' : 'plain'}`);
    const engine = await createEngine({ dataDir, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
    try {
      await engine.services.settings.set('cache.decodeWorkers', workers);
      const cache = engine.services.cache;
      return await measure(() =>
        each(set.urls, DOWNLOADS_IN_FLIGHT, (url) =>
          cache.ingestUrl(url, { provider: url.includes('/fanart/') ? 'fanart' : 'tmdb', area: 'assets', thumbnails }),
        ),
      );
    } finally {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  await each(set.bodies.slice(0, 10), 2, floor); // warm sharp up
  // The machine is shared, so each round measures the floor and the ingests back to back and
  // ratios are taken per round, then the median over rounds: a busy moment hits both sides.
  const samples = new Map<string, Sample[]>();
  const add = (key: string, sample: Sample) => samples.set(key, [...(samples.get(key) ?? []), sample]);
  for (let round = 0; round < ROUNDS; round++) {
    note(`${set.name}: round ${round + 1} of ${ROUNDS}`);
    for (const workers of WORKERS) {
      add(`floor ${workers}`, await measure(() => each(set.bodies, workers, floor)));
      for (const thumbnails of [false, true])
        add(`ingest ${workers} ${thumbnails}`, await ingestRun(workers, thumbnails));
    }
  }

  const count = set.urls.length;
  const megabytes = set.bodies.reduce((n, b) => n + b.length, 0) / 1024 / 1024;
  const wall = (key: string) => median(samples.get(key)!.map((x) => x.ms));
  const ratio = (a: string, b: string, of: keyof Sample) =>
    median(samples.get(a)!.map((x, i) => x[of] / samples.get(b)![i]![of]));
  // Best of rounds on both sides: the least disturbed run of each, a check on the median.
  const best = (a: string, b: string) =>
    Math.min(...samples.get(a)!.map((x) => x.ms)) / Math.min(...samples.get(b)!.map((x) => x.ms));
  const rows: BenchRow[] = [
    { metric: `${set.name}: images`, value: count, unit: 'files' },
    { metric: `${set.name}: average size`, value: (megabytes * 1024) / count, unit: 'KB' },
  ];
  for (const workers of WORKERS) {
    const w = `${workers} worker${workers > 1 ? 's' : ''}`;
    const floorKey = `floor ${workers}`;
    rows.push({ metric: `${set.name}: floor, ${w}`, value: (count * 1000) / wall(floorKey), unit: 'images/s' });
    for (const thumbnails of [false, true]) {
      const key = `ingest ${workers} ${thumbnails}`;
      const label = `${set.name}: ingest ${thumbnails ? 'with' : 'without'} thumbnails, ${w}`;
      rows.push({ metric: label, value: (count * 1000) / wall(key), unit: 'images/s' });
      rows.push({ metric: label, value: (megabytes * 1000) / wall(key), unit: 'MB/s' });
      rows.push({
        metric: `${label} / floor (time)`,
        value: ratio(key, floorKey, 'ms'),
        unit: '×',
        target: { op: '<=', value: thumbnails ? 2 : 1.3 },
      });
      rows.push({ metric: `${label} / floor (time, best of rounds)`, value: best(key, floorKey), unit: '×' });
      rows.push({ metric: `${label} / floor (CPU)`, value: ratio(key, floorKey, 'cpuMs'), unit: '×' });
    }
  }
  for (const thumbnails of [false, true]) {
    rows.push({
      metric: `${set.name}: ingest ${thumbnails ? 'with' : 'without'} thumbnails, 2 workers vs 1`,
      value: ratio(`ingest 1 ${thumbnails}`, `ingest 2 ${thumbnails}`, 'ms'),
      unit: '× faster',
    });
  }
  return rows;
}

/**
 * Ingest cost against its floor, for the same bytes in the same run: `ingestUrl` (download,
 * hash, validate, perceptual hash, fsync + rename, database; with and without thumbnails) with 1
 * and 2 decode workers, on the fake catalogue's images and on photographic ones.
 */
const bench: Bench = {
  name: 'ingest',
  description:
    `${COUNT} fake-catalogue and ${PHOTO_COUNT} photographic images through ingestUrl vs sha256 + one ` +
    `reduced-scale decode of the same bytes (median of ${ROUNDS} rounds; BENCH_ROUNDS, BENCH_IMAGES, BENCH_PHOTOS)`,
  async run() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'posterity-bench-ingest-'));
    const load = () => os.loadavg()[0]!;
    const loadBefore = load();
    note('starting the image hosts');
    const { hosts, child } = await startImageHosts();
    try {
      note('fetching the images once (the fakes render them)');
      const fakeSet = await fetchSet('fake catalogue', fakeCatalogueUrls(hosts));
      const photoSet = await fetchSet(
        'photographic',
        Array.from({ length: PHOTO_COUNT }, (_, i) => `${hosts.photoBaseUrl}${i}.jpg`),
      );
      const rows = [...(await measureSet(fakeSet, root)), ...(await measureSet(photoSet, root))];
      note('done');
      // Someone else's work on the same cores shows here; the ratios are per round for that reason.
      rows.push({ metric: 'load average (1 min) before', value: loadBefore, unit: '' });
      rows.push({ metric: 'load average (1 min) after', value: load(), unit: '' });
      return rows;
    } finally {
      child.kill();
      rmSync(root, { recursive: true, force: true });
    }
  },
};

function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out;
}

export default bench;

const SERVE_ENV = 'POSTERITY_INGEST_BENCH_SERVE';
if (process.env[SERVE_ENV]) await serveImages();
