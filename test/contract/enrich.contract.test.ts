import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index.ts';
import { ApiError } from '../../shared/api/errors.ts';
import type { Progress } from '../../shared/api/index.ts';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import { DOORS, openDoor, type DoorFixture } from '../helpers/doors.ts';
import { insertLibrary, insertMovie } from '../helpers/seed.ts';

/** The enrich API through every door, against the fake providers. */
describe.each(DOORS)('enrich API through the %s door', (door) => {
  let fake: FakeProviders;
  let f: DoorFixture;
  beforeAll(async () => {
    fake = await startFakeProviders({ seed: 3, movieCount: 12 });
  });
  afterAll(async () => fake.close());
  afterEach(async () => f?.cleanup());

  const open = async () => {
    f = await openDoor(door, {
      env: { POSTERITY_TMDB_API_URL: fake.tmdbApiUrl, POSTERITY_FANART_API_URL: fake.fanartApiUrl },
    });
    const s = f.engine.services;
    await s.settings.set('tmdb.apiKey', fake.tmdbApiKey);
    await s.settings.set('fanart.apiKey', fake.fanartApiKey);
    const now = s.clock.now();
    const libraryId = await insertLibrary(s.db, now, { path: f.tempDir('lib') });
    const ids: number[] = [];
    for (const [i, m] of fake.catalogue.movies.slice(0, 3).entries())
      ids.push(await insertMovie(s.db, now, libraryId, { folder: `/m/${i}`, title: m.title, year: m.year }));
    return ids;
  };

  it('enriches items with progress and returns a summary', async () => {
    const ids = await open();
    const progress: Progress[] = [];
    const summary = await f.api.call('enrich', { all: true }, { onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ enriched: 3, needsMatch: 0, failed: [], warnings: [] });
    expect(summary.requests).toBeGreaterThan(0);
    if (door === 'in-process') expect(progress.at(-1)).toMatchObject({ done: 3, total: 3 });
    const candidates = await f.api.call('candidates-list', { itemId: ids[0]! });
    expect(candidates.length).toBeGreaterThan(0);
    expect(Object.keys(candidates[0]!).sort()).toEqual(
      [
        'id',
        'type',
        'provider',
        'providerImageId',
        'url',
        'previewUrl',
        'width',
        'height',
        'language',
        'voteAverage',
        'voteCount',
        'likes',
        'score',
        'scoreBreakdown',
        'phash',
        'clusterId',
        'blocked',
        'blobSha',
        'previewSha',
        'gone',
      ].sort(),
    );
    const posters = await f.api.call('candidates-list', { itemId: ids[0]!, type: 'poster' });
    expect(posters.every((c) => c.type === 'poster')).toBe(true);
  });

  it('identifies by hand and searches for matches', async () => {
    const ids = await open();
    const m = fake.catalogue.movies[5]!;
    const choices = await f.api.call('match-search', { itemId: ids[0]!, query: m.title, year: m.year });
    expect(choices[0]).toMatchObject({ tmdbId: m.tmdbId });
    const result = await f.api.call('identify', { itemId: ids[0]!, tmdbId: m.tmdbId });
    expect(result).toMatchObject({ itemId: ids[0], state: 'enriched', tmdbId: m.tmdbId, title: m.title });
  });

  it('refuses bad parameters and unknown items', async () => {
    await open();
    const noTarget = await f.api.call('enrich', {}).catch((e: unknown) => e);
    expect(noTarget).toBeInstanceOf(ApiError);
    expect(noTarget).toMatchObject({ code: 'bad_request', field: 'itemIds' });
    await expect(f.api.call('enrich', { itemIds: [0] })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(f.api.call('identify', { itemId: 1, tmdbId: -5 })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'tmdbId',
    });
    await expect(f.api.call('candidates-list', { itemId: 1, type: 'wallpaper' as never })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'type',
    });
    await expect(f.api.call('candidates-list', { itemId: 99_999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.api.call('identify', { itemId: 99_999, tmdbId: 5 })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('the enrich commands', () => {
  let fake: FakeProviders;
  beforeAll(async () => {
    fake = await startFakeProviders({ seed: 3, movieCount: 12 });
  });
  afterAll(async () => fake.close());

  it('enrich, candidates and identify work from the command line', async () => {
    const f = await openDoor('in-process', {
      env: { POSTERITY_TMDB_API_URL: fake.tmdbApiUrl, POSTERITY_FANART_API_URL: fake.fanartApiUrl },
    });
    try {
      const s = f.engine.services;
      await s.settings.set('tmdb.apiKey', fake.tmdbApiKey);
      await s.settings.set('fanart.apiKey', fake.fanartApiKey);
      const m = fake.catalogue.movies[0]!;
      const now = s.clock.now();
      const libraryId = await insertLibrary(s.db, now, { path: f.tempDir('lib') });
      const itemId = await insertMovie(s.db, now, libraryId, { folder: '/m/0', title: m.title, year: m.year });
      const run = async (argv: string[]) => {
        let stdout = '';
        let stderr = '';
        const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
        const code = await main(argv, { io, engineFactory: async () => f.engine });
        return { code, stdout, stderr };
      };
      const enriched = await run(['enrich', String(itemId)]);
      expect(enriched.code).toBe(0);
      expect(enriched.stdout).toMatch(/Enriched 1, needs a match 0, failed 0/);
      const listed = await run(['--json', 'candidates', String(itemId), '--type', 'poster']);
      expect(JSON.parse(listed.stdout).length).toBe(
        m.tmdbImages.posters.length + m.fanartImages.filter((i) => i.type === 'movieposter').length,
      );
      const human = await run(['candidates', String(itemId)]);
      expect(human.stdout).toMatch(/^ID\s+TYPE\s+PROVIDER/);
      const identified = await run(['identify', String(itemId), '--tmdb', String(fake.catalogue.movies[1]!.tmdbId)]);
      expect(identified.code).toBe(0);
      expect(identified.stdout).toContain(fake.catalogue.movies[1]!.title);
      expect((await run(['enrich'])).code).toBe(2);
      expect((await run(['candidates', String(itemId), '--type', 'wallpaper'])).code).toBe(2);
      expect((await run(['identify', String(itemId)])).code).toBe(2);
    } finally {
      await f.cleanup();
    }
  });
});
