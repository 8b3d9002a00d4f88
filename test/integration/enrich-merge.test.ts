import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFields, lockField, writeFields } from '../../main/core/db/fields-repo.ts';
import type { FakeMovie } from '../fakes/index.ts';
import { startEnrichFixture, type EnrichFixture } from './enrich-fixture.ts';

describe('metadata merge and candidates', () => {
  let f: EnrichFixture;
  beforeAll(async () => {
    f = await startEnrichFixture();
  });
  afterAll(async () => f.cleanup());

  const db = () => f.engine.services.db;
  const movie = (pred: (m: FakeMovie) => boolean): FakeMovie => {
    const m = f.fake.catalogue.movies.find(pred);
    if (!m) throw new Error('the catalogue has no such movie');
    return m;
  };
  const enrich = (itemIds: number[], force = false) => f.client.call('enrich', { itemIds, force });
  const candidateRows = (itemId: number) =>
    db().selectFrom('candidates').selectAll().where('item_id', '=', itemId).execute();

  it('writes TMDB metadata onto the item', async () => {
    const m = movie((x) => x.collection !== null && x.cast.length > 0 && x.certification !== '' && x.tagline !== '');
    const id = await f.addKnown(m);
    await enrich([id]);
    const fields = await getFields(db(), id);
    expect(fields).toMatchObject({
      title: m.title,
      originalTitle: m.originalTitle,
      year: m.year,
      releaseDate: m.releaseDate,
      plot: m.overview,
      tagline: m.tagline,
      runtime: m.runtime,
      genres: m.genres.map((g) => g.name),
      studios: m.studios.map((s) => s.name),
      countries: m.countries.map((c) => c.name),
      directors: m.directors.map((d) => d.name),
      certification: m.certification,
      collection: m.collection!.name,
      ratings: [{ source: 'themoviedb', value: m.vote_average, votes: m.vote_count, max: 10 }],
    });
    expect(fields.outline && m.overview.startsWith(fields.outline.replace(/…$/, ''))).toBe(true);
    expect(fields.writers).toEqual([...new Set(m.writers.map((w) => w.name))]);
    const first = [...m.cast].sort((a, b) => a.order - b.order)[0]!;
    expect(fields.cast?.[0]).toMatchObject({ name: first.name, role: first.character, order: 0, tmdbId: first.id });
    if (first.profile_path)
      expect(fields.cast?.[0]?.profileUrl).toBe(`${f.fake.tmdbImageBaseUrl}h632${first.profile_path}`);
    expect(await f.item(id)).toMatchObject({ imdb_id: m.imdbId, title: m.title, year: m.year, enrich_error: null });
  });

  it('never overwrites a locked field', async () => {
    const m = f.fake.catalogue.movies[3]!;
    const id = await f.addKnown(m);
    const now = f.clock.now();
    await writeFields(db(), id, { title: 'My Own Title', plot: 'My own words.' }, 'user', now);
    await writeFields(db(), id, { tagline: 'From my NFO' }, 'nfo', now);
    await lockField(db(), id, 'tagline', now);
    await enrich([id]);
    const fields = await getFields(db(), id);
    expect(fields).toMatchObject({
      title: 'My Own Title',
      plot: 'My own words.',
      tagline: 'From my NFO',
      originalTitle: m.originalTitle,
    });
    expect((await f.item(id)).title).toBe('My Own Title');
  });

  it("keeps what the user's own NFO says, fills what it leaves empty, and refreshes ratings and cast", async () => {
    const m = movie((x) => x.cast.length > 0 && x.tagline !== '' && x.genres.length > 0);
    const id = await f.addKnown(m);
    const now = f.clock.now();
    // As the scanner records a hand-written NFO.
    await writeFields(
      db(),
      id,
      {
        title: 'Mein eigener Titel',
        plot: 'My handwritten plot.',
        genres: ['Courtroom'],
        ratings: [{ source: 'imdb', value: 1, votes: 3, max: 10 }],
        cast: [{ name: 'Me Myself', role: 'Lead', order: 0, profileUrl: null, tmdbId: null }],
      },
      'nfo',
      now,
    );
    await enrich([id]);
    const fields = await getFields(db(), id);
    expect(fields).toMatchObject({
      title: 'Mein eigener Titel',
      plot: 'My handwritten plot.',
      genres: ['Courtroom'],
      // Left empty by the NFO: TMDB fills them.
      tagline: m.tagline,
      originalTitle: m.originalTitle,
      // Statistics go stale and TMDB's cast brings the actor pictures: those are refreshed.
      ratings: [{ source: 'themoviedb', value: m.vote_average, votes: m.vote_count, max: 10 }],
    });
    expect(fields.cast?.[0]?.name).not.toBe('Me Myself');
    expect((await f.item(id)).title).toBe('Mein eigener Titel');
  });

  it('collects every provider image once, and re-enrichment adds no duplicates', async () => {
    const m = movie((x) => x.fanartImages.length > 10 && x.tmdbImages.logos.length > 0);
    const id = await f.addKnown(m);
    const first = await f.client.call('identify', { itemId: id, tmdbId: m.tmdbId });
    const rows = await candidateRows(id);
    expect(rows.length).toBe(first.candidates.added);
    expect(rows.filter((r) => r.provider === 'tmdb')).toHaveLength(
      m.tmdbImages.posters.length + m.tmdbImages.backdrops.length + m.tmdbImages.logos.length,
    );
    expect(new Set(rows.map((r) => `${r.asset_type}/${r.provider}/${r.provider_image_id}`)).size).toBe(rows.length);

    f.clock.advance(60_000);
    const summary = await enrich([id], true);
    expect(summary.enriched).toBe(1);
    const again = await candidateRows(id);
    expect(again.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(again.every((r) => r.seen_at === f.clock.now() && r.gone_at === null)).toBe(true);
  });

  it('updates changed numbers, marks vanished images gone and keeps the ones a slot holds', async () => {
    const m = movie((x) => x.tmdbImages.backdrops.length >= 3 && x.fanartImages.length > 0);
    const id = await f.addKnown(m);
    await enrich([id]);
    const poster = m.tmdbImages.posters[0]!;
    const [removedA, removedB] = m.tmdbImages.backdrops.splice(0, 2);
    const savedVotes = poster.vote_count;
    poster.vote_count = savedVotes + 100;
    try {
      const held = await db()
        .selectFrom('candidates')
        .select('id')
        .where('item_id', '=', id)
        .where('provider_image_id', '=', removedA!.file_path.slice(1))
        .executeTakeFirstOrThrow();
      await db()
        .insertInto('slots')
        .values({
          item_id: id,
          asset_type: 'fanart',
          rank: 0,
          blob_sha: null,
          candidate_id: held.id,
          library_file_id: null,
          chosen_by: 'user',
          locked: 1,
          updated_at: f.clock.now(),
        })
        .execute();

      f.clock.advance(60_000);
      const result = await f.client.call('enrich', { itemIds: [id], force: true });
      expect(result.enriched).toBe(1);
      const rows = await candidateRows(id);
      const byFile = (p: string) => rows.find((r) => r.provider === 'tmdb' && r.provider_image_id === p.slice(1))!;
      expect(byFile(poster.file_path).vote_count).toBe(savedVotes + 100);
      expect(byFile(removedA!.file_path).gone_at).toBe(f.clock.now());
      expect(byFile(removedB!.file_path).gone_at).toBe(f.clock.now());
      const slot = await db().selectFrom('slots').selectAll().where('item_id', '=', id).executeTakeFirstOrThrow();
      expect(slot.candidate_id).toBe(held.id);
      const listed = await f.client.call('candidates-list', { itemId: id, type: 'fanart' });
      expect(listed.find((c) => c.id === held.id)).toMatchObject({ gone: true });
    } finally {
      m.tmdbImages.backdrops.unshift(removedA!, removedB!);
      poster.vote_count = savedVotes;
    }
    // Back in the listing: no longer gone, same rows.
    f.clock.advance(60_000);
    await enrich([id], true);
    const rows = await candidateRows(id);
    expect(rows.filter((r) => r.gone_at !== null)).toHaveLength(0);
  });

  it('serves a repeated run from the cache, and a forced run asks again', async () => {
    const m = f.fake.catalogue.movies[5]!;
    const id = await f.addKnown(m);
    await enrich([id]);
    const cached = await enrich([id]);
    expect(cached.requests).toBe(0);
    f.clock.advance(1000);
    const forced = await enrich([id], true);
    expect(forced.requests).toBeGreaterThanOrEqual(2);
  });

  it('an unmonitored item gets metadata but no new candidates', async () => {
    const m = movie((x) => x.tmdbImages.posters.length > 0 && x.title !== 'Harbor Lights');
    const id = await f.addKnown(m, { monitored: false });
    const summary = await enrich([id]);
    expect(summary.enriched).toBe(1);
    expect((await getFields(db(), id)).plot).toBe(m.overview);
    expect(await candidateRows(id)).toHaveLength(0);
  });

  it('lists candidates by type as stored rows', async () => {
    const m = movie((x) => x.fanartImages.some((i) => i.type === 'moviedisc'));
    const id = await f.addKnown(m);
    await enrich([id]);
    const discs = await f.client.call('candidates-list', { itemId: id, type: 'discart' });
    expect(discs.length).toBe(m.fanartImages.filter((i) => i.type === 'moviedisc').length);
    expect(
      discs.every((c) => c.type === 'discart' && c.provider === 'fanart' && c.previewUrl?.includes('/preview/')),
    ).toBe(true);
    expect(discs[0]).toMatchObject({ blocked: false, gone: false, blobSha: null });
  });

  it('scores new candidates as it stores them, so they list best first', async () => {
    const m = movie(
      (x) => x.tmdbImages.posters.length + x.fanartImages.filter((i) => i.type === 'movieposter').length > 2,
    );
    const id = await f.addKnown(m);
    await enrich([id]);
    const posters = await f.client.call('candidates-list', { itemId: id, type: 'poster' });
    expect(posters.length).toBeGreaterThan(2);
    const scores = posters.map((c) => c.score);
    expect(scores.every((x) => typeof x === 'number' && x >= 0 && x <= 100)).toBe(true);
    expect(scores).toEqual([...scores].sort((a, b) => b! - a!));
    expect(posters[0]!.scoreBreakdown?.length).toBeGreaterThan(0);
  });
});
