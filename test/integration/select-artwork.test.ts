import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hammingDistance, perceptualHash } from '../../main/core/select/phash.ts';
import { renderPicture } from '../fakes/images.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addCandidate, addOriginal, seedItem, startImageHost, type ImageHost } from './select-fixtures.ts';

const POSTER_A = 'poster.t.a1b2c3d4e5f6';
const POSTER_B = 'poster.t.0f9e8d7c6b5a';
const FANART_A = 'backdrop.n.1234567890ab';
const FANART_B = 'backdrop.t.ba0987654321';

let host: ImageHost;
let t: TestEngine;

beforeAll(async () => {
  host = await startImageHost();
});
afterAll(async () => host.close());
afterEach(async () => t?.cleanup());

/** Re-encodes an image smaller and at a lower JPEG quality: what another provider serves. */
async function recompress(bytes: Buffer, width: number, height: number, quality: number): Promise<Buffer> {
  return sharp(bytes).resize(width, height, { fit: 'fill' }).jpeg({ quality }).toBuffer();
}

describe('perceptual hashes on real images', () => {
  it('finds a resized, recompressed copy close and a different poster of the film far', async () => {
    const a = await renderPicture(POSTER_A, 1000, 1500, 'jpeg', 92);
    const copy = await recompress(a, 342, 513, 60);
    const b = await renderPicture(POSTER_B, 1000, 1500, 'jpeg', 92);
    const [ha, hc, hb] = await Promise.all([a, copy, b].map((x) => perceptualHash(sharp(x))));
    expect(hammingDistance(ha!, hc!)).toBeLessThanOrEqual(8);
    expect(hammingDistance(ha!, hb!)).toBeGreaterThan(20);
  });
});

describe('previews, hashes and clusters', () => {
  it('groups a provider copy with its original and keeps two different posters apart', async () => {
    t = await makeTestEngine();
    const s = t.engine.services;
    const { itemId, folder } = await seedItem(s, t.tempDir('lib'));
    const a = await renderPicture(POSTER_A, 1000, 1500, 'jpeg', 92);
    const b = await renderPicture(POSTER_B, 1000, 1500, 'jpeg', 92);
    const tmdbA = await addCandidate(s, itemId, {
      asset_type: 'poster',
      url: host.put('t/a.jpg', a),
      preview_url: host.put('t/a-342.jpg', await recompress(a, 342, 513, 75)),
      width: 1000,
      height: 1500,
      language: 'en',
      vote_average: 5.6,
      vote_count: 12,
    });
    const fanartA = await addCandidate(s, itemId, {
      asset_type: 'poster',
      provider: 'fanart',
      url: host.put('f/a.jpg', await recompress(a, 1000, 1426, 80)),
      preview_url: host.put('f/a-200.jpg', await recompress(a, 200, 285, 60)),
      width: 1000,
      height: 1426,
      language: 'en',
      likes: 2,
    });
    const tmdbB = await addCandidate(s, itemId, {
      asset_type: 'poster',
      url: host.put('t/b.jpg', b),
      preview_url: host.put('t/b-342.jpg', await recompress(b, 342, 513, 75)),
      width: 1000,
      height: 1500,
      language: 'en',
    });
    // The user's own poster is a copy of A they saved long ago.
    await addOriginal(s, itemId, folder, 'poster', await recompress(a, 680, 1020, 55), { width: 680, height: 1020 });

    const rescored = await t.client.call('artwork-rescore', { itemId });
    expect(rescored.previews).toEqual({ fetched: 3, failed: 0 });

    const rows = await s.db.selectFrom('candidates').selectAll().where('item_id', '=', itemId).orderBy('id').execute();
    for (const row of rows) {
      expect(row.phash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.preview_sha).toMatch(/^[0-9a-f]{64}$/);
      expect(row.score).toBeGreaterThan(0);
      expect(JSON.parse(row.score_breakdown!)).toHaveLength(5);
      // The preview is kept in the cache so the picker works offline.
      expect(existsSync((await s.cache.pathOf(row.preview_sha!))!)).toBe(true);
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(fanartA)!.cluster_id).toBe(byId.get(tmdbA)!.cluster_id);
    expect(byId.get(tmdbB)!.cluster_id).not.toBe(byId.get(tmdbA)!.cluster_id);

    const view = await t.client.call('item-artwork', { itemId, type: 'poster' });
    const posters = view.types[0]!;
    expect(posters.clusters).toHaveLength(2);
    const clusterA = posters.clusters.find((c) => c.best.id === tmdbA || c.best.id === fanartA)!;
    expect([clusterA.best.id, ...clusterA.alsoOn.map((m) => m.id)].sort()).toEqual([tmdbA, fanartA].sort());
    expect(clusterA.alsoOn[0]!.provider).not.toBe(clusterA.best.provider);
    expect(clusterA.matchesOriginal).toBe(true);
    const clusterB = posters.clusters.find((c) => c.best.id === tmdbB)!;
    expect(clusterB.matchesOriginal).toBe(false);
    expect(posters.originals[0]!.hashed).toBe(true);
    expect(posters.slots[0]!.chosenBy).toBe('original');
  });

  it('keeps a candidate whose preview fails with "no hash", scored but not grouped', async () => {
    t = await makeTestEngine();
    const s = t.engine.services;
    const { itemId } = await seedItem(s, t.tempDir('lib'));
    const a = await renderPicture(FANART_A, 1280, 720, 'jpeg', 85);
    const ok = await addCandidate(s, itemId, {
      asset_type: 'fanart',
      url: host.put('fa.jpg', a),
      preview_url: host.put('fa-300.jpg', await recompress(a, 300, 169, 70)),
      width: 1920,
      height: 1080,
    });
    const missing = await addCandidate(s, itemId, {
      asset_type: 'fanart',
      url: host.put('fa-copy.jpg', a),
      preview_url: host.fail('gone.jpg', 404),
      width: 1920,
      height: 1080,
    });
    const html = await addCandidate(s, itemId, {
      asset_type: 'fanart',
      url: host.put('fa-copy2.jpg', a),
      preview_url: host.put('not-an-image.jpg', Buffer.from('<html>login</html>'), 'image/jpeg'),
      width: 1920,
      height: 1080,
    });
    const result = await t.client.call('artwork-rescore', { itemId });
    expect(result.previews).toEqual({ fetched: 1, failed: 2 });
    const view = await t.client.call('item-artwork', { itemId, type: 'fanart' });
    const entries = view.types[0]!.clusters;
    // Same picture, but without hashes the two cannot be recognised: three entries, all scored.
    expect(entries).toHaveLength(3);
    for (const id of [missing, html]) {
      const c = entries.find((e) => e.best.id === id)!.best;
      expect(c.hashError).toMatch(/^no hash/);
      expect(c.score).toBeGreaterThan(0);
    }
    expect(entries.find((e) => e.best.id === ok)!.best.hashError).toBeNull();
    // A second run does not hammer the broken previews again…
    await t.client.call('artwork-rescore', { itemId });
    expect(host.hits('gone.jpg')).toBe(1);
    // …unless asked to.
    await t.client.call('artwork-rescore', { itemId, retryFailed: true });
    expect(host.hits('gone.jpg')).toBe(2);
  });
});

