import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DOORS, openDoor, type DoorFixture } from '../helpers/doors.ts';
import { makeItem, picture } from '../integration/cache-fixtures.ts';

const DAY = 24 * 60 * 60 * 1000;

describe.each(DOORS)('cache and recycle API through the %s door', (door) => {
  let f: DoorFixture;
  afterEach(async () => f?.cleanup());

  async function imageFile(name = 'mine.jpg', width = 700, height = 1050): Promise<string> {
    const file = path.join(f.tempDir('uploads'), name);
    writeFileSync(file, await picture(name, width, height));
    return file;
  }

  it('imports a user image as a locked, user-chosen slot and describes the blob', async () => {
    f = await openDoor(door);
    const itemId = await makeItem(f);
    const file = await imageFile();
    const r = await f.api.call('cache-import', { itemId, type: 'poster', file });
    expect(r.slot).toMatchObject({ itemId, type: 'poster', rank: 0, blobSha: r.blob.sha256, chosenBy: 'user', locked: true, candidateId: null });
    expect(r.blob).toMatchObject({ ext: 'jpg', width: 700, height: 1050, state: 'available', area: 'assets' });
    expect(r.blob.sources).toEqual([{ provider: 'upload', source: file, addedAt: f.clock.now() }]);
    expect(await f.api.call('cache-blob', { sha256: r.blob.sha256 })).toEqual(r.blob);

    // A second import replaces the image in the same slot; it stays locked.
    const second = await f.api.call('cache-import', { itemId, type: 'poster', file: await imageFile('other.jpg') });
    expect(second.slot).toMatchObject({ rank: 0, locked: true });
    expect(second.blob.sha256).not.toBe(r.blob.sha256);
  });

  it('refuses bad imports with the field at fault', async () => {
    f = await openDoor(door);
    const itemId = await makeItem(f);
    const file = await imageFile();
    await expect(f.api.call('cache-import', { itemId: 999, type: 'poster', file })).rejects.toMatchObject({ code: 'not_found', field: 'itemId' });
    await expect(f.api.call('cache-import', { itemId, type: 'wallpaper' as never, file })).rejects.toMatchObject({ code: 'bad_request', field: 'type' });
    await expect(f.api.call('cache-import', { itemId, type: 'poster', file: 'relative.jpg' })).rejects.toMatchObject({ code: 'bad_request', field: 'file' });
    await expect(f.api.call('cache-import', { itemId, type: 'clearlogo', file, rank: 3 })).rejects.toMatchObject({ code: 'bad_request', field: 'rank' });
    const notImage = path.join(f.tempDir(), 'notes.jpg');
    writeFileSync(notImage, '{"not":"an image"}');
    await expect(f.api.call('cache-import', { itemId, type: 'poster', file: notImage })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'file',
      message: expect.stringContaining('JSON document'),
    });
    await expect(f.api.call('cache-blob', { sha256: 'abc' })).rejects.toMatchObject({ code: 'bad_request', field: 'sha256' });
    await expect(f.api.call('cache-blob', { sha256: '0'.repeat(64) })).rejects.toMatchObject({ code: 'not_found' });
    const slots = await f.engine.services.db.selectFrom('slots').selectAll().execute();
    expect(slots).toEqual([]);
  });

  it('verifies, collects garbage into the recycle bin, restores and purges', async () => {
    f = await openDoor(door);
    const file = await imageFile();
    // Stored but used by nothing: a candidate for collection.
    const blob = await f.engine.services.cache.ingestFile(file, { provider: 'upload' });
    expect(await f.api.call('cache-verify', {})).toMatchObject({ repair: false, checked: 1, ok: 1, problems: [] });

    expect(await f.api.call('cache-gc', { dryRun: true })).toMatchObject({ dryRun: true, newlyUnreferenced: 1, recycled: [] });
    await f.api.call('cache-gc', {});
    f.clock.advance(31 * DAY);
    const gc = await f.api.call('cache-gc', {});
    expect(gc.recycled).toEqual([{ sha256: blob.sha256, bytes: blob.bytes, unreferencedSince: f.clock.now() - 31 * DAY }]);

    const [entry] = await f.api.call('recycle-list', {});
    expect(entry).toMatchObject({ kind: 'blob', sha256: blob.sha256, reason: 'unreferenced for 31 days', restoredAt: null });
    expect((await f.api.call('cache-blob', { sha256: blob.sha256 })).state).toBe('recycled');

    const restored = await f.api.call('recycle-restore', { id: entry!.id });
    expect(restored.restoredAt).toBe(f.clock.now());
    expect(existsSync(entry!.originalPath)).toBe(true);
    expect((await f.api.call('cache-blob', { sha256: blob.sha256 })).state).toBe('available');
    await expect(f.api.call('recycle-restore', { id: entry!.id })).rejects.toMatchObject({ code: 'conflict' });
    expect(await f.api.call('recycle-list', {})).toEqual([]);
    expect(await f.api.call('recycle-list', { includeRestored: true })).toHaveLength(1);

    // A library file recycled by the publisher, purged on request.
    const lib = path.join(f.tempDir('lib'), 'Heat');
    mkdirSync(lib);
    writeFileSync(path.join(lib, 'Heat.nfo'), '<movie/>');
    await f.engine.services.cache.recycle.put(path.join(lib, 'Heat.nfo'), { reason: 'replaced', kind: 'library-file' });
    expect(await f.api.call('recycle-purge', {})).toEqual({ purged: 0, bytes: 0 });
    expect(await f.api.call('recycle-purge', { expiredOnly: false })).toEqual({ purged: 1, bytes: 8 });
  });

  it('lists downloads and resumes none when nothing is pending', async () => {
    f = await openDoor(door);
    expect(await f.api.call('cache-downloads', {})).toEqual([]);
    expect(await f.api.call('cache-downloads', { state: 'failed', limit: 5 })).toEqual([]);
    await expect(f.api.call('cache-downloads', { state: 'weird' as never })).rejects.toMatchObject({ code: 'bad_request', field: 'state' });
    expect(await f.api.call('cache-resume', {})).toEqual({ resumed: 0, available: 0, failed: 0, tempFilesRemoved: 0 });
  });
});
