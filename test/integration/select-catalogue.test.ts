import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandidateRow } from '../../main/core/db/schema.ts';
import { startFakeProviders, type FakeProviders } from '../fakes/index.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { seedItem } from './select-fixtures.ts';

/*
 * Auto-select over the fake catalogue, with candidates from a real enrichment over HTTP:
 * textless fanart, posters in the user's languages, and never the same picture twice.
 */

let fakes: FakeProviders;
let t: TestEngine;
let itemIds: number[] = [];

/** The picture a candidate shows, from the fake's own bookkeeping (never sent to the client). */
function pictureOf(row: CandidateRow): string {
  const url = new URL(row.url);
  if (row.provider === 'tmdb') {
    const img = fakes.catalogue.tmdbImageByFile(url.pathname.split('/').pop()!);
    if (!img) throw new Error(`unknown TMDB image ${row.url}`);
    return img.pictureId;
  }
  const img = fakes.catalogue.fanartImageByPath(url.pathname.replace(/^\/fanart\//, ''));
  if (!img) throw new Error(`unknown Fanart image ${row.url}`);
  return img.pictureId;
}

beforeAll(async () => {
  fakes = await startFakeProviders({ seed: 1, movieCount: 6 });
  t = await makeTestEngine({
    env: {
      POSTERITY_TMDB_API_URL: fakes.tmdbApiUrl,
      POSTERITY_TMDB_API_KEY: fakes.tmdbApiKey,
      POSTERITY_FANART_API_URL: fakes.fanartApiUrl,
      POSTERITY_FANART_API_KEY: fakes.fanartApiKey,
    },
  });
  const s = t.engine.services;
  await s.settings.set('languages', ['fr', 'en']);
  await s.settings.set('autoselect.counts', { fanart: 3 });
  const root = t.tempDir('lib');
  itemIds = [];
  for (const movie of fakes.catalogue.movies) {
    const { itemId } = await seedItem(s, root, { title: movie.title, year: movie.year, tmdbId: movie.tmdbId });
    const enriched = await s.enrich.enrichItem(itemId);
    expect(enriched.state).not.toBe('failed');
    itemIds.push(itemId);
  }
}, 120_000);

afterAll(async () => {
  await t?.cleanup();
  await fakes?.close();
});

describe('auto-select over the fake catalogue', () => {
  it('chooses textless fanart, posters in the preferred languages and no picture twice; a second run changes nothing', async () => {
    const s = t.engine.services;
    const first = await t.client.call('artwork-autoselect', { all: true });
    expect(first.items).toBe(itemIds.length);
    expect(first.changes.length).toBeGreaterThan(0);
    expect(first.failed).toEqual([]);

    for (const itemId of itemIds) {
      const candidates = await s.db.selectFrom('candidates').selectAll().where('item_id', '=', itemId).execute();
      const byId = new Map(candidates.map((c) => [c.id, c]));
      const slots = await s.db.selectFrom('slots').selectAll().where('item_id', '=', itemId).execute();
      const eligible = (type: string) =>
        candidates.filter((c) => c.asset_type === type && !c.blocked && !JSON.stringify(c.score_breakdown).includes('below the minimum'));

      // Posters: the first of the user's languages any acceptable poster is in.
      const poster = slots.find((x) => x.asset_type === 'poster' && x.rank === 0);
      const posters = eligible('poster');
      if (posters.length > 0) {
        const wanted = ['fr', 'en'].find((lang) => posters.some((c) => c.language === lang));
        expect(byId.get(poster!.candidate_id!)!.language).toBe(wanted ?? expect.anything());
      }

      // Fanart: textless first, as many ranks as there are textless pictures.
      const fanartSlots = slots.filter((x) => x.asset_type === 'fanart').sort((a, b) => a.rank - b.rank);
      const textlessPictures = new Set(eligible('fanart').filter((c) => c.language === null).map(pictureOf));
      const chosenFanart = fanartSlots.map((x) => byId.get(x.candidate_id!)!);
      chosenFanart.slice(0, Math.min(3, textlessPictures.size)).forEach((c) => expect(c.language).toBeNull());

      // No picture twice within a type, whichever provider served it.
      for (const type of new Set(slots.map((x) => x.asset_type))) {
        const pictures = slots.filter((x) => x.asset_type === type).map((x) => pictureOf(byId.get(x.candidate_id!)!));
        expect(new Set(pictures).size).toBe(pictures.length);
      }

      // Every chosen image is in the cache.
      for (const slot of slots) expect(await s.cache.pathOf(slot.blob_sha!)).toBeTruthy();
    }

    const second = await t.client.call('artwork-autoselect', { all: true });
    expect(second.changes).toEqual([]);
    expect(second.downloaded).toBe(0);
  });

  it('groups the same picture from TMDB and Fanart.tv into one cluster', async () => {
    const s = t.engine.services;
    const rows = await s.db.selectFrom('candidates').selectAll().where('item_id', 'in', itemIds).execute();
    let checked = 0;
    for (const pair of fakes.catalogue.duplicatePairs()) {
      const same = rows.filter((r) => r.phash && pictureOf(r) === pair.pictureId);
      const providers = new Set(same.map((r) => r.provider));
      if (providers.size < 2) continue; // a type this test's enrichment does not map both ways
      expect(new Set(same.map((r) => r.cluster_id)).size).toBe(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