describe('choosing by hand', () => {
  it('locks the slot, downloads the image into the cache and survives auto-select', async () => {
    t = await makeTestEngine();
    const s = t.engine.services;
    const { itemId } = await seedItem(s, t.tempDir('lib'));
    const a = await renderPicture(FANART_A, 1920, 1080, 'jpeg', 85);
    const b = await renderPicture(FANART_B, 1920, 1080, 'jpeg', 85);
    const best = await addCandidate(s, itemId, { asset_type: 'fanart', url: host.put('sel-a.jpg', a), width: 1920, height: 1080, vote_average: 6, vote_count: 50 });
    const worse = await addCandidate(s, itemId, { asset_type: 'fanart', url: host.put('sel-b.jpg', b), width: 1920, height: 1080, language: 'en' });

    const chosen = await t.client.call('artwork-select', { itemId, type: 'fanart', candidateId: worse });
    expect(chosen.downloaded).toBe(true);
    expect(chosen.downloadError).toBeNull();
    expect(chosen.slot).toMatchObject({ chosenBy: 'user', locked: true, candidateId: worse, width: 1920, height: 1080 });
    expect(existsSync((await s.cache.pathOf(chosen.slot.blobSha!))!)).toBe(true);

    const auto = await t.client.call('artwork-autoselect', { itemIds: [itemId] });
    expect(auto.changes).toEqual([]);
    const [slot] = (await t.client.call('item-artwork', { itemId, type: 'fanart' })).types[0]!.slots;
    expect(slot).toMatchObject({ candidateId: worse, locked: true });

    await t.client.call('artwork-unlock', { itemId, type: 'fanart' });
    const again = await t.client.call('artwork-autoselect', { itemIds: [itemId] });
    expect(again.changes).toEqual([{ itemId, type: 'fanart', rank: 0, from: worse, to: best }]);
    expect(again.downloaded).toBe(1);
  });

  it('keeps the choice when the download fails and says why', async () => {
    t = await makeTestEngine();
    const s = t.engine.services;
    const { itemId } = await seedItem(s, t.tempDir('lib'));
    const c = await addCandidate(s, itemId, { asset_type: 'poster', url: host.fail('broken-full.jpg', 404), width: 1000, height: 1500 });
    const r = await t.client.call('artwork-select', { itemId, type: 'poster', candidateId: c });
    expect(r.downloaded).toBe(false);
    expect(r.downloadError).toBeTruthy();
    expect(r.slot).toMatchObject({ candidateId: c, blobSha: null, locked: true });
  });

  it('works for unmonitored items, where automation does nothing', async () => {
    t = await makeTestEngine();
    const s = t.engine.services;
    const { itemId } = await seedItem(s, t.tempDir('lib'), { monitored: false });
    const a = await renderPicture(POSTER_A, 1000, 1500, 'jpeg', 85);
    const c = await addCandidate(s, itemId, {
      asset_type: 'poster',
      url: host.put('unmon.jpg', a),
      preview_url: host.put('unmon-prev.jpg', await recompress(a, 342, 513, 70)),
      width: 1000,
      height: 1500,
    });
    const auto = await t.client.call('artwork-autoselect', { itemIds: [itemId] });
    expect(auto).toMatchObject({ items: 0, unmonitored: [itemId], changes: [], downloaded: 0 });
    expect(host.hits('unmon.jpg') + host.hits('unmon-prev.jpg')).toBe(0);
    expect(await s.db.selectFrom('blobs').select('sha256').execute()).toEqual([]);

    const picked = await t.client.call('artwork-select', { itemId, type: 'poster', candidateId: c });
    expect(picked.downloaded).toBe(true);
  });
});
