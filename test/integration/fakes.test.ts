import { createHash } from 'node:crypto';
import { bmvbhash } from 'blockhash-core';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalogue } from '../fakes/catalogue.ts';
import {
  BOMB_HEIGHT,
  BOMB_WIDTH,
  bombPng,
  startFakeProviders,
  type FakeMovie,
  type FakeProviders,
} from '../fakes/index.ts';

let fakes: FakeProviders;

beforeAll(async () => {
  fakes = await startFakeProviders({ seed: 7, movieCount: 60 });
});

afterAll(async () => {
  await fakes?.close();
});

beforeEach(() => {
  fakes.faults.clear();
  fakes.setRateLimit('tmdb', null);
  fakes.setRateLimit('fanart', null);
  fakes.setLatency(0);
});

const tmdb = (
  path: string,
  params: Record<string, string> = {},
  key: string | null = fakes.tmdbApiKey,
): Promise<Response> => {
  const url = new URL(`${fakes.tmdbApiUrl}${path}`);
  if (key !== null) url.searchParams.set('api_key', key);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return fetch(url);
};

const fanart = (path: string, key: string | null = fakes.fanartApiKey, version = 'v3'): Promise<Response> => {
  const url = new URL(`${fakes.fanartApiUrl.replace(/v3$/, version)}${path}`);
  if (key !== null) url.searchParams.set('api_key', key);
  return fetch(url);
};

async function body<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function bytesOf(url: string): Promise<{ res: Response; buf: Buffer }> {
  const res = await fetch(url);
  return { res, buf: Buffer.from(await res.arrayBuffer()) };
}

