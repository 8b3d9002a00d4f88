import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromJson } from '../../main/core/db/database.ts';
import type { MatchChoice } from '../../shared/api/enrich.ts';
import type { FakeMovie } from '../fakes/index.ts';
import { startEnrichFixture, type EnrichFixture } from './enrich-fixture.ts';

describe('identification against the fake TMDB', () => {
  let f: EnrichFixture;
  beforeAll(async () => {
    f = await startEnrichFixture();
  });
  afterAll(async () => f.cleanup());

  const movie = (pred: (m: FakeMovie) => boolean): FakeMovie => {
    const m = f.fake.catalogue.movies.find(pred);
    if (!m) throw new Error('the catalogue has no such movie');
    return m;
  };
  const enrich = (itemIds: number[], force = false) => f.client.call('enrich', { itemIds, force });

  it('uses the TMDB id from the NFO without searching', async () => {
    const m = f.fake.catalogue.movies[0]!;
    const id = await f.addItem({ title: 'whatever the folder says', year: null, tmdbId: m.tmdbId });
    const searches = f.hits('tmdb:/search/movie');
    const summary = await enrich([id]);
    expect(summary).toMatchObject({ enriched: 1, needsMatch: 0, failed: [] });
    expect(f.hits('tmdb:/search/movie')).toBe(searches);
    expect(await f.item(id)).toMatchObject({
      state: 'enriched',
      tmdb_id: m.tmdbId,
      imdb_id: m.imdbId,
      title: m.title,
      year: m.year,
    });
  });

  it('finds the movie by IMDb id through /find', async () => {
    const m = f.fake.catalogue.movies[1]!;
    const id = await f.addItem({ title: 'Unknown', imdbId: m.imdbId });
    const finds = f.hits('tmdb:/find/:id');
    await enrich([id]);
    expect(f.hits('tmdb:/find/:id')).toBe(finds + 1);
    expect(await f.item(id)).toMatchObject({ state: 'enriched', tmdb_id: m.tmdbId });
  });

  const harbor = (m: FakeMovie) => m.title === 'Harbor Lights';
  it.each<[string, (m: FakeMovie) => boolean, (m: FakeMovie) => { title: string; year: number | null }]>([
    ['title and year', harbor, (m) => ({ title: m.title, year: m.year })],
    ['a year one off', harbor, (m) => ({ title: m.title, year: m.year + 1 })],
    ['no year (the sequels score lower)', harbor, (m) => ({ title: m.title, year: null })],
    ['the original title only', (m) => m.originalLanguage === 'fr', (m) => ({ title: m.originalTitle, year: m.year })],
    [
      'other case and punctuation',
      (m) => m.title.includes("'"),
      (m) => ({ title: m.title.toUpperCase().replace(/['’:]/g, ''), year: m.year }),
    ],
  ])('identifies by searching with %s', async (_what, pick, make) => {
    const target = movie(pick);
    const id = await f.addItem(make(target));
    const summary = await enrich([id]);
    expect(summary.enriched).toBe(1);
    expect((await f.item(id)).tmdb_id).toBe(target.tmdbId);
  });

  it('asks the user when two movies fit equally well, with both as choices', async () => {
    const [a, b] = f.fake.catalogue.movies.filter((x) => x.title === 'The Long Night');
    const id = await f.addItem({ title: 'The Long Night', year: null });
    const summary = await enrich([id]);
    expect(summary).toMatchObject({ enriched: 0, needsMatch: 1, failed: [] });
    const item = await f.item(id);
    expect(item.state).toBe('needs_match');
    expect(item.tmdb_id).toBeNull();
    const choices = fromJson<MatchChoice[]>(item.match_choices, []);
    expect(choices.map((c) => c.tmdbId).sort()).toEqual(expect.arrayContaining([a!.tmdbId, b!.tmdbId].sort()));
    expect(choices[0]!.posterUrl?.startsWith(f.fake.tmdbImageBaseUrl)).toBe(true);

    // The year settles it.
    const dated = await f.addItem({ title: 'The Long Night', year: b!.year });
    await enrich([dated]);
    expect((await f.item(dated)).tmdb_id).toBe(b!.tmdbId);
  });

  it('waits for a match when TMDB knows nothing like it', async () => {
    const id = await f.addItem({ title: 'Qwxz Plorb Vintersquash', year: 1999 });
    const summary = await enrich([id]);
    expect(summary.needsMatch).toBe(1);
    expect(await f.item(id)).toMatchObject({ state: 'needs_match', match_choices: '[]', enrich_error: null });
  });

  it('a manual match wins, is locked, and survives re-enrichment', async () => {
    const [a] = f.fake.catalogue.movies.filter((x) => x.title === 'The Long Night');
    const id = await f.addItem({ title: 'The Long Night', year: null });
    await enrich([id]);
    const choices = await f.client.call('match-search', { itemId: id });
    expect(choices.length).toBeGreaterThanOrEqual(2);
    const result = await f.client.call('identify', { itemId: id, tmdbId: a!.tmdbId });
    expect(result).toMatchObject({ state: 'enriched', tmdbId: a!.tmdbId, title: a!.title, year: a!.year });
    expect(await f.item(id)).toMatchObject({
      match_locked: 1,
      tmdb_id: a!.tmdbId,
      state: 'enriched',
      match_choices: null,
    });

    f.clock.advance(60_000);
    const searches = f.hits('tmdb:/search/movie');
    await enrich([id], true);
    expect(f.hits('tmdb:/search/movie')).toBe(searches);
    expect((await f.item(id)).tmdb_id).toBe(a!.tmdbId);
  });

  it('refuses a manual match to a TMDB id that does not exist and changes nothing', async () => {
    const m = f.fake.catalogue.movies[2]!;
    const id = await f.addItem({ title: m.title, year: m.year });
    await enrich([id]);
    const before = await f.item(id);
    await expect(f.client.call('identify', { itemId: id, tmdbId: 987_654_321 })).rejects.toMatchObject({
      code: 'not_found',
      field: 'tmdbId',
    });
    expect(await f.item(id)).toEqual(before);
  });

  it('matching another movie by hand retires the old candidates (kept, marked gone)', async () => {
    const [a, b] = f.fake.catalogue.movies.filter((x) => x.title === 'Frontier of Marrow Creek');
    const id = await f.addKnown(a!);
    await enrich([id]);
    const oldIds = (await f.client.call('candidates-list', { itemId: id })).map((c) => c.id);
    expect(oldIds.length).toBeGreaterThan(0);
    await f.client.call('identify', { itemId: id, tmdbId: b!.tmdbId });
    const after = await f.client.call('candidates-list', { itemId: id });
    const old = after.filter((c) => oldIds.includes(c.id));
    expect(old.length).toBe(oldIds.length);
    expect(old.every((c) => c.gone)).toBe(true);
    expect(after.some((c) => !c.gone)).toBe(true);
  });

  it('re-identifies an item whose NFO id TMDB does not know', async () => {
    const m = movie((x) => x.title === 'Hidden Canyons');
    const id = await f.addItem({ title: m.title, year: m.year, tmdbId: 999_999_001 });
    const summary = await enrich([id]);
    expect(summary.enriched).toBe(1);
    expect((await f.item(id)).tmdb_id).toBe(m.tmdbId);
  });

  it('searches for the user with their own query and year', async () => {
    const m = movie((x) => x.title === 'Harbor Lights 2');
    const id = await f.addItem({ title: 'something else', year: null });
    const choices = await f.client.call('match-search', { itemId: id, query: 'Harbor Lights', year: m.year });
    expect(choices[0]).toMatchObject({ tmdbId: m.tmdbId, year: m.year });
    await expect(f.client.call('match-search', { itemId: 424_242 })).rejects.toMatchObject({ code: 'not_found' });
  });
});
