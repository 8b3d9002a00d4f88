import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getFields } from '../../main/core/db/fields-repo.ts';
import type { FaultRule } from '../fakes/index.ts';
import { QUICK_FAILURE_SETTINGS, startEnrichFixture, type EnrichFixture } from './enrich-fixture.ts';

/**
 * Bad answers from the providers: the item either comes through (retries) or is marked with a
 * reason and a retry time, and nothing stored before is lost.
 */
describe('enrichment when providers misbehave', () => {
  let f: EnrichFixture;
  beforeAll(async () => {
    f = await startEnrichFixture({ settings: QUICK_FAILURE_SETTINGS });
  });
  afterAll(async () => f.cleanup());
  afterEach(() => f.fake.faults.clear());

  const db = () => f.engine.services.db;
  const enrich = (itemIds: number[], force = true) => {
    f.clock.advance(60_000); // a forced run only reuses answers fetched after it started
    return f.client.call('enrich', { itemIds, force });
  };
  const snapshot = async (id: number) => ({
    fields: await getFields(db(), id),
    candidates: await db()
      .selectFrom('candidates')
      .select(['id', 'provider', 'provider_image_id', 'url', 'vote_count', 'likes', 'gone_at'])
      .where('item_id', '=', id)
      .orderBy('id')
      .execute(),
  });

  /** An item that was enriched fine once. */
  const enrichedItem = async (index: number) => {
    const m = f.fake.catalogue.movies.filter((x) => x.fanartImages.length > 0 && x.tmdbImages.posters.length > 0)[
      index
    ]!;
    const id = await f.addKnown(m);
    const first = await enrich([id]);
    expect(first.enriched).toBe(1);
    return { id, m, before: await snapshot(id) };
  };

  it.each<[string, Omit<FaultRule, 'host' | 'pathIncludes'>]>([
    ['429 storm with Retry-After', { kind: 'status', status: 429, retryAfter: 0, times: 2 }],
    ['503s', { kind: 'status', status: 503, times: 2 }],
    ['a body cut off half way', { kind: 'truncated', times: 1 }],
    ['a request that never answers', { kind: 'timeout', times: 1 }],
    ['an HTML error page', { kind: 'html', status: 502, times: 1 }],
  ])('comes through %s on the details call by retrying', async (_what, fault) => {
    const { id, m, before } = await enrichedItem(0);
    f.fake.faults.add({ host: 'tmdb', pathIncludes: `/movie/${m.tmdbId}`, ...fault });
    const summary = await enrich([id]);
    expect(summary).toMatchObject({ enriched: 1, failed: [], warnings: [] });
    expect(await snapshot(id)).toEqual(before);
  });

  it.each<[string, Omit<FaultRule, 'host' | 'pathIncludes'>, RegExp]>([
    ['a server error that lasts', { kind: 'status', status: 500 }, /TMDB is unavailable \(HTTP 500\)/],
    ['a 429 that lasts', { kind: 'status', status: 429, retryAfter: 0 }, /too many \(HTTP 429\)/],
    ['an HTML page instead of JSON', { kind: 'html', status: 200 }, /not JSON: "<!DOCTYPE html>/],
    ['malformed JSON', { kind: 'malformed-json' }, /not JSON/],
    ['no answer at all', { kind: 'timeout' }, /did not answer in time/],
    ['a huge answer', { kind: 'huge', bytes: 12 * 1024 * 1024 }, /too large/],
  ])('marks the item failed on %s and keeps everything it had', async (_what, fault, reason) => {
    const { id, m, before } = await enrichedItem(1);
    const itemBefore = await f.item(id);
    f.fake.faults.add({ host: 'tmdb', pathIncludes: `/movie/${m.tmdbId}`, ...fault });
    const summary = await enrich([id]);
    expect(summary.enriched).toBe(0);
    expect(summary.failed).toEqual([{ itemId: id, reason: expect.stringMatching(reason) }]);
    const item = await f.item(id);
    expect(item).toMatchObject({ state: 'enriched', tmdb_id: itemBefore.tmdb_id, enriched_at: itemBefore.enriched_at });
    expect(item.enrich_error).toMatch(reason);
    expect(item.enrich_after).toBeGreaterThan(f.clock.now());
    const after = await snapshot(id);
    expect(after.fields).toEqual(before.fields);
    // Fanart.tv still answered: its rows are refreshed, none lost, none gone.
    expect(after.candidates.map((c) => c.id)).toEqual(before.candidates.map((c) => c.id));
    expect(after.candidates.every((c) => c.gone_at === null)).toBe(true);
  });

  it('skips parts of the wrong type, keeps the rest, and does not overwrite what it could not read', async () => {
    const { id, m, before } = await enrichedItem(2);
    f.fake.faults.add({ host: 'tmdb', pathIncludes: `/movie/${m.tmdbId}`, kind: 'wrong-types' });
    const summary = await enrich([id]);
    expect(summary.enriched).toBe(1);
    expect(summary.warnings.map((w) => w.reason).join(' ')).toMatch(
      /TMDB sent part of its answer in an unexpected form/,
    );
    const after = await snapshot(id);
    // genres and countries arrived as objects: kept from before; ids and runtime arrived as strings: read.
    expect(after.fields.genres).toEqual(before.fields.genres);
    expect(after.fields.countries).toEqual(before.fields.countries);
    expect(after.fields.runtime).toBe(m.runtime);
    // Logos arrived as an object: the answer was not whole, so no logo is marked gone.
    expect(after.candidates.filter((c) => c.gone_at !== null)).toHaveLength(0);
  });

  it('keeps Fanart.tv candidates when Fanart.tv fails, and says so', async () => {
    const { id, m, before } = await enrichedItem(3);
    f.fake.faults.add({ host: 'fanart', pathIncludes: `/movies/${m.tmdbId}`, kind: 'status', status: 503 });
    const summary = await enrich([id]);
    expect(summary).toMatchObject({ enriched: 1, failed: [] });
    expect(summary.warnings).toEqual([
      { itemId: id, reason: expect.stringMatching(/Fanart.tv is unavailable \(HTTP 503\)/) },
    ]);
    const after = await snapshot(id);
    const fanart = (s: typeof before) => s.candidates.filter((c) => c.provider === 'fanart');
    expect(fanart(after)).toEqual(fanart(before));
    expect((await f.item(id)).enrich_error).toMatch(/Fanart.tv/);
  });

  it("leaves the scan's problem alone, whether enriching succeeds or fails", async () => {
    const { id, m } = await enrichedItem(5);
    const scanProblem = 'movie.nfo: the XML is not well-formed (line 3)';
    await db().updateTable('items').set({ error: scanProblem }).where('id', '=', id).execute();
    const shown = async () => (await f.client.call('item-get', { id })).error;

    await enrich([id]);
    expect(await f.item(id)).toMatchObject({ error: scanProblem, enrich_error: null });
    expect(await shown()).toBe(scanProblem);

    f.fake.faults.add({ host: 'fanart', pathIncludes: `/movies/${m.tmdbId}`, kind: 'status', status: 503 });
    await enrich([id]);
    expect((await f.item(id)).error).toBe(scanProblem);
    expect(await shown()).toMatch(/^movie\.nfo: the XML is not well-formed \(line 3\) · .*Fanart\.tv is unavailable/);
    const listed = await f.client.call('items-list', { hasErrors: true, limit: 100 });
    expect(listed.items.map((i) => i.id)).toContain(id);
  });

  it('tolerates Fanart.tv answers of the wrong types', async () => {
    const { id, m } = await enrichedItem(4);
    f.fake.faults.add({ host: 'fanart', pathIncludes: `/movies/${m.tmdbId}`, kind: 'wrong-types' });
    const summary = await enrich([id]);
    expect(summary.enriched).toBe(1);
    const likes = await db()
      .selectFrom('candidates')
      .select('likes')
      .where('item_id', '=', id)
      .where('provider', '=', 'fanart')
      .execute();
    expect(likes.every((r) => typeof r.likes === 'number')).toBe(true);
  });

  it('a rejected TMDB key fails items with a clear message while Fanart.tv carries on', async () => {
    const known = f.fake.catalogue.movies.filter((x) => x.fanartImages.length > 0).slice(5, 8);
    const ids = [];
    for (const m of known) ids.push(await f.addKnown(m));
    const unknown = await f.addItem({ title: known[0]!.title, year: known[0]!.year });
    await f.engine.services.settings.set('tmdb.apiKey', 'not-the-right-key');
    try {
      const tmdbBefore = f.fake.stats.byHost.tmdb;
      const summary = await enrich([...ids, unknown]);
      expect(summary.enriched).toBe(0);
      expect(summary.failed).toHaveLength(4);
      for (const problem of summary.failed) expect(problem.reason).toMatch(/^Your TMDB API key was rejected/);
      // A refusal is never retried: at most one TMDB request per item, plus the configuration.
      expect(f.fake.stats.byHost.tmdb - tmdbBefore).toBeLessThanOrEqual(ids.length + 2);
      for (const id of ids) {
        const fanart = await db()
          .selectFrom('candidates')
          .select('id')
          .where('item_id', '=', id)
          .where('provider', '=', 'fanart')
          .execute();
        expect(fanart.length).toBeGreaterThan(0);
        expect((await f.item(id)).enrich_error).toMatch(/TMDB API key was rejected/);
      }
      expect(JSON.stringify(summary)).not.toContain('not-the-right-key');
    } finally {
      await f.engine.services.settings.set('tmdb.apiKey', f.fake.tmdbApiKey);
    }
    const retry = await enrich(ids);
    expect(retry.enriched).toBe(ids.length);
    expect((await f.item(ids[0]!)).enrich_error).toBeNull();
  });

  it('a missing TMDB key is a clear failure, not a crash', async () => {
    const id = await f.addItem({ title: 'Anything', year: 2000 });
    await f.engine.services.settings.set('tmdb.apiKey', '');
    try {
      const summary = await enrich([id]);
      expect(summary.failed).toEqual([{ itemId: id, reason: expect.stringMatching(/No TMDB API key is set/) }]);
      expect(await f.item(id)).toMatchObject({ state: 'new', enrich_error: expect.stringMatching(/No TMDB API key/) });
    } finally {
      await f.engine.services.settings.set('tmdb.apiKey', f.fake.tmdbApiKey);
    }
  });

  it('reports an unknown item id in the summary and enriches the rest', async () => {
    const { id } = await enrichedItem(5);
    const summary = await enrich([id, 9_999_999]);
    expect(summary.enriched).toBe(1);
    expect(summary.failed).toEqual([{ itemId: 9_999_999, reason: 'No item with id 9999999' }]);
  });

  it('never writes an API key into the log, the cache or a stored error', async () => {
    const log = readFileSync(path.join(f.dataDir, 'logs', 'posterity.log'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    const cache = JSON.stringify(await db().selectFrom('provider_cache').select(['key', 'body']).execute());
    const errors = JSON.stringify(await db().selectFrom('items').select(['error', 'enrich_error']).execute());
    for (const text of [log, cache, errors]) {
      expect(text).not.toContain(f.fake.tmdbApiKey);
      expect(text).not.toContain(f.fake.fanartApiKey);
      expect(text).not.toContain('not-the-right-key');
    }
  });
});
