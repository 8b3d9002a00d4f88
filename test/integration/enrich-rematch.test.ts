import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/engine.ts';
import { fromJson } from '../../main/core/db/database.ts';
import { getSlots, setSlot } from '../../main/core/select/slots-repo.ts';
import type { MatchChoice } from '../../shared/api/enrich.ts';
import type { FakeMovie } from '../fakes/index.ts';
import { startEnrichFixture, type EnrichFixture } from './enrich-fixture.ts';

describe('matching, re-matching and movies without art, against the fake providers', () => {
  let f: EnrichFixture;
  beforeAll(async () => {
    f = await startEnrichFixture();
  });
  afterAll(async () => f.cleanup());

  const movies = (pred: (m: FakeMovie) => boolean): FakeMovie[] => f.fake.catalogue.movies.filter(pred);

  /** Runs the CLI against the test engine, capturing its output. */
  const run = (...argv: string[]) => runCli(f.engine, argv);

  it('says a problem every item shares once, naming the items', async () => {
    const known = movies((m) => m.fanartImages.length > 0).slice(10, 13);
    const ids: number[] = [];
    for (const m of known) ids.push(await f.addKnown(m));
    await f.engine.services.settings.set('fanart.apiKey', 'not-the-right-key');
    try {
      const r = await run('enrich', ...ids.map(String), '--force');
      const refused = r.stdout.split('\n').filter((l) => /Fanart\.tv API key was rejected/.test(l));
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(new RegExp(`^  items ${ids.join(', ')}: Your Fanart\\.tv API key was rejected`));
    } finally {
      await f.engine.services.settings.set('fanart.apiKey', f.fake.fanartApiKey);
    }
  });

  it('finds a title listed with "&" from a folder that spells it "and"', async () => {
    const [zoe] = movies((m) => m.title === 'Zoë & the Machine');
    const id = await f.addItem({ title: 'Zoe and the Machine', year: zoe!.year });
    await f.client.call('enrich', { itemIds: [id] });
    expect(await f.item(id)).toMatchObject({ tmdb_id: zoe!.tmdbId, state: 'enriched' });
  });

  it('does not take a sequel for the movie without asking', async () => {
    const [sequel] = movies((m) => m.title === 'Harbor Lights 2');
    const [first] = movies((m) => m.title === 'Harbor Lights');
    // The folder says "Harbor Lights (1997)": the first film (1994) or its sequel (1997)?
    const id = await f.addItem({ title: 'Harbor Lights', year: sequel!.year });
    const result = await f.engine.services.enrich.enrichItem(id);
    expect(result.state).toBe('needs_match');
    expect(result.reason).toContain('the numbers in the titles differ');
    expect(result.reason).toContain('"Harbor Lights 2" has the number 2, "Harbor Lights" no number');
    const item = await f.item(id);
    expect(item).toMatchObject({ state: 'needs_match', tmdb_id: null });
    const choices = fromJson<MatchChoice[]>(item.match_choices, []).map((c) => c.tmdbId);
    expect(choices).toEqual(expect.arrayContaining([sequel!.tmdbId, first!.tmdbId]));

    // The same number still matches by itself.
    const numbered = await f.addItem({ title: 'Harbor Lights 2', year: sequel!.year });
    expect(await f.engine.services.enrich.enrichItem(numbered)).toMatchObject({
      state: 'enriched',
      tmdbId: sequel!.tmdbId,
    });
  });

  it('a new match counts the old candidates as gone and empties only their automatic choices', async () => {
    const [a, b] = movies((m) => m.title === 'Frontier of Marrow Creek');
    const id = await f.addKnown(a!);
    await f.client.call('enrich', { itemIds: [id] });
    const old = await f.client.call('candidates-list', { itemId: id });
    const posters = old.filter((c) => c.type === 'poster');
    const fanarts = old.filter((c) => c.type === 'fanart');
    expect(posters.length).toBeGreaterThanOrEqual(2);
    expect(fanarts.length).toBeGreaterThanOrEqual(1);
    const s = f.engine.services;
    const now = s.clock.now();
    const write = (
      type: 'poster' | 'fanart',
      rank: number,
      candidateId: number,
      chosenBy: 'auto' | 'user',
      locked: boolean,
    ) => setSlot(s.db, { itemId: id, type, rank, candidateId, blobSha: null, chosenBy, locked }, now);
    await write('poster', 0, posters[0]!.id, 'auto', false);
    await write('fanart', 0, fanarts[0]!.id, 'user', true);
    await write('poster', 1, posters[1]!.id, 'auto', true);

    f.clock.advance(60_000);
    const result = await f.client.call('identify', { itemId: id, tmdbId: b!.tmdbId });
    expect(result.state).toBe('enriched');
    expect(result.candidates.gone).toBe(old.length);
    expect(result.warnings.join('\n')).toContain('Emptied 1 automatic choice of the previous match');

    // The unlocked automatic poster is gone; the user's fanart and the locked poster stay.
    const slots = await getSlots(s.db, id);
    expect(slots.map((x) => [x.type, x.rank, x.candidateId, x.chosenBy])).toEqual([
      ['fanart', 0, fanarts[0]!.id, 'user'],
      ['poster', 1, posters[1]!.id, 'auto'],
    ]);

    // A candidate of the previous match cannot be chosen.
    await expect(
      f.client.call('artwork-select', { itemId: id, type: 'poster', candidateId: posters[0]!.id }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`Candidate ${posters[0]!.id} is gone: it belongs to the previous match`),
    });

    // The CLI summary says how many went.
    const again = await run('identify', String(id), '--tmdb', String(a!.tmdbId));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/candidates: \d+ new, \d+ updated, [1-9]\d* gone/);
  });

  it('says the providers have no artwork instead of "run enrich first"', async () => {
    const [bare] = movies((m) => m.title === 'Untitled Workshop Short');
    const id = await f.addKnown(bare!);
    const before = await run('candidates', String(id));
    expect(before.stdout).toContain(`No artwork candidates yet (run \`posterity enrich ${id}\` first).`);

    await f.client.call('enrich', { itemIds: [id] });
    expect((await f.item(id)).state).toBe('enriched');
    const when = new Date(f.clock.now()).toISOString().slice(0, 16).replace('T', ' ');
    const after = await run('candidates', String(id));
    expect(after.code).toBe(0);
    expect(after.stdout).toContain(`The providers have no artwork for this movie (asked ${when} UTC).`);
    expect(after.stdout).not.toContain('run `posterity enrich');
    const typed = await run('candidates', String(id), '--type', 'poster');
    expect(typed.stdout).toContain('The providers have no poster artwork for this movie');
    const art = await run('artwork', String(id));
    expect(art.stdout).toContain('The providers have no artwork for this movie');
    // Scripts still get an empty list.
    expect(JSON.parse((await run('--json', 'candidates', String(id))).stdout)).toEqual([]);
  });
});
