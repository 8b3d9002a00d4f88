import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/api/errors.ts';
import { renderPicture } from '../fakes/images.ts';
import { DOORS, openDoor, type DoorFixture } from '../helpers/doors.ts';
import { addCandidate, seedItem, startImageHost, type ImageHost } from '../integration/select-fixtures.ts';

let host: ImageHost;
beforeAll(async () => {
  host = await startImageHost();
});
afterAll(async () => host.close());

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ApiError);

describe.each(DOORS)('artwork API through the %s door', (door) => {
  let f: DoorFixture;
  afterEach(async () => f?.cleanup());

  async function setup() {
    f = await openDoor(door);
    const s = f.engine.services;
    const { itemId } = await seedItem(s, f.tempDir('lib'));
    const other = await seedItem(s, f.tempDir('lib2'), { title: 'Other Movie' });
    const bytes = await renderPicture('poster.t.c0ffee123456', 1000, 1500, 'jpeg', 85);
    const url = host.put(`${door}-poster.jpg`, bytes);
    const poster = await addCandidate(s, itemId, { asset_type: 'poster', url, width: 1000, height: 1500, language: 'en' });
    const fanart = await addCandidate(s, itemId, { asset_type: 'fanart', url, width: 1920, height: 1080 });
    const foreign = await addCandidate(s, other.itemId, { asset_type: 'poster', url, width: 1000, height: 1500 });
    return { itemId, otherItemId: other.itemId, poster, fanart, foreign };
  }

  it('lists an item\'s artwork per type with scores and breakdowns', async () => {
    const { itemId, poster } = await setup();
    const view = await f.api.call('item-artwork', { itemId });
    expect(view.itemId).toBe(itemId);
    expect(view.types.map((t) => t.type)).toContain('poster');
    const posters = view.types.find((t) => t.type === 'poster')!;
    expect(posters.count).toBe(1);
    expect(posters.clusters[0]!.best).toMatchObject({ id: poster, provider: 'tmdb', blocked: false, selectedRanks: [] });
    expect(posters.clusters[0]!.best.breakdown.map((l) => l.factor)).toEqual(['language', 'resolution', 'aspect', 'community', 'provider']);
    expect(posters.clusters[0]!.best.score).toBeGreaterThan(50);
    const only = await f.api.call('item-artwork', { itemId, type: 'fanart' });
    expect(only.types.map((t) => t.type)).toEqual(['fanart']);
  });

  it('selects, locks, unlocks, blocks and unblocks', async () => {
    const { itemId, poster, fanart } = await setup();
    const selected = await f.api.call('artwork-select', { itemId, type: 'poster', candidateId: poster });
    expect(selected.slot).toMatchObject({ type: 'poster', rank: 0, chosenBy: 'user', locked: true, candidateId: poster });
    expect(selected.downloaded).toBe(true);
    expect(selected.slot.blobSha).toMatch(/^[0-9a-f]{64}$/);

    const unlocked = await f.api.call('artwork-unlock', { itemId, type: 'poster' });
    expect(unlocked).toMatchObject({ changed: 1, slots: [{ locked: false }] });
    const locked = await f.api.call('artwork-lock', { itemId, type: 'poster', rank: 0 });
    expect(locked).toMatchObject({ changed: 1, slots: [{ locked: true }] });

    // A locked choice cannot be blocked from under the user.
    expect(await failure(f.api.call('candidate-block', { candidateId: poster }))).toMatchObject({ code: 'conflict', field: 'candidateId' });
    const blocked = await f.api.call('candidate-block', { candidateId: fanart });
    expect(blocked).toMatchObject({ candidateId: fanart, itemId, blocked: true, clearedSlots: [] });
    expect(await failure(f.api.call('artwork-select', { itemId, type: 'fanart', candidateId: fanart }))).toMatchObject({ code: 'conflict' });
    expect(await f.api.call('candidate-unblock', { candidateId: fanart })).toMatchObject({ blocked: false });
  });

  it('auto-selects and reports what changed', async () => {
    const { itemId, poster, fanart } = await setup();
    const first = await f.api.call('artwork-autoselect', { itemIds: [itemId] });
    expect(first.items).toBe(1);
    expect(first.changes).toEqual([
      { itemId, type: 'poster', rank: 0, from: null, to: poster },
      { itemId, type: 'fanart', rank: 0, from: null, to: fanart },
    ]);
    expect(first.downloaded).toBe(2);
    expect((await f.api.call('artwork-autoselect', { itemIds: [itemId] })).changes).toEqual([]);
    const all = await f.api.call('artwork-autoselect', { all: true });
    expect(all.items).toBe(2);
  });

  it('edits and locks metadata fields', async () => {
    const { itemId } = await setup();
    expect(await f.api.call('field-set', { itemId, field: 'title', value: 'My Title' })).toEqual({
      itemId,
      field: 'title',
      value: 'My Title',
      locked: true,
    });
    expect(await f.api.call('field-unlock', { itemId, field: 'title' })).toMatchObject({ locked: false, value: 'My Title' });
    expect(await f.api.call('field-lock', { itemId, field: 'genres' })).toMatchObject({ field: 'genres', locked: true, value: null });
    await f.api.call('field-set', { itemId, field: 'genres', value: ['Drama', 'Mystery'] });
    expect((await f.api.call('field-set', { itemId, field: 'year', value: 1999 })).value).toBe(1999);
  });

  it('refuses bad input with clear errors', async () => {
    const { itemId, otherItemId, poster, foreign } = await setup();
    const cases: [Promise<unknown>, { code: string; field?: string }, RegExp][] = [
      [f.api.call('item-artwork', { itemId: 9999 }), { code: 'not_found', field: 'itemId' }, /no item 9999/],
      [f.api.call('artwork-select', { itemId, type: 'thumbnail' as never, candidateId: poster }), { code: 'bad_request', field: 'type' }, /Unknown artwork type/],
      [f.api.call('artwork-select', { itemId, type: 'poster', candidateId: foreign }), { code: 'bad_request', field: 'candidateId' }, new RegExp(`belongs to item ${otherItemId}`)],
      [f.api.call('artwork-select', { itemId, type: 'fanart', candidateId: poster }), { code: 'bad_request', field: 'candidateId' }, /is a poster, not a fanart/],
      [f.api.call('artwork-select', { itemId, type: 'poster', candidateId: 424242 }), { code: 'not_found', field: 'candidateId' }, /no candidate/],
      [f.api.call('artwork-select', { itemId, type: 'poster', candidateId: poster, rank: 10 }), { code: 'bad_request', field: 'rank' }, /below 10/],
      [f.api.call('artwork-lock', { itemId, type: 'banner' }), { code: 'conflict' }, /Nothing is chosen for banner/],
      [f.api.call('field-lock', { itemId, field: 'colour' }), { code: 'bad_request', field: 'field' }, /Unknown field "colour"; the fields are title, /],
      [f.api.call('field-set', { itemId, field: 'year', value: 'soon' }), { code: 'bad_request', field: 'value' }, /year/i],
      [f.api.call('field-set', { itemId, field: 'genres', value: 'Drama' }), { code: 'bad_request', field: 'value' }, /genres/i],
      [f.api.call('field-set', { itemId, field: 'title', value: '  ' }), { code: 'bad_request', field: 'value' }, /a title cannot be empty/],
      [f.api.call('field-set', { itemId, field: 'year', value: 99999 }), { code: 'bad_request', field: 'value' }, /year: too far ahead/],
      [f.api.call('field-set', { itemId, field: 'runtime', value: -5 }), { code: 'bad_request', field: 'value' }, /more than 0 minutes/],
      [f.api.call('field-set', { itemId, field: 'releaseDate', value: 'not a date' }), { code: 'bad_request', field: 'value' }, /YYYY-MM-DD/],
      [f.api.call('field-set', { itemId, field: 'releaseDate', value: '2001-02-30' }), { code: 'bad_request', field: 'value' }, /not a real date/],
      [f.api.call('artwork-autoselect', {}), { code: 'bad_request', field: 'itemIds' }, /itemIds or all/],
      [f.api.call('artwork-autoselect', { itemIds: [itemId, 777] }), { code: 'not_found', field: 'itemIds' }, /777/],
      [f.api.call('candidate-block', { candidateId: 0 }), { code: 'bad_request', field: 'candidateId' }, /./],
    ];
    for (const [call, shape, message] of cases) {
      const err = await failure(call);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject(shape);
      expect(err!.message).toMatch(message);
    }
  });
});
