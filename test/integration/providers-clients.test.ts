import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FANART_MOVIE_KEYS } from '../../main/core/providers/asset-map.ts';
import { ProviderError } from '../../main/core/providers/errors.ts';
import type { ProvidersDomain } from '../../main/core/providers/index.ts';
import { startEnrichFixture, type EnrichFixture } from './enrich-fixture.ts';

/** The provider clients over real HTTP against the fake TMDB and Fanart.tv. */
describe('provider clients against the fakes', () => {
  let f: EnrichFixture;
  let p: ProvidersDomain;
  beforeAll(async () => {
    f = await startEnrichFixture();
    p = f.engine.services.providers;
  });
  afterAll(async () => f.cleanup());

  const movie = (pred: (m: EnrichFixture['fake']['catalogue']['movies'][number]) => boolean) => {
    const m = f.fake.catalogue.movies.find(pred);
    if (!m) throw new Error('the catalogue has no such movie');
    return m;
  };

  it('takes the image host from /configuration, never a built-in one', async () => {
    const config = await p.tmdb.configuration();
    expect(config.secure_base_url).toBe(f.fake.tmdbImageBaseUrl);
    expect(config.poster_sizes).toContain('w342');
  });

  it('turns every TMDB image of a movie into a candidate with fetchable full and preview URLs', async () => {
    const m = movie((x) => x.tmdbImages.logos.length > 0 && x.tmdbImages.posters.length > 2);
    const [tmdbArt] = p.artProviders();
    const batch = await tmdbArt!.fetchCandidates({ tmdbId: m.tmdbId, imdbId: null }, {});
    expect(batch.complete).toBe(true);
    const expected = m.tmdbImages.posters.length + m.tmdbImages.backdrops.length + m.tmdbImages.logos.length;
    expect(batch.candidates).toHaveLength(expected);
    for (const c of batch.candidates) {
      expect(c.url.startsWith(f.fake.tmdbImageBaseUrl)).toBe(true);
      expect(c.previewUrl).toMatch(c.assetType === 'poster' ? /\/w342\// : /\/w300\//);
    }
    // Languages: the fake mixes null and "xx" for textless images; both arrive as null.
    const textless = m.tmdbImages.posters.filter((i) => i.iso_639_1 === null || i.iso_639_1 === 'xx').length;
    expect(batch.candidates.filter((c) => c.assetType === 'poster' && c.language === null)).toHaveLength(textless);
    const sample = [batch.candidates[0]!, batch.candidates.find((c) => c.assetType === 'clearlogo')!];
    for (const c of sample) {
      for (const url of [c.url, c.previewUrl!]) {
        const res = await p.http.download(url, { budget: 'images', maxBytes: 20 * 1024 * 1024 });
        res.body.resume();
        expect(res.status).toBe(200);
      }
    }
  });

  it('fetches SVG logos as the PNG rendition', async () => {
    const m = movie((x) => x.tmdbImages.logos.some((l) => l.file_type === '.svg'));
    const batch = await p.artProviders()[0]!.fetchCandidates({ tmdbId: m.tmdbId, imdbId: null }, {});
    const svg = batch.candidates.find((c) => c.extra.svg === true)!;
    expect(svg.url).toMatch(/\/w\d+\/[^/]+\.png$/);
    const res = await p.http.download(svg.url, { budget: 'images', maxBytes: 10 * 1024 * 1024 });
    res.body.resume();
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('image/png');
  });

  it('maps every Fanart.tv key the fake serves, ignores unknown keys, and previews load', async () => {
    const served = new Set<string>();
    const unknownSeen = f.fake.catalogue.movies.some((m) => m.fanartImages.some((i) => !(i.type in FANART_MOVIE_KEYS)));
    expect(unknownSeen).toBe(true);
    for (const m of f.fake.catalogue.movies.filter((x) => x.fanartImages.length > 0)) {
      const { value, problems } = await p.fanart.movie(m.tmdbId);
      expect(problems).toEqual([]);
      for (const key of Object.keys(value)) if ((value[key] ?? []).length > 0) served.add(key);
      const known = m.fanartImages.filter((i) => i.type in FANART_MOVIE_KEYS);
      const batch = await p.artProviders()[1]!.fetchCandidates({ tmdbId: m.tmdbId, imdbId: null }, {});
      const keyart = batch.candidates.filter((c) => c.assetType === 'keyart').length;
      expect(batch.candidates.length - keyart).toBe(known.length);
      expect(keyart).toBe(known.filter((i) => i.type === 'movieposter' && (i.lang === '00' || i.lang === '')).length);
    }
    expect([...served].sort()).toEqual(Object.keys(FANART_MOVIE_KEYS).sort());
    const any = f.fake.catalogue.movies.find((x) => x.fanartImages.length > 0)!;
    const batch = await p.artProviders()[1]!.fetchCandidates({ tmdbId: any.tmdbId, imdbId: null }, {});
    const res = await p.http.download(batch.candidates[0]!.previewUrl!, {
      budget: 'images',
      maxBytes: 5 * 1024 * 1024,
    });
    res.body.resume();
    expect(res.status).toBe(200);
  });

  it('reads sizes from Fanart.tv v3.2 when the base URL asks for it', async () => {
    const m = movie((x) => x.fanartImages.some((i) => i.type === 'movieposter'));
    const v3 = await p.artProviders()[1]!.fetchCandidates({ tmdbId: m.tmdbId, imdbId: null }, {});
    expect(v3.candidates.every((c) => c.extra.sizeFrom === 'nominal')).toBe(true);
    await f.engine.services.settings.set('fanart.baseUrl', f.fake.fanartApiUrl.replace(/v3$/, 'v3.2'));
    try {
      const v32 = await p.artProviders()[1]!.fetchCandidates({ tmdbId: m.tmdbId, imdbId: null }, {});
      const poster = m.fanartImages.find((i) => i.type === 'movieposter')!;
      expect(v32.candidates.find((c) => c.providerImageId === poster.id && c.assetType === 'poster')).toMatchObject({
        width: poster.width,
        height: poster.height,
        extra: { sizeFrom: 'provider' },
      });
    } finally {
      await f.engine.services.settings.set('fanart.baseUrl', f.fake.fanartApiUrl);
    }
  });

  it('treats a Fanart.tv 404 as "no art", not as an error', async () => {
    const m = movie((x) => x.fanartImages.length === 0);
    const batch = await p.artProviders()[1]!.fetchCandidates({ tmdbId: m.tmdbId, imdbId: null }, {});
    expect(batch).toEqual({ candidates: [], complete: true, problems: [] });
  });

  it('finds a movie by IMDb id, searches with a year, and reports an unknown id as not found', async () => {
    const m = movie((x) => x.originalLanguage === 'en');
    expect((await p.tmdb.findByImdb(m.imdbId))?.id).toBe(m.tmdbId);
    expect(await p.tmdb.findByImdb('tt0000000')).toBeNull();
    const results = await p.tmdb.searchMovies(m.title, m.year);
    expect(results.map((r) => r.id)).toContain(m.tmdbId);
    const err = await p.tmdb.movie(999_999_999).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('not_found');
  });

  it('asks for images separately (every language) when metadata is wanted in another language', async () => {
    const m = movie((x) => x.originalLanguage === 'fr');
    await f.engine.services.settings.set('languages', ['fr', 'en']);
    try {
      const details = await p.tmdb.movie(m.tmdbId);
      expect(details.value.title).toBe(m.originalTitle);
      const before = f.hits('tmdb:/movie/:id/images');
      const images = await p.tmdb.images(m.tmdbId);
      expect(f.hits('tmdb:/movie/:id/images')).toBe(before + 1);
      expect(images.value.posters).toHaveLength(m.tmdbImages.posters.length);
    } finally {
      await f.engine.services.settings.set('languages', ['en']);
    }
  });

  it('says clearly when a key is refused, for either provider', async () => {
    const s = f.engine.services;
    await s.settings.set('tmdb.apiKey', 'wrong-key-123456');
    await s.settings.set('fanart.apiKey', 'wrong-key-654321');
    try {
      const tmdbErr = await p.tmdb.searchMovies('anything', null).catch((e: unknown) => e);
      expect(tmdbErr).toMatchObject({ kind: 'auth' });
      expect((tmdbErr as Error).message).toMatch(/^Your TMDB API key was rejected/);
      expect((tmdbErr as Error).message).not.toContain('wrong-key-123456');
      const fanartErr = await p.fanart.movie(1).catch((e: unknown) => e);
      expect(fanartErr).toMatchObject({ kind: 'auth' });
      expect((fanartErr as Error).message).toMatch(/^Your Fanart.tv API key was rejected/);
    } finally {
      await s.settings.set('tmdb.apiKey', f.fake.tmdbApiKey);
      await s.settings.set('fanart.apiKey', f.fake.fanartApiKey);
    }
  });
});