async function phash(buf: Buffer): Promise<string> {
  const { data, info } = await sharp(buf)
    .resize(128, 128, { fit: 'fill' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return bmvbhash({ width: info.width, height: info.height, data }, 16);
}

function hamming(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i] ?? '0', 16) ^ parseInt(b[i] ?? '0', 16);
    while (x) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const movieWhere = (pred: (m: FakeMovie) => boolean): FakeMovie => {
  const m = fakes.catalogue.movies.find(pred);
  if (!m) throw new Error('no movie in the catalogue matches');
  return m;
};

describe('catalogue', () => {
  it('is deterministic from the seed and stable when the catalogue grows', () => {
    const strip = (c: ReturnType<typeof buildCatalogue>): string => JSON.stringify(c.movies);
    expect(strip(buildCatalogue({ seed: 3, movieCount: 20 }))).toBe(strip(buildCatalogue({ seed: 3, movieCount: 20 })));
    expect(strip(buildCatalogue({ seed: 3, movieCount: 20 }))).not.toBe(
      strip(buildCatalogue({ seed: 4, movieCount: 20 })),
    );
    const small = buildCatalogue({ seed: 3, movieCount: 10 });
    const big = buildCatalogue({ seed: 3, movieCount: 40 });
    expect(JSON.stringify(big.movies.slice(0, 10))).toBe(JSON.stringify(small.movies));
  });

  it('has the awkward titles and unique ids', () => {
    const titles = fakes.catalogue.movies.map((m) => m.title);
    expect(titles).toContain("Amélie's Garden");
    expect(titles.filter((t) => t === 'The Long Night')).toHaveLength(2);
    expect(fakes.catalogue.movies.some((m) => m.originalTitle !== m.title)).toBe(true);
    expect(new Set(fakes.catalogue.movies.map((m) => m.tmdbId)).size).toBe(60);
    expect(fakes.catalogue.movies.every((m) => /^tt\d{7}$/.test(m.imdbId))).toBe(true);
    expect(fakes.catalogue.movies.some((m) => m.tmdbImages.posters.length === 0)).toBe(true);
  });
});

describe('TMDB API', () => {
  it('rejects missing or wrong keys with code 7 and accepts the key or the Bearer token', async () => {
    for (const res of [await tmdb('/configuration', {}, null), await tmdb('/configuration', {}, 'wrong')]) {
      expect(res.status).toBe(401);
      expect(await body(res)).toEqual({
        success: false,
        status_code: 7,
        status_message: 'Invalid API key: You must be granted a valid key.',
      });
    }
    expect((await tmdb('/configuration')).status).toBe(200);
    const bearer = await fetch(`${fakes.tmdbApiUrl}/configuration`, {
      headers: { authorization: `Bearer ${fakes.tmdbBearerToken}` },
    });
    expect(bearer.status).toBe(200);
    const config = await body<{ images: { secure_base_url: string; poster_sizes: string[] } }>(bearer);
    expect(config.images.secure_base_url).toBe(fakes.tmdbImageBaseUrl);
    expect(config.images.poster_sizes).toContain('w342');
  });

  it('answers unknown ids and paths with 404 code 34', async () => {
    for (const res of [
      await tmdb('/movie/999999999'),
      await tmdb('/movie/1/nonsense'),
      await tmdb('/tv/upcoming/whatever'),
    ]) {
      expect(res.status).toBe(404);
      expect(await body(res)).toEqual({
        success: false,
        status_code: 34,
        status_message: 'The resource you requested could not be found.',
      });
    }
  });

  it('searches accent- and case-insensitively, by original title, with year filters and paging', async () => {
    const amelie = await body<{ results: Array<{ title: string; original_title: string }>; total_results: number }>(
      await tmdb('/search/movie', { query: 'AMELIE' }),
    );
    expect(amelie.results.map((r) => r.title)).toContain("Amélie's Garden");
    const byOriginal = await body<{ results: Array<{ title: string }> }>(
      await tmdb('/search/movie', { query: '灯籠' }),
    );
    expect(byOriginal.results.map((r) => r.title)).toEqual(['Spirit of the Lantern']);

    const both = await body<{ results: Array<{ release_date: string }> }>(
      await tmdb('/search/movie', { query: 'the long night' }),
    );
    expect(both.results.length).toBeGreaterThanOrEqual(2);
    const remake = await body<{ results: Array<{ release_date: string }> }>(
      await tmdb('/search/movie', { query: 'the long night', primary_release_year: '2019' }),
    );
    expect(remake.results.map((r) => r.release_date.slice(0, 4))).toEqual(['2019']);

    const p1 = await body<{ page: number; results: unknown[]; total_pages: number; total_results: number }>(
      await tmdb('/search/movie', { query: 'e' }),
    );
    expect(p1.results).toHaveLength(20);
    expect(p1.total_results).toBeGreaterThan(20);
    const p2 = await body<{ page: number; results: unknown[] }>(await tmdb('/search/movie', { query: 'e', page: '2' }));
    expect(p2.page).toBe(2);
    expect(p2.results).toHaveLength(Math.min(20, p1.total_results - 20));

    expect(await body(await tmdb('/search/movie', { query: 'zzzqqq' }))).toEqual({
      page: 1,
      results: [],
      total_pages: 0,
      total_results: 0,
    });
    expect((await tmdb('/search/movie')).status).toBe(422);
    const badPage = await tmdb('/search/movie', { query: 'e', page: '0' });
    expect(badPage.status).toBe(400);
    expect((await body(badPage)).status_code).toBe(22);
  });

  it('finds by IMDb id and always answers 200 with five arrays', async () => {
    const m = movieWhere(() => true);
    const hit = await body<Record<string, Array<{ id: number; media_type: string }>>>(
      await tmdb(`/find/${m.imdbId}`, { external_source: 'imdb_id' }),
    );
    expect(hit.movie_results?.[0]).toMatchObject({ id: m.tmdbId, media_type: 'movie' });
    const miss = await tmdb('/find/tt0000000', { external_source: 'imdb_id' });
    expect(miss.status).toBe(200);
    expect(await body(miss)).toEqual({
      movie_results: [],
      person_results: [],
      tv_results: [],
      tv_episode_results: [],
      tv_season_results: [],
    });
  });

  it('appends sub-resources, refuses more than 20, and filters images by language', async () => {
    const m = movieWhere((x) => x.tmdbImages.posters.some((p) => p.iso_639_1 === 'en') && x.cast.length > 0);
    interface Details {
      imdb_id: string;
      external_ids: { imdb_id: string };
      credits: { cast: Array<{ name: string }> };
      release_dates: { results: unknown };
      images: { posters: Array<Record<string, unknown>> };
    }
    const full = await body<Details>(
      await tmdb(`/movie/${m.tmdbId}`, { append_to_response: 'images,external_ids,credits,release_dates,keywords' }),
    );
    expect(full.imdb_id).toBe(m.imdbId);
    expect(full.external_ids.imdb_id).toBe(m.imdbId);
    expect(full.credits.cast[0]?.name).toBe(m.cast[0]?.name);
    expect(Array.isArray(full.release_dates.results)).toBe(true);
    expect(full.images.posters).toHaveLength(m.tmdbImages.posters.length);
    expect(full.images.posters[0]).not.toHaveProperty('pictureId');

    const tooMany = await tmdb(`/movie/${m.tmdbId}`, {
      append_to_response: Array.from({ length: 21 }, () => 'images').join(','),
    });
    expect(tooMany.status).toBe(400);
    expect((await body(tooMany)).status_code).toBe(27);

    const en = await body<{ posters: Array<{ iso_639_1: string | null }> }>(
      await tmdb(`/movie/${m.tmdbId}/images`, { language: 'en-US' }),
    );
    expect(en.posters.length).toBeGreaterThan(0);
    expect(en.posters.every((p) => p.iso_639_1 === 'en')).toBe(true);
    const withNeutral = await body<{ posters: Array<{ iso_639_1: string | null }> }>(
      await tmdb(`/movie/${m.tmdbId}/images`, { include_image_language: 'en,null' }),
    );
    expect(withNeutral.posters.every((p) => p.iso_639_1 === 'en' || p.iso_639_1 === null || p.iso_639_1 === 'xx')).toBe(
      true,
    );
    const all = await body<{ id: number; posters: unknown[] }>(await tmdb(`/movie/${m.tmdbId}/images`));
    expect(all.id).toBe(m.tmdbId);
    expect(all.posters).toHaveLength(m.tmdbImages.posters.length);
  });
});

describe('TMDB image host', () => {
  it('serves configured sizes only, resized, with exact Content-Length and no ETag', async () => {
    const poster = movieWhere((x) => x.tmdbImages.posters.some((p) => p.width >= 1000)).tmdbImages.posters.find(
      (p) => p.width >= 1000,
    );
    if (!poster) throw new Error('unreachable');
    const { res, buf } = await bytesOf(`${fakes.tmdbImageBaseUrl}w342${poster.file_path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('etag')).toBeNull();
    expect(Number(res.headers.get('content-length'))).toBe(buf.length);
    expect((await sharp(buf).metadata()).width).toBe(342);

    const original = await bytesOf(`${fakes.tmdbImageBaseUrl}original${poster.file_path}`);
    const meta = await sharp(original.buf).metadata();
    expect([meta.width, meta.height]).toEqual([poster.width, poster.height]);

    expect((await fetch(`${fakes.tmdbImageBaseUrl}w1280${poster.file_path}`)).status).toBe(404);
    expect((await fetch(`${fakes.tmdbImageBaseUrl}w342/AAAAAAAAAAAAAAAAAAAAAAAAAAA.jpg`)).status).toBe(404);

    const profile = fakes.catalogue.movies.flatMap((x) => x.cast).find((c) => c.profile_path !== null);
    const native = fakes.catalogue.tmdbImageByFile(profile?.profile_path ?? '');
    const face = await bytesOf(`${fakes.tmdbImageBaseUrl}h632${profile?.profile_path ?? ''}`);
    // The CDN never upscales: a profile shorter than 632 px comes back at its own height.
    expect((await sharp(face.buf).metadata()).height).toBe(Math.min(632, native?.height ?? 0));
  });

  it('serves SVG logos as SVG at original and as PNG at any size', async () => {
    const logo = fakes.catalogue.movies[0]?.tmdbImages.logos.find((l) => l.file_type === '.svg');
    if (!logo) throw new Error('movie 0 should have an SVG logo');
    const svg = await fetch(`${fakes.tmdbImageBaseUrl}original${logo.file_path}`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect((await svg.text()).startsWith('<svg')).toBe(true);
    const png = await bytesOf(`${fakes.tmdbImageBaseUrl}w300${logo.file_path.replace(/\.svg$/, '.png')}`);
    expect(png.res.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(png.buf).metadata();
    expect(meta.width).toBe(300);
    expect(meta.hasAlpha).toBe(true);
  });
});

describe('Fanart API and asset host', () => {
  it('checks the key (query or Api-Key header) and answers 404 for unknown or art-less movies', async () => {
    const m = movieWhere((x) => x.fanartImages.length > 0);
    const noKey = await fanart(`/movies/${m.tmdbId}`, null);
    expect(noKey.status).toBe(401);
    expect(await body(noKey)).toEqual({
      status: 'error',
      'error message': 'Invalid project key or no project key was given.',
    });
    const header = await fetch(`${fakes.fanartApiUrl}/movies/${m.imdbId}`, {
      headers: { 'api-key': fakes.fanartApiKey },
    });
    expect(header.status).toBe(200);
    await header.arrayBuffer();

    const artless = movieWhere((x) => x.fanartImages.length === 0);
    for (const res of [await fanart('/movies/999999999'), await fanart(`/movies/${artless.tmdbId}`)]) {
      expect(res.status).toBe(404);
      expect(await body(res)).toEqual({ status: 'error', 'error message': 'Not found' });
    }
  });

  it('sends string fields, omits empty types, carries an unknown type, and v3.2 adds sizes', async () => {
    const m = fakes.catalogue.movies[0];
    if (!m) throw new Error('empty catalogue');
    const v3 = await body<Record<string, unknown>>(await fanart(`/movies/${m.tmdbId}`));
    expect(v3.tmdb_id).toBe(String(m.tmdbId));
    expect(v3.imdb_id).toBe(m.imdbId);
    expect(v3.moviesquare).toBeDefined();
    for (const [key, value] of Object.entries(v3)) {
      if (!Array.isArray(value)) continue;
      expect(value.length, key).toBeGreaterThan(0);
      for (const item of value as Array<Record<string, unknown>>) {
        expect(Object.values(item).every((v) => typeof v === 'string')).toBe(true);
        expect(item).not.toHaveProperty('width');
      }
    }
    const v32 = await body<Record<string, unknown>>(await fanart(`/movies/${m.tmdbId}`, fakes.fanartApiKey, 'v3.2'));
    expect(v32.image_count).toBe(m.fanartImages.length);
    expect((v32.movieposter as Array<Record<string, string>>)[0]).toMatchObject({ width: '1000', height: '1426' });
  });

  it('serves full images and 200/400 px previews', async () => {
    const img = fakes.catalogue.movies[0]?.fanartImages.find((f) => f.type === 'movieposter');
    if (!img) throw new Error('movie 0 should have a Fanart poster');
    const full = await bytesOf(img.url);
    expect(full.res.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(full.buf).metadata()).width).toBe(1000);
    for (const [variant, width] of [
      ['preview', 200],
      ['bigpreview', 400],
    ] as const) {
      const { buf } = await bytesOf(img.url.replace('/fanart/', `/${variant}/`));
      expect((await sharp(buf).metadata()).width).toBe(width);
    }
    const logo = fakes.catalogue.movies[0]?.fanartImages.find((f) => f.type === 'hdmovielogo');
    if (logo) {
      const { res, buf } = await bytesOf(logo.url);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect((await sharp(buf).metadata()).hasAlpha).toBe(true);
    }
  });
});

describe('duplicates across providers', () => {
  it('has byte-identical pairs and near-duplicate pairs that hash close while distinct pictures do not', async () => {
    const pairs = fakes.catalogue.duplicatePairs();
    const exact = pairs.find((p) => p.exact);
    const near = pairs.find((p) => !p.exact && p.tmdb.kind === 'poster');
    if (!exact || !near) throw new Error('expected both kinds of pair');

    const a = await bytesOf(`${fakes.tmdbImageBaseUrl}original${exact.tmdb.file_path}`);
    const b = await bytesOf(exact.fanart.url);
    expect(sha256(a.buf)).toBe(sha256(b.buf));

    // Preview renditions, as a client would hash them: TMDB w342 against Fanart's 200 px preview.
    const t = await bytesOf(`${fakes.tmdbImageBaseUrl}w342${near.tmdb.file_path}`);
    const f = await bytesOf(near.fanart.url.replace('/fanart/', '/preview/'));
    const full = await bytesOf(near.fanart.url);
    expect(sha256(t.buf)).not.toBe(sha256(f.buf));
    const other = fakes.catalogue.byTmdbId(near.tmdbId)?.tmdbImages.posters.find((p) => p.pictureId !== near.pictureId);
    if (!other) throw new Error('expected a second poster');
    const o = await bytesOf(`${fakes.tmdbImageBaseUrl}w342${other.file_path}`);
    const [ht, hf, hfull, ho] = await Promise.all([phash(t.buf), phash(f.buf), phash(full.buf), phash(o.buf)]);
    expect(hamming(ht, hf)).toBeLessThanOrEqual(4);
    expect(hamming(ht, hfull)).toBeLessThanOrEqual(4);
    expect(hamming(ht, ho)).toBeGreaterThan(16);
  });

  it('exports a decompression-bomb PNG that declares a huge size', async () => {
    const bomb = bombPng();
    expect(bomb.length).toBeLessThan(4096);
    const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([meta.width, meta.height]).toEqual([BOMB_WIDTH, BOMB_HEIGHT]);
    await expect(sharp(bomb).toBuffer()).rejects.toThrow(/pixel limit/i);
  });
});

describe('rate limiting, latency and stats', () => {
  it('answers 429 code 25 with Retry-After above the limit, then recovers', async () => {
    fakes.stats.reset();
    fakes.setRateLimit('tmdb', 5);
    const responses = await Promise.all(Array.from({ length: 12 }, () => tmdb('/configuration')));
    const limited = responses.filter((r) => r.status === 429);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(5);
    expect(limited).toHaveLength(7);
    expect(limited[0]?.headers.get('retry-after')).toBe('1');
    expect((await body(limited[0] as Response)).status_code).toBe(25);
    await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.arrayBuffer()));
    await Promise.all(limited.slice(1).map((r) => r.arrayBuffer()));
    expect(fakes.stats.rateLimited429).toBe(7);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await tmdb('/configuration')).status).toBe(200);
  });

  it('counts routes and concurrency; latency applies to API listeners', async () => {
    fakes.stats.reset();
    fakes.setLatency(150);
    const m = fakes.catalogue.movies[1];
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, () => tmdb(`/movie/${m?.tmdbId}`).then((r) => r.arrayBuffer())));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(fakes.stats.route('tmdb:/movie/:id')).toBe(4);
    expect(fakes.stats.byHost.tmdb).toBe(4);
    expect(fakes.stats.maxConcurrent.tmdb).toBe(4);
  });
});

describe('fault injection', () => {
  it('status faults send provider-shaped bodies for `times` requests only', async () => {
    const handle = fakes.faults.add({
      host: 'tmdb',
      pathIncludes: '/configuration',
      kind: 'status',
      status: 503,
      times: 1,
    });
    const res = await tmdb('/configuration');
    expect(res.status).toBe(503);
    expect((await body(res)).status_code).toBe(46);
    expect(handle.hits).toBe(1);
    expect((await tmdb('/configuration')).status).toBe(200);

    fakes.faults.add({ host: 'fanart', kind: 'status', status: 429, times: 1 });
    const fr = await fanart('/movies/1');
    expect(fr.status).toBe(429);
    expect(fr.headers.get('retry-after')).toBe('1');
    expect(await body(fr)).toMatchObject({ status: 'error' });
  });

  it('html, malformed-json, wrong-types, truncated, huge and timeout', async () => {
    const m = movieWhere((x) => x.fanartImages.length > 0);
    fakes.faults.add({ host: 'tmdb', kind: 'html', status: 502, times: 1 });
    const html = await tmdb('/configuration');
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    await html.text();

    fakes.faults.add({ host: 'tmdb', kind: 'malformed-json', times: 1 });
    const bad = await (await tmdb(`/movie/${m.tmdbId}`)).text();
    expect(() => JSON.parse(bad)).toThrow();

    fakes.faults.add({ host: 'tmdb', kind: 'wrong-types', times: 1 });
    const wrong = await body<{ id: unknown; genres: unknown }>(await tmdb(`/movie/${m.tmdbId}`));
    expect(wrong.id).toBe(String(m.tmdbId));
    expect(Array.isArray(wrong.genres)).toBe(false);

    fakes.faults.add({ host: 'fanart-img', kind: 'truncated', times: 1 });
    const cut = await fetch(m.fanartImages[0]?.url ?? '');
    expect(cut.status).toBe(200);
    await expect(cut.arrayBuffer()).rejects.toThrow();

    fakes.faults.add({ host: 'tmdb-img', kind: 'huge', bytes: 3_000_000, times: 1 });
    const huge = await bytesOf(`${fakes.tmdbImageBaseUrl}original/whatever.jpg`);
    expect(huge.buf.length).toBe(3_000_000);

    fakes.faults.add({ host: 'fanart', kind: 'timeout', times: 1 });
    const hung = fetch(`${fakes.fanartApiUrl}/movies/${m.tmdbId}?api_key=${fakes.fanartApiKey}`, {
      signal: AbortSignal.timeout(300),
    });
    await expect(hung).rejects.toThrow();
  }, 15_000);
});
