import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jpeg, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Replacing a user's original and changing one's mind: the original picture comes back. */
describe('using a replaced original again', () => {
  let f: ScanFixture | undefined;
  afterEach(async () => f?.cleanup());

  it('brings the replaced poster back as the chosen image, and publishing writes it again', async () => {
    const original = await jpeg(1000, 1500, 11);
    f = await scanFixture({ 'Heat (1995)/Heat.mkv': { size: 1000 }, 'Heat (1995)/poster.jpg': original });
    await f.scan();
    const item = await f.byFolder('Heat (1995)');
    const poster = path.join(f.root, 'Heat (1995)', 'poster.jpg');
    const mine = path.join(f.tempDir('mine'), 'mine.jpg');
    const newer = await jpeg(1000, 1500, 12);
    writeFileSync(mine, newer);
    await f.client.call('cache-import', { itemId: item.id, type: 'poster', file: mine });
    await f.client.call('publish', { itemIds: [item.id] });
    expect(sha(readFileSync(poster))).toBe(sha(newer));

    const [entry] = (await f.client.call('recycle-list', {})).filter((e) => e.sha256 === sha(original));
    expect(entry).toMatchObject({ kind: 'library-file', itemId: item.id, originalPath: poster });
    // Restoring in place is refused: the newer choice's file is there.
    await expect(f.client.call('recycle-restore', { id: entry!.id })).rejects.toMatchObject({ code: 'conflict' });

    const reused = await f.client.call('recycle-reuse', { id: entry!.id });
    expect(reused).toMatchObject({ itemId: item.id, type: 'poster', rank: 0, blob: { sha256: sha(original) } });
    const slot = (await f.detail(item.id)).slots.find((s) => s.assetType === 'poster' && s.rank === 0)!;
    expect(slot).toMatchObject({ blobSha: sha(original), chosenBy: 'user', locked: true });

    await f.client.call('publish', { itemIds: [item.id] });
    expect(sha(readFileSync(poster))).toBe(sha(original));
    // Nothing lost on the way: the newer picture is still in the cache, the original's copy in the bin.
    expect(await f.client.call('cache-blob', { sha256: sha(newer) })).toMatchObject({ state: 'available' });
    expect((await f.client.call('recycle-list', {})).map((e) => e.sha256)).toContain(sha(original));
  });

  it('refuses an entry that is not a picture of a movie, saying why', async () => {
    f = await scanFixture({
      'Heat (1995)/Heat.mkv': { size: 1000 },
      'Heat (1995)/Heat.nfo': '<movie><title>Heat</title></movie>',
    });
    await f.scan();
    const entry = await f.engine.services.cache.recycle.put(path.join(f.root, 'Heat (1995)', 'Heat.nfo'), {
      itemId: (await f.byFolder('Heat (1995)')).id,
      reason: 'test',
      kind: 'library-file',
    });
    await expect(f.client.call('recycle-reuse', { id: entry.id })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/Heat\.nfo is not named as artwork/),
    });
    await expect(f.client.call('recycle-reuse', { id: 9999 })).rejects.toMatchObject({ code: 'not_found' });
  });
});
