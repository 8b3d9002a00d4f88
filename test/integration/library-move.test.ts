import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jpeg, scanFixture, type ScanFixture } from './scan-fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A disk swap: the library is copied to a new disk, the old one is gone. */
describe('moving a library to a new folder', () => {
  let f: ScanFixture | undefined;
  afterEach(async () => f?.cleanup());

  it('keeps every item with its choices and locks, and a rebuild fills the new folder', async () => {
    const poster = await jpeg(1000, 1500, 31);
    f = await scanFixture({
      'Heat (1995)/Heat.mkv': { size: 1000 },
      'Heat (1995)/poster.jpg': poster,
      'Ronin (1998)/Ronin.mkv': { size: 1001 },
    });
    await f.scan();
    const before = await f.items();
    const heat = await f.byFolder('Heat (1995)');
    const mine = path.join(f.tempDir('mine'), 'fanart.jpg');
    const fanart = await jpeg(1920, 1080, 32);
    writeFileSync(mine, fanart);
    await f.client.call('cache-import', { itemId: heat.id, type: 'fanart', file: mine });
    await f.client.call('field-set', { itemId: heat.id, field: 'plot', value: 'My own words.' });
    await f.client.call('publish', { all: true });

    // The new disk gets the videos only: the art is lost in the copy.
    const newRoot = f.tempDir('new-disk');
    for (const folder of ['Heat (1995)', 'Ronin (1998)']) {
      mkdirSync(path.join(newRoot, folder));
      for (const name of readdirSync(path.join(f.root, folder)).filter((n) => n.endsWith('.mkv')))
        cpSync(path.join(f.root, folder, name), path.join(newRoot, folder, name));
    }
    rmSync(f.root, { recursive: true });

    const moved = await f.client.call('library-move', { id: f.libraryId, path: newRoot });
    expect(moved.path).toBe(newRoot);
    const rescan = await f.client.call('scan', { libraryId: f.libraryId });
    expect(rescan).toMatchObject({ added: 0, missing: 0 });
    expect((await f.items()).map((i) => [i.id, i.title])).toEqual(before.map((i) => [i.id, i.title]));
    const detail = await f.detail(heat.id);
    expect(detail.folder).toBe(path.join(newRoot, 'Heat (1995)'));
    expect(detail.slots.find((x) => x.assetType === 'fanart')).toMatchObject({ chosenBy: 'user', locked: true });
    expect(detail.lockedFields).toContain('plot');

    const rebuilt = await f.client.call('rebuild', {});
    expect(rebuilt.errors).toEqual([]);
    const folder = path.join(newRoot, 'Heat (1995)');
    expect(sha(readFileSync(path.join(folder, 'fanart.jpg')))).toBe(sha(fanart));
    // The user's own poster too: publishing had kept a copy in the cache.
    expect(sha(readFileSync(path.join(folder, 'poster.jpg')))).toBe(sha(poster));
  });

  it('refuses a folder that does not exist or overlaps another library', async () => {
    f = await scanFixture({ 'Heat (1995)/Heat.mkv': { size: 1000 } });
    await expect(
      f.client.call('library-move', { id: f.libraryId, path: path.join(f.root, '..', 'nowhere') }),
    ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/No such folder/) });
    const other = await f.client.call('library-add', { path: f.tempDir('other') });
    await expect(
      f.client.call('library-move', { id: f.libraryId, path: path.join(other.path) }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect((await f.client.call('library-list', {})).find((l) => l.id === f!.libraryId)!.path).toBe(f.root);
  });
});
