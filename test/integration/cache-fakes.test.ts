import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hammingDistance } from '../../main/core/select/phash.ts';
import type { DuplicatePair } from '../fakes/catalogue.ts';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { filesUnder } from './cache-fixtures.ts';

/** The cache against the faithful fake image hosts (TMDB's CDN and Fanart.tv's asset host). */

let fakes: FakeProviders;
let exact: DuplicatePair;
let near: DuplicatePair;
beforeAll(async () => {
  fakes = await startFakeProviders({ seed: 11, movieCount: 12 });
  const pairs = fakes.catalogue.duplicatePairs();
  exact = pairs.find((p) => p.exact)!;
  near = pairs.find((p) => !p.exact && p.tmdb.kind === 'poster') ?? pairs.find((p) => !p.exact)!;
  expect(exact).toBeDefined();
  expect(near).toBeDefined();
});
afterAll(async () => fakes.close());

let t: TestEngine;
beforeEach(async () => {
  t = await makeTestEngine();
  await t.engine.services.settings.set('providers.maxRetries', 0);
});
afterEach(async () => {
  fakes.faults.clear();
  await t.cleanup();
});

const tmdbUrl = (p: DuplicatePair) => `${fakes.tmdbImageBaseUrl}original${p.tmdb.file_path}`;

describe('the cache with the fake providers', () => {
  it('stores the same picture served byte-identical by TMDB and Fanart.tv once, with both provenances', async () => {
    const cache = t.engine.services.cache;
    const a = await cache.ingestUrl(tmdbUrl(exact), { provider: 'tmdb', area: 'assets' });
    const b = await cache.ingestUrl(exact.fanart.url, { provider: 'fanart', area: 'assets' });
    expect(b.sha256).toBe(a.sha256);
    expect(filesUnder(t.engine.services.paths.assets)).toHaveLength(1);
    const sources = await t.engine.services.db.selectFrom('blob_sources').selectAll().orderBy('provider').execute();
    expect(sources.map((s) => [s.provider, s.source])).toEqual([
      ['fanart', exact.fanart.url],
      ['tmdb', tmdbUrl(exact)],
    ]);
  });

  it('keeps re-encodes of one picture as two blobs whose perceptual hashes are close', async () => {
    const cache = t.engine.services.cache;
    const a = await cache.ingestUrl(tmdbUrl(near), { provider: 'tmdb', area: 'assets' });
    const b = await cache.ingestUrl(near.fanart.url, { provider: 'fanart', area: 'assets' });
    expect(b.sha256).not.toBe(a.sha256);
    expect(hammingDistance(a.phash!, b.phash!)).toBeLessThanOrEqual(8);
  });

  it.each([
    ['an HTML page', 'html' as const, 'an HTML page served as an image'],
    ['a truncated body', 'truncated' as const, ''],
    ['a huge body', 'huge' as const, 'larger than 50 MB'],
  ])('refuses %s from the image host, then takes the image once it is served right', async (_name, kind, reason) => {
    const url = tmdbUrl(exact);
    fakes.faults.add({ host: 'tmdb-img', pathIncludes: exact.tmdb.file_path, times: 1, kind, bytes: 80 * 1024 * 1024 });
    const cache = t.engine.services.cache;
    const err = await cache.ingestUrl(url, { provider: 'tmdb', area: 'assets' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_error', message: expect.stringContaining(reason) });
    expect(filesUnder(t.engine.services.paths.cache)).toEqual([]);
    const blob = await cache.ingestUrl(url, { provider: 'tmdb', area: 'assets' });
    expect(await cache.pathOf(blob.sha256)).not.toBeNull();
  });
});
